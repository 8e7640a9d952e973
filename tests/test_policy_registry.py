"""The treaty and channel registry: dates to the day, links to the chronology, channel rules."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from detente.policy import PolicyFileError, load_registry
from detente.policy.listing import treaty_report
from detente.policy.registry import Channel, ChannelFact, Selector, channel_state
from detente.store import chronology_files

# Facts checked against public records (the project's reference milestones):
# (instrument, party, status, effective date)
FACTS = [
    ("NEW_START", "USA", "signed", date(2010, 4, 8)),
    ("NEW_START", "RUS", "in_force", date(2011, 2, 5)),
    ("NEW_START", "USA", "extended", date(2021, 2, 3)),
    ("NEW_START", "RUS", "suspended", date(2023, 2, 28)),
    ("NEW_START", "USA", "expired", date(2026, 2, 5)),
    ("NEW_START", "RUS", "expired", date(2026, 2, 5)),
    ("OPEN_SKIES", "USA", "withdrawn", date(2020, 11, 22)),
    ("OPEN_SKIES", "RUS", "withdrawn", date(2021, 12, 18)),
    ("CTBT", "RUS", "deratified", date(2023, 11, 2)),
    ("CFE", "RUS", "withdrawn", date(2023, 11, 7)),
    ("CFE", "USA", "suspended", date(2023, 12, 7)),
    ("INF", "USA", "withdrawn", date(2019, 8, 2)),
    ("SYRIA_AIR_SAFETY_MOU", "RUS", "suspended", date(2017, 4, 7)),
    ("SYRIA_AIR_SAFETY_MOU", "RUS", "resumed", date(2017, 5, 6)),
    ("INF", "USA", "withdrawal_announced", date(2018, 10, 20)),
    ("INF", "USA", "ultimatum", date(2018, 12, 4)),
    ("INF", "USA", "suspended", date(2019, 2, 2)),
    ("PMDA", "USA", "in_force", date(2011, 7, 13)),
    ("PMDA", "RUS", "in_force", date(2011, 7, 13)),
    ("PMDA", "RUS", "withdrawn", date(2025, 10, 27)),
    ("OPEN_SKIES", "RUS", "withdrawal_notified", date(2021, 6, 18)),
    ("CFE", "RUS", "withdrawal_notified", date(2023, 5, 29)),
]


def _chronology() -> dict[str, str]:
    out: dict[str, str] = {}
    for f in chronology_files():
        with f.open(newline="", encoding="utf-8") as fh:
            out.update({f"curated:{r['id']}": r["date"] for r in csv.DictReader(fh)})
    return out


@pytest.mark.parametrize(("inst", "party", "status", "effective"), FACTS)
def test_status_changes_are_dated_to_the_day(inst: str, party: str, status: str,
                                              effective: date) -> None:
    reg = load_registry()
    instrument = reg.instrument(inst)
    assert instrument is not None
    assert any(c.status == status and c.effective == effective for c in instrument.parties[party])


def test_announced_and_effective_dates_differ_where_they_did() -> None:
    reg = load_registry()
    new_start = reg.instrument("New START")
    assert new_start is not None
    suspension = next(c for c in new_start.parties["RUS"] if c.status == "suspended")
    assert (suspension.announced, suspension.effective) == (date(2023, 2, 21), date(2023, 2, 28))
    cfe = reg.instrument("CFE")
    assert cfe is not None
    us = [c for c in cfe.parties["USA"] if c.effective == date(2023, 12, 7)]
    assert [(c.status, c.announced) for c in us] == [("suspended", date(2023, 11, 7))]


def test_strained_instruments_and_their_binding_status() -> None:
    reg = load_registry()
    inf, pmda, mou = (reg.instrument(n) for n in ("INF", "PMDA", "SYRIA_AIR_SAFETY_MOU"))
    assert inf is not None and pmda is not None and mou is not None
    assert inf.strained(date(2018, 10, 19)) == []
    assert [(s.party, s.status) for s in inf.strained(date(2018, 12, 4))] == [("USA", "ultimatum")]
    assert [(s.party, s.status) for s in inf.strained(date(2019, 3, 4))] == [
        ("USA", "withdrawal_notified"), ("RUS", "suspended")]
    assert inf.strained(date(2019, 8, 2)) == []  # ended, no longer strained
    assert [(s.party, s.status) for s in pmda.strained(date(2020, 1, 1))] == [("RUS", "suspended")]
    assert pmda.ended(date(2025, 10, 26)) is False and pmda.ended(date(2025, 10, 27)) is True
    # suspended after the Shayrat strike, applied in full again from 6 May 2017
    assert [c.status for c in mou.parties["RUS"]] == ["signed", "suspended", "resumed"]
    assert [(s.party, s.status) for s in mou.strained(date(2017, 5, 5))] == [("RUS", "suspended")]
    assert mou.strained(date(2017, 5, 6)) == []
    # a resumed memorandum binds no more than the signed one did; a resumed treaty in force binds
    assert not mou.binds("RUS", date(2018, 1, 1)) and not mou.binds("RUS", date(2015, 11, 1))
    assert pmda.binds("RUS", date(2012, 1, 1)) and not pmda.binds("RUS", date(2020, 1, 1))


def test_ctbt_parties_differ() -> None:
    ctbt = load_registry().instrument("CTBT")
    assert ctbt is not None
    assert [c.status for c in ctbt.changes("USA")] == ["signed"]
    assert [c.status for c in ctbt.changes("RUS")] == ["signed", "ratified", "deratified"]
    st = ctbt.state("RUS", date(2023, 11, 1))
    assert st is not None and st.status == "ratified"
    assert not ctbt.ended(date(2026, 1, 1))


def test_every_event_the_registry_cites_is_in_the_chronology_on_its_date() -> None:
    chron = _chronology()
    reg = load_registry()
    for inst in reg.instruments:
        for party, changes in inst.parties.items():
            for c in changes:
                if c.event is None:
                    continue
                assert c.event in chron, f"{inst.id}/{party}: {c.event}"
                assert chron[c.event] in (str(c.effective), str(c.announced)), c.event
        for e in inst.overtaken_by.events if inst.overtaken_by else []:
            assert e in chron
    for ch in reg.channels:
        for f in ch.facts:
            if f.event:
                assert chron[f.event] == str(f.effective), f.event


def test_ended_and_overtaken() -> None:
    reg = load_registry()
    inf, minsk, open_skies = (reg.instrument(n) for n in ("INF", "MINSK", "OPEN_SKIES"))
    assert inf and minsk and open_skies
    assert not inf.ended(date(2019, 8, 1)) and inf.ended(date(2019, 8, 2))
    assert not minsk.ended(date(2022, 2, 23)) and minsk.ended(date(2022, 2, 24))
    assert minsk.ending_events(date(2022, 3, 1)) == ["curated:2022-02-21-recognition-dpr-lpr",
                                                     "curated:2022-02-24-full-scale-invasion"]
    # between two countries a treaty one of them has left binds neither
    assert open_skies.ended(date(2020, 11, 22))


def test_treaty_report_as_of_cuts_the_timeline() -> None:
    _, rows = treaty_report(as_of="2020-12-31")
    row = next(r for r in rows if r.id == "NEW_START")
    assert row.statuses == {"USA": "in_force", "RUS": "in_force"}
    assert [e.effective for e in row.timeline][-1] == date(2011, 2, 5)


def _channel(**kw: object) -> Channel:
    base: dict[str, object] = {"id": "c", "name": "c", "kind": "military", "active_days": 100,
                               "select": Selector(roots=["04"])}
    base.update(kw)
    return Channel.model_validate(base)


def _fact(status: str, day: date) -> ChannelFact:
    return ChannelFact(status=status, effective=day, issuer="x", title="y", date=day)  # type: ignore[arg-type]


def test_channel_status_rules() -> None:
    as_of = date(2024, 12, 31)
    assert channel_state(_channel(), as_of, date(2024, 9, 22), "e1").status == "active"  # 100 days
    assert channel_state(_channel(), as_of, date(2024, 9, 21), "e1").status == "dormant"
    suspended = _channel(facts=[_fact("suspended", date(2024, 1, 1))])
    assert channel_state(suspended, as_of, date(2023, 6, 1), "e0").status == "suspended"
    assert channel_state(suspended, as_of, None, None).status == "suspended"
    # a contact after the suspension is what counts
    assert channel_state(suspended, as_of, date(2024, 12, 1), "e2").status == "active"
    hotline = _channel(select=None, facts=[_fact("established", date(1963, 6, 20))])
    assert channel_state(hotline, as_of, None, None).status == "open"
    assert channel_state(_channel(), as_of, None, None).status == "no_evidence"


def test_bad_registry_file_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "treaties.yaml").write_text(
        "instruments:\n  - id: X\n    name: X\n    kind: treaty\n    parties:\n      USA:\n"
        "        - {status: ratifed, effective: 2000-01-01, issuer: a, title: b, date: 2000-01-01}\n")
    (tmp_path / "channels.yaml").write_text("channels: []\n")
    with pytest.raises(PolicyFileError) as err:
        load_registry(tmp_path)
    assert err.value.line == 7
    assert "instruments.0.parties.USA.0.status" in str(err.value)


def test_resumed_binds_as_before_the_suspension() -> None:
    from detente.policy.registry import Instrument

    def inst(*statuses: str) -> Instrument:
        changes = [{"status": s, "effective": date(2000 + i, 1, 1), "issuer": "x", "title": "t",
                    "date": date(2000 + i, 1, 1)} for i, s in enumerate(statuses)]
        return Instrument.model_validate({"id": "T", "name": "T", "kind": "treaty",
                                          "issue_areas": ["arms_control"],
                                          "parties": {"USA": changes}})

    assert inst("signed", "in_force", "suspended", "resumed").binds("USA")
    assert not inst("signed", "in_force", "suspended").binds("USA")
    assert not inst("signed", "suspended", "resumed").binds("USA")
    assert inst("in_force", "suspended", "resumed", "suspended", "resumed").binds("USA")
    assert not inst("in_force", "suspended", "resumed", "withdrawn").binds("USA")
