"""Verb patterns: compile ``data/patterns.yaml`` and find its matches in tokens.

Patterns are indexed by the word they start with, so a sentence costs one
dictionary probe per token plus the few patterns that start there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from detente._yaml import safe_load
from detente.coder._verbs import BARE_FORMS, PARTICIPLES, VERB_FORMS, verb_forms
from detente.coder.sentences import NUMBER_WORDS
from detente.errors import DetenteError
from detente.ontology import event_code

__all__ = ["PARTICIPLES", "Match", "Pattern", "PatternSet", "load_patterns", "verb_forms"]

FLAGS = frozenset(
    {
        "sym",
        "self",
        "treaty",
        "locative",
        "reverse",
        "intent",
        "agree",
        "threat",
        "refuse",
        "appeal",
        "demand",
        "deny",
        "do",
        "say",
        "noun",
        "topic",
    }
)
CONTROLS = ("intent", "agree", "threat", "refuse", "appeal", "demand", "deny", "do", "say")
MAX_GAP = 5
NOUN_BEFORE = frozenset(
    {
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "our",
        "'s",
        "of",
        "new",
        "further",
        "fresh",
        "tougher",
        "additional",
        "economic",
        "more",
        "any",
        "this",
        "that",
        "these",
        "those",
        "such",
    }
)
ING_BEFORE = frozenset(
    {
        "is",
        "was",
        "were",
        "are",
        "been",
        "be",
        "being",
        ",",
        "by",
        "after",
        "before",
        "while",
        "without",
        "of",
        "for",
        "from",
        "on",
        "in",
        "started",
        "began",
        "begun",
        "continued",
        "stopped",
        "kept",
        "keep",
        "keeps",
        "denied",
        "denies",
        "deny",
        "admitted",
        "resumed",
        "halted",
        "suspended",
        "ended",
        "considering",
        "considered",
        "considers",
        "avoid",
        "avoided",
        "accused",
        "blamed",
        "about",
        "against",
        "over",
        "despite",
        "instead",
        "bill",
        "law",
        "decree",
        "order",
        "measure",
        "legislation",
        "resolution",
        "report",
        "statement",
        "letter",
        "video",
        "tweet",
        "post",
        "speech",
    }
)
NUMBERS = NUMBER_WORDS
_GAP_STOP = frozenset(
    {
        ";",
        ":",
        ",",
        "after",
        "before",
        "because",
        "while",
        "but",
        "which",
        "who",
        "when",
        "if",
        "unless",
        "although",
        "though",
        "whereas",
    }
)

VERB_BEFORE = frozenset(
    {
        "to",
        "will",
        "would",
        "shall",
        "may",
        "might",
        "can",
        "could",
        "should",
        "must",
        "did",
        "does",
        "do",
        "not",
        "n't",
        "never",
        "also",
        "again",
        "now",
        "then",
        "jointly",
        "it",
        "they",
        "he",
        "she",
        "we",
        "i",
        "you",
        "who",
        "which",
        "that",
        "and",
        "or",
        "formally",
        "officially",
        "reportedly",
        "repeatedly",
        "still",
        "later",
        "today",
        "yesterday",
        "often",
        "regularly",
        "usually",
        "always",
        "first",
        "both",
        "all",
    }
)




ACTOR = "@"


@dataclass(frozen=True, slots=True)
class _Word:
    forms: frozenset[str]
    optional: bool = False


Phrase = tuple[_Word, ...]


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled pattern: code ('' for a non-event), flags, phrase sets and joiners."""

    code: str
    flags: frozenset[str]
    segments: tuple[tuple[Phrase, ...], ...]
    # per segment: first word -> the alternatives starting with it, and those that may start anywhere
    lookup: tuple[tuple[dict[str, tuple[Phrase, ...]], tuple[Phrase, ...]], ...]
    gaps: tuple[bool, ...]  # gaps[k]: a gap is allowed before segment k (k >= 1)
    source: str

    @property
    def control(self) -> str | None:
        """The control kind (intent, threat, ...) or None."""
        for c in CONTROLS:
            if c in self.flags:
                return c
        return None


@dataclass(frozen=True, slots=True)
class Match:
    """A pattern found at tokens ``start``..``end`` (exclusive); ``verb`` is its first word."""

    pattern: Pattern
    start: int
    end: int
    target: int | None  # index of the mention the pattern's @ took


