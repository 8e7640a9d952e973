"""Split English text into sentences and sentences into tokens.

Both are single regular expressions: fast, predictable and good enough for news
prose. The splitter knows the abbreviations that end in a full stop without
ending a sentence (``Mr.``, ``U.S.``, ``Jan.``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["MAX_SENTENCE_CHARS", "split_sentences", "tokenize"]

MAX_SENTENCE_CHARS = 1000

_ABBREV = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "adm",
        "gov",
        "sen",
        "rep",
        "st",
        "jr",
        "sr",
        "vs",
        "no",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "corp",
        "co",
        "ltd",
        "fig",
        "est",
        "approx",
        "dept",
        "univ",
        "sen",
        "reps",
        "gens",
        "messrs",
        "mt",
        "ft",
        "pt",
        "bros",
        "govt",
        "e.g",
        "i.e",
        "cf",
        "al",
    ]
)
# words that open a sentence after an initialism ("... on the U.S. The move ...")
_OPENERS = frozenset(
    """the a an it its he she they we i this that these those there in on at but and however
    meanwhile his her their our after before while when if as some many most officials both
    other others another one no yet so still also then later earlier separately today
    yesterday last next""".split()  # noqa: SIM905
)
# a candidate boundary: ., ! or ? (with closing quotes/brackets) followed by space
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+|\n\s*\n+")
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\d+(?:[.,]\d+)+|[A-Za-z0-9]+(?:[-’'][A-Za-z0-9]+)*|[,;:]")
_INITIALS = re.compile(r"(?:[A-Za-z]\.){2,}$")


def split_sentences(text: str) -> Iterator[str]:
    """Yield the sentences of ``text``, stripped, in order.

    A full stop after a known abbreviation or a single capital initial does not
    end a sentence; neither does one followed by a lower-case word. Initialisms
    such as ``U.S.`` end a sentence only before a capitalised word that is not a
    name's continuation, which news style makes rare enough to accept.
    """
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        before = text[start : m.start() + 1]
        if m.group().startswith("."):
            word = before.rsplit(None, 1)[-1] if before.strip() else ""
            stem = word.rstrip(".").lower().lstrip("(\"'“‘")
            nxt = text[end : end + 1]
            if stem in _ABBREV or (len(stem) == 1 and stem.isalpha()) or (nxt and nxt.islower()):
                continue
            if _INITIALS.search(word) and nxt and nxt.isupper():
                # "U.S. President", "the U.S. Treasury", "9 a.m. Thursday": an initialism before a
                # capitalised word ends a sentence only when that word opens one ("... the U.S. The")
                following = re.match(r"[A-Za-z']+", text[end:])
                if following is None or following.group().lower() not in _OPENERS:
                    continue
        piece = text[start:end].strip()
        if piece:
            yield piece
        start = end
    piece = text[start:].strip()
    if piece:
        yield piece


def tokenize(sentence: str) -> list[str]:
    """Return the sentence's tokens as written: words, initialisms, ``'s`` and ``n't`` split off, , ; :."""
    out: list[str] = []
    for t in _TOKEN.findall(sentence):
        if "'" in t or "’" in t:
            t = t.replace("’", "'")
            low = t.lower()
            if low.endswith("'s"):
                out.extend((t[:-2], "'s"))
                continue
            if low.endswith("n't") and len(t) > 3:
                out.extend((t[:-3], "n't"))
                continue
        out.append(t)
    return out


# number words that count people or things ("three diplomats", "dozens of officers")
NUMBER_WORDS = frozenset(
    [
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "dozens",
        "hundreds",
        "thousands",
    ]
)
