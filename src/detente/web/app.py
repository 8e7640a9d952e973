"""The dashboard: the brief's views with live filters, an events table and a JSON API.

Read-only: the store is opened read-only and no endpoint writes. Every query
parameter is declared with its type and bounds, validated by FastAPI, and
reaches the store only as a bound parameter of an :class:`EventFilter`.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext, suppress
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente import __version__
from detente.errors import DetenteError
from detente.report import BriefOptions, build_brief, render_html
from detente.report._bundle import vega_bundle
from detente.report.html import stylesheet
from detente.report.model import Chart, DatasetRecord, Glance
from detente.store import EventFilter, Store
from detente.web._params import EventQuery, ViewQuery

__all__ = ["create_app"]

_QUICK = frozenset({"issues"})
"""What ``/api/view`` computes beyond the glance and the index and quad-class charts."""
_STATIC = {
    "vega.js": "text/javascript; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "brief.css": "text/css; charset=utf-8",
}
_CACHED = 16
"""Finished API responses kept per server (each a few hundred kB of JSON)."""
_IDLE = 1.0
"""Seconds without a request before a dyad's events are copied for its next views."""
_EVENT_COLUMNS = ("event_id", "date", "source_actor", "target_actor", "event_code", "quad_class",
                  "goldstein", "issue_areas", "dataset", "text", "url", "citation_issuer",
                  "citation_title", "citation_date")


class _QuickView(BaseModel):
    """The answer of ``/api/view``: the brief's title, glance and charts, and what each
    dataset holds (written by pydantic straight to JSON, the quickest way there)."""

    title: str
    as_of: dt.date | None
    period: str
    glance: Glance
    charts: list[Chart]
    datasets: list[DatasetRecord]


