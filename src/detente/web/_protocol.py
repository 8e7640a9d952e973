"""HTTP/1.1 for `detente serve`: uvicorn's h11 protocol, with a bound on how long a
client may take to send a request's headers.

uvicorn times out a connection that idles between requests, but not one that opens
and then sends its headers a byte at a time (or never finishes them): enough of those
would hold every connection the server has. Here a connection whose request has not
arrived whole :data:`HEADER_TIMEOUT` seconds after the connection opened, or after the
last answer on it, is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HEADER_TIMEOUT", "HeaderTimeoutProtocol"]

HEADER_TIMEOUT = 10.0
"""Seconds a client has to send a request's headers."""


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose headers are too slow to come."""

    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._waiting_after: Any = self.cycle  # no new request since this one
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _too_slow(self) -> None:
        if self.cycle is self._waiting_after and not self.transport.is_closing():
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._header_timer.cancel()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._header_timer.cancel()
        super().connection_lost(exc)
