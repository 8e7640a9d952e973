"""Benchmark: the query layer against the commit before it (ec75ebb), side by side in one run.

Both versions run as whole processes from the same virtual environment, one after the
other, on the same synthetic stores:

- old: ``PYTHONPATH=<work>/before/src python -m detente ...``, where ``<work>/before`` is
  ``git archive ec75ebb`` (made once, reused; the repository gets no worktree entry);
  PYTHONPATH comes before the editable install's ``src`` on ``sys.path``, so it wins;
- new: ``python -m detente ...`` with the project's working tree (what is checked out,
  with any uncommitted change: the output says whether the tree is dirty, and warns if
  it changed during the run); or, with ``--new-commit REV``, a ``git archive`` of that
  commit run like the baseline, so that edits in progress cannot leak into the run;
- floor (indicators only): a ``python -c`` process that opens the store read-only with
  DuckDB alone and runs one hand-written query of the same monthly series (per
  dataset: events, quad-class counts, threats, force, plain and mentions-weighted
  Goldstein means, and the dataset's monthly total for the share), printing the rows;
  on the 1M store it gives the old code's values in every non-empty cell (the old code
  also fills empty months and computes the baselines, which the floor does not).

Each version has its own ``XDG_CACHE_HOME`` under the work folder (compiled queries and
the chart bundle are cached there), and every command is run once untimed before it is
timed. Then ``--repeat`` timed runs, old and new alternating (old first on even runs),
the median reported. Peak memory is the child's own maximum resident set, from
``os.wait4`` (exact per process). A command that fails in one version is reported as
``failed: <last line it wrote to stderr>``; the rest still runs.

Commands: ``detente --version``, ``detente --help`` (once, no store); at each size:
``indicators --dyad USA-RUS --period month``, ``playbook check``, ``brief -o FILE``.

Dashboard, at each size and for each version: ``detente serve`` on a free port of
127.0.0.1 until ``/api/datasets`` answers, then (a) the first
``/api/view?dyad=USA-RUS&period=month``, (b) the same again, median of 20 (a kept
answer), (c) 10 views each with a ``since=`` not asked before (1963-01-01 onwards,
before the first event: the whole history, no kept answer), (c') 10 more with a
``since=`` inside the data (1990 to 2017, see :data:`SINCE_INSIDE`: a cut history with a
partial first month); beside (c) and (c'), the server's CPU time per view (user and system,
every thread, from ``/proc``: a figure less swayed by other work on the machine than the
wall time, though it includes each kind's first-time work), (d) ``/brief`` twice, both
timed (the second may be a kept answer). Beside (a): the time from starting the server to
the first view answered (each version warms the opening view at start, one before it
answers ``/api/datasets``, one after), and the size of the view's body. The server is
stopped afterwards, whatever happened.

Stores come from ``synth_store.ensure_store`` (built once per size in the work folder
by the new code, reused; the old code reads the same file: the schema version is
unchanged). Building 10M events takes minutes.

    python bench/query_layer.py                              # 1M and 10M events, 3 runs
    python bench/query_layer.py --events 1000000 --repeat 1  # a quick check
    python bench/query_layer.py --events 1000000 --dashboard-only
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import httpx

BASELINE = "ec75ebb"
ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
DYAD = "USA-RUS"
VIEW = "/api/view"
VIEW_PARAMS = {"dyad": DYAD, "period": "month"}
SINCE_BEFORE = tuple(dt.date(1963, 1, 1) + dt.timedelta(days=k) for k in range(10))
"""Dates before the dyad's first event (1963-08-05): views of the whole history."""
SINCE_INSIDE = tuple(dt.date(1990 + 3 * k, 1 + k, 1 + 3 * k) for k in range(10))
"""Dates inside the data (1990-01-01 … 2017-10-28, none on a period's first day but the
first): views that cut the history, each with a partial first month."""

