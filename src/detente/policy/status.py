"""Check a playbook against the evidence: every item's status, every condition's result.

An item's status follows these rules, in order:

1. ``overtaken_by_events``: the item names registry instruments and every one
   of them has ended by the as-of date (a party withdrew, it expired or was
   terminated, or events overtook it); the events that wound it down are listed.
2. ``deteriorating`` from the registry: one of the item's instruments still
   stands but a party has announced its withdrawal, set an ultimatum, suspended
   it, given notice or revoked its ratification (:data:`~detente.policy.registry.STRAINED`),
   or one of the item's channels is suspended or restricted with no contact
   since; the events behind it are listed.
3. ``deteriorating`` from the evidence: net cooperation between the dyad on the
   item's issue areas over the last ``trend_months`` fell by more than
   ``trend_drop`` against the ``trend_months`` before (the item's ``trend``
   condition is met).
4. ``on_track``: at least ``on_track_decided`` (two-thirds by default) of the
   item's own conditions (those without ``gates``) are decided and none of them
   is ``not_met``.
5. ``stalled``: anything else (a condition not met, too few decided, or no
   condition of its own), with the reason.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from detente.errors import QueryError
from detente.policy._evaluation import ConditionResult, EvalContext, evaluate, last_contact
from detente.policy.playbook import AgendaItem, Playbook, compile_condition, load_playbook
from detente.policy.registry import Registry, channel_state, load_registry
from detente.store import Store, parse_date

__all__ = ["EventRef", "ItemReport", "PlaybookReport", "check_playbook", "choose_dataset",
           "event_refs", "last_day", "make_context", "selection"]

ItemStatus = Literal["on_track", "deteriorating", "stalled", "overtaken_by_events"]


class EventRef(BaseModel):
    """An event cited as evidence."""

    event_id: str
    date: dt.date | None = None
    text: str | None = None


class ItemReport(BaseModel):
    """One agenda item's status with its conditions and evidence."""

    basket: str
    id: str
    title: str
    status: ItemStatus
    reason: str
    issue_areas: list[str]
    levers: list[str]
    conditions: list[ConditionResult] = Field(default_factory=list)
    trend: ConditionResult | None = None
    overtaken_by: list[EventRef] = Field(default_factory=list)
    strained_by: list[EventRef] = Field(default_factory=list)


class PlaybookReport(BaseModel):
    """The result of ``detente playbook check``."""

    playbook: str
    file: str | None
    as_of: date
    dataset: str
    dyad: tuple[str, str]
    items: list[ItemReport]
    counts: dict[str, int]


def choose_dataset(store: Store, requested: str | None, dyad: tuple[str, str]) -> str:
    """Return the dataset to evaluate on: the one asked for, else the one with most dyad events.

    Datasets are never pooled: a hand-picked chronology and machine-coded news
    counts measure different things.

    Raises:
        QueryError: the requested dataset is not in the store, or the store is empty.
    """
    rows = store.queries.dyad_counts(dyad)
    names = [r[0] for r in rows]
    if requested is not None:
        if requested not in names:
            raise QueryError(f"--dataset {requested!r} is not in the store; present: "
                             f"{', '.join(names) or 'none'}")
        return requested
    if not rows:
        raise QueryError("the store holds no events")
    return str(rows[0][0])


def make_context(store: Store, book: Playbook, registry: Registry, as_of: date | str | None,
                 dataset: str | None) -> EvalContext:
    """Build the evaluation context: dataset and as-of date (the dataset's last day by default)."""
    ds = choose_dataset(store, dataset, book.dyad)
    when = parse_date(as_of, "--as-of")
    if when is None:
        when = last_day(store, ds)
    return EvalContext(store=store, registry=registry, as_of=when, dataset=ds,
                       params=dict(book.parameters), dyad=book.dyad,
                       min_events=book.settings.min_events,
                       untagged_limit=book.settings.untagged_limit,
                       channel_datasets=selection(store, ds, book.dyad))


def selection(store: Store, dataset: str, dyad: tuple[str, str]) -> tuple[str, ...]:
    """Return the datasets channels read: every dataset of the store holding events of
    the dyad (the curated chronology among them), ``dataset`` first."""
    names = [str(r[0]) for r in store.queries.dyad_counts(dyad) if r[1] > 0]
    return tuple(dict.fromkeys([dataset, *sorted(names)]))


def last_day(store: Store, dataset: str) -> date:
    """Return the last event date of ``dataset`` (the default as-of date).

    Raises:
        QueryError: the dataset has no events.
    """
    span = store.queries.span(dataset)
    if span is None:
        raise QueryError(f"dataset {dataset} has no events")
    return span[1]


def event_refs(store: Store, ids: list[str]) -> list[EventRef]:
    """Look up events' dates and text (ids not in the store are kept, undated)."""
    rows = store.queries.event_refs(ids)
    found = {r[0]: EventRef(event_id=r[0], date=r[1], text=r[2]) for r in rows}
    refs = [found.get(i, EventRef(event_id=i)) for i in ids]
    return sorted(refs, key=lambda r: (r.date or date.max, r.event_id))


def _trend(item: AgendaItem, book: Playbook, ctx: EvalContext) -> ConditionResult:
    a, b = book.dyad
    m, drop = book.settings.trend_months, book.settings.trend_drop
    issues = ", ".join(item.issue_areas)
    text = (f"net_cooperation({a}-{b}, issue=[{issues}], last={m}mo) < "
            f"net_cooperation({a}-{b}, issue=[{issues}], last={m}mo, lag={m}mo) - {drop:g}")
    return evaluate(compile_condition(text), text, ctx, cond_id="trend",
                    description=f"net cooperation on the item's issues fell by more than {drop:g} "
                                f"against the previous {m} months")


