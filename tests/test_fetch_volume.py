"""Counts per 1,000 GDELT events: totals recorded by event date when fetching, and the
indicators' ``per_1000`` figures, checked against counts made here from the rows written."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from _fetch_server import Server, export2, publish2, serve
from conftest import actor, gdelt2_line
from detente import Store
from detente.cli.app import app
from detente.errors import QueryError
from detente.fetch import FetchOptions, fetch_gdelt
from detente.series import IndicatorSpec, compute_indicators

ACTORS = {
    "USA": actor("USAGOV", "UNITED STATES", "USA", type1="GOV"),
    "RUS": actor("RUS", "RUSSIA", "RUS"),
    "UKR": actor("UKR", "UKRAINE", "UKR"),
    "CHN": actor("CHN", "CHINA", "CHN"),
}
CODES = ["010", "036", "042", "057", "061", "0831", "111", "130", "138", "141", "163", "173",
         "180", "190", "195", "200"]
PAIRS = [("USA", "RUS"), ("RUS", "USA"), ("USA", "UKR"), ("RUS", "UKR"), ("UKR", "RUS"),
         ("CHN", "USA"), ("CHN", "RUS")]


@dataclass(frozen=True)
class Row:
    event_id: int
    day: date
    source: str
    target: str
    code: str

    def fields(self) -> dict[str, object]:
        return {"event_id": self.event_id, "date": f"{self.day:%Y%m%d}",
                "actor1": ACTORS[self.source], "actor2": ACTORS[self.target], "code": self.code}


def _files(seed: int = 7) -> list[tuple[str, list[Row]]]:
    """Six 15-minute files published on 1 and 2 March 2026 whose events are dated up to
    ten days before (February too); a few events re-emitted by a later file."""
    rng = random.Random(seed)
    out: list[tuple[str, list[Row]]] = []
    next_id = 5000
    earlier: list[Row] = []
    for stamp in ("20260301000000", "20260301001500", "20260301003000",
                  "20260302000000", "20260302001500", "20260302003000"):
        published = date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
        rows: list[Row] = []
        for _ in range(rng.randint(25, 40)):
            src, tgt = rng.choice(PAIRS)
            rows.append(Row(next_id, published - timedelta(days=rng.choice([0, 0, 0, 1, 3, 10])),
                            src, tgt, rng.choice(CODES)))
            next_id += 1
        rows += rng.sample(earlier, min(3, len(earlier)))  # GDELT re-emits events
        earlier += rows
        out.append((stamp, rows))
    # the dyad's last event is on the last day, so the as-of date keeps every row
    out[-1][1].append(Row(next_id, date(2026, 3, 2), "USA", "RUS", "130"))
    return out


def _expected(files: list[tuple[str, list[Row]]], dyad: tuple[str, str],
              direction: tuple[str, str] | None = None) -> dict[date, dict[str, float | None]]:
    """Per month: the dyad's events, threats and uses of force per 1,000 of all events of
    the same month, counted from the rows written (each event once)."""
    seen: dict[int, Row] = {}
    for _, rows in files:
        for r in rows:
            seen.setdefault(r.event_id, r)
    out: dict[date, dict[str, float | None]] = {}
    for month in (date(2026, 2, 1), date(2026, 3, 1)):
        every = [r for r in seen.values() if r.day.replace(day=1) == month]
        mine = [r for r in every if ((r.source, r.target) == direction if direction
                                     else {r.source, r.target} == set(dyad))]
        figures: dict[str, float | None] = {}
        for name, roots in (("events_per_1000", None), ("threats_per_1000", {"13"}),
                            ("force_per_1000", {"18", "19", "20"})):
            whole = sum(1 for r in every if roots is None or r.code[:2] in roots)
            part = sum(1 for r in mine if roots is None or r.code[:2] in roots)
            figures[name] = 1000.0 * part / whole if whole else None
        out[month] = figures
    return out


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as s:
        yield s


def _publish(server: Server, files: list[tuple[str, list[Row]]]) -> None:
    exports = {}
    for stamp, rows in files:
        name, data = export2(stamp, [r.fields() for r in rows])
        exports[name] = data
    publish2(server, exports)


def _fetch(server: Server, store: Path, tmp: Path, since: date, until: date,
           **kw: Any) -> None:
    opts = FetchOptions(since=since, until=until, base_url=server.url + "/gdeltv2/", jobs=2,
                        timeout=2.0, retries=0, download_dir=tmp / "dl", **kw)
    res = fetch_gdelt(lambda: Store.open(store, with_chronology=False), opts)
    assert res.failed == [], res.failed


def _by_month(table: Any, direction: str) -> dict[date, dict[str, Any]]:
    return {r["period_start"]: r for r in table.to_pylist() if r["direction"] == direction}


def _close(got: dict[str, Any], want: dict[str, float | None]) -> None:
    for name, value in want.items():
        if value is None:
            assert got[name] is None, name
        else:
            assert got[name] == pytest.approx(value, rel=1e-12), name


def test_per_1000_counts_the_same_events_by_event_date(server: Server, tmp_path: Path) -> None:
    files = _files()
    _publish(server, files)
    store = tmp_path / "s.duckdb"
    _fetch(server, store, tmp_path, date(2026, 3, 1), date(2026, 3, 2))
    # a file ingested by hand has no totals: its events count in neither part
    hand = tmp_path / "20260115000000.export.CSV"
    hand.write_text("\n".join(gdelt2_line(event_id=eid, date=day, code="190",
                                          date_added="20260115000000")
                              for eid, day in ((9001, "20260115"), (9002, "20260301"))) + "\n")
    with Store.open(store, with_chronology=False) as st:
        st.ingest_file(hand)
        rows = st._con.execute("SELECT count(*), count(DISTINCT date) FROM source_date_totals"
                               ).fetchone()
        assert rows is not None and rows[1] > 6  # keyed by the events' dates, not the files'
        spec = IndicatorSpec(dyad=("USA", "RUS"), datasets=("gdelt2",), per_1000=True,
                             split_directions=True)
        split = compute_indicators(st, spec)
        pooled = compute_indicators(st, IndicatorSpec(dyad=("USA", "RUS"), datasets=("gdelt2",),
                                                      per_1000=True))
        plain = compute_indicators(st, IndicatorSpec(dyad=("USA", "RUS"), datasets=("gdelt2",)))
    assert "events_per_1000" not in plain.column_names
    assert pooled.schema.metadata[b"as_of"] == b"2026-03-02"
    months = _by_month(pooled, "USA-RUS")
    assert sorted(months) == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    # January holds only the hand-ingested event: no totals, so no figure (never 0)
    assert months[date(2026, 1, 1)]["events"] == 1
    assert all(months[date(2026, 1, 1)][c] is None
               for c in ("events_per_1000", "threats_per_1000", "force_per_1000"))
    want = _expected(files, ("USA", "RUS"))
    for month in (date(2026, 2, 1), date(2026, 3, 1)):
        _close(months[month], want[month])
    assert want[date(2026, 2, 1)]["events_per_1000"]  # February's come from March's files
    for src, tgt in (("USA", "RUS"), ("RUS", "USA")):
        got = _by_month(split, f"{src}->{tgt}")
        want = _expected(files, ("USA", "RUS"), (src, tgt))
        for month in (date(2026, 2, 1), date(2026, 3, 1)):
            _close(got[month], want[month])
    # a Parquet archive of the store carries the totals and gives the same figures
    arch = tmp_path / "archive"
    with Store.open(store, read_only=True) as st:
        st.export_archive(arch, "year/month")
    with Store.open(arch) as a:
        assert compute_indicators(a, IndicatorSpec(dyad=("USA", "RUS"), datasets=("gdelt2",),
                                                   per_1000=True)).equals(pooled)
    # the untagged share and the coverage flags are kept beside the figures
    assert {r["coverage"] for r in months.values()} <= {"partial", "complete", "missing"}
    assert [r["untagged_share"] for r in months.values()] == [
        r["untagged_share"] for r in _by_month(plain, "USA-RUS").values()]


def test_country_filter_keeps_the_denominator_and_drops_dyads_it_left_out(
        server: Server, tmp_path: Path) -> None:
    files = _files(seed=11)
    _publish(server, files)
    store = tmp_path / "s.duckdb"
    # 1 March fetched for USA and Russia only, 2 March whole
    _fetch(server, store, tmp_path, date(2026, 3, 1), date(2026, 3, 1), countries=("USA", "RUS"))
    _fetch(server, store, tmp_path, date(2026, 3, 2), date(2026, 3, 2))
    with Store.open(store, read_only=True) as st:
        usa_rus = _by_month(compute_indicators(st, IndicatorSpec(
            dyad=("USA", "RUS"), datasets=("gdelt2",), per_1000=True)), "USA-RUS")
        rus_ukr = _by_month(compute_indicators(st, IndicatorSpec(
            dyad=("RUS", "UKR"), datasets=("gdelt2",), per_1000=True)), "RUS-UKR")
    # USA-RUS: every file counts, its totals taken before the filter; an event the filter
    # removed and a later file repeats is not in the store to be known again, so it
    # counts once per file that carries it (a kept one, once)
    kept_usa_rus = {r.event_id for _, rows in files for r in rows
                    if {r.source, r.target} == {"USA", "RUS"}}
    as_read = []
    for n, (stamp, rows) in enumerate(files):
        renamed = {r.event_id: r for r in rows}.values()  # a file's own repeats: once
        as_read.append((stamp, [r if r.event_id in kept_usa_rus or not stamp.startswith("20260301")
                                else Row(r.event_id + 100_000 * (n + 1), r.day, r.source, r.target,
                                         r.code) for r in renamed]))
    want = _expected(as_read, ("USA", "RUS"))
    for month in (date(2026, 2, 1), date(2026, 3, 1)):
        _close(usa_rus[month], want[month])
    # RUS-UKR: the files of 1 March left its events out, so only 2 March's count
    # (a USA-RUS event of 1 March re-emitted on 2 March was stored from 1 March: a repeat)
    kept_day1 = {r.event_id for stamp, rows in files if stamp.startswith("20260301")
                 for r in rows if {r.source, r.target} == {"USA", "RUS"}}
    day2 = [(stamp, [r for r in rows if r.event_id not in kept_day1])
            for stamp, rows in files if stamp.startswith("20260302")]
    want = _expected(day2, ("RUS", "UKR"))
    for month in (date(2026, 2, 1), date(2026, 3, 1)):
        if month in rus_ukr:
            _close(rus_ukr[month], want[month])
    assert rus_ukr[date(2026, 3, 1)]["events_per_1000"]


def test_per_1000_without_totals_is_empty_and_refuses_other_filters(tmp_path: Path) -> None:
    path = tmp_path / "20260115000000.export.CSV"
    path.write_text(gdelt2_line(event_id=1, date="20260115") + "\n")
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as st:
        st.ingest_file(path)
        table = compute_indicators(st, IndicatorSpec(datasets=("gdelt2",), per_1000=True))
    assert table.num_rows == 1 and table.column("events").to_pylist() == [1]
    assert table.column("events_per_1000").to_pylist() == [None]
    with pytest.raises(QueryError, match="one_a_day and min_sources"):
        IndicatorSpec(per_1000=True, one_a_day=True)


def test_cli_per_1000_column(server: Server, tmp_path: Path) -> None:
    files = _files()
    _publish(server, files)
    store = tmp_path / "s.duckdb"
    _fetch(server, store, tmp_path, date(2026, 3, 1), date(2026, 3, 2))
    runner = CliRunner(env={"COLUMNS": "220"})
    out = runner.invoke(app, ["indicators", "--dataset", "gdelt2", "--per-1000", "--as", "csv",
                              "--store", str(store)])
    assert out.exit_code == 0, out.output
    header, *lines = out.stdout.strip().splitlines()
    cols = header.split(",")
    want = _expected(files, ("USA", "RUS"))
    got = {line.split(",")[cols.index("period_start")]:
           float(line.split(",")[cols.index("events_per_1000")]) for line in lines}
    assert got == pytest.approx({str(m): v["events_per_1000"] for m, v in want.items()})
    table = runner.invoke(app, ["indicators", "--dataset", "gdelt2", "--per-1000",
                                "--store", str(store)])
    assert table.exit_code == 0 and "per_1k" in table.stdout
    bad = runner.invoke(app, ["indicators", "--per-1000", "--one-a-day", "--store", str(store)])
    assert bad.exit_code != 0 and "one_a_day" in bad.output