FLOOR_SQL = """
WITH dyad AS (
    SELECT dataset, date_trunc('month', date)::DATE AS month, quad_class, goldstein, event_root,
           CASE WHEN num_mentions > 0 THEN num_mentions::DOUBLE ELSE 1.0 END AS w
    FROM events
    WHERE (source_country = 'USA' AND target_country = 'RUS')
       OR (source_country = 'RUS' AND target_country = 'USA')
), cells AS (
    SELECT dataset, month, count(*) AS events,
           count(*) FILTER (WHERE quad_class = 1) AS q1, count(*) FILTER (WHERE quad_class = 2) AS q2,
           count(*) FILTER (WHERE quad_class = 3) AS q3, count(*) FILTER (WHERE quad_class = 4) AS q4,
           count(*) FILTER (WHERE event_root = '13') AS threats,
           count(*) FILTER (WHERE event_root IN ('18', '19', '20')) AS force,
           avg(goldstein) AS goldstein_mean,
           sum(goldstein * w) / nullif(sum(CASE WHEN goldstein IS NOT NULL THEN w END), 0)
               AS goldstein_weighted
    FROM dyad GROUP BY ALL
), totals AS (
    SELECT dataset, date_trunc('month', date)::DATE AS month, count(*) AS total
    FROM events GROUP BY ALL
)
SELECT c.*, CASE WHEN dataset <> 'curated' THEN c.events / t.total END AS events_share
FROM cells c LEFT JOIN totals t USING (dataset, month)
ORDER BY dataset, month
"""

FLOOR_CODE = (
    "import sys, duckdb\n"
    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "rows = con.execute(sys.argv[2]).fetchall()\n"
    "for r in rows:\n"
    "    print(*r, sep='\\t')\n"
    "print(len(rows), 'rows')\n"
)

BUILD_CODE = (
    "import sys\n"
    "from pathlib import Path\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from detente.store import Store\n"
    "if sys.argv[5] == 'old':  # before the query layer the connection was public\n"
    "    Store._con = property(lambda self: self.con)\n"
    "from synth_store import ensure_store\n"
    "path, took = ensure_store(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))\n"
    "print(path)\n"
    "print(took if took is not None else '')\n"
)


# -- processes ---------------------------------------------------------------------------


@dataclass
class Contender:
    """One version of detente, run as whole processes."""

    name: str
    env: dict[str, str]

    def detente(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "detente", *args]


def contenders(work: Path, new_tree: Path | None = None) -> dict[str, Contender]:
    """Return the old and new versions: the environment each runs in (``new_tree``: a
    tree of the new commit to run instead of the working tree)."""
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    base.update(COLUMNS="120", NO_COLOR="1", PYTHONUNBUFFERED="1")
    out = {}
    for name in ("old", "new"):
        env = dict(base, XDG_CACHE_HOME=str(work / f"cache-{name}"))
        if name == "old":
            env["PYTHONPATH"] = str(work / "before" / "src")
        else:  # this tree's own sources, whatever checkout the environment installed
            env["PYTHONPATH"] = str((new_tree or ROOT) / "src")
        (work / f"cache-{name}").mkdir(parents=True, exist_ok=True)
        out[name] = Contender(name, env)
    return out


@dataclass
class Run:
    """One finished process: wall time, peak resident memory, and how it ended."""

    seconds: float
    peak_mib: float
    code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    def failure(self) -> str:
        lines = [ln.strip() for ln in self.stderr.splitlines() if ln.strip()]
        last = lines[-1] if lines else f"exit code {self.code}, nothing on stderr"
        return f"failed: {last[:160]}"


