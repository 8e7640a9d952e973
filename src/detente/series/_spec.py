"""What to compute: one :class:`IndicatorSpec` holds every choice of a run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from detente.errors import QueryError
from detente.query.metrics import BASELINE_METRICS, CURATED_DATASETS, min_baseline_periods
from detente.query.period import PERIODS
from detente.query.types import parse_date, parse_dyad
from detente.series._coverage import REPORTING_LAG

__all__ = ["BASELINE_METRICS", "CURATED_DATASETS", "IndicatorSpec", "min_baseline_periods"]

@dataclass(frozen=True)
class IndicatorSpec:
    """The choices of one indicator run.

    Attributes:
        dyad: two CAMEO country codes, e.g. ``("USA", "RUS")``.
        split_directions: one row per direction (``USA->RUS``, ``RUS->USA``)
            instead of one pooled row (``USA-RUS``).
        period: ``week``, ``month``, ``quarter`` or ``year``.
        issue: one issue area, or None for all (``issue_area`` is then ``all``).
        since: first day; its whole period is the first row.
        until: last day to count.
        as_of: events after it are ignored; default the last event date selected.
        datasets: datasets to use; None means every dataset present.
        combine: pool the datasets into one series named ``combined``.
        min_events: cells with fewer events are flagged ``low_evidence``.
        baseline_periods: the rolling baseline spans this many previous periods.
        one_a_day: count one event per day, source actor, target actor and code.
        root_only: GDELT: only root events (others keep events without the flag).
        min_sources: GDELT: only events with at least this many sources.
        reporting_lag: days after an event within which it is taken to be reported: a
            period is ``complete`` when files cover every publication day from its start
            to its end plus this lag (see :mod:`detente.series._coverage`).
        per_1000: add the dyad's events, threats and uses of force per 1,000 GDELT events
            of the same period, files and roots (``events_per_1000``, ...; null where
            no fetched file has totals; see :mod:`detente.query._volume`).
    """

    dyad: tuple[str, str] = ("USA", "RUS")
    split_directions: bool = False
    period: str = "month"
    issue: str | None = None
    since: date | None = None
    until: date | None = None
    as_of: date | None = None
    datasets: tuple[str, ...] | None = None
    combine: bool = False
    min_events: int = 5
    baseline_periods: int = 12
    one_a_day: bool = False
    root_only: bool = False
    min_sources: int | None = None
    reporting_lag: int = REPORTING_LAG
    per_1000: bool = False

    def __post_init__(self) -> None:
        dyad = self.dyad
        if isinstance(dyad, str):
            dyad = parse_dyad(dyad)
        else:
            dyad = parse_dyad("-".join(dyad)) if len(dyad) == 2 else parse_dyad(str(dyad))
        if dyad[0] == dyad[1]:
            raise QueryError(f"dyad {dyad[0]}-{dyad[1]} needs two different countries")
        object.__setattr__(self, "dyad", dyad)
        if self.period not in PERIODS:
            raise QueryError(f"period {self.period!r} is not one of {', '.join(PERIODS)}")
        for name in ("since", "until", "as_of"):
            object.__setattr__(self, name, parse_date(getattr(self, name), name))
        if self.since and self.until and self.since > self.until:
            raise QueryError(f"since {self.since} is after until {self.until}")
        if self.since and self.as_of and self.since > self.as_of:
            raise QueryError(f"since {self.since} is after the as-of date {self.as_of}")
        if self.min_events < 1:
            raise QueryError(f"min_events must be 1 or more, not {self.min_events}")
        if self.baseline_periods < 2:
            raise QueryError(f"baseline_periods must be 2 or more, not {self.baseline_periods}")
        if not 0 <= self.reporting_lag <= 366:
            raise QueryError(f"reporting_lag must be 0 to 366 days, not {self.reporting_lag}")
        if self.min_sources is not None and self.min_sources < 0:
            raise QueryError(f"min_sources must be 0 or more, not {self.min_sources}")
        if self.per_1000 and (self.one_a_day or self.min_sources is not None):
            raise QueryError("counts per 1,000 GDELT events divide by every event of the fetched "
                             "files, which one_a_day and min_sources cannot apply to: use them apart")
        if self.datasets is not None:
            names = tuple(dict.fromkeys(d.strip() for d in self.datasets if d.strip()))
            object.__setattr__(self, "datasets", names or None)

    @property
    def issue_area(self) -> str:
        """Return the issue area as written in the output (``all`` for none)."""
        return self.issue or "all"

    @property
    def pooled_direction(self) -> str:
        """Return the label of the pooled rows, e.g. ``USA-RUS``."""
        return f"{self.dyad[0]}-{self.dyad[1]}"

    def directions(self) -> list[str]:
        """Return the direction labels the output holds."""
        a, b = self.dyad
        return [f"{a}->{b}", f"{b}->{a}"] if self.split_directions else [self.pooled_direction]
