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
_BUSY: dict[int | str, dict[str, Any]] = {
    503: {"description": "The store is busy (another process is writing to it), or the answer "
                         "takes longer than the limit (it is being finished and kept): try "
                         "again after Retry-After seconds."}}


def _error(status: int, message: str, detail: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status)


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
                    "events with paging and search.",
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
    )
    app.state.service = service
    app.add_middleware(SecurityMiddleware)  # Host check, security headers

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "query") or "request"
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errors]
        return _error(422, f"parameter {where}: {first.get('msg', 'invalid')}", detail)

    @app.exception_handler(StoreBusyError)
    async def _busy(request: Request, exc: StoreBusyError) -> JSONResponse:
        response = _error(503, str(exc))
        response.headers["Retry-After"] = str(_RETRY_AFTER)
        return response

    @app.exception_handler(StillComputing)
    async def _slow(request: Request, exc: StillComputing) -> JSONResponse:
        response = _error(503, str(exc))
        response.headers["Retry-After"] = str(_RETRY_AFTER)
        return response

    @app.exception_handler(DetenteError)
    async def _refused(request: Request, exc: DetenteError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard() -> HTMLResponse:
        page = resources.files("detente.web").joinpath("static", "dashboard.html")
        return HTMLResponse(page.read_text("utf-8"))

    @app.get("/brief", response_class=HTMLResponse, summary="The brief as a page",
             responses=_BUSY)
    def brief_page(q: Annotated[ViewQuery, Depends()]) -> HTMLResponse:
        return HTMLResponse(service.within_limit(service.brief_html, q.options(),
                                                 bundle_src="/static/vega.js"))

    @app.get("/api/brief", summary="The brief's content as JSON", responses=_BUSY)
    def api_brief(q: Annotated[ViewQuery, Depends()]) -> Response:
        return Response(service.within_limit(service.brief, q.options()), media_type=_JSON)

    @app.get("/api/view", summary="A quick view: glance, index, quad-class and issue charts",
             responses=_BUSY)
    def api_view(q: Annotated[ViewQuery, Depends()]) -> Response:
        return Response(service.within_limit(service.view, q.options()), media_type=_JSON)

    # the opening view, computed while the page loads; then its dyad's events copied
    app.state.warming = service.warm(ViewQuery().options()) if warm else None

    @app.get("/api/events", summary="A page of events, newest first (or oldest, by order=)",
             responses=_BUSY)
    def api_events(q: Annotated[EventQuery, Depends()]) -> Response:
        body = service.within_limit(service.events, q.event_filter(), limit=q.limit,
                                    offset=q.offset, newest_first=q.order == "newest")
        return Response(body, media_type=_JSON)

    @app.get("/api/datasets", summary="What each dataset in the store holds", responses=_BUSY)
    def api_datasets() -> Response:
        return Response(service.within_limit(service.datasets), media_type=_JSON)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in _STATIC:
            return _error(404, f"no static file {name!r}")
        if name == "vega.js":
            text = vega_bundle()
        elif name == "brief.css":
            text = stylesheet()
        else:
            text = resources.files("detente.web").joinpath("static", name).read_text("utf-8")
        return Response(text, media_type=_STATIC[name],
                        headers={"Cache-Control": "max-age=3600"})

    return app