def run(cmd: list[str], env: dict[str, str], timeout: float) -> Run:
    """Run ``cmd`` from the project folder; time it and read its peak memory (``wait4``)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        took = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        if proc.returncode == -signal.SIGKILL:
            stderr += f"\nkilled after {timeout:.0f} s"
        return Run(took, usage.ru_maxrss / 1024, proc.returncode,
                   out.read().decode("utf-8", "replace"), stderr)


# -- setup -------------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def extract(rev: str, tree: Path) -> Path:
    """Return ``tree``, holding the files of commit ``rev`` (``git archive``), made once."""
    if (tree / "src" / "detente" / "__init__.py").exists():
        return tree
    partial = tree.with_name(tree.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", rev], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(partial)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"git archive {rev} failed")
    partial.rename(tree)
    return tree


def build_store(work: Path, events: int, seed: int, who: Contender, timeout: float) -> Path:
    """Return the synthetic store of ``events`` events, building it with ``who`` if missing.

    A file under the store's name that holds fewer events (a command run on the path
    before the store was built makes a new store there, holding the chronology only) is
    moved aside and the store built again.
    """
    folder = work / ("stores" if who.name == "new" else "stores-built-by-old")
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        r = run([sys.executable, "-c", BUILD_CODE, str(BENCH), str(folder), str(events),
                 str(seed), who.name], who.env, timeout)
        if not r.ok:
            raise SystemExit(f"building the {events:,}-event store with the {who.name} code "
                             f"{r.failure()}\n{r.stderr[-3000:]}")
        lines = r.stdout.strip().splitlines()
        built = (f"built by the {who.name} code in {float(lines[1]):.0f} s"
                 if lines[1:] and lines[1] else f"reused (built by the {who.name} code)")
        path = Path(lines[0])
        con = duckdb.connect(str(path), read_only=True)
        try:
            total = _one(con, "SELECT count(*) FROM events")
            pair = _one(con, "SELECT count(*) FROM events WHERE (source_country = 'USA' AND "
                             "target_country = 'RUS') OR (source_country = 'RUS' AND "
                             "target_country = 'USA')")
        finally:
            con.close()
        if total >= events:
            print(f"store {_size(events)}: {path.name}, {total:,} events "
                  f"({path.stat().st_size / 2**20:,.0f} MiB), USA-RUS {pair:,}; {built}")
            return path
        aside = path.with_name(f"{path.name}.incomplete-{int(time.time())}")
        print(f"store {_size(events)}: {path.name} holds {total:,} events, not {events:,}: "
              f"moved aside to {aside.name}, building it again")
        path.rename(aside)
    raise SystemExit(f"the {events:,}-event store could not be built in {folder}")


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


# -- commands ----------------------------------------------------------------------------


@dataclass
class Measure:
    """Runs of one command by one contender: the median, or why it failed."""

    times: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    failed: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and not self.failed else None

    @property
    def peak(self) -> float | None:
        return max(self.peaks) if self.peaks and not self.failed else None


NEW_COLUMNS = ("publisher", "place", "place_country", "latitude", "longitude")
"""Canonical columns the baseline's schema (1) lacks."""


def schema1_copy(store: Path) -> Path:
    """Return ``store`` itself if its schema is the baseline's (1), else a copy of it with
    the columns added since dropped and schema 1 recorded (made once per store file): the
    same events, which the baseline can open. The new code upgrades a store in place the
    first time it writes to it."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    finally:
        con.close()
    if version is None or str(version[0]) == "1":
        return store
    copy = store.with_name(f"{store.stem}-schema1.duckdb")
    if copy.exists() and copy.stat().st_mtime >= store.stat().st_mtime:
        return copy
    tmp = copy.with_suffix(".tmp")
    shutil.copyfile(store, tmp)
    con = duckdb.connect(str(tmp))
    try:
        have = {str(r[0]) for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'"
        ).fetchall()}
        for name in NEW_COLUMNS:
            if name in have:
                con.execute(f'ALTER TABLE events DROP COLUMN "{name}"')
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    tmp.replace(copy)
    return copy


def store_commands(who: dict[str, Contender], store: Path,
                   work: Path) -> dict[str, dict[str, list[str]]]:
    """Return the commands run on ``store``: for each, what each contender runs (the
    baseline on a copy of the same events in its own schema, see :func:`schema1_copy`)."""
    paths = {"new": str(store), "old": str(schema1_copy(store))}
    return {
        "indicators": {
            **{c: who[c].detente("indicators", "--dyad", DYAD, "--period", "month", "--store",
                                 paths[c]) for c in ("old", "new")},
            "floor": [sys.executable, "-c", FLOOR_CODE, paths["new"], FLOOR_SQL],
        },
        "playbook check": {c: who[c].detente("playbook", "check", "--store", paths[c])
                           for c in ("old", "new")},
        "brief": {c: who[c].detente("brief", "-o", str(work / f"brief-{c}.html"), "--store",
                                    paths[c]) for c in ("old", "new")},
    }


def measure(commands: dict[str, list[str]], envs: dict[str, dict[str, str]], repeat: int,
            timeout: float) -> dict[str, Measure]:
    """Warm each contender's command once, then ``repeat`` timed runs, alternating."""
    out = {name: Measure() for name in commands}
    for name, cmd in commands.items():
        r = run(cmd, envs[name], timeout)
        if not r.ok:
            out[name].failed = r.failure()
    names = list(commands)
    for i in range(repeat):
        for name in names if i % 2 == 0 else [*names[:2][::-1], *names[2:]]:
            m = out[name]
            if m.failed:
                continue
            r = run(commands[name], envs[name], timeout)
            if not r.ok:
                m.failed = r.failure()
                continue
            m.times.append(r.seconds)
            m.peaks.append(r.peak_mib)
    return out


