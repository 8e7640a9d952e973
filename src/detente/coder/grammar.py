"""From actors and verb matches to (source, code, target) triples.

Shallow rules over token positions, no parser:

* the source is the actor (or joint actors: "X and Y") nearest before the verb,
  preferring one that is not a place ("in Moscow"); the target is the first
  actor after it within the clause;
* passive voice ("was shot down by Turkish jets") swaps them: the actor after
  "by" is the source, the subject the target;
* a joint subject with a symmetric verb and no target ("Russia and Ukraine
  exchanged prisoners") codes both directions;
* reported speech ("X said Y attacked Z") codes only what is reported;
* negation ("did not", "never") and hedged modality ("may", "could", "if")
  drop the event; control verbs turn the verb they govern into an intent
  ("agreed to"), a threat ("threatened to"), a rejection ("refused to"), an
  appeal ("urged X to") or a demand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from detente.coder._words import BE, CLAUSE, FUTURE, HEDGES, JOIN, NEGATORS, control_code
from detente.coder.actors import ActorMention
from detente.coder.patterns import PARTICIPLES, Match
from detente.coder.syntax import AGENT_NOUNS, UNKNOWN, object_np, recipient_np, subject_np

__all__ = ["Triple", "assemble", "control_code"]

@dataclass(frozen=True, slots=True)
class Triple:
    """One coded event before it becomes a canonical row."""

    source: ActorMention
    target: ActorMention
    code: str
    verb_start: int


def _group(mentions: list[ActorMention], k: int, toks: list[str], forward: bool) -> list[int]:
    """Return mention ``k`` with those joined to it by "and" / "," (in order)."""
    members = [k]
    if forward:
        j = k
        while j + 1 < len(mentions) and _joined(toks, mentions[j].end, mentions[j + 1].start):
            members.append(j + 1)
            j += 1
    else:
        j = k
        while j - 1 >= 0 and _joined(toks, mentions[j - 1].end, mentions[j].start):
            members.insert(0, j - 1)
            j -= 1
    return members


def _joined(toks: list[str], a: int, b: int) -> bool:
    between = toks[a:b]
    return (
        0 < len(between) <= 3
        and any(t in ("and", ",", "&") for t in between)
        and all(t in JOIN or t == "the" for t in between)
    )


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


def assemble(
    toks: list[str],
    mentions: list[ActorMention],
    matches: list[Match],
    treaties: list[tuple[int, int, tuple[str, ...]]],
    cased: list[str] | None = None,
    role_of: Callable[[str], str] | None = None,
    words: list[str] | None = None,
) -> list[Triple]:
    """Turn one sentence's mentions and verb matches into event triples.

    With ``cased`` (the tokens as written), a verb whose subject or object the
    dictionary does not name takes a noun phrase of unknown country (see
    :mod:`detente.coder.syntax`); a speech verb with nothing else coded in the
    sentence is a statement (010).
    """
    out: list[Triple] = []
    speech: list[Match] = []
    nominal: list[Match] = []
    used: set[int] = set()
    prev: tuple[Match, list[int], list[int]] | None = None  # the last coded verb, its sources, targets
    for mi, m in enumerate(matches):
        if mi in used:
            continue
        kind = m.pattern.control
        pattern, code, end, tgt_idx = m.pattern, m.pattern.code, m.end, m.target
        if kind == "say":
            # reported speech: the speech act is no event; what is reported is coded on its own
            speech.append(m)
            continue
        if "noun" in m.pattern.flags:
            # "the release of X came as ...": an event named by a noun, if no verb codes one
            nominal.append(m)
            continue
        if kind is not None:
            inner = _governed(toks, matches, mi, mentions)
            if inner is not None:
                used.add(inner)
                im = matches[inner]
                if im.pattern.control is not None:
                    # "refused to rule out sending": nested hedges; nothing is asserted
                    used.update(range(inner + 1, min(inner + 2, len(matches))))
                    continue
                if tgt_idx is None:
                    # "urged Putin to return the islands": the object is the target
                    tgt_idx = next((k for k, a in enumerate(mentions) if m.end <= a.start < im.start), None)
                if not im.pattern.code:
                    continue
                got = control_code(kind, im.pattern.code)
                if got is None:
                    continue
                code, end = got, im.end
                pattern = im.pattern
                if im.target is not None:
                    tgt_idx = im.target
        if not code:
            continue
        if kind is None and m.start > 0 and toks[m.start - 1] == "to":
            # an infinitive no control verb governs is a purpose or a plan ("met to discuss",
            # "a bill to impose sanctions", "decided to invade"), not an act
            continue
        # the clause the verb sits in
        lo = m.start
        while lo > 0 and toks[lo - 1] not in CLAUSE:
            lo -= 1
        before = [k for k, a in enumerate(mentions) if lo <= a.start and a.end <= m.start and a.code]
        last_actor_end = mentions[before[-1]].end if before else lo
        neg, hedge, fut = _window_flags(toks, max(last_actor_end, m.start - 4), m.start)
        if any(t in ("if", "unless", "whether") for t in toks[lo : m.start]):
            hedge = True
        if neg and not hedge and "01" < code[:2] < "10" and kind is None:
            # "will not accept", "did not agree": a refused act of cooperation
            got = control_code("refuse", code)
            if got is None:
                continue
            code, neg = got, False
        if neg or hedge:
            continue
        if fut and kind is None:
            got = control_code("intent", code)
            if got is None:
                continue
            code = got
        passive = _passive(toks, m.start)
        sources: list[int]
        targets: list[int]
        if passive:
            by = next(
                (
                    k
                    for k, a in enumerate(mentions)
                    if a.start > m.start
                    and a.code
                    and a.start - end <= 6
                    and (toks[a.start - 1] == "by" or toks[a.start - 2 : a.start] == ["by", "the"])
                ),
                None,
            )
            if by is None and cased is not None:
                k = next((k for k in range(end, min(end + 6, len(toks))) if toks[k] == "by"), None)
                if k is not None:
                    by = _generic(toks, cased, mentions, object_np(toks, cased, k + 1, len(toks)), role_of)
            if by is None and cased is None:
                continue
            if by is None:
                # "a convoy was attacked": the agent is not named
                sources = [_add(mentions, ActorMention(end, end, UNKNOWN, ""))]
            else:
                sources = _group(mentions, by, toks, forward=True)
            subj = _subject(mentions, before) if before else None
            if subj is None and cased is not None:
                subj = _fallback_subject(toks, cased, mentions, lo, m.start, role_of)
            if subj is not None:
                targets = _group(mentions, subj, toks, forward=False)
            else:
                after = _target(toks, mentions, end, pattern.flags, set())
                targets = [] if after is None or after in sources else [after]
        else:
            subj = _np_subject(toks, words or cased, mentions, before, lo, m.start) if before else None
            if (
                prev is not None
                and (
                    toks[m.start - 1] == "and" or (toks[m.start - 1] == "," and toks[m.start].endswith("ing"))
                )
                and (subj is None or mentions[subj].start >= prev[0].start)
            ):
                # "Biden called Putin and proposed a summit", "attacked Sumy, killing civilians":
                # the first verb's subject
                sources = prev[1]
            elif subj is None and (
                cased is None
                or (subj := _fallback_subject(toks, cased, mentions, lo, m.start, role_of)) is None
            ):
                continue
            elif subj not in before:
                sources = [subj]
            else:
                sources = _group(mentions, subj, toks, forward=False)
                sources = [s for s in sources if s in before]
            targets = []
            if tgt_idx is None:
                # an actor inside the pattern's words ("warned Putin of consequences"); a bare
                # adjective there ("rejected the Russian plan") only if nothing follows
                inside = [
                    k
                    for k, a in enumerate(mentions)
                    if a.code
                    and m.start < a.start
                    and a.end <= end
                    and k not in sources
                    and not a.extra.get("own")
                    and a.country not in {mentions[x].country for x in sources}
                ]
                strong = [k for k in inside if mentions[k].strong]
                if strong:
                    tgt_idx = strong[0]
                elif (
                    inside
                    and _target(toks, mentions, end, pattern.flags, {mentions[x].country for x in sources})
                    is None
                ):
                    tgt_idx = inside[0]
            if tgt_idx is not None:
                targets = _group(mentions, tgt_idx, toks, forward=True)
            else:
                own = {mentions[x].country for x in sources}
                after = _target(toks, mentions, end, pattern.flags, own)
                if after is not None:
                    targets = _group(mentions, after, toks, forward=True)
        if "topic" in pattern.flags and targets:
            # "discussed Ukraine": a country or place after the verb is what is discussed; the
            # party is the one "with" whom, else the partner of a joint subject
            targets = [
                t for t in targets if "with" in toks[max(0, mentions[t].start - 3) : mentions[t].start]
            ]
        if "reverse" in pattern.flags:
            sources, targets = targets, sources
        if "sym" in pattern.flags and len(sources) > 1:
            # "X and Y discussed Ukraine", "met on the sidelines of an OSCE meeting", "signed a
            # deal giving the United States ...": after a joint subject only a direct object or
            # "with Z" names another party
            # (the targets are one coordinated group: the first decides for all)
            first = mentions[targets[0]].start if targets else 0
            if targets and not (first - end <= 1 or "with" in toks[max(0, first - 2) : first]):
                targets = []
        if not targets and prev is not None and sources == prev[1] and "sym" not in pattern.flags:
            targets = prev[2]
        # "X and Y agreed to share information", "X and Y fired across the line": a joint subject
        # acting with or against each other when nothing the dictionary names is the object
        mutual = (
            cased is not None
            and len(sources) > 1
            and (code[:2] in _MUTUAL_ROOTS or code == "196")
            and all(mentions[t].code.startswith(UNKNOWN) for t in targets)
        )
        if mutual:
            targets = []
        if (
            not targets
            and cased is not None
            and not mutual
            and not ("sym" in pattern.flags and len(sources) > 1)
            and not ("treaty" in pattern.flags and treaties)
            and not ("self" in pattern.flags and code.startswith("15"))
        ):
            # the object the dictionary does not name ("lifted a ban on a journalist"), else unknown
            limit = next((k for k in range(end, len(toks)) if toks[k] in CLAUSE), len(toks))
            at = end
            if "topic" in pattern.flags:
                at = next((k + 1 for k in range(end, limit) if toks[k] == "with"), limit)
            span = object_np(toks, cased, at, limit)
            if code[:2] in _TRANSFER_ROOTS or code.startswith(("0842", "154")):
                # "sent supplies to Nepal", "returned artifacts to the government": the recipient
                span = recipient_np(toks, cased, end, limit) or span
            elif code == "016":
                span = recipient_np(toks, cased, end, limit, "by") or span  # "denied charges by X"
            obj = _generic(toks, cased, mentions, span, role_of, agent=False)
            if obj is None or obj in sources:
                obj = _add(mentions, ActorMention(end, end, UNKNOWN, ""))
            targets = [obj]
        if not targets:
            if ("sym" in pattern.flags or mutual) and len(sources) > 1:
                for a in sources:
                    for b in sources:
                        if a != b and not _own_forces(mentions[a], mentions[b], code):
                            out.append(Triple(mentions[a], mentions[b], code, m.start))
                continue
            if "treaty" in pattern.flags and treaties:
                for s in sources:
                    other = next((p for p in treaties[0][2] if p != mentions[s].country), None)
                    if other is not None:
                        out.append(
                            Triple(
                                mentions[s],
                                ActorMention(treaties[0][0], treaties[0][1], other, ""),
                                code,
                                m.start,
                            )
                        )
                continue
            if "self" in pattern.flags and code.startswith("15"):
                for s in sources:
                    src = mentions[s]
                    out.append(
                        Triple(src, ActorMention(src.start, src.end, src.country, src.name), code, m.start)
                    )
            continue
        if code == "044":
            code = _visit_or_host(toks, mentions, end, sources, targets)
        if (
            code == "171"
            and targets
            and all(mentions[t].extra.get("place") or len(mentions[t].code) == 3 for t in targets)
        ):
            code = "192"  # seizing a city or a country's land is occupying territory
        targets = _one_per_country(mentions, targets)
        prev = (m, sources, targets)
        for s in sources:
            for t in targets:
                src_m, tgt_m = mentions[s], mentions[t]
                if (
                    src_m.code
                    and tgt_m.code
                    and (src_m.code != tgt_m.code or src_m.code.startswith(UNKNOWN))
                    and src_m is not tgt_m
                    and not _own_forces(src_m, tgt_m, code)
                ):
                    out.append(Triple(src_m, tgt_m, code, m.start))
    if not out and nominal and cased is not None:
        out.extend(_nominal(toks, cased, mentions, nominal[0], role_of))
    if not out and speech and cased is not None:
        out.extend(_statement(toks, cased, mentions, speech[0], role_of))
    return out


_OBLIGE = {
    "must": "100", "has": "100", "have": "100", "need": "100", "needs": "100", "should": "020", "ought": "020"
}  # fmt: skip
_NP_BOUND = frozenset({",", "by", "of", "in", "on", "to", "with", "for", "at", "from"})


def _fallback_subject(
    toks: list[str],
    cased: list[str],
    mentions: list[ActorMention],
    lo: int,
    verb: int,
    role_of: Callable[[str], str] | None,
) -> int | None:
    """The subject no dictionary actor supplies: the noun phrase a relative pronoun stands for
    ("a Chechen who had fought"), else the clause's own subject noun phrase."""
    if lo > 0 and toks[lo - 1] in ("who", "which", "that") and subject_np(toks, cased, lo, verb) is None:
        stop = lo - 1 - (lo > 1 and toks[lo - 2] == ",")
        owner = next((k for k, a in enumerate(mentions) if a.code and a.end == stop), None)
        if owner is not None:
            return owner
        start = stop
        while start > 0 and toks[start - 1] not in CLAUSE and toks[start - 1] not in _NP_BOUND:
            start -= 1
        return _generic(toks, cased, mentions, (start, stop) if start < stop else None, role_of)
    k = verb - 1
    while k >= lo and (toks[k] in _AUX_ADV or toks[k].endswith("ly")):
        k -= 1
    if k >= lo and toks[k] in _PRONOUN_SUBJECTS:
        # "X said it would ...", "they attacked": the nearest actor before the pronoun
        return next(
            (j for j in range(len(mentions) - 1, -1, -1)
             if mentions[j].code and mentions[j].end <= k and not mentions[j].locative),
            None,
        )  # fmt: skip
    return _generic(toks, cased, mentions, subject_np(toks, cased, lo, verb), role_of)


