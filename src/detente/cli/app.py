"""Commands. Each opens the store, calls one library function, prints the result.

Start-up imports Typer and the command modules only: a command imports the
library code it runs (the store, DuckDB, pyarrow, the analyses) when it runs,
so ``detente --help`` and ``detente --version`` stay fast.
"""

from __future__ import annotations

import sys
import threading
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente import __version__
from detente.cli import (
    cmd_analysis,
    cmd_check,
    cmd_coder,
    cmd_fetch,
    cmd_indicators,
    cmd_policy,
    cmd_report,
    cmd_web,
)
from detente.cli._options import (
    BUSY_EXIT,
    CodeOpt,
    DatasetOpt,
    DyadOpt,
    FromOpt,
    HelpGroup,
    IssueOpt,
    MinSourcesOpt,
    QuadOpt,
    RootOnlyOpt,
    RootOpt,
    RulesOpt,
    SearchOpt,
    SinceOpt,
    StoreOpt,
    ToOpt,
    UntilOpt,
    WaitOpt,
    build_filter,
    open_store,
    refuse_archive,
)
from detente.cli._render import OutputFormat, render, stderr
from detente.errors import DetenteError, StoreBusyError

if TYPE_CHECKING:
    from rich.progress import Progress

    from detente.store import FileReport, Store


def _fail(exc: DetenteError) -> int:
    """Print a library error as one line; return the exit status it calls for."""
    from rich.markup import escape

    stderr().print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return BUSY_EXIT if isinstance(exc, StoreBusyError) else 1


class _Group(HelpGroup):
    """Turn the library's errors into one clean line and exit status 1 (75: store busy)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DetenteError as exc:
            raise typer.Exit(_fail(exc)) from None


# Plain help text: Rich's help panels would import Typer's Rich formatting (Markdown,
# tracebacks, panels), most of the cost of `detente --help`.
app = typer.Typer(
    cls=_Group,
    name="detente",
    help="Measure and manage a difficult relationship between two countries from event data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
EVENT_COLUMNS = ["date", "source_actor", "target_actor", "event_code", "quad_class", "goldstein",
                 "issue_areas", "dataset", "text"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"detente {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Measure and manage a difficult relationship between two countries from event data."""


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or glob patterns.")],
    fmt: Annotated[str | None,
                   typer.Option("--format", help="Force a reader (see `detente formats`).")] = None,
    store: StoreOpt = None,
    rules: RulesOpt = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress bar and no line per file; the summary stays.")] = False,
    output: Annotated[OutputFormat, typer.Option(
        "--as", help="Format of the summary (one row per file).")] = OutputFormat.table,
    wait: WaitOpt = None,
) -> None:
    """Ingest event files (GDELT 1/2, ICEWS, POLECAT, PLOVER, canonical) into the store.

    Each file goes in whole or not at all. Re-ingesting is safe: events already
    stored are counted as duplicates, never stored twice. Unparseable rows go to
    quarantine (see `detente quarantine`). Files of one format and layout are read
    together, many in one scan; the store is opened for each such group and released
    after it, so other detente commands can use it in between.
    """
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from detente.readers import READERS
    from detente.store import expand_paths
    from detente.tagging import load_rules

    if fmt is not None and fmt not in READERS:
        raise DetenteError(f"unknown format {fmt!r}; known: {', '.join(READERS)}")
    refuse_archive(store)
    files = expand_paths(paths)
    rule_set = load_rules(rules)
    err = stderr()
    reports: list[FileReport] = []
    failures: list[str] = []
    total = sum(f.stat().st_size for f in files) or 1
    progress = Progress(TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.percentage:>3.0f}%"),
                        TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal,
                        transient=True)
    done = 0
    try:
        with progress:
            task = progress.add_task("ingesting", total=total)
            for chunk in _chunks(files):
                size = sum(f.stat().st_size for f in chunk)

                def chosen(src: Any, reader: Any) -> None:
                    if quiet:
                        return
                    how = "forced" if fmt else "detected"
                    err.print(f"[dim]{escape(str(src.path))}: reading as [bold]{reader.name}[/bold] "
                              f"({how})[/dim]", soft_wrap=True, highlight=False)

                # one opening per group of files read together: committed, closed and
                # released before the next
                with open_store(store, wait=wait, rules=rule_set, write=True) as st:
                    stop = threading.Event()
                    watcher = threading.Thread(
                        target=_watch, args=(st, progress, task, done, size, stop), daemon=True
                    )
                    watcher.start()
                    try:
                        for outcome in st.ingest_files(chunk, fmt, on_reader=chosen,
                                                       stop_on_error=False):
                            if isinstance(outcome, DetenteError):
                                failures.append(str(outcome))
                                err.print(f"[red]error:[/red] {escape(str(outcome))}",
                                          highlight=False, soft_wrap=True)
                            else:
                                reports.append(outcome)
                    finally:
                        stop.set()
                        watcher.join()
                done += size
                progress.update(task, completed=done)
    except DetenteError:  # the store could not be opened (busy, or not a store): stop here
        if reports:
            _print_reports(reports, output)
        left = len(files) - len(reports) - len(failures)
        err.print(f"[red]{left} file(s) not ingested.[/red]", highlight=False)
        raise
    _print_reports(reports, output)
    if failures:
        err.print(f"[red]{len(failures)} file(s) not ingested; the store is unchanged for them.[/red]")
        raise typer.Exit(1)