def _size(events: int | None) -> str:
    if events is None:
        return "-"
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if events >= div and events % div == 0:
            return f"{events // div}{unit}"
    return f"{events:,}"


def _s(m: Measure | None) -> str:
    if m is None:
        return ""
    return m.failed if m.failed else f"{m.median:.2f}"


def _ratio(a: Measure | None, b: Measure | None, fmt: str = "{:.2f}x") -> str:
    if a is None or b is None or a.median is None or b.median is None or b.median == 0:
        return ""
    return fmt.format(a.median / b.median)


def _peak(m: Measure | None) -> str:
    return "" if m is None or m.peak is None else f"{m.peak:.0f}"


def print_table(rows: list[tuple[str, int | None, dict[str, Measure]]]) -> None:
    head = ("command", "size", "old s", "new s", "new/old", "floor s", "new/floor",
            "peak MiB old/new")
    cells = [head]
    notes: list[str] = []

    def shown(m: Measure | None, label: str, events: int | None, who: str) -> str:
        if m is not None and m.failed:  # the message goes under the table
            notes.append(f"[{len(notes) + 1}] {label}, {_size(events)}, {who}: {m.failed}")
            return f"failed [{len(notes)}]"
        return _s(m)

    for label, events, ms in rows:
        cells.append((label, _size(events), shown(ms.get("old"), label, events, "old"),
                      shown(ms.get("new"), label, events, "new"),
                      _ratio(ms.get("new"), ms.get("old")),
                      shown(ms.get("floor"), label, events, "floor"),
                      _ratio(ms.get("new"), ms.get("floor"), "{:.1f}x"),
                      f"{_peak(ms.get('old'))}/{_peak(ms.get('new'))}"))
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    for n, row in enumerate(cells):
        print("  " + "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))
    for note in notes:
        print("  " + note)


# -- dashboard ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(client: httpx.Client, path: str, params: dict[str, str] | None = None) -> float:
    """Return the seconds until ``path`` answers 200 (asking again after ``Retry-After``
    while it answers 503: an answer past the server's time limit is finished and kept)."""
    t = time.perf_counter()
    while True:
        r = client.get(path, params=params)
        if r.status_code != 503 or "Retry-After" not in r.headers:
            break
        time.sleep(float(r.headers["Retry-After"]))
    took = time.perf_counter() - t
    if r.status_code != 200:
        raise RuntimeError(f"{path} answered {r.status_code}: {r.text[:200]}")
    return took


def _cpu(pid: int) -> float:
    """Return the CPU seconds (user and system, every thread) process ``pid`` used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dashboard(who: Contender, store: Path, work: Path, timeout: float) -> dict[str, Any]:
    """Serve ``store`` with ``who``'s code and time the views; the server is always stopped."""
    port = _free_port()
    log = work / f"serve-{who.name}.log"
    t0 = time.perf_counter()
    with log.open("wb") as fh:
        server = subprocess.Popen(who.detente("serve", "--store", str(store), "--host",
                                              "127.0.0.1", "--port", str(port)),
                                  cwd=ROOT, env=who.env, stdout=fh, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
    out: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout,
                          trust_env=False) as client:
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"serve exited ({server.returncode})")
                try:
                    if client.get("/api/datasets").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - t0 > timeout:
                    raise RuntimeError(f"serve did not answer within {timeout:.0f} s")
                time.sleep(0.05)
            out["ready"] = time.perf_counter() - t0
            out["first"] = _get(client, VIEW, VIEW_PARAMS)
            out["start_to_first"] = out["ready"] + out["first"]
            out["view_kib"] = len(client.get(VIEW, params=VIEW_PARAMS).content) / 1024
            out["again"] = statistics.median(_get(client, VIEW, VIEW_PARAMS) for _ in range(20))
            for key, days in (("new_since", SINCE_BEFORE), ("new_since_inside", SINCE_INSIDE)):
                cpu = _cpu(server.pid)
                took = [_get(client, VIEW, {**VIEW_PARAMS, "since": day.isoformat()})
                        for day in days]
                out[key] = statistics.median(took)
                out[f"{key}_cpu"] = (_cpu(server.pid) - cpu) / len(days)
            out["brief_first"] = _get(client, "/brief")
            out["brief"] = _get(client, "/brief")
    except Exception as exc:  # reported in the table; the run goes on
        lines = [ln for ln in log.read_text("utf-8", "replace").splitlines() if ln.strip()]
        out["failed"] = f"failed: {exc}" + (f" (log: {lines[-1].strip()[:120]})" if lines else "")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            killer = threading.Timer(30, server.kill)  # if it does not stop when asked
            killer.start()
            try:
                _, status, usage = os.wait4(server.pid, 0)
                server.returncode = os.waitstatus_to_exitcode(status)
                out["peak"] = usage.ru_maxrss / 1024
            finally:
                killer.cancel()
    return out


