"""What :func:`detente.reciprocity` and :func:`detente.forecast` return: the result and its dataset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detente._api.arguments import _json_safe

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from detente.analysis import Forecast, ReciprocityResult


@dataclass(frozen=True)
class ReciprocityRun:
    """What :func:`reciprocity` returns: the fitted model and the dataset it was fitted on.

    Attributes:
        dataset: the dataset whose series were used.
        result: the model (``detente.analysis.ReciprocityResult``): ``ok`` and ``status``
            (``"ok"`` or ``"insufficient_evidence"`` with ``reason``), ``variables`` (the
            directions), ``lag_order``, ``checks``, ``granger`` and ``responses`` (the
            generalized impulse responses with their bands).
    """

    dataset: str
    result: ReciprocityResult

    def to_dict(self) -> dict[str, Any]:
        """Return what ``detente reciprocity --as json`` prints, as a dict."""
        out: dict[str, Any] = _json_safe({"dataset": self.dataset, **self.result.to_dict()})
        return out

    def _columns(self) -> dict[str, list[Any]]:
        cols: dict[str, list[Any]] = {k: [] for k in ("shock", "response", "h", "irf", "lower", "upper")}
        for r in self.result.responses:
            for h, (v, lo, hi) in enumerate(zip(r["response_path"], r["lower"], r["upper"], strict=True)):
                for key, value in zip(cols, (r["shock"], r["response"], h, v, lo, hi), strict=True):
                    cols[key].append(value)
        return cols

    def to_frame(self) -> pd.DataFrame:
        """Return the impulse responses, one row per shock, response and period after the
        shock (``h``), with the response (``irf``) and its band (``lower``, ``upper``);
        empty when the model is not ``ok``."""
        import pandas as pd

        return pd.DataFrame(self._columns())

    def to_arrow(self) -> pa.Table:
        """Return :meth:`to_frame`'s rows as a pyarrow Table."""
        import pyarrow as pa

        cols = self._columns()
        types = {"shock": pa.string(), "response": pa.string(), "h": pa.int64()}
        return pa.table({k: pa.array(v, types.get(k, pa.float64())) for k, v in cols.items()})


@dataclass(frozen=True)
class ForecastRun:
    """What :func:`forecast` returns: the forecast and the dataset it was made from.

    Attributes:
        dataset: the dataset whose series was forecast.
        forecast: the forecast (``detente.analysis.Forecast``): ``indicator``,
            ``lag_order``, ``period_starts``, ``mean``, ``sd``, ``lower``, ``upper``
            (the ``coverage`` interval) and ``backtest`` (``origins``, ``scores`` per
            model and horizon, ``steps`` with the verdict per step ahead, ``verdict``).
    """

    dataset: str
    forecast: Forecast

    def to_dict(self) -> dict[str, Any]:
        """Return what ``detente forecast --as json`` prints, as a dict."""
        out: dict[str, Any] = _json_safe({"dataset": self.dataset, **self.forecast.to_dict()})
        return out

    def _columns(self) -> dict[str, list[Any]]:
        f = self.forecast
        return {"period_start": list(f.period_starts), "mean": list(f.mean), "sd": list(f.sd),
                "lower": list(f.lower), "upper": list(f.upper)}

    def to_frame(self) -> pd.DataFrame:
        """Return one row per period ahead: ``period_start``, ``mean``, ``sd``, ``lower``, ``upper``."""
        import pandas as pd

        return pd.DataFrame(self._columns())

    def to_arrow(self) -> pa.Table:
        """Return :meth:`to_frame`'s rows as a pyarrow Table."""
        import pyarrow as pa

        cols = self._columns()
        return pa.table({k: pa.array(v, pa.date32() if k == "period_start" else pa.float64())
                         for k, v in cols.items()})
