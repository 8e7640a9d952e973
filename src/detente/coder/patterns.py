"""Verb patterns: compile ``data/patterns.yaml`` and find its matches in tokens.

Patterns are indexed by the word they start with, so a sentence costs one
dictionary probe per token plus the few patterns that start there.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from detente._yaml import safe_load
from detente.coder._compiled import Match, Pattern, Phrase, _compile
from detente.coder._matching import _literal, _phrase, _rank, _rest
from detente.coder._pattern_words import ACTOR as ACTOR  # importable from here, as before
from detente.coder._pattern_words import CONTROLS as CONTROLS
from detente.coder._pattern_words import FLAGS as FLAGS
from detente.coder._pattern_words import ING_BEFORE, NOUN_BEFORE, NUMBERS, VERB_BEFORE
from detente.coder._pattern_words import MAX_GAP as MAX_GAP
from detente.coder._verbs import BARE_FORMS, PARTICIPLES, VERB_FORMS, verb_forms
from detente.errors import DetenteError

__all__ = ["PARTICIPLES", "Match", "Pattern", "PatternSet", "load_patterns", "verb_forms"]


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
