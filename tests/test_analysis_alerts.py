"""Alerts, boom and bust, and scoring, on crafted series whose answers are known by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from detente.analysis import boom_and_bust, crisis_periods, downward_spirals, escalations, score_alerts
from detente.analysis._alerts import alerts, baseline
from detente.analysis.synthetic import indicator_frame

D = dt.date


def test_spiral_needs_three_observed_periods_in_a_row_below_baseline() -> None:
    values = [1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0.2, None, 0.1, 0.3, 1]
    frame = indicator_frame(values, start=D(2020, 1, 1), extra={"relationship_index_baseline": [0.5] * 16})
    found = downward_spirals(frame)
    # Periods 4-6 (three below) and 11, 13, 14 (the empty 12 neither extends nor breaks); 8-9 are only two.
    assert [(a.start, a.end, a.periods) for a in found] == [
        (D(2020, 5, 1), D(2020, 7, 1), 3),
        (D(2020, 12, 1), D(2021, 3, 1), 3),
    ]
    assert found[1].value == pytest.approx((0.2 + 0.1 + 0.3) / 3)
    assert found[1].baseline == pytest.approx(0.5)


def test_spiral_run_length_is_a_parameter() -> None:
    values = [1, 0, 0, 1, 0, 0, 0, 0]
    frame = indicator_frame(values, extra={"relationship_index_baseline": [0.5] * 8})
    assert [a.periods for a in downward_spirals(frame, run=2)] == [2, 4]
    assert [a.periods for a in downward_spirals(frame, run=4)] == [4]


def test_own_baseline_is_the_mean_of_the_previous_twelve_observed() -> None:
    values = [float(v) for v in range(1, 21)]
    values[5] = float("nan")
    frame = indicator_frame(values)
    base = baseline(frame, "relationship_index")
    assert np.isnan(base[0]) and np.isnan(base[2])  # fewer than 3 earlier values
    assert base[3] == pytest.approx(np.mean([1, 2, 3]))
    prev = [v for v in values[2:14] if not np.isnan(v)]  # the 12 periods before period 14
    assert base[14] == pytest.approx(np.mean(prev))


def test_escalation_needs_floor_rise_and_evidence() -> None:
    share = [0.6, 0.6, 0.45, 0.9, 0.55]
    base = [0.3, 0.4, 0.1, 0.1, 0.3]
    events = [5, 5, 5, 2, 3]
    frame = indicator_frame([0.0] * 5, start=D(2022, 1, 1), events=events,
                            extra={"material_conflict_share": share,
                                   "material_conflict_share_baseline": base})
    found = escalations(frame)
    # 0: 0.6 >= 0.5 and +0.30 -> alert; 1: only +0.20; 2: below the floor; 3: 2 events; 4: +0.25 -> alert.
    assert [a.start for a in found] == [D(2022, 1, 1), D(2022, 5, 1)]
    assert found[0].value == pytest.approx(0.6) and found[0].baseline == pytest.approx(0.3)


def test_alerts_merges_both_kinds_in_time_order() -> None:
    frame = indicator_frame([1, 0, 0, 0, 1], start=D(2022, 1, 1), events=[5] * 5, extra={
        "relationship_index_baseline": [0.5] * 5,
        "material_conflict_share": [0.8, 0.1, 0.1, 0.1, 0.1],
        "material_conflict_share_baseline": [0.1] * 5,
    })
    assert [(a.kind, a.start) for a in alerts(frame)] == [
        ("escalation", D(2022, 1, 1)), ("downward_spiral", D(2022, 2, 1))]


def test_boom_and_bust_reads_how_far_and_how_fast() -> None:
    calm = [0.1, -0.1] * 10
    values = [*calm, 5.0, 3.0, 1.0, -1.0, 0.5, 0.1, None, 0.0]
    frame = indicator_frame(values, start=D(2015, 1, 1),
                            extra={"relationship_index_baseline": [0.0] * len(values)})
    (surge,) = boom_and_bust(frame, horizon=12)
    assert surge.period_start == D(2016, 9, 1)  # index 20
    assert surge.peak == 5.0 and surge.baseline == 0.0
    assert surge.low == -1.0 and surge.low_period == D(2016, 12, 1)
    assert surge.gave_back == pytest.approx(6.0 / 5.0)  # fell 6 points from a gain of 5
    assert surge.periods_to_baseline == 3
    assert surge.observed_after == 6


def test_boom_and_bust_merges_a_run_of_surge_periods_at_its_peak() -> None:
    values = [0.1, -0.1] * 10 + [4.0, 6.0, 2.0, 0.2]
    frame = indicator_frame(values, extra={"relationship_index_baseline": [0.0] * len(values)})
    (surge,) = boom_and_bust(frame, horizon=2)
    assert surge.peak == 6.0
    assert surge.low == 0.2 and surge.periods_to_baseline is None  # never back to 0 within 2 periods
    assert surge.gave_back == pytest.approx((6.0 - 0.2) / 6.0)


def _events(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame({"date": [pd.Timestamp(d) for d, _, _ in rows],
                         "quad_class": [q for _, q, _ in rows], "event_root": [r for _, _, r in rows]})


def test_crisis_periods_by_the_stated_rule() -> None:
    events = _events([
        ("2014-03-01", 4, "17"), ("2014-03-18", 4, "16"),  # two material-conflict events
        ("2014-05-02", 4, "16"),                            # one, no force: not a crisis
        ("2014-07-17", 4, "19"),                            # one use of force
        ("2014-08-20", 4, "18"),
        ("2015-01-05", 3, "11"), ("2015-01-06", 3, "11"), ("2015-01-07", 3, "11"),  # verbal only
    ])
    assert crisis_periods(events) == [D(2014, 3, 1), D(2014, 7, 1), D(2014, 8, 1)]
    assert crisis_periods(events, period="quarter") == [D(2014, 1, 1), D(2014, 7, 1)]


def test_score_counts_hits_misses_and_false_alarms() -> None:
    crises = [D(2014, 3, 1), D(2014, 7, 1), D(2014, 8, 1)]
    score = score_alerts([D(2014, 2, 1), D(2014, 10, 1), D(2016, 1, 1)], crises, tolerance=1)
    assert [(e.start, e.end, e.hit) for e in score.episodes] == [
        (D(2014, 3, 1), D(2014, 3, 1), True), (D(2014, 7, 1), D(2014, 8, 1), False)]
    assert (score.hits, score.misses, score.false_alarms) == (1, 1, 2)
    assert score.false_alarm_periods == [D(2014, 10, 1), D(2016, 1, 1)]
    assert score.recall == 0.5
    wider = score_alerts([D(2014, 2, 1), D(2014, 10, 1), D(2016, 1, 1)], crises, tolerance=2)
    assert (wider.hits, wider.misses, wider.false_alarms) == (2, 0, 1)


def test_score_without_crises_counts_every_alert_as_false() -> None:
    score = score_alerts([D(2020, 1, 1)], [])
    assert (score.hits, score.misses, score.false_alarms, score.recall) == (0, 0, 1, None)
