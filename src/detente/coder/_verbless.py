"""Events no verb codes: an event named by a noun ("the release of X"), and a speech act
with nothing else coded in its sentence (a statement, a demand or an appeal).
"""

from __future__ import annotations

from collections.abc import Callable

from detente.coder._roles import Triple, _generic, _subject
from detente.coder._words import CLAUSE
from detente.coder.actors import ActorMention
from detente.coder.patterns import Match
from detente.coder.syntax import UNKNOWN, object_np, subject_np

_OBLIGE = {
    "must": "100", "has": "100", "have": "100", "need": "100", "needs": "100", "should": "020", "ought": "020"
}  # fmt: skip


def _nominal(
    toks: list[str],
    cased: list[str],
    mentions: list[ActorMention],
    m: Match,
    role_of: Callable[[str], str] | None,
) -> list[Triple]:
    """An event named by a noun: "the release of X", "Russia's invasion of Ukraine", "... by Y".

    The target is the actor after the noun's "of" / "on" / "against"; the source the owner
    before the noun ("Russia's"), else the actor after "by", else unknown.
    """
    tgt = m.target
    if tgt is None:
        tgt = next((k for k, a in enumerate(mentions) if a.code and m.end <= a.start <= m.end + 1), None)
    if tgt is None:
        tgt = _generic(toks, cased, mentions, object_np(toks, cased, m.end, len(toks)), role_of, agent=False)
    if tgt is None:
        return []
    src = None
    if m.start > 1 and toks[m.start - 1] == "'s":
        src = next((k for k, a in enumerate(mentions) if a.code and a.end == m.start - 1), None)
    elif m.start > 0:
        src = next((k for k, a in enumerate(mentions) if a.code and a.end == m.start and not a.strong), None)
    after = mentions[tgt].end
    if src is None and after < len(toks) and toks[after] == "by":
        src = _generic(toks, cased, mentions, object_np(toks, cased, after + 1, len(toks)), role_of)
    source = mentions[src] if src is not None else ActorMention(m.start, m.start, UNKNOWN, "")
    target = mentions[tgt]
    if source is target:
        return []
    return [Triple(source, target, m.pattern.code, m.start)]


def _statement(
    toks: list[str],
    cased: list[str],
    mentions: list[ActorMention],
    m: Match,
    role_of: Callable[[str], str] | None,
) -> list[Triple]:
    """A speech act with nothing else coded: the speaker makes a statement (010) about what follows."""
    lo = m.start
    while lo > 0 and toks[lo - 1] not in CLAUSE:
        lo -= 1
    before = [k for k, a in enumerate(mentions) if lo <= a.start and a.end <= m.start and a.code]
    subj = _subject(mentions, before) if before else None
    if subj is None:
        subj = _generic(toks, cased, mentions, subject_np(toks, cased, lo, m.start), role_of)
    if subj is None:
        # "..., officials said": the speaker after the verb
        subj = next((k for k, a in enumerate(mentions) if a.code and m.end <= a.start <= m.end + 1), None)
    if subj is None:
        return []
    after = next(
        (k for k, a in enumerate(mentions) if a.code and a.start >= m.end and k != subj and not a.locative),
        None,
    )
    tgt = mentions[after] if after is not None else ActorMention(m.end, m.end, UNKNOWN, "")
    # "said X must ...": a demand; "should": an appeal
    stop = next((k for k in range(m.end, len(toks)) if toks[k] in (";", "but")), len(toks))
    code = m.pattern.code or "010"
    for k in range(m.end, min(stop, m.end + 14)):
        got = _OBLIGE.get(toks[k])
        if got and (toks[k] in ("must", "should", "ought") or (k + 1 < len(toks) and toks[k + 1] == "to")):
            code = got
            break
    return [Triple(mentions[subj], tgt, code, m.start)]
