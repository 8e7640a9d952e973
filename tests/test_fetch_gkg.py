"""`detente fetch gdelt --gkg`: GKG 2.1 files (27 tab-separated columns) written here and
served on 127.0.0.1 with the event exports; events matched to articles by source URL, the
articles' V2Themes mapped to issue areas through the store's tags, the plan, the
untagged share and the table entries no article carried reported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from _fetch_server import Server, export2, master_line, serve, zipped
from conftest import actor
from detente.cli.app import app
from detente.fetch import load_theme_table

runner = CliRunner(env={"COLUMNS": "200"})
UKR = actor("UKR", "UKRAINE", "UKR")
IRN = actor("IRN", "IRAN", "IRN")


def run(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def gkg_line(record: str, url: str, themes: list[str], date: str = "20260301000000") -> str:
    """One GKG 2.1 record: 27 tab-separated fields, V2Themes as THEME,offset;..."""
    v1 = "".join(f"{t};" for t in themes)
    v2 = "".join(f"{t},{100 + 37 * i};" for i, t in enumerate(themes))
    fields = [record, date, "1", url.split("/")[2], url, "", "", v1, v2,
              "1#Russia#RS#RS#60#100#RS", "1#Russia#RS#RS##60#100#RS#412", "vladimir putin",
              "vladimir putin,120", "kremlin", "kremlin,80", "-2.5,1.2,3.7,4.9,21.3,0.4,412",
              "", "wc:412,c1.1:2", "", "", "", "", "", "Vladimir Putin,120", "", "",
              "<PAGE_TITLE>Story</PAGE_TITLE>"]
    assert len(fields) == 27
    return "\t".join(fields)


def gkg_file(stamp: str, lines: list[str]) -> tuple[str, bytes]:
    return f"{stamp}.gkg.csv.zip", zipped(f"{stamp}.gkg.csv", "\n".join(lines) + "\n")


def publish(state: Server, files: dict[str, bytes]) -> None:
    """A master list naming the exports and GKG files given (with mentions lines too)."""
    lines = []
    for name in sorted(files):
        lines.append(master_line(name, files[name]))
        if name.endswith(".export.CSV.zip"):
            stamp = name.split(".")[0]
            lines.append(f"318084 bb27f78ba45f69a17ea6ed7755e9f8ff "
                         f"http://data.gdeltproject.org/gdeltv2/{stamp}.mentions.CSV.zip")
    state.files.update(files)
    state.files["masterfilelist.txt"] = ("\n".join(lines) + "\n").encode()
    newest = max(n for n in files if n.endswith(".export.CSV.zip"))
    state.files["lastupdate.txt"] = (master_line(newest, files[newest]) + "\n").encode()


U = "https://www.example.org/news/"


def slot_files() -> dict[str, bytes]:
    """Two slots: 6 events (5 USA-RUS, 1 UKR) at 00:00, 2 at 00:15, and their GKG files."""
    s1, s2 = "20260301000000", "20260301001500"
    # 010 (make statement), 012 (make pessimistic comment): the rules tag none of them from the code alone
    e1 = [
        {"event_id": 3001, "code": "010", "url": U + "story-1"},
        {"event_id": 3002, "code": "012", "url": U + "story-1"},
        {"event_id": 3003, "code": "010", "url": U + "story-2"},
        {"event_id": 3004, "code": "012", "url": U + "story-3"},
        {"event_id": 3005, "code": "010", "url": U + "story-4"},
        {"event_id": 3006, "code": "010", "url": U + "story-5", "actor2": UKR},
    ]
    e2 = [
        {"event_id": 3007, "code": "012", "url": U + "story-5"},
        {"event_id": 3008, "code": "010", "url": U + "story-6"},
    ]
    g1 = [
        gkg_line(f"{s1}-0", U + "story-1", ["SANCTIONS", "TAX_FNCACT_PRESIDENT", "LEADER"]),
        gkg_line(f"{s1}-1", U + "story-2", ["CYBER_ATTACK", "SANCTIONS"]),
        gkg_line(f"{s1}-2", U + "story-3", ["ARMEDCONFLICT", "MILITARY"]),
        gkg_line(f"{s1}-3", U + "story-5", ["WB_2503_WEAPONS_PROLIFERATION_AND_ARMS_CONTROL"]),
        gkg_line(f"{s1}-4", "https://other.example.com/a", ["SELF_IDENTIFIED_HUMAN_RIGHTS"]),
    ]
    g2 = [
        gkg_line(f"{s2}-0", U + "story-5", ["WB_2503_WEAPONS_PROLIFERATION_AND_ARMS_CONTROL"],
                 s2),
        gkg_line(f"{s2}-1", U + "story-6", ["WMD", "TERROR"], s2),
    ]
    out = {}
    for stamp, events, gkg in ((s1, e1, g1), (s2, e2, g2)):
        name, data = export2(stamp, [{"date": "20260301", **e} for e in events])
        out[name] = data
        gname, gdata = gkg_file(stamp, gkg)
        out[gname] = gdata
    return out


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as s:
        yield s


def fetch(server: Server, store: Path, *extra: str) -> Any:
    return run("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-01",
               "--base-url", server.url + "/gdeltv2/", "--timeout", "1", "--retries", "0",
               "--store", store, "-q", *extra)


def areas(store: Path) -> dict[int, list[str]]:
    from detente import Store

    with Store.open(store, read_only=True) as st:
        rows = st._con.execute("SELECT event_id, issue_areas FROM events "
                               "WHERE dataset = 'gdelt2' ORDER BY event_id").fetchall()
    return {int(str(e).split(":")[1]): list(a) for e, a in rows}


def test_gkg_themes_tag_events_through_the_store(server: Server, tmp_path: Path) -> None:
    files = slot_files()
    publish(server, files)
    store = tmp_path / "s.duckdb"
    gkg_bytes = sum(len(v) for k, v in files.items() if k.endswith(".gkg.csv.zip"))
    res = fetch(server, store, "--countries", "USA,RUS", "--gkg")
    assert res.exit_code == 0, res.output
    size = f"{gkg_bytes / 1024:.1f} kB" if gkg_bytes >= 1024 else f"{gkg_bytes} bytes"
    assert f"--gkg: 2 GKG file(s) to download, {size} (sizes from the master list)" in res.stderr
    assert "7 events stored, 1 left out by the country filter" in res.stdout
    # 3001-3002: SANCTIONS; 3003: CYBER_ATTACK and SANCTIONS; 3004: themes not in the table;
    # 3005: its article is not in the GKG; 3007: arms control; 3008: WMD
    assert areas(store) == {
        3001: ["sanctions"], 3002: ["sanctions"], 3003: ["cyber_elections", "sanctions"],
        3004: [], 3005: [], 3007: ["arms_control", "nonproliferation"],
        3008: ["nonproliferation"]}
    assert ("GKG themes: 2 file(s) read, 7 articles, 5 of them the source of a stored event; "
            "events without an issue area: 7 of 7 (100.0%) before the themes, 2 (28.6%) after"
            ) in res.stdout
    # the table's entries no article of the files carried
    assert ("GKG theme table entries that matched no theme in the 2 GKG file(s) read: "
            "MIL_WEAPONS_PROLIFERATION, WB_2505_WEAPONS_OF_MASS_DESTRUCTION (") in res.stderr
    # the indicators' --issue sees them, and retag keeps them
    from detente import Store

    with Store.open(store) as st:
        st.retag()
    assert areas(store)[3003] == ["cyber_elections", "sanctions"]
    ind = run("indicators", "--store", store, "--dataset", "gdelt2", "--issue", "sanctions",
              "--as", "json")
    assert ind.exit_code == 0, ind.output
    rows = json.loads(ind.stdout)
    assert [(r["period_start"], r["events"], r["dyad_events"]) for r in rows] == [
        ("2026-03-01", 3, 7)]
    assert rows[0]["untagged_share"] == pytest.approx(2 / 7)
    # a second run fetches nothing
    again = fetch(server, store, "--countries", "USA,RUS", "--gkg")
    assert again.exit_code == 0, again.output
    assert "--gkg: 0 GKG file(s) to download, 0 bytes" in again.stderr
    assert "0 ingested; 2 already in the store" in again.stdout


def test_a_broken_gkg_file_skips_its_slot(server: Server, tmp_path: Path) -> None:
    files = slot_files()
    bad = "20260301001500.gkg.csv.zip"
    files[bad] = zipped("20260301001500.gkg.csv", "GKGRECORDID\tDATE\nx\ty\n")
    publish(server, files)
    store = tmp_path / "s.duckdb"
    res = fetch(server, store, "--gkg")
    assert res.exit_code == 3, res.output
    assert ("skipped 20260301001500.export.CSV.zip: its GKG file 20260301001500.gkg.csv.zip: no "
            "line has the 27 tab-separated columns of GKG 2.1 (not a GKG file?)") in res.stderr
    got = areas(store)
    assert sorted(got) == [3001, 3002, 3003, 3004, 3005, 3006]  # the slot's events are not in
    assert got[3006] == ["arms_control", "nonproliferation", "ukraine"]
    # served correctly, the next run takes the slot with its themes
    publish(server, slot_files())
    again = fetch(server, store, "--gkg")
    assert again.exit_code == 0, again.output
    assert areas(store)[3008] == ["nonproliferation"]


def test_a_gkg_file_not_listed_leaves_its_events_untagged(server: Server, tmp_path: Path) -> None:
    files = slot_files()
    del files["20260301001500.gkg.csv.zip"]
    publish(server, files)
    res = fetch(server, tmp_path / "s.duckdb", "--gkg")
    assert res.exit_code == 0, res.output
    assert "--gkg: 1 GKG file(s) to download" in res.stderr
    assert "1 export(s) have no GKG file listed" in res.stderr
    assert "GKG themes: 1 file(s) read, 5 articles" in res.stdout
    got = areas(tmp_path / "s.duckdb")
    assert got[3007] == [] and got[3001] == ["sanctions"]
    # both unmatched: WMD only appears in the file not read
    assert "WB_2505_WEAPONS_OF_MASS_DESTRUCTION, WMD" in res.stderr


def test_gkg_options_are_checked(server: Server, tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    v1 = run("fetch", "gdelt", "--version", "1", "--since", "2014-01-01", "--gkg", "--store", store)
    assert v1.exit_code == 1 and "--gkg needs GDELT 2.0" in v1.stderr
    table = tmp_path / "themes.yaml"
    table.write_text("themes:\n  - theme: SANCTIONS\n    areas: [sanctionz]\n    documented: x\n")
    publish(server, slot_files())
    res = fetch(server, store, "--gkg", "--gkg-themes", str(table))
    assert res.exit_code == 1
    assert f"{table}: unknown issue area(s) sanctionz" in res.stderr
    table.write_text("themes:\n  - theme: sanctions\n    areas: [sanctions]\n    documented: x\n")
    res = fetch(server, store, "--gkg", "--gkg-themes", str(table))
    assert res.exit_code == 1 and "theme must be a GKG theme code" in res.stderr


def test_an_edited_table_is_used(server: Server, tmp_path: Path) -> None:
    table = tmp_path / "themes.yaml"
    table.write_text("themes:\n  - theme: ARMEDCONFLICT\n    areas: [military_channels]\n"
                     "    documented: LOOKUP-GKGTHEMES.TXT\n")
    publish(server, slot_files())
    res = fetch(server, tmp_path / "s.duckdb", "--gkg", "--gkg-themes", str(table))
    assert res.exit_code == 0, res.output
    got = areas(tmp_path / "s.duckdb")
    assert got[3004] == ["military_channels"] and got[3001] == []


def test_the_packaged_table_cites_each_entry() -> None:
    table = load_theme_table()
    assert set(table.areas) == {
        "WMD", "MIL_WEAPONS_PROLIFERATION", "WB_2503_WEAPONS_PROLIFERATION_AND_ARMS_CONTROL",
        "WB_2505_WEAPONS_OF_MASS_DESTRUCTION", "CYBER_ATTACK", "SANCTIONS",
        "SELF_IDENTIFIED_HUMAN_RIGHTS"}
    # not confirmed in GDELT's category list or themes lookup: left out
    assert "ARMSCONTROL" not in table.areas and "HUMAN_RIGHTS_ABUSES" not in table.areas
    # each entry says where GDELT documents it: the category list [C] or the lookup [L]
    import yaml

    doc = yaml.safe_load((Path(__file__).parents[1] / "src/detente/tagging/data/gkg_themes.yaml")
                         .read_text(encoding="utf-8"))
    assert all(e["documented"].startswith(("[C]", "[L]")) for e in doc["themes"])


def test_a_gkg_file_other_than_listed_skips_its_slot(server: Server, tmp_path: Path) -> None:
    files = slot_files()
    publish(server, files)
    name = "20260301000000.gkg.csv.zip"
    server.files[name] = files["20260301001500.gkg.csv.zip"]  # other bytes than listed
    res = fetch(server, tmp_path / "s.duckdb", "--gkg")
    assert res.exit_code == 3, res.output
    line = next(x for x in res.stderr.splitlines() if x.startswith("skipped "))
    assert line.startswith(f"skipped 20260301000000.export.CSV.zip: its GKG file {name}: size ")
    assert sorted(areas(tmp_path / "s.duckdb")) == [3007, 3008]


def test_update_fetches_gkg_themes_when_configured(server: Server, tmp_path: Path) -> None:
    publish(server, slot_files())
    config = tmp_path / "update.yaml"
    config.write_text(f"sources:\n  - source: gdelt\n    since: 2026-03-01\n    gkg: true\n"
                      f"    base_url: {server.url}/gdeltv2/\n    retries: 0\n    timeout: 1\n")
    store = tmp_path / "s.duckdb"
    res = run("update", "--config", config, "--store", store, "-q")
    assert res.exit_code == 0, res.output
    assert "--gkg: 2 GKG file(s) to download" in res.stderr
    assert "GKG themes: 2 file(s) read" in res.stdout
    assert areas(store)[3003] == ["cyber_elections", "sanctions"]
