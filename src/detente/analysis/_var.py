"""Reciprocity: a VAR on the directions' series, Granger tests and generalized impulse responses.

The design follows Goldstein and Freeman's *Three-Way Street*: each variable
is one direction's behaviour (``USA->RUS``, ``RUS->USA``, and with a third
actor its four directions more), measured per period by an indicator (by
default ``goldstein_mean``: -10 conflict ... +10 cooperation).

Choices, stated:

* lag order by an information criterion (AIC by default) up to ``maxlags``,
  at least 1;
* checks: stability (every root of the VAR outside the unit circle),
  residual whiteness (portmanteau test, 5% level), residual normality
  (Jarque-Bera, reported only: the bands are bootstrapped and do not assume
  normal errors);
* a *shock* is a generalized impulse (Pesaran and Shin 1998): one residual
  standard deviation of the shocked direction, with the other directions'
  same-period movement implied by the residual covariance, so the answer does
  not depend on the order of the variables;
* bands: residual bootstrap (rows of residuals resampled together, the VAR
  refitted at the chosen lag order), percentile interval; each refit is the
  same least-squares fit statsmodels makes (:func:`_refit`, without building
  a statsmodels model per replication, which cost about 5 ms each);
* "not enough evidence" instead of a number when there are too few periods,
  too few events (too many periods without any), or a blocking check fails.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from detente.analysis._common import AnalysisError, json_safe, to_float


def _var() -> Any:
    """Return statsmodels' ``VAR``, imported on first use (statsmodels takes seconds to load,
    and most views never fit a VAR)."""
    from statsmodels.tsa.vector_ar.var_model import VAR  # not tsa.api: that loads all of tsa

    return VAR

__all__ = ["MAX_EMPTY_SHARE", "MIN_PERIODS", "ReciprocityResult", "fit_reciprocity", "girf"]

MIN_PERIODS = 36
MAX_EMPTY_SHARE = 0.1
LEVEL = 0.05


def girf(ma: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Return generalized impulse responses from MA coefficients and residual covariance.

    ``out[h, i, j]`` is the response of variable ``i`` at horizon ``h`` to a
    one-standard-deviation generalized shock in variable ``j``:
    ``(Phi_h Sigma e_j)_i / sqrt(Sigma_jj)``.

    Args:
        ma: MA coefficients ``Phi_0 .. Phi_H``, shape ``(H+1, k, k)``, ``Phi_0 = I``.
        sigma: Residual covariance, shape ``(k, k)``.
    """
    scale = 1.0 / np.sqrt(np.diag(sigma))
    out: np.ndarray = np.einsum("hik,kj->hij", ma, sigma) * scale[None, None, :]
    return out


