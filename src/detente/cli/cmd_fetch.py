"""`detente fetch gdelt`, `detente fetch feeds` and `detente update`: keep a store current.

Exit status: 0 when every listed file of the range is in the store, 3 when
files were skipped (listed on standard error; the next run retries them), 1
when a source could not be fetched at all (its lists unreachable).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli._options import HelpGroup, RulesOpt, StoreOpt, WaitOpt, open_store, refuse_archive
from detente.errors import DetenteError

if TYPE_CHECKING:
    from detente.fetch import FetchOptions, FetchResult
    from detente.store import Store

__all__ = ["print_coverage", "register"]

SKIPPED_EXIT = 3

_SinceOpt = Annotated[str | None, typer.Option(
    "--since", help="First day, YYYY-MM-DD (UTC). Default: carry on from the last fetch "
                    "(and retry its failed files), or 7 days back on a first fetch.")]
_UntilOpt = Annotated[str | None, typer.Option("--until", help="Last day, YYYY-MM-DD (default: today, UTC).")]
_VersionOpt = Annotated[int, typer.Option("--version", min=1, max=2,
                                          help="GDELT 2 (15-minute files, from 2015-02-18) or 1 "
                                               "(yearly 1979-2005, monthly to 2013-03, then daily).")]
_CountriesOpt = Annotated[str | None, typer.Option(
    "--countries", help="Keep only events between these CAMEO countries, e.g. USA,RUS "
                        "(both actors among them; see --any-actor).")]
_AnyOpt = Annotated[bool, typer.Option("--any-actor", help="With --countries: keep events with "
                                                           "either actor among them.")]
_BaseOpt = Annotated[str | None, typer.Option(
    "--base-url", envvar="DETENTE_GDELT_URL",
    help="Where the files and their lists are (default: GDELT's own address for the version).")]
_JobsOpt = Annotated[int, typer.Option("--jobs", min=1, max=16, help="Downloads at once.")]
_TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, metavar="SECONDS",
                                            help="Give up on a connection or read that stalls this long.")]
_RetriesOpt = Annotated[int, typer.Option("--retries", min=0, max=10,
                                          help="Retries after a 429, a 5xx, a timeout or a drop.")]
_GkgOpt = Annotated[bool, typer.Option(
    "--gkg", help="GDELT 2.0: also read each 15 minutes' GKG file and tag events with the issue "
                  "areas of their articles' themes (GKG files are large: the size is said first).")]
_GkgThemesOpt = Annotated[Path | None, typer.Option(
    "--gkg-themes", help="With --gkg: the theme table to use (YAML laid out as the package's "
                         "tagging/data/gkg_themes.yaml).")]
_QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
_KeepOpt = Annotated[Path | None, typer.Option(
    "--keep", help="Keep the downloaded files in this folder (default: removed once ingested).")]


def _day(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DetenteError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def _countries(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(c.strip().upper() for c in text.split(",") if c.strip())


class _Bar:
    """A Rich progress bar over files and bytes (on standard error, when it is a terminal)."""

    def __init__(self, quiet: bool) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        from detente.cli._render import stderr

        err = stderr()
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                                 TransferSpeedColumn(), TextColumn("{task.fields[files]}"),
                                 TimeRemainingColumn(), console=err,
                                 disable=quiet or not err.is_terminal, transient=True)
        self.task: Any = None
        self.files = 0
        self.done = 0

    def planned(self, files: int, size: int) -> None:
        self.files = files
        self.task = self.progress.add_task("fetching", total=size or None, files=f"0/{files} files")

    def advanced(self, size: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=size)

    def finished(self, name: str, ok: bool) -> None:
        self.done += 1
        if self.task is not None:
            self.progress.update(self.task, files=f"{self.done}/{self.files} files")


def _resume_since(st: Store, source: str) -> dt.date | None:
    from detente.store._fetched import resume_since

    return resume_since(st, source)


def _run_fetch(store: Path | None, wait: float | None, rules: Path | None, opts: FetchOptions,
               quiet: bool) -> FetchResult:
    from rich.markup import escape

    from detente.fetch import fetch_gdelt

    refuse_archive(store)
    bar = _Bar(quiet)

    def announce(line: str) -> None:
        bar.progress.console.print(escape(line), highlight=False, soft_wrap=True)

    with bar.progress:
        return fetch_gdelt(lambda: open_store(store, wait=wait, rules=rules, write=True), opts, progress=bar,
                           announce=announce)


def _report(result: FetchResult) -> None:
    from rich.markup import escape

    from detente.cli._render import stderr

    err = stderr()
    for name, why in result.failed[:20]:
        err.print(f"[yellow]skipped[/yellow] {escape(name)}: {escape(why)}", highlight=False,
                  soft_wrap=True)
    if len(result.failed) > 20:
        err.print(f"[yellow]... and {len(result.failed) - 20} more skipped[/yellow]")
    for line in result.malformed[:5]:
        err.print(f"[yellow]unreadable line in the file list:[/yellow] {escape(line)}",
                  highlight=False, soft_wrap=True)
    if result.missing:
        shown = ", ".join(result.missing[:5]) + (", ..." if len(result.missing) > 5 else "")
        err.print(f"[dim]not published upstream: {escape(shown)}[/dim]", highlight=False,
                  soft_wrap=True)
    typer.echo(result.summary())
    if result.gkg is not None:
        typer.echo(result.gkg.summary())
        if result.gkg.unmatched:
            err.print(f"[yellow]GKG theme table entries that matched no theme in the "
                      f"{result.gkg.read} GKG file(s) read:[/yellow] "
                      f"{escape(', '.join(result.gkg.unmatched))} (misspelt, or absent from "
                      "these files)", highlight=False, soft_wrap=True)
    if result.skipped:
        err.print(f"[yellow]{result.skipped} file(s) skipped; the store is unchanged for them "
                  "and the next run retries them.[/yellow]", highlight=False)


def fetch_gdelt_cmd(
    since: _SinceOpt = None,
    until: _UntilOpt = None,
    version: _VersionOpt = 2,
    countries: _CountriesOpt = None,
    any_actor: _AnyOpt = False,
    base_url: _BaseOpt = None,
    jobs: _JobsOpt = 4,
    timeout: _TimeoutOpt = 30.0,
    retries: _RetriesOpt = 4,
    keep: _KeepOpt = None,
    gkg: _GkgOpt = False,
    gkg_themes: _GkgThemesOpt = None,
    quiet: _QuietOpt = False,
    store: StoreOpt = None,
    rules: RulesOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Download GDELT event files for a date range, check them and ingest them.

    GDELT 2.0 files come from its master file list (only the list's tail is read),
    GDELT 1.0 files from its size and MD5 lists; each file's size and MD5 are
    checked before it is read, and it goes into the store whole, with its event
    totals per CAMEO root (counted before --countries filters) and a ledger row,
    or not at all. A second run fetches only what is new; an interrupted run
    picks up where it stopped. `detente status` shows, per day, the files
    expected, received, missing upstream and failed. Exit status 3 when files
    were skipped (they are listed; the next run retries them), 1 when the lists
    cannot be had. With --gkg (2.0), each 15 minutes' GKG file is read too and
    the events whose source article carries a theme of the theme table get its
    issue areas; the untagged share before and after is reported.
    """
    from detente.fetch import FetchOptions

    source = f"gdelt{version}"
    start = _day(since, "--since")
    if start is None:
        with open_store(store, wait=wait, rules=rules, write=True) as st:
            start = _resume_since(st, source)
        start = start or (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=7))
    opts = FetchOptions(since=start, until=_day(until, "--until"), version=version,
                        countries=_countries(countries), any_actor=any_actor, base_url=base_url,
                        jobs=jobs, timeout=timeout, retries=retries, download_dir=keep,
                        keep=keep is not None, gkg=gkg, gkg_themes=gkg_themes)
    result = _run_fetch(store, wait, rules, opts, quiet)
    _report(result)
    if result.exit_status:
        raise typer.Exit(result.exit_status)


