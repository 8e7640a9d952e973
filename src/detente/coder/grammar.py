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

from detente.coder._clause import _governed, _passive, _visit_or_host, _window_flags
from detente.coder._roles import (
    Triple,
    _add,
    _fallback_subject,
    _generic,
    _group,
    _np_subject,
    _one_per_country,
    _own_forces,
    _subject,
    _target,
)
from detente.coder._verbless import _nominal, _statement
from detente.coder._words import CLAUSE, control_code
from detente.coder.actors import ActorMention
from detente.coder.patterns import Match
from detente.coder.syntax import UNKNOWN, object_np, recipient_np

__all__ = ["Triple", "assemble", "control_code"]


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


_TRANSFER_ROOTS = frozenset({"06", "07"})
_MUTUAL_ROOTS = frozenset({"03", "04", "05", "06", "08", "19"})
