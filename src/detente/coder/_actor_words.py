"""The words the actor dictionary reads around its phrases: where a place is a location,
what may stand between a country and its role noun, which kind of entry wins a phrase,
and which short names must be written as names.
"""

from __future__ import annotations

from detente.coder._mentions import _Entry
from detente.coder.sentences import NUMBER_WORDS

MAX_NGRAM = 8
# after one of these a place is where something happened, not who did it
LOCATIVE = frozenset(
    {
        "in",
        "at",
        "near",
        "inside",
        "outside",
        "across",
        "around",
        "throughout",
        "over",
        "from",
        "within",
        "into",
        "along",
    }
)
# words between a locative preposition and a place ("near the capital", "in the northern city of")
_PLACE_WORDS = frozenset(
    """the capital city town port village region province district state area outskirts of
    northern southern eastern western central north south east west northeastern northwestern
    southeastern southwestern border""".split()  # noqa: SIM905
)
# words that may stand between a country and its role noun ("Russian [top] officials")
_NP_FILLERS = NUMBER_WORDS | frozenset(
    {
        "top",
        "senior",
        "new",
        "former",
        "acting",
        "deputy",
        "chief",
        "lead",
        "main",
        "own",
        "regular",
        "leading",
        "first",
        "most",
        "more",
        "many",
        "several",
        "some",
        "of",
        "s",
        "'s",
        "elite",
        "special",
        "naval",
        "nuclear",
        "ballistic",
        "cruise",
        "coast",
        "military",
        "border",
        "federal",
        "national",
        "central",
        "regional",
        "local",
        "state",
        "secret",
        "senior-level",
        "high-level",
        "high-ranking",
        "armed",
        "security",
        "unmanned",
        "long-range",
        "short-range",
        "intermediate-range",
        "supersonic",
        "hypersonic",
        "allied",
        "joint",
        "combined",
        "airborne",
        "ground",
        "reserve",
        "marine",
        "strategic",
        "defence",
        "defense",
        "foreign",
        "economy",
        "economic",
        "energy",
        "finance",
        "interior",
        "trade",
        "and",
        ",",
    }
)


# one entry per phrase: the most specific kind wins
_PRIORITY = {
    "ignore": 0,
    "treaty": 1,
    "person": 2,
    "group": 3,
    "office": 4,
    "adjective": 5,
    "country": 6,
    "capital": 7,
    "place": 8,
    "role": 9,
    "demonym": 10,
}


def _case_ok(entry: _Entry, first: str, low: str, size: int) -> bool:
    """Names of people and short all-capital names must be written as names."""
    if entry.kind == "person":
        return first[:1].isupper()
    if low in ("us", "un", "eu", "uk") and size == 1:
        return first.isupper()
    if low == "west" and size == 1:
        return first[:1].isupper()  # "the West", not "west of Kyiv"
    return True
