"""The dashboard in-process, through the ASGI transport: every page and endpoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from conftest import write_sql
from detente.store import Store
from detente.web import create_app

EVENTS = """event_id,date,source_actor,target_actor,event_code,goldstein,num_mentions,text,dataset
w:1,2021-01-05,USAGOV,RUSGOV,042,1.9,10,talks in Geneva,gdelt2
w:2,2021-01-20,RUSGOV,USAGOV,112,-2.0,30,Moscow accuses Washington,gdelt2
w:3,2021-02-03,USAGOV,RUSGOV,190,-10.0,5,an exchange of fire,gdelt2
"""


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("web")
    (folder / "e.csv").write_text(EVENTS, encoding="utf-8")
    with Store.open(folder / "s.duckdb") as st:
        st.ingest([folder / "e.csv"])
    return create_app(folder / "s.duckdb")


@pytest.fixture
def client(web_app: FastAPI) -> Iterator[httpx.Client]:
    with _sync_client(web_app) as c:
        yield c


@contextmanager
def _sync_client(web_app: FastAPI) -> Iterator[httpx.Client]:
    # a sync client over the ASGI app, through its own event loop
    import anyio.from_thread

    with anyio.from_thread.start_blocking_portal() as portal:
        transport = httpx.ASGITransport(app=web_app)

        class _Sync(httpx.BaseTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                async def go() -> httpx.Response:
                    resp = await transport.handle_async_request(request)
                    body = await resp.aread()
                    return httpx.Response(resp.status_code, headers=resp.headers, content=body)
                return portal.call(go)

        with httpx.Client(transport=_Sync(), base_url="http://testserver") as c:
            yield c


def test_dashboard_page_loads_its_scripts_from_the_app(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<form id=\"filters\"" in page.text
    for asset in ("/static/vega.js", "/static/dashboard.js", "/static/brief.css",
                  "/static/dashboard.css"):
        assert f'"{asset}"' in page.text
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 100, asset
    assert "http" not in page.text.replace('href="/', "")


def test_events_page_counts_filters_and_pages(client: httpx.Client) -> None:
    body = client.get("/api/events", params={"dataset": "gdelt2", "limit": 2}).json()
    assert body["total"] == 3 and [e["event_id"] for e in body["events"]] == ["w:3", "w:2"]
    body = client.get("/api/events", params={"dataset": "gdelt2", "limit": 2, "offset": 2}).json()
    assert [e["event_id"] for e in body["events"]] == ["w:1"]
    body = client.get("/api/events", params={"dataset": "gdelt2", "limit": 2,
                                              "order": "oldest"}).json()
    assert [e["event_id"] for e in body["events"]] == ["w:1", "w:2"]
    body = client.get("/api/events", params={"dataset": "gdelt2", "direction": "backward"}).json()
    assert [e["event_id"] for e in body["events"]] == ["w:2"]
    body = client.get("/api/events", params={"dataset": "gdelt2", "search": "GENEVA"}).json()
    assert [e["event_id"] for e in body["events"]] == ["w:1"]


def test_view_has_glance_and_charts(client: httpx.Client) -> None:
    body = client.get("/api/view", params={"dataset": "gdelt2", "period": "month"}).json()
    assert body["as_of"] == "2021-02-03"
    names = [c["name"] for c in body["charts"]]
    assert names[:2] == ["index", "quad"] and "issues" in names
    figs = {f["indicator"]: f for f in body["glance"]["figures"]}
    assert figs["events"]["value"] == 1 and figs["events"]["period_start"] == "2021-02-01"
    assert figs["net_cooperation"]["value"] == pytest.approx(-1.0)


def test_brief_json_and_page(client: httpx.Client) -> None:
    body = client.get("/api/brief", params={"dataset": "gdelt2"}).json()
    assert body["dyad"] == "USA-RUS" and body["reproducibility"]["datasets"][0]["events"] == 3
    page = client.get("/brief", params={"dataset": "gdelt2", "direction": "forward"})
    assert page.status_code == 200 and "USA-&gt;RUS" in page.text
    assert '<script src="/static/vega.js">' in page.text


def test_openapi_describes_the_api(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/events", "/api/view", "/api/brief", "/api/datasets"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert {"dyad", "direction", "issue", "since", "until", "dataset", "search", "limit",
            "offset"} <= params


@pytest.mark.parametrize("url, status, says", [
    ("/api/view?dyad=USA", 422, "parameter dyad"),
    ("/api/view?dyad=USA-XXX", 400, "XXX"),
    ("/api/view?since=yesterday", 422, "parameter since"),
    ("/api/view?since=2022-01-01&until=2021-01-01", 400, "after"),
    ("/api/view?period=decade", 422, "parameter period"),
    ("/api/view?issue=nonsense", 400, "unknown issue area"),
    ("/api/view?dataset=x%27%3B%20DROP%20TABLE%20events", 422,
     "parameter dataset.0: String should match pattern"),
    ("/api/events?limit=100000", 422, "parameter limit"),
    ("/api/events?offset=-1", 422, "parameter offset"),
    ("/api/events?search=" + "x" * 201, 422, "parameter search"),
    ("/api/events?direction=sideways", 422, "parameter direction"),
    ("/api/events?order=random", 422, "parameter order"),
    ("/brief?dyad=USA-XXX", 400, "XXX"),
    ("/static/../../etc/passwd", 404, ""),
    ("/nothing", 404, ""),
])
def test_bad_parameters_are_4xx_json(client: httpx.Client, url: str, status: int,
                                     says: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert says in r.json()["error"]
    assert "Traceback" not in r.text


def test_no_endpoint_writes(client: httpx.Client, web_app: FastAPI) -> None:
    for route in web_app.routes:
        methods: set[str] = getattr(route, "methods", set()) or set()
        assert methods <= {"GET", "HEAD"}, route
    assert client.post("/api/events").status_code == 405
    assert client.get("/api/datasets").json()["datasets"][0]["events"] >= 3


def test_store_is_opened_read_only(web_app: FastAPI) -> None:
    with web_app.state.service.open() as st, pytest.raises(Exception, match="read-only"):
        write_sql(st, "DELETE FROM events")


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    from detente.errors import StoreError

    with pytest.raises(StoreError, match="no store here yet"):
        create_app(tmp_path / "none.duckdb")


# -- the service: one cache, the store opened per answer ---------------------------

MORE = """event_id,date,source_actor,target_actor,event_code,goldstein,num_mentions,text,dataset
w:10,2021-03-02,USAGOV,RUSGOV,042,1.9,12,more talks in Vienna,gdelt2
w:11,2021-03-09,RUSGOV,USAGOV,057,8.0,7,a signed agreement,gdelt2
"""


def _store(folder: Path, csv: str = EVENTS, *, chronology: bool = True) -> Path:
    (folder / "e.csv").write_text(csv, encoding="utf-8")
    with Store.open(folder / "s.duckdb", with_chronology=chronology) as st:
        st.ingest([folder / "e.csv"])
    return _aged(folder / "s.duckdb")


def _aged(path: Path) -> Path:
    """Date the store file a minute back: the service trusts the signature of files
    older than a second (a write within the same tick could leave it unchanged)."""
    import os
    import time

    then = time.time() - 60
    os.utime(path, (then, then))
    return path


_APPS: list[FastAPI] = []


@pytest.fixture(autouse=True)
def _close_services() -> Iterator[None]:
    """Close the services a test made (no copy left running when the tests end)."""
    yield
    while _APPS:
        _APPS.pop().state.service.close()


def _app(path: Path, **kwargs: bool) -> FastAPI:
    app = create_app(path, **kwargs)
    _APPS.append(app)
    return app


def _two_dyads(folder: Path) -> FastAPI:
    csv = EVENTS + ("w:4,2021-01-07,FRAGOV,DEUGOV,042,1.9,4,other talks,gdelt2\n"
                    "w:5,2021-01-08,CHNGOV,JPNGOV,042,1.9,4,more talks,gdelt2\n"
                    "w:6,2021-02-09,GBRGOV,FRAGOV,042,1.9,4,still more,gdelt2\n")
    app = _app(_store(folder, csv, chronology=False))
    app.state.service.idle = 0.2
    return app


def _refuse_to_open(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make every later opening of a store fail (and be recorded)."""
    tried: list[object] = []

    def refuse(*args: object, **kwargs: object) -> Store:
        tried.append(args)
        raise AssertionError("the store was opened for an answer the cache holds")

    monkeypatch.setattr(Store, "open", refuse)
    return tried


