"""The walk over a parsed condition: values, arithmetic, comparisons and three-valued
logic; the registry's treaties and channels; the window functions over the events.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from detente.errors import QueryError
from detente.policy._context import EvalContext, channel_datasets, last_contact
from detente.policy._results import Evidence, Value
from detente.policy._windows import _back, _issue_text, _request
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
from detente.policy.registry import channel_state
from detente.query.metrics import CURATED_DATASETS, QUAD_GROUPS, quad_count, quad_share

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


def _num(v: Value, term: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise QueryError(f"{term} is not a number")
    return float(v)


def _bool(v: Value, term: str) -> bool:
    if not isinstance(v, bool):
        raise QueryError(f"{term} is not true or false")
    return v
