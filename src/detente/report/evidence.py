"""The events behind a figure, and what each dataset in the selection holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from detente.ontology import event_label
from detente.query import Selection
from detente.report.model import DatasetRecord, EvidenceEvent, EvidenceGroup, FileRecord
from detente.store import Store

__all__ = ["coverage", "dataset_records", "evidence_group", "file_records"]

_COLUMNS = ("event_id", "date", "source_actor", "target_actor", "source_name", "target_name",
            "event_code", "quad_class", "goldstein", "issue_areas", "dataset", "text", "url",
            "publisher", "place", "place_country", "citation_issuer", "citation_title",
            "citation_date", "citation_url", "num_mentions")


def _source(row: dict[str, Any]) -> tuple[str | None, str | None]:
    """Say where an event was recorded: the citation for curated events, else the report."""
    if row.get("citation_title") or row.get("citation_issuer"):
        parts = [row.get("citation_issuer"), row.get("citation_title")]
        when = row.get("citation_date")
        text = ", ".join(str(p) for p in parts if p)
        if when:
            text += f" ({when})"
        return text, row.get("citation_url") or row.get("url")
    url = row.get("url")
    mentions = row.get("num_mentions")
    if mentions:
        return f"{mentions} mentions; first report", url
    return None, url


def evidence_group(store: Store, key: str, title: str, flt: Selection,
                   limit: int) -> EvidenceGroup:
    """Return the most telling events of ``flt``: most reported first, then strongest.

    Events are ordered by mentions (where the dataset counts them), then by the
    size of their Goldstein score, then by date, newest first.
    """
    total, rows = store.queries.evidence(flt, limit, _COLUMNS)
    events = []
    for row in rows:
        source, url = _source(row)
        events.append(EvidenceEvent(
            event_id=row["event_id"], date=row["date"], source_actor=row["source_actor"],
            target_actor=row["target_actor"], source_name=row["source_name"],
            target_name=row["target_name"], event_code=row["event_code"] or None,
            event_label=event_label(row["event_code"]),
            quad_class=row["quad_class"], goldstein=row["goldstein"],
            issue_areas=list(row["issue_areas"] or []), dataset=row["dataset"],
            text=row["text"], source=source, publisher=row["publisher"], place=row["place"],
            place_country=row["place_country"], url=url,
        ))
    return EvidenceGroup(key=key, title=title, total=total, events=events)


def dataset_records(store: Store, flt: Selection) -> list[DatasetRecord]:
    """Return events and date coverage of each dataset within ``flt``."""
    return [DatasetRecord(dataset=c.dataset, events=c.events, first=c.first, last=c.last)
            for c in store.queries.coverage(flt)]


def coverage(store: Store, flt: Selection, *, files: bool = True
             ) -> tuple[list[DatasetRecord], set[str]]:
    """Return :func:`dataset_records` of ``flt`` and the files its events came from
    (as ``name@sha256:…``, for :func:`file_records`; none unless ``files``), in one
    pass over the events."""
    found = store.queries.coverage(flt, files=files)
    records = [DatasetRecord(dataset=c.dataset, events=c.events, first=c.first, last=c.last)
               for c in found]
    return records, {f for c in found for f in c.files}


def file_records(store: Store, flt: Selection | None = None, *,
                 sources: set[str] | None = None) -> list[FileRecord]:
    """Return the ingested files that the events of ``flt`` came from, with their hashes
    (or the files named in ``sources``, as :func:`coverage` returns them)."""
    if sources is None:
        sources = {f for c in store.queries.coverage(flt or Selection(), files=True) for f in c.files}
    out = []
    for row in store.files().to_pylist():
        if f"{row['name']}@sha256:{row['sha256']}" in sources:
            out.append(FileRecord(name=row["name"], dataset=row["dataset"], reader=row["reader"],
                                  sha256=row["sha256"], stored=int(row["stored"] or 0)))
    return out


def window(start: dt.date, end: dt.date, base: Selection) -> Selection:
    """Return ``base`` narrowed to ``start``…``end``."""
    since = max(start, base.since) if base.since else start
    until = min(end, base.until) if base.until else end
    return Selection(dyad=base.dyad, source=base.source, target=base.target, since=since,
                     until=until, issue_areas=base.issue_areas, datasets=base.datasets)