URLS = ["/api/view?period=month", "/api/view?dyad=FRA-DEU", "/api/events?limit=2",
        "/api/events?dyad=FRA-DEU&search=talks", "/api/datasets", "/api/brief?period=month",
        "/brief?direction=forward"]


def test_cached_answers_are_given_without_opening_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _two_dyads(tmp_path)
    service = app.state.service
    with _sync_client(app) as client:
        first = {url: client.get(url) for url in URLS}
        assert all(r.status_code == 200 for r in first.values()), first
        assert service.settle()
        tried = _refuse_to_open(monkeypatch)
        for url in URLS:
            again = client.get(url)
            assert again.status_code == 200 and again.content == first[url].content, url
        # a refusal is kept too: the store knows no XXX
        monkeypatch.undo()
        assert client.get("/api/view?dyad=USA-XXX").status_code == 400
        tried = _refuse_to_open(monkeypatch)
        assert "XXX" in client.get("/api/view?dyad=USA-XXX").json()["error"]
    assert tried == []


def test_answers_are_kept_in_the_one_cache(tmp_path: Path) -> None:
    from detente.query import CACHE
    from detente.report import BriefOptions
    from detente.service._model import opts_key as _opts_key

    app = _two_dyads(tmp_path)
    service = app.state.service
    with _sync_client(app) as client:
        assert client.get("/api/view", params={"period": "month"}).status_code == 200
    opts = BriefOptions(period="month")
    assert CACHE.get(service.stamp(), ("web view", _opts_key(opts)))[0]