# -- feeds ---------------------------------------------------------------------------


def _run_feeds(store: Path | None, wait: float | None, rules: Path | None, feeds_file: Path,
               jobs: int, timeout: float, retries: int) -> int:
    """Fetch the feeds of ``feeds_file``; report; return the exit status (0 or 3)."""
    from rich.markup import escape

    from detente.cli._render import stderr
    from detente.fetch import Http, fetch_feeds, load_feeds

    feeds = load_feeds(feeds_file)
    result = fetch_feeds(lambda: open_store(store, wait=wait, rules=rules, write=True), feeds,
                         http=Http(timeout=timeout, retries=retries), jobs=jobs)
    err = stderr()
    for f in result.feeds:
        if f.error is not None:
            err.print(f"[yellow]skipped feed[/yellow] {escape(f.feed.name)} "
                      f"({escape(f.feed.url)}): {escape(f.error)}", highlight=False, soft_wrap=True)
        elif f.not_modified:
            typer.echo(f"{f.feed.name}: not modified since the last fetch (no new items)")
        else:
            typer.echo(f"{f.feed.name}: {f.items} item(s), {f.new} new, {f.events} event(s) coded, "
                       f"{f.stored} stored" + (f" ({f.file})" if f.file else ""))
    typer.echo(result.summary())
    return result.exit_status


