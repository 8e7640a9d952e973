"""The actor dictionary: names, adjectives, titles and people into CAMEO-style codes.

Lookup is by token n-grams (longest first), so finding every actor mention of a
sentence costs a few dictionary probes per token. People and titles are dated:
``Putin`` is ``RUSGOV`` on any date he held office, and ``the Russian
president`` names whoever held that office on the sentence's date.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from detente._yaml import safe_load
from detente.coder._actor_words import _PRIORITY, MAX_NGRAM, _case_ok
from detente.coder._actor_words import LOCATIVE as LOCATIVE  # importable from here, as before
from detente.coder._mentions import ActorMention, Term, _Entry, actor_country
from detente.coder._phrases import _Phrases
from detente.coder.sentences import tokenize
from detente.errors import DetenteError

__all__ = ["ActorDictionary", "ActorMention", "Term", "actor_country", "load_actors"]


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DetenteError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


class ActorDictionary(_Phrases):
    """Compiled actor dictionary; see ``data/actors.yaml`` for the layout."""

    def __init__(self, doc: dict[str, Any], origin: str = "actors.yaml") -> None:
        self.origin = origin
        self.table: dict[tuple[str, ...], list[_Entry]] = {}
        self.longest: dict[str, int] = {}  # first word -> longest phrase starting with it
        self.country_names: dict[str, str] = {}
        self.holders: dict[tuple[str, str], list[tuple[Term, str]]] = {}
        self.office_countries: dict[str, str] = dict(doc.get("office_countries") or {})
        try:
            self._load(doc)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise DetenteError(f"{origin}: malformed actor dictionary ({exc})") from None

    def _add(self, phrase: str, entry: _Entry) -> None:
        key = tuple(t.lower() for t in tokenize(phrase))
        if not key or len(key) > MAX_NGRAM:
            raise DetenteError(f"{self.origin}: phrase {phrase!r} must have 1..{MAX_NGRAM} words")
        self.longest[key[0]] = max(self.longest.get(key[0], 0), len(key))
        bucket = self.table.setdefault(key, [])
        if all(e.kind != entry.kind for e in bucket):
            bucket.append(entry)

    def _load(self, doc: dict[str, Any]) -> None:
        for code, spec in (doc.get("countries") or {}).items():
            display = spec["n"][0].title() if spec.get("n") else code
            self.country_names[code] = display
            for kind, key in (
                ("country", "n"),
                ("adjective", "a"),
                ("capital", "c"),
                ("demonym", "d"),
                ("place", "p"),
            ):
                for phrase in spec.get(key) or []:
                    self._add(str(phrase), _Entry(kind, code, display))
        for role, nouns in (doc.get("roles") or {}).items():
            for phrase in nouns:
                self._add(str(phrase), _Entry("role", role))
        for code, name, phrases in doc.get("groups") or []:
            for phrase in phrases:
                self._add(str(phrase), _Entry("group", code, name))
        for person in doc.get("people") or []:
            names = [str(n) for n in person["names"]]
            terms = tuple(
                Term(str(c), _date(a, self.origin) or dt.date.min, _date(b, self.origin), str(o))
                for c, a, b, o in person.get("terms") or []
            )
            display = names[0].title()
            entry = _Entry("person", display, display, terms, person.get("otherwise"))
            for n in names:
                self._add(n, entry)
            for t in terms:
                slot = (actor_country(t.code), t.office)
                self.holders.setdefault(slot, []).append((t, display))
        for phrase, office in (doc.get("offices") or {}).items():
            self._add(str(phrase), _Entry("office", str(office)))
        for phrases in doc.get("not_actors") or []:
            for phrase in phrases:
                self._add(str(phrase), _Entry("ignore", ""))
        for phrases, parties in doc.get("treaties") or []:
            for phrase in phrases:
                self._add(str(phrase), _Entry("treaty", "", str(phrases[0]), parties=tuple(parties)))

    def scan(
        self, toks: list[str], cased: list[str], day: dt.date | None
    ) -> tuple[list[ActorMention], list[tuple[int, int, tuple[str, ...]]]]:
        """Find actor mentions and treaty mentions in a tokenized sentence.

        Args:
            toks: lower-case tokens.
            cased: the same tokens as written (names must be capitalised).
            day: the sentence's date, for dated people and titles.

        Returns:
            The mentions in order, and treaty spans with their parties.
        """
        raw: list[tuple[int, int, _Entry]] = []
        treaties: list[tuple[int, int, tuple[str, ...]]] = []
        i, n = 0, len(toks)
        table = self.table
        longest = self.longest
        while i < n:
            most = longest.get(toks[i])
            if most is None:
                i += 1
                continue
            hit = None
            for size in range(min(most, n - i), 0, -1):
                entries = table.get(tuple(toks[i : i + size]))
                if entries is not None:
                    hit = (size, entries)
                    break
            if hit is None:
                i += 1
                continue
            size, entries = hit
            first = cased[i]
            kept = [e for e in entries if _case_ok(e, first, toks[i], size)]
            if not kept:
                i += 1
                continue
            e = min(kept, key=lambda x: _PRIORITY[x.kind])
            if e.kind == "treaty":
                treaties.append((i, i + size, e.parties))
            elif e.kind != "ignore":
                raw.append((i, i + size, e))
            i += size
        return self._phrases(raw, toks, day), treaties






@cache
def _default_doc() -> dict[str, Any]:
    text = resources.files("detente.coder").joinpath("data/actors.yaml").read_text("utf-8")
    doc = safe_load(text)
    return doc if isinstance(doc, dict) else {}


def load_actors(path: str | Path | None = None) -> ActorDictionary:
    """Return the packaged actor dictionary, or the one at ``path``.

    Raises:
        DetenteError: the file cannot be read or is malformed.
    """
    if path is None:
        return ActorDictionary(_default_doc(), "default actor dictionary")
    p = Path(path)
    try:
        doc = safe_load(p.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DetenteError(f"{p}: cannot read actor dictionary ({type(exc).__name__})") from None
    if not isinstance(doc, dict):
        raise DetenteError(f"{p}: an actor dictionary is a YAML mapping")
    return ActorDictionary(doc, str(p))
