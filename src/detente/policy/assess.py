"""Assess a proposed move against the playbook's principles, conditions and the record.

Findings, with their rules:

* **Principle 1 (NATO commitment)** is strained when an offer puts deterrence
  on the table (lever ``deterrence`` or issue ``nato_deterrence``); supported
  when the proposal uses deterrence without offering it.
* **Principle 2 (European norms)** is strained when the proposal accepts a
  border changed by force or limits a state's choice of alliance
  (``changes_borders_or_alliances: true``).
* **Principle 3 (Ukraine)**, or whichever principle a gating condition names,
  is strained when an offer uses a lever whose gating condition (``gates:``
  in the playbook) is ``not_met`` and the proposal does not ask, verifiably,
  for the change the condition is about; or is ``insufficient_evidence`` while
  the proposal asks for nothing on the condition's issue areas in return; it
  is also strained by an offer that cuts aid to Ukraine. It is supported when
  the proposal asks for a change in Ukraine, and when an offer on a gated
  lever comes only in exchange for a verifiable change in the conduct the
  gate is about (an ask with ``verified_by`` on the item's issue areas other
  than the offer's own, or naming the condition in ``meets``): such an offer is
  credited and the verdict is ``consistent_with_conditions``, naming the
  condition.
* **Principle 4 (neighbours)** is strained when third countries it concerns
  are not among those consulted (decided over their heads); supported when
  all are consulted.
* **Grand bargain**: a proposal bundling more issue areas than
  ``grand_bargain_limit`` goes against the essay's incrementalism.

Verdict: ``inconsistent`` if any principle is strained or it is a grand
bargain; else ``consistent_with_conditions`` if a gating condition it relies
on is not yet decided by the evidence; else ``consistent``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from detente.errors import DetenteError
from detente.policy._evaluation import ConditionResult, EvalContext, shift_months
from detente.policy._yaml import PolicyFileError, load_located, validate
from detente.policy.playbook import Lever, Playbook, _issue_list, load_playbook
from detente.policy.registry import Registry, load_registry
from detente.policy.status import check_item, make_context
from detente.query import Direction as Way
from detente.query import Dyad, MetricRequest
from detente.store import Store

__all__ = ["AllyRecord", "Assessment", "PrincipleFinding", "Proposal", "assess_proposal",
           "load_proposal"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Model):
    """Something offered or asked.

    An ask may say how the other side's compliance is verified (``verified_by``)
    and which playbook conditions the change it asks for would meet (``meets``,
    condition ids; by default any gating condition of an item on the ask's issue
    areas)."""

    text: str
    lever: Lever | None = None
    issue_areas: list[str] = Field(default_factory=list)
    cuts_aid_to: list[str] = Field(default_factory=list)
    verified_by: str | None = None
    meets: list[str] = Field(default_factory=list)

    _check_issues = field_validator("issue_areas")(_issue_list)


class Proposal(_Model):
    """A proposed move."""

    title: str
    summary: str = ""
    mover: str = "USA"
    counterpart: str = "RUS"
    direction: Literal["give", "ask", "exchange"]
    levers: list[Lever]
    issue_areas: list[str]
    offers: list[Term] = Field(default_factory=list)
    asks: list[Term] = Field(default_factory=list)
    concerns: list[str] = Field(default_factory=list)
    consulted: list[str] = Field(default_factory=list)
    changes_borders_or_alliances: bool = False

    _check_issues = field_validator("issue_areas")(_issue_list)

    def all_issue_areas(self) -> list[str]:
        """Return every issue area the proposal touches, in order of first mention."""
        seen = [*self.issue_areas, *(i for t in (*self.offers, *self.asks) for i in t.issue_areas)]
        return list(dict.fromkeys(seen))


class PrincipleFinding(_Model):
    """How a proposal bears on one principle (or on the stance against grand bargains)."""

    principle: int | None
    name: str
    effect: Literal["supports", "strains"]
    reason: str


class AllyRecord(BaseModel):
    """Recent relations of one concerned country: with Russia (its side) and the mover."""

    country: str
    direction: str
    since: date
    until: date
    events: int
    net_cooperation: float | None
    material_conflict_share: float | None
    previous_net_cooperation: float | None
    event_ids: list[str]
    note: str | None = None


class Assessment(BaseModel):
    """The result of ``detente assess``."""

    proposal: str
    file: str
    as_of: date
    dataset: str
    issue_areas: list[str]
    findings: list[PrincipleFinding]
    conditions: list[ConditionResult]
    expected_response: dict[str, Any]
    allies: list[AllyRecord]
    verdict: Literal["consistent", "consistent_with_conditions", "inconsistent"]
    reasons: list[str]


def load_proposal(path: str | Path) -> Proposal:
    """Read and validate a proposal file.

    Raises:
        PolicyFileError: ``file:line: what is wrong``.
    """
    located = load_located(path, "proposal")
    proposal = validate(Proposal, located)
    for key in ("concerns", "consulted"):
        for i, code in enumerate(getattr(proposal, key)):
            if not (len(code) == 3 and code.isalpha() and code.isupper()):
                raise located.error((key, i), f"{key}: {code!r} is not a three-letter country code")
    from detente.ontology import countries

    known = countries()
    for key in ("mover", "counterpart"):
        code = getattr(proposal, key)
        if code not in known:
            hint = f" (country codes are upper case: {code.upper()})" if code.upper() in known else ""
            raise located.error((key,), f"{key}: {code!r} is not a CAMEO country code{hint}")
    if proposal.mover == proposal.counterpart:
        raise located.error(("counterpart",), f"counterpart: {proposal.counterpart!r} is the mover "
                                              "itself; a move is between two countries")
    return proposal


def _principle(book: Playbook, pid: int) -> str:
    return next((p.name for p in book.principles if p.id == pid), f"principle_{pid}")


def _findings(proposal: Proposal, book: Playbook, gates: list[tuple[Any, ConditionResult]]
              ) -> tuple[list[PrincipleFinding], list[str]]:
    out: list[PrincipleFinding] = []
    pending: list[str] = []

    def add(pid: int | None, effect: Literal["supports", "strains"], reason: str,
            name: str | None = None) -> None:
        out.append(PrincipleFinding(principle=pid, name=name or _principle(book, pid or 0),
                                    effect=effect, reason=reason))

    deterrence_offers = [t for t in proposal.offers
                         if t.lever == "deterrence" or "nato_deterrence" in t.issue_areas]
    if deterrence_offers:
        add(1, "strains", "offers the allies' deterrence as a concession: "
            + "; ".join(t.text for t in deterrence_offers))
    elif "deterrence" in proposal.levers:
        add(1, "supports", "uses deterrence without putting it on the table")
    if proposal.changes_borders_or_alliances:
        add(2, "strains", "accepts a border changed by force or limits a state's choice of alliance, "
            "against the Helsinki Final Act and the Charter of Paris")
    asked_issues = {i for t in proposal.asks for i in t.issue_areas}
    for term in proposal.offers:
        if term.lever is None:
            continue
        for cond, result in gates:
            if term.lever not in cond.gates or result.result == "met":
                continue
            pid = cond.principle or 3
            item_issues = set(cond_issues(book, cond))
            # the behaviour the lever answers: the item's issues other than the offer's own
            behaviour = item_issues - set(term.issue_areas) or item_issues
            asked = [a for a in proposal.asks if cond.id in a.meets
                     or (not a.meets and behaviour & set(a.issue_areas))]
            verified = [a for a in asked if a.verified_by]
            state = "not met" if result.result == "not_met" else "not decided by the evidence"
            if verified:
                terms = "; ".join(f"{a.text} (verified by {a.verified_by})" for a in verified)
                add(pid, "supports", f"offers {term.lever} ({term.text}) only in exchange for a "
                    f"verifiable change in the conduct condition {cond.id} is about: {terms}")
                pending.append(f"{cond.id} is {state}: the offer ({term.text}) is conditional on "
                               f"{terms}, and stands once the verified change meets {cond.id} "
                               f"({cond.description})")
            elif result.result == "not_met":
                unverified = (f"; it asks {'; '.join(a.text for a in asked)} in return but says "
                              "not how it is verified") if asked else ""
                add(pid, "strains", f"offers {term.lever} ({term.text}) although condition "
                    f"{cond.id} is not met: {cond.description}{unverified}")
            elif asked:
                pending.append(f"{cond.id} is not decided by the evidence; the offer "
                               f"({term.text}) must wait until it is met")
            else:
                add(pid, "strains", f"offers {term.lever} ({term.text}) with no evidence that "
                    f"{cond.id} holds ({cond.description}) and asks nothing in return on "
                    f"{', '.join(sorted(behaviour))}")
    aid_cuts = [t for t in proposal.offers if "UKR" in t.cuts_aid_to]
    if aid_cuts:
        add(3, "strains", "cuts aid to Ukraine: " + "; ".join(t.text for t in aid_cuts))
    if "ukraine" in asked_issues and not any(f.principle == 3 and f.effect == "strains" for f in out):
        add(3, "supports", "asks Russia for a change in Ukraine: "
            + "; ".join(t.text for t in proposal.asks if "ukraine" in t.issue_areas))
    over_heads = [c for c in proposal.concerns if c not in proposal.consulted]
    if over_heads:
        add(4, "strains", f"concerns {', '.join(over_heads)} without them being consulted: "
            "decided over the heads of Russia's neighbours")
    elif proposal.concerns:
        add(4, "supports", f"the countries it concerns ({', '.join(proposal.concerns)}) are consulted")
    areas = proposal.all_issue_areas()
    limit = book.settings.grand_bargain_limit
    if len(areas) > limit:
        add(None, "strains", f"bundles {len(areas)} issue areas ({', '.join(areas)}), more than "
            f"the limit of {limit}: a grand bargain, against incremental progress topic by topic",
            name="no_grand_bargain")
    return out, pending


def cond_issues(book: Playbook, cond: Any) -> list[str]:
    """Return the issue areas of the item a condition belongs to."""
    for _, item in book.items():
        if cond in item.conditions:
            return item.issue_areas
    return []


ResponseModel = Callable[..., Mapping[str, Any]]


def _expected_response(store: Store, proposal: Proposal, ctx: EvalContext,
                       model: ResponseModel | None) -> dict[str, Any]:
    issue = proposal.issue_areas[0] if proposal.issue_areas else None
    try:
        if model is None:
            from detente.analysis import expected_response

            model = expected_response
        result = model(store, mover=proposal.mover, responder=proposal.counterpart,
                       issue=issue, as_of=ctx.as_of, dataset=ctx.dataset)
    except ImportError as exc:
        return {"status": "insufficient_evidence",
                "reason": f"not enough evidence: the reciprocity model is not available ({exc})"}
    except DetenteError as exc:
        return {"status": "insufficient_evidence", "reason": f"not enough evidence: {exc}"}
    return dict(result)


def _allies(store: Store, proposal: Proposal, ctx: EvalContext, months: int) -> list[AllyRecord]:
    until = ctx.as_of
    since = shift_months(until, months) + timedelta(days=1)
    prev_until = shift_months(until, months)
    prev_since = shift_months(prev_until, months) + timedelta(days=1)
    asked: list[tuple[str, Dyad | Way, MetricRequest, MetricRequest]] = []
    for country in proposal.concerns:
        for a, b, pooled in ((proposal.counterpart, country, False), (proposal.mover, country, True)):
            if country == a:
                continue
            who: Dyad | Way = Dyad(a, b) if pooled else Way(a, b)
            asked.append((country, who, MetricRequest.of(who, ctx.dataset, since, until),
                          MetricRequest.of(who, ctx.dataset, prev_since, prev_until)))
    # every window of every ally in one batch
    found = store.queries.measure([r for _, _, now, prev in asked for r in (now, prev)],
                                  ctx.max_event_ids)
    out: list[AllyRecord] = []
    for country, who, now, prev in asked:
        m, p = found[now].metrics, found[prev].metrics
        n = int(m["events"])
        enough = n >= ctx.min_events
        out.append(AllyRecord(
            country=country, direction=who.label, since=since, until=until, events=n,
            net_cooperation=m["net_cooperation"] if enough else None,
            material_conflict_share=m["material_conflict_share"] if enough else None,
            previous_net_cooperation=p["net_cooperation"] if p["events"] >= ctx.min_events
            else None,
            event_ids=found[now].event_ids,
            note=None if enough else f"insufficient evidence: {n} events, "
                                     f"{ctx.min_events} needed"))
    return out


def assess_proposal(store: Store, proposal_path: str | Path, playbook: Playbook | str | None = None,
                    as_of: date | str | None = None, *, dataset: str | None = None,
                    registry: Registry | None = None,
                    response_model: ResponseModel | None = None) -> Assessment:
    """Assess a proposal file against a playbook (the packaged default by default).

    Args:
        store: the event store.
        proposal_path: the proposal file.
        playbook: a loaded playbook, a path, or None for the packaged default.
        as_of: the as-of date; by default the last event date of the dataset used.
        dataset: the dataset to evaluate on; by default the one with most dyad events.
        registry: the treaty and channel registry; the packaged one by default.
        response_model: the function giving Russia's expected answer; by default
            ``detente.analysis.expected_response`` (same keywords and result).

    Raises:
        PolicyFileError: the proposal or playbook is not valid (with file and line).
    """
    proposal = load_proposal(proposal_path)
    reg = registry or load_registry()
    book = playbook if isinstance(playbook, Playbook) else load_playbook(playbook, reg)
    known = {c.id for _, item in book.items() for c in item.conditions}
    for ask in proposal.asks:
        unknown = [m for m in ask.meets if m not in known]
        if unknown:
            raise PolicyFileError(Path(proposal_path), None,
                                  f"ask {ask.text!r} meets unknown condition(s) "
                                  f"{', '.join(unknown)}; the playbook's conditions: "
                                  f"{', '.join(sorted(known))}")
    ctx = make_context(store, book, reg, as_of, dataset)
    levers, issues = set(proposal.levers), set(proposal.all_issue_areas())
    offered = {t.lever for t in proposal.offers if t.lever}
    results: list[ConditionResult] = []
    gates: list[tuple[Any, ConditionResult]] = []
    chosen = []
    for basket, item in book.items():
        related = levers & set(item.levers) or issues & set(item.issue_areas)
        gating = [c for c in item.conditions if offered & set(c.gates)]
        if related or gating:
            chosen.append((basket, item, gating))
    # every window of the items' conditions in one batch, then the items
    ctx.prefetch(lambda: [check_item(basket, item, book, ctx) for basket, item, _ in chosen])
    for basket, item, gating in chosen:
        report = check_item(basket, item, book, ctx)
        for cond, res in zip(item.conditions, report.conditions, strict=True):
            res = res.model_copy(update={"id": f"{item.id}.{cond.id}"})
            results.append(res)
            if cond in gating:
                gates.append((cond, res))
    findings, pending = _findings(proposal, book, gates)
    reasons = [f"strains {f.name}: {f.reason}" for f in findings if f.effect == "strains"]
    if reasons:
        verdict: Literal["consistent", "consistent_with_conditions", "inconsistent"] = "inconsistent"
    elif pending:
        verdict, reasons = "consistent_with_conditions", pending
    else:
        verdict = "consistent"
        reasons = ["strains no principle, stays within the issue limit, and every condition "
                   "gating its offers is met" if gates else
                   "strains no principle, stays within the issue limit, and offers nothing a "
                   "playbook condition gates"]
    return Assessment(
        proposal=proposal.title, file=str(proposal_path), as_of=ctx.as_of, dataset=ctx.dataset,
        issue_areas=proposal.all_issue_areas(), findings=findings, conditions=results,
        expected_response=_expected_response(store, proposal, ctx, response_model),
        allies=_allies(store, proposal, ctx, book.settings.allies_months),
        verdict=verdict, reasons=reasons)