DASH_ROWS = (("ready", "server ready (/api/datasets answers)"),
             ("first", "(a) first view, month"),
             ("start_to_first", "(a') server start to first view answered"),
             ("again", "(b) same view again, median of 20"),
             ("new_since", "(c) 10 new since= before the data, median"),
             ("new_since_cpu", "(c) server CPU per view, mean of the 10"),
             ("new_since_inside", "(c') 10 new since= inside the data, median"),
             ("new_since_inside_cpu", "(c') server CPU per view, mean of the 10"),
             ("brief_first", "(d) /brief, first time"),
             ("brief", "(d) /brief, second time"))


def print_dashboard(results: list[tuple[int, dict[str, dict[str, Any]]]]) -> None:
    head = ("dashboard", "size", "old ms", "new ms", "new/old")
    cells = [head]
    for events, res in results:
        old, new = res["old"], res["new"]
        for key, label in DASH_ROWS:
            o, n = old.get(key), new.get(key)
            cells.append((label, _size(events),
                          f"{o * 1000:.0f}" if o is not None else old.get("failed", ""),
                          f"{n * 1000:.0f}" if n is not None else new.get("failed", ""),
                          f"{n / o:.2f}x" if o and n is not None else ""))
        cells.append(("view body KiB (charts' data)", _size(events),
                      f"{old['view_kib']:.0f}" if "view_kib" in old else "",
                      f"{new['view_kib']:.0f}" if "view_kib" in new else "",
                      f"{new['view_kib'] / old['view_kib']:.2f}x" if "view_kib" in old
                      and "view_kib" in new else ""))
        cells.append(("server peak MiB", _size(events),
                      f"{old['peak']:.0f}" if "peak" in old else "",
                      f"{new['peak']:.0f}" if "peak" in new else "",
                      f"{new['peak'] / old['peak']:.2f}x" if "peak" in old and "peak" in new
                      else ""))
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    for n, row in enumerate(cells):
        print("  " + "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


# -- main --------------------------------------------------------------------------------


def _machine() -> str:
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    model = "?"
    with contextlib.suppress(OSError):
        model = next((ln.split(":", 1)[1].strip() for ln in
                      Path("/proc/cpuinfo").read_text().splitlines()
                      if ln.startswith("model name")), "?")
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return (f"machine: nproc {nproc}, platform.processor() {platform.processor()!r}, "
            f"{model} ({platform.machine()}), memory {mem}, {platform.system()} "
            f"{platform.release()}, python {platform.python_version()}, "
            f"duckdb {duckdb.__version__}")


def _tree_state() -> str:
    """Return whether the working tree under ``src/`` differs from HEAD (and how)."""
    dirty = git("status", "--porcelain", "--", "src")
    head = git("rev-parse", "--short", "HEAD")
    return (f"DIRTY at {head}: {len(dirty.splitlines())} paths changed, uncommitted" if dirty
            else f"clean at {head}")


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _versions(who: dict[str, Contender], timeout: float) -> None:
    for c in who.values():
        r = run([sys.executable, "-c", "import detente; print(detente.__file__)"], c.env, timeout)
        print(f"  {c.name}: detente from {r.stdout.strip() if r.ok else r.failure()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 10_000_000],
                        help="store sizes")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each command")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "detente-query-layer",
                        help="folder for the baseline tree, the stores and the caches")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds a command or a request may take before it counts as failed")
    parser.add_argument("--build-with", choices=("new", "old"), default="new",
                        help="code that builds the stores (old: while the new tree is broken; "
                             "kept apart from the stores the new code builds)")
    parser.add_argument("--new-commit", metavar="REV",
                        help="run this commit (a git archive of it, like the baseline) as the "
                             "new side, not the working tree: edits in progress cannot leak in")
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--dashboard-only", action="store_true",
                        help="time the dashboard alone (no whole-process commands)")
    args = parser.parse_args()
    if args.repeat < 1 or any(n < 1 for n in args.events):
        parser.error("--events and --repeat must be positive")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    lock = (work / ".lock").open("w")  # held until the process ends
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(f"another run of this benchmark is using {work}; give --work") from None
    sizes = sorted(set(args.events))

    started = time.perf_counter()
    print(f"query layer benchmark, {dt.datetime.now().isoformat(timespec='seconds')}")
    print(_machine())
    print(f"baseline commit: {BASELINE} ({git('log', '-1', '--format=%h %s', BASELINE)[:90]})")
    extract(BASELINE, work / "before")
    new_tree = None
    if args.new_commit:
        rev = git("rev-parse", "--short", args.new_commit)
        new_tree = extract(rev, work / f"new-{rev}")
        print(f"new commit: {rev} ({git('log', '-1', '--format=%s', rev)[:90]}); run from a "
              f"git archive of it (no uncommitted change); HEAD is "
              f"{git('rev-parse', '--short', 'HEAD')}")
    tree = _tree_state()
    if new_tree is None:
        print(f"new commit: {git('rev-parse', '--short', 'HEAD')} "
              f"({git('log', '-1', '--format=%s', 'HEAD')[:90]}); working tree under src/ {tree}")
    who = contenders(work, new_tree)
    _versions(who, args.timeout)
    print(f"work folder: {work}; repeat {args.repeat}, median reported; {_load()}")

    stores = {n: build_store(work, n, args.seed, who[args.build_with], args.timeout) for n in sizes}
    envs = {"old": who["old"].env, "new": who["new"].env, "floor": who["new"].env}

    rows: list[tuple[str, int | None, dict[str, Measure]]] = []
    for flag in () if args.dashboard_only else ("--version", "--help"):
        rows.append((f"detente {flag}", None,
                     measure({c: who[c].detente(flag) for c in ("old", "new")}, envs,
                             args.repeat, args.timeout)))
    for n in () if args.dashboard_only else sizes:
        for label, commands in store_commands(who, stores[n], work).items():
            rows.append((label, n, measure(commands, envs, args.repeat, args.timeout)))
            print(f"  measured {label} at {_size(n)} ({time.perf_counter() - started:.0f} s)",
                  flush=True)

    if rows:
        print()
        print("whole processes, seconds (median of --repeat; floor: DuckDB alone, one "
              "hand-written query)")
        print_table(rows)
    if rows and len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        print()
        print(f"growth {_size(hi)}/{_size(lo)} (time at {_size(hi)} over time at {_size(lo)}):")
        by = {(label, n): ms for label, n, ms in rows}
        for label in ("indicators", "playbook check", "brief"):
            parts = []
            for c in ("new", "old", "floor"):
                a, b = by[(label, hi)].get(c), by[(label, lo)].get(c)
                if a is not None and b is not None:
                    parts.append(f"{c} {_ratio(a, b, '{:.1f}x') or 'n/a'}")
            print(f"  {label}: " + ", ".join(parts))

    if not args.skip_dashboard:
        dash: list[tuple[int, dict[str, dict[str, Any]]]] = []
        for i, n in enumerate(sizes):
            order = ("old", "new") if i % 2 == 0 else ("new", "old")
            res = {c: dashboard(who[c], stores[n] if c == "new" else schema1_copy(stores[n]),
                                work, args.timeout) for c in order}
            dash.append((n, res))
            print(f"  measured the dashboard at {_size(n)} ({time.perf_counter() - started:.0f} s)",
                  flush=True)
        print()
        print("dashboard over HTTP, milliseconds (one server per version and size)")
        print_dashboard(dash)
    print()
    if new_tree is None and _tree_state() != tree:
        print(f"WARNING: the tree under src/ changed during the run (now "
              f"{git('rev-parse', '--short', 'HEAD')}, {_tree_state()}): the new side mixes versions")
    print(f"done in {time.perf_counter() - started:.0f} s; {_load()}")


if __name__ == "__main__":
    main()
