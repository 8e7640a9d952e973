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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from detente.errors import DetenteError
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


MAX_LENGTH = 4000
"""Longest condition, in characters."""
MAX_NESTING = 32
"""Deepest nesting of brackets, ``not`` and unary minus."""
MAX_DEPTH = 64
"""Deepest tree a condition may parse into."""
MAX_DURATION = {"d": 36_525, "w": 5_218, "mo": 1_200, "y": 100}
"""Longest duration in each unit: a century."""
_MAX_NUMBER = 20


class ConditionSyntaxError(DetenteError):
    """A condition is not valid; ``column`` is 1-based within the expression."""

    def __init__(self, message: str, column: int) -> None:
        self.message = message
        self.column = column
        super().__init__(f"column {column}: {message}")


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text and where it starts (0-based)."""

    kind: str
    text: str
    pos: int


_TOKEN_SPEC: tuple[tuple[str, str], ...] = (
    ("WS", r"\s+"),
    ("DIRECTION", r"[A-Z]{3}->[A-Z]{3}\b"),
    ("DYAD", r"[A-Z]{3}-[A-Z]{3}\b"),
    ("DATE", r"\d{4}-\d{2}(?:-\d{2})?\b"),
    ("DURATION", r"\d+(?:mo|d|w|y)\b"),
    ("NUMBER", r"\d+(?:\.\d+)?(?![A-Za-z_])"),
    ("STRING", r"\"[^\"\n]*\"|'[^'\n]*'"),
    ("PARAM", r"\$[A-Za-z][A-Za-z0-9_]*"),
    ("NAME", r"[A-Za-z][A-Za-z0-9_]*"),
    ("OP", r"<=|>=|==|!=|<|>|\+|-|\*|/|\(|\)|\[|\]|,|=|\."),
)
_TOKEN_RE = re.compile("|".join(f"(?P<{k}>{p})" for k, p in _TOKEN_SPEC))
_KEYWORDS = {"and", "or", "not", "true", "false"}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``END`` token.

    Raises:
        ConditionSyntaxError: a character no token can start with.
    """
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError(f"a condition is at most {MAX_LENGTH:,} characters; "
                                   f"this one has {len(text):,}", MAX_LENGTH + 1)
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None or m.end() == pos:
            raise ConditionSyntaxError(f"unexpected character {text[pos]!r}", pos + 1)
        kind = m.lastgroup or ""
        if kind != "WS":
            word = m.group()
            if kind == "NAME" and word in _KEYWORDS:
                kind = "KEYWORD"
            elif kind in ("NUMBER", "DURATION") and len(word) > _MAX_NUMBER:
                raise ConditionSyntaxError(f"number too long ({len(word):,} characters)", pos + 1)
            tokens.append(Token(kind, word, pos))
        pos = m.end()
    tokens.append(Token("END", "", len(text)))
    return tokens


# -- the parser -----------------------------------------------------------------

CallCheck = Callable[[Call], None]
_COMPARE_OPS = {"<", "<=", ">", ">=", "==", "!="}


