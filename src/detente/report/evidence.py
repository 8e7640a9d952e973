"""The events behind a figure, and what each dataset in the selection holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from detente.report.model import DatasetRecord, EvidenceEvent, EvidenceGroup, FileRecord
from detente.store import EventFilter, Store

__all__ = ["coverage", "dataset_records", "evidence_group", "file_records"]

_COLUMNS = ("event_id", "date", "source_actor", "target_actor", "event_code", "quad_class",
            "goldstein", "issue_areas", "dataset", "text", "url", "citation_issuer",
            "citation_title", "citation_date", "citation_url", "num_mentions")


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
    if url:
        return (f"{mentions} mentions; first report" if mentions else "report"), url
    return None, None


def evidence_group(store: Store, key: str, title: str, flt: EventFilter,
                   limit: int) -> EvidenceGroup:
    """Return the most telling events of ``flt``: most reported first, then strongest.

    Events are ordered by mentions (where the dataset counts them), then by the
    size of their Goldstein score, then by date, newest first.
    """
    where, params = store.where(flt)
    cols = ", ".join(f'"{c}"' for c in _COLUMNS)
    # the count of all selected events rides along with each of the rows shown
    cur = store.con.execute(
        f"SELECT {cols}, count(*) OVER () AS _total FROM events WHERE {where} "
        "ORDER BY coalesce(num_mentions, 0) DESC, abs(goldstein) DESC NULLS LAST, date DESC, "
        "event_id LIMIT ?",
        [*params, max(limit, 1)],
    )
    names = [d[0] for d in cur.description]
    fetched = cur.fetchall()
    total = int(fetched[0][-1]) if fetched else 0
    events = []
    for values in fetched[:limit]:
        row = dict(zip(names[:-1], values[:-1], strict=True))
        source, url = _source(row)
        events.append(EvidenceEvent(
            event_id=row["event_id"], date=row["date"], source_actor=row["source_actor"],
            target_actor=row["target_actor"], event_code=row["event_code"] or None,
            quad_class=row["quad_class"], goldstein=row["goldstein"],
            issue_areas=list(row["issue_areas"] or []), dataset=row["dataset"],
            text=row["text"], source=source, url=url,
        ))
    return EvidenceGroup(key=key, title=title, total=total, events=events)


def dataset_records(store: Store, flt: EventFilter) -> list[DatasetRecord]:
    """Return events and date coverage of each dataset within ``flt``."""
    where, params = store.where(flt)
    rows = store.con.execute(
        f"SELECT dataset, count(*), min(date), max(date) FROM events WHERE {where} "
        "GROUP BY dataset ORDER BY dataset", params).fetchall()
    return [DatasetRecord(dataset=r[0], events=int(r[1]), first=r[2], last=r[3]) for r in rows]


def coverage(store: Store, flt: EventFilter) -> tuple[list[DatasetRecord], set[str]]:
    """Return :func:`dataset_records` of ``flt`` and the files its events came from
    (as ``name@sha256:…``, for :func:`file_records`), in one pass over the events."""
    where, params = store.where(flt)
    rows = store.con.execute(
        f"SELECT dataset, count(*), min(date), max(date), list(DISTINCT ingested_from) "
        f"FROM events WHERE {where} GROUP BY dataset ORDER BY dataset", params).fetchall()
    records = [DatasetRecord(dataset=r[0], events=int(r[1]), first=r[2], last=r[3]) for r in rows]
    return records, {f for r in rows for f in r[4] if f is not None}


def file_records(store: Store, flt: EventFilter | None = None, *,
                 sources: set[str] | None = None) -> list[FileRecord]:
    """Return the ingested files that the events of ``flt`` came from, with their hashes
    (or the files named in ``sources``, as :func:`coverage` returns them)."""
    if sources is None:
        where, params = store.where(flt or EventFilter())
        sources = {r[0] for r in store.con.execute(
            f"SELECT DISTINCT ingested_from FROM events WHERE {where}", params).fetchall()}
    out = []
    for row in store.files().to_pylist():
        if f"{row['name']}@sha256:{row['sha256']}" in sources:
            out.append(FileRecord(name=row["name"], dataset=row["dataset"], reader=row["reader"],
                                  sha256=row["sha256"], stored=int(row["stored"] or 0)))
    return out


def window(start: dt.date, end: dt.date, base: EventFilter) -> EventFilter:
    """Return ``base`` narrowed to ``start``…``end``."""
    since = max(start, base.since) if base.since else start
    until = min(end, base.until) if base.until else end
    return EventFilter(dyad=base.dyad, source=base.source, target=base.target, since=since,
                       until=until, issue_areas=base.issue_areas, datasets=base.datasets)