def _registry_strain(item: AgendaItem, ctx: EvalContext) -> tuple[list[str], list[str]]:
    """Return what the registry says strains the item as of the context's date: its
    instruments' parties that announced a withdrawal, set an ultimatum, suspended, gave
    notice or revoked a ratification, and its channels suspended or restricted with no
    contact since; with the ids of the events behind them."""
    reasons: list[str] = []
    ids: list[str] = []
    for name in item.instruments:
        inst = ctx.registry.instrument(name)
        if inst is None:
            continue
        for state in inst.strained(ctx.as_of):
            reasons.append(f"{inst.id}: {state.party} {state.status.replace('_', ' ')} since "
                           f"{state.since} ({state.citation})")
            if state.event:
                ids.append(state.event)
    for name in item.channels:
        ch = ctx.registry.channel(name)
        found = None if ch is None else last_contact(ctx, ch)
        if ch is None or found is None:
            continue  # collecting what the conditions ask for
        chs = channel_state(ch, ctx.as_of, *found)
        if chs.status in ("suspended", "restricted"):
            reasons.append(f"channel {ch.id}: {chs.reason} ({chs.latest_fact})")
            fact = max((f for f in ch.facts if f.effective <= ctx.as_of and f.event),
                       key=lambda f: f.effective, default=None)
            if fact is not None and fact.event:
                ids.append(fact.event)
    return reasons, list(dict.fromkeys(ids))


def check_item(basket: str, item: AgendaItem, book: Playbook, ctx: EvalContext) -> ItemReport:
    """Evaluate one item's conditions and derive its status (the rules are in the module's
    docstring)."""
    base: dict[str, Any] = {"basket": basket, "id": item.id, "title": item.title,
            "issue_areas": item.issue_areas, "levers": list(item.levers)}
    instruments = [ctx.registry.instrument(n) for n in item.instruments]
    results = [evaluate(book.compiled(item, c), c.when, ctx, cond_id=c.id,
                        description=c.description) for c in item.conditions]
    if instruments and all(i is not None and i.ended(ctx.as_of) for i in instruments):
        ids = [e for i in instruments if i is not None for e in i.ending_events(ctx.as_of)]
        names = ", ".join(i.id for i in instruments if i is not None)
        return ItemReport(status="overtaken_by_events", conditions=results,
                          reason=f"{names} ended by {ctx.as_of}",
                          overtaken_by=event_refs(ctx.store, ids), **base)
    strain, strain_ids = _registry_strain(item, ctx)
    trend = _trend(item, book, ctx)
    own = [r for r, c in zip(results, item.conditions, strict=True) if not c.gates]
    decided = [r for r in own if r.result != "insufficient_evidence"]
    failing = [r.id for r in own if r.result == "not_met"]
    undecided = [r.id for r in own if r.result == "insufficient_evidence"]
    need = book.settings.on_track_decided
    if strain:
        status: ItemStatus = "deteriorating"
        reason = "registry: " + "; ".join(strain)
    elif trend.result == "met":
        status = "deteriorating"
        reason = trend.description
    elif own and not failing and len(decided) >= need * len(own) - 1e-9:
        status = "on_track"
        reason = (f"{len(decided)} of {len(own)} conditions decided, all met"
                  + (f" (undecided: {', '.join(undecided)})" if undecided else ""))
    else:
        status = "stalled"
        if failing:
            reason = "not met: " + ", ".join(failing)
        elif own and not decided:
            reason = "no condition decidable on the evidence: " + ", ".join(undecided)
        elif own:
            reason = (f"only {len(decided)} of {len(own)} conditions decided (on track needs "
                      f"{need:.0%}); undecided: {', '.join(undecided)}")
        else:
            standing = "; ".join(f"{i.id}: " + ", ".join(
                f"{p} {s.status.replace('_', ' ')}" for p in i.parties
                if (s := i.state(p, ctx.as_of)) is not None) for i in instruments if i is not None)
            reason = "the item has no conditions of its own" + (
                f"; the registry shows {standing}" if standing else "")
    return ItemReport(status=status, reason=reason, conditions=results, trend=trend,
                      strained_by=event_refs(ctx.store, strain_ids) if strain_ids else [], **base)


def check_playbook(store: Store, playbook: Playbook | str | None = None,
                   as_of: date | str | None = None, *, dataset: str | None = None,
                   registry: Registry | None = None) -> PlaybookReport:
    """Evaluate every agenda item and condition of a playbook as of a date.

    Args:
        store: the event store.
        playbook: a loaded playbook, a path, or None for the packaged default.
        as_of: the as-of date; by default the last event date of the dataset used.
        dataset: the dataset to evaluate on; by default the one with most dyad events.
        registry: the treaty and channel registry; the packaged one by default.
    """
    reg = registry or load_registry()
    book = playbook if isinstance(playbook, Playbook) else load_playbook(playbook, reg)
    ctx = make_context(store, book, reg, as_of, dataset)
    # every window the conditions ask for, in one batch of queries, then the check
    ctx.prefetch(lambda: [check_item(basket, item, book, ctx) for basket, item in book.items()])
    items = [check_item(basket, item, book, ctx) for basket, item in book.items()]
    counts = {s: sum(1 for i in items if i.status == s)
              for s in ("on_track", "deteriorating", "stalled", "overtaken_by_events")}
    return PlaybookReport(playbook=book.playbook, file=str(book.path) if book.path else None,
                          as_of=ctx.as_of, dataset=ctx.dataset, dyad=book.dyad, items=items,
                          counts=counts)
