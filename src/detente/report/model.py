"""The brief's content: one model that the HTML, Markdown and JSON renderers share.

Everything a reader sees is in these models, computed once by
:func:`detente.report.build_brief`; the renderers only lay it out. The JSON
form is ``Brief.model_dump_json()``, and an earlier brief's JSON is read back
with ``Brief.model_validate_json`` to say what changed since.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SCHEMA_VERSION",
    "Alert",
    "Brief",
    "BriefOptions",
    "Caveat",
    "Change",
    "ChangePoint",
    "Chart",
    "Condition",
    "DatasetRecord",
    "EvidenceEvent",
    "EvidenceGroup",
    "Figure",
    "FileRecord",
    "ForecastLine",
    "Glance",
    "PlaybookItem",
    "PlaybookSection",
    "Reproducibility",
]

SCHEMA_VERSION = 1
Period = Literal["auto", "week", "month", "quarter", "year"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BriefOptions(_Model):
    """What the brief is about: the parameters a reader can change."""

    dyad: tuple[str, str] = ("USA", "RUS")
    direction: Literal["both", "forward", "backward"] = "both"
    period: Period = "auto"
    since: dt.date | None = None
    until: dt.date | None = None
    as_of: dt.date | None = None
    datasets: tuple[str, ...] = ()
    issue: str | None = None
    playbook: str | None = None
    evidence_per_figure: int = Field(default=8, ge=1, le=100)

    @property
    def dyad_label(self) -> str:
        """Return the dyad as written in outputs, ``USA-RUS``."""
        return f"{self.dyad[0]}-{self.dyad[1]}"

    @property
    def direction_label(self) -> str:
        """Return the direction as written in outputs: ``USA-RUS`` pooled, else ``USA->RUS``."""
        a, b = self.dyad
        return {"both": f"{a}-{b}", "forward": f"{a}->{b}", "backward": f"{b}->{a}"}[self.direction]

    @property
    def sides(self) -> tuple[str, str] | None:
        """Return ``(source, target)`` of a one-way view, ``None`` for both directions."""
        a, b = self.dyad
        return None if self.direction == "both" else (
            (a, b) if self.direction == "forward" else (b, a))


class Figure(_Model):
    """One headline number of one dataset, against its baseline."""

    dataset: str
    indicator: str
    label: str
    period_start: dt.date
    period_end: dt.date
    value: float | None
    baseline: float | None = None
    diff: float | None = None
    z: float | None = None
    events: int = 0
    low_evidence: bool = False
    coverage: str = "complete"
    """What the files say of the period: ``complete``, ``partial``, ``missing`` or
    ``curated`` (hand-picked: a zero in it is not evidence of absence)."""
    untagged_share: float | None = None
    """Share of the dataset's events of the dyad in the period with no issue area: beside
    an issue's figures, how much of the evidence the issue-area rules could not place."""

    @property
    def headline_ready(self) -> bool:
        """Whether the period can lead: complete (or curated) with enough evidence."""
        return self.coverage in ("complete", "curated") and self.events > 0 \
            and not self.low_evidence

    @property
    def why_not_headline(self) -> str:
        """Say in a few words why the period cannot lead (empty when it can)."""
        if self.coverage == "missing":
            return "no file covers it"
        if self.coverage == "partial":
            return "partial: the files cover only part of its reporting days"
        if not self.events:
            return "no events"
        return "too few events to read" if self.low_evidence else ""


class Alert(_Model):
    """An active alert (a downward spiral, an escalation) with its evidence."""

    kind: str
    dataset: str
    direction: str
    period_start: dt.date | None = None
    message: str
    evidence: str | None = None


class ChangePoint(_Model):
    """A shift in the relationship index found by the change-point analysis.

    ``period`` is the series it was found in (monthly unless the brief's own
    periods are finer), ``label`` the period as written on the chart.
    """

    dataset: str
    date: dt.date
    before: float | None = None
    after: float | None = None
    message: str
    evidence: str | None = None
    period: str | None = None
    label: str | None = None


class ForecastLine(_Model):
    """The next period's forecast of a dataset's index, shown only when it beat the baselines.

    When the backtest says the model did not beat the best baseline, or had too
    few rolling origins to judge (or too little evidence to fit it), ``mean``,
    ``lower`` and ``upper`` are left empty and ``message`` says why.
    ``beats_no_change`` keeps its name: it is true only when the model beat
    the best of the baselines.
    """

    dataset: str
    indicator: str = "relationship_index"
    period: str
    beats_no_change: bool
    origins: int = 0
    model_crps: float | None = None
    no_change_crps: float | None = None
    period_start: dt.date | None = None
    mean: float | None = None
    lower: float | None = None
    upper: float | None = None
    coverage: float | None = None
    message: str