def fetch_feeds_cmd(
    feeds_file: Annotated[Path, typer.Argument(
        metavar="FEEDS.yaml", help="YAML list of feeds: name, url, optional country.")],
    jobs: _JobsOpt = 4,
    timeout: _TimeoutOpt = 30.0,
    retries: _RetriesOpt = 4,
    store: StoreOpt = None,
    rules: RulesOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Fetch RSS/Atom feeds of official statements and code their new items into the store.

    Each new item's title and summary go through the text coder; the events are
    stored as the dataset `feeds`, one ingested file per feed fetch. The items are
    remembered, so a second run codes only what is new. A feed that cannot be had
    or is not RSS or Atom is reported in one line and the others carry on; exit
    status 3 when a feed was skipped.
    """
    status = _run_feeds(store, wait, rules, feeds_file, jobs, timeout, retries)
    if status:
        raise typer.Exit(status)


# -- update --------------------------------------------------------------------------


def _config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "detente" / "update.yaml"


_DEFAULT_SOURCES: list[dict[str, Any]] = [{"source": "gdelt", "version": 2, "countries": ["USA", "RUS"]}]
_KEYS = {"source", "version", "countries", "any_actor", "base_url", "jobs", "since", "timeout",
         "retries", "gkg", "gkg_themes"}
_FEED_KEYS = {"source", "file", "jobs", "timeout", "retries"}


def _load_sources(path: Path | None) -> tuple[list[dict[str, Any]], str]:
    from detente._yaml import load_named

    where = path or _config_path()
    if path is None and not where.exists():
        return _DEFAULT_SOURCES, "default: GDELT 2.0, USA-RUS"
    if not where.exists():
        raise DetenteError(f"{where}: no such file")
    data = load_named(where.read_text(encoding="utf-8"), where)
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, list) or not sources:
        raise DetenteError(f"{where}: needs a list `sources:` (see docs/fetch.md)")
    for i, s in enumerate(sources, start=1):
        if isinstance(s, dict) and s.get("source") == "feeds":
            unknown = set(s) - _FEED_KEYS
            if unknown:
                raise DetenteError(f"{where}: source {i}: unknown key(s) {', '.join(sorted(unknown))}")
            if not isinstance(s.get("file"), str):
                raise DetenteError(f"{where}: source {i}: `source: feeds` needs `file:` (a feeds file)")
            feeds = Path(s["file"]).expanduser()
            s["file"] = str(feeds if feeds.is_absolute() else where.parent / feeds)
            continue
        if not isinstance(s, dict) or s.get("source") != "gdelt":
            raise DetenteError(f"{where}: source {i}: only `source: gdelt` and `source: feeds` "
                               "are known")
        unknown = set(s) - _KEYS
        if unknown:
            raise DetenteError(f"{where}: source {i}: unknown key(s) {', '.join(sorted(unknown))}")
    return sources, str(where)


def _state(st: Store) -> dict[str, Any]:
    """The playbook's item statuses, the alerts and change points, and the last event date."""
    from detente.analysis import AnalysisError, trends
    from detente.policy import check_playbook

    out: dict[str, Any] = {"items": {}, "alerts": [], "change_points": [], "last_event": None}
    last = st.last_date()
    out["last_event"] = last.isoformat() if last else None
    try:
        report = check_playbook(st)
        out["items"] = {it.id: it.status for it in report.items}
        out["items_title"] = {it.id: it.title for it in report.items}
    except DetenteError as exc:
        out["playbook_error"] = str(exc)
    try:
        for tr in trends(st):
            out["alerts"] += [f"{tr.dataset} {a.kind} {a.start or ''}..{a.end or ''}"
                              for a in tr.alerts]
            out["change_points"] += [f"{tr.dataset} {c.period_start} {c.direction}"
                                     for c in tr.change_points]
    except (AnalysisError, DetenteError) as exc:
        out["trends_error"] = str(exc)
    return out


def _changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    if old is None:
        return []
    lines = []
    titles = new.get("items_title", {})
    for item, status in sorted(new["items"].items()):
        before = old.get("items", {}).get(item)
        if before != status:
            lines.append(f"item {item} ({titles.get(item, '')}): {before or 'new'} -> {status}")
    lines += [f"new alert: {a}" for a in new["alerts"] if a not in set(old.get("alerts", []))]
    lines += [f"new change point: {c}" for c in new["change_points"]
              if c not in set(old.get("change_points", []))]
    return lines


def update(
    config: Annotated[Path | None, typer.Option(
        "--config", help="YAML list of sources (default: ~/.config/detente/update.yaml if "
                         "present, else GDELT 2.0 for USA-RUS).")] = None,
    quiet: _QuietOpt = False,
    store: StoreOpt = None,
    rules: RulesOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Fetch every configured source, re-check the playbook, and say what changed.

    For a daily cron job or systemd timer. Each source carries on from its last
    fetch (and retries the files that failed). Then the playbook is checked again
    and the alerts and change points recomputed; what differs from the last update
    is printed (items whose status changed, new alerts, new change points), with
    one summary line. Exit status 0 when everything was fetched, 3 when files were
    skipped (listed), 1 when a source failed.
    """
    from rich.markup import escape

    from detente.cli._render import stderr
    from detente.fetch import FetchOptions, HttpFailure

    refuse_archive(store)
    sources, where = _load_sources(config)
    err = stderr()
    err.print(f"[dim]sources: {escape(where)}[/dim]", highlight=False)
    failed_sources = 0
    skipped = 0
    skipped_feeds = 0
    fetched: list[str] = []
    for s in sources:
        if s.get("source") == "feeds":
            try:
                status = _run_feeds(store, wait, rules, Path(s["file"]), int(s.get("jobs", 4)),
                                    float(s.get("timeout", 30.0)), int(s.get("retries", 4)))
            except DetenteError as exc:
                err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
                failed_sources += 1
                continue
            skipped_feeds += status != 0
            fetched.append(f"feeds {Path(s['file']).name}")
            continue
        version = int(s.get("version", 2))
        source = f"gdelt{version}"
        with open_store(store, wait=wait, rules=rules, write=True) as st:
            start = _resume_since(st, source)
        start = start or _day(str(s["since"]), "since") if s.get("since") else start
        start = start or (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=7))
        opts = FetchOptions(since=start, version=version,
                            countries=tuple(str(c).upper() for c in s.get("countries", [])),
                            any_actor=bool(s.get("any_actor", False)), base_url=s.get("base_url"),
                            jobs=int(s.get("jobs", 4)), timeout=float(s.get("timeout", 30.0)),
                            retries=int(s.get("retries", 4)), gkg=bool(s.get("gkg", False)),
                            gkg_themes=Path(s["gkg_themes"]) if s.get("gkg_themes") else None)
        try:
            result = _run_fetch(store, wait, rules, opts, quiet)
        except HttpFailure as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            failed_sources += 1
            continue
        _report(result)
        skipped += result.skipped
        fetched.append(f"{source} {len(result.ingested)} file(s)")
    with open_store(store, wait=wait, rules=rules, write=True) as st:
        new = _state(st)
        raw = st.meta("last_update")
        old = json.loads(raw) if raw else None
        new["at"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        st._set_meta("last_update", json.dumps(new, sort_keys=True))
    changes = _changes(old, new)
    for line in changes:
        typer.echo(line)
    last = new["last_event"]
    lag = ""
    if last:
        days = (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(last)).days
        lag = f"; last event {last} ({days} day(s) before today)"
    since_last = ("first update: state recorded" if old is None else
                  f"{len(changes)} change(s) since the update of {old.get('at', '?')}")
    feeds_note = f"; {skipped_feeds} feeds file(s) with a feed skipped" if skipped_feeds else ""
    typer.echo(f"update: {', '.join(fetched) or 'nothing fetched'}; {skipped} file(s) skipped"
               f"{feeds_note}; {failed_sources} source(s) failed{lag}; {since_last}")
    if failed_sources:
        raise typer.Exit(1)
    if skipped or skipped_feeds:
        raise typer.Exit(SKIPPED_EXIT)


# -- status ----------------------------------------------------------------------------


def print_coverage(st: Store, days: int = 14) -> None:
    """Print the fetch ledger's last ``days`` days per source (nothing when never fetched)."""
    from rich.console import Console
    from rich.table import Table

    from detente.fetch import coverage, dedup_share

    table = coverage(st)
    if table.num_rows == 0:
        print_feeds(st)
        return
    rows = table.to_pylist()
    out = Table(title=f"fetched files per day (last {days} days fetched)", header_style="bold")
    for col in ("source", "day", "expected", "received", "missing upstream", "failed"):
        out.add_column(col, justify="left" if col in ("source", "day") else "right")
    by_source: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_source.setdefault(r["source"], []).append(r)
    for source, srows in by_source.items():
        for r in srows[-days:]:
            out.add_row(source, str(r["day"]), str(r["expected"]), str(r["received"]),
                        str(r["missing"]), f"[red]{r['failed']}[/red]" if r["failed"] else "0")
    con = Console()
    con.print(out)
    for source, srows in by_source.items():
        exp = sum(r["expected"] for r in srows)
        got = sum(r["received"] for r in srows)
        miss = sum(r["missing"] for r in srows)
        bad = sum(r["failed"] for r in srows)
        dups, seen = dedup_share(st, source)
        share = (f"; de-duplication removed {dups:,} of {seen:,} events "
                 f"({100.0 * dups / seen:.1f}%)") if seen else ""
        con.print(f"{source}: {got:,} of {exp:,} expected files received, {miss:,} missing "
                  f"upstream, {bad:,} failed, over {len(srows)} day(s){share}", highlight=False)
    print_feeds(st)


def print_feeds(st: Store) -> None:
    """Print each feed fetched: when last, how it went, the items kept and their events
    (nothing when no feed was ever fetched)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from detente.store._fetched import feeds_status

    rows = feeds_status(st)
    if not rows:
        return
    out = Table(title="feeds of statements", header_style="bold")
    for col in ("feed", "last fetched (UTC)", "status", "items kept", "events"):
        out.add_column(col, justify="right" if col in ("items kept", "events") else "left")
    for r in rows:
        when = r["last_fetched"].strftime("%Y-%m-%d %H:%M") if r["last_fetched"] else "—"
        status = r["status"] or "—"
        if r["status"] == "failed":
            status = f"[red]failed[/red]: {escape(r['detail'] or '')}"
        out.add_row(escape(r["feed"]), when, status, f"{r['items']:,}", f"{r['events']:,}")
    Console().print(out)


def register(app: typer.Typer) -> None:
    """Add `fetch gdelt` and `update` to ``app``."""
    group = typer.Typer(cls=HelpGroup, no_args_is_help=True,
                        help="Download published event data into the store (GDELT, feeds of statements).")
    group.command(name="gdelt")(fetch_gdelt_cmd)
    group.command(name="feeds")(fetch_feeds_cmd)
    app.add_typer(group, name="fetch")
    app.command(name="update")(update)
