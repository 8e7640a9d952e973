"""The actor dictionary: names, adjectives, titles and people into CAMEO-style codes.

Lookup is by token n-grams (longest first), so finding every actor mention of a
sentence costs a few dictionary probes per token. People and titles are dated:
``Putin`` is ``RUSGOV`` on any date he held office, and ``the Russian
president`` names whoever held that office on the sentence's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from detente._yaml import safe_load
from detente.coder.sentences import NUMBER_WORDS, tokenize
from detente.errors import DetenteError

__all__ = ["ActorDictionary", "ActorMention", "Term", "actor_country", "load_actors"]

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


def actor_country(code: str) -> str:
    """Return the country (or, for IGOs, known group) of a CAMEO-style actor code."""
    if code.startswith("IGO"):
        return code[-3:] if len(code) >= 6 else "IGO"
    return code[:3]


@dataclass(frozen=True, slots=True)
class Term:
    """One spell in office: the code a person carries from..to (inclusive start)."""

    code: str
    start: dt.date
    end: dt.date | None
    office: str

    def holds(self, day: dt.date) -> bool:
        """Return whether the term covers ``day``."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class _Entry:
    # country | adjective | capital | place | demonym | group | person | role | office | treaty | ignore
    kind: str
    value: str  # country code, actor code, role, office name, person display name
    name: str = ""
    terms: tuple[Term, ...] = ()
    otherwise: str | None = None
    parties: tuple[str, ...] = ()


@dataclass(slots=True)
class ActorMention:
    """One actor found in a sentence: tokens ``start``..``end`` (exclusive)."""

    start: int
    end: int
    code: str
    name: str
    strong: bool = True
    locative: bool = False
    pronoun: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def country(self) -> str:
        """The mention's country (or IGO group) code."""
        return actor_country(self.code)


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DetenteError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


