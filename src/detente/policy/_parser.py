"""The recursive-descent parser of conditions: one method per level of the grammar
(``docs/playbook.md``), from ``or`` down to literals and function calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from detente.policy._tokens import MAX_DURATION, MAX_NESTING, ConditionSyntaxError, Token, tokenize
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
