"""A local GDELT-like file server for the fetch tests (127.0.0.1 only).

It serves what a test puts in ``files`` (name -> bytes) under ``/gdeltv2/`` and
``/events/``, honours ``Range: bytes=-N`` (as GDELT's server does), logs every
request, and can misbehave per file: answer a status a number of times first,
hang, or send other bytes than listed.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from conftest import gdelt1_line, gdelt2_line

HTML_ERROR = (b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
              b"<body><h1>Service Unavailable</h1></body></html>\n")


@dataclass
class Server:
    """State of the local server; change it between runs."""

    files: dict[str, bytes] = field(default_factory=dict)
    fail_first: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (status, times)
    hang: set[str] = field(default_factory=set)
    hang_seconds: float = 3.0
    log: list[tuple[str, str | None]] = field(default_factory=list)  # (name, Range header)
    # name: (ETag, Last-Modified) sent with it, and honoured in If-None-Match and
    # If-Modified-Since (a match: 304 Not Modified, no body)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    conditions: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    sent: int = 0
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self, name: str) -> int:
        return sum(1 for n, _ in self.log if n == name)


def _handler(state: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            name = self.path.rsplit("/", 1)[-1]
            rng = self.headers.get("Range")
            with state._lock:
                state.log.append((name, rng))
                status = state.fail_first.get(name)
                if status and status[1] > 0:
                    state.fail_first[name] = (status[0], status[1] - 1)
            if status and status[1] > 0:
                body = HTML_ERROR
                self.send_response(status[0])
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                if status[0] == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(body)
                return
            if name in state.hang:
                time.sleep(state.hang_seconds)
                return
            body = state.files.get(name)
            if body is None:
                self.send_error(404)
                return
            if name in state.validators:
                etag, modified = state.validators[name]
                inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
                with state._lock:
                    state.conditions.append((name, inm, ims))
                same = (inm == etag) if inm is not None else (ims is not None and ims == modified)
                if same:
                    self.send_response(304)
                    if etag:
                        self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                if etag:
                    self.send_header("ETag", etag)
                if modified:
                    self.send_header("Last-Modified", modified)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            code = 200
            if rng and rng.startswith("bytes=-"):
                n = int(rng[len("bytes=-"):])
                start = max(0, len(body) - n)
                code = 206
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                body = body[start:]
            else:
                self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with state._lock:
                state.sent += len(body)

    return Handler


@contextmanager
def serve(state: Server | None = None) -> Iterator[Server]:
    """Run the server on a free port of 127.0.0.1 for the ``with`` block."""
    state = state or Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def zipped(member: str, text: str) -> bytes:
    """Return a zip holding one member, as GDELT packs its exports."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, text)
    return buf.getvalue()


def export2(stamp: str, rows: Sequence[dict[str, object]]) -> tuple[str, bytes]:
    """Return the name and zipped bytes of a 2.0 export published at ``stamp``."""
    lines = [gdelt2_line(date_added=stamp, **r) for r in rows]  # type: ignore[arg-type]
    return f"{stamp}.export.CSV.zip", zipped(f"{stamp}.export.CSV", "\n".join(lines) + "\n")


def export1(name: str, rows: Sequence[dict[str, object]]) -> bytes:
    """Return a zipped 1.0 export (57 columns for yearly and monthly files)."""
    monthly = not name.endswith(".export.CSV.zip")
    lines = [gdelt1_line(with_url=not monthly, **r) for r in rows]  # type: ignore[arg-type]
    return zipped(name.removesuffix(".zip") + (".csv" if monthly else ""), "\n".join(lines) + "\n")


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def master_line(name: str, data: bytes, host: str = "http://data.gdeltproject.org") -> str:
    """Return a master-list line for ``name`` (GDELT lists its own address)."""
    return f"{len(data)} {md5(data)} {host}/gdeltv2/{name}"


def publish2(state: Server, exports: dict[str, bytes], *, extra_lines: Sequence[str] = (),
             old_days: int = 0, start: str = "20260301000000") -> None:
    """Put ``exports`` on the server with a master list (mentions and GKG lines too, and
    ``old_days`` of earlier history, so the tail read has something to skip) and a
    lastupdate.txt naming the newest."""
    lines: list[str] = []
    first = datetime.strptime(start, "%Y%m%d%H%M%S")
    t = first - timedelta(days=old_days)
    while t < first:
        stamp = f"{t:%Y%m%d%H%M%S}"
        lines.append(f"150383 297a16b493de7cf6ca809a7cc31d0b93 "
                     f"http://data.gdeltproject.org/gdeltv2/{stamp}.export.CSV.zip")
        lines.append(f"318084 bb27f78ba45f69a17ea6ed7755e9f8ff "
                     f"http://data.gdeltproject.org/gdeltv2/{stamp}.mentions.CSV.zip")
        t += timedelta(minutes=15)
    for name in sorted(exports):
        data = exports[name]
        lines.append(master_line(name, data))
        stamp = name.split(".")[0]
        lines.append(f"318084 bb27f78ba45f69a17ea6ed7755e9f8ff "
                     f"http://data.gdeltproject.org/gdeltv2/{stamp}.mentions.CSV.zip")
        lines.append(f"10768507 ea8dde0beb0ba98810a92db068c0ce99 "
                     f"http://data.gdeltproject.org/gdeltv2/{stamp}.gkg.csv.zip")
    lines.extend(extra_lines)
    newest = max(exports)
    state.files.update(exports)
    state.files["masterfilelist.txt"] = ("\n".join(lines) + "\n").encode()
    state.files["lastupdate.txt"] = (master_line(newest, exports[newest]) + "\n").encode()


def store_events(path: Path) -> dict[str, str]:
    """Return event id -> ingested_from of a store's events (read-only)."""
    from detente import Store

    with Store.open(path, read_only=True) as st:
        t = st.events()
    return dict(zip(t["event_id"].to_pylist(), t["ingested_from"].to_pylist(), strict=True))
