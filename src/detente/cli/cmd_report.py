"""`detente brief`: the briefing an analyst hands on (HTML, Markdown or JSON)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from detente.cli._options import DatasetOpt, DyadOpt, SinceOpt, StoreOpt, UntilOpt, WaitOpt, open_store
from detente.errors import DetenteError

__all__ = ["register"]


class BriefFormat(StrEnum):
    """What `detente brief` writes."""

    html = "html"
    markdown = "markdown"
    json = "json"


class BriefPeriod(StrEnum):
    """Period of the brief's series."""

    auto = "auto"
    week = "week"
    month = "month"
    quarter = "quarter"
    year = "year"


_SUFFIXES = {".md": BriefFormat.markdown, ".markdown": BriefFormat.markdown,
             ".json": BriefFormat.json, ".html": BriefFormat.html, ".htm": BriefFormat.html}


def brief(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write ('-' for standard output). Default: brief.html for "
        "HTML, standard output for Markdown and JSON.")] = None,
    as_: Annotated[BriefFormat | None, typer.Option(
        "--as", help="Output format (default: html, or from the -o suffix: .md, .json).",
        show_default=False)] = None,
    old_fmt: Annotated[BriefFormat | None, typer.Option(
        "--format", hidden=True, help="Deprecated: the same as --as.")] = None,
    dyad: DyadOpt = None,
    period: Annotated[BriefPeriod, typer.Option(
        "--period", help="Period of the series (auto: years for the chronology alone, else "
        "months).")] = BriefPeriod.auto,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Compute as of this date (default: the last event date selected).")] = None,
    dataset: DatasetOpt = None,
    issue: Annotated[str | None, typer.Option("--issue", help="One issue area only.")] = None,
    playbook: Annotated[Path | None, typer.Option(
        "--playbook", help="Playbook YAML (default: the packaged playbook).")] = None,
    compare: Annotated[Path | None, typer.Option(
        "--compare", help="An earlier brief's JSON: add what changed since.")] = None,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Write the brief: the relationship at a glance, charts, playbook, evidence, caveats.

    With no options it briefs on USA-RUS from every dataset in the store (a new
    store holds the curated chronology) and writes brief.html, one file that
    opens offline.
    """
    from detente.query.types import parse_date, parse_dyad
    from detente.report import BriefOptions, build_brief, load_brief, render, with_changes

    if old_fmt is not None:
        typer.echo("--format is deprecated for `detente brief`: use --as", err=True)
        if as_ is not None and as_ is not old_fmt:
            raise DetenteError(f"--as {as_.value} and --format {old_fmt.value} disagree")
    fmt = as_ or old_fmt or _SUFFIXES.get(output.suffix.lower() if output else "",
                                          BriefFormat.html)
    if playbook is not None and not playbook.is_file():
        raise DetenteError(f"{playbook}: no such playbook file")
    earlier = load_brief(compare) if compare is not None else None
    opts = BriefOptions(
        dyad=parse_dyad(dyad) if dyad else ("USA", "RUS"), period=period.value,
        since=parse_date(since, "--since"), until=parse_date(until, "--until"),
        as_of=parse_date(as_of, "--as-of"), datasets=tuple(dataset or ()), issue=issue,
        playbook=str(playbook) if playbook else None,
    )
    if fmt is BriefFormat.html:
        from detente.report._bundle import prefetch

        prefetch()  # a cold cache builds the page's JavaScript while the content is computed
    with open_store(store, wait=wait) as st:
        st.check_datasets(dataset or ())
        content = build_brief(st, opts)
    if earlier is not None and compare is not None:
        content = with_changes(content, earlier, compare.name)
    text = render(content, fmt.value)
    target = output if output is not None else (Path("brief.html") if fmt is BriefFormat.html
                                                 else Path("-"))
    if str(target) == "-":
        sys.stdout.write(text)
        return
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DetenteError(f"{target}: cannot write ({exc.strerror})") from None
    typer.echo(f"wrote {target} ({content.title})", err=True)


def register(app: typer.Typer) -> None:
    """Add `brief` to the CLI."""
    app.command(name="brief")(brief)
