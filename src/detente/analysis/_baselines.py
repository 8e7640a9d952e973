"""The forecast's baselines: the last value and the climatology of the same season, at one
origin or, from running sums, at every origin of a backtest at once.
"""

from __future__ import annotations

import numpy as np


def _no_change(y: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    obs = y[~np.isnan(y)]
    mu = np.full(horizon, obs[-1])
    sd = np.empty(horizon)
    for h in range(1, horizon + 1):
        diffs = obs[h:] - obs[:-h] if len(obs) > h + 1 else np.diff(obs)
        sd[h - 1] = float(np.std(diffs, ddof=1)) if len(diffs) > 1 else float(np.std(obs))
    return mu, sd


def _seasonal(y: np.ndarray, horizon: int, season: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(y)
    mu, sd = np.empty(horizon), np.empty(horizon)
    overall = y[~np.isnan(y)]
    for h in range(1, horizon + 1):
        pos = (n + h - 1) % season if season > 1 else 0
        same = y[pos::season] if season > 1 else overall
        same = same[~np.isnan(same)]
        if len(same) < 2:
            same = overall
        mu[h - 1] = float(np.mean(same))
        sd[h - 1] = float(np.std(same, ddof=1))
    return mu, np.maximum(sd, 1e-9)


def _prefix(values: np.ndarray) -> np.ndarray:
    """Return the running sums of ``values`` along the last axis, with a 0 in front."""
    zero = np.zeros((*values.shape[:-1], 1))
    out: np.ndarray = np.concatenate([zero, np.cumsum(values, axis=-1)], axis=-1)
    return out


def _spread(count: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """Return sample standard deviations from counts, sums and sums of squares (a spread
    within rounding of the sums, as of equal values, is 0)."""
    var = (s2 - s1 * s1 / count) / np.maximum(count - 1, 1)
    var = np.where(var <= 1e-12 * s2 / np.maximum(count, 1), 0.0, var)
    out: np.ndarray = np.sqrt(np.maximum(var, 0.0))
    return out


def _baseline_paths(y: np.ndarray, origins: np.ndarray, horizon: int,
                    season: int) -> dict[str, tuple[np.ndarray, np.ndarray]] | None:
    """Return :func:`_no_change` and :func:`_seasonal` of ``y[:t]`` for every origin ``t``
    at once (arrays origin x step), from running sums; ``None`` when an origin has too
    few observed periods for these sums (the functions then run one origin at a time).

    Values are taken relative to the series' mean, so the sums of squares lose no
    precision to a large level."""
    observed = ~np.isnan(y)
    ref = float(np.mean(y[observed])) if observed.any() else 0.0
    z = np.where(observed, y - ref, 0.0)
    obs = z[observed]
    seen = _prefix(observed.astype(float))[origins].astype(int)  # observed in y[:t]
    if (seen <= horizon + 1).any():
        return None
    nc_mu = np.repeat((obs[seen - 1] + ref)[:, None], horizon, axis=1)
    nc_sd = np.empty((len(origins), horizon))
    for h in range(1, horizon + 1):
        d = obs[h:] - obs[:-h]  # h-step changes between observed periods, in order
        m = seen - h  # those within y[:t]
        nc_sd[:, h - 1] = _spread(m, _prefix(d)[m], _prefix(d * d)[m])
    every = (seen, _prefix(z)[origins], _prefix(z * z)[origins])
    s_mu = np.empty((len(origins), horizon))
    s_sd = np.empty((len(origins), horizon))
    if season > 1:
        idx = np.arange(len(y))
        cls = np.stack([observed & (idx % season == r) for r in range(season)]).astype(float)
        c0, c1, c2 = _prefix(cls), _prefix(cls * z), _prefix(cls * z * z)
    for h in range(1, horizon + 1):
        if season > 1:
            pos = (origins + h - 1) % season
            n, s1, s2 = c0[pos, origins], c1[pos, origins], c2[pos, origins]
            few = n < 2
            n, s1, s2 = (np.where(few, a, b) for a, b in zip(every, (n, s1, s2), strict=True))
        else:
            n, s1, s2 = every
        s_mu[:, h - 1] = s1 / n + ref
        s_sd[:, h - 1] = _spread(n, s1, s2)
    return {"no_change": (nc_mu, nc_sd), "seasonal_mean": (s_mu, np.maximum(s_sd, 1e-9))}