class ActorDictionary:
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

    # -- lookups ---------------------------------------------------------

    def person_code(self, entry: _Entry, day: dt.date | None) -> tuple[str | None, str]:
        """Return the code a person carries on ``day`` (None: not an actor then)."""
        if day is None:
            codes = {t.code for t in entry.terms}
            if len(codes) == 1:
                return codes.pop(), ""
            return entry.otherwise, ""
        for t in entry.terms:
            if t.holds(day):
                return t.code, t.office
        return entry.otherwise, ""

    def holder(self, country: str, office: str, day: dt.date | None) -> str | None:
        """Return who held ``office`` of ``country`` on ``day``, where known."""
        if day is None:
            return None
        for term, name in self.holders.get((country, office), []):
            if term.holds(day):
                return name
        return None

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

    def _phrases(
        self, raw: list[tuple[int, int, _Entry]], toks: list[str], day: dt.date | None
    ) -> list[ActorMention]:
        """Join country words, titles, names and role nouns into actor mentions."""
        out: list[ActorMention] = []
        k = 0
        while k < len(raw):
            s, e, entry = raw[k]
            if entry.kind in ("country", "adjective"):
                # country words joined by "and" / "," sharing one head ("American and Russian diplomats")
                run = [raw[k]]
                j = k + 1
                while (
                    j < len(raw)
                    and raw[j][2].kind in ("adjective", "country")
                    and all(t in ("and", ",") for t in toks[run[-1][1] : raw[j][0]])
                    and raw[j][0] > run[-1][1]
                ):
                    run.append(raw[j])
                    j += 1
                head = self._head(raw, j, run[-1][1], toks)
                if head is not None:
                    _, he, hentry = head
                    for r_i, (rs, re_, rentry) in enumerate(run):
                        # each country keeps its own span; the last one takes the head noun
                        end = he if r_i == len(run) - 1 else re_
                        out.append(self._headed(rs, end, rentry, hentry, day))
                    k = j + 1
                    # a person named right after the title ("Russian President Vladimir Putin")
                    if (
                        k < len(raw)
                        and raw[k][2].kind == "person"
                        and raw[k][0] == he
                        and hentry.kind == "office"
                    ):
                        person = self._person(raw[k], day)
                        if person is not None:
                            out[-1].name = person.name
                            out[-1].end = raw[k][1]
                        k += 1
                    continue
                for rs, re_, rentry in run:
                    # "Russian" alone is weak ("Russian oil"); "U.S." or "French" alone names the country
                    weak = rentry.kind == "adjective" and not any(
                        x.kind in ("country", "demonym") for x in self.table.get(tuple(toks[rs:re_]), [])
                    )
                    out.append(ActorMention(rs, re_, rentry.value, rentry.name, strong=not weak))
                k = j
                continue
            if entry.kind == "capital":
                out.append(ActorMention(s, e, entry.value + "GOV", entry.name, extra={"place": "capital"}))
            elif entry.kind == "place":
                out.append(ActorMention(s, e, entry.value, entry.name, extra={"place": "place"}))
            elif entry.kind == "demonym" or entry.kind == "group":
                out.append(ActorMention(s, e, entry.value, entry.name))
            elif entry.kind == "person":
                m = self._person(raw[k], day)
                if m is not None:
                    out.append(m)
            elif entry.kind == "office":
                country = self.office_countries.get(" ".join(toks[s:e]))
                if country is not None:
                    name = self.holder(country, entry.value, day) or ""
                    nxt = raw[k + 1] if k + 1 < len(raw) else None
                    if nxt is not None and nxt[2].kind == "person" and nxt[0] == e:
                        person = self._person(nxt, day)
                        if person is not None:
                            out.append(person)
                            out[-1].start = s
                            k += 2
                            continue
                    out.append(ActorMention(s, e, country + "GOV", name, extra={"office": entry.value}))
                else:
                    # a bare title: "President Putin" takes the person; "the president" the context
                    nxt = raw[k + 1] if k + 1 < len(raw) else None
                    if nxt is not None and nxt[2].kind == "person" and nxt[0] == e:
                        person = self._person(nxt, day)
                        if person is not None:
                            person.start = s
                            out.append(person)
                        k += 2
                        continue
                    out.append(
                        ActorMention(s, e, "", "", strong=False, extra={"bare": "GOV", "office": entry.value})
                    )
            elif entry.kind == "role":
                out.append(ActorMention(s, e, "", "", strong=False, extra={"bare": entry.value}))
            k += 1
        for m in out:
            # "in Moscow", "near the capital Damascus", "in the northern city of Aleppo"
            j = m.start - 1
            while j >= 0 and m.start - j <= 6 and toks[j] in _PLACE_WORDS:
                j -= 1
            if j >= 0 and toks[j] in LOCATIVE:
                m.locative = True
        return out

    def _head(
        self, raw: list[tuple[int, int, _Entry]], j: int, after: int, toks: list[str]
    ) -> tuple[int, int, _Entry] | None:
        """Return the role noun or title heading a country phrase ending at ``after``."""
        if j >= len(raw):
            return None
        s, _, entry = raw[j]
        if entry.kind not in ("role", "office") or s - after > 3:
            return None
        if all(t in _NP_FILLERS and t != "," for t in toks[after:s]):
            return raw[j]
        return None

    def _headed(
        self, start: int, end: int, country: _Entry, head: _Entry, day: dt.date | None
    ) -> ActorMention:
        if head.kind == "office":
            name = self.holder(country.value, head.value, day) or country.name
            role = "MIL" if head.value.startswith("defence") else "GOV"
            return ActorMention(start, end, country.value + role, name, extra={"office": head.value})
        return ActorMention(start, end, country.value + head.value, country.name)

    def _person(self, item: tuple[int, int, _Entry], day: dt.date | None) -> ActorMention | None:
        s, e, entry = item
        code, office = self.person_code(entry, day)
        if code is None:
            return None
        return ActorMention(s, e, code, entry.name, extra={"office": office} if office else {})


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
