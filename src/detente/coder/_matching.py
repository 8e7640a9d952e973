"""Matching a compiled pattern after its first word: each segment's phrases in turn, over a
short gap where the pattern allows one, an actor taking the place of ``@``.
"""

from __future__ import annotations

from detente.coder._compiled import Match, Pattern, Phrase
from detente.coder._pattern_words import _GAP_STOP, ACTOR, MAX_GAP


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
