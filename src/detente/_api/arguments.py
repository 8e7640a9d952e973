"""The API's argument checks: each keyword's value as the library takes it, or a
:class:`~detente.errors.QueryError` naming the keyword; and results as the JSON text the
commands print."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from detente.errors import QueryError
from detente.query.period import PERIODS
from detente.query.types import country, parse_date


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise QueryError(f"{what} must be a string, not {type(value).__name__} {value!r}")
    return value


def _date(value: str | dt.date | None, what: str) -> dt.date | None:
    """Return ``value`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a date) as a date
    (:func:`detente.query.parse_date`, the keyword named in the error)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if value is not None and not isinstance(value, dt.date):
        _text(value, what)
    try:
        return parse_date(value, what)
    except QueryError:
        raise QueryError(f"{what}={value!r} is not a date (use YYYY-MM-DD, YYYY-MM, YYYY or a "
                         "datetime.date)") from None


def _window(since: dt.date | None, until: dt.date | None) -> None:
    if since and until and since > until:
        raise QueryError(f"since={since.isoformat()} is after until={until.isoformat()}")


def _country(value: str, what: str) -> str:
    """Return ``value`` as a CAMEO country code (:func:`detente.query.types.country`, the
    keyword named in the error)."""
    try:
        return country(_text(value, what), what)
    except QueryError:
        raise QueryError(f"{what}={value!r} is not a three-letter CAMEO country code "
                         "(e.g. USA, RUS)") from None


def _dyad(value: str | Sequence[str] | None, what: str = "dyad") -> tuple[str, str] | None:
    """Return ``"USA-RUS"``, ``"USA->RUS"`` or ``("USA", "RUS")`` as two country codes."""
    if value is None:
        return None
    parts = (value.replace("->", "-").split("-") if isinstance(value, str) else list(value))
    if len(parts) != 2:
        raise QueryError(f"{what}={value!r} must be two country codes, e.g. 'USA-RUS' or ('USA', 'RUS')")
    a, b = (_country(p, f"{what} side") for p in parts)
    if a == b:
        raise QueryError(f"{what}={value!r} needs two different countries")
    return a, b


def _many(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    """Return one value or a list of them as a tuple of strings (empty for None)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    return tuple(_text(v, what).strip() for v in items)


def _quads(value: int | str | Sequence[int | str] | None) -> tuple[int, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, int | str) else list(value)
    out = []
    for v in items:
        try:
            q = int(v)
        except (TypeError, ValueError):
            raise QueryError(f"quad={v!r} is not a quad class (1, 2, 3 or 4)") from None
        if q not in (1, 2, 3, 4):
            raise QueryError(f"quad={v!r} is not a quad class (1, 2, 3 or 4)")
        out.append(q)
    return tuple(out)


def _period(value: str, allowed: Sequence[str] = PERIODS) -> str:
    if value not in allowed:
        raise QueryError(f"period={value!r} must be one of {', '.join(allowed)}")
    return value


def _output(value: str | None, allowed: Sequence[str | None], hint: str) -> str | None:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise QueryError(f"output={value!r} is not one of {shown} ({hint})")
    return value


def _whole(value: int, what: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{what}={value!r} must be a whole number")
    if value < least:
        raise QueryError(f"{what}={value} must be {least} or more")
    return value


def _json_safe(value: Any) -> Any:
    """Return ``value`` with NaN and infinities as None, dates as ISO text, numpy scalars as Python's."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    item = getattr(value, "item", None)  # a numpy scalar
    if callable(item) and not isinstance(value, str | bytes):
        value = item()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return value


def _dumps(doc: Any) -> str:
    """Return ``doc`` as the JSON text the command prints with ``--as json``."""
    return json.dumps(_json_safe(doc), indent=2, allow_nan=False) + "\n"
