"""What a run of the indicators resolved before any expression is built (no Ibis here,
so that running an already compiled query needs no Ibis at all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

__all__ = ["Plan"]


@dataclass(frozen=True)
class Plan:
    """What a run resolved before building the expression.

    Attributes:
        first_day: first event day read (the lookback for the first baseline included).
        last_day: last event day read (the as-of date, or ``until`` if earlier).
        datasets: the datasets read.
        output_start: rows before this period start only feed the baseline.
        grid: rows ``dataset, direction, period_start, period_end``: every cell of the output.
            The expression takes it as a table on the engine that runs it.
    """

    first_day: date
    last_day: date
    datasets: tuple[str, ...]
    output_start: date
    grid: pa.Table