def _chunks(files: list[Path]) -> list[list[Path]]:
    """Split ``files`` (in order) into groups of at most a batch's files and bytes."""
    from detente.store._batch import BATCH_BYTES, BATCH_FILES

    out: list[list[Path]] = []
    size = 0
    for f in files:
        n = f.stat().st_size
        if not out or len(out[-1]) >= BATCH_FILES or size + n > BATCH_BYTES:
            out.append([])
            size = 0
        out[-1].append(f)
        size += n
    return out


def _watch(st: Store, progress: Progress, task: Any, done: int, size: int, stop: threading.Event) -> None:
    while not stop.wait(0.25):
        try:
            pct = max(0.0, st.query_progress())
        except Exception:  # progress is a nicety; never let it fail an ingest
            return
        progress.update(task, completed=done + size * min(pct, 100.0) / 100.0)


def _distinct_names(paths: list[str]) -> dict[str, str]:
    """Name each path by its shortest trailing part that no other path shares (the file
    name, unless two files of one name came from different folders)."""
    parts = {p: Path(p).parts for p in paths}
    out: dict[str, str] = {}
    for p, mine in parts.items():
        for n in range(1, len(mine) + 1):
            tail = mine[-n:]
            if not any(q != p and other[-n:] == tail for q, other in parts.items()):
                break
        out[p] = str(Path(*tail))
    return out


def _print_reports(reports: list[FileReport], output: OutputFormat = OutputFormat.table) -> None:
    from rich.console import Console
    from rich.table import Table

    if output is not OutputFormat.table:
        import dataclasses

        import pyarrow as pa

        render(pa.Table.from_pylist([dataclasses.asdict(r) for r in reports]), output)
        return

    table = Table(title="ingest summary", header_style="bold")
    for col in ("file", "reader", "read", "stored", "duplicate", "conflicting", "quarantined"):
        table.add_column(col, justify="left" if col in ("file", "reader") else "right",
                         overflow="fold", no_wrap=col != "file")
    names = _distinct_names([r.path for r in reports])
    for r in reports:
        table.add_row(names[r.path], r.reader, f"{r.read:,}", f"{r.stored:,}", f"{r.duplicates:,}",
                      f"{r.conflicts:,}", f"{r.quarantined:,}")
    if len(reports) > 1:
        table.add_row("total", "", *(f"{sum(getattr(r, k) for r in reports):,}"
                                     for k in ("read", "stored", "duplicates", "conflicts", "quarantined")))
    Console().print(table)
    unmapped = sum(r.places_unmapped for r in reports)
    if unmapped:
        stderr().print(f"{unmapped:,} stored event(s) name a place whose country has no CAMEO "
                       "code (Kosovo, Jersey, the oceans, ...): their place_country is empty")
    if any(r.quarantined for r in reports):
        stderr().print("rows that could not be stored are listed by `detente quarantine`")
    if any(r.conflicts for r in reports):
        stderr().print("conflicting duplicates kept their first stored version; see `detente files`")


class FileFormat(StrEnum):
    """What `detente export` and `detente events -o` write."""

    parquet = "parquet"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


_FILE_SUFFIX = {".parquet": FileFormat.parquet, ".csv": FileFormat.csv,
                ".json": FileFormat.json, ".jsonl": FileFormat.jsonl, ".ndjson": FileFormat.jsonl}


