"""Commands `playbook check|show`, `assess`, `treaties`, `channels`, `registry` over detente.policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli._options import HelpGroup, StoreOpt, WaitOpt, open_store
from detente.cli._render import OutputFormat
from detente.errors import QueryError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = ["register"]

AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Evaluate as of this date (default: "
                                             "the last event of the dataset used).", show_default=False)]
OneDatasetOpt = Annotated[str | None, typer.Option(
    "--dataset", help="Dataset to evaluate on (default: the one with most events of the dyad).")]
FormatOpt = Annotated[OutputFormat, typer.Option("--as", help="Output format: table or json.")]
PlaybookOpt = Annotated[Path | None, typer.Option("--playbook", help="Playbook file (default: the "
                                                  "packaged one).")]

_MARK = {"met": "[green]met[/]", "not_met": "[red]not met[/]",
         "insufficient_evidence": "[yellow]insufficient evidence[/]",
         "on_track": "[green]on track[/]", "deteriorating": "[red]deteriorating[/]",
         "stalled": "[yellow]stalled[/]", "overtaken_by_events": "[dim]overtaken by events[/]",
         "consistent": "[green]consistent[/]", "inconsistent": "[red]inconsistent[/]",
         "consistent_with_conditions": "[yellow]consistent with conditions[/]"}


def escape(text: str) -> str:
    """Escape Rich markup in ``text`` (Rich loads when a command prints)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _console() -> Console:
    from rich.console import Console

    return Console()


def _check_format(output: OutputFormat) -> None:
    if output not in (OutputFormat.table, OutputFormat.json):
        raise QueryError(f"--as {output.value}: policy results print as table or json")


def _json(doc: Any) -> None:
    typer.echo(json.dumps(doc, indent=2, default=str))


def _table(title: str, *columns: str) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, title_justify="left")
    for c in columns:
        table.add_column(c, overflow="fold")
    return table


def _evidence(values: list[Any]) -> str:
    parts = []
    for v in values:
        val = f"{v.value:.3g}" if isinstance(v.value, float) else str(v.value)
        where = f" [{v.since}..{v.until}]" if v.since else (f" [..{v.until}]" if v.until else "")
        n = f" n={v.events}" if v.events is not None else ""
        ids = f" e.g. {v.event_ids[0]}" if v.event_ids else ""
        parts.append(f"{v.term} = {val}{where}{n}{ids}")
    return escape("\n".join(parts))


