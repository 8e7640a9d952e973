"""What a run of the indicators resolved before any expression is built (no Ibis here,
so that running an already compiled query needs no Ibis at all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["GRID_COLUMNS", "Plan"]

GRID_COLUMNS = ("dataset", "direction", "period_start", "period_end", "coverage")
"""The grid's columns; ``coverage`` is what the files read say of the period's days:
``complete``, ``partial``, ``none`` (no file covers any of them) or ``curated``
(hand-picked data, complete by choice, not by publication)."""


@dataclass(frozen=True)
class Plan:
    """What a run resolved before building the expression.

    Attributes:
        first_day: first event day read (the lookback for the first baseline included).
        last_day: last event day read (the as-of date, or ``until`` if earlier).
        datasets: the datasets read.
        output_start: rows before this period start only feed the baseline.
        rows: ``(dataset, direction, period_start, period_end, coverage)``: every cell of
            the output (see :data:`GRID_COLUMNS`).
    """

    first_day: date
    last_day: date
    datasets: tuple[str, ...]
    output_start: date
    rows: tuple[tuple[str, str, date, date, str], ...]

    @cached_property
    def grid(self) -> pa.Table:
        """The rows as an Arrow table (:data:`GRID_COLUMNS`),
        for an engine that takes the grid as a table beside the events."""
        import pyarrow as pa

        cols = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(GRID_COLUMNS)
        return pa.table({name: list(c) for name, c in zip(GRID_COLUMNS, cols, strict=True)},
                        schema=pa.schema([("dataset", pa.string()), ("direction", pa.string()),
                                          ("period_start", pa.date32()), ("period_end", pa.date32()),
                                          ("coverage", pa.string())]))
