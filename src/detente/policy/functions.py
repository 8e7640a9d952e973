"""The functions a condition may call, and the check that a call is well formed.

The check runs while a condition is parsed, so an unknown function, a missing
or unknown argument, or an argument of the wrong kind is reported when the
playbook is loaded, with its column, never later during evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.policy.grammar import (
    Call,
    ConditionSyntaxError,
    DateLit,
    Direction,
    Duration,
    ListLit,
    Name,
    Node,
    Number,
    Param,
    String,
)
from detente.query.metrics import QUAD_GROUPS
from detente.tagging import ISSUE_AREAS

__all__ = ["FUNCTIONS", "QUAD_GROUPS", "RECORD_FIELDS", "FuncSpec", "check_call"]

#: fields of the records ``treaty(...)`` and ``channel(...)`` return
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "treaty": ("status", "since", "ended", "in_force"),
    "channel": ("status", "days_since", "last_contact"),
}

_WINDOW = ("last", "lag", "since", "until")
_SELECT = ("issue", "dataset", "code", "root")


@dataclass(frozen=True)
class FuncSpec:
    """A function: its positional arguments (by kind), named ones, and what it returns."""

    name: str
    positional: tuple[str, ...]
    named: tuple[str, ...]
    returns: str  # number | record
    summary: str
    optional_positional: int = 0


FUNCTIONS: dict[str, FuncSpec] = {f.name: f for f in (
    FuncSpec("count", ("direction",), (*_SELECT, *_WINDOW, "quad"), "number",
             "number of events in the window"),
    FuncSpec("share", ("quad_group", "direction"), (*_SELECT, *_WINDOW, "min_events"), "number",
             "share of the window's events in a quad class or group (0-1)"),
    FuncSpec("goldstein", ("direction",), (*_SELECT, *_WINDOW, "min_events"), "number",
             "mean Goldstein score of the window's events"),
    FuncSpec("net_cooperation", ("direction",), (*_SELECT, *_WINDOW, "min_events"), "number",
             "(q1 + q2 - q3 - q4) / events over the window"),
    FuncSpec("index", ("direction",), (*_SELECT, *_WINDOW, "min_events"), "number",
             "relationship index: Goldstein mean weighted by mentions where the dataset has them"),
    FuncSpec("days_since", ("direction",), (*_SELECT, *_WINDOW, "channel"), "number",
             "days from the last matching event (or channel contact) to the as-of date",
             optional_positional=1),
    FuncSpec("treaty", ("string",), ("party",), "record",
             "a party's status under a treaty: .status .since .ended .in_force"),
    FuncSpec("channel", ("string",), (), "record",
             "a dialogue channel's status: .status .days_since .last_contact"),
)}


def _fail(node: Node, message: str) -> None:
    raise ConditionSyntaxError(message, node.start + 1)


def _check_kind(kind: str, node: Node, what: str) -> None:
    if isinstance(node, Param) and kind == "number":
        return
    ok = {
        "direction": isinstance(node, Direction),
        "string": isinstance(node, String),
        "quad_group": isinstance(node, Name) and node.value in QUAD_GROUPS,
        "duration": isinstance(node, Duration),
        "date": isinstance(node, DateLit),
        "number": isinstance(node, Number),
        "country": isinstance(node, Name) and node.value.isupper() and len(node.value) == 3,
        "name": isinstance(node, Name | String),
    }[kind]
    if not ok:
        hint = {
            "direction": "a direction like RUS->UKR or a dyad like USA-RUS",
            "string": 'a quoted name like "CTBT"',
            "quad_group": "one of " + ", ".join(QUAD_GROUPS),
            "duration": "a duration like 90d, 8w, 6mo or 2y",
            "date": "a date like 2021-01 or 2021-01-31",
            "number": "a number or a $parameter",
            "country": "a three-letter country code like RUS",
            "name": "a name",
        }[kind]
        _fail(node, f"{what} must be {hint}")


_NAMED_KIND = {"last": "duration", "lag": "duration", "since": "date", "until": "date",
               "dataset": "name", "min_events": "number", "party": "country", "channel": "string"}


def check_call(call: Call) -> None:
    """Check a call against :data:`FUNCTIONS`.

    Raises:
        ConditionSyntaxError: unknown function or argument, or an argument of the wrong kind.
    """
    spec = FUNCTIONS.get(call.func)
    if spec is None:
        _fail(call, f"unknown function {call.func!r}; known: {', '.join(sorted(FUNCTIONS))}")
        return
    need = len(spec.positional) - spec.optional_positional
    if not need <= len(call.args) <= len(spec.positional):
        count = f"{need}" if need == len(spec.positional) else f"{need} to {len(spec.positional)}"
        _fail(call, f"{call.func}() takes {count} positional argument(s), got {len(call.args)}")
    for kind, arg in zip(spec.positional, call.args, strict=False):
        _check_kind(kind, arg, f"{call.func}() argument")
    for key, value in call.kwargs:
        if key not in spec.named:
            _fail(value, f"{call.func}() has no argument {key!r}; it takes "
                  f"{', '.join(spec.named) or 'no named arguments'}")
        if key == "issue":
            items = value.items if isinstance(value, ListLit) else (value,)
            for item in items:
                if not (isinstance(item, Name) and item.value in ISSUE_AREAS):
                    _fail(item, f"issue must be an issue area ({', '.join(ISSUE_AREAS)}) or a list of them")
        elif key in ("code", "root"):
            items = value.items if isinstance(value, ListLit) else (value,)
            for item in items:
                if not (isinstance(item, String) and item.value.isdigit()):
                    _fail(item, f'{key} must be a quoted CAMEO code like "19" or a list of them')
        elif key == "quad":
            if not ((isinstance(value, Name) and value.value in QUAD_GROUPS)
                    or (isinstance(value, Number) and value.value in (1, 2, 3, 4))):
                _fail(value, "quad must be 1-4 or one of " + ", ".join(QUAD_GROUPS))
        else:
            _check_kind(_NAMED_KIND[key], value, f"{key}")
    keys = {k for k, _ in call.kwargs}
    if "last" in keys and ("since" in keys):
        _fail(call, f"{call.func}(): give either last= or since=, not both")
    if "lag" in keys and "last" not in keys:
        _fail(call, f"{call.func}(): lag= shifts a last= window; give last= too")
    if call.func == "days_since" and bool(call.args) == ("channel" in keys):
        _fail(call, "days_since() takes either a direction or channel=\"...\"")
    if call.func == "treaty" and "party" not in keys:
        _fail(call, 'treaty() needs party=, e.g. treaty("CTBT", party=RUS)')
