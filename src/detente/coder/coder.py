"""The rule coder: English sentences in, CAMEO events out."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from detente.coder.actors import ActorDictionary, ActorMention, load_actors
from detente.coder.grammar import assemble
from detente.coder.inputs import Document
from detente.coder.language import english_problem
from detente.coder.patterns import PatternSet, load_patterns
from detente.coder.sentences import MAX_SENTENCE_CHARS, NUMBER_WORDS, split_sentences, tokenize
from detente.coder.syntax import UNKNOWN, proper_names

__all__ = ["CodedEvent", "Coder", "CodingReport"]

NO_ACTORS = "sentence without actors"
NO_VERB = "sentence without an event verb"
NO_EVENT = "sentence without a complete event (no target, negated or hedged)"
_BY_PLACE = frozenset({"in", "of", "from"})
_JOIN = NUMBER_WORDS | frozenset({"and", ",", "several", "of", "other", "more", "many"})
_PEOPLE = frozenset({"CVL", "REB", "OPP", "COP", "MED"})


@dataclass(frozen=True, slots=True)
class CodedEvent:
    """One event coded from a sentence."""

    doc_id: str
    date: dt.date | None
    sentence: str
    source: str
    target: str
    code: str
    source_name: str = ""
    target_name: str = ""
    url: str | None = None

    @property
    def event_id(self) -> str:
        """``coded:<hash>`` of document, sentence, actors and code: stable across runs."""
        key = "\x1f".join((self.doc_id, self.sentence, self.source, self.target, self.code))
        return "coded:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


@dataclass
class CodingReport:
    """What a coding run read, coded and skipped (with reasons)."""

    documents: int = 0
    sentences: int = 0
    sentences_with_events: int = 0
    events: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        """Return the report as plain JSON-able values."""
        return {
            "documents": self.documents,
            "sentences": self.sentences,
            "sentences_with_events": self.sentences_with_events,
            "events": self.events,
            "skipped": dict(sorted(self.skipped.items())),
        }


class Coder:
    """Codes English sentences into CAMEO events with the project's rules.

    Args:
        actors: the actor dictionary (default: the packaged one).
        patterns: the verb patterns (default: the packaged ones).
    """

    def __init__(self, actors: ActorDictionary | None = None, patterns: PatternSet | None = None) -> None:
        self.actors = actors or load_actors()
        self.patterns = patterns or load_patterns()

    def _role_of(self, word: str) -> str:
        """The role a head noun names ("court": JUD), or ''."""
        for e in self.actors.table.get((word,), ()):
            if e.kind == "role":
                return e.value
        return ""

    def code_sentence(
        self, sentence: str, day: dt.date | None = None, context: list[str] | None = None
    ) -> list[tuple[ActorMention, ActorMention, str]]:
        """Return (source, target, code) for every event in one sentence.

        Args:
            sentence: one English sentence.
            day: its date, for dated actors (leaders, titles).
            context: country codes mentioned earlier in the document, latest last;
                a bare title ("the president") takes the latest.
        """
        return self._code(sentence, day, context)[0]

    def _code(
        self, sentence: str, day: dt.date | None, context: list[str] | None
    ) -> tuple[list[tuple[ActorMention, ActorMention, str]], str | None]:
        """Return the events and, when there are none, why."""
        cased = tokenize(sentence)
        toks = [t.lower() for t in cased]
        mentions, treaties = self.actors.scan(toks, cased, day)
        _resolve_bare(mentions, toks, context)
        _unknown_actors(mentions, cased)
        actor_at = {m.start: (m.end, k) for k, m in enumerate(mentions) if m.code}
        # bare role nouns that found no country still block verb search inside them
        spans = dict(actor_at)
        for k, m in enumerate(mentions):
            if not m.code:
                spans.setdefault(m.start, (m.end, k))
        matches = self.patterns.find(toks, spans, {m.end for m in mentions if m.code and m.strong})
        if context is not None:
            context.extend(m.country for m in mentions if m.code and m.strong)
        if not matches:
            return [], NO_VERB
        # the dictionary's actors first; noun phrases of unknown country only when they find nothing
        named = [replace(m, code="") if m.extra.get("unknown") else m for m in mentions]
        triples = assemble(toks, named, matches, treaties) if any(m.code for m in named) else []
        first = min((t.verb_start for t in triples), default=len(toks))
        if not triples or any(m.start < first for m in matches):
            # the noun-phrase actors code what the dictionary left: the whole sentence when it
            # found nothing, else the verbs before its first event ("pounded the enclave,
            # killing civilians": the pounding is the sentence's event)
            wider = assemble(toks, mentions, matches, treaties, cased, self._role_of, cased)
            triples = [t for t in wider if t.verb_start < first] + triples
        seen: set[tuple[str, str, str]] = set()
        out = []
        for t in triples:
            key = (t.source.code, t.target.code, t.code)
            if key not in seen:
                seen.add(key)
                out.append((t.source, t.target, t.code))
        if out:
            return out, None
        return out, NO_EVENT if any(m.code for m in mentions) else NO_ACTORS

    def code_documents(
        self, docs: Iterable[Document], report: CodingReport | None = None,
        context: Sequence[str] = (),
    ) -> Iterator[CodedEvent]:
        """Yield the events of every document, counting skips in ``report``.

        ``context``: countries a bare title ("the President") is read as at the start of
        each document (a feed of one government's statements), before any country it
        names."""
        rep = report if report is not None else CodingReport()
        for doc in docs:
            rep.documents += 1
            problem = english_problem(doc.text)
            if problem is not None:
                rep.skipped[f"document {problem}"] += 1
                continue
            if doc.date is None:
                rep.skipped["document without a date"] += 1
                continue
            seen: list[str] = list(context)
            for sentence in split_sentences(doc.text):
                rep.sentences += 1
                if len(sentence) > MAX_SENTENCE_CHARS:
                    rep.skipped[f"sentence longer than {MAX_SENTENCE_CHARS} characters"] += 1
                    continue
                found, why = self._code(sentence, doc.date, seen)
                if why is not None:
                    rep.skipped[why] += 1
                if not found:
                    continue
                rep.sentences_with_events += 1
                for src, tgt, code in found:
                    rep.events += 1
                    yield CodedEvent(
                        doc.id, doc.date, sentence, src.code, tgt.code, code, src.name, tgt.name, doc.url
                    )


def _resolve_bare(mentions: list[ActorMention], toks: list[str], context: list[str] | None) -> None:
    """Give a bare role or title a country.

    In order: a possessive ("its forces": the actor before); a place right
    after it ("rebels in Idlib"); for people who are not the state
    (civilians, rebels, police), the nearest actor before, else the place; for a
    title ("the president"), the document's latest country.
    """
    places = [m for m in mentions if m.code and m.locative and (m.extra.get("place") or len(m.code) == 3)]
    for k, m in enumerate(mentions):
        if m.code or "bare" not in m.extra:
            continue
        role = m.extra["bare"]
        nxt = mentions[k + 1] if k + 1 < len(mentions) else None
        prev = next((p for p in reversed(mentions[:k]) if p.code and p.strong), None)
        joined = mentions[k - 1] if k > 0 else None
        if (
            joined is not None
            and joined.code
            and joined.end < m.start
            and all(t in _JOIN for t in toks[joined.end : m.start])
            and (joined.end == m.start or "and" in toks[joined.end : m.start])
            and not joined.code.startswith("IGO")
        ):
            # "seven Russian officials and seventeen companies": the same country
            m.code = joined.country + role
            m.name = joined.name
        elif m.start > 0 and toks[m.start - 1] in ("its", "their", "his", "her") and prev is not None:
            # an organisation's own forces or officials are the organisation itself
            m.code = prev.code if prev.code.startswith("IGO") else prev.country + role
            m.name = prev.name
            m.extra["own"] = True
        elif (
            nxt is not None
            and nxt.code
            and m.end < len(toks)
            and toks[m.end] in _BY_PLACE
            and nxt.start - m.end <= 2
        ):
            m.code = nxt.country + role
            m.name = nxt.name
            m.end = nxt.end
            nxt.code = ""  # the place is part of this actor now
        elif role in _PEOPLE:
            # the nearest actor before ("attacked Sumy, killing civilians"), else the place, else the first
            usable = [
                p for p in mentions if p.code and p.strong and p is not m and not p.code.startswith("IGO")
            ]
            nearest = next((p for p in reversed(usable) if p.end <= m.start), None)
            first = next((p for p in usable if not p.locative), None)
            anchor = nearest or next((p for p in places if p.code), None) or first  # a place still its own
            if anchor is not None:
                m.code = anchor.country + role
                m.name = anchor.name
        elif "office" in m.extra and context:
            m.code = context[-1] + role
    mentions[:] = [m for m in mentions if m.code or "bare" in m.extra]


def _unknown_actors(mentions: list[ActorMention], cased: list[str]) -> None:
    """Give what the dictionary could not place a code of unknown country.

    A role noun that found no country ("a court", "protesters") becomes
    ``---`` and its role; a run of capitalised words the dictionary does not
    know ("Adli Yaish", "the Earth Liberation Front") an actor ``---``, joined to a
    role noun right after it ("Islamic State militants": ``---REB``).
    """
    for m in mentions:
        if not m.code and "bare" in m.extra:
            m.code = UNKNOWN + m.extra["bare"]
            m.extra["unknown"] = True
    taken = {k for m in mentions for k in range(m.start, m.end)}
    added = []
    for a, b in proper_names(cased, taken):
        # "President Michel Suleiman": the title takes the name; "Islamic State militants": the role
        title = next((m for m in mentions if m.end == a and m.extra.get("unknown")), None)
        if title is not None:
            title.end = b
            title.name = " ".join(cased[a:b])
            continue
        nxt = next((m for m in mentions if m.start == b and m.extra.get("unknown")), None)
        if nxt is not None:
            nxt.start = a
            continue
        added.append(ActorMention(a, b, UNKNOWN, " ".join(cased[a:b]), extra={"unknown": True}))
    if added:
        mentions.extend(added)
        mentions.sort(key=lambda m: m.start)
        locative = {"in", "at", "near", "from", "inside", "outside", "across", "around", "throughout", "into"}
        for m in added:
            before = [w.lower() for w in cased[max(0, m.start - 2) : m.start]]
            if before and (before[-1] in locative or (before[-1] == "the" and before[0] in locative)):
                m.locative = True
