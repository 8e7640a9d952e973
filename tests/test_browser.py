"""The dashboard and the brief in headless Chromium: filters clicked, charts drawn, no other host.

Select with ``pytest tests/test_browser.py`` (or ``-m slow``). The suite skips when
Debian's chromium is absent, unless ``DETENTE_REQUIRE_BROWSER=1`` (CI), when it fails.
Screenshots go to a temporary folder, or to docs/img/ with ``DETENTE_SCREENSHOTS=1``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from conftest import icews_header, icews_line, write_lines
from detente.report import BriefOptions, build_brief, render_html
from detente.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-default-apps", "--disable-sync", "--metrics-recording-only", "--no-first-run"]
DOCS_IMG = Path(__file__).resolve().parents[1] / "docs" / "img"


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        reason = "chromium is not installed (apt-get install chromium)"
        if os.environ.get("DETENTE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + ", and DETENTE_REQUIRE_BROWSER=1")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("DETENTE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        return DOCS_IMG
    return tmp_path_factory.mktemp("shots")


# ICEWS rows with places: October 2018 and March 2019, nothing between (a gap the index
# line must not cross), in Moscow, Washington and Geneva
PLACES = (("Moscow", "Moskva", "Russian Federation", "55.7522", "37.6156"),
          ("Washington", "District of Columbia", "United States", "38.8951", "-77.0364"),
          ("Geneva", "Geneve", "Switzerland", "46.2022", "6.1457"))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    path = folder / "s.duckdb"
    lines = [icews_header()]
    for i, (day, code) in enumerate([(f"2018-10-{d:02d}", "042") for d in range(1, 29)]
                                    + [(f"2019-03-{d:02d}", "163") for d in range(1, 29)]):
        city, province, country, lat, lon = PLACES[i % 3]
        src, tgt = ("United States", "Russian Federation")[::1 if i % 2 else -1]
        lines.append(icews_line(event_id=90000 + i, date=day, cameo=code, intensity="",
                                source_name=src, source_sectors="Government",
                                source_country=src, target_name=tgt, target_sectors="Government",
                                target_country=tgt, publisher="Interfax" if i % 2 else "Reuters",
                                city=city, province=province, country=country, lat=lat, lon=lon))
    with Store.open(path) as st:  # the embedded chronology, and the ICEWS rows
        st.ingest_file(write_lines(folder / "events.tab", lines))
    return path


@pytest.fixture(scope="module")
def server(store_path: Path) -> Iterator[str]:
    import uvicorn

    from detente.web import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(store_path), host="127.0.0.1", port=port,
                            log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _drawn(page: Any, name: str) -> int:
    """Return how many SVG marks the chart ``name`` drew (0 if none)."""
    sel = f"#vis-{name}"
    page.wait_for_selector(f"{sel}[data-rendered]", timeout=60000)
    assert page.get_attribute(sel, "data-rendered") == "true", page.inner_text(sel)
    return int(page.eval_on_selector(sel, "el => el.querySelectorAll('svg path, svg rect, "
                                          "svg line').length"))


# reported to the page's console by a listener set before any of the page's scripts run
_CSP_WATCH = ("document.addEventListener('securitypolicyviolation', e => console.error("
              "'CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || '') + ' '"
              " + (e.sample || '')))")


def _watch_csp(page: Any) -> list[str]:
    """Return the list the page's Content-Security-Policy violations will be added to
    (the listener's reports, and the browser's own console errors about the policy)."""
    found: list[str] = []
    page.add_init_script(_CSP_WATCH)
    page.on("console", lambda m: found.append(m.text) if m.type == "error" and (
        "CSP violation" in m.text or "Content Security Policy" in m.text) else None)
    return found


def _wait_for(page: Any, expression: str, arg: Any = None, timeout: float = 30.0) -> None:
    """Wait until ``expression`` (a function of ``arg`` or an expression) is true in the page.

    Playwright's own ``wait_for_function`` compiles the expression with eval inside the
    page, which the dashboard's policy forbids; ``evaluate`` is run by the browser itself.
    """
    if "=>" not in expression:
        expression = f"() => ({expression})"
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout:.0f} s: {expression}")
        time.sleep(0.05)


def test_dashboard_filters_redraw_the_charts(browser: Any, server: str, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    violations = _watch_csp(page)
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url)
            if urlparse(r.url).netloc not in (urlparse(server).netloc, "") else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=60000)
    assert _drawn(page, "index") > 10 and _drawn(page, "quad") > 10
    assert _drawn(page, "issues") > 10 and _drawn(page, "map") > 3
    # the chronology's latest year holds one event: its cards say so, and the
    # latest period with enough evidence comes first
    kinds = page.eval_on_selector_all("#cards .card", "cs => cs.map(c => c.dataset.kind)")
    assert kinds == ["steady"] * 8 + ["latest"] * 8  # curated and icews, 4 figures each
    assert "few events" in page.inner_text("#cards .card[data-kind=latest]")
    first = page.inner_text("#events-count")
    assert first.startswith("events 1–25 of ")
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

    # one direction, one issue area: fewer events, charts drawn again
    total = int(first.rsplit(" ", 1)[1])
    page.select_option("select[name=direction]", "backward")
    page.select_option("select[name=issue]", "arms_control")
    _wait_for(page, "document.querySelector('#status').textContent === 'up to date'")
    page.wait_for_selector("body[data-ready=true]")
    narrowed = page.inner_text("#events-count")
    assert narrowed.startswith("events 1–") and int(narrowed.rsplit(" ", 1)[1]) < total
    assert "RUS->USA" in page.inner_text("#title")
    assert _drawn(page, "index") > 0
    assert "direction=backward" in page.url and "issue=arms_control" in page.url

    # paging and search over the events table
    page.select_option("select[name=direction]", "both")
    page.select_option("select[name=issue]", "")
    _wait_for(page, "document.querySelector('#events-count').textContent.startsWith('events 1–25')")
    assert page.is_disabled("#next") and not page.is_disabled("#prev")  # newest first
    top = page.inner_text("#events-table tbody tr:first-child td:first-child")
    page.click("#prev")  # earlier events: the next page down the list
    _wait_for(page, "document.querySelector('#events-count').textContent.startsWith('events 26–')")
    assert page.inner_text("#events-table tbody tr:first-child td:first-child") <= top
    page.click("#next")  # later events: back to the first page
    _wait_for(page, "document.querySelector('#events-count').textContent.startsWith('events 1–25')")
    page.click("#prev")
    _wait_for(page, "document.querySelector('#events-count').textContent.startsWith('events 26–')")
    page.fill("input[name=search]", "New START")
    page.click("#search button")
    _wait_for(page, "!document.querySelector('#events-count').textContent.startsWith('events 26')")
    rows = page.inner_text("#events-table tbody")
    assert "START" in rows
    dates = page.eval_on_selector_all("#events-table tbody tr td:first-child",
                                      "cells => cells.map(c => c.textContent)")
    assert len(dates) > 1 and dates == sorted(dates, reverse=True)  # newest first
    page.select_option("#search select[name=order]", "oldest")
    _wait_for(page, "first => document.querySelector('#events-table tbody td').textContent"
                           " <= first", arg=min(dates))
    oldest = page.eval_on_selector_all("#events-table tbody tr td:first-child",
                                       "cells => cells.map(c => c.textContent)")
    assert oldest == sorted(oldest) and oldest[0] <= min(dates)
    # each event reads: both actors by name, the code with its label, place and publisher
    page.fill("input[name=search]", "")
    page.select_option("select[name=dataset]", "icews")
    _wait_for(page, "document.querySelector('#events-count').textContent.endsWith(' of 56')")
    cells = page.eval_on_selector_all("#events-table tbody tr", "rs => rs.map(r => r.innerText)")
    assert len(cells) == 25 and all("Interfax" in c or "Reuters" in c for c in cells)
    assert all("Russian Federation (RUS" in c and "United States (USA" in c for c in cells)
    assert all("042 Make a visit" in c and ("Moscow" in c or "Geneva" in c or "Washington" in c)
               for c in cells[::-1][:5]), cells[-5:]
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    # on a phone the page fits its width (no sideways scrolling) and opens on the heading
    # and the filters (the screenshot is taken from the top, after the layout settles)
    _wait_for(page, "document.documentElement.scrollWidth <= 390")  # charts redraw narrower
    assert page.evaluate("document.querySelector('h1').getBoundingClientRect().top") < 100
    page.screenshot(path=str(shots / "dashboard-phone.png"), full_page=False)
    assert not errors, errors
    assert not foreign, foreign
    assert violations == [], violations
    page.close()


def test_served_pages_run_under_a_strict_policy(browser: Any, server: str) -> None:
    # no inline script or style but the hashed ones, no eval: the charts still draw, their
    # tooltips show, and the browser reports no violation of the policy
    import httpx

    for path, charts in (("/", ("index", "quad", "issues", "map")),
                         ("/brief", ("index", "quad", "issues", "treaties", "map"))):
        policy = httpx.get(server + path).headers["content-security-policy"]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        style_src = next(d for d in policy.split(";") if d.strip().startswith("style-src"))
        assert "unsafe" not in script_src and "unsafe" not in style_src, policy
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        violations = _watch_csp(page)
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(server + path)
        for name in charts:
            assert _drawn(page, name) > 3, (path, name)
        # a tooltip: hover the map's places until one shows
        shown = False
        for mark in page.query_selector_all("#vis-map g.mark-symbol.role-mark path"):
            mark.hover(force=True)
            try:
                page.wait_for_selector("#vg-tooltip-element.visible", timeout=1500)
            except Exception:  # this place has no tooltip: try the next
                continue
            shown = True
            break
        assert shown, path
        tip = page.eval_on_selector("#vg-tooltip-element", "e => [getComputedStyle(e).position, "
                                    "e.textContent]")
        assert tip[0] == "fixed" and tip[1].strip(), tip  # styled by the page's own stylesheet
        assert page.eval_on_selector_all("style[id^=vega]", "ss => ss.length") == 0
        assert not errors, (path, errors)
        assert violations == [], (path, violations)
        page.close()


def test_brief_file_opens_offline_and_draws_its_charts(browser: Any, store_path: Path,
                                                       tmp_path: Path, shots: Path) -> None:
    with Store.open(store_path, read_only=True) as st:
        html = render_html(build_brief(st, BriefOptions()))
    path = tmp_path / "brief.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    requested: list[str] = []

    def route(r: Any) -> None:
        requested.append(r.request.url)
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    for name in ("index", "quad", "issues", "treaties"):
        assert _drawn(page, name) > 5, name
    assert [u for u in requested if not u.startswith("file://")] == []
    assert not errors, errors
    page.screenshot(path=str(shots / "brief.png"), full_page=False)
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "brief-print.png"), full_page=False)
    context.close()


def _line_runs(page: Any, name: str) -> list[int]:
    """Return, for each line the chart ``name`` drew, how many separate runs it has (a
    line broken by a gap has two or more)."""
    return page.eval_on_selector_all(
        f"#vis-{name} g.mark-line path",
        "ps => ps.map(p => (p.getAttribute('d') || '').split('M').length - 1)")


def test_brief_one_screen_map_milestones_and_gaps(browser: Any, store_path: Path,
                                                  tmp_path: Path, shots: Path) -> None:
    with Store.open(store_path, read_only=True) as st:
        whole = build_brief(st, BriefOptions())
        icews = build_brief(st, BriefOptions(datasets=("icews",), period="month"))
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                  else r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    path = tmp_path / "whole.html"
    path.write_text(render_html(whole), encoding="utf-8")
    page.goto(path.as_uri())
    # the first screen: summary, what changed, agenda items, what to watch, in 900 pixels
    box = page.eval_on_selector("#summary", "el => el.getBoundingClientRect().bottom")
    assert 200 < box <= 900, box
    for part in ("#summary-changed li", "#summary-items", "#summary-watch li"):
        assert page.locator(part).count() >= 1, part
    assert page.locator("#summary .standing").count() == 2  # curated and icews
    # the chronology's key events on the index chart: every label drawn
    index = whole.chart("index")
    assert index is not None and index.spec is not None
    marks = [v for name, rows in index.spec["datasets"].items() for v in rows
             if "text" in v and "event_id" in v]
    assert len(marks) >= 5
    _drawn(page, "index")
    drawn = set(page.eval_on_selector_all("#vis-index text", "ts => ts.map(t => t.textContent)"))
    assert {m["label"] for m in marks} <= drawn
    assert any(m["label"].startswith("INF: ") for m in marks)
    # the map: land and a circle per place (ICEWS gives coordinates, the chronology none)
    assert _drawn(page, "map") >= 4
    circles = page.eval_on_selector_all("#vis-map g.mark-symbol.role-mark path", "ps => ps.length")
    assert circles == len(PLACES)
    page.screenshot(path=str(shots / "brief.png"), full_page=False)
    page.locator("#chart-map").screenshot(path=str(shots / "brief-map.png"))
    page.locator("#chart-index").screenshot(path=str(shots / "brief-index.png"))

    # ICEWS alone, by month: October 2018, then March 2019; the line stops between
    path = tmp_path / "icews.html"
    path.write_text(render_html(icews), encoding="utf-8")
    page.goto(path.as_uri())
    _drawn(page, "index")
    runs = _line_runs(page, "index")
    assert runs and max(runs) == 2, runs
    text = page.inner_text("#evidence")
    assert "Interfax" in text or "Reuters" in text
    assert "Impose embargo, boycott, or sanctions" in text
    assert "GDELT 2.0 begins" not in "".join(
        page.eval_on_selector_all("#vis-index text", "ts => ts.map(t => t.textContent)"))
    assert not errors, errors
    context.close()
