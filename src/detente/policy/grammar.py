"""The condition language: a tokenizer and a recursive-descent parser.

A condition is text such as::

    share(material_conflict, RUS->UKR, issue=ukraine, last=6mo)
        < 0.5 * share(material_conflict, RUS->UKR, issue=ukraine, since=2021-01, until=2021-12)

It is parsed into a small tree of frozen dataclasses (:mod:`detente.policy._tree`,
whose names this module also exports) and evaluated by
:mod:`detente.policy._evaluation`; nothing is ever handed to Python's ``eval``.
Names cannot start with an underscore, so ``__import__`` is not even a token.
The grammar, in EBNF, is in ``docs/playbook.md``.

Parsing is bounded, whatever the text: at most :data:`MAX_LENGTH` characters,
:data:`MAX_NESTING` levels of brackets, ``not`` and unary minus, a tree at most
:data:`MAX_DEPTH` deep (a long ``a + b + c ...`` chain deepens it), numbers of at
most 20 characters and durations of at most :data:`MAX_DURATION` (a century).

The tokenizer and the limits are in ``_tokens``, the parser in ``_parser``; this module is
their public face.
"""

from __future__ import annotations

from detente.policy._parser import CallCheck, _Parser
from detente.policy._tokens import (
    MAX_DEPTH,
    MAX_DURATION,
    MAX_LENGTH,
    MAX_NESTING,
    ConditionSyntaxError,
    Token,
    tokenize,
)
from detente.policy._tree import (
    Attr,
    BinOp,
    Boolean,
    BoolOp,
    Call,
    Compare,
    DateLit,
    Direction,
    Duration,
    ListLit,
    Name,
    Neg,
    Node,
    Not,
    Number,
    Param,
    String,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_DURATION",
    "MAX_LENGTH",
    "MAX_NESTING",
    "Attr",
    "BinOp",
    "BoolOp",
    "Boolean",
    "Call",
    "Compare",
    "ConditionSyntaxError",
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
    "Token",
    "parse",
    "tokenize",
]


def parse(text: str, check_call: CallCheck | None = None) -> Node:
    """Parse a condition into its tree.

    Args:
        text: the condition.
        check_call: called on every function call as it is parsed; raises
            :class:`ConditionSyntaxError` for an unknown function or argument.

    Raises:
        ConditionSyntaxError: the text is not a condition; says where and what was expected.
    """
    node = _Parser(text, check_call).parse()
    _check_depth(node)
    return node


def _check_depth(root: Node) -> None:
    """Raise when ``root``'s tree is deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    stack: list[tuple[object, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            start = getattr(node, "start", 0)
            raise ConditionSyntaxError(f"too deeply nested: more than {MAX_DEPTH} levels "
                                       "(split a long chain of + - * / into parts)", start + 1)
        for value in vars(node).values() if hasattr(node, "__dict__") else ():
            for child in value if isinstance(value, tuple) else (value,):
                if isinstance(child, tuple):  # (name, node) pairs of named arguments
                    child = child[-1]
                if isinstance(child, Node):
                    stack.append((child, depth + 1))
