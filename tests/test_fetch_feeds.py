"""`detente fetch feeds`: RSS 2.0 and Atom feeds served on 127.0.0.1, their new items
coded into the store (dataset `feeds`), a second run adding nothing, a broken feed
reported while the others carry on, and `detente update` fetching configured feeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from _fetch_server import Server, serve
from detente.cli.app import app

runner = CliRunner(env={"COLUMNS": "200"})


def run(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def rss(items: list[tuple[str, str, str, str]]) -> bytes:
    """An RSS 2.0 document: items of (guid, title, description, RFC 822 date)."""
    body = "".join(
        f"<item><title>{t}</title><link>http://en.kremlin.ru/events/president/news/{g}</link>"
        f"<description>{d}</description><pubDate>{p}</pubDate><guid>{g}</guid></item>"
        for g, t, d, p in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>President of Russia: news</title><link>http://en.kremlin.ru/</link>"
            f"<description>News</description>{body}</channel></rss>").encode()


def atom(entries: list[tuple[str, str, str, str]]) -> bytes:
    """An Atom document: entries of (id, title, summary, RFC 3339 date)."""
    body = "".join(
        f'<entry><id>tag:state.gov,2026:{i}</id><title>{t}</title>'
        f'<link href="https://www.state.gov/releases/{i}/"/><updated>{u}</updated>'
        f"<summary>{s}</summary></entry>"
        for i, t, s, u in entries)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Press releases</title><id>tag:state.gov,2026:releases</id>"
            f"<updated>2026-03-02T10:00:00Z</updated>{body}</feed>").encode()


KREMLIN = [
    ("70001", "Telephone conversation with the President of Finland",
     "The President thanked Finland for its support.", "Sun, 01 Mar 2026 12:00:00 +0300"),
    ("70002", "Talks with a delegation",
     "The President met with the Secretary of State of the United States.",
     "Sun, 01 Mar 2026 15:30:00 +0300"),
]
STATE = [
    ("1001", "Sanctions on Russian entities", "The United States imposed sanctions on Russia.",
     "2026-03-02T09:00:00Z"),
    ("1002", "Readout", "Russia and the United States agreed to resume talks on strategic stability.",
     "2026-03-02T10:00:00Z"),
]


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as s:
        s.files["news.rss"] = rss(KREMLIN)
        s.files["releases.atom"] = atom(STATE)
        yield s


def feeds_file(tmp_path: Path, server: Server, *extra: str) -> Path:
    path = tmp_path / "feeds.yaml"
    lines = [
        "- name: kremlin",
        f"  url: {server.url}/en/events/president/news.rss",
        "  country: RUS",
        "- name: state-dept",
        f"  url: {server.url}/rss-feed/releases.atom",
        "  country: USA",
        *extra,
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def feed_events(store: Path) -> list[tuple[Any, ...]]:
    from detente import Store

    with Store.open(store, read_only=True) as st:
        return st._con.execute(
            "SELECT citation_issuer, source_actor, target_actor, event_code, CAST(date AS VARCHAR), "
            "url, issue_areas FROM events WHERE dataset = 'feeds' "
            "ORDER BY citation_issuer, date, event_code, source_actor").fetchall()


def fetch(path: Path, store: Path) -> Any:
    return run("fetch", "feeds", path, "--store", store, "--timeout", "1", "--retries", "0")


EXPECTED = [
    ("kremlin", "RUSGOV", "USAGOV", "044", "2026-03-01",
     "http://en.kremlin.ru/events/president/news/70002", ["diplomacy"]),
    ("kremlin", "RUSGOV", "FIN", "051", "2026-03-01",
     "http://en.kremlin.ru/events/president/news/70001", ["diplomacy"]),
    ("state-dept", "RUS", "USA", "036", "2026-03-02", "https://www.state.gov/releases/1002/",
     ["arms_control", "diplomacy"]),
    ("state-dept", "USA", "RUS", "036", "2026-03-02", "https://www.state.gov/releases/1002/",
     ["arms_control", "diplomacy"]),
    ("state-dept", "USA", "RUS", "163", "2026-03-02", "https://www.state.gov/releases/1001/",
     ["sanctions"]),
]


def test_items_are_coded_stored_and_not_coded_twice(server: Server, tmp_path: Path) -> None:
    path, store = feeds_file(tmp_path, server), tmp_path / "s.duckdb"
    first = fetch(path, store)
    assert first.exit_code == 0, first.output
    assert "kremlin: 2 item(s), 2 new, 2 event(s) coded, 2 stored" in first.stdout
    assert "state-dept: 2 item(s), 2 new, 3 event(s) coded, 3 stored" in first.stdout
    assert ("feeds: 2 of 2 read, 0 skipped; 4 item(s) listed, 4 new; 5 event(s) coded, 5 stored "
            "(dataset feeds)") in first.stdout
    assert [tuple(r) for r in feed_events(store)] == EXPECTED
    # provenance: one ingested file per feed fetch
    from detente import Store

    with Store.open(store, read_only=True) as st:
        files = st._con.execute("SELECT name, stored FROM files WHERE name LIKE '%.feed.jsonl' "
                                "ORDER BY name").fetchall()
        seen = st._con.execute("SELECT feed, count(*), sum(events) FROM feed_items "
                               "GROUP BY feed ORDER BY feed").fetchall()
    assert [(n.split(".")[0], k) for n, k in files] == [("kremlin", 2), ("state-dept", 3)]
    assert seen == [("kremlin", 2, 2), ("state-dept", 2, 3)]
    # a second run codes nothing new
    again = fetch(path, store)
    assert again.exit_code == 0, again.output
    assert "4 item(s) listed, 0 new; 0 event(s) coded, 0 stored" in again.stdout
    assert len(feed_events(store)) == 5
    # an item added to a feed is picked up, and only it
    server.files["releases.atom"] = atom([
        ("1003", "Statement", "The United States condemned Russia.", "2026-03-03T08:00:00Z"),
        *STATE])
    third = fetch(path, store)
    assert third.exit_code == 0, third.output
    assert "state-dept: 3 item(s), 1 new, 1 event(s) coded, 1 stored" in third.stdout
    assert "kremlin: 2 item(s), 0 new" in third.stdout
    rows = feed_events(store)
    assert len(rows) == 6
    assert ("state-dept", "USA", "RUS", "111", "2026-03-03", "https://www.state.gov/releases/1003/",
            []) in [tuple(r) for r in rows]


def test_a_broken_feed_is_reported_and_the_others_carry_on(server: Server, tmp_path: Path) -> None:
    server.files["broken.rss"] = b"<!DOCTYPE html><html><body>Service Unavailable</body></html>"
    server.files["cut.rss"] = rss(KREMLIN)[:150]
    path = feeds_file(tmp_path, server,
                      "- name: gone", "  url: http://127.0.0.1:9/feed.rss",
                      "- name: missing", f"  url: {server.url}/nothing.rss",
                      "- name: web-page", f"  url: {server.url}/broken.rss",
                      "- name: cut", f"  url: {server.url}/cut.rss")
    store = tmp_path / "s.duckdb"
    res = fetch(path, store)
    assert res.exit_code == 3, res.output
    err = [line for line in res.stderr.splitlines() if line.startswith("skipped feed")]
    assert err == [
        "skipped feed gone (http://127.0.0.1:9/feed.rss): cannot reach the server (connection refused)",
        f"skipped feed missing ({server.url}/nothing.rss): HTTP 404 Not Found",
        f"skipped feed web-page ({server.url}/broken.rss): not an RSS or Atom document (a web page)",
        f"skipped feed cut ({server.url}/cut.rss): feed not well-formed XML",
    ]
    assert "feeds: 2 of 6 read, 4 skipped; 4 item(s) listed, 4 new; 5 event(s) coded" in res.stdout
    assert len(feed_events(store)) == 5


def test_bad_feeds_files(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    store = tmp_path / "s.duckdb"
    for text, message in [
        ("feeds: 3\n", "expected a list of feeds"),
        ("- name: a\n  url: ftp://x/\n", "feed 1 (a): url must be an http:// or https:// address"),
        ("- name: a\n  url: http://x/\n  country: Russia\n", "country must be a three-letter CAMEO"),
        ("- name: a\n  url: http://x/\n  lang: en\n", "feed 1: unknown key(s) lang"),
        ("- name: a\n  url: http://x/\n- name: a\n  url: http://y/\n", "the name 'a' is used twice"),
        ("- [unclosed\n", "not valid YAML"),
    ]:
        path.write_text(text)
        res = fetch(path, store)
        assert res.exit_code == 1, (text, res.output)
        assert str(path) in res.stderr and message in res.stderr, (text, res.stderr)
    assert not store.exists()


def test_update_fetches_configured_feeds(server: Server, tmp_path: Path) -> None:
    feeds = feeds_file(tmp_path, server, "- name: gone", "  url: http://127.0.0.1:9/feed.rss")
    config = tmp_path / "update.yaml"
    config.write_text(f"sources:\n  - source: feeds\n    file: {feeds.name}\n    retries: 0\n"
                      f"    timeout: 1\n")
    store = tmp_path / "s.duckdb"
    res = run("update", "--config", config, "--store", store, "-q")
    assert res.exit_code == 3, res.output
    assert "skipped feed gone" in res.stderr
    last = res.stdout.strip().splitlines()[-1]
    assert last.startswith("update: feeds feeds.yaml; 0 file(s) skipped; 1 feeds file(s) with a "
                           "feed skipped; 0 source(s) failed; last event ")
    assert len(feed_events(store)) == 5


def _file_count(store: Path) -> int:
    from detente import Store

    with Store.open(store, read_only=True) as st:
        row = st._con.execute("SELECT count(*) FROM files").fetchone()
    return int(row[0]) if row else 0


def test_conditional_get_and_304_as_no_new_items(server: Server, tmp_path: Path) -> None:
    # the Kremlin's server sends an ETag and a Last-Modified; the other a Last-Modified only
    server.validators["news.rss"] = ('"k-1"', "Sun, 01 Mar 2026 12:30:00 GMT")
    server.validators["releases.atom"] = (None, "Mon, 02 Mar 2026 10:00:00 GMT")
    path, store = feeds_file(tmp_path, server), tmp_path / "s.duckdb"
    first = fetch(path, store)
    assert first.exit_code == 0, first.output
    # nothing known yet: no condition sent
    assert sorted(server.conditions) == [("news.rss", None, None), ("releases.atom", None, None)]
    files = _file_count(store)
    server.conditions.clear()
    again = fetch(path, store)
    assert again.exit_code == 0, again.output
    # If-None-Match where there was an ETag (it takes precedence), else If-Modified-Since
    assert sorted(server.conditions) == [
        ("news.rss", '"k-1"', "Sun, 01 Mar 2026 12:30:00 GMT"),
        ("releases.atom", None, "Mon, 02 Mar 2026 10:00:00 GMT")]
    assert "kremlin: not modified since the last fetch (no new items)" in again.stdout
    assert "state-dept: not modified since the last fetch (no new items)" in again.stdout
    assert ("feeds: 2 of 2 read (2 not modified), 0 skipped; 0 item(s) listed, 0 new; "
            "0 event(s) coded, 0 stored") in again.stdout
    assert _file_count(store) == files and len(feed_events(store)) == 5
    # the State Department publishes: a new Last-Modified, one new item read and coded
    server.files["releases.atom"] = atom([
        ("1003", "Statement", "The United States condemned Russia.", "2026-03-03T08:00:00Z"),
        *STATE])
    server.validators["releases.atom"] = (None, "Tue, 03 Mar 2026 08:00:00 GMT")
    third = fetch(path, store)
    assert third.exit_code == 0, third.output
    assert "state-dept: 3 item(s), 1 new, 1 event(s) coded, 1 stored" in third.stdout
    assert "kremlin: not modified" in third.stdout
    server.conditions.clear()
    fourth = fetch(path, store)
    assert ("releases.atom", None, "Tue, 03 Mar 2026 08:00:00 GMT") in server.conditions
    assert "(2 not modified)" in fourth.stdout
    # status: each feed's last fetch, how it went, the items kept and their events
    status = run("status", "--store", store)
    assert status.exit_code == 0, status.output
    lines = {line.split()[1]: line for line in status.stdout.splitlines()
             if line.strip().startswith(("│ kremlin", "│ state-dept", "┃ feed"))
             and len(line.split()) > 2}
    assert "feeds of statements" in status.stdout
    assert re_cells(lines["kremlin"])[2:] == ["not modified", "2", "2"]
    assert re_cells(lines["state-dept"])[2:] == ["not modified", "3", "4"]


def re_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("│").split("│")]


def test_a_failed_fetch_shows_in_status_and_keeps_the_validators(
        server: Server, tmp_path: Path) -> None:
    server.validators["news.rss"] = ('"k-1"', None)
    path, store = feeds_file(tmp_path, server), tmp_path / "s.duckdb"
    assert fetch(path, store).exit_code == 0
    server.fail_first["news.rss"] = (503, 1)
    failed = fetch(path, store)
    assert failed.exit_code == 3, failed.output
    status = run("status", "--store", store)
    row = next(line for line in status.stdout.splitlines() if "│ kremlin" in line)
    assert re_cells(row)[2].startswith("failed: HTTP 503") and re_cells(row)[3:] == ["2", "2"]
    # the ETag of the last body read is still sent: the next answer is a 304
    server.conditions.clear()
    again = fetch(path, store)
    assert again.exit_code == 0, again.output
    assert server.conditions == [("news.rss", '"k-1"', None)]
    assert "kremlin: not modified since the last fetch" in again.stdout


def test_validators_wait_until_the_items_are_stored(server: Server, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.coder
    from detente import Store
    from detente.errors import InputFileError
    from detente.fetch import fetch_feeds, load_feeds
    from detente.fetch._http import Http

    server.validators["news.rss"] = ('"k-1"', None)
    feeds = load_feeds(feeds_file(tmp_path, server))[:1]
    store = tmp_path / "s.duckdb"

    def broken(*args: object, **kw: object) -> object:
        raise InputFileError(Path("kremlin.feed.jsonl"), "the disk is full")

    def run_once() -> Any:
        return fetch_feeds(lambda: Store.open(store, with_chronology=False), feeds,
                           http=Http(timeout=1, retries=0))

    with monkeypatch.context() as m:
        m.setattr(detente.coder, "ingest_events", broken)
        first = run_once()
    assert first.feeds[0].error == "its events could not be stored: the disk is full"
    # the body's ETag was not kept: the next run asks for the whole feed and codes it
    server.conditions.clear()
    second = run_once()
    assert server.conditions == [("news.rss", None, None)]
    assert (second.feeds[0].new, second.feeds[0].stored) == (2, 2)
    third = run_once()
    assert server.conditions[-1] == ("news.rss", '"k-1"', None) and third.feeds[0].not_modified