class Glance(_Model):
    """The state of the relationship at a glance, as of a date.

    ``figures`` are each dataset's latest period; ``steady`` its headline period (the
    latest complete period with enough evidence), for a dataset whose latest period is
    not fit to lead (partial, missing, or with few events). A partial period is never
    the headline.
    ``previous`` is the period with events before each dataset's headline period (the
    steady one where there is one), to say what changed since.
    """

    figures: list[Figure] = []
    steady: list[Figure] = []
    previous: list[Figure] = []
    alerts: list[Alert] = []
    change_points: list[ChangePoint] = []
    latest_change_point: ChangePoint | None = None
    forecasts: list[ForecastLine] = []
    summary: str
    notes: list[str] = []


class Chart(_Model):
    """A Vega-Lite chart, or the reason there is none for this view."""

    name: str
    title: str
    description: str
    spec: dict[str, Any] | None = None
    empty_reason: str | None = None


class Condition(_Model):
    """One playbook condition: what it asks, its result and the values used."""

    text: str
    status: str
    values: dict[str, Any] = {}
    evidence: str | None = None


class PlaybookItem(_Model):
    """One agenda item of a basket, with its status and the evidence."""

    basket: str
    item: str
    title: str
    status: str
    explanation: str = ""
    conditions: list[Condition] = []


class PlaybookSection(_Model):
    """The playbook's evaluation, or why there is none."""

    name: str | None = None
    vintage: str | None = None
    dataset: str | None = None
    items: list[PlaybookItem] = []
    unavailable: str | None = None


class EvidenceEvent(_Model):
    """One event behind a figure, as a reader reads it: the date, both actors by name
    (their codes beside), the CAMEO code with its label, the sentence or description where
    the source has one, where it happened, who published it and the link."""

    event_id: str
    date: dt.date
    source_actor: str | None
    target_actor: str | None
    source_name: str | None = None
    target_name: str | None = None
    event_code: str | None
    event_label: str | None = None
    quad_class: int | None
    goldstein: float | None
    issue_areas: list[str] = []
    dataset: str
    text: str | None = None
    source: str | None = None
    publisher: str | None = None
    place: str | None = None
    place_country: str | None = None
    url: str | None = None

    @property
    def actors(self) -> str:
        """Both actors by name, the code in brackets where it adds something:
        ``Sergey Lavrov (RUSGOV) → United States (USA)``."""
        def one(name: str | None, code: str | None) -> str:
            if name and code:
                return f"{name} ({code})"
            return name or code or "?"
        return f"{one(self.source_name, self.source_actor)} → {one(self.target_name, self.target_actor)}"

    @property
    def code_label(self) -> str:
        """The code with its label: ``163 Impose embargo, boycott, or sanctions``."""
        return " ".join(x for x in (self.event_code, self.event_label) if x)


class EvidenceGroup(_Model):
    """The events behind one figure (``key`` is what figures refer to)."""

    key: str
    title: str
    total: int
    events: list[EvidenceEvent] = []


class Caveat(_Model):
    """A limit of the data or the models, said plainly."""

    topic: str
    text: str


class DatasetRecord(_Model):
    """What a dataset in the selection holds."""

    dataset: str
    events: int
    first: dt.date | None
    last: dt.date | None


class FileRecord(_Model):
    """An ingested file with its hash (provenance)."""

    name: str
    dataset: str
    reader: str
    sha256: str
    stored: int


class Reproducibility(_Model):
    """Enough to compute the same brief again."""

    tool_version: str
    as_of: dt.date | None
    parameters: dict[str, Any]
    datasets: list[DatasetRecord] = []
    files: list[FileRecord] = []
    modules: dict[str, str] = {}


class Change(_Model):
    """One difference against an earlier brief."""

    section: str
    item: str
    before: str | None
    after: str | None


class Brief(_Model):
    """The whole brief."""

    schema_version: int = SCHEMA_VERSION
    title: str
    dyad: str
    period: str
    as_of: dt.date | None
    options: BriefOptions
    glance: Glance
    charts: list[Chart] = []
    playbook: PlaybookSection = PlaybookSection()
    evidence: list[EvidenceGroup] = []
    caveats: list[Caveat] = []
    reproducibility: Reproducibility
    changes: list[Change] | None = None
    compared_with: str | None = None

    def chart(self, name: str) -> Chart | None:
        """Return the chart called ``name``, if the brief has it."""
        return next((c for c in self.charts if c.name == name), None)

    def evidence_group(self, key: str) -> EvidenceGroup | None:
        """Return the evidence group ``key``, if the brief has it."""
        return next((g for g in self.evidence if g.key == key), None)
