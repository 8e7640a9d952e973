"""Evaluate a parsed condition against the store and the registry.

Every condition comes out ``met``, ``not_met`` or ``insufficient_evidence``,
with the values it used (each with its window, dataset, event count and the
ids of the events behind it) and, when the evidence is insufficient, what
data would decide it. Missing data never turns silently into ``met`` or
``not_met``: it propagates through arithmetic and comparisons, and ``and`` /
``or`` follow three-valued (Kleene) logic.

Window aggregates are asked of the query layer (:meth:`Queries.measure`), many
windows in one query, and their metrics are those of
:mod:`detente.query.metrics`, the same definitions the indicators use:
``share = q_k / events``, ``net_cooperation = (q1 + q2 - q3 - q4) / events``,
``goldstein`` = the mean Goldstein score, ``index`` = the relationship index
(Goldstein weighted by mentions where the dataset counts them, else the plain mean).
A check evaluates its conditions twice: once to collect every window they ask for
(:meth:`EvalContext.prefetch`), then, with the answers of one batch at hand, for real.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from detente.errors import QueryError
from detente.policy.grammar import (
    Attr,
    BinOp,
    Boolean,
    BoolOp,
    Call,
    Compare,
    DateLit,
    Direction,
    Duration,
    ListLit,
    Name,
    Neg,
    Node,
    Not,
    Number,
    Param,
    String,
)
from detente.policy.registry import Registry, channel_state
from detente.query import ChannelRequest, Dyad, MetricRequest, MetricResult, Selection
from detente.query import Direction as Way
from detente.query.metrics import (
    CURATED_DATASETS,
    QUAD_GROUPS,
    UNTAGGED_LIMIT,
    quad_count,
    quad_share,
)
from detente.store import Store

__all__ = ["ConditionResult", "EvalContext", "Evidence", "Outcome", "evaluate", "shift_months"]

Outcome = Literal["met", "not_met", "insufficient_evidence"]
Value = float | str | bool | date | dict[str, Any] | None


class Evidence(BaseModel):
    """One value a condition used, and where it came from."""

    term: str
    value: float | str | bool | date | None
    dataset: str | None = None
    direction: str | None = None
    since: date | None = None
    until: date | None = None
    events: int | None = None
    event_ids: list[str] = Field(default_factory=list)
    note: str | None = None
    untagged_share: float | None = None
    """For a window on issue areas: the share of the window's events whose issue area
    cannot be told (no tag, or no text to tell from)."""


class ConditionResult(BaseModel):
    """The outcome of one condition with its evidence."""

    id: str
    description: str = ""
    expr: str
    result: Outcome
    values: list[Evidence] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)


@dataclass
class EvalContext:
    """What a condition is evaluated against."""

    store: Store
    registry: Registry
    as_of: date
    dataset: str
    params: dict[str, float] = field(default_factory=dict)
    dyad: tuple[str, str] = ("USA", "RUS")
    min_events: int = 5
    max_event_ids: int = 10
    #: the datasets channels read (every dataset of the selection; ``dataset`` alone when empty)
    channel_datasets: tuple[str, ...] = ()
    #: above this share of events whose issue area cannot be told, a window on issue areas
    #: cannot show that something did not happen (``not_met`` becomes insufficient)
    untagged_limit: float = UNTAGGED_LIMIT
    _results: dict[MetricRequest, MetricResult] = field(default_factory=dict)
    _contacts: dict[ChannelRequest, tuple[date | None, str | None]] = field(default_factory=dict)
    _untagged: dict[MetricRequest, tuple[int, int]] = field(default_factory=dict)
    _wanted: tuple[set[MetricRequest], set[ChannelRequest], set[MetricRequest]] | None = None

    def coverage(self, dataset: str) -> tuple[date, date] | None:
        """Return the first and last event dates of ``dataset`` (None if it is empty)."""
        return self.store.queries.span(dataset)

    def file_coverage(self, dataset: str, first: date, last: date) -> str:
        """Return whether ``dataset``'s files cover the days ``first`` … ``last``:
        ``complete``, ``partial`` or ``missing`` (``curated`` for the chronology); see
        :func:`detente.series.window_coverage` (the reporting lag after ``last`` is not
        waited for: a condition is read as of its last day)."""
        from detente.series import window_coverage

        return window_coverage(self.store, dataset, first, last, lag=0)

    @property
    def collecting(self) -> bool:
        """Whether the conditions are being walked only to collect what they ask for."""
        return self._wanted is not None

    @contextmanager
    def _collect(self) -> Iterator[None]:
        self._wanted = (set(), set(), set())
        try:
            yield
        finally:
            wanted, self._wanted = self._wanted, None
            metrics = [r for r in wanted[0] if r not in self._results]
            contacts = [r for r in wanted[1] if r not in self._contacts]
            q = self.store.queries
            self._results.update(q.measure(metrics, self.max_event_ids))
            self._contacts.update(q.last_contacts(contacts))
            self._fetch_untagged([r for r in wanted[2] if r not in self._untagged])

    def _fetch_untagged(self, requests: list[MetricRequest]) -> None:
        if not requests:
            return
        keys = {r: (_untagged_selection(r), r.issue_areas) for r in requests}
        got = self.store.queries.untagged_many(list(keys.values()))
        self._untagged.update({r: got[k] for r, k in keys.items()})

    def untagged(self, request: MetricRequest) -> tuple[int, int] | None:
        """Return how many of ``request``'s window's events (whatever their issue area)
        cannot be told to belong to its issue areas, and how many there are; ``None``
        while collecting."""
        if self._wanted is not None:
            self._wanted[2].add(request)
            return None
        if request not in self._untagged:
            self._fetch_untagged([request])
        return self._untagged[request]

    def prefetch(self, run: Callable[[], object]) -> None:
        """Call ``run`` (which evaluates conditions) once to collect the windows and
        channels its conditions ask for, then fetch them all in one batch; the
        evaluations that follow read the answers. An error in the collecting pass is
        left for the real one to raise."""
        with self._collect(), suppress(QueryError):
            run()

    def measure(self, request: MetricRequest) -> MetricResult | None:
        """Return the answer to ``request`` (fetched now unless prefetched); ``None``
        while collecting."""
        if self._wanted is not None:
            self._wanted[0].add(request)
            return None
        if request not in self._results:
            self._results.update(self.store.queries.measure([request], self.max_event_ids))
        return self._results[request]

    def last_contact(self, request: ChannelRequest) -> tuple[date | None, str | None] | None:
        """Return a channel's latest event ``(date, id)``; ``None`` while collecting."""
        if self._wanted is not None:
            self._wanted[1].add(request)
            return None
        if request not in self._contacts:
            self._contacts.update(self.store.queries.last_contacts([request]))
        return self._contacts[request]


