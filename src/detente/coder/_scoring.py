"""Score the coder against hand-coded sentences (``detente evaluate-coder``).

Per sentence, expected and coded events are matched one to one, best pairs
first: a pair's score counts agreement on source country, target country and
root (with the full code as a tie-break), and only pairs agreeing on at least
one of the three may match. A matched pair is a true positive, an unmatched
coded event a false positive, an unmatched expected event a miss.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.coder.actors import actor_country
from detente.coder.coder import Coder
from detente.errors import InputFileError

__all__ = ["GoldEvent", "GoldSentence", "Scores", "evaluate", "load_gold", "match_events", "score"]

NONE = "--"


@dataclass(frozen=True, slots=True)
class GoldEvent:
    """An event: source and target actor codes and a CAMEO code."""

    source: str
    target: str
    code: str

    @property
    def key(self) -> tuple[str, str, str]:
        """(source country, target country, root)."""
        return actor_country(self.source), actor_country(self.target), self.code[:2]


@dataclass(frozen=True, slots=True)
class GoldSentence:
    """One hand-coded sentence."""

    id: str
    date: dt.date | None
    text: str
    events: tuple[GoldEvent, ...]


def load_gold(path: str | Path, require_events: bool = True) -> list[GoldSentence]:
    """Read a gold file: JSON lines ``{"id", "date", "text", "events": [...]}``.

    Args:
        path: the file.
        require_events: refuse a file that holds no expected event at all (no
            sentence with a non-empty ``events`` list): there is nothing to score
            against, and its precision would read 0.

    Raises:
        InputFileError: the file cannot be read, a line is malformed, or it holds no gold.
    """
    p = Path(path)
    try:
        lines = p.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(p, f"cannot read gold file ({type(exc).__name__})") from None
    out: list[GoldSentence] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            events = tuple(
                GoldEvent(str(e["source"]), str(e["target"]), str(e["code"])) for e in obj.get("events", [])
            )
            day = dt.date.fromisoformat(obj["date"]) if obj.get("date") else None
            out.append(GoldSentence(str(obj.get("id", n)), day, str(obj["text"]), events))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InputFileError(
                p, f"line {n}: expected {{id, date, text, events: [{{source, target, code}}]}}"
            ) from None
    if not out:
        raise InputFileError(p, "no gold sentences")
    if require_events and not any(s.events for s in out):
        raise InputFileError(
            p, "no gold events (no sentence has a non-empty 'events' list): nothing to score against"
        )
    return out


def match_events(expected: list[GoldEvent], coded: list[GoldEvent]) -> list[tuple[int, int]]:
    """Return one-to-one (expected index, coded index) pairs, best agreement first."""
    scored = []
    for i, e in enumerate(expected):
        for j, c in enumerate(coded):
            agree = sum(a == b for a, b in zip(e.key, c.key, strict=True))
            if agree:
                scored.append((-(agree + 0.5 * (e.code == c.code)), i, j))
    scored.sort()
    pairs, used_e, used_c = [], set(), set()
    for _, i, j in scored:
        if i not in used_e and j not in used_c:
            pairs.append((i, j))
            used_e.add(i)
            used_c.add(j)
    return sorted(pairs)


@dataclass
class Scores:
    """Counts and rates of one evaluation."""

    sentences: int = 0
    expected: int = 0
    coded: int = 0
    matched: int = 0
    root: int = 0
    full_code: int = 0
    source: int = 0
    target: int = 0
    dyad: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def rate(self, n: int, d: int) -> float | None:
        """n / d, or None when d is 0."""
        return round(n / d, 4) if d else None

    def root_f1(self) -> dict[str, float]:
        """F1 per root over the confusion table (``--`` rows and columns are misses and extras)."""
        roots = sorted({r for pair in self.confusion for r in pair if r != NONE})
        out = {}
        for r in roots:
            tp = self.confusion[(r, r)]
            fp = sum(v for (g, c), v in self.confusion.items() if c == r and g != r)
            fn = sum(v for (g, c), v in self.confusion.items() if g == r and c != r)
            out[r] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
        return out

    def as_dict(self) -> dict[str, Any]:
        """Return the headline numbers, per-root F1 and the confusion table."""
        f1 = self.root_f1()
        return {
            "sentences": self.sentences,
            "expected_events": self.expected,
            "coded_events": self.coded,
            "true_positives": self.matched,
            "false_positives": self.coded - self.matched,
            "misses": self.expected - self.matched,
            "root_accuracy": self.rate(self.root, self.expected),
            "full_code_accuracy": self.rate(self.full_code, self.expected),
            "source_accuracy": self.rate(self.source, self.expected),
            "target_accuracy": self.rate(self.target, self.expected),
            "dyad_accuracy": self.rate(self.dyad, self.expected),
            "precision": self.rate(self.matched, self.coded),
            "recall": self.rate(self.matched, self.expected),
            "macro_f1_roots": round(sum(f1.values()) / len(f1), 4) if f1 else None,
            "f1_by_root": f1,
            "confusion": {f"{g}>{c}": v for (g, c), v in sorted(self.confusion.items())},
        }


def score(gold: list[GoldSentence], code: Callable[[GoldSentence], list[GoldEvent]]) -> Scores:
    """Score a coder function over gold sentences."""
    s = Scores()
    for sent in gold:
        s.sentences += 1
        expected = list(sent.events)
        coded = code(sent)
        s.expected += len(expected)
        s.coded += len(coded)
        pairs = match_events(expected, coded)
        s.matched += len(pairs)
        hit_e = {i for i, _ in pairs}
        hit_c = {j for _, j in pairs}
        for i, j in pairs:
            e, c = expected[i], coded[j]
            s.root += e.key[2] == c.key[2]
            s.full_code += e.code == c.code
            s.source += e.key[0] == c.key[0]
            s.target += e.key[1] == c.key[1]
            s.dyad += e.key[:2] == c.key[:2]
            s.confusion[(e.key[2], c.key[2])] += 1
        for i, e in enumerate(expected):
            if i not in hit_e:
                s.confusion[(e.key[2], NONE)] += 1
        for j, c in enumerate(coded):
            if j not in hit_c:
                s.confusion[(NONE, c.key[2])] += 1
        if sorted(e.key for e in expected) != sorted(c.key for c in coded):
            s.errors.append(
                {
                    "id": sent.id,
                    "text": sent.text,
                    "expected": [f"{e.source} {e.target} {e.code}" for e in expected],
                    "coded": [f"{c.source} {c.target} {c.code}" for c in coded],
                }
            )
    return s


def evaluate(gold: list[GoldSentence], coder: Coder | None = None) -> Scores:
    """Code every gold sentence with the rule coder and score the result."""
    c = coder or Coder()

    def run(sent: GoldSentence) -> list[GoldEvent]:
        return [GoldEvent(a.code, b.code, k) for a, b, k in c.code_sentence(sent.text, sent.date, [])]

    return score(gold, run)
