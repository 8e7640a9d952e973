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

The parts: the outcome and its evidence (``_results``), the context and its batched
fetching (``_context``), the windows (``_windows``) and the walk itself (``_evaluator``).
"""

from __future__ import annotations

from detente.policy._context import EvalContext, channel_datasets, last_contact
from detente.policy._evaluator import _bool, _Evaluator
from detente.policy._results import ConditionResult, Evidence, Outcome
from detente.policy._results import Value as Value  # importable from here, as before
from detente.policy._windows import shift_months
from detente.policy.grammar import Node

__all__ = ["ConditionResult", "EvalContext", "Evidence", "Outcome", "channel_datasets", "evaluate",
           "last_contact", "shift_months"]


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
