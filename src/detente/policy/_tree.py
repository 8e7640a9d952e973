"""The tree a condition is parsed into: small frozen dataclasses, one per kind of term.

Every node knows its span in the source text (``start``, ``end``), so an error or
a piece of evidence can point at the words it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "Attr",
    "BinOp",
    "BoolOp",
    "Boolean",
    "Call",
    "Compare",
    "DateLit",
    "Direction",
    "Duration",
    "ListLit",
    "Name",
    "Neg",
    "Node",
    "Not",
    "Number",
    "Param",
    "String",
]


@dataclass(frozen=True)
class Node:
    """A node of the tree; ``start``/``end`` are its span in the source text."""

    start: int = field(default=0, compare=False, kw_only=True)
    end: int = field(default=0, compare=False, kw_only=True)


@dataclass(frozen=True)
class Number(Node):
    """A number literal."""

    value: float


@dataclass(frozen=True)
class String(Node):
    """A quoted string literal."""

    value: str


@dataclass(frozen=True)
class Boolean(Node):
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True)
class DateLit(Node):
    """A date: ``2021-01`` (a month) or ``2021-01-15`` (a day)."""

    value: date
    precision: str  # "day" | "month"

    def last_day(self) -> date:
        """Return the last day this date covers (the month's end for a month)."""
        if self.precision == "day":
            return self.value
        nxt = date(self.value.year + (self.value.month == 12), self.value.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)


@dataclass(frozen=True)
class Duration(Node):
    """A length of time counted back from the as-of date: ``90d``, ``6mo``, ``2y``."""

    amount: int
    unit: str  # d | w | mo | y


@dataclass(frozen=True)
class Direction(Node):
    """``RUS->UKR`` (one direction) or ``USA-RUS`` (both directions pooled)."""

    source: str
    target: str
    pooled: bool

    def label(self) -> str:
        """Return the direction as written in outputs."""
        return f"{self.source}-{self.target}" if self.pooled else f"{self.source}->{self.target}"


@dataclass(frozen=True)
class Name(Node):
    """A bare name: a country code, an issue area, a quad-class name."""

    value: str


@dataclass(frozen=True)
class Param(Node):
    """``$name``: a threshold taken from the playbook's ``parameters``."""

    name: str


@dataclass(frozen=True)
class ListLit(Node):
    """``[a, b]``."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Call(Node):
    """``name(positional..., key=value...)``."""

    func: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...]

    def kwarg(self, key: str) -> Node | None:
        """Return the named argument ``key`` or None."""
        return next((v for k, v in self.kwargs if k == key), None)


@dataclass(frozen=True)
class Attr(Node):
    """``value.name``: a field of a registry record."""

    value: Node
    name: str


@dataclass(frozen=True)
class Neg(Node):
    """``-x``."""

    operand: Node


@dataclass(frozen=True)
class BinOp(Node):
    """Arithmetic: ``+ - * /``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    """A comparison: ``< <= > >= == !=``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class BoolOp(Node):
    """``and`` / ``or`` over two or more operands."""

    op: str
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Not(Node):
    """``not x``."""

    operand: Node