class _Parser:
    def __init__(self, text: str, check_call: CallCheck | None) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.check_call = check_call
        self.nesting = 0

    def enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ConditionSyntaxError(f"nested deeper than {MAX_NESTING} levels", self.tok.pos + 1)

    # helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        return self.tok.kind == kind and (text is None or self.tok.text == text)

    def expect(self, kind: str, text: str, what: str) -> Token:
        if not self.at(kind, text):
            self.fail(f"expected {what}")
        return self.advance()

    def fail(self, expected: str) -> None:
        found = "end of condition" if self.tok.kind == "END" else repr(self.tok.text)
        raise ConditionSyntaxError(f"{expected}, found {found}", self.tok.pos + 1)

    def end_of_prev(self) -> int:
        prev = self.tokens[self.i - 1]
        return prev.pos + len(prev.text)

    # grammar
    def parse(self) -> Node:
        if self.at("END"):
            raise ConditionSyntaxError("empty condition", 1)
        node = self.or_expr()
        if not self.at("END"):
            self.fail("expected an operator or the end of the condition")
        return node

    def or_expr(self) -> Node:
        return self._bool("or", self.and_expr)

    def and_expr(self) -> Node:
        return self._bool("and", self.not_expr)

    def _bool(self, op: str, sub: Callable[[], Node]) -> Node:
        first = sub()
        operands = [first]
        while self.at("KEYWORD", op):
            self.advance()
            operands.append(sub())
        if len(operands) == 1:
            return first
        return BoolOp(op, tuple(operands), start=first.start, end=operands[-1].end)

    def not_expr(self) -> Node:
        if self.at("KEYWORD", "not"):
            self.enter()
            start = self.advance().pos
            operand = self.not_expr()
            self.nesting -= 1
            return Not(operand, start=start, end=operand.end)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        if self.tok.kind == "OP" and self.tok.text in _COMPARE_OPS:
            op = self.advance().text
            right = self.sum()
            if self.tok.kind == "OP" and self.tok.text in _COMPARE_OPS:
                self.fail("comparisons do not chain; join them with 'and'")
            return Compare(op, left, right, start=left.start, end=right.end)
        return left

    def sum(self) -> Node:
        left = self.product()
        while self.tok.kind == "OP" and self.tok.text in ("+", "-"):
            op = self.advance().text
            right = self.product()
            left = BinOp(op, left, right, start=left.start, end=right.end)
        return left

    def product(self) -> Node:
        left = self.unary()
        while self.tok.kind == "OP" and self.tok.text in ("*", "/"):
            op = self.advance().text
            right = self.unary()
            left = BinOp(op, left, right, start=left.start, end=right.end)
        return left

    def unary(self) -> Node:
        if self.at("OP", "-"):
            self.enter()
            start = self.advance().pos
            operand = self.unary()
            self.nesting -= 1
            return Neg(operand, start=start, end=operand.end)
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while self.at("OP", "."):
            self.advance()
            if not self.at("NAME"):
                self.fail("expected a field name after '.'")
            name = self.advance()
            node = Attr(node, name.text, start=node.start, end=name.pos + len(name.text))
        return node

    def primary(self) -> Node:
        tok = self.tok
        span = {"start": tok.pos, "end": tok.pos + len(tok.text)}
        if tok.kind == "NUMBER":
            self.advance()
            return Number(float(tok.text), **span)
        if tok.kind == "STRING":
            self.advance()
            return String(tok.text[1:-1], **span)
        if tok.kind == "KEYWORD" and tok.text in ("true", "false"):
            self.advance()
            return Boolean(tok.text == "true", **span)
        if tok.kind == "DATE":
            self.advance()
            return _date(tok)
        if tok.kind == "DURATION":
            self.advance()
            m = re.fullmatch(r"(\d+)(mo|d|w|y)", tok.text)
            assert m is not None
            if int(m.group(1)) == 0:
                raise ConditionSyntaxError("a duration must be longer than zero", tok.pos + 1)
            if int(m.group(1)) > MAX_DURATION[m.group(2)]:
                raise ConditionSyntaxError(f"{tok.text} is longer than a century", tok.pos + 1)
            return Duration(int(m.group(1)), m.group(2), **span)
        if tok.kind in ("DIRECTION", "DYAD"):
            self.advance()
            src, tgt = re.split(r"->|-", tok.text)
            if src == tgt:
                raise ConditionSyntaxError(f"{tok.text}: a country and itself is not a direction",
                                           tok.pos + 1)
            return Direction(src, tgt, tok.kind == "DYAD", **span)
        if tok.kind == "PARAM":
            self.advance()
            return Param(tok.text[1:], **span)
        if tok.kind == "NAME":
            self.advance()
            if self.at("OP", "("):
                return self.call(tok)
            return Name(tok.text, **span)
        if self.at("OP", "("):
            self.enter()
            self.advance()
            inner = self.or_expr()
            self.expect("OP", ")", "')'")
            self.nesting -= 1
            return inner
        if self.at("OP", "["):
            self.enter()
            start = self.advance().pos
            items: list[Node] = []
            if not self.at("OP", "]"):
                items.append(self.sum())
                while self.at("OP", ","):
                    self.advance()
                    items.append(self.sum())
            self.expect("OP", "]", "',' or ']'")
            self.nesting -= 1
            return ListLit(tuple(items), start=start, end=self.end_of_prev())
        self.fail("expected a value, a function call or '('")
        raise AssertionError("unreachable")

    def call(self, name: Token) -> Node:
        self.enter()
        self.expect("OP", "(", "'('")
        args: list[Node] = []
        kwargs: list[tuple[str, Node]] = []
        seen: set[str] = set()
        if not self.at("OP", ")"):
            while True:
                nxt = self.tokens[min(self.i + 1, len(self.tokens) - 1)]
                if self.at("NAME") and nxt.kind == "OP" and nxt.text == "=":
                    key = self.advance()
                    self.advance()
                    if key.text in seen:
                        raise ConditionSyntaxError(f"argument {key.text!r} given twice", key.pos + 1)
                    seen.add(key.text)
                    kwargs.append((key.text, self.sum()))
                else:
                    if kwargs:
                        self.fail("expected a named argument (positional ones come first)")
                    args.append(self.sum())
                if not self.at("OP", ","):
                    break
                self.advance()
        self.expect("OP", ")", "',' or ')'")
        self.nesting -= 1
        node = Call(name.text, tuple(args), tuple(kwargs), start=name.pos, end=self.end_of_prev())
        if self.check_call is not None:
            self.check_call(node)
        return node


def _date(tok: Token) -> DateLit:
    parts = [int(p) for p in tok.text.split("-")]
    try:
        value = date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
    except ValueError:
        raise ConditionSyntaxError(f"{tok.text} is not a real date", tok.pos + 1) from None
    return DateLit(value, "day" if len(parts) == 3 else "month",
                   start=tok.pos, end=tok.pos + len(tok.text))


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