class _Shared:
    """One read-only store, used by one request at a time (DuckDB temp objects are per
    connection, so requests share it under a lock rather than opening cursors)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.store: Store | None = None
        self.responses: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self.closed = False
        self.activity = 0  # requests seen; the copier waits for a pause in them
        self._wanted: tuple[str, str] | None = None
        self._copier: threading.Thread | None = None

    def stamp(self) -> tuple[int, ...]:
        """Return the store file's (and its write-ahead log's) modification time and size."""
        out: list[int] = []
        for path in (self.path, self.path.with_name(self.path.name + ".wal")):
            try:
                st = os.stat(path)
            except OSError:
                out += [0, 0]
            else:
                out += [st.st_mtime_ns, st.st_size]
        return tuple(out)

    def cached(self, key: tuple[Any, ...], make: Callable[[Store], str]) -> str:
        """Return the response for ``key``, made by ``make`` unless the same store state
        answered it recently (a small least-recently-used cache; the store is read-only)."""
        self.activity += 1
        with self.lock:
            full = (*key, self.stamp())
            body = self.responses.get(full)
            if body is not None:
                self.responses.move_to_end(full)
                return body
            if self.store is None:
                self.store = Store.open(self.path, read_only=True)
            body = make(self.store)
            self.responses[full] = body
            while len(self.responses) > _CACHED:
                self.responses.popitem(last=False)
            return body

    @contextmanager
    def use(self) -> Iterator[Store]:
        self.activity += 1
        with self.lock:
            if self.store is None:
                self.store = Store.open(self.path, read_only=True)
            yield self.store

    def copy_later(self, store: Store, dyad: tuple[str, str]) -> None:
        """Have ``dyad``'s events copied for its next views (:meth:`Store.prepare_scope`)
        once requests pause for :data:`_IDLE` seconds, so that someone clicking through
        dyads is not kept waiting by copies of the ones they passed. Only the latest
        dyad asked for is copied. Called with the lock held."""
        if store.queries.has_scope(dyad):
            return
        self._wanted = dyad
        if self._copier is None:
            self._copier = threading.Thread(target=self._copy_when_idle, name="detente-copy",
                                            daemon=True)
            self._copier.start()

    def _copy_when_idle(self) -> None:
        while True:
            seen = self.activity
            time.sleep(_IDLE)
            with self.lock:
                if self.closed or self.store is None:
                    self._copier = None
                    return
                if self.activity != seen:
                    continue
                key, self._wanted = self._wanted, None
                if key is None:
                    self._copier = None
                    return
                store = self.store
            # copied on a connection of its own: requests meanwhile are answered from the
            # whole store, not kept waiting; a dyad asked for meanwhile is copied next
            with suppress(Exception):  # no copy: the views read the whole store
                store.queries.prepare_scope(key)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            if self.store is not None:
                self.store.close()
                self.store = None


class _WhileOpen:
    """The request lock of a :class:`_Shared`, refused once its store is closed."""

    def __init__(self, shared: _Shared) -> None:
        self.shared = shared

    def __enter__(self) -> None:
        self.shared.lock.acquire()
        if self.shared.closed:
            self.shared.lock.release()
            raise RuntimeError("the store is closed")

    def __exit__(self, *exc: object) -> None:
        self.shared.lock.release()


def _error(status: int, message: str, detail: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def create_app(store_path: str | Path, *, warm: bool = False) -> FastAPI:
    """Return the dashboard app over the store at ``store_path`` (opened read-only).

    With ``warm``, the opening view (the default dyad, all dates) is computed in the
    background as soon as the app is made, so the first page does not wait for it.

    Raises:
        StoreError: there is no store at ``store_path``.
    """
    shared = _Shared(Path(store_path))
    with shared.use():
        pass  # fail now, with a clear message, rather than on the first request
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        shared.close()

    app = FastAPI(
        lifespan=lifespan,
        title="detente dashboard",
        version=__version__,
        description="Read-only views of a detente store: the brief's figures and charts, "
                    "events with paging and search.",
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
    )
    app.state.shared = shared

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "query") or "request"
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errors]
        return _error(422, f"parameter {where}: {first.get('msg', 'invalid')}", detail)

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

    def checked(st: Store, opts: BriefOptions) -> BriefOptions:
        st.validate(EventFilter(dyad=opts.dyad, since=opts.since, until=opts.until,
                                issue_areas=(opts.issue,) if opts.issue else ()))
        return opts

    @app.get("/brief", response_class=HTMLResponse, summary="The brief as a page")
    def brief_page(q: Annotated[ViewQuery, Depends()]) -> HTMLResponse:
        opts = q.options()
        with shared.use() as st:
            content = build_brief(st, checked(st, opts))
        return HTMLResponse(render_html(content, bundle_src="/static/vega.js"))

    @app.get("/api/brief", summary="The brief's content as JSON")
    def api_brief(q: Annotated[ViewQuery, Depends()]) -> Response:
        opts = q.options()

        def make(st: Store) -> str:
            return build_brief(st, checked(st, opts)).model_dump_json()

        return Response(shared.cached(("brief", opts), make), media_type="application/json")

    def view(opts: BriefOptions) -> str:
        def make(st: Store) -> str:
            checked(st, opts)
            # the quick view reads nothing beyond the dyad: a copy of its events, once
            # there is one (the first view of a dyad does not wait for the copy)
            content = build_brief(st, opts, sections_wanted=_QUICK)
            shared.copy_later(st, opts.dyad)
            return _QuickView(
                title=content.title, as_of=content.as_of, period=content.period,
                glance=content.glance, charts=content.charts,
                datasets=content.reproducibility.datasets,
            ).model_dump_json()

        return shared.cached(("view", opts), make)

    @app.get("/api/view", summary="A quick view: glance, index, quad-class and issue charts")
    def api_view(q: Annotated[ViewQuery, Depends()]) -> Response:
        return Response(view(q.options()), media_type="application/json")

    if warm:
        def prepare() -> None:
            # the opening view, computed while the page loads (the daily totals counted,
            # the queries compiled); then its dyad's events are copied, beside the requests
            with suppress(Exception):  # a request for the same view meets it and answers it
                opening = ViewQuery().options()
                view(opening)
                if shared.store is not None:
                    shared.store.queries.prepare_scope(opening.dyad)

        threading.Thread(target=prepare, name="detente-warm", daemon=True).start()

    @app.get("/api/events", summary="A page of events, newest first (or oldest, by order=)")
    def api_events(q: Annotated[EventQuery, Depends()]) -> dict[str, Any]:
        flt = q.event_filter()
        with shared.use() as st:
            st.validate(flt)
        pair = flt.dyad or ((flt.source, flt.target) if flt.source and flt.target else None)
        with shared.use() as st:
            if True:
                total = st.count(flt)
                table = st.events(flt, limit=q.limit, offset=q.offset,
                                  newest_first=q.order == "newest")
            if pair:
                shared.copy_later(st, pair)
        rows = table.select(list(_EVENT_COLUMNS)).to_pylist()
        return {"total": total, "limit": q.limit, "offset": q.offset,
                "events": [{k: _plain(v) for k, v in r.items()} for r in rows]}

    @app.get("/api/datasets", summary="What each dataset in the store holds")
    def api_datasets() -> dict[str, Any]:
        with shared.use() as st:
            rows = st.summary().to_pylist()
            areas = st.known_areas()
        return {"datasets": [{k: _plain(v) for k, v in r.items()} for r in rows],
                "issue_areas": areas}

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
