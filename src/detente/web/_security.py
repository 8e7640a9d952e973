"""The dashboard's guard: a Host check and security headers on every answer.

The server listens on this machine only, but a web page the user opens elsewhere can
point a name it controls at 127.0.0.1 ("DNS rebinding") and then read the API as if it
were the same site. Such a request carries that name in its ``Host`` header, so only
requests naming the machine itself are answered: ``localhost``, ``127.0.0.1``, ``::1``
(any port), and ``testserver``, the name test clients give; ``$DETENTE_ALLOWED_HOSTS``
(comma-separated names) adds others, for a server started with ``--host``. Every
answer carries headers that keep the page from being framed, sniffed or leaking its
address, and a Content-Security-Policy that lets it load and call only its own origin;
a refused method is answered with the ``Allow`` header HTTP asks for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = ["DEFAULT_HOSTS", "HEADERS", "SecurityMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1", "testserver")
"""Host names answered without configuration."""

# the charts are drawn by Vega, which compiles its expressions with Function(): scripts
# need 'unsafe-eval'; the brief's page inlines its script and styles
_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'")
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", _CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
"""Headers added to every answer."""


def _host_name(value: str) -> str:
    """Return the name in a Host header, without its port (``[::1]:8765`` -> ``::1``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class SecurityMiddleware:
    """Answer only requests whose Host names this machine; add :data:`HEADERS` to all."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] | None = None) -> None:
        self.app = app
        extra = os.environ.get("DETENTE_ALLOWED_HOSTS", "")
        names = list(allowed_hosts) if allowed_hosts is not None else list(DEFAULT_HOSTS)
        names += [h for h in extra.split(",") if h.strip()]
        self.allowed = {_host_name(h) for h in names}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")
        if _host_name(host) not in self.allowed:
            body = json.dumps({"error": f"host {host!r} is not served here (this dashboard "
                                        "answers its own machine's names; "
                                        "$DETENTE_ALLOWED_HOSTS adds others)",
                               "type": "host_not_allowed"}).encode()
            await send({"type": "http.response.start", "status": 421,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()), *HEADERS]})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in HEADERS if h[0] not in present]
                if message.get("status") == 405 and b"allow" not in present:
                    extra.append((b"allow", b"GET"))  # every route only reads
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
