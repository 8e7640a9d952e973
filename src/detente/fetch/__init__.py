"""Fetch published event data into the store, keeping it current.

:func:`fetch_gdelt` downloads GDELT's event files for a date range (2.0's
15-minute exports, or 1.0's yearly, monthly and daily files), checks each
against the size and MD5 GDELT lists for it, and ingests it with its totals per
CAMEO root and a ledger row in one transaction. :func:`coverage` reads the
ledger back: per day, the files expected, received, missing upstream and failed.
:func:`fetch_feeds` codes the new items of RSS and Atom feeds of official
statements into the store (dataset ``feeds``).
"""

from __future__ import annotations

from detente.fetch._feeds import Feed, FeedResult, FeedsResult, fetch_feeds, load_feeds
from detente.fetch._gdelt import (
    FetchError,
    FetchOptions,
    FetchProgress,
    FetchResult,
    GkgReport,
    fetch_gdelt,
)
from detente.fetch._gkg import ThemeTable, load_theme_table
from detente.fetch._http import Http, HttpFailure, Unreachable
from detente.fetch._lists import GDELT1_URL, GDELT2_URL, Remote
from detente.store._fetched import coverage, dedup_share

__all__ = [
    "GDELT1_URL",
    "GDELT2_URL",
    "Feed",
    "FeedResult",
    "FeedsResult",
    "FetchError",
    "FetchOptions",
    "FetchProgress",
    "FetchResult",
    "GkgReport",
    "Http",
    "HttpFailure",
    "Remote",
    "ThemeTable",
    "Unreachable",
    "coverage",
    "dedup_share",
    "fetch_feeds",
    "fetch_gdelt",
    "load_feeds",
    "load_theme_table",
]
