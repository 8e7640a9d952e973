"""Issue-area tags: rules over an event's code, actors, text and URL.

The rules live in a YAML file (the package's default, extendable by a user's
file); they compile to one SQL expression that yields each event's list of
tags, so tagging runs inside DuckDB at ingest and again on ``detente retag``.
"""

from __future__ import annotations

from detente.tagging.rules import (
    ISSUE_AREAS,
    Rule,
    RuleSet,
    icews_sector_areas,
    icews_sector_sql,
    load_rules,
)

__all__ = ["ISSUE_AREAS", "Rule", "RuleSet", "icews_sector_areas", "icews_sector_sql",
           "load_rules"]