_TRANSFER_ROOTS = frozenset({"06", "07"})
_MUTUAL_ROOTS = frozenset({"03", "04", "05", "06", "08", "19"})
_PRONOUN_SUBJECTS = frozenset({"he", "she", "it", "they", "we"})
_AUX_ADV = frozenset(
    {"will", "would", "has", "have", "had", "is", "are", "was", "were", "be", "been", "also", "not", "n't",
     "did", "does", "do", "could", "can", "may", "might", "should", "must", "already", "again", "now",
     "then", "still", "just", "never"}
)  # fmt: skip


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


def _add(mentions: list[ActorMention], m: ActorMention) -> int:
    mentions.append(m)
    return len(mentions) - 1


def _generic(
    toks: list[str],
    cased: list[str],
    mentions: list[ActorMention],
    span: tuple[int, int] | None,
    role_of: Callable[[str], str] | None,
    agent: bool = True,
) -> int | None:
    """Return the mention for a noun phrase: a dictionary actor inside it, else one of unknown country.

    An agent (a subject) must be a role noun or a name ("nobody", "the plan" are none).
    """
    if span is None:
        return None
    a, b = span
    inside = [k for k, x in enumerate(mentions) if x.code and a <= x.start and x.end <= b]
    if inside:
        strong = [k for k in inside if mentions[k].strong]
        return (strong or inside)[-1]
    head = toks[b - 1]
    role = role_of(head) if role_of is not None else ""
    named = any(w[:1].isupper() for w in cased[a + (a == 0) : b])
    if agent and not role and head not in AGENT_NOUNS and not named:
        return None  # "nobody", "the plan": no actor
    return _add(mentions, ActorMention(a, b, UNKNOWN + role, " ".join(cased[a:b]), extra={"unknown": True}))


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