def shift_months(day: date, months: int) -> date:
    """Return ``day`` moved back by ``months`` months (clamped to the month's end)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + timedelta(days=day.day - 1),
               nxt - timedelta(days=1))


def _back(day: date, d: Duration) -> date:
    if d.unit == "d":
        return day - timedelta(days=d.amount)
    if d.unit == "w":
        return day - timedelta(weeks=d.amount)
    return shift_months(day, d.amount * (12 if d.unit == "y" else 1))


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
}


class _Evaluator:
    def __init__(self, text: str, ctx: EvalContext) -> None:
        self.text = text
        self.ctx = ctx
        self.values: list[Evidence] = []
        self.needs: list[str] = []
        # windows whose events' issue area mostly cannot be told: they cannot show an
        # absence (``not_met`` becomes insufficient)
        self.untold: list[str] = []

    def term(self, node: Node) -> str:
        return self.text[node.start:node.end]

    # -- tree walk --------------------------------------------------------------
    def eval(self, node: Node) -> Value:
        if isinstance(node, Number | String | Boolean):
            return node.value
        if isinstance(node, Name):
            return node.value
        if isinstance(node, DateLit):
            return node.value
        if isinstance(node, Param):
            if node.name not in self.ctx.params:
                raise QueryError(f"unknown parameter ${node.name}")
            return float(self.ctx.params[node.name])
        if isinstance(node, Neg):
            v = self.eval(node.operand)
            return None if v is None else -_num(v, self.term(node))
        if isinstance(node, BinOp):
            a, b = self.eval(node.left), self.eval(node.right)
            if a is None or b is None:
                return None
            x, y = _num(a, self.term(node.left)), _num(b, self.term(node.right))
            if node.op == "/" and y == 0:
                self.needs.append(f"{self.term(node.right)} is 0, so {self.term(node)} is undefined")
                return None
            return _ARITH[node.op](x, y)
        if isinstance(node, Compare):
            a, b = self.eval(node.left), self.eval(node.right)
            if a is None or b is None:
                return None
            try:
                return bool(_CMP[node.op](a, b))
            except TypeError:
                raise QueryError(f"cannot compare {self.term(node.left)} with "
                                 f"{self.term(node.right)}") from None
        if isinstance(node, Not):
            v = self.eval(node.operand)
            return None if v is None else not _bool(v, self.term(node.operand))
        if isinstance(node, BoolOp):
            vals = [self.eval(o) for o in node.operands]
            bools = [None if v is None else _bool(v, self.term(o)) for v, o in zip(vals, node.operands,
                                                                                  strict=True)]
            decisive = node.op == "or"  # True decides 'or', False decides 'and'
            if decisive in bools:
                return decisive
            return None if None in bools else not decisive
        if isinstance(node, Attr):
            rec = self.eval(node.value)
            if rec is None:
                return None
            if not isinstance(rec, dict) or node.name not in rec:
                raise QueryError(f"{self.term(node.value)} has no field {node.name!r}")
            return rec[node.name]  # type: ignore[no-any-return]
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, ListLit | Direction | Duration):
            raise QueryError(f"{self.term(node)} is not a value on its own")
        raise QueryError(f"cannot evaluate {self.term(node)}")

    # -- functions --------------------------------------------------------------
    def call(self, node: Call) -> Value:
        if node.func == "treaty":
            return self.treaty(node)
        if node.func == "channel":
            return self.channel(node)
        if node.func == "days_since" and node.kwarg("channel") is not None:
            ch = node.kwarg("channel")
            assert isinstance(ch, String)
            rec = self.channel_record(ch.value, self.term(node))
            days = None if rec is None else rec["days_since"]
            if days is not None:
                self.values[-1].value = float(days)
            return days
        return self.aggregate(node)

    def treaty(self, node: Call) -> Value:
        name = node.args[0]
        party = node.kwarg("party")
        assert isinstance(name, String) and isinstance(party, Name)
        inst = self.ctx.registry.instrument(name.value)
        if inst is None:
            raise QueryError(f"unknown treaty {name.value!r}; known: "
                             f"{', '.join(i.id for i in self.ctx.registry.instruments)}")
        state = inst.state(party.value, self.ctx.as_of)
        if state is None:
            self.needs.append(f"a status for {party.value} under {inst.id} by {self.ctx.as_of} in "
                              "the registry")
            self.values.append(Evidence(term=self.term(node), value=None,
                                        note=f"no status for {party.value} yet"))
            return None
        ended = inst.ended(self.ctx.as_of)
        self.values.append(Evidence(term=self.term(node), value=state.status, since=state.since,
                                    event_ids=[state.event] if state.event else [],
                                    note=state.citation))
        return {"status": state.status, "since": state.since, "ended": ended,
                "in_force": inst.binds(party.value, self.ctx.as_of)}

    def channel(self, node: Call) -> Value:
        name = node.args[0]
        assert isinstance(name, String)
        return self.channel_record(name.value, self.term(node))

    def channel_record(self, name: str, term: str) -> dict[str, Any] | None:
        ch = self.ctx.registry.channel(name)
        if ch is None:
            raise QueryError(f"unknown channel {name!r}; known: "
                             f"{', '.join(c.id for c in self.ctx.registry.channels)}")
        found = last_contact(self.ctx, ch)
        if found is None:
            return None  # collecting
        last, event = found
        state = channel_state(ch, self.ctx.as_of, last, event)
        datasets = ", ".join(channel_datasets(self.ctx))
        self.values.append(Evidence(term=term, value=state.status, dataset=datasets,
                                    until=self.ctx.as_of, event_ids=[event] if event else [],
                                    note=state.reason))
        if state.days_since is None:
            self.needs.append(f"an event of channel {ch.id!r} in {datasets} up to {self.ctx.as_of}")
        return {"status": state.status, "days_since": state.days_since,
                "last_contact": state.last_contact} if state.days_since is not None or \
            state.status != "no_evidence" else None

    def window(self, node: Call) -> tuple[date | None, date]:
        as_of = self.ctx.as_of
        last, lag = node.kwarg("last"), node.kwarg("lag")
        since, until = node.kwarg("since"), node.kwarg("until")
        end = as_of
        if isinstance(until, DateLit):
            end = min(until.last_day(), as_of)
        if isinstance(lag, Duration):
            end = _back(end, lag)
        start: date | None = None
        if isinstance(last, Duration):
            start = _back(end, last) + timedelta(days=1)
        elif isinstance(since, DateLit):
            start = since.value
        if start is not None and start > end:
            raise QueryError(f"{self.term(node)}: the window starts ({start}) after it ends ({end})")
        return start, end

    def aggregate(self, node: Call) -> Value:
        ctx = self.ctx
        direction = node.args[-1] if node.args else None
        assert isinstance(direction, Direction)
        ds_node = node.kwarg("dataset")
        dataset = ds_node.value if isinstance(ds_node, Name | String) else ctx.dataset
        start, end = self.window(node)
        term = self.term(node)
        ev = Evidence(term=term, value=None, dataset=dataset, direction=direction.label(),
                      since=start, until=end)
        cover = ctx.coverage(dataset)
        if cover is None or (start is not None and start < cover[0]) or end < cover[0]:
            span = f"{cover[0]} to {cover[1]}" if cover else "no events"
            ev.note = f"dataset {dataset} covers {span}"
            self.values.append(ev)
            self.needs.append(f"{dataset} events for {direction.label()} covering "
                              f"{start or 'the start'} to {end} (the dataset covers {span})")
            return None
        if dataset not in CURATED_DATASETS:
            # the files' own days: a window no file covers is missing, not empty (late
            # reports after its end are not waited for; a window the files cover in part
            # is read, and its value says so)
            files = ctx.file_coverage(dataset, start or cover[0], end)
            if files == "missing":
                ev.note = f"no {dataset} file covers {start or cover[0]} to {end}"
                self.values.append(ev)
                self.needs.append(f"{dataset} files covering {start or cover[0]} to {end} "
                                  "(none does: the window is missing, not empty)")
                return None
            if files == "partial":  # still read, and said
                ev.note = (f"the {dataset} files cover only part of {start or cover[0]} to "
                           f"{end}: a lower bound")
        quads: tuple[int, ...] = ()
        group = node.args[0] if node.func == "share" else node.kwarg("quad")
        if isinstance(group, Name):
            quads = QUAD_GROUPS[group.value]
        elif isinstance(group, Number):
            quads = (int(group.value),)
        request = _request(direction, dataset, start, end, node, quads)
        found = ctx.measure(request)
        if request.issue_areas and dataset not in CURATED_DATASETS:
            told = ctx.untagged(request)
            if told is not None and told[1]:
                ev.untagged_share = told[0] / told[1]
                if ev.untagged_share > ctx.untagged_limit:
                    self.untold.append(
                        f"{term}: the issue area of {told[0]} of the {told[1]} {dataset} events "
                        f"of {direction.label()} in the window ({ev.untagged_share:.0%}) cannot "
                        f"be told (above {ctx.untagged_limit:.0%}), so a low count there does "
                        "not show that nothing happened")
        if found is None:
            return None  # collecting the windows asked for
        m = found.metrics
        if node.func == "days_since":
            last = found.last_date
            if last is None:
                ev.note = "no matching event"
                self.values.append(ev)
                self.needs.append(f"a {dataset} event matching {term} up to {end}")
                return None
            ev.value, ev.event_ids = float((ctx.as_of - last).days), list(found.last_ids)
            ev.note = f"last matching event on {last}"
            self.values.append(ev)
            return ev.value
        n = int(m["events"])
        ev.events = n
        ev.event_ids = list(found.event_ids)
        if node.func == "count":
            ev.value = float(quad_count(m, quads) if quads else n)
            self.values.append(ev)
            if ev.value == 0 and dataset in CURATED_DATASETS:
                # a hand-picked chronology's silence is not a quiet period
                ev.note = (f"0 events in the hand-picked {dataset} chronology: its silence is "
                           "not evidence that nothing happened")
                self.needs.append(f"{term} is 0 in the hand-picked {dataset} chronology, which "
                                  "decides nothing; a machine-coded dataset covering "
                                  f"{start or 'the start'} to {end} would")
                return None
            return ev.value
        me_node = node.kwarg("min_events")
        minimum = int(self.eval(me_node)) if me_node is not None else ctx.min_events  # type: ignore[arg-type]
        if n < max(minimum, 1):
            ev.note = f"{n} events, fewer than the {minimum} needed"
            self.values.append(ev)
            self.needs.append(f"at least {minimum} {dataset} events for {direction.label()}"
                              f"{_issue_text(node)} between {start or 'the start'} and {end} "
                              f"(found {n})")
            return None
        if node.func == "share":
            ev.value = quad_share(m, quads)
        elif node.func == "net_cooperation":
            ev.value = m["net_cooperation"]
        elif node.func == "goldstein":
            ev.value = m["goldstein_mean"]
        else:
            ev.value = m["relationship_index"]
            ev.note = "weighted by mentions where the dataset counts them"
        if ev.value is None:
            self.needs.append(f"Goldstein scores for {term}")
        self.values.append(ev)
        return ev.value


def _issue_text(node: Call) -> str:
    issue = node.kwarg("issue")
    if issue is None:
        return ""
    names = [i.value for i in (issue.items if isinstance(issue, ListLit) else (issue,))
             if isinstance(i, Name)]
    return " on " + "/".join(names)


def _names(node: Node | None, kind: type) -> tuple[str, ...]:
    if node is None:
        return ()
    items = node.items if isinstance(node, ListLit) else (node,)
    return tuple(str(getattr(i, "value", "")) for i in items if isinstance(i, kind))


def _request(direction: Direction, dataset: str, start: date | None, end: date, node: Call,
             quads: tuple[int, ...]) -> MetricRequest:
    who: Dyad | Way = (Dyad(direction.source, direction.target) if direction.pooled
                       else Way(direction.source, direction.target))
    return MetricRequest.of(who, dataset, start, end,
                            issue_areas=_names(node.kwarg("issue"), Name),
                            codes=_names(node.kwarg("code"), String),
                            roots=_names(node.kwarg("root"), String), quads=quads)


def _untagged_selection(r: MetricRequest) -> Selection:
    """The events of ``r``'s window whatever their issue area."""
    return Selection(dyad=(r.source, r.target) if r.pooled else None,
                     source=None if r.pooled else r.source, target=None if r.pooled else r.target,
                     since=r.since, until=r.until, codes=r.codes, roots=r.roots,
                     datasets=(r.dataset,))