def _word(text: str, where: str) -> _Word:
    optional = text.endswith("?")
    text = text.rstrip("?")
    if text == ACTOR:
        return _Word(frozenset({ACTOR}), optional)
    if text.startswith("~"):
        return _Word(frozenset(verb_forms(text[1:])), optional)
    if not text:
        raise DetenteError(f"{where}: empty word")
    return _Word(frozenset({text}), optional)


def _compile(line: str, where: str) -> Pattern:
    head, sep, body = line.partition("=")
    if not sep:
        raise DetenteError(f"{where}: expected 'CODE[,flag...] = pattern', got {line!r}")
    parts = [p.strip() for p in head.split(",")]
    code, flags = parts[0], frozenset(parts[1:])
    if code != "-" and event_code(code) is None:
        raise DetenteError(f"{where}: {code!r} is not a CAMEO event code")
    if flags - FLAGS:
        raise DetenteError(f"{where}: unknown flag(s) {sorted(flags - FLAGS)}")
    tokens = body.split()
    segments: list[tuple[Phrase, ...]] = []
    gaps: list[bool] = [False]
    current: list[str] = []

    def close() -> None:
        text = " ".join(current)
        if not text:
            raise DetenteError(f"{where}: empty phrase set in {line!r}")
        alts = tuple(tuple(_word(w, where) for w in alt.split()) for alt in text.split("|"))
        segments.append(alts)
        current.clear()

    for tok in tokens:
        if tok in ("*", "+"):
            close()
            gaps.append(tok == "*")
        else:
            current.append(tok)
    close()
    first_words = [alt[0] for alt in segments[0]]
    if any(w.optional or ACTOR in w.forms for w in first_words):
        raise DetenteError(f"{where}: a pattern must start with a required word: {line!r}")
    lookup = []
    for alts in segments:
        by_word: dict[str, list[Phrase]] = {}
        loose: list[Phrase] = []
        for alt in alts:
            if alt[0].optional or ACTOR in alt[0].forms:
                loose.append(alt)
            else:
                for form in alt[0].forms:
                    by_word.setdefault(form, []).append(alt)
        lookup.append(({w: tuple(v) for w, v in by_word.items()}, tuple(loose)))
    return Pattern(
        "" if code == "-" else code, flags, tuple(segments), tuple(lookup), tuple(gaps), line.strip()
    )


class PatternSet:
    """Patterns indexed by their first word."""

    def __init__(self, lines: list[str], origin: str) -> None:
        self.patterns = [_compile(str(line), f"{origin}: pattern {i}") for i, line in enumerate(lines, 1)]
        self.index: dict[str, list[tuple[Pattern, Phrase]]] = {}
        for p in self.patterns:
            for alt in p.segments[0]:
                for form in alt[0].forms:
                    self.index.setdefault(form, []).append((p, alt))
        self.roots = sorted({p.code[:2] for p in self.patterns if p.code})

    def find(
        self, toks: list[str], actor_at: dict[int, tuple[int, int]], strong_ends: set[int] | None = None
    ) -> list[Match]:
        """Return the longest match starting at each word, left to right, not overlapping.

        Args:
            toks: lower-case tokens.
            actor_at: token index where a mention starts -> (its end, its number).
            strong_ends: where mentions that can be subjects end (not "Russian" in
                "a Russian attack"); default: every mention's end.
        """
        out: list[Match] = []
        i, n = 0, len(toks)
        index = self.index
        ends = {end for end, _ in actor_at.values()} if strong_ends is None else strong_ends
        while i < n:
            if i in actor_at:
                i = actor_at[i][0]
                continue
            tok = toks[i]
            cands = index.get(tok)
            best: Match | None = None
            if cands is not None and tok in BARE_FORMS and i > 0:
                # "attack", "strikes", "talks" are nouns more often than verbs: take them as
                # verbs only after a subject, a pronoun, "to", an auxiliary or a negation
                prev = toks[i - 1]
                if prev.endswith("ly") and i > 1 and (i - 1 in ends or toks[i - 2] in VERB_BEFORE):
                    prev = "also"  # "Ireland annually provides": an adverb after the subject
                if prev in NOUN_BEFORE or not (prev in VERB_BEFORE or i in ends):
                    cands = _literal(cands)
            elif (
                cands is not None
                and i > 0
                and tok.endswith("ing")
                and tok in VERB_FORMS
                and not (toks[i - 1] in ING_BEFORE or toks[i - 1] in VERB_BEFORE or i in ends)
            ):
                cands = _literal(cands)  # "bases hosting troops": a participle describing a noun
            elif (
                cands is not None
                and i > 0
                and tok in VERB_FORMS
                and (toks[i - 1] in NOUN_BEFORE or toks[i - 1] in NUMBERS or toks[i - 1].isdigit())
            ):
                cands = _literal(cands)  # "the arrests", "the shelling": a noun, not a verb
            if cands is not None:
                for pattern, alt in cands:
                    got = _phrase(alt, toks, i + 1, actor_at, 1)
                    if got is None:
                        continue
                    end, target = got
                    res = _rest(pattern, 1, toks, end, actor_at, target)
                    if res is None:
                        continue
                    m = Match(pattern, i, res[0], res[1])
                    # the longest match wins; at equal length the finer code (0333 over 033, 073 over 070)
                    if best is None or _rank(m) > _rank(best):
                        best = m
            if best is not None:
                out.append(best)
                i = best.end
            else:
                i += 1
        return out