def _file_format(out: Path, asked: str | None) -> FileFormat:
    if asked is not None:
        return FileFormat(asked)
    found = _FILE_SUFFIX.get(out.suffix.lower())
    if found is None:
        raise DetenteError(f"{out}: say the format with --as (parquet, csv, json or jsonl); "
                           "the file name's suffix does not")
    return found


def _write_events(st: Store, flt: Any, out: Path, fmt: FileFormat, *, limit: int | None = None,
                  offset: int = 0, columns: list[str] | None = None) -> int:
    """Write the events of ``flt`` to ``out`` in ``fmt``, whole or not at all."""
    if fmt is FileFormat.parquet and limit is None and not offset and columns is None:
        return st.export_parquet(out, flt)
    table = st.events(flt, limit=limit, offset=offset)
    if columns:
        table = table.select(columns)
    tmp = out.with_name(out.name + ".part")
    try:
        if fmt is FileFormat.parquet:
            import pyarrow.parquet as pq

            pq.write_table(table, tmp, compression="zstd")
        else:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                render(table, OutputFormat(fmt.value), out=fh)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DetenteError(f"{out}: cannot write ({exc.strerror})") from None
    return int(table.num_rows)


@app.command()
def events(
    dyad: DyadOpt = None,
    source: FromOpt = None,
    target: ToOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    issue: IssueOpt = None,
    code: CodeOpt = None,
    root: RootOpt = None,
    quad: QuadOpt = None,
    dataset: DatasetOpt = None,
    root_only: RootOnlyOpt = False,
    min_sources: MinSourcesOpt = None,
    search: SearchOpt = None,
    output: Annotated[str | None, typer.Option(
        "--as", help="Output format: table, csv, json or jsonl (with -o also parquet; "
        "default: table, or from the -o suffix).", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Write the events to this file (every canonical column, "
        "unless --columns).")] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=0, help="Rows at most (0: all; default: 100 shown, all written with -o).",
        show_default=False)] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")] = 0,
    columns: Annotated[str | None, typer.Option("--columns", help="Comma-separated columns.")] = None,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """List events, oldest first, with filters (all datasets unless --dataset)."""
    from detente.schema import CANONICAL_SCHEMA

    known = [f.value for f in OutputFormat] + (["parquet"] if out is not None else [])
    if output is not None and output not in known:
        raise DetenteError(f"--as {output}: not one of {', '.join(known)}")
    flt = build_filter(dyad, source, target, since, until, issue, code, root, quad, dataset,
                       root_only, min_sources, search)
    cols = [c.strip() for c in columns.split(",")] if columns else None
    if cols:
        unknown = [c for c in cols if c not in CANONICAL_SCHEMA.names]
        if unknown:
            raise DetenteError(f"unknown column(s): {', '.join(unknown)}")
    with open_store(store, wait=wait) as st:
        st.validate(flt)
        total = st.count(flt)
        if out is not None:
            fmt = _file_format(out, output)
            wrote = _write_events(st, flt, out, fmt, limit=limit or None, offset=offset,
                                  columns=cols)
            stderr().print(f"wrote {wrote:,} of {total:,} events to {out} ({fmt.value})")
            return
        shown_as = OutputFormat(output or "table")
        cols = cols or (EVENT_COLUMNS if shown_as is OutputFormat.table else None)
        table = st.events(flt, limit=100 if limit is None else (limit or None), offset=offset)
        shown = render(table, shown_as, columns=cols,
                       title=f"{total:,} events" if shown_as is OutputFormat.table else None)
    if shown < total - offset:
        stderr().print(f"showing {shown:,} of {total:,} events (--limit 0 for all, --offset to page)")