def channel_datasets(ctx: EvalContext) -> tuple[str, ...]:
    """Return the datasets a channel's contacts are read from: every dataset of the
    selection (curated events count), else the context's dataset."""
    return ctx.channel_datasets or (ctx.dataset,)


def last_contact(ctx: EvalContext, channel: Any) -> tuple[date | None, str | None] | None:
    """Return the date and id of a channel's latest contact in the events (or ``None, None``);
    ``None`` while the context is collecting what conditions ask for.

    Contacts are read from every dataset of the selection (:func:`channel_datasets`):
    whether two sides talked is a fact any source can show, so, unlike counts and
    shares, the datasets are pooled here."""
    sel = channel.select
    if sel is None:
        return None, None
    a, b = ctx.dyad
    return ctx.last_contact(ChannelRequest(
        a, b, channel_datasets(ctx), ctx.as_of, roles=tuple(sel.roles or ()),
        issue_areas=tuple(sel.issue_areas or ()), roots=tuple(sel.roots or ()),
        codes=tuple(sel.codes or ()), search=tuple(sel.search or ())))


def _num(v: Value, term: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise QueryError(f"{term} is not a number")
    return float(v)


def _bool(v: Value, term: str) -> bool:
    if not isinstance(v, bool):
        raise QueryError(f"{term} is not true or false")
    return v


def evaluate(node: Node, text: str, ctx: EvalContext, *, cond_id: str = "",
             description: str = "") -> ConditionResult:
    """Evaluate a parsed condition.

    Raises:
        QueryError: the condition is well formed but cannot be evaluated
            (e.g. compares a status with a number, names an unknown treaty).
    """
    ev = _Evaluator(text, ctx)
    value = ev.eval(node)
    if value is None:
        outcome: Outcome = "insufficient_evidence"
    else:
        outcome = "met" if _bool(value, text) else "not_met"
    if outcome == "not_met" and ev.untold:
        # a window whose events' issue mostly cannot be told cannot show that something
        # did not happen: not met is not shown
        outcome = "insufficient_evidence"
        ev.needs.extend(ev.untold)
    needs = list(dict.fromkeys(ev.needs)) if outcome == "insufficient_evidence" else []
    return ConditionResult(id=cond_id, description=description, expr=text, result=outcome,
                           values=ev.values, needs=needs)

