"""The playbook: principles, baskets of agenda items, levers and conditions.

A playbook is a YAML file validated by the models below. Every condition is
parsed when the file is loaded, so a bad expression, an unknown function, a
treaty the registry does not know or an undefined ``$parameter`` is reported
as ``file:line:column`` before anything is evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from detente.policy._yaml import Located, PolicyFileError, load_located, validate
from detente.policy.functions import RECORD_FIELDS, check_call
from detente.policy.grammar import (
    Attr,
    BinOp,
    Boolean,
    BoolOp,
    Call,
    Compare,
    ConditionSyntaxError,
    ListLit,
    Neg,
    Node,
    Not,
    Param,
    String,
    parse,
)
from detente.policy.registry import Registry, load_registry
from detente.tagging import ISSUE_AREAS

__all__ = [
    "BASKETS",
    "LEVERS",
    "AgendaItem",
    "Condition",
    "Playbook",
    "Principle",
    "Settings",
    "compile_condition",
    "default_playbook_path",
    "load_playbook",
]

BASKETS = ("essential", "desirable", "realistic")
LEVERS = ("sanctions", "dialogue_channels", "aid", "deterrence", "confidence_building", "summits",
          "arms_control", "cyber_response", "diplomatic_presence")
Lever = Literal["sanctions", "dialogue_channels", "aid", "deterrence", "confidence_building",
                "summits", "arms_control", "cyber_response", "diplomatic_presence"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _issue_list(values: list[str]) -> list[str]:
    bad = [v for v in values if v not in ISSUE_AREAS]
    if bad:
        raise ValueError(f"unknown issue area(s) {', '.join(bad)}; known: {', '.join(ISSUE_AREAS)}")
    return values


class Settings(_Model):
    """Documented defaults a user can change."""

    min_events: int = Field(default=5, ge=1, description="events a window needs for a share or mean")
    grand_bargain_limit: int = Field(default=3, ge=1, description="issue areas a proposal may bundle")
    trend_months: int = Field(default=6, ge=1, le=1200, description="length of the trend window, months")
    trend_drop: float = Field(default=0.2, gt=0, description="fall in net cooperation that is deteriorating")
    allies_months: int = Field(default=12, ge=1, le=1200, description="window of the allies' record, months")
    untagged_limit: float = Field(default=0.5, ge=0, le=1,
                                  description="share of a window's events whose issue area cannot "
                                              "be told above which a condition on issue areas is "
                                              "not judged not met")
    on_track_decided: float = Field(default=2 / 3, gt=0, le=1,
                                    description="share of an item's own conditions that must be "
                                                "decided for it to be on track (a number or a "
                                                "fraction like 2/3)")

    @field_validator("on_track_decided", mode="before")
    @classmethod
    def _fraction(cls, value: object) -> object:
        if isinstance(value, str) and value.count("/") == 1:
            num, den = (part.strip() for part in value.split("/"))
            if num.isdigit() and den.isdigit() and int(den) > 0:
                return int(num) / int(den)
        return value


class Principle(_Model):
    """A guiding principle."""

    id: int
    name: str
    title: str
    summary: str


class Condition(_Model):
    """A condition over indicators and registry facts."""

    id: str
    description: str
    when: str
    gates: list[Lever] = Field(default_factory=list)
    principle: int | None = None


class AgendaItem(_Model):
    """An agenda item in a basket."""

    id: str
    title: str
    summary: str
    issue_areas: list[str]
    levers: list[Lever] = Field(default_factory=list)
    instruments: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)

    _check_issues = field_validator("issue_areas")(_issue_list)


class Playbook(_Model):
    """A playbook: principles, baskets of agenda items and the stance on grand bargains."""

    playbook: str
    source: str = ""
    dyad: tuple[str, str] = ("USA", "RUS")
    settings: Settings = Settings()
    parameters: dict[str, float] = Field(default_factory=dict)
    principles: list[Principle]
    baskets: dict[Literal["essential", "desirable", "realistic"], list[AgendaItem]]
    stance: dict[str, str] = Field(default_factory=dict)
    _compiled: dict[str, Node] = PrivateAttr(default_factory=dict)
    _path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique_ids(self) -> Playbook:
        seen: set[str] = set()
        for _, item in self.items():
            for key in (item.id, *(f"{item.id}.{c.id}" for c in item.conditions)):
                if key in seen:
                    raise ValueError(f"id {key!r} is used twice")
                seen.add(key)
        return self

    def items(self) -> Iterator[tuple[str, AgendaItem]]:
        """Yield ``(basket, item)`` in basket order."""
        for basket in BASKETS:
            for item in self.baskets.get(basket, []):  # type: ignore[call-overload]
                yield basket, item

    def compiled(self, item: AgendaItem, cond: Condition) -> Node:
        """Return a condition's parsed tree (parsed once, at load time)."""
        key = f"{item.id}.{cond.id}"
        if key not in self._compiled:
            self._compiled[key] = compile_condition(cond.when)
        return self._compiled[key]

    @property
    def path(self) -> Path | None:
        """The file the playbook was read from."""
        return self._path


