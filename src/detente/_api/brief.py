"""The brief: the relationship at a glance, as a model or rendered."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from detente._api.arguments import _date, _dyad, _many, _output, _period, _text, _window
from detente.errors import QueryError
from detente.query.period import PERIODS

if TYPE_CHECKING:
    from detente.report import Brief
    from detente.store import Store


_BRIEF_FORMATS = ("html", "markdown", "json")


@overload
def brief(store: Store, *, output: None = ..., dyad: str | Sequence[str] | None = ...,
          period: str = ..., since: str | dt.date | None = ..., until: str | dt.date | None = ...,
          as_of: str | dt.date | None = ..., dataset: str | Sequence[str] | None = ...,
          issue: str | None = ..., playbook: str | os.PathLike[str] | None = ...,
          compare: str | os.PathLike[str] | Brief | None = ...) -> Brief: ...
@overload
def brief(store: Store, *, output: Literal["html", "markdown", "json"],
          dyad: str | Sequence[str] | None = ..., period: str = ..., since: str | dt.date | None = ...,
          until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
          dataset: str | Sequence[str] | None = ..., issue: str | None = ...,
          playbook: str | os.PathLike[str] | None = ...,
          compare: str | os.PathLike[str] | Brief | None = ...) -> str: ...
def brief(
    store: Store,
    *,
    output: Literal["html", "markdown", "json"] | None = None,
    dyad: str | Sequence[str] | None = None,
    period: str = "auto",
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | Sequence[str] | None = None,
    issue: str | None = None,
    playbook: str | os.PathLike[str] | None = None,
    compare: str | os.PathLike[str] | Brief | None = None,
) -> Brief | str:
    """Compute the brief: the relationship at a glance, charts, playbook, evidence (``detente brief``).

    It always renders: a selection with no events gives a brief that says plainly there
    is no evidence for that view. What it holds: ``docs/brief.md``.

    Args:
        store: an open store (see :func:`open_store`).
        output: ``None`` for the ``Brief`` model; ``"html"`` (one page that opens
            offline), ``"markdown"`` or ``"json"`` for its text (``--format``).
        dyad: ``"USA-RUS"`` or ``("USA", "RUS")``; default USA-RUS.
        period: ``"auto"`` (years for the chronology alone, else months), ``"week"``,
            ``"month"``, ``"quarter"`` or ``"year"``.
        since: first day.
        until: last day.
        as_of: compute as of this date (default: the last event date selected).
        dataset: dataset(s) (default: every dataset in the store).
        issue: one issue area only.
        playbook: a playbook file (default: the packaged playbook).
        compare: an earlier brief (its JSON file, or a ``Brief``): the brief then says
            what changed since.

    Returns:
        The ``detente.report.Brief`` (``title``, ``glance``, ``charts``, ``playbook``,
        ``evidence``, ``caveats``, ``reproducibility``, ...), or its text in ``output``.

    Raises:
        QueryError: a value is not valid, or the playbook file does not exist.
        DetenteError: ``compare`` names a file that is not a brief's JSON.

    Example:
        from pathlib import Path

        with detente.open_store() as st:
            Path("brief.html").write_text(detente.brief(st, output="html"), encoding="utf-8")
    """
    from detente.report import BriefOptions, build_brief, load_brief, render, with_changes

    how = _output(output, (None, *_BRIEF_FORMATS), "None returns the Brief model")
    if playbook is not None and not Path(playbook).is_file():
        raise QueryError(f"playbook={str(playbook)!r}: no such playbook file")
    earlier: Brief | None = None
    label = "the earlier brief"
    if isinstance(compare, str | os.PathLike):
        earlier, label = load_brief(Path(compare)), Path(compare).name
    elif compare is not None:
        earlier = compare
    first, last = _date(since, "since"), _date(until, "until")
    _window(first, last)
    opts = BriefOptions(
        dyad=_dyad(dyad) or ("USA", "RUS"), period=_period(period, ("auto", *PERIODS)),  # type: ignore[arg-type]
        since=first, until=last, as_of=_date(as_of, "as_of"), datasets=_many(dataset, "dataset"),
        issue=_text(issue, "issue") if issue is not None else None,
        playbook=str(playbook) if playbook is not None else None,
    )
    if how == "html":
        try:
            from detente.report._bundle import prefetch
        except ImportError:  # an optimisation only: the page's JavaScript is then built when rendered
            pass
        else:
            prefetch()  # a cold cache builds the page's JavaScript while the content is computed
    content = build_brief(store, opts)
    if earlier is not None:
        content = with_changes(content, earlier, label)
    return content if how is None else render(content, how)