def _np_subject(
    toks: list[str],
    words: list[str] | None,
    mentions: list[ActorMention],
    before: list[int],
    lo: int,
    verb: int,
) -> int | None:
    """The actor heading the clause's subject noun phrase ("The US commander in Iraq, General X,
    held talks": the commander), else the nearest actor before the verb."""
    if words is not None:
        span = subject_np(toks, words, lo, verb)
        if span is not None:
            inside = [
                k for k in before if span[0] <= mentions[k].start < span[1] and not mentions[k].locative
            ]
            strong = [k for k in inside if mentions[k].strong]
            if strong or inside:
                return (strong or inside)[-1]
    return _subject(mentions, before)


def _subject(mentions: list[ActorMention], before: list[int]) -> int | None:
    """The nearest actor before the verb that is not a place ("in Moscow"), if any."""
    for k in reversed(before):
        if not mentions[k].locative:
            return k
    return None


def _passive(toks: list[str], start: int) -> bool:
    if toks[start] not in PARTICIPLES:
        return False
    j = start - 1
    while j >= 0 and toks[j].endswith("ly"):
        j -= 1
    return j >= 0 and toks[j] in BE


def _target(
    toks: list[str], mentions: list[ActorMention], end: int, flags: frozenset[str], own: set[str]
) -> int | None:
    """The first actor after the verb within its clause; places only for attacks.

    The source's own armed forces ("withdrew Russian forces from Syria") are passed over.
    """
    place = None
    for k, a in enumerate(mentions):
        if a.start < end or not a.code or a.extra.get("own"):
            continue  # "withdrew its troops from Moldova": the troops are the source's own
        if a.country in own and a.code[3:6] == "MIL":
            continue
        if _modifier(toks, a):
            continue
        if any(t in CLAUSE or t == "by" for t in toks[end : a.start]):
            break
        if a.start - end > 12:
            break
        prep = toks[a.start - 1] if toks[a.start - 1] != "the" else toks[a.start - 2]
        if a.locative and prep not in ("to", "from"):
            if "locative" in flags:
                return k
            if place is None:
                place = k
            continue
        return k
    return None


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


