"""Who acts on whom: the event triple, and the rules that find its source and target.

The source is the actor heading the clause's subject (or the noun phrase a relative
pronoun or a pronoun stands for); the target the first actor after the verb within its
clause. Joint actors ("X and Y") are groups of mentions; a noun phrase the dictionary
does not name becomes a mention of unknown country.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from detente.coder._words import CLAUSE, JOIN
from detente.coder.actors import ActorMention
from detente.coder.syntax import AGENT_NOUNS, UNKNOWN, subject_np


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


_PRONOUN_SUBJECTS = frozenset({"he", "she", "it", "they", "we"})
_AUX_ADV = frozenset(
    {"will", "would", "has", "have", "had", "is", "are", "was", "were", "be", "been", "also", "not", "n't",
     "did", "does", "do", "could", "can", "may", "might", "should", "must", "already", "again", "now",
     "then", "still", "just", "never"}
)  # fmt: skip


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
