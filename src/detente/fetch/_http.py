"""A polite HTTP client: timeouts, bounded retries with backoff, clear failures.

Only the standard library: a fetch needs GET, a Range header and a timeout.
Retried: 429 and 5xx answers (honouring ``Retry-After`` up to a cap), timeouts
and dropped connections. Not retried: other 4xx answers. A server that cannot be
reached at all is a :class:`Unreachable`, which a fetch reports as one line and
stops on, rather than failing every file one by one.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from detente import __version__
from detente.errors import DetenteError

__all__ = ["Http", "HttpFailure", "Unreachable"]

_CHUNK = 1 << 16
_RETRIED = {429, 500, 502, 503, 504}


class HttpFailure(DetenteError):
    """A request failed for good (after its retries)."""


class Unreachable(HttpFailure):
    """The server could not be reached at all (refused, no route, name unknown)."""


@dataclass
class Http:
    """GETs with a timeout and retries.

    Attributes:
        timeout: seconds a connection or a read may stall before it counts as failed.
        retries: further attempts after a failed one (429, 5xx, timeouts, drops).
        backoff: seconds before the first retry; doubled for each next one.
        max_wait: cap on one pause (also on a server's ``Retry-After``).
    """

    timeout: float = 30.0
    retries: int = 4
    backoff: float = 2.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def _open(self, url: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        req = urllib.request.Request(url, headers={"User-Agent": f"detente/{__version__}",
                                                   **(headers or {})})
        return urllib.request.urlopen(req, timeout=self.timeout)  # type: ignore[no-any-return]

    def _attempts(self, url: str, work: Callable[[], bytes | int]) -> bytes | int:
        """Run ``work`` (one request) until it succeeds or the retries run out."""
        pause = self.backoff
        last = ""
        for attempt in range(self.retries + 1):
            wait = pause
            try:
                return work()
            except urllib.error.HTTPError as exc:
                if exc.code not in _RETRIED:
                    raise HttpFailure(f"{url}: HTTP {exc.code} {exc.reason}") from None
                last = f"HTTP {exc.code} {exc.reason}"
                after = exc.headers.get("Retry-After") if exc.headers else None
                if after and after.strip().isdigit():
                    wait = float(after.strip())
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, TimeoutError):
                    last = f"no answer within {self.timeout:g} s"
                elif _unreachable(reason):
                    raise Unreachable(f"{url}: cannot reach the server ({_why(reason)})") from None
                else:
                    last = _why(reason)
            except TimeoutError:
                last = f"no answer within {self.timeout:g} s"
            except (ConnectionError, http.client.HTTPException) as exc:
                last = f"connection dropped ({type(exc).__name__})"
            if attempt < self.retries:
                self.sleep(min(wait, self.max_wait))
                pause *= 2
        tries = self.retries + 1
        raise HttpFailure(f"{url}: {last} (tried {tries} time{'s' if tries > 1 else ''})")

    def get(self, url: str, headers: dict[str, str] | None = None) -> bytes:
        """Return the body of ``url``."""
        def work() -> bytes:
            with self._open(url, headers) as resp:
                return bytes(resp.read())
        out = self._attempts(url, work)
        assert isinstance(out, bytes)
        return out

    def get_range(self, url: str, last_bytes: int) -> tuple[bytes, bool]:
        """Return up to the last ``last_bytes`` of ``url`` and whether that is the whole
        body (a server that ignores ``Range`` sends all of it)."""
        holder: dict[str, bool] = {}

        def work() -> bytes:
            with self._open(url, {"Range": f"bytes=-{last_bytes}"}) as resp:
                holder["whole"] = resp.status != 206 or _covers_all(resp)
                return bytes(resp.read())
        out = self._attempts(url, work)
        assert isinstance(out, bytes)
        return out, holder.get("whole", True)

    def download(self, url: str, target: Path, on_bytes: Callable[[int], None] | None = None
                 ) -> tuple[int, str]:
        """Stream ``url`` into ``target`` (written whole or not at all: the bytes go to a
        ``.partial`` file renamed at the end); return its size and MD5."""
        partial = target.with_name(target.name + ".partial")

        def work() -> int:
            digest = hashlib.md5(usedforsecurity=False)
            size = 0
            try:
                with self._open(url) as resp, partial.open("wb") as out:
                    while chunk := resp.read(_CHUNK):
                        _write(out, chunk, partial, url)
                        digest.update(chunk)
                        size += len(chunk)
                        if on_bytes is not None:
                            on_bytes(len(chunk))
                    out.flush()
                    os.fsync(out.fileno())
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            holder["md5"] = digest.hexdigest()
            return size

        holder: dict[str, str] = {}
        size = self._attempts(url, work)
        assert isinstance(size, int)
        partial.replace(target)
        return size, holder["md5"]


def _write(out: BinaryIO, chunk: bytes, partial: Path, url: str) -> None:
    try:
        out.write(chunk)
    except OSError as exc:
        why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise HttpFailure(f"{url}: cannot write {partial.parent}: {why}") from None


def _covers_all(resp: http.client.HTTPResponse) -> bool:
    rng = resp.headers.get("Content-Range", "")  # bytes 0-99/100: the whole body
    return rng.startswith("bytes 0-")


def _unreachable(reason: object) -> bool:
    if isinstance(reason, socket.gaierror):
        return True
    if isinstance(reason, OSError) and reason.errno in (
        errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL
    ):
        return True
    return isinstance(reason, ConnectionRefusedError)


def _why(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "name not known"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason)
