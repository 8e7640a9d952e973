"""What the words around a verb say: negation, hedges and the future before it; the
passive voice; the verb a control verb governs; a visit or a hosted meeting.
"""

from __future__ import annotations

from detente.coder._words import BE, CLAUSE, FUTURE, HEDGES, NEGATORS
from detente.coder.actors import ActorMention
from detente.coder.patterns import PARTICIPLES, Match


def _window_flags(toks: list[str], lo: int, hi: int) -> tuple[bool, bool, bool]:
    """Return (negated, hedged, future) for the words in [lo, hi)."""
    neg = hedge = fut = False
    for t in toks[lo:hi]:
        if t in NEGATORS:
            neg = True
        elif t in HEDGES:
            hedge = True
        elif t in FUTURE:
            fut = True
    return neg, hedge, fut


def _passive(toks: list[str], start: int) -> bool:
    if toks[start] not in PARTICIPLES:
        return False
    j = start - 1
    while j >= 0 and toks[j].endswith("ly"):
        j -= 1
    return j >= 0 and toks[j] in BE


def _governed(toks: list[str], matches: list[Match], mi: int, mentions: list[ActorMention]) -> int | None:
    """Return the match governed by control verb ``mi`` ("refused to meet", "said X attacked")."""
    m = matches[mi]
    if mi + 1 >= len(matches):
        return None
    for j in range(mi + 1, len(matches)):
        # "agreed in a phone call to extend": the infinitive, past what lies between
        if matches[j].start - m.end > 12 or any(t in CLAUSE for t in toks[m.end : matches[j].start]):
            break
        if toks[matches[j].start - 1] == "to":
            return j
    nxt = matches[mi + 1]
    gap = toks[m.end : nxt.start]
    if len(gap) > 10:
        return None
    if "to" in gap or (gap and gap[-1] in ("for", "on")):
        return mi + 1
    if m.pattern.control in ("demand", "appeal", "deny") and "that" in gap:
        return mi + 1  # "demanded that NATO withdraw"
    return None


def _visit_or_host(
    toks: list[str], mentions: list[ActorMention], end: int, sources: list[int], targets: list[int]
) -> str:
    """A meeting in the target's capital is a visit (042), in the source's a hosted one (043)."""
    place = next((a for a in mentions if a.start >= end and a.locative and a.extra.get("place")), None)
    if place is None or len(sources) != 1:
        return "044"
    if all(place.country == mentions[t].country for t in targets):
        return "042"
    if place.country == mentions[sources[0]].country:
        return "043"
    return "044"
