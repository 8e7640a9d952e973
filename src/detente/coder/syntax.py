"""Shallow syntax of the coder's own: noun phrases with their heads, subjects and objects.

No parser and no model: a noun phrase is a run of words that can sit inside
one (determiners, adjectives, nouns, names, numbers, possessive ``'s``, a
name's ``of``: "the Ministry of Employment") ending before a preposition, a
verb form the patterns know, an auxiliary, a relative word or punctuation.
Its head is its last word. On that the coder finds, when the actor dictionary
names no actor there:

* the subject of a verb: the first noun phrase of its clause that is not
  inside an introductory phrase ("In September, a car bomb in Kiev killed":
  *a car bomb*), passing over appositions and relative clauses set off by
  commas ("The US commander in Iraq, General X, held talks");
* the object of a verb: the noun phrase right after it, or after a
  preposition ("discussed Ukraine", "talks with the rebels");
* names the dictionary does not know: a run of capitalised words that is not
  the first word of the sentence alone ("Adli Yaish", "the Earth Liberation
  Front").

Such actors take the code ``---`` (country unknown) followed by the role of
their head noun when it is one the dictionary knows (``---JUD`` for "a court
in Istanbul", ``---CVL`` for "protesters").
"""

from __future__ import annotations

from detente.coder._verbs import PARTICIPLES, VERB_FORMS

__all__ = ["AGENT_NOUNS", "UNKNOWN", "noun_phrase", "object_np", "proper_names", "recipient_np", "subject_np"]

UNKNOWN = "---"

DETERMINERS = frozenset(
    {"the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these", "those", "some",
     "several", "many", "all", "both", "two", "three", "four", "five", "another", "other", "each", "every",
     "any", "no"}
)  # fmt: skip
PREPOSITIONS = frozenset(
    {"in", "on", "at", "to", "from", "with", "by", "for", "of", "over", "under", "against", "about", "into",
     "onto", "after", "before", "during", "since", "until", "near", "amid", "among", "between", "through",
     "across", "toward", "towards", "without", "within", "despite", "following", "including", "via", "per",
     "than", "like", "as", "upon", "around", "along", "behind", "beyond", "outside", "inside", "throughout"}
)  # fmt: skip
AUXILIARIES = frozenset(
    {"is", "was", "are", "were", "be", "been", "being", "has", "have", "had", "having", "will", "would",
     "shall", "should", "can", "could", "may", "might", "must", "do", "does", "did", "'s", "'ll", "'ve", "'d"}
)  # fmt: skip
RELATIVES = frozenset(
    {"who", "whom", "whose", "which", "that", "where", "when", "while", "what", "whether", "if"}
)
PRONOUNS = frozenset(
    {"he", "she", "it", "they", "we", "i", "you", "him", "them", "us", "me", "there", "here", "itself",
     "themselves", "himself", "herself"}
)  # fmt: skip
_CONJ = frozenset({"and", "or", "but", "nor", "yet", "so"})
_PUNCT = frozenset({",", ";", ":", "(", ")", ".", "!", "?", '"', "“", "”"})
# words that open an introductory or adverbial phrase, not a subject
_INTRO = PREPOSITIONS | RELATIVES | frozenset(
    {"meanwhile", "however", "also", "earlier", "later", "separately", "last", "next", "according", "and",
     "but", "yesterday", "today", "tonight", "reportedly", "then", "now", "still", "instead", "thus",
     "although", "though", "because", "once", "whereas", "as", "so", "furthermore", "moreover", "in"}
)  # fmt: skip
_TIME = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
     "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
     "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "today",
     "yesterday", "tonight", "week", "month", "year", "weekend", "morning", "evening", "afternoon", "night"}
)  # fmt: skip
# capitalised words that do not make a name by themselves
_NOT_NAME = _TIME | DETERMINERS | PREPOSITIONS | PRONOUNS | AUXILIARIES | RELATIVES | _CONJ | frozenset(
    {"mr", "mrs", "ms", "dr", "meanwhile", "however", "also", "earlier", "later", "separately", "according",
     "reportedly", "then", "now", "after", "yet", "still", "nobody", "everyone", "everybody", "someone",
     "somebody", "anyone", "anybody", "none", "few", "most", "others", "something", "nothing", "everything",
     "who", "what", "why", "how", "critics", "experts", "analysts", "observers"}
)  # fmt: skip
MAX_NP = 9
# nouns that can act although the dictionary gives them no role: groups, weapons, people
AGENT_NOUNS = frozenset(
    """bomb bombs blast blasts explosion explosions airstrike airstrikes rocket rockets shell shells
    mine mines attack attacks bomber bombers attacker attackers assailant assailants group groups
    party parties coalition alliance union unions council committee agency organization organisation
    organizations organisations movement faction factions network court tribunal board commission
    team body authority force unit guard guards man men woman women suspect suspects youths crowd
    mob fighters jihadists terrorists extremists insurgents pirates smugglers donors nations
    countries states allies partners members side sides junta cartel gang gangs clan tribe tribesmen
    settlers villagers farmers doctors nurses teachers organizers organisers rioters looters
    prisoners inmates detainees hostages migrants employees staff delegates donor lawyers gunman""".split()  # noqa: SIM905
)


