"""Reciprocity: VAR recovery, Granger direction, GIRF by hand, and 'not enough evidence'."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.analysis import AnalysisError, fit_reciprocity, girf
from detente.analysis.synthetic import monthly_starts, var_process

A1 = np.array([[[0.5, 0.0], [0.4, 0.3]]])  # RUS->USA answers USA->RUS one period later; not the reverse
COV = np.array([[1.0, 0.3], [0.3, 1.0]])
NAMES = ["USA->RUS", "RUS->USA"]


def _frame(y: np.ndarray, names: list[str], events: int | np.ndarray = 10) -> pd.DataFrame:
    starts = monthly_starts(dt.date(2000, 1, 1), len(y))
    parts = []
    for i, name in enumerate(names):
        ev = events if isinstance(events, int) else events[:, i]
        parts.append(pd.DataFrame({"dataset": "synthetic", "direction": name, "issue_area": "all",
                                   "period_start": starts, "events": ev, "goldstein_mean": y[:, i]}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def fitted() -> object:
    y = var_process(A1, COV, 400, seed=3)
    return fit_reciprocity(_frame(y, NAMES), directions=NAMES, reps=100)


def test_coefficients_recovered_and_lag_order_one(fitted: object) -> None:
    res = fitted
    assert res.status == "ok" and res.lag_order == 1  # type: ignore[attr-defined]
    coef = np.array(res.coefficients["lag1"])  # type: ignore[attr-defined]
    assert np.allclose(coef, A1[0], atol=0.1)


def test_granger_direction(fitted: object) -> None:
    tests = {(g["cause"], g["effect"]): g for g in fitted.granger}  # type: ignore[attr-defined]
    assert tests[("USA->RUS", "RUS->USA")]["pvalue"] < 0.001
    assert tests[("RUS->USA", "USA->RUS")]["pvalue"] > 0.05


def test_checks_reported(fitted: object) -> None:
    checks = fitted.checks  # type: ignore[attr-defined]
    assert checks["stable"] and checks["white"]
    # For one lag the companion matrix is the coefficient matrix itself.
    coef = np.array(fitted.coefficients["lag1"])  # type: ignore[attr-defined]
    assert checks["max_root_modulus"] == pytest.approx(max(abs(np.linalg.eigvals(coef))))
    assert checks["max_root_modulus"] < 1


def test_impulse_response_inside_its_band_and_matches_the_true_system(fitted: object) -> None:
    r = fitted.response("USA->RUS", "RUS->USA")  # type: ignore[attr-defined]
    assert len(r["response_path"]) == 7
    truth = girf(np.array([np.linalg.matrix_power(A1[0], h) for h in range(7)]), COV)[:, 1, 0]
    for v, lo, hi, t in zip(r["response_path"], r["lower"], r["upper"], truth, strict=True):
        assert lo <= v <= hi
        assert abs(v - t) < 0.12
    assert "one standard deviation" in fitted.shock_text("USA->RUS")  # type: ignore[attr-defined]


def test_girf_of_a_one_lag_system_by_hand() -> None:
    a = np.array([[0.5, 0.0], [0.2, 0.4]])
    sigma = np.array([[1.0, 0.5], [0.5, 2.0]])
    out = girf(np.array([np.eye(2), a, a @ a]), sigma)
    # Shock in variable 0: Sigma e0 / sqrt(1) = (1, 0.5); then times A, then times A again.
    assert out[0, :, 0] == pytest.approx([1.0, 0.5])
    assert out[1, :, 0] == pytest.approx([0.5, 0.2 * 1.0 + 0.4 * 0.5])
    assert out[2, :, 0] == pytest.approx([0.25, 0.2 * 0.5 + 0.4 * 0.4])
    # Shock in variable 1: Sigma e1 / sqrt(2) = (0.5, 2) / 1.41421...
    s = np.sqrt(2.0)
    assert out[0, :, 1] == pytest.approx([0.5 / s, 2.0 / s])
    assert out[1, :, 1] == pytest.approx([0.25 / s, (0.2 * 0.5 + 0.4 * 2.0) / s])


def test_generalized_responses_do_not_depend_on_variable_order() -> None:
    y = var_process(A1, COV, 300, seed=8)
    one = fit_reciprocity(_frame(y, NAMES), directions=NAMES, reps=20)
    two = fit_reciprocity(_frame(y, NAMES), directions=NAMES[::-1], reps=20)
    assert one.response("USA->RUS", "RUS->USA")["response_path"] == pytest.approx(
        two.response("USA->RUS", "RUS->USA")["response_path"])


def test_three_way_design() -> None:
    k = 6
    a = np.zeros((1, k, k))
    np.fill_diagonal(a[0], 0.3)
    a[0, 1, 0] = 0.5  # direction 1 answers direction 0
    y = var_process(a, np.eye(k), 500, seed=1)
    names = ["USA->RUS", "RUS->USA", "USA->UKR", "UKR->USA", "RUS->UKR", "UKR->RUS"]
    res = fit_reciprocity(_frame(y, names), directions=names, reps=20, maxlags=2)
    assert res.ok and len(res.responses) == k * k
    sig = {(g["cause"], g["effect"]) for g in res.granger if g["pvalue"] < 0.001}
    assert ("USA->RUS", "RUS->USA") in sig
    assert len(sig) <= 2  # only the built-in link (and at most one chance finding)


def test_too_few_periods_is_insufficient_evidence() -> None:
    y = var_process(A1, COV, 30, seed=2)
    res = fit_reciprocity(_frame(y, NAMES), directions=NAMES)
    assert res.status == "insufficient_evidence"
    assert res.reason is not None and "too few periods: 30" in res.reason
    assert res.responses == []


def test_too_many_empty_periods_is_insufficient_evidence() -> None:
    y = var_process(A1, COV, 100, seed=2)
    events = np.full((100, 2), 5)
    events[::4, 1] = 0  # RUS->USA silent one period in four
    res = fit_reciprocity(_frame(y, NAMES, events), directions=NAMES)
    assert res.status == "insufficient_evidence"
    assert res.reason == "too few events: RUS->USA has no events in 25% of periods (at most 10% allowed)"


def test_failed_whiteness_is_insufficient_evidence() -> None:
    # A seasonal pattern at lag 12 that a VAR limited to 1 lag cannot absorb.
    rng = np.random.default_rng(4)
    n = 240
    season = np.tile(np.r_[np.full(6, 2.0), np.full(6, -2.0)], n // 12)
    y = np.column_stack([season + rng.normal(0, 0.5, n), -season + rng.normal(0, 0.5, n)])
    res = fit_reciprocity(_frame(y, NAMES), directions=NAMES, maxlags=1)
    assert res.status == "insufficient_evidence"
    assert res.reason is not None and res.reason.startswith("failed checks: residuals are autocorrelated")
    assert res.lag_order == 1 and res.checks["white"] is False


def test_unknown_direction_is_a_clear_error() -> None:
    y = var_process(A1, COV, 50, seed=2)
    with pytest.raises(AnalysisError, match="USA->CHN"):
        fit_reciprocity(_frame(y, NAMES), directions=["USA->RUS", "USA->CHN"])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.permutations([0, 1, 2]))
def test_girf_permutes_with_the_variables(seed: int, order: list[int]) -> None:
    # Reordering the variables reorders the generalized responses and changes nothing else.
    rng = np.random.default_rng(seed)
    a = rng.uniform(-0.4, 0.4, (3, 3))
    root = rng.normal(size=(3, 3))
    sigma = root @ root.T + 0.1 * np.eye(3)
    ma = np.array([np.linalg.matrix_power(a, h) for h in range(4)])
    perm = np.eye(3)[order]
    moved = girf(np.einsum("ij,hjk,lk->hil", perm, ma, perm), perm @ sigma @ perm.T)
    base = girf(ma, sigma)
    assert np.allclose(moved, base[:, order][:, :, order])


def test_without_an_events_column_values_count_as_observed() -> None:
    y = var_process(A1, COV, 120, seed=12)
    frame = _frame(y, NAMES).drop(columns="events")
    res = fit_reciprocity(frame, directions=NAMES, reps=10)
    assert res.ok and res.periods == 120


@pytest.mark.parametrize(("k", "p"), [(2, 1), (2, 3), (3, 2)])
def test_bootstrap_refit_is_statsmodels_fit(k: int, p: int) -> None:
    """The bootstrap's own least-squares refit gives statsmodels' coefficients, residual
    covariance and MA terms, and its bands are those of refitting with statsmodels."""
    from statsmodels.tsa.vector_ar.var_model import VAR

    from detente.analysis._var import _bootstrap, _ma, _refit

    rng = np.random.default_rng(k * 10 + p)
    coefs = rng.normal(0.0, 0.25 / p, size=(p, k, k))
    y = var_process(coefs, np.eye(k), 90, seed=k + p)
    res = VAR(y).fit(p, trend="c")
    mine, sigma = _refit(y, p)
    assert np.array_equal(mine, res.coefs) and np.array_equal(sigma, res.sigma_u)
    assert np.array_equal(_ma(mine, 6), res.ma_rep(6))

    draws = _bootstrap(y, res, p, 6, 20, seed=5)
    # the reference: the same resamples, each refitted by statsmodels
    gen = np.random.default_rng(5)
    resid = np.asarray(res.resid)
    for b in range(20):
        e = resid[gen.integers(0, len(resid), size=len(y) - p)]
        sim = np.empty_like(y)
        sim[:p] = y[:p]
        for t in range(p, len(y)):
            sim[t] = res.intercept + e[t - p] + sum(res.coefs[lag] @ sim[t - lag - 1] for lag in range(p))
        ref = VAR(sim).fit(p, trend="c")
        assert np.allclose(draws[b], girf(ref.ma_rep(6), ref.sigma_u), rtol=1e-12, atol=1e-12)
    assert np.std(draws[:, 1]) > 0  # the draws differ from each other


def test_refit_refuses_a_constant_series_as_statsmodels_does() -> None:
    from detente.analysis._var import _refit

    y = np.column_stack([np.linspace(0.0, 1.0, 40) ** 2, np.full(40, 3.0)])
    with pytest.raises(ValueError, match="constant"):
        _refit(y, 1)