@pytest.mark.parametrize("first, then", [("auto", "month"), ("month", "auto")])
def test_auto_and_the_period_it_stands_for_share_one_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str, then: str) -> None:
    from detente.query import CACHE
    from detente.report import BriefOptions
    from detente.service._model import opts_key as _opts_key

    app = _two_dyads(tmp_path)
    service = app.state.service
    params = {"dataset": "gdelt2", "since": "2021-01-01"}
    with _sync_client(app) as client:
        one = client.get("/api/view", params={**params, "period": first})
        assert one.status_code == 200 and one.json()["period"] == "month"
        assert service.settle()
        tried = _refuse_to_open(monkeypatch)
        other = client.get("/api/view", params={**params, "period": then})
        assert other.status_code == 200 and other.content == one.content and tried == []
    auto = BriefOptions(period="auto", datasets=("gdelt2",), since=dt.date(2021, 1, 1))
    stamp = service.stamp()
    assert not CACHE.get(stamp, ("web view", _opts_key(auto)))[0]  # kept once, not twice
    assert CACHE.get(stamp, ("web view", _opts_key(auto.model_copy(update={"period": "month"}))))[0]


def test_a_write_by_another_connection_shows_in_the_next_answers(tmp_path: Path) -> None:
    app = _two_dyads(tmp_path)
    service = app.state.service
    with _sync_client(app) as client:
        view = client.get("/api/view", params={"period": "month", "dataset": "gdelt2"}).json()
        events = client.get("/api/events", params={"dataset": "gdelt2"}).json()
        held = client.get("/api/datasets").json()["datasets"]
        assert view["as_of"] == "2021-02-03" and events["total"] == 3
        assert service.settle()
        before = service.stamp()
        (tmp_path / "more.csv").write_text(MORE, encoding="utf-8")
        with Store.open(tmp_path / "s.duckdb") as st:  # as `detente ingest` does
            st.ingest([tmp_path / "more.csv"])
        assert service.stamp().version > before.version
        view = client.get("/api/view", params={"period": "month", "dataset": "gdelt2"}).json()
        events = client.get("/api/events", params={"dataset": "gdelt2"}).json()
        now = client.get("/api/datasets").json()["datasets"]
    assert view["as_of"] == "2021-03-09"
    assert events["total"] == 5 and events["events"][0]["event_id"] == "w:11"
    count = {d["dataset"]: d["events"] for d in now}
    assert count["gdelt2"] == {d["dataset"]: d["events"] for d in held}["gdelt2"] + 2