def _stops(tok: str, low: str, have_noun: bool, nxt: str) -> bool:
    if low in _PUNCT or low in _CONJ or low in RELATIVES or low in AUXILIARIES or low in PRONOUNS:
        return low != "'s" or not have_noun
    if low in PREPOSITIONS:
        return True
    if (
        low.endswith("ly")
        and len(low) > 4
        and not tok[:1].isupper()
        and low not in ("italy", "family", "ally")
    ):
        return True
    if not have_noun or low not in VERB_FORMS or tok[:1].isupper():
        return False
    if low.endswith(("ed", "ing")) or low in PARTICIPLES:
        return True
    # "car bomb in", "peace talks with": a noun; "Germany accepts the", "Russia supplies 94%": a verb
    return (
        nxt in DETERMINERS
        or nxt in PRONOUNS
        or nxt[:1].isdigit()
        or nxt in ("to", "more", "up", "down", "out")
    )


def noun_phrase(toks: list[str], cased: list[str], start: int, limit: int) -> tuple[int, int] | None:
    """Return the noun phrase starting at ``start`` as (start, end), or None.

    A name's ``of`` / ``and`` between capitalised words stays inside ("the
    Ministry of Employment and Labour"); a possessive ``'s`` too ("Holcomb's
    office").
    """
    i = start
    have_noun = False
    n = min(limit, len(toks))
    while i < n and i - start < MAX_NP:
        low, tok = toks[i], cased[i]
        if low == "'s" and have_noun:
            i += 1
            continue
        if (
            low in ("of", "and", "for", "-")
            and have_noun
            and cased[i - 1][:1].isupper()
            and i + 1 < n
            and cased[i + 1][:1].isupper()
            and toks[i + 1] not in _NOT_NAME
        ):
            i += 1
            continue
        if low in DETERMINERS and not have_noun:
            i += 1
            continue
        if _stops(tok, low, have_noun, toks[i + 1] if i + 1 < len(toks) else ""):
            break
        have_noun = True
        i += 1
    if not have_noun:
        return None
    return start, i


def subject_np(toks: list[str], cased: list[str], lo: int, verb: int) -> tuple[int, int] | None:
    """Return the subject noun phrase of the verb at ``verb`` in the clause from ``lo``.

    The clause is cut at commas into segments; segments opening with a
    preposition, a relative or an adverb are introductory phrases, appositions
    or relative clauses and are passed over. The first other segment's noun
    phrase is the subject, if it ends at the verb or its own segment's end
    (an apposition follows) and the words after it up to the verb are only
    auxiliaries, adverbs and time words.
    """
    starts = [lo] + [k + 1 for k in range(lo, verb) if toks[k] == ","]
    for s in starts:
        if s >= verb:
            break
        first = toks[s]
        if first in _INTRO or first in PRONOUNS or first in _TIME:
            continue
        if first[:1].isdigit():
            continue
        np = noun_phrase(toks, cased, s, verb)
        if np is None:
            continue
        j = np[1]
        # after the phrase: "on Thursday", auxiliaries, adverbs, or an apposition / relative to the verb
        if _gap_ok(toks, j, verb):
            return np
        if j < verb and toks[j] == ",":
            return np
        if j < verb and toks[j] in PREPOSITIONS:
            # "A court in Istanbul has lifted": a modifier phrase after the head
            k = j
            while k < verb and toks[k] not in (",",) and toks[k] not in AUXILIARIES:
                k += 1
            if _gap_ok(toks, k, verb) or (k < verb and toks[k] == ","):
                return np
        if j < verb and toks[j] in ("who", "which", "that"):
            return np
    return None


