"""A pattern line compiled: ``CODE[,flag...] = words``, with ``|`` between alternatives,
``*`` (a gap allowed) or ``+`` between segments, ``~verb`` for every form of a verb, ``@``
for an actor and ``?`` after an optional word; and what a match of it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.coder._pattern_words import ACTOR, CONTROLS, FLAGS
from detente.coder._verbs import verb_forms
from detente.errors import DetenteError
from detente.ontology import event_code


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
