"""Registry listings: treaty statuses with their timelines, and channels with derived statuses."""

from __future__ import annotations

import datetime as dt
from datetime import date

from pydantic import BaseModel

from detente.policy._evaluation import EvalContext, last_contact
from detente.policy.registry import ChannelState, Registry, channel_state, load_registry
from detente.policy.status import choose_dataset, last_day, selection
from detente.store import Store, parse_date

__all__ = ["TimelineEntry", "TreatyRow", "channel_report", "treaty_report"]


class TimelineEntry(BaseModel):
    """One dated status change of one party."""

    party: str
    status: str
    announced: dt.date | None
    effective: dt.date
    event: str | None
    citation: str
    note: str | None = None


class TreatyRow(BaseModel):
    """A treaty's standing as of a date, each party's status, and its full timeline."""

    id: str
    name: str
    kind: str
    ended: bool
    statuses: dict[str, str]
    timeline: list[TimelineEntry]
    overtaken_by: list[str]


def treaty_report(registry: Registry | None = None, as_of: date | str | None = None
                  ) -> tuple[date | None, list[TreatyRow]]:
    """Return every instrument's status per party as of a date (all changes when None)."""
    reg = registry or load_registry()
    when = parse_date(as_of, "--as-of")
    rows: list[TreatyRow] = []
    for inst in reg.instruments:
        timeline = [TimelineEntry(party=party, status=c.status, announced=c.announced,
                                  effective=c.effective, event=c.event,
                                  citation=f"{c.issuer}, {c.title}, {c.date}", note=c.note)
                    for party in inst.parties for c in inst.changes(party, when)]
        timeline.sort(key=lambda e: (e.effective, e.party))
        statuses = {p: s.status for p in inst.parties if (s := inst.state(p, when)) is not None}
        over = inst.overtaken_by
        rows.append(TreatyRow(id=inst.id, name=inst.name, kind=inst.kind, ended=inst.ended(when),
                              statuses=statuses, timeline=timeline,
                              overtaken_by=over.events if over and (when is None or over.date <= when)
                              else []))
    return when, rows


def channel_report(store: Store, registry: Registry | None = None, as_of: date | str | None = None,
                   dataset: str | None = None, dyad: tuple[str, str] = ("USA", "RUS")
                   ) -> tuple[date, str, list[ChannelState]]:
    """Return every channel's status derived from its facts and the latest events.

    The as-of date defaults to the last event date of the dataset used (the
    one with most events of the dyad unless ``dataset`` is given). Contacts are
    read from every dataset of the store holding events of the dyad, the
    curated chronology among them.
    """
    reg = registry or load_registry()
    ds = choose_dataset(store, dataset, dyad)
    when = parse_date(as_of, "--as-of")
    if when is None:
        when = last_day(store, ds)
    ctx = EvalContext(store=store, registry=reg, as_of=when, dataset=ds, dyad=dyad,
                      channel_datasets=selection(store, ds, dyad))
    ctx.prefetch(lambda: [last_contact(ctx, ch) for ch in reg.channels])
    states = []
    for ch in reg.channels:
        found = last_contact(ctx, ch)
        assert found is not None
        states.append(channel_state(ch, when, *found))
    return when, ds, states
