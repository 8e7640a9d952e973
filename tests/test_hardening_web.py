"""Hardening of the dashboard: a Host check against DNS rebinding, security headers on
every answer, and dates out of range answered in JSON, not with a server error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import gdelt2_line, write_lines
from detente import Store
from detente.web import create_app
from detente.web._security import _host_name
from test_web import _sync_client


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web-hardening")
    db = folder / "s.duckdb"
    with Store.open(db, with_chronology=False) as st:
        st.ingest_file(write_lines(folder / "g.CSV", [gdelt2_line(event_id=n) for n in range(1, 20)]))
    return db


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[httpx.Client]:
    with _sync_client(create_app(store_path)) as c:
        yield c


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost", "[::1]:8765", "testserver"])
def test_the_machine_s_own_names_are_answered_with_security_headers(client: httpx.Client, host: str) -> None:
    response = client.get("/api/datasets", headers={"host": host})
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "connect-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", ""])
def test_another_host_name_is_refused(client: httpx.Client, host: str) -> None:
    response = client.get("/api/datasets", headers={"host": host})
    assert response.status_code == 421
    assert "is not served here" in response.json()["error"]
    assert response.json()["type"] == "host_not_allowed"
    assert response.headers["x-frame-options"] == "DENY"


def test_more_names_can_be_allowed(monkeypatch: pytest.MonkeyPatch, store_path: Path) -> None:
    monkeypatch.setenv("DETENTE_ALLOWED_HOSTS", "dash.lan, other.lan")
    with _sync_client(create_app(store_path)) as mine:
        assert mine.get("/api/datasets", headers={"host": "dash.lan:80"}).status_code == 200
        assert mine.get("/api/datasets", headers={"host": "evil.example"}).status_code == 421


def test_host_names_are_read_without_their_port() -> None:
    assert [_host_name(h) for h in ("LocalHost:1", "[::1]:80", "::1", "a.b")] == [
        "localhost", "::1", "::1", "a.b"]


@pytest.mark.parametrize("query", ["/api/view?as_of=9999-12-31", "/api/brief?as_of=0001-01-01",
                                   "/api/view?as_of=9999-06-30",
                                   "/api/events?since=2101-01-01"])
def test_a_date_out_of_range_is_a_json_refusal(client: httpx.Client, query: str) -> None:
    response = client.get(query)
    assert response.status_code == 422
    name = query.split("?")[1].split("=")[0]
    assert response.json()["error"].startswith(f"parameter {name}: Input should be "), response.json()


# -- a client slow to send its headers ----------------------------------------------------


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def test_a_client_that_never_finishes_its_headers_is_cut_off() -> None:
    import socket
    import threading
    import time

    import uvicorn

    from detente.web._protocol import HeaderTimeoutProtocol

    class Quick(HeaderTimeoutProtocol):
        header_timeout = 0.5

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_hello, log_level="error", http=Quick,  # type: ignore[arg-type]
                                          timeout_keep_alive=30))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as whole:
            whole.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while not answer.endswith(b"\r\n\r\nok") and (chunk := whole.recv(1024)):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            time.sleep(0.8)  # idle after an answer: a second request that never comes
            assert whole.recv(1024) == b""
        with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
            started = time.perf_counter()
            slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no end of headers
            for _ in range(3):
                time.sleep(0.1)
                slow.sendall(b"X-Drip: 1\r\n")
            assert slow.recv(1024) == b""  # closed by the server
            assert time.perf_counter() - started < 3
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_refused_method_says_which_are_allowed(client: httpx.Client) -> None:
    response = client.post("/api/datasets")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json() == {"error": "Method Not Allowed", "type": "method_not_allowed"}


def test_a_slow_answer_is_503_and_kept_while_a_cached_one_is_not_held_up(store_path: Path) -> None:
    import threading
    import time

    from detente.report import BriefOptions
    from detente.service import Dashboard

    app = create_app(store_path, limit=0.2)
    service: Dashboard = app.state.service
    gate = threading.Event()
    real_view = Dashboard.view_json

    def slow_view(self: Dashboard, opts: BriefOptions) -> bytes:
        if opts.period == "year":
            gate.wait(5)  # a computation that takes longer than the limit
        return real_view(self, opts)

    service.datasets()  # kept
    service.view_json = slow_view.__get__(service)  # type: ignore[method-assign]
    try:
        with _sync_client(app) as client:
            slow = client.get("/api/view", params={"period": "year"})
            assert slow.status_code == 503 and slow.headers["Retry-After"] == "2"
            assert "takes longer than 0.2 s; it is being finished and kept" in slow.json()["error"]
            # meanwhile a kept answer comes at once, not after the slow one
            t0 = time.perf_counter()
            assert client.get("/api/datasets").status_code == 200
            assert time.perf_counter() - t0 < 0.15
            gate.set()
            for _ in range(50):  # the slow answer, finished, is kept
                again = client.get("/api/view", params={"period": "year"})
                if again.status_code == 200:
                    break
                time.sleep(0.1)
            assert again.status_code == 200 and again.json()["period"] == "year"
    finally:
        gate.set()
        service.close()


def test_the_policy_allows_no_inline_code_but_the_brief_page_s_own(client: httpx.Client) -> None:
    import base64
    import hashlib
    import re

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    page = client.get("/brief")
    assert page.status_code == 200
    policy = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";"))
    assert "unsafe" not in policy["script-src"] and "unsafe" not in policy["style-src"]
    # every inline script the page runs (not its JSON data) and every inline style is allowed
    # by its hash, and nothing else is
    scripts = re.findall(r"<script>(.*?)</script>", page.text, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page.text, re.S)
    assert len(scripts) == 1 and len(styles) == 1
    assert policy["script-src"].split() == ["'self'", *map(sha, scripts)]
    assert policy["style-src"].split() == ["'self'", *map(sha, styles)]
    assert client.get("/api/datasets").headers["content-security-policy"] == \
        page.headers["content-security-policy"]
