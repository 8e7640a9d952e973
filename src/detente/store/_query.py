"""Selections of events, as the store's callers name them (defined in :mod:`detente.query`)."""

from __future__ import annotations

from detente.query.types import EventFilter, Selection, parse_date, parse_dyad

__all__ = ["EventFilter", "Selection", "parse_date", "parse_dyad"]
