"""Evaluate a parsed condition against the store and the registry.

Every condition comes out ``met``, ``not_met`` or ``insufficient_evidence``,
with the values it used (each with its window, dataset, event count and the
ids of the events behind it) and, when the evidence is insufficient, what
data would decide it. Missing data never turns silently into ``met`` or
``not_met``: it propagates through arithmetic and comparisons, and ``and`` /
``or`` follow three-valued (Kleene) logic.

Window aggregates are computed here with parameterized SQL over the events
table; their definitions are those of the indicators (DESIGN.md):
``share = q_k / events``, ``net_cooperation = (q1 + q2 - q3 - q4) / events``,
``index`` = Goldstein weighted by mentions where the dataset has mentions,
else the plain mean.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from detente.errors import QueryError
from detente.policy.functions import QUAD_GROUPS
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
    _coverage: dict[str, tuple[date, date] | None] = field(default_factory=dict)

    def coverage(self, dataset: str) -> tuple[date, date] | None:
        """Return the first and last event dates of ``dataset`` (None if it is empty)."""
        if dataset not in self._coverage:
            row = self.store.con.execute(
                "SELECT min(date), max(date) FROM events WHERE dataset = ?", [dataset]).fetchone()
            self._coverage[dataset] = (row[0], row[1]) if row and row[0] is not None else None
        return self._coverage[dataset]


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
                "in_force": state.status in ("in_force", "extended") and not ended}

    def channel(self, node: Call) -> Value:
        name = node.args[0]
        assert isinstance(name, String)
        return self.channel_record(name.value, self.term(node))

    def channel_record(self, name: str, term: str) -> dict[str, Any] | None:
        ch = self.ctx.registry.channel(name)
        if ch is None:
            raise QueryError(f"unknown channel {name!r}; known: "
                             f"{', '.join(c.id for c in self.ctx.registry.channels)}")
        last, event = last_contact(self.ctx, ch)
        state = channel_state(ch, self.ctx.as_of, last, event)
        self.values.append(Evidence(term=term, value=state.status, dataset=self.ctx.dataset,
                                    until=self.ctx.as_of, event_ids=[event] if event else [],
                                    note=state.reason))
        if state.days_since is None:
            self.needs.append(f"an event of channel {ch.id!r} in dataset {self.ctx.dataset} up to "
                              f"{self.ctx.as_of}")
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
        where, params = _where(direction, dataset, start, end, node)
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
        con = ctx.store.con
        if node.func == "days_since":
            row = con.execute(f"SELECT max(date) FROM events WHERE {where}", params).fetchone()
            last = row[0] if row else None
            if last is None:
                ev.note = "no matching event"
                self.values.append(ev)
                self.needs.append(f"a {dataset} event matching {term} up to {end}")
                return None
            ids = [r[0] for r in con.execute(
                f"SELECT event_id FROM events WHERE {where} AND date = ? ORDER BY event_id",
                [*params, last]).fetchall()][: ctx.max_event_ids]
            ev.value, ev.event_ids = float((ctx.as_of - last).days), ids
            ev.note = f"last matching event on {last}"
            self.values.append(ev)
            return ev.value
        row = con.execute(
            "SELECT count(*), count(*) FILTER (quad_class IN (1, 2)) - count(*) FILTER "
            "(quad_class IN (3, 4)), avg(goldstein), sum(goldstein * num_mentions) FILTER "
            "(num_mentions IS NOT NULL AND goldstein IS NOT NULL), sum(num_mentions) FILTER "
            f"(num_mentions IS NOT NULL AND goldstein IS NOT NULL) FROM events WHERE {where}",
            params).fetchone()
        assert row is not None
        n, net, gmean, gw, mentions = row
        ev.events = int(n)
        quads: tuple[int, ...] = ()
        group = node.args[0] if node.func == "share" else node.kwarg("quad")
        if isinstance(group, Name):
            quads = QUAD_GROUPS[group.value]
        elif isinstance(group, Number):
            quads = (int(group.value),)
        id_where, id_params = where, params
        if quads:
            marks = ", ".join("?" for _ in quads)
            id_where, id_params = f"{where} AND quad_class IN ({marks})", [*params, *quads]
        ev.event_ids = [r[0] for r in con.execute(
            f"SELECT event_id FROM events WHERE {id_where} ORDER BY date DESC, event_id LIMIT ?",
            [*id_params, ctx.max_event_ids]).fetchall()]
        if node.func == "count":
            if quads:
                c = con.execute(f"SELECT count(*) FROM events WHERE {id_where}", id_params).fetchone()
                ev.value = float(c[0]) if c else 0.0
            else:
                ev.value = float(n)
            self.values.append(ev)
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
            c = con.execute(f"SELECT count(*) FROM events WHERE {id_where}", id_params).fetchone()
            ev.value = (c[0] if c else 0) / n
        elif node.func == "net_cooperation":
            ev.value = net / n
        elif node.func == "goldstein" or (node.func == "index" and not mentions):
            ev.value = None if gmean is None else float(gmean)
        else:
            ev.value = float(gw) / float(mentions)
            ev.note = "weighted by mentions"
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


def _where(direction: Direction, dataset: str, start: date | None, end: date,
           node: Call) -> tuple[str, list[object]]:
    a, b = direction.source, direction.target
    if direction.pooled:
        clauses = ["((source_country = ? AND target_country = ?) OR "
                   "(source_country = ? AND target_country = ?))"]
        params: list[object] = [a, b, b, a]
    else:
        clauses, params = ["source_country = ? AND target_country = ?"], [a, b]
    clauses.append("dataset = ?")
    params.append(dataset)
    if start is not None:
        clauses.append("date >= ?")
        params.append(start)
    clauses.append("date <= ?")
    params.append(end)
    issue = node.kwarg("issue")
    if issue is not None:
        names = [i.value for i in (issue.items if isinstance(issue, ListLit) else (issue,))
                 if isinstance(i, Name)]
        clauses.append("len(list_intersect(issue_areas, ?::VARCHAR[])) > 0")
        params.append(names)
    for key, column in (("code", "event_code"), ("root", "event_root")):
        value = node.kwarg(key)
        if value is None:
            continue
        codes = [i.value for i in (value.items if isinstance(value, ListLit) else (value,))
                 if isinstance(i, String)]
        if key == "code":
            clauses.append("(" + " OR ".join("starts_with(event_code, ?)" for _ in codes) + ")")
        else:
            clauses.append(f"{column} IN (" + ", ".join("?" for _ in codes) + ")")
            codes = [c.zfill(2) for c in codes]
        params += codes
    return " AND ".join(clauses), params


def last_contact(ctx: EvalContext, channel: Any) -> tuple[date | None, str | None]:
    """Return the date and id of a channel's latest contact in the events (or None)."""
    sel = channel.select
    if sel is None:
        return None, None
    a, b = ctx.dyad
    clauses = ["((source_country = ? AND target_country = ?) OR "
               "(source_country = ? AND target_country = ?))", "dataset = ?", "date <= ?"]
    params: list[object] = [a, b, b, a, ctx.dataset, ctx.as_of]
    if sel.roles:
        marks = ", ".join("?" for _ in sel.roles)
        clauses.append(f"source_role IN ({marks}) AND target_role IN ({marks})")
        params += [*sel.roles, *sel.roles]
    if sel.issue_areas:
        clauses.append("len(list_intersect(issue_areas, ?::VARCHAR[])) > 0")
        params.append(list(sel.issue_areas))
    if sel.roots:
        clauses.append("event_root IN (" + ", ".join("?" for _ in sel.roots) + ")")
        params += list(sel.roots)
    if sel.search:
        clauses.append("(" + " OR ".join("contains(lower(coalesce(text, '')), ?)"
                                          for _ in sel.search) + ")")
        params += [s.lower() for s in sel.search]
    row = ctx.store.con.execute(
        f"SELECT date, event_id FROM events WHERE {' AND '.join(clauses)} "
        "ORDER BY date DESC, event_id LIMIT 1", params).fetchone()
    return (row[0], row[1]) if row else (None, None)


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
    needs = list(dict.fromkeys(ev.needs)) if outcome == "insufficient_evidence" else []
    return ConditionResult(id=cond_id, description=description, expr=text, result=outcome,
                           values=ev.values, needs=needs)

