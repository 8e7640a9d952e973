"""The dashboard in-process, through the ASGI transport: every page and endpoint."""

from __future__ import annotations

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
    ("/api/view?dataset=x%27%3B%20DROP%20TABLE%20events", 400, "not a dataset name"),
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
        methods = getattr(route, "methods", set()) or set()
        assert methods <= {"GET", "HEAD"}, route
    assert client.post("/api/events").status_code == 405
    assert client.get("/api/datasets").json()["datasets"][0]["events"] >= 3


def test_store_is_opened_read_only(web_app: FastAPI) -> None:
    with web_app.state.shared.use() as st, pytest.raises(Exception, match="read-only"):
        write_sql(st, "DELETE FROM events")


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    from detente.errors import StoreError

    with pytest.raises(StoreError, match="no store here yet"):
        create_app(tmp_path / "none.duckdb")


def test_kept_answers_follow_the_store_state(tmp_path: Path) -> None:
    import os

    from detente.web.app import _CACHED, _Shared

    folder = tmp_path
    with Store.open(folder / "k.duckdb"):
        pass
    shared = _Shared(folder / "k.duckdb")
    made: list[str] = []

    def make(key: str) -> object:
        def _make(store: Store) -> str:
            made.append(key)
            return f"{key}:{store.count()}"
        return _make

    first = shared.cached(("view", "a"), make("a"))
    assert shared.cached(("view", "a"), make("a")) == first and made == ["a"]
    # the store file changes (as after an ingest): the answer is made afresh
    st = os.stat(folder / "k.duckdb")
    os.utime(folder / "k.duckdb", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert shared.cached(("view", "a"), make("a")) == first and made == ["a", "a"]
    # at most _CACHED answers are kept, the least recently used going first
    for i in range(_CACHED):
        shared.cached(("view", str(i)), make(str(i)))
    shared.cached(("view", "a"), make("a"))
    assert made.count("a") == 3
    shared.close()


def test_a_warm_app_computes_the_opening_view_before_it_is_asked(tmp_path: Path) -> None:
    import time

    (tmp_path / "e.csv").write_text(EVENTS, encoding="utf-8")
    with Store.open(tmp_path / "s.duckdb") as st:
        st.ingest([tmp_path / "e.csv"])
    app = create_app(tmp_path / "s.duckdb", warm=True)
    kept = app.state.shared.responses
    deadline = time.monotonic() + 60
    while not kept and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [k[0] for k in kept] == ["view"]
    (body,) = kept.values()
    assert '"USA-RUS: the relationship as of' in body
    shared = app.state.shared
    while shared._copier is not None and time.monotonic() < deadline:
        time.sleep(0.05)  # the default dyad's events are copied once requests pause
    with shared.use() as st:  # looked at: most of this store, so not worth a copy
        assert ("RUS", "USA") in st._scopes and not st.needs_scope(("RUS", "USA"))
    shared.close()


def _two_dyads(folder: Path) -> FastAPI:
    csv = EVENTS + ("w:4,2021-01-07,FRAGOV,DEUGOV,042,1.9,4,other talks,gdelt2\n"
                    "w:5,2021-01-08,CHNGOV,JPNGOV,042,1.9,4,more talks,gdelt2\n"
                    "w:6,2021-02-09,GBRGOV,FRAGOV,042,1.9,4,still more,gdelt2\n")
    (folder / "e.csv").write_text(csv, encoding="utf-8")
    with Store.open(folder / "s.duckdb", with_chronology=False) as st:
        st.ingest([folder / "e.csv"])
    return create_app(folder / "s.duckdb")


def test_only_the_latest_dyad_is_copied_once_requests_pause(tmp_path: Path) -> None:
    import time

    app = _two_dyads(tmp_path)
    shared = app.state.shared
    with _sync_client(app) as client:
        assert client.get("/api/view", params={"period": "month"}).status_code == 200
        assert client.get("/api/view", params={"dyad": "FRA-DEU"}).status_code == 200
        deadline = time.monotonic() + 30
        while shared._copier is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        with shared.use() as st:
            assert st._kept_scope(("DEU", "FRA")) is not None
            assert st._kept_scope(("RUS", "USA")) is None
    shared.close()


def test_a_dyad_is_copied_after_its_first_view_and_read_from_the_copy_after(
        tmp_path: Path) -> None:
    import time

    import detente.report as report

    app = _two_dyads(tmp_path)
    shared = app.state.shared
    seen: list[object] = []
    import detente.web.app as web

    def spy(st: Store, *args: object, **kwargs: object) -> object:
        seen.append(st.scoped_to)
        return report.build_brief(st, *args, **kwargs)  # type: ignore[arg-type]

    web_build = web.build_brief
    web.build_brief = spy  # type: ignore[assignment]
    try:
        with _sync_client(app) as client:
            first = client.get("/api/view", params={"period": "month"})
            assert shared._wanted == ("RUS", "USA")  # copied once requests pause
            deadline = time.monotonic() + 30
            while shared._copier is not None and time.monotonic() < deadline:
                time.sleep(0.02)
            with shared.use() as st:
                assert st._kept_scope(("RUS", "USA")) is not None
            second = client.get("/api/view", params={"period": "month", "since": "2020-01-01"})
    finally:
        web.build_brief = web_build  # type: ignore[assignment]
        shared.close()
    assert first.status_code == second.status_code == 200
    assert seen == [None, ("RUS", "USA")]  # the first view ran on the whole table
    assert first.json()["glance"] == second.json()["glance"]
