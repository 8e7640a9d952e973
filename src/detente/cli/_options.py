"""Options shared by the commands, and the one way a command opens the store.

Importing this module is cheap (Typer and the standard library): every command
module imports it at start-up, for ``--help`` and ``--version`` too. The store,
the query types and Rich load inside the functions, when a command runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from detente.query.types import EventFilter
    from detente.store import Store
    from detente.tagging import RuleSet

__all__ = ["BUSY_EXIT", "PERIODS", "HelpGroup", "build_filter", "open_store"]

# the periods of every series (those of ``detente.query.PERIODS``; a test keeps them equal)
PERIODS: tuple[str, ...] = ("week", "month", "quarter", "year")

# exit status when the store stayed busy: EX_TEMPFAIL, "try again later"
BUSY_EXIT = 75


class HelpGroup(TyperGroup):
    """A command group with cheap plain help: summaries whole, and --help free when absent.

    Typer coerces an absent --help (None) through a Pydantic adapter, which imports
    Pydantic before ``detente <command> --help`` prints anything; False needs no coercion.
    """

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        if option is not None and option.default is None:
            option.default = False
        return option

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # each command's first sentence, wrapped rather than cut at the line's end
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", envvar="DETENTE_STORE", help="Store file (default: per-user data folder).",
                 show_default=False),
]
WaitOpt = Annotated[
    float | None,
    typer.Option("--wait", envvar="DETENTE_WAIT", metavar="SECONDS", min=0, show_default=False,
                 help="How long to wait for a store another detente process is using (default: 30); "
                 "then give up with exit status 75."),
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


@contextmanager
def open_store(
    store: Path | None,
    *,
    wait: float | None = None,
    rules: RuleSet | Path | None = None,
    write: bool = False,
    as_is: bool = False,
) -> Iterator[Store]:
    """Open the store for one command and close it after.

    Read-only unless ``write``, so that any number of commands that only read run at
    once (see :func:`detente.store.open_for_reading`); a command that writes
    (ingest, fetch, retag, update, repair) passes ``write=True`` and has the store to
    itself while it is open. ``as_is``: read-only without first creating, upgrading or
    refreshing the chronology of the store (for ``detente check``, which reports those).

    While another detente process holds the file, says so once on standard
    error and waits up to ``wait`` seconds (default: the store's, 30 or
    ``$DETENTE_WAIT``); when it stays busy, :class:`~detente.errors.StoreBusyError`
    propagates, which the CLI prints as one line and exits with :data:`BUSY_EXIT`.
    """
    from detente.store import Store, default_store_path
    from detente.store._store import open_for_reading
    from detente.tagging import RuleSet, load_rules

    rule_set = rules if isinstance(rules, RuleSet) else load_rules(rules)

    def waiting(seconds: float) -> None:
        from rich.markup import escape

        from detente.cli._render import stderr

        where = Path(store).expanduser() if store is not None else default_store_path()
        stderr().print(f"[dim]{escape(str(where))}: busy (another detente process is using it); "
                       f"waiting up to {seconds:g} s[/dim]", soft_wrap=True, highlight=False)

    if write or as_is:
        opened = Store.open(store, rules=rule_set, read_only=as_is and not write, wait=wait, on_wait=waiting)
    else:
        opened = open_for_reading(store, rules=rule_set, wait=wait, on_wait=waiting)
    with opened as st:
        yield st


def refuse_archive(store: Path | None) -> None:
    """Raise the store's one-line error when ``store`` names a Parquet archive (read-only),
    before a command that writes does any work."""
    from detente.store import default_store_path, is_archive, refuse_write

    where = Path(store).expanduser() if store is not None else default_store_path()
    if is_archive(where):
        raise refuse_write(where)


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
    from detente.query.types import EventFilter, parse_date, parse_dyad

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
