"""The condition language's tokens and the limits that bound any text: the tokenizer and
the error a condition that is not valid raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detente.errors import DetenteError

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