def _walk(node: Node) -> Iterator[Node]:
    yield node
    children: tuple[Node, ...] = ()
    if isinstance(node, BinOp | Compare):
        children = (node.left, node.right)
    elif isinstance(node, BoolOp):
        children = node.operands
    elif isinstance(node, Not | Neg):
        children = (node.operand,)
    elif isinstance(node, Attr):
        children = (node.value,)
    elif isinstance(node, Call):
        children = (*node.args, *(v for _, v in node.kwargs))
    elif isinstance(node, ListLit):
        children = node.items
    for child in children:
        yield from _walk(child)


def compile_condition(text: str, parameters: dict[str, float] | None = None,
                      registry: Registry | None = None) -> Node:
    """Parse a condition and check its names against the parameters and the registry.

    Raises:
        ConditionSyntaxError: with the column of the problem.
    """
    tree = parse(text, check_call)
    if not isinstance(tree, Compare | BoolOp | Not | Boolean | Attr):
        raise ConditionSyntaxError("a condition must be a comparison, a true/false field "
                                   "or a combination with and/or/not", 1)
    for node in _walk(tree):
        if isinstance(node, Attr) and isinstance(node.value, Call):
            fields = RECORD_FIELDS.get(node.value.func)
            if fields is None or node.name not in fields:
                raise ConditionSyntaxError(
                    f"{node.value.func}() has no field {node.name!r}"
                    + (f"; fields: {', '.join(fields)}" if fields else ""), node.end - len(node.name) + 1)
        if parameters is not None and isinstance(node, Param) and node.name not in parameters:
            raise ConditionSyntaxError(f"unknown parameter ${node.name}; defined: "
                                       f"{', '.join('$' + p for p in parameters) or 'none'}",
                                       node.start + 1)
        if registry is not None and isinstance(node, Call) and node.args and \
                isinstance(node.args[0], String):
            name = node.args[0].value
            if node.func == "treaty" and registry.instrument(name) is None:
                raise ConditionSyntaxError(f"unknown treaty {name!r}; known: "
                                           f"{', '.join(i.id for i in registry.instruments)}",
                                           node.args[0].start + 1)
            if node.func == "channel" and registry.channel(name) is None:
                raise ConditionSyntaxError(f"unknown channel {name!r}; known: "
                                           f"{', '.join(c.id for c in registry.channels)}",
                                           node.args[0].start + 1)
        if registry is not None and isinstance(node, Call) and node.func == "days_since":
            ch = node.kwarg("channel")
            if isinstance(ch, String) and registry.channel(ch.value) is None:
                raise ConditionSyntaxError(f"unknown channel {ch.value!r}; known: "
                                           f"{', '.join(c.id for c in registry.channels)}",
                                           ch.start + 1)
    return tree


def default_playbook_path() -> Path:
    """Return the packaged default playbook (the essay, encoded)."""
    return Path(str(resources.files("detente").joinpath("data/playbook/default.yaml")))


def _locate_condition_error(located: Located, key: tuple[str | int, ...], cond_id: str,
                            exc: ConditionSyntaxError) -> PolicyFileError:
    mark = located.mark(key)
    if mark is None:
        return PolicyFileError(located.path, None, f"condition {cond_id}: {exc}")
    if mark.plain:
        return PolicyFileError(located.path, mark.line, f"condition {cond_id}: {exc.message}",
                               column=mark.column + exc.column - 1)
    return PolicyFileError(located.path, mark.line,
                           f"condition {cond_id}: column {exc.column} of the expression: {exc.message}")


def load_playbook(path: str | Path | None = None, registry: Registry | None = None) -> Playbook:
    """Load and check a playbook (the packaged default when ``path`` is None).

    Raises:
        PolicyFileError: ``file:line[:column]: what is wrong``.
    """
    p = Path(path) if path is not None else default_playbook_path()
    located = load_located(p, "playbook")
    book = validate(Playbook, located)
    reg = registry or load_registry()
    for basket in BASKETS:
        for i, item in enumerate(book.baskets.get(basket, [])):  # type: ignore[call-overload]
            for name in item.instruments:
                if reg.instrument(name) is None:
                    raise located.error(("baskets", basket, i, "instruments"),
                                        f"item {item.id}: unknown instrument {name!r}; known: "
                                        f"{', '.join(x.id for x in reg.instruments)}")
            for name in item.channels:
                if reg.channel(name) is None:
                    raise located.error(("baskets", basket, i, "channels"),
                                        f"item {item.id}: unknown channel {name!r}; known: "
                                        f"{', '.join(x.id for x in reg.channels)}")
            for j, cond in enumerate(item.conditions):
                key = ("baskets", basket, i, "conditions", j, "when")
                try:
                    tree = compile_condition(cond.when, book.parameters, reg)
                except ConditionSyntaxError as exc:
                    raise _locate_condition_error(located, key, f"{item.id}.{cond.id}", exc) from None
                book._compiled[f"{item.id}.{cond.id}"] = tree
    book._path = p
    return book