@app.command()
def export(
    out: Annotated[Path, typer.Argument(help="File to write (Parquet unless --as or its "
                                        "suffix says csv, json or jsonl).")],
    dyad: DyadOpt = None,
    source: FromOpt = None,
    target: ToOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    issue: IssueOpt = None,
    code: CodeOpt = None,
    root: RootOpt = None,
    quad: QuadOpt = None,
    dataset: DatasetOpt = None,
    root_only: RootOnlyOpt = False,
    min_sources: MinSourcesOpt = None,
    search: SearchOpt = None,
    output: Annotated[FileFormat | None, typer.Option(
        "--as", help="Output format (default: from the suffix, else parquet).",
        show_default=False)] = None,
    partition: Annotated[str | None, typer.Option(
        "--partition", help="year or year/month: write the whole store as a Hive-partitioned "
        "Parquet archive in folder OUT (read with --store OUT).", show_default=False)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="With --partition: replace a folder that is not empty.")] = False,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Write the selected events to a file, every canonical column under its name; or, with
    --partition, the whole store as a Parquet archive that --store reads (see docs/scale.md)."""
    flt = build_filter(dyad, source, target, since, until, issue, code, root, quad, dataset,
                       root_only, min_sources, search)
    if partition is not None:
        if flt != build_filter() or output is not None:
            raise DetenteError("--partition writes the whole store: no filters and no --as")
        with open_store(store, wait=wait) as st:
            manifest = st.export_archive(out, partition, force=force)
        stderr().print(f"wrote {manifest['events']:,} events, {manifest['files']:,} files' "
                       f"provenance to archive {out} (by {partition})")
        return
    fmt = output or _FILE_SUFFIX.get(out.suffix.lower(), FileFormat.parquet)
    with open_store(store, wait=wait) as st:
        st.validate(flt)
        rows = _write_events(st, flt, out, fmt)
    stderr().print(f"wrote {rows:,} events to {out}")


@app.command()
def retag(store: StoreOpt = None, rules: RulesOpt = None, wait: WaitOpt = None,
          output: Annotated[OutputFormat, typer.Option("--as", help="Output format.")] =
          OutputFormat.table) -> None:
    """Recompute every stored event's issue areas (after the rules changed)."""
    import pyarrow as pa

    refuse_archive(store)
    with open_store(store, wait=wait, rules=rules, write=True) as st:
        changed = st.retag()
        total = st.count()
    if output is OutputFormat.table:
        typer.echo(f"retagged {total:,} events; {changed:,} changed")
    else:
        render(pa.table({"events": [total], "changed": [changed]}), output)


@app.command()
def quarantine(
    file: Annotated[str | None, typer.Option("--file", help="Only rows of this file name.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Rows at most.")] = 100,
    output: Annotated[OutputFormat, typer.Option("--as", help="Output format.")] = OutputFormat.table,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """List rows that could not be stored: file, line number, reason, raw text."""
    with open_store(store, wait=wait) as st:
        render(st.quarantine(file, limit), output, title="quarantine")


@app.command()
def files(
    output: Annotated[OutputFormat, typer.Option("--as", help="Output format.")] = OutputFormat.table,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """List ingested files with their hash, reader and counts (provenance)."""
    with open_store(store, wait=wait) as st:
        render(st.files(), output, title="ingested files")


@app.command()
def status(store: StoreOpt = None, wait: WaitOpt = None,
           output: Annotated[OutputFormat, typer.Option("--as", help="Output format.")] =
           OutputFormat.table) -> None:
    """Show the store: where it is and what each dataset holds."""
    with open_store(store, wait=wait) as st:
        if output is OutputFormat.table:
            typer.echo(f"store: {st.path}")
        render(st.summary(), output, title="datasets")
        if output is OutputFormat.table:
            cmd_fetch.print_coverage(st)


@app.command()
def formats(output: Annotated[OutputFormat, typer.Option("--as", help="Output format.")] =
            OutputFormat.table) -> None:
    """List the input formats and their readers."""
    from rich.console import Console
    from rich.table import Table

    from detente.readers import READERS

    if output is not OutputFormat.table:
        import pyarrow as pa

        render(pa.table({"format": [r.name for r in READERS.values()],
                         "dataset": [r.dataset for r in READERS.values()],
                         "what": [r.summary for r in READERS.values()]}), output)
        return
    table = Table(header_style="bold")
    table.add_column("format")
    table.add_column("dataset")
    table.add_column("what")
    for r in READERS.values():
        table.add_row(r.name, r.dataset, r.summary)
    Console().print(table)


# Commands of the later stages live in their own modules (``cmd_<stage>.py``), each with
# ``register(app)``; registered here, in the order --help lists them.
for _stage in (cmd_indicators, cmd_analysis, cmd_policy, cmd_report, cmd_web, cmd_coder, cmd_check,
               cmd_fetch):
    _stage.register(app)


def main() -> None:
    """Run the CLI, turning library errors into one clean line."""
    try:
        app()
    except DetenteError as exc:
        sys.exit(_fail(exc))
