"""What evaluating a condition gives: its outcome and the evidence behind it."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

Outcome = Literal["met", "not_met", "insufficient_evidence"]
Value = float | str | bool | date | dict[str, Any] | None


class Evidence(BaseModel):
    """One value a condition used, and where it came from."""

    term: str
    value: float | str | bool | date | None
    dataset: str | None = None
    direction: str | None = None
    since: date | None = None
    until: date | None = None
    events: int | None = None
    event_ids: list[str] = Field(default_factory=list)
    note: str | None = None
    untagged_share: float | None = None
    """For a window on issue areas: the share of the window's events whose issue area
    cannot be told (no tag, or no text to tell from)."""


class ConditionResult(BaseModel):
    """The outcome of one condition with its evidence."""

    id: str
    description: str = ""
    expr: str
    result: Outcome
    values: list[Evidence] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
