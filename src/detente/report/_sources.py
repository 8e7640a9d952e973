"""What the brief reads from the other stages, each behind one small function.

A stage that refuses this selection (not enough evidence, an unknown playbook)
raises :class:`Unavailable` with a plain reason; the brief then shows that reason
where the section would be, and everything else still renders. The stages are
imported directly: a missing stage is a broken installation, not a missing
section.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from detente import analysis, policy, series
from detente.errors import DetenteError
from detente.policy.registry import default_registry_dir
from detente.store import Store

__all__ = ["Unavailable", "indicator_rows", "library_versions", "playbook_report", "reciprocity",
           "registry"]


class Unavailable(Exception):
    """A section cannot be computed; the message says why, for a reader."""


_LIBRARIES = ("duckdb", "ibis-framework", "pyarrow", "ruptures", "statsmodels", "altair")


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for name in _LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return tuple(out.items())


def library_versions() -> dict[str, str]:
    """Return the versions of the libraries the figures depend on, for the record (read
    once per process: they do not change while it runs)."""
    return dict(_versions())


def indicator_rows(
    store: Store,
    *,
    dyad: tuple[str, str],
    period: str,
    issue: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    as_of: dt.date | None = None,
    datasets: tuple[str, ...] = (),
    split_directions: bool = False,
) -> list[dict[str, Any]]:
    """Return the indicator table's rows (see :mod:`detente.series`) as dicts.

    Raises:
        Unavailable: the indicators refused the selection.
    """
    spec = series.IndicatorSpec(
        dyad=dyad, split_directions=split_directions, period=period, issue=issue, since=since,
        until=until, as_of=as_of, datasets=datasets or None,
    )
    try:
        table = series.compute_indicators(store, spec)
    except DetenteError as exc:
        raise Unavailable(f"no indicators for this view: {exc}") from None
    # column by column: the same dicts as ``table.to_pylist()``, in about two thirds the time
    names = table.column_names
    return [dict(zip(names, values, strict=True))
            for values in zip(*(column.to_pylist() for column in table.columns), strict=True)]


def reciprocity(store: Store, **kwargs: Any) -> Any:
    """Return the fitted reciprocity model of :func:`detente.analysis.reciprocity`.

    Raises:
        Unavailable: the analysis refused the selection.
    """
    try:
        result, _used = analysis.reciprocity(store, **kwargs)
    except DetenteError as exc:
        raise Unavailable(f"the reciprocity analysis: {exc}") from None
    return result


def playbook_report(store: Store, playbook: str | None, as_of: dt.date | None) -> Any:
    """Return :func:`detente.policy.check_playbook`'s report.

    Raises:
        Unavailable: the playbook evaluation refused the playbook or the selection.
    """
    try:
        return policy.check_playbook(store, playbook=playbook, as_of=as_of)
    except DetenteError as exc:
        raise Unavailable(f"the playbook evaluation: {exc}") from None


_registry_kept: tuple[tuple[tuple[int, int, int] | None, ...], Any] | None = None


def _registry_files() -> tuple[tuple[int, int, int] | None, ...]:
    base = default_registry_dir()
    out: list[tuple[int, int, int] | None] = []
    for name in ("treaties.yaml", "channels.yaml"):
        try:
            st = os.stat(base / name)
        except OSError:
            out.append(None)
        else:
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


def registry() -> Any:
    """Return the packaged treaty and channel registry (parsed again only when its files
    change: a view reads it each time, and parsing costs tens of milliseconds)."""
    global _registry_kept
    files = _registry_files()
    kept = _registry_kept
    if kept is not None and kept[0] == files and None not in files:
        return kept[1]
    loaded = policy.load_registry()
    _registry_kept = (files, loaded)
    return loaded
