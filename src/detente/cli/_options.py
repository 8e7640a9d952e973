"""Options shared by the commands that select events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from detente.store import EventFilter, parse_date, parse_dyad

StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", envvar="DETENTE_STORE", help="Store file (default: per-user data folder).",
                 show_default=False),
]
RulesOpt = Annotated[
    Path | None,
    typer.Option("--rules", envvar="DETENTE_RULES",
                 help="YAML file of issue-area rules that extends the defaults."),
]
DyadOpt = Annotated[str | None, typer.Option("--dyad", help="Both directions, e.g. USA-RUS.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="Source country, e.g. USA.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Target country, e.g. RUS.")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="First day (YYYY-MM-DD, YYYY-MM or YYYY).")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Last day (YYYY-MM-DD, YYYY-MM or YYYY).")]
IssueOpt = Annotated[list[str] | None, typer.Option("--issue", help="Issue area (repeatable).")]
CodeOpt = Annotated[list[str] | None, typer.Option("--code", help="CAMEO code or prefix (repeatable).")]
RootOpt = Annotated[list[str] | None, typer.Option("--root", help="CAMEO root, 01-20 (repeatable).")]
QuadOpt = Annotated[list[int] | None, typer.Option("--quad", help="Quad class 1-4 (repeatable).")]
DatasetOpt = Annotated[list[str] | None, typer.Option("--dataset", help="Dataset (repeatable).")]
RootOnlyOpt = Annotated[bool, typer.Option("--root-only", help="GDELT: only root events.")]
MinSourcesOpt = Annotated[int | None, typer.Option("--min-sources", help="GDELT: at least N sources.")]
SearchOpt = Annotated[str | None, typer.Option("--search", help="Substring of text, URL or names.")]


def build_filter(
    dyad: str | None = None,
    source: str | None = None,
    target: str | None = None,
    since: str | None = None,
    until: str | None = None,
    issue: list[str] | None = None,
    code: list[str] | None = None,
    root: list[str] | None = None,
    quad: list[int] | None = None,
    dataset: list[str] | None = None,
    root_only: bool = False,
    min_sources: int | None = None,
    search: str | None = None,
) -> EventFilter:
    """Turn command-line values into an :class:`EventFilter`."""
    return EventFilter(
        dyad=parse_dyad(dyad) if dyad else None,
        source=source,
        target=target,
        since=parse_date(since, "--since"),
        until=parse_date(until, "--until"),
        issue_areas=tuple(issue or ()),
        codes=tuple(code or ()),
        roots=tuple(root or ()),
        quad_classes=tuple(quad or ()),
        datasets=tuple(dataset or ()),
        root_only=root_only,
        min_sources=min_sources,
        search=search,
    )
