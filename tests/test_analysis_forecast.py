"""Forecasts: CRPS against numerical integration, AR forecasts by hand, backtest against baselines."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy.stats import norm

from detente.analysis import AnalysisError, backtest, crps_normal, forecast
from detente.analysis._forecasting import _ar_predict
from detente.analysis._scoring_rules import _crps
from detente.analysis.synthetic import indicator_frame


def _ar1(n: int, phi: float, c: float = 0.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = np.empty(n)
    y[0] = c / (1 - phi)
    for t in range(1, n):
        y[t] = c + phi * y[t - 1] + rng.normal()
    return y


@pytest.mark.parametrize(("y", "mu", "sd"), [(0.0, 0.0, 1.0), (1.3, -0.2, 0.7), (-4.0, 1.0, 2.5)])
def test_crps_matches_its_integral_definition(y: float, mu: float, sd: float) -> None:
    # CRPS = integral of (F(x) - 1{x >= y})^2 dx, by the trapezoid rule on a fine grid.
    x = np.linspace(mu - 12 * sd - abs(y), mu + 12 * sd + abs(y), 200_001)
    f = norm.cdf(x, mu, sd) - (x >= y)
    assert float(crps_normal(y, mu, sd)) == pytest.approx(np.trapezoid(f**2, x), rel=1e-4)
    assert _crps(y, mu, sd) == pytest.approx(float(crps_normal(y, mu, sd)), rel=1e-12, abs=1e-15)


def test_ar_forecast_mean_and_spread_by_hand() -> None:
    # A noiseless-looking AR(1) with known coefficients: least squares recovers them,
    # and the h-step mean is c (1 + phi + ... + phi^(h-1)) + phi^h y_T.
    y = _ar1(2000, 0.6, c=1.0, seed=1)
    mean, sd, p = _ar_predict(y, 3)
    assert p == 1
    phi, c = 0.6, 1.0
    expect = [c + phi * y[-1], c * (1 + phi) + phi**2 * y[-1], c * (1 + phi + phi**2) + phi**3 * y[-1]]
    assert mean == pytest.approx(expect, abs=0.1)
    assert sd == pytest.approx([1.0, np.sqrt(1 + phi**2), np.sqrt(1 + phi**2 + phi**4)], rel=0.06)


def test_forecast_has_dates_and_central_interval() -> None:
    frame = indicator_frame(_ar1(60, 0.7, seed=2), start=dt.date(2020, 1, 1))
    fc = forecast(frame, horizon=3)
    assert fc.period_starts == [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    z = norm.ppf(0.9)
    assert fc.upper == pytest.approx([m + z * s for m, s in zip(fc.mean, fc.sd, strict=True)])
    assert fc.sd[0] < fc.sd[1] < fc.sd[2]


def test_backtest_credits_the_model_only_against_the_best_baseline_with_an_interval() -> None:
    # A persistent AR(1) around a level far from 0: the model beats last value, climatology
    # and zero clearly, and its 80% intervals cover about 80%.
    y = _ar1(260, 0.6, c=2.0, seed=3)
    bt = backtest(y, horizon=3, max_origins=120)
    by = {(s["model"], s["horizon"]): s for s in bt.scores}
    assert {m for m, _ in by} == {"model", "no_change", "seasonal_mean", "zero"}
    assert by[("model", 1)]["n"] == 120
    for step in bt.steps:
        rivals = {m: by[(m, step["horizon"])]["crps"] for m in ("no_change", "seasonal_mean", "zero")}
        assert step["best_baseline"] == min(rivals, key=rivals.__getitem__)
        assert step["origins"] == 120 and step["upper"] < 0
    assert bt.verdict == "beats_baselines" and bt.beats_baselines
    assert "beats the baselines" in bt.verdict_text and "120 rolling origins" in bt.verdict_text
    cover = np.mean([by[("model", h)]["coverage"] for h in (1, 2, 3)])
    assert 0.7 <= cover <= 0.9


def test_a_small_gain_is_not_a_claim() -> None:
    # AR(0.5) around 0: the model is a little better than no change, but over 60 origins the
    # 90% interval of the difference still reaches 0 at some step.
    bt = backtest(_ar1(160, 0.5, seed=3), horizon=3, max_origins=60)
    crps = {(s["model"], s["horizon"]): s["crps"] for s in bt.scores}
    assert crps[("model", 1)] < crps[("no_change", 1)]
    assert bt.verdict == "does_not_beat_baselines" and not bt.beats_no_change
    assert any(s["lower"] < 0 < s["upper"] for s in bt.steps)


def test_fewer_than_twelve_origins_are_not_enough_history_to_judge() -> None:
    y = _ar1(40, 0.6, c=2.0, seed=3)
    bt = backtest(y, horizon=1, min_train=29)  # origins 29 .. 39: 11 of them
    assert bt.origins == 11 and bt.steps[0]["origins"] == 11
    assert bt.verdict == "not_enough_history" and not bt.beats_baselines
    assert bt.verdict_text.startswith("not enough history to judge: 11 rolling origins")
    bt = backtest(y, horizon=1, min_train=28)
    assert bt.steps[0]["origins"] == 12 and bt.verdict != "not_enough_history"


def test_diebold_mariano_interval_by_hand() -> None:
    from scipy.stats import t

    from detente.analysis._forecasting import diebold_mariano
    from detente.analysis._scoring_rules import _t_quantile

    d = np.array([-0.3, -0.1, -0.4, 0.2, -0.5, -0.2, -0.1, -0.3, 0.1, -0.6, -0.2, -0.4, -0.1, -0.3])
    n = len(d)
    mean, lo, hi = diebold_mariano(d, horizon=1)
    se = np.sqrt(np.mean((d - d.mean()) ** 2) / n) / np.sqrt((n - 1) / n)
    q = t.ppf(0.95, n - 1)
    assert mean == pytest.approx(d.mean())
    assert (lo, hi) == pytest.approx((d.mean() - q * se, d.mean() + q * se), rel=1e-3)
    # two steps ahead: the lag-1 autocovariance enters the variance
    d = np.array([-0.3, -0.2, -0.4, -0.1, 0.1, 0.2, -0.1, -0.3, -0.5, -0.6, -0.2, 0.0, -0.1, -0.3])
    e = d - d.mean()
    assert e[1:] @ e[:-1] > 0
    var2 = (e @ e + 2 * e[1:] @ e[:-1]) / n
    corr = np.sqrt((n + 1 - 4 + 2 / n) / n)
    _, lo2, hi2 = diebold_mariano(d, horizon=2)
    assert hi2 - lo2 == pytest.approx(2 * q * np.sqrt(var2 / n) / corr, rel=1e-3)
    for df in (5, 11, 30, 200):
        assert _t_quantile(0.95, df) == pytest.approx(t.ppf(0.95, df), abs=2e-3)


def test_count_scores_poisson_crps_and_interval_score() -> None:
    from scipy.stats import poisson

    from detente.analysis._forecasting import crps_poisson, interval_score

    for y, lam in ((0, 0.7), (3, 2.5), (40, 55.0), (600, 480.0)):
        k = np.arange(0, 2000)
        expect = float(np.sum((poisson.cdf(k, lam) - (k >= y)) ** 2))
        assert crps_poisson(y, lam) == pytest.approx(expect, rel=1e-9, abs=1e-12)
    assert interval_score(5.0, 1.0, 3.0, 0.8) == pytest.approx(2.0 + 10 * 2.0)
    assert interval_score(2.0, 1.0, 3.0, 0.8) == pytest.approx(2.0)
    counts = np.random.default_rng(4).poisson(20, 80).astype(float)
    bt = backtest(counts, horizon=1, counts=True)
    names = {s["model"] for s in bt.scores}
    assert "poisson_last" in names
    row = next(s for s in bt.scores if s["model"] == "poisson_last")
    assert row["n"] == 36 and 0.5 <= row["coverage"] <= 1.0


def test_backtest_on_a_random_walk_does_not_credit_the_model() -> None:
    rng = np.random.default_rng(9)
    walk = np.cumsum(rng.normal(size=160))
    bt = backtest(walk, horizon=3, max_origins=60)
    by = {(s["model"], s["horizon"]): s for s in bt.scores}
    # Seasonal mean is far worse than no-change on a walk; the model is no better than no-change.
    assert by[("seasonal_mean", 1)]["crps"] > 2 * by[("no_change", 1)]["crps"]
    assert by[("model", 1)]["crps"] >= 0.95 * by[("no_change", 1)]["crps"]


def test_seasonal_mean_baseline_uses_the_same_calendar_month() -> None:
    season = np.tile(np.arange(12, dtype=float), 6)
    bt = backtest(season, horizon=2, period="month", min_train=36, max_origins=12)
    by = {(s["model"], s["horizon"]): s for s in bt.scores}
    assert by[("seasonal_mean", 1)]["mae"] == pytest.approx(0.0, abs=1e-9)
    assert by[("no_change", 1)]["mae"] > 0.5


def test_short_series_and_bad_horizon_are_clear_errors() -> None:
    with pytest.raises(AnalysisError, match="too short to forecast: 10"):
        forecast(indicator_frame(list(range(10))), horizon=2)
    with pytest.raises(AnalysisError, match="horizon 7"):
        forecast(indicator_frame(list(range(40))), horizon=7)


def test_one_design_for_every_lag_order_gives_the_same_fits() -> None:
    import sys

    import detente.analysis._autoregression  # noqa: F401

    forecast_module = sys.modules["detente.analysis._autoregression"]
    rng = np.random.default_rng(7)
    y = np.cumsum(rng.normal(size=80)) * 0.3
    for p in range(1, forecast_module.MAX_LAG + 1):
        x_full, t_full = forecast_module._lagged(y, forecast_module.MAX_LAG, forecast_module.MAX_LAG)
        x_p, t_p = forecast_module._lagged(y, p, forecast_module.MAX_LAG)
        assert np.array_equal(x_full[:, :p + 1], x_p) and np.array_equal(t_full, t_p)
    gappy = y.copy()
    gappy[40] = np.nan  # a gap: each order keeps its own rows, as before
    mean, sd, p = _ar_predict(gappy, 2)
    assert np.all(np.isfinite(mean)) and np.all(sd > 0) and 1 <= p <= forecast_module.MAX_LAG


def _series_kinds() -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    walk = np.cumsum(rng.normal(size=300)) * 0.4 + 5.0  # far from 0: sums of squares are large
    gappy = rng.normal(size=200)
    gappy[rng.random(200) < 0.25] = np.nan
    flat_then_noise = np.r_[np.full(60, 1.5), rng.normal(size=90)]  # near-singular early fits
    halves = np.round(rng.normal(size=160) * 2) / 2
    halves[::3] = np.nan
    return [walk, gappy, flat_then_noise, halves]


def test_the_fits_of_all_origins_at_once_are_the_least_squares_fits_of_each() -> None:
    import sys

    import detente.analysis._autoregression  # noqa: F401

    fm = sys.modules["detente.analysis._autoregression"]
    for y in _series_kinds():
        ends = np.arange(30, len(y) + 1, 7)
        for end, fit in zip(ends, fm._ar_fits(y, ends), strict=True):
            p, beta, s2 = fit or (None, None, None)
            best = None  # the definition: every order by SVD least squares, AIC, lowest first
            for q in range(1, fm.MAX_LAG + 1):
                x, target = fm._lagged(y[:end], q, fm.MAX_LAG)
                if len(target) < 3 * (q + 1):
                    continue
                b = np.linalg.lstsq(x, target, rcond=None)[0]
                rss = float(np.sum((target - x @ b) ** 2))
                aic = len(target) * np.log(max(rss / len(target), 1e-300)) + 2 * (q + 1)
                if best is None or aic < best[0]:
                    best = (aic, q, b, rss / (len(target) - q - 1))
            if best is None:
                assert fit is None
                continue
            assert p == best[1], (end, p, best[1])
            assert beta == pytest.approx(best[2], rel=1e-7, abs=1e-9)
            assert s2 == pytest.approx(best[3], rel=1e-7)


def test_the_baselines_of_all_origins_at_once_are_those_of_each() -> None:
    import sys

    import detente.analysis._forecasting  # noqa: F401

    fm = sys.modules["detente.analysis._forecasting"]
    for y in _series_kinds():
        for season in (12, 4, 1):
            origins = np.arange(40, len(y) - 5)
            paths = fm._baseline_paths(y, origins, 6, season)
            assert paths is not None
            for k, t in enumerate(origins):
                for name, (mu, sd) in (("no_change", fm._no_change(y[:t], 6)),
                                       ("seasonal_mean", fm._seasonal(y[:t], 6, season))):
                    got_mu, got_sd = paths[name]
                    assert got_mu[k] == pytest.approx(mu, rel=1e-9, abs=1e-9), (name, t)
                    assert got_sd[k] == pytest.approx(sd, rel=1e-7, abs=1e-9), (name, t)
    assert fm._baseline_paths(np.array([1.0, np.nan, 2.0, 3.0]), np.array([3]), 2, 12) is None
