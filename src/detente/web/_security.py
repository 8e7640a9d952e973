"""The dashboard's guard: a Host check and security headers on every answer.

The server listens on this machine only, but a web page the user opens elsewhere can
point a name it controls at 127.0.0.1 ("DNS rebinding") and then read the API as if it
were the same site. Such a request carries that name in its ``Host`` header, so only
requests naming the machine itself are answered: ``localhost``, ``127.0.0.1``, ``::1``
(any port), and ``testserver``, the name test clients give; ``$DETENTE_ALLOWED_HOSTS``
(comma-separated names) adds others, for a server started with ``--host``. Every
answer carries headers that keep the page from being framed, sniffed or leaking its
address, and a Content-Security-Policy that lets it load and call only its own origin,
run no inline script or style but those the server names by hash, and never eval;
a refused method is answered with the ``Allow`` header HTTP asks for.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = ["DEFAULT_HOSTS", "HEADERS", "SecurityMiddleware", "content_security_policy"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1", "testserver")
"""Host names answered without configuration."""

# Scripts come only from the server's own files: no inline script but the few the server
# names by their SHA-256 (the brief page's start-up script), no eval. Vega compiles its
# chart expressions to JavaScript functions unless told to interpret them: the dashboard
# and the brief ask for the interpreter bundled with vega-embed (``ast: true``), so
# 'unsafe-eval' is not needed. Styles likewise: the server's stylesheets and the inline
# ones it names by hash (the brief page's); vega-embed and vega-tooltip are told not to
# insert theirs (the dashboard's stylesheets carry what the charts need).
_CSP = ("default-src 'self'; script-src 'self'{scripts}; style-src 'self'{styles}; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _hashes(texts: Iterable[str]) -> str:
    return "".join(f" 'sha256-{base64.b64encode(hashlib.sha256(t.encode()).digest()).decode()}'"
                   for t in texts)


def content_security_policy(scripts: Iterable[str] = (), styles: Iterable[str] = ()) -> str:
    """Return the Content-Security-Policy that allows the inline ``scripts`` and ``styles``
    (their exact text, allowed by its SHA-256) and nothing else inline."""
    return _CSP.format(scripts=_hashes(scripts), styles=_hashes(styles))


def _headers(csp: str) -> tuple[tuple[bytes, bytes], ...]:
    return (
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
    )


HEADERS = _headers(content_security_policy())
"""Headers added to every answer."""


def _host_name(value: str) -> str:
    """Return the name in a Host header, without its port (``[::1]:8765`` -> ``::1``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class SecurityMiddleware:
    """Answer only requests whose Host names this machine; add :data:`HEADERS` to all."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] | None = None, *,
                 inline_scripts: Iterable[str] = (), inline_styles: Iterable[str] = ()) -> None:
        self.app = app
        self.headers = _headers(content_security_policy(inline_scripts, inline_styles))
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
                                    (b"content-length", str(len(body)).encode()),
                                    *self.headers]})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in self.headers if h[0] not in present]
                if message.get("status") == 405 and b"allow" not in present:
                    extra.append((b"allow", b"GET"))  # every route only reads
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