@dataclass
class ReciprocityResult:
    """A fitted reciprocity model, or the reason there is not enough evidence for one."""

    status: str
    reason: str | None
    variables: list[str]
    indicator: str
    periods: int
    lag_order: int | None = None
    ic: str = "aic"
    checks: dict[str, Any] = field(default_factory=dict)
    granger: list[dict[str, Any]] = field(default_factory=list)
    horizon: int = 0
    level: float = 1 - LEVEL
    responses: list[dict[str, Any]] = field(default_factory=list)
    shock_sd: dict[str, float] = field(default_factory=dict)
    coefficients: dict[str, list[list[float]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the model passed its checks and its numbers may be read."""
        return self.status == "ok"

    def shock_text(self, variable: str) -> str:
        """Say what a shock in ``variable`` is."""
        sd = self.shock_sd.get(variable)
        size = f" ({sd:.2f} {self.indicator} points)" if sd is not None else ""
        return (f"one standard deviation{size} of the unexpected part of {variable} {self.indicator}, "
                "toward cooperation, with the other directions' same-period moves implied by the "
                "residual covariance (generalized impulse response, order-independent)")

    def unit_text(self, variable: str) -> str:
        """Say in what unit a response of ``variable`` is measured."""
        return (f"change of {variable} {self.indicator} (-10 conflict ... +10 cooperation) per "
                "period, against the path without the shock")

    def response(self, shock: str, response: str) -> dict[str, Any]:
        """Return the impulse response of ``response`` to a shock in ``shock``."""
        for r in self.responses:
            if r["shock"] == shock and r["response"] == response:
                return r
        raise AnalysisError(f"no impulse response of {response} to {shock} in this model")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return json_safe({  # type: ignore[no-any-return]
            "status": self.status, "reason": self.reason, "variables": self.variables,
            "indicator": self.indicator, "periods": self.periods, "lag_order": self.lag_order,
            "ic": self.ic, "checks": self.checks, "granger": self.granger, "horizon": self.horizon,
            "level": self.level, "shock_sd": self.shock_sd, "responses": self.responses,
            "coefficients": self.coefficients,
        })


def _wide(
    frame: pd.DataFrame, indicator: str, directions: list[str] | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if indicator not in frame.columns:
        raise AnalysisError(f"indicator {indicator!r} is not a column of the indicator table")
    if frame.empty:
        raise AnalysisError("no periods to analyse: the selection holds no events")
    for key in ("dataset", "issue_area"):
        if key in frame.columns and frame[key].nunique() > 1:
            raise AnalysisError(f"the table holds several {key}s; select one for a reciprocity model")
    values = frame.pivot_table(index="period_start", columns="direction", values=indicator,
                               aggfunc="first", dropna=False)
    values = values.apply(to_float)
    if "events" in frame.columns:
        events = frame.pivot_table(index="period_start", columns="direction", values="events",
                                   aggfunc="first", dropna=False).fillna(0)
    else:  # without counts, a period with a value counts as observed
        events = values.notna().astype(float)
    names = directions or sorted(c for c in values.columns if "->" in str(c))
    missing = [d for d in names if d not in values.columns]
    if missing:
        raise AnalysisError(f"direction(s) {', '.join(missing)} not in the indicator table")
    if len(names) < 2:
        raise AnalysisError("a reciprocity model needs at least two directions (split_directions=True)")
    return values[names].sort_index(), events[names].sort_index()


def _insufficient(
    reason: str, names: list[str], indicator: str, periods: int, **kw: Any,
) -> ReciprocityResult:
    return ReciprocityResult(status="insufficient_evidence", reason=reason, variables=names,
                             indicator=indicator, periods=periods, **kw)


def _refit(data: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the coefficients ``A_1 .. A_p`` (shape ``(p, k, k)``) and the residual
    covariance of the VAR(``p``) with a constant fitted to ``data`` by least squares.

    The same fit as statsmodels' ``VAR(data).fit(p, trend="c")``, step for step (its
    regressors ``[1, y_{t-1}, ..., y_{t-p}]``, ``lstsq`` with ``rcond=1e-15``, the
    covariance over ``T - kp - 1`` degrees of freedom), so the numbers are the same.

    Raises:
        ValueError: a lagged series is a nonzero constant (statsmodels refuses it too).
    """
    n, k = data.shape
    lagged = np.concatenate([data[p - 1 - lag:n - 1 - lag] for lag in range(p)], axis=1)
    if np.any((np.ptp(lagged, axis=0) == 0) & (lagged[0] != 0)):
        raise ValueError("a lagged series is constant")
    z = np.concatenate([np.ones((n - p, 1)), lagged], axis=1)
    y = data[p:]
    params = np.linalg.lstsq(z, y, rcond=1e-15)[0]
    resid = y - np.dot(z, params)
    df = (n - p) - (k * p + 1)
    sse = np.dot(resid.T, resid)
    sigma = sse / df if df else np.full_like(sse, np.nan)
    coefs = params[1:].reshape((p, k, k)).swapaxes(1, 2).copy()
    return coefs, sigma


def _ma(coefs: np.ndarray, horizon: int) -> np.ndarray:
    """Return the MA coefficients ``Phi_0 .. Phi_horizon`` of a VAR with ``coefs``
    (the recursion ``Phi_i = sum_j Phi_{i-j} A_j``, as statsmodels' ``ma_rep``)."""
    p, k, _ = coefs.shape
    phis = np.zeros((horizon + 1, k, k))
    phis[0] = np.eye(k)
    for i in range(1, horizon + 1):
        for j in range(1, min(i, p) + 1):
            phis[i] += np.dot(phis[i - j], coefs[j - 1])
    return phis


def _bootstrap(data: np.ndarray, res: Any, p: int, horizon: int, reps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    resid = np.asarray(res.resid)
    coefs, const = res.coefs, res.intercept
    n, k = data.shape
    draws = np.empty((reps, horizon + 1, k, k))
    b = tries = 0
    while b < reps:
        tries += 1
        if tries > 3 * reps:
            raise AnalysisError("the bootstrap of the impulse responses failed: the VAR cannot be refitted")
        e = resid[rng.integers(0, len(resid), size=n - p)]
        sim = np.empty_like(data)
        sim[:p] = data[:p]
        for t in range(p, n):
            sim[t] = const + e[t - p] + sum(coefs[lag] @ sim[t - lag - 1] for lag in range(p))
        try:
            fit_coefs, sigma = _refit(sim, p)
            draws[b] = girf(_ma(fit_coefs, horizon), sigma)
        except (np.linalg.LinAlgError, ValueError):
            continue  # a degenerate resample: draw another
        b += 1
    return draws


def fit_reciprocity(
    frame: pd.DataFrame,
    *,
    indicator: str = "goldstein_mean",
    directions: list[str] | None = None,
    maxlags: int = 6,
    ic: str = "aic",
    horizon: int = 6,
    reps: int = 300,
    seed: int = 0,
    min_periods: int = MIN_PERIODS,
    max_empty_share: float = MAX_EMPTY_SHARE,
) -> ReciprocityResult:
    """Fit the VAR of the directions' series and read reciprocity from it.

    Args:
        frame: Indicator table with one row per direction and period
            (``split_directions=True``), one dataset and issue area.
        indicator: The column measuring each direction's behaviour.
        directions: Which directions, in order (default: all in the table).
        maxlags: Highest lag order the information criterion may choose.
        ic: ``aic``, ``bic``, ``hqic`` or ``fpe``.
        horizon: Periods of impulse response after the shock.
        reps: Bootstrap replications for the bands.
        seed: Seed of the bootstrap.
        min_periods: Fewest periods for a model.
        max_empty_share: Largest share of periods without events a direction
            may have (they are filled with its mean; more would make the model
            one of the filling).

    Returns:
        The result; ``status`` says whether its numbers may be read.
    """
    if ic not in ("aic", "bic", "hqic", "fpe"):
        raise AnalysisError(f"information criterion {ic!r} is not one of aic, bic, hqic, fpe")
    values, events = _wide(frame, indicator, directions)
    names = [str(c) for c in values.columns]
    n, k = values.shape
    if n < min_periods:
        return _insufficient(f"too few periods: {n}, a VAR of {k} directions needs at least {min_periods}",
                             names, indicator, n)
    empty = {d: float((events[d] <= 0).mean()) for d in names}
    sparse = {d: s for d, s in empty.items() if s > max_empty_share}
    if sparse:
        worst = ", ".join(f"{d} has no events in {s:.0%} of periods" for d, s in sparse.items())
        return _insufficient(f"too few events: {worst} (at most {max_empty_share:.0%} allowed)",
                             names, indicator, n)
    data = values.fillna(values.mean()).to_numpy(dtype=float)
    if np.any(data.std(axis=0) == 0):
        return _insufficient("a direction's series does not vary", names, indicator, n)
    maxlags = max(1, min(maxlags, (n - 1) // (k + 1) - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _var()(data)
        p = max(1, int(model.select_order(maxlags).selected_orders[ic]))
        res = model.fit(p, trend="c")
    if n - p < 5 * (k * p + 1):
        return _insufficient(f"too few periods: {n} for {k * p + 1} coefficients per equation "
                             f"(lag order {p}); need at least 5 per coefficient",
                             names, indicator, n, lag_order=p, ic=ic)
    white = res.test_whiteness(nlags=max(p + 6, 12))
    normal = res.test_normality()
    checks = {
        "stable": bool(res.is_stable()),
        "max_root_modulus": float(np.max(np.abs(1.0 / res.roots))) if len(res.roots) else 0.0,
        "whiteness_pvalue": float(white.pvalue), "white": bool(white.pvalue >= LEVEL),
        "normality_pvalue": float(normal.pvalue), "normal": bool(normal.pvalue >= LEVEL),
    }
    granger = []
    for cause in range(k):
        for effect in range(k):
            if cause != effect:
                t = res.test_causality(effect, [cause], kind="f")
                granger.append({"cause": names[cause], "effect": names[effect],
                                "statistic": float(t.test_statistic), "pvalue": float(t.pvalue),
                                "df": [int(d) for d in t.df], "significant": bool(t.pvalue < LEVEL)})
    coefficients = {f"lag{lag + 1}": res.coefs[lag].tolist() for lag in range(p)}
    common: dict[str, Any] = {"lag_order": p, "ic": ic, "checks": checks, "granger": granger,
                              "horizon": horizon, "coefficients": coefficients}
    failed = []
    if not checks["stable"]:
        failed.append("the VAR is not stable (a root on or inside the unit circle)")
    if not checks["white"]:
        failed.append(f"residuals are autocorrelated (portmanteau p={white.pvalue:.3f})")
    if failed:
        return _insufficient("failed checks: " + "; ".join(failed), names, indicator, n, **common)
    point = girf(res.ma_rep(horizon), res.sigma_u)
    draws = _bootstrap(data, res, p, horizon, reps, seed)
    lower = np.quantile(draws, LEVEL / 2, axis=0)
    upper = np.quantile(draws, 1 - LEVEL / 2, axis=0)
    responses = [{"shock": names[j], "response": names[i], "response_path": point[:, i, j].tolist(),
                  "lower": lower[:, i, j].tolist(), "upper": upper[:, i, j].tolist()}
                 for j in range(k) for i in range(k)]
    sd = {names[j]: float(np.sqrt(res.sigma_u[j, j])) for j in range(k)}
    return ReciprocityResult(status="ok", reason=None, variables=names, indicator=indicator, periods=n,
                             responses=responses, shock_sd=sd, **common)
