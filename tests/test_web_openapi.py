"""The dashboard's answers match its OpenAPI description: requests generated from the
description (valid and invalid ones), sent in-process, never get a server error, an
undocumented status, or a body or header other than the one declared."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import TypeAdapter, ValidationError
from schemathesis import GenerationMode

from detente.store import Store
from detente.web import create_app
from detente.web._params import DAY_PATTERN, Day
from test_web import EVENTS

EXAMPLES = 25
"""Generated requests per operation and mode (valid, invalid): bounded, to keep the test short."""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("openapi")
    (folder / "e.csv").write_text(EVENTS, encoding="utf-8")
    with Store.open(folder / "s.duckdb") as st:
        st.ingest([folder / "e.csv"])
    return folder / "s.duckdb"


@pytest.fixture
def api_schema(store_path: Path) -> Any:
    # an app per test: the ASGI transport ends the app's lifespan (and its service) after each
    # a valid request may still be refused with a 400: a value the description cannot rule
    # out (an unknown dataset, a dyad of one country, since after until); never with a 422
    config = schemathesis.Config.from_dict(
        {"checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", "400"]}}})
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(store_path),
                                            config=config)
    return schema


OPERATIONS = ["GET /api/view", "GET /api/events", "GET /api/brief", "GET /api/datasets", "GET /brief"]


@pytest.mark.parametrize(("label", "mode"), [
    *((op, GenerationMode.POSITIVE) for op in OPERATIONS),
    # /api/datasets has no parameter to get wrong
    *((op, GenerationMode.NEGATIVE) for op in OPERATIONS if op != "GET /api/datasets"),
], ids=lambda v: {GenerationMode.POSITIVE: "valid", GenerationMode.NEGATIVE: "invalid"}.get(v, v))
def test_every_answer_matches_the_description(api_schema: Any, label: str, mode: GenerationMode) -> None:
    operation = api_schema.find_operation_by_label(label)
    statuses: Counter[int] = Counter()

    @given(operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        # checks: no server error, a documented status, the declared content type,
        # headers and body schema; an invalid request refused (4xx), a valid one accepted
        response = case.call_and_validate()
        if mode is GenerationMode.NEGATIVE and not _really_invalid(case):
            return
        statuses[response.status_code] += 1

    run()
    assert sum(statuses.values()) >= (1 if label == "GET /api/datasets" else 10), statuses
    if mode is GenerationMode.POSITIVE:
        assert statuses[200] > 0, statuses
    else:
        assert set(statuses) <= {400, 422}, statuses


def _really_invalid(case: schemathesis.Case) -> bool:
    """Whether a request generated as invalid is invalid as sent.

    Two kinds are not: a parameter the description does not list (the API ignores
    parameters it does not know, as its description says), and a parameter whose
    invalid value is an empty list, which is sent as no parameter at all.
    """
    data = case.meta.phase.data if case.meta else None
    if getattr(data, "description", "") == "violates `additionalProperties`":
        return False
    name = getattr(data, "parameter", None)
    return name is None or (case.query or {}).get(name) not in ([], None)


def test_every_operation_is_tried(api_schema: Any) -> None:
    assert sorted(op.ok().label for op in api_schema.get_all_operations()) == sorted(OPERATIONS)


def test_the_description_declares_every_refusal(api_schema: Any) -> None:
    raw = api_schema.raw_schema
    error_body = raw["components"]["schemas"]["ErrorBody"]
    assert set(error_body["required"]) == {"error", "type"}
    assert "detail" in error_body["properties"]
    for path, item in raw["paths"].items():
        responses = item["get"]["responses"]
        declared = {"200", "405", "421", "503"} | ({"400", "422"} if item["get"].get("parameters") else set())
        assert set(responses) == declared, path
        for status in declared - {"200"}:
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"}, (path, status)
        assert responses["503"]["headers"]["Retry-After"]["required"] is True
        assert responses["405"]["headers"]["Allow"]["required"] is True


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_a_refused_method_is_answered_as_described(api_schema: Any, method: str) -> None:
    for operation in (op.ok() for op in api_schema.get_all_operations()):
        case = operation.Case(method=method)  # the operation's path, another method
        response = case.call()
        assert response.status_code == 405 and response.headers["allow"] == ["GET"], operation.label
        assert response.json() == {"error": "Method Not Allowed", "type": "method_not_allowed"}


def test_the_declared_date_pattern_is_exactly_what_is_accepted() -> None:
    # every day, month and year around the bounds, and strings that only look like dates
    day = TypeAdapter(Day)
    candidates = [f"{y:04d}" for y in (0, 1, 1899, 1900, 1970, 2100, 2101, 9999)]
    candidates += [f"{y:04d}-{m:02d}" for y in (1899, 1900, 2024, 2100, 2101) for m in range(0, 14)]
    candidates += [f"{y:04d}-{m:02d}-{d:02d}" for y in (1899, 1900, 1904, 2000, 2023, 2024, 2100, 2101)
                   for m in range(0, 14) for d in range(0, 33)]
    candidates += ["0", "-1", "1700000000", "2020-1-1", "2020-01-01T00:00", "20200101", "2020/01/01",
                   " 2020", "2020-01-01 ", "", "２０２０", "null"]
    for text in candidates:
        try:
            day.validate_python(text)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted == bool(re.fullmatch(DAY_PATTERN, text)), text
    assert day.validate_python("2024-02") == dt.date(2024, 2, 1)
    assert day.validate_python("2024") == dt.date(2024, 1, 1)


@pytest.mark.parametrize("value", ["0", "1700000000", "2020-02-30", "2020-1-5", "2020-01-01T00:00",
                                   "1899-12-31"])
def test_a_date_in_another_form_is_refused_not_guessed(api_schema: Any, value: str) -> None:
    response = api_schema.find_operation_by_label("GET /api/view").Case(query={"until": value}).call()
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["type"] == "invalid_parameter" and body["error"].startswith("parameter until: ")
    assert [p["loc"] for p in body["detail"]] == [["query", "until"]]
