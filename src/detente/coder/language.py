"""Tell English text from text the coder cannot read.

Two cheap signals: the share of letters in the Latin alphabet, and the share
of words that are common English function words. News English has 35-50% of
them; other languages written in Latin letters have few.
"""

from __future__ import annotations

import re

__all__ = ["english_problem"]

_STOPWORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "a",
        "in",
        "is",
        "was",
        "for",
        "on",
        "that",
        "with",
        "by",
        "as",
        "at",
        "from",
        "it",
        "its",
        "has",
        "have",
        "had",
        "be",
        "been",
        "were",
        "are",
        "an",
        "or",
        "which",
        "his",
        "her",
        "their",
        "this",
        "will",
        "would",
        "said",
        "after",
        "over",
        "not",
        "but",
        "who",
        "also",
        "into",
        "than",
        "more",
        "its",
        "against",
        "between",
        "about",
        "they",
        "he",
        "she",
        "we",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[^\W\d_\u0250-\U0010ffff]")
MIN_WORDS = 8


def english_problem(text: str) -> str | None:
    """Return why ``text`` does not look like English, or None if it does.

    Texts shorter than a few words are given the benefit of the doubt.
    """
    sample = text[:4000]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return "no words"
    latin = len(_LATIN.findall(sample))
    if latin / letters < 0.8:
        return "not English (non-Latin script)"
    words = _WORD.findall(sample.lower())
    if len(words) < MIN_WORDS:
        return None
    share = sum(1 for w in words if w in _STOPWORDS) / len(words)
    if share < 0.12:
        return "not English (too few English function words)"
    return None
