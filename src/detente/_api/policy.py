"""The playbook and proposals: checking the playbook, assessing a proposed move."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from detente._api.arguments import _date, _output, _text
from detente.errors import QueryError

if TYPE_CHECKING:
    from detente.policy import Assessment, Playbook, PlaybookReport
    from detente.store import Store


def _book(playbook: str | os.PathLike[str] | Playbook | None) -> Playbook | str | None:
    if playbook is None or isinstance(playbook, str | os.PathLike):
        if playbook is not None and not Path(playbook).is_file():
            raise QueryError(f"playbook={str(playbook)!r}: no such playbook file")
        return None if playbook is None else str(playbook)
    return playbook


def _model_json(model: Any) -> str:
    """Return a report model as the JSON text its command prints with ``--as json``."""
    return json.dumps(model.model_dump(mode="json"), indent=2, default=str) + "\n"


@overload
def playbook_check(store: Store, playbook: str | os.PathLike[str] | Playbook | None = ..., *,
                   as_of: str | dt.date | None = ..., dataset: str | None = ...,
                   output: None = ...) -> PlaybookReport: ...
@overload
def playbook_check(store: Store, playbook: str | os.PathLike[str] | Playbook | None = ..., *,
                   as_of: str | dt.date | None = ..., dataset: str | None = ...,
                   output: Literal["json"]) -> str: ...
def playbook_check(
    store: Store,
    playbook: str | os.PathLike[str] | Playbook | None = None,
    *,
    as_of: str | dt.date | None = None,
    dataset: str | None = None,
    output: Literal["json"] | None = None,
) -> PlaybookReport | str:
    """Evaluate every agenda item and condition of a playbook, with evidence (``detente playbook check``).

    Args:
        store: an open store (see :func:`open_store`).
        playbook: a playbook file, or one loaded with ``detente.policy.load_playbook``;
            default the packaged playbook (the command's ``FILE`` argument).
        as_of: evaluate as of this date (default: the last event of the dataset used).
        dataset: the dataset to evaluate on (default: the one with most events of the dyad).
        output: ``None`` for the report, ``"json"`` for what ``--as json`` prints.

    Returns:
        A ``detente.policy.PlaybookReport``: ``playbook``, ``as_of``, ``dataset``,
        ``dyad``, ``items`` (per agenda item ``basket``, ``title``, ``status``
        (``on_track``, ``deteriorating``, ``stalled``, ``overtaken_by_events``),
        ``reason``, ``conditions`` with their values and events) and ``counts`` per
        status; or its JSON text.

    Raises:
        QueryError: a value is not valid, or the playbook file does not exist.
        PolicyFileError: the playbook is not valid (``file:line: what is wrong``).

    Example:
        with detente.open_store() as st:
            report = detente.playbook_check(st, as_of="2021-12-31")
            print(report.counts)
    """
    from detente.policy import check_playbook

    how = _output(output, (None, "json"), "None returns the report")
    report = check_playbook(store, _book(playbook), _date(as_of, "as_of"),
                            dataset=_text(dataset, "dataset") if dataset is not None else None)
    return _model_json(report) if how == "json" else report


@overload
def assess(store: Store, proposal: str | os.PathLike[str], *,
           playbook: str | os.PathLike[str] | Playbook | None = ..., as_of: str | dt.date | None = ...,
           dataset: str | None = ..., output: None = ...) -> Assessment: ...
@overload
def assess(store: Store, proposal: str | os.PathLike[str], *,
           playbook: str | os.PathLike[str] | Playbook | None = ..., as_of: str | dt.date | None = ...,
           dataset: str | None = ..., output: Literal["json"]) -> str: ...
def assess(
    store: Store,
    proposal: str | os.PathLike[str],
    *,
    playbook: str | os.PathLike[str] | Playbook | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | None = None,
    output: Literal["json"] | None = None,
) -> Assessment | str:
    """Assess a proposed move against the playbook and the record (``detente assess``).

    Which principles it supports or strains, the conditions it depends on, Russia's
    expected answer from the record, the allies' recent relations, and a verdict.
    Proposal files: ``docs/playbook.md``; examples in ``examples/proposals/``.

    Args:
        store: an open store (see :func:`open_store`).
        proposal: the proposal file (YAML).
        playbook: a playbook file or a loaded playbook (default: the packaged one).
        as_of: assess as of this date (default: the last event of the dataset used).
        dataset: the dataset to evaluate on (default: the one with most events of the dyad).
        output: ``None`` for the assessment, ``"json"`` for what ``--as json`` prints.

    Returns:
        A ``detente.policy.Assessment``: ``proposal``, ``as_of``, ``dataset``,
        ``verdict`` (``consistent``, ``consistent_with_conditions`` or ``inconsistent``),
        ``reasons``, ``findings`` (per principle: ``effect`` and ``reason``),
        ``conditions``, ``expected_response`` and ``allies``; or its JSON text.

    Raises:
        QueryError: a value is not valid, or the playbook file does not exist.
        PolicyFileError: the proposal or the playbook is not valid (with file and line).

    Example:
        with detente.open_store() as st:
            result = detente.assess(st, "examples/proposals/mil_to_mil_deconfliction.yaml")
            print(result.verdict, result.reasons)
    """
    from detente.policy import assess_proposal

    how = _output(output, (None, "json"), "None returns the assessment")
    if not isinstance(proposal, str | os.PathLike):
        raise QueryError(f"proposal={proposal!r} must be a path to a proposal file")
    result = assess_proposal(store, Path(proposal), _book(playbook), _date(as_of, "as_of"),
                             dataset=_text(dataset, "dataset") if dataset is not None else None)
    return _model_json(result) if how == "json" else result
