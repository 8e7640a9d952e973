"""`detente serve`: the local dashboard over a read-only store."""

from __future__ import annotations

import gc
import threading
from contextlib import suppress
from pathlib import Path
from typing import Annotated

import typer

from detente.cli._options import StoreOpt

__all__ = ["register"]


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (this machine only "
                                      "by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8765,
    store: StoreOpt = None,
    wait: Annotated[float | None, typer.Option(
        "--wait", envvar="DETENTE_WAIT", metavar="SECONDS", min=0, show_default=False,
        help="How long a request waits for a store another detente process is writing to "
             "before it is answered 503 (default: 10).")] = None,
) -> None:
    """Serve the dashboard: live filters, charts, events with paging and search, a JSON API.

    The store is not kept open: each request that is not answered from the cache
    opens it read-only and closes it, so `detente ingest` and every other command
    can use the store while the dashboard runs, and the dashboard shows what they
    wrote at the next request. A new store is created first, with the curated
    chronology in it. The API is described at /openapi.json.
    """
    from detente.store import Store, default_store_path

    path = Path(store).expanduser() if store is not None else default_store_path()
    if not path.exists():
        Store.open(path).close()
    # the opening dyad's events are copied while the dashboard's code is still loading
    # (DuckDB works beside the imports); the opening view then reads the copy
    threading.Thread(target=copy_opening, args=(path,), name="detente-copy-opening",
                     daemon=True).start()

    import uvicorn

    from detente.web import create_app
    from detente.web._protocol import HeaderTimeoutProtocol

    app = create_app(path, warm=True, wait=wait)
    # what is loaded by now (modules, their tables) stays for the process's life: the
    # cycle collector need not look through it again, where a full pass amid the
    # answers took tens of milliseconds
    gc.collect()
    gc.freeze()
    typer.echo(f"serving {path} on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    # a client slow to send its headers is cut off (uvicorn's own timeout is for idle ones)
    uvicorn.run(app, host=host, port=port, log_level="warning", http=HeaderTimeoutProtocol)


OPENING_DYAD = ("USA", "RUS")
"""The dyad of the dashboard's opening view (the default of
:class:`~detente.report.BriefOptions`)."""


def copy_opening(path: Path, dyad: tuple[str, str] = OPENING_DYAD) -> None:
    """Copy ``dyad``'s events from the store at ``path`` into memory for the next views
    (:meth:`~detente.query.Queries.prepare_scope`), opening the store read-only for the
    copy alone; nothing happens if the store cannot be opened at once."""
    from detente.store import Store

    with suppress(Exception):  # no copy: the views read the table
        opened = Store.open(path, read_only=True, wait=0)
        try:
            opened.queries.prepare_scope(dyad)
        finally:
            opened.close()


def register(app: typer.Typer) -> None:
    """Add `serve` to the CLI."""
    app.command(name="serve")(serve)