_STATE = ("", "GOV", "MIL")


def _own_forces(a: ActorMention, b: ActorMention, code: str) -> bool:
    """A state acting on its own government or forces is no event, save force posture (15).

    Domestic events between the state and others of its country (police and
    protesters, a court and an opposition leader) are kept.
    """
    return (
        a.country == b.country
        and not a.code.startswith(UNKNOWN)
        and a.code[3:6] in _STATE
        and b.code[3:6] in ("GOV", "MIL")
        and not a.code.startswith("IGO")
        and not code.startswith("15")
    )


_NOT_NOUN = frozenset(
    {
        ",",
        ";",
        ":",
        "and",
        "or",
        "in",
        "on",
        "at",
        "for",
        "to",
        "from",
        "with",
        "by",
        "of",
        "over",
        "after",
        "before",
        "as",
        "that",
        "which",
        "who",
        "'s",
    }
)


def _modifier(toks: list[str], a: ActorMention) -> bool:
    """A place naming a thing, not an actor: "the Salisbury attack", "the London summit"."""
    if not a.extra.get("place") or a.start == 0 or a.end >= len(toks):
        return False
    return toks[a.start - 1] in ("the", "a", "an", "its", "their") and toks[a.end] not in _NOT_NOUN


def _one_per_country(mentions: list[ActorMention], group: list[int]) -> list[int]:
    """Keep the first of several targets of one country ("at Kyiv and Kharkiv")."""
    seen: set[str] = set()
    out = []
    for k in group:
        c = mentions[k].country
        if c not in seen:
            seen.add(c)
            out.append(k)
    return out