def playbook_check(
    file: Annotated[Path | None, typer.Argument(help="Playbook file (default: the packaged one).")] = None,
    as_of: AsOfOpt = None,
    dataset: OneDatasetOpt = None,
    output: FormatOpt = OutputFormat.table,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Evaluate every agenda item and condition of a playbook, with evidence."""
    from detente.policy import check_playbook

    _check_format(output)
    with open_store(store, wait=wait) as st:
        st.check_datasets([dataset] if dataset else ())
        report = check_playbook(st, str(file) if file else None, as_of, dataset=dataset)
    if output is OutputFormat.json:
        _json(report.model_dump(mode="json"))
        return
    con = _console()
    con.print(f"[bold]{escape(report.playbook)}[/] as of {report.as_of}, dataset "
              f"{report.dataset}, {report.dyad[0]}-{report.dyad[1]}")
    items = _table("agenda items", "basket", "item", "status", "why")
    for it in report.items:
        items.add_row(it.basket, escape(it.title), _MARK[it.status], escape(it.reason))
    con.print(items)
    conds = _table("conditions", "condition", "result", "values and events", "would decide it")
    for it in report.items:
        for c in it.conditions:
            conds.add_row(f"{it.id}.{c.id}", _MARK[c.result], _evidence(c.values),
                          escape("; ".join(c.needs)))
        if it.overtaken_by:
            conds.add_row(f"{it.id}", _MARK["overtaken_by_events"],
                          escape("\n".join(f"{e.date} {e.event_id}" for e in it.overtaken_by)), "")
    con.print(conds)
    con.print("counts: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()))


def playbook_show(
    file: Annotated[Path | None, typer.Argument(help="Playbook file (default: the packaged one).")] = None,
    output: FormatOpt = OutputFormat.table,
) -> None:
    """Validate a playbook and show its principles, items and conditions."""
    from detente.policy import load_playbook

    _check_format(output)
    book = load_playbook(file)
    if output is OutputFormat.json:
        _json(book.model_dump(mode="json"))
        return
    con = _console()
    con.print(f"[bold]{escape(book.playbook)}[/]: valid")
    pr = _table("principles", "id", "principle")
    for p in book.principles:
        pr.add_row(str(p.id), escape(p.title))
    con.print(pr)
    items = _table("agenda", "basket", "item", "levers", "conditions")
    for basket, it in book.items():
        conds = "\n".join(f"{c.id}: {c.when}" for c in it.conditions) or (
            "instruments: " + ", ".join(it.instruments) if it.instruments else "")
        items.add_row(basket, escape(it.title), ", ".join(it.levers), escape(conds))
    con.print(items)


def assess(
    proposal: Annotated[Path, typer.Argument(help="Proposal file (YAML).")],
    playbook: PlaybookOpt = None,
    as_of: AsOfOpt = None,
    dataset: OneDatasetOpt = None,
    output: FormatOpt = OutputFormat.table,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Assess a proposed move: principles, conditions, Russia's expected answer, allies, verdict."""
    from detente.policy import assess_proposal

    _check_format(output)
    with open_store(store, wait=wait) as st:
        st.check_datasets([dataset] if dataset else ())
        result = assess_proposal(st, proposal, str(playbook) if playbook else None, as_of,
                                 dataset=dataset)
    if output is OutputFormat.json:
        _json(result.model_dump(mode="json"))
        return
    con = _console()
    con.print(f"[bold]{escape(result.proposal)}[/] as of {result.as_of}, dataset {result.dataset}")
    con.print(f"verdict: {_MARK[result.verdict]}")
    for r in result.reasons:
        con.print(f"  - {escape(r)}")
    pr = _table("principles", "principle", "effect", "why")
    for f in result.findings:
        pr.add_row(f"{f.principle or '-'} {f.name}", f.effect, escape(f.reason))
    con.print(pr)
    conds = _table("conditions it depends on", "condition", "result", "values and events")
    for c in result.conditions:
        conds.add_row(c.id, _MARK[c.result], _evidence(c.values))
    con.print(conds)
    resp = result.expected_response
    if resp.get("status") == "ok":
        con.print(f"expected response ({escape(str(resp.get('unit', '')))}): "
                  + ", ".join(f"{x:.2f} [{lo:.2f}, {hi:.2f}]" for x, lo, hi in
                              zip(resp["response"], resp["lower"], resp["upper"], strict=False)))
    else:
        con.print(f"expected response: {escape(str(resp.get('reason', 'not enough evidence')))}")
    allies = _table("allies' record", "direction", "window", "events", "net coop.", "prev.",
                    "mat. conflict", "note")
    for a in result.allies:
        allies.add_row(a.direction, f"{a.since}..{a.until}", str(a.events),
                       *(f"{x:.2f}" if x is not None else "" for x in
                         (a.net_cooperation, a.previous_net_cooperation, a.material_conflict_share)),
                       escape(a.note or ""))
    con.print(allies)


def treaties(
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Status as of this date (default: all changes).")] = None,
    output: FormatOpt = OutputFormat.table,
) -> None:
    """List the treaties with each party's status and the timeline of changes."""
    from detente.policy import load_registry
    from detente.policy.listing import treaty_report

    _check_format(output)
    when, rows = treaty_report(load_registry(), as_of)
    if output is OutputFormat.json:
        _json([r.model_dump(mode="json") for r in rows])
        return
    con = _console()
    t = _table(f"treaties{f' as of {when}' if when else ''}", "treaty", "status", "timeline")
    for r in rows:
        status = ", ".join(f"{p} {s}" for p, s in r.statuses.items()) + (" (ended)" if r.ended else "")
        timeline = "\n".join(f"{e.effective} {e.party} {e.status}"
                             + (f" (announced {e.announced})" if e.announced and e.announced != e.effective
                                else "") for e in r.timeline)
        if r.overtaken_by:
            timeline += "\novertaken by: " + ", ".join(r.overtaken_by)
        t.add_row(escape(r.name), status, escape(timeline))
    con.print(t)


def channels(
    as_of: AsOfOpt = None,
    dataset: OneDatasetOpt = None,
    output: FormatOpt = OutputFormat.table,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """List the dialogue channels with their status derived from facts and the latest events."""
    from detente.policy import load_registry
    from detente.policy.listing import channel_report

    _check_format(output)
    with open_store(store, wait=wait) as st:
        st.check_datasets([dataset] if dataset else ())
        when, ds, states = channel_report(st, load_registry(), as_of, dataset)
    if output is OutputFormat.json:
        _json({"as_of": str(when), "dataset": ds, "channels": [s.model_dump(mode="json") for s in states]})
        return
    t = _table(f"channels as of {when} ({ds})", "channel", "status", "last contact", "why")
    for s in states:
        t.add_row(escape(s.name), s.status,
                  f"{s.last_contact} {s.last_event}" if s.last_contact else "", escape(s.reason))
    _console().print(t)


def registry(
    as_of: AsOfOpt = None,
    dataset: OneDatasetOpt = None,
    output: FormatOpt = OutputFormat.table,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """List treaties and channels together."""
    if output is OutputFormat.json:
        from detente.policy import load_registry
        from detente.policy.listing import channel_report, treaty_report

        _check_format(output)
        with open_store(store, wait=wait) as st:
            st.check_datasets([dataset] if dataset else ())
            when, ds, states = channel_report(st, load_registry(), as_of, dataset)
        _, rows = treaty_report(load_registry(), when)
        _json({"as_of": str(when), "dataset": ds, "treaties": [r.model_dump(mode="json") for r in rows],
               "channels": [s.model_dump(mode="json") for s in states]})
        return
    treaties(as_of=as_of, output=output)
    channels(as_of=as_of, dataset=dataset, output=output, store=store, wait=wait)


def register(app: typer.Typer) -> None:
    """Add the policy commands to ``app``."""
    group = typer.Typer(cls=HelpGroup, no_args_is_help=True,
                        help="Check a playbook of principles and agenda items against the evidence.")
    group.command(name="check")(playbook_check)
    group.command(name="show")(playbook_show)
    app.add_typer(group, name="playbook")
    app.command(name="assess")(assess)
    app.command(name="treaties")(treaties)
    app.command(name="channels")(channels)
    app.command(name="registry")(registry)
