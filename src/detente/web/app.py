"""The dashboard: the brief's views with live filters, an events table and a JSON API.

Read-only: no endpoint writes, and the store is opened read-only, for one request at
a time and closed after it (other processes can ingest meanwhile). Every route is a
thin call of :class:`detente.service.Dashboard`, which keeps each answer in the query
layer's one cache. Every query parameter is declared with its type and bounds,
validated by FastAPI, and reaches the store only as a bound parameter of a
:class:`~detente.query.Selection`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente import __version__
from detente.errors import DetenteError, StoreBusyError
from detente.report._bundle import vega_bundle
from detente.report.html import stylesheet
from detente.service import LIMIT, Dashboard, StillComputing
from detente.web._errors import error_response, responses
from detente.web._params import EventQuery, ViewQuery
from detente.web._security import SecurityMiddleware

__all__ = ["create_app"]

_STATIC = {
    "vega.js": "text/javascript; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "brief.css": "text/css; charset=utf-8",
}
_RETRY_AFTER = 2
"""Seconds a client is told to wait before asking again while the store is busy."""
_JSON = "application/json"
# what each operation can answer besides its result: every route reads a store (503),
# is behind the Host check (421) and answers GET only (405); a route with
# parameters refuses values outside their declared type (422) or that no query can have (400)
_PLAIN = responses(405, 421, 503)
_QUERY = responses(400, 405, 421, 422, 503)


def create_app(store_path: str | Path, *, warm: bool = False,
               wait: float | None = None, limit: float | None = LIMIT) -> FastAPI:
    """Return the dashboard app over the store at ``store_path`` (read-only).

    The store is opened once now, to fail at once with a clear message when there
    is none, and closed; then only for the requests that are not answered from the
    cache. With ``warm``, the opening view (the default dyad, all dates) is computed
    in the background as soon as the app is made, so the first page does not wait
    for it, and its dyad's events are copied for the next views.

    Args:
        store_path: the store file.
        warm: compute the opening view at once, in the background.
        wait: seconds a request waits for a store another process is writing to
            before it is answered 503 (default :data:`detente.service.WAIT`).
        limit: seconds a request waits for its answer to be computed before it is
            answered 503 (the answer is finished and kept; ``None``: no limit).

    Raises:
        StoreError: there is no store at ``store_path``, or it is not a detente store.
    """
    service = Dashboard(store_path, limit=limit) if wait is None else \
        Dashboard(store_path, wait=wait, limit=limit)
    # fail now, with a clear message, rather than on the first request; a store another
    # process is writing to is answered once it is released
    with suppress(StoreBusyError):
        service.stamp()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPI(
        lifespan=lifespan,
        title="detente dashboard",
        version=__version__,
        description="Read-only views of a detente store: the brief's figures and charts, "
                    "events with paging and search. Parameters an operation does not list are "
                    "ignored. Every error answer, a path not served "
                    "(404) included, is JSON of the ErrorBody schema.",
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
    )
    app.state.service = service
    # Host check, security headers; the brief page's inline start-up script and stylesheet
    # are the only inline code allowed, by their hashes
    brief_init = resources.files("detente.report").joinpath("templates", "brief_init.js")
    app.add_middleware(SecurityMiddleware, inline_scripts=[brief_init.read_text("utf-8")],
                       inline_styles=[stylesheet()])

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "query") or "request"
        detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "invalid")),
                   "type": str(e.get("type", "value_error"))} for e in errors]
        return error_response(422, f"parameter {where}: {first.get('msg', 'invalid')}",
                              detail=detail)

    retry = {"Retry-After": str(_RETRY_AFTER)}

    @app.exception_handler(StoreBusyError)
    async def _busy(request: Request, exc: StoreBusyError) -> JSONResponse:
        return error_response(503, str(exc), kind="busy", headers=retry)

    @app.exception_handler(StillComputing)
    async def _slow(request: Request, exc: StillComputing) -> JSONResponse:
        return error_response(503, str(exc), kind="too_slow", headers=retry)

    @app.exception_handler(DetenteError)
    async def _refused(request: Request, exc: DetenteError) -> JSONResponse:
        return error_response(400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard() -> HTMLResponse:
        page = resources.files("detente.web").joinpath("static", "dashboard.html")
        return HTMLResponse(page.read_text("utf-8"))

    @app.get("/brief", response_class=HTMLResponse, summary="The brief as a page",
             responses=_QUERY)
    def brief_page(q: Annotated[ViewQuery, Depends()]) -> HTMLResponse:
        return HTMLResponse(service.within_limit(service.brief_html, q.options(),
                                                 bundle_src="/static/vega.js"))

    @app.get("/api/brief", summary="The brief's content as JSON", responses=_QUERY)
    def api_brief(q: Annotated[ViewQuery, Depends()]) -> Response:
        return Response(service.within_limit(service.brief, q.options()), media_type=_JSON)

    @app.get("/api/view", summary="A quick view: glance, index, quad-class and issue charts",
             responses=_QUERY)
    def api_view(q: Annotated[ViewQuery, Depends()]) -> Response:
        return Response(service.within_limit(service.view_json, q.options()), media_type=_JSON)

    # the opening view, computed while the page loads; then its dyad's events copied
    app.state.warming = service.warm(ViewQuery().options()) if warm else None

    @app.get("/api/events", summary="A page of events, newest first (or oldest, by order=)",
             responses=_QUERY)
    def api_events(q: Annotated[EventQuery, Depends()]) -> Response:
        body = service.within_limit(service.events, q.event_filter(), limit=q.limit,
                                    offset=q.offset, newest_first=q.order == "newest")
        return Response(body, media_type=_JSON)

    @app.get("/api/datasets", summary="What each dataset in the store holds", responses=_PLAIN)
    def api_datasets() -> Response:
        return Response(service.within_limit(service.datasets), media_type=_JSON)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in _STATIC:
            return error_response(404, f"no static file {name!r}")
        if name == "vega.js":
            text = vega_bundle()
        elif name == "brief.css":
            text = stylesheet()
        else:
            text = resources.files("detente.web").joinpath("static", name).read_text("utf-8")
        return Response(text, media_type=_STATIC[name],
                        headers={"Cache-Control": "max-age=3600"})

    _errors_as_json(app)
    return app


def _errors_as_json(app: FastAPI) -> None:
    """Declare every error answer as JSON, also on the routes whose result is a page
    (FastAPI would give them the page's media type)."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = make()
            ref = {"$ref": "#/components/schemas/ErrorBody"}
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    for status, answer in operation.get("responses", {}).items():
                        if int(status) >= 400:
                            answer["content"] = {_JSON: {"schema": ref}}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