def _literal(cands: list[tuple[Pattern, Phrase]]) -> list[tuple[Pattern, Phrase]] | None:
    """Keep the patterns that start with a literal word ("phone call"), not a verb."""
    kept = [(p, alt) for p, alt in cands if len(alt[0].forms) == 1]
    return kept or None


def _rank(m: Match) -> tuple[int, int, bool]:
    code = m.pattern.code
    return m.end, len(code), not code.endswith("0")


def _phrase(
    alt: Phrase, toks: list[str], pos: int, actor_at: dict[int, tuple[int, int]], skip: int = 0
) -> tuple[int, int | None] | None:
    target = None
    n = len(toks)
    for w in alt[skip:]:
        if ACTOR in w.forms:
            if pos < n and toks[pos] == "the":
                pos += 1
            hit = actor_at.get(pos)
            if hit is None:
                if w.optional:
                    continue
                return None
            target = hit[1]
            pos = hit[0]
            continue
        if pos < n and toks[pos] in w.forms:
            pos += 1
        elif not w.optional:
            return None
    return pos, target


def _rest(
    p: Pattern, k: int, toks: list[str], pos: int, actor_at: dict[int, tuple[int, int]], target: int | None
) -> tuple[int, int | None] | None:
    if k == len(p.segments):
        return pos, target
    by_word, loose = p.lookup[k]
    if not loose and by_word.keys().isdisjoint(toks[pos : pos + 24]):
        return None  # none of the next segment's words is near: no need to walk the gap
    tries = [pos]
    if p.gaps[k]:
        j, steps = pos, 0
        while steps < MAX_GAP and j < len(toks) and toks[j] not in _GAP_STOP:
            if j in actor_at:
                # an actor counts as one word, but its head noun may be the pattern's word
                tries.append(actor_at[j][0] - 1)
                j = actor_at[j][0]
            else:
                j += 1
            steps += 1
            tries.append(j)
    n = len(toks)
    for start in tries:
        alts = by_word.get(toks[start], ()) if start < n else ()
        for alt in (*alts, *loose) if loose else alts:
            got = _phrase(alt, toks, start, actor_at)
            if got is None:
                continue
            res = _rest(p, k + 1, toks, got[0], actor_at, got[1] if got[1] is not None else target)
            if res is not None:
                return res
    return None


@cache
def _default_lines() -> tuple[str, ...]:
    text = resources.files("detente.coder").joinpath("data/patterns.yaml").read_text("utf-8")
    doc = safe_load(text)
    return tuple(doc["patterns"])


def load_patterns(path: str | Path | None = None) -> PatternSet:
    """Return the packaged verb patterns, or those of the YAML file at ``path``.

    Raises:
        DetenteError: the file cannot be read or a pattern is malformed.
    """
    if path is None:
        return PatternSet(list(_default_lines()), "default patterns")
    p = Path(path)
    try:
        doc: Any = safe_load(p.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DetenteError(f"{p}: cannot read patterns ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("patterns"), list):
        raise DetenteError(f"{p}: expected a mapping with a 'patterns' list")
    return PatternSet([str(x) for x in doc["patterns"]], str(p))
