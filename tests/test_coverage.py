"""Coverage per file: a period is complete, partial or missing, never an invented zero."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import icews_header, icews_line, write_lines
from detente import Store
from detente.series import IndicatorSpec, compute_indicators
from detente.series._coverage import (
    FileCoverage,
    period_coverage,
    publication_window,
    window_coverage,
)

D = dt.date


def _icews_file(folder: Path, name: str, days: list[str], first_id: int) -> Path:
    lines = [icews_header()]
    for i, day in enumerate(days):
        # alternate directions; the same ids never repeat across files
        src, tgt = (("Russian Federation", "United States") if i % 2 else
                    ("United States", "Russian Federation"))
        lines.append(icews_line(event_id=first_id + i, date=day, source_country=src,
                                target_country=tgt, cameo="040", story_id=str(first_id + i)))
    return write_lines(folder / name, lines)


def _days(first: dt.date, n: int, step: int = 1) -> list[str]:
    return [(first + dt.timedelta(days=i * step)).isoformat() for i in range(n)]


def _by_month(table: object) -> dict[tuple[int, int], tuple[str, int | None]]:
    return {(r["period_start"].year, r["period_start"].month): (r["coverage"], r["events"])
            for r in table.to_pylist()}  # type: ignore[attr-defined]


def test_publication_window_from_the_file_name() -> None:
    assert publication_window("20181004-icews-events.tab") == (D(2018, 10, 4), 1)
    assert publication_window("/x/20130401.export.CSV") == (D(2013, 4, 1), 1)
    assert publication_window("20150218231500.export.CSV.zip") == (D(2015, 2, 18), 96)
    assert publication_window("events.2018.sample.tab") is None
    assert publication_window("icews-2018-10-11.tab") is None
    assert publication_window("99999999-icews.tab") is None  # not a date


def test_status_needs_every_publication_day_to_the_end_plus_the_lag() -> None:
    days = tuple(D(2018, 10, 1) + dt.timedelta(days=i) for i in range(14))  # Oct 1..14
    cov = FileCoverage("icews", days)
    assert cov.status(D(2018, 10, 1), D(2018, 10, 7)) == "complete"  # needs Oct 1..14
    assert cov.status(D(2018, 10, 8), D(2018, 10, 14)) == "partial"  # needs Oct 8..21
    assert cov.status(D(2018, 10, 1), D(2018, 10, 7), lag=8) == "partial"
    assert cov.status(D(2018, 9, 1), D(2018, 9, 7)) == "none"
    gap = FileCoverage("icews", tuple(d for d in days if d != D(2018, 10, 3)))
    assert gap.status(D(2018, 10, 1), D(2018, 10, 7)) == "partial"
    assert FileCoverage("curated", (), curated=True).status(D(1990, 1, 1), D(1990, 1, 31)) \
        == "curated"


@pytest.fixture
def june_and_autumn(tmp_path: Path) -> Store:
    """A June 2018 daily file beside a file of October–November 2018 without a date in
    its name (a file compiled after the fact covers its own span)."""
    june = _icews_file(tmp_path, "20180615-icews-events.tab", _days(D(2018, 6, 10), 6), 100)
    autumn = _icews_file(tmp_path, "icews-2018-10-11.tab", _days(D(2018, 10, 1), 61), 1000)
    store = Store.open(tmp_path / "s.duckdb", with_chronology=False)
    store.ingest([june, autumn])
    return store


def test_months_no_file_covers_are_missing_not_zero(june_and_autumn: Store) -> None:
    table = compute_indicators(june_and_autumn, IndicatorSpec(datasets=("icews",),
                                                              baseline_periods=5))
    assert _by_month(table) == {
        (2018, 6): ("partial", 6),  # the file of 15 June covers only that day's reports
        (2018, 7): ("missing", None),
        (2018, 8): ("missing", None),
        # reports published on 1–7 October may still date events of late September
        (2018, 9): ("partial", 0),
        (2018, 10): ("complete", 31),
        # a file without a date in its name covers its span and the lag after it
        (2018, 11): ("complete", 30),
    }
    rows = {r["period_start"].month: r for r in table.to_pylist()}
    jul = rows[7]
    assert jul["low_evidence"] is True
    assert all(jul[c] is None for c in ("q1", "q4", "threats", "goldstein_sum", "dyad_events",
                                        "events_share", "relationship_index"))
    # the baselines skip the missing months: November's is the mean of June, September and
    # October (July and August are unknown), not of June, 0, 0, September and October
    assert rows[11]["events_baseline"] == pytest.approx((6 + 0 + 31) / 3)
    # October's window holds two known months of the three a baseline needs
    assert rows[10]["events_baseline"] is None


def test_daily_files_the_reporting_lag_and_a_missing_day(tmp_path: Path) -> None:
    files = []
    for i in range(14):  # reports published 1–14 October, except the 3rd
        day = D(2018, 10, 1) + dt.timedelta(days=i)
        if day == D(2018, 10, 3):
            continue
        # each daily file holds an event of its day and one dated two days earlier
        files.append(_icews_file(tmp_path, f"{day:%Y%m%d}-icews-events.tab",
                                 [day.isoformat(), (day - dt.timedelta(days=2)).isoformat()],
                                 10 * i))
    store = Store.open(tmp_path / "s.duckdb", with_chronology=False)
    store.ingest(files)
    table = compute_indicators(store, IndicatorSpec(datasets=("icews",), period="week"))
    got = {r["period_start"]: r["coverage"] for r in table.to_pylist()}
    assert got == {D(2018, 9, 24): "partial", D(2018, 10, 1): "partial",
                   D(2018, 10, 8): "partial"}
    lag0 = compute_indicators(store, IndicatorSpec(datasets=("icews",), period="week",
                                                   reporting_lag=0, since="2018-10-08"))
    assert [r["coverage"] for r in lag0.to_pylist()] == ["complete"]
    assert period_coverage(store, "icews", D(2018, 10, 8), "week", lag=0) == "complete"
    assert period_coverage(store, "icews", D(2018, 10, 1), "week", lag=0) == "partial"
    assert period_coverage(store, "icews", D(2018, 7, 2), "week") == "missing"
    # a condition's window of days: reports to 7 days after its end, the 3rd missing
    assert window_coverage(store, "icews", D(2018, 10, 4), D(2018, 10, 7)) == "complete"
    assert window_coverage(store, "icews", D(2018, 10, 4), D(2018, 10, 8)) == "partial"
    assert window_coverage(store, "icews", D(2018, 10, 2), D(2018, 10, 4), lag=0) == "partial"
    assert window_coverage(store, "icews", D(2018, 11, 1), D(2018, 11, 4)) == "missing"


def test_curated_periods_say_curated(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.duckdb")  # the chronology only
    table = compute_indicators(store, IndicatorSpec(since="2019-01-01", until="2019-12-31"))
    assert {r["coverage"] for r in table.to_pylist()} == {"curated"}
    # a hand-picked zero stays a count of what was picked, flagged as such
    assert any(r["events"] == 0 for r in table.to_pylist())
    assert period_coverage(store, "curated", D(2019, 5, 1), "month") == "curated"


def test_a_gdelt2_day_is_covered_once_its_96_files_are_in() -> None:
    from types import SimpleNamespace

    from detente.series import dataset_coverage

    def files(n: int) -> list[tuple[str, str, dt.date | None, dt.date | None]]:
        return [("gdelt2", f"201801{1 + i // 96:02d}{(i % 96) // 4:02d}{15 * (i % 4):02d}00"
                 ".export.CSV", None, None) for i in range(n)]

    def covered(spans: list[tuple[str, str, dt.date | None, dt.date | None]]) -> tuple[dt.date, ...]:
        fake = SimpleNamespace(queries=SimpleNamespace(file_spans=lambda: spans,
                                                       cached=lambda _key, make: make()))
        return dataset_coverage(fake)["gdelt2"].days  # type: ignore[arg-type]

    assert covered(files(96 + 95)) == (D(2018, 1, 1),)  # the 2nd lacks its last quarter hour
    assert covered(files(2 * 96)) == (D(2018, 1, 1), D(2018, 1, 2))
    # a single file of the first quarter hour (the real sample export) covers no whole day
    assert covered(files(1)) == ()
    # a file without a date covers its events' days and the lag after the last
    bulk = covered([("gdelt2", "usa-rus.export.CSV", D(2018, 3, 1), D(2018, 3, 3))])
    assert (bulk[0], bulk[-1], len(bulk)) == (D(2018, 3, 1), D(2018, 3, 10), 10)
