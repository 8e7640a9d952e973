"""The body of every refusal the dashboard answers, and how the OpenAPI description
declares it.

Each error is JSON: a one-line ``error`` message, a ``type`` naming the kind of
refusal, and for a parameter refused by its declared type or bounds (422) the
``detail`` of each problem. The same model is declared for each status an operation
can answer, so a client reads the description and knows every answer's shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

__all__ = ["ERROR_TYPES", "ErrorBody", "Problem", "error_response", "responses"]

ErrorType = Literal["bad_request", "not_found", "method_not_allowed", "host_not_allowed",
                    "invalid_parameter", "busy", "too_slow", "http_error"]

ERROR_TYPES: dict[int, ErrorType] = {
    400: "bad_request", 404: "not_found", 405: "method_not_allowed", 421: "host_not_allowed",
    422: "invalid_parameter",
}
"""The ``type`` of each status's refusals (503 is ``busy`` or ``too_slow``)."""


class Problem(BaseModel):
    """One parameter refused by its declared type or bounds."""

    loc: list[str | int] = Field(description="Where: e.g. [\"query\", \"until\"].")
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="The kind of problem, e.g. less_than_equal, string_pattern_mismatch.")


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: str = Field(description="One line saying what was refused and why.")
    type: ErrorType = Field(description=(
        "bad_request (400: values a query cannot have, e.g. an unknown dataset or a dyad "
        "of one country), not_found (404), method_not_allowed (405), host_not_allowed "
        "(421: the Host header names another machine), invalid_parameter (422: a "
        "parameter outside its declared type or bounds), busy (503: another process is "
        "writing to the store), too_slow (503: the answer takes longer than the limit; it "
        "is being finished and kept)."))
    detail: list[Problem] | None = Field(
        default=None, description="For invalid_parameter: each parameter refused.")


def error_response(status: int, message: str, *, kind: ErrorType | None = None,
                   detail: list[dict[str, Any]] | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Return the JSON answer of a refusal with ``status``."""
    body: dict[str, Any] = {"error": message, "type": kind or ERROR_TYPES.get(status, "http_error")}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


_RETRY = {"Retry-After": {"description": "Seconds to wait before asking again.",
                          "required": True, "schema": {"type": "integer", "minimum": 1}}}
_ALLOW = {"Allow": {"description": "The methods the path answers: GET.",
                    "required": True, "schema": {"type": "string"}}}
_DESCRIPTIONS: dict[int, str] = {
    400: "A value no query can have: an unknown dataset, a dyad of one country, since after until.",
    405: "A method other than GET on this path.",
    421: "The Host header names a machine this server does not answer for (DNS rebinding guard).",
    422: "A parameter outside its declared type or bounds (e.g. a date that is not YYYY-MM-DD, "
         "YYYY-MM or YYYY, or lies outside 1900-01-01 .. 2100-12-31).",
    503: "The store is busy (another process is writing to it), or the answer takes longer than "
         "the limit (it is being finished and kept): try again after Retry-After seconds.",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return the OpenAPI ``responses`` entries of the error ``statuses``."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorBody, "description": _DESCRIPTIONS[status]}
        if status == 503:
            entry["headers"] = _RETRY
        if status == 405:
            entry["headers"] = _ALLOW
        out[status] = entry
    return out
