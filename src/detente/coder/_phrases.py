"""From the dictionary's raw hits to actor mentions: country words joined to the role noun
or title they head ("Russian diplomats", "the Russian president"), titles to the people
holding them on the sentence's date, people to their codes, and places after a
locative preposition marked as locations.
"""

from __future__ import annotations

import datetime as dt

from detente.coder._actor_words import _NP_FILLERS, _PLACE_WORDS, LOCATIVE
from detente.coder._mentions import ActorMention, Term, _Entry


class _Phrases:
    """The part of :class:`~detente.coder.actors.ActorDictionary` that reads its hits."""

    table: dict[tuple[str, ...], list[_Entry]]
    holders: dict[tuple[str, str], list[tuple[Term, str]]]
    office_countries: dict[str, str]

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
