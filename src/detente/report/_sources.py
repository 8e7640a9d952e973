"""What the brief reads from the other stages, each behind one small function.

A stage that is missing from this build, or that fails on this selection,
raises :class:`Unavailable` with a plain reason; the brief then shows that
reason where the section would be, and everything else still renders.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from detente.errors import DetenteError
from detente.store import Store

__all__ = ["Unavailable", "indicator_rows", "module_versions"]


class Unavailable(Exception):
    """A section cannot be computed; the message says why, for a reader."""


def _module(name: str, what: str, needs: tuple[str, ...] = ()) -> Any:
    try:
        mod = importlib.import_module(name)
    except ImportError:
        mod = None
    if mod is None or any(not hasattr(mod, n) for n in needs):
        raise Unavailable(f"not available: {what} ({name}) is not part of this version")
    return mod


def module_versions() -> dict[str, str]:
    """Return which stages this build has (``present``/``absent``), for the record."""
    out: dict[str, str] = {}
    for name in ("detente.indicators", "detente.analysis", "detente.policy"):
        try:
            mod = importlib.import_module(name)
            out[name] = "present" if getattr(mod, "__file__", None) else "absent"
        except ImportError:
            out[name] = "absent"
    return out


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
    """Return the indicator table's rows (see :mod:`detente.indicators`) as dicts.

    Raises:
        Unavailable: the indicators stage is missing or refused the selection.
    """
    ind = _module("detente.indicators", "the indicators stage",
                  ("IndicatorSpec", "compute_indicators"))
    spec = ind.IndicatorSpec(
        dyad=dyad, split_directions=split_directions, period=period, issue=issue, since=since,
        until=until, as_of=as_of, datasets=datasets or None,
    )
    try:
        table = ind.compute_indicators(store, spec)
    except DetenteError as exc:
        raise Unavailable(f"no indicators for this view: {exc}") from None
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def _call(module: str, what: str, func: str, *args: Any, **kwargs: Any) -> Any:
    mod = _module(module, what)
    fn = getattr(mod, func, None)
    if fn is None:
        raise Unavailable(f"not available: {module}.{func} is not part of this version")
    try:
        return fn(*args, **kwargs)
    except DetenteError as exc:
        raise Unavailable(f"{what}: {exc}") from None
    except ImportError:
        raise Unavailable(f"not available: {what} needs a stage missing from this version") \
            from None


def reciprocity(store: Store, **kwargs: Any) -> Any:
    """Return the fitted reciprocity model of :func:`detente.analysis.reciprocity`.

    Raises:
        Unavailable: the analysis stage is missing or refused the selection.
    """
    result, _used = _call("detente.analysis", "the reciprocity analysis", "reciprocity", store,
                          **kwargs)
    return result


def playbook_report(store: Store, playbook: str | None, as_of: dt.date | None) -> Any:
    """Return :func:`detente.policy.check_playbook`'s report.

    Raises:
        Unavailable: the policy stage is missing or refused the playbook.
    """
    return _call("detente.policy", "the playbook evaluation", "check_playbook", store,
                 playbook=playbook, as_of=as_of)


def registry() -> Any:
    """Return :func:`detente.policy.load_registry`'s registry.

    Raises:
        Unavailable: the policy stage is missing.
    """
    return _call("detente.policy", "the treaty and channel registry", "load_registry")


def analysis() -> Any:
    """Return the analysis module.

    Raises:
        Unavailable: the analysis stage is missing.
    """
    return _module("detente.analysis", "the change-point and alert analysis",
                   ("change_points", "alerts"))