def _gap_ok(toks: list[str], j: int, verb: int) -> bool:
    """True when the words from ``j`` to the verb are auxiliaries, adverbs, negation or a time."""
    k = j
    while k < verb:
        t = toks[k]
        if (
            t in AUXILIARIES
            or t in _TIME
            or t
            in (
                "not",
                "n't",
                "also",
                "on",
                "last",
                "this",
                "earlier",
                "later",
                "again",
                "jointly",
                "formally",
                "both",
                "all",
                "now",
                "already",
                "just",
                "reportedly",
            )
            or t.endswith("ly")
            or t.isdigit()
            or t in ("early", "late")
        ):
            k += 1
        else:
            return False
    return True


def object_np(toks: list[str], cased: list[str], end: int, limit: int) -> tuple[int, int] | None:
    """Return the noun phrase right after ``end`` (or after one preposition), before ``limit``."""
    i = end
    if i < limit and toks[i] in ("to", "on", "with", "against", "at", "into", "for", "from", "over", "about"):
        i += 1
    if i >= limit or toks[i] in _TIME:
        return None
    np = noun_phrase(toks, cased, i, limit)
    if np is None or _measure(toks, np):
        return None
    return np


def recipient_np(
    toks: list[str], cased: list[str], end: int, limit: int, prep: str = "to"
) -> tuple[int, int] | None:
    """Return the noun phrase after the first ``prep`` ("to") in ``end``..``limit`` that is not a
    verb's infinitive ("sent supplies to Nepal": Nepal; "sent troops to help": none)."""
    for k in range(end, limit - 1):
        if toks[k] == prep and toks[k + 1] not in VERB_FORMS:
            np = noun_phrase(toks, cased, k + 1, limit)
            if np is not None and not _measure(toks, np):
                return np
    return None


# heads of phrases that measure (money, time, amounts) rather than name an actor
_MEASURES = _TIME | frozenset(
    """million millions billion billions thousand thousands hundred hundreds dollars dollar euros euro
    pounds usd percent per cent times hours days weeks months years minutes tons tonnes kilometres
    kilometers miles""".split()  # noqa: SIM905
)


def _measure(toks: list[str], np: tuple[int, int]) -> bool:
    """True for "this year", "$4 million", "USD1", "just hours": an amount or a time, no actor."""
    words = toks[np[0] : np[1]]
    head = words[-1]
    return (
        head in _MEASURES
        or head[:1].isdigit()
        or head.startswith(("usd", "us$", "eur"))
        or all(w in _TIME or w[:1].isdigit() or w in DETERMINERS for w in words)
    )


def proper_names(cased: list[str], taken: set[int]) -> list[tuple[int, int]]:
    """Return runs of capitalised words no dictionary entry took ("Adli Yaish").

    The sentence's first word alone is not a name (it is capitalised anyway),
    nor are months, days, determiners and other function words.
    """
    out: list[tuple[int, int]] = []
    n = len(cased)
    i = 0
    while i < n:
        w = cased[i]
        if i in taken or not w[:1].isupper() or w.lower() in _NOT_NAME:
            i += 1
            continue
        j = i + 1
        while j < n and j not in taken:
            nxt = cased[j]
            if nxt[:1].isupper() and nxt.lower() not in _NOT_NAME:
                j += 1
            elif (
                nxt in ("of", "for", "and", "-", "al", "bin", "de", "van", "von", "'s")
                and j + 1 < n
                and cased[j + 1][:1].isupper()
                and cased[j + 1].lower() not in _NOT_NAME
                and j + 1 not in taken
            ):
                j += 2
            else:
                break
        # the first word alone is a name when a verb or a possessive follows it ("Hezbollah said")
        follows = cased[1].lower() if n > 1 else ""
        if not (i == 0 and j == 1) or follows in VERB_FORMS or follows in AUXILIARIES:
            out.append((i, j))
        i = j
    return out