def test_a_busy_store_is_a_503_with_retry_after(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = _store(tmp_path)
    app = _app(path)
    app.state.service.wait = 0.3
    holder = subprocess.Popen(  # another process writing to the store
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
         "print('holding', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        with _sync_client(app) as client:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
            r = client.get("/api/events", params={"search": "Geneva"})
            assert r.status_code == 503 and r.headers["retry-after"].isdigit()
            assert r.headers["content-type"].startswith("application/json")
            assert "busy" in r.json()["error"] and "Traceback" not in r.text
            busy_app = _app(path)  # a server started meanwhile waits for the store
            assert busy_app.state.service.path == path
    finally:
        holder.communicate("", timeout=30)
    with _sync_client(app) as client:
        r = client.get("/api/events", params={"search": "Geneva", "dataset": "gdelt2"})
        assert r.status_code == 200 and r.json()["total"] == 1


def test_a_slow_answer_never_keeps_a_cached_one_waiting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from detente.report import BriefOptions, build_brief

    app = _two_dyads(tmp_path)
    service = app.state.service
    service.view(BriefOptions(period="month"))
    real = build_brief
    started = threading.Event()

    def slow(*args: object, **kwargs: object) -> object:
        started.set()
        time.sleep(2)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("detente.service._dashboard.build_brief", slow)
    worker = threading.Thread(target=service.view, args=(BriefOptions(dyad=("FRA", "DEU")),))
    worker.start()
    assert started.wait(30)
    t0 = time.perf_counter()
    with _sync_client(app) as client:
        assert client.get("/api/view", params={"period": "month"}).status_code == 200
    assert time.perf_counter() - t0 < 1.0 and worker.is_alive()
    worker.join()
    service.settle()


def test_a_warm_app_computes_the_opening_view_before_it_is_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.query import CACHE

    app = _app(_store(tmp_path), warm=True)
    app.state.warming.join(60)
    assert not app.state.warming.is_alive()
    service = app.state.service
    # its dyad looked at for a copy once requests pause (most of this store: not worth one)
    assert service.settle()
    assert CACHE.get(service.stamp(), ("scope", ("RUS", "USA")))[0]
    tried = _refuse_to_open(monkeypatch)
    with _sync_client(app) as client:
        body = client.get("/api/view").json()
    assert body["title"].startswith("USA-RUS: the relationship as of") and tried == []


def _sources(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the relation each query of the layer reads (the events or a copy)."""
    from detente.query import Queries

    seen: list[str] = []
    real = Queries._source

    def spy(self: Queries, sel: object) -> tuple[str, bool]:
        rel, only = real(self, sel)  # type: ignore[arg-type]
        seen.append(rel)
        return rel, only

    monkeypatch.setattr(Queries, "_source", spy)
    return seen


def test_a_dyad_is_copied_after_its_first_view_and_read_from_the_copy_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _two_dyads(tmp_path)
    service = app.state.service
    seen = _sources(monkeypatch)
    with _sync_client(app) as client:
        first = client.get("/api/view", params={"period": "month"})
        assert seen and set(seen) == {"events"}  # the first view does not wait for a copy
        with service.open() as st:
            assert not st.queries.has_scope(("USA", "RUS"))
        assert service.settle()  # copied once requests pause
        with service.open() as st:
            assert st.queries.has_scope(("USA", "RUS"))
        seen.clear()
        second = client.get("/api/view", params={"period": "month", "since": "2020-01-01"})
    assert first.status_code == second.status_code == 200
    assert "_detente_scope_RUS_USA" in seen and "events" not in seen
    assert first.json()["glance"] == second.json()["glance"]


def test_only_the_latest_dyad_is_copied_once_requests_pause(tmp_path: Path) -> None:
    app = _two_dyads(tmp_path)
    service = app.state.service
    with _sync_client(app) as client:
        assert client.get("/api/view", params={"period": "month"}).status_code == 200
        assert client.get("/api/view", params={"dyad": "FRA-DEU"}).status_code == 200
        assert service.settle()
    with service.open() as st:
        assert st.queries.has_scope(("DEU", "FRA"))
        assert not st.queries.has_scope(("RUS", "USA"))


def test_an_unknown_dataset_is_refused_with_the_known_ones(client: httpx.Client) -> None:
    for route in ("/api/view", "/api/events", "/api/brief"):
        r = client.get(route, params={"dataset": "gdelt3"})
        assert r.status_code == 400, (route, r.status_code)
        assert "unknown dataset(s) gdelt3" in r.json()["error"] and "gdelt2" in r.json()["error"]


def test_events_read_with_names_and_labels(client: httpx.Client) -> None:
    body = client.get("/api/events", params={"dataset": "gdelt2", "limit": 3}).json()
    labels = {e["event_code"]: e["event_label"] for e in body["events"]}
    assert labels["190"] == "Use conventional military force, not specified below"
    assert labels["112"] == "Accuse, not specified below"
    assert {"source_name", "target_name", "publisher", "place"} <= set(body["events"][0])


def test_serve_copies_the_opening_dyad_and_the_warm_view_reads_the_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.cli.cmd_web import OPENING_DYAD, copy_opening
    from detente.report import BriefOptions
    from detente.web._params import ViewQuery

    assert OPENING_DYAD == BriefOptions().dyad == ViewQuery().options().dyad
    folder = tmp_path
    csv = EVENTS + "".join(f"w:{9 + i},2021-01-{10 + i},FRAGOV,DEUGOV,042,1.9,4,talks,gdelt2\n"
                           for i in range(6))  # the opening dyad is not most of the store
    path = _store(folder, csv, chronology=False)
    copy_opening(path)
    seen = _sources(monkeypatch)
    app = _app(path, warm=True)
    app.state.warming.join(60)
    service = app.state.service
    with service.open() as st:
        assert st.queries.has_scope(("USA", "RUS"))
    assert seen and "events" not in seen and "_detente_scope_RUS_USA" in seen
    with _sync_client(app) as client:
        body = client.get("/api/view").json()
    assert body["title"] == "USA-RUS: the relationship as of 2021-02-03"


def test_a_view_is_the_same_json_whether_chart_dates_are_kept_or_written_out(
        tmp_path: Path) -> None:
    import json

    from detente.report import BriefOptions, build_brief
    from detente.service._model import QUICK_SECTIONS, QuickView

    service = _app(_store(tmp_path)).state.service
    for opts in (BriefOptions(period="month"), BriefOptions(period="week", since=dt.date(2021, 1, 6)),
                 BriefOptions(period="year", issue="diplomacy")):
        served = service.view(opts)
        with service.open() as st:
            content = build_brief(st, opts, sections_wanted=QUICK_SECTIONS)
        plain = QuickView(title=content.title, as_of=content.as_of, period=content.period,
                          glance=content.glance, charts=content.charts,
                          datasets=content.reproducibility.datasets)
        dated = [c for c in content.charts if c.spec]
        assert dated and all(isinstance(r["period_start"], str) for c in dated[:2]
                             for r in c.spec["datasets"]["rows_0"] if "period_start" in r)
        assert served == plain.model_dump_json()
        assert json.loads(served)["charts"] == json.loads(plain.model_dump_json())["charts"]
        assert service.view_json(opts) == served.encode()
