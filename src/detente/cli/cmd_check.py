"""`detente check`: the store's integrity checks, in words a user can act on."""

from __future__ import annotations

from typing import Annotated

import typer

from detente.cli._options import StoreOpt, WaitOpt, open_store

__all__ = ["register"]


def check(
    repair: Annotated[bool, typer.Option(
        "--repair", help="Remove rows left by an unfinished ingest and reload the chronology.")] = False,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Check the store: counts against provenance, quarantine, the chronology's version.

    Each check prints `ok` or `PROBLEM` with what was found and, for a problem, how
    to repair it. Exit status 0 when every check holds, 1 otherwise. Checking
    changes nothing; `--repair` does what can be done in place and checks again.
    """
    from rich.markup import escape

    from detente.cli._render import stderr

    err = stderr()
    if repair:
        with open_store(store, wait=wait, write=True) as st:
            for line in st.repair():
                err.print(f"repaired: {escape(line)}", highlight=False, soft_wrap=True)
    with open_store(store, wait=wait, as_is=True) as st:
        findings = st.check()
    for f in findings:
        if f.ok:
            typer.echo(f"ok       {f.check}: {f.detail}")
        else:
            typer.echo(f"PROBLEM  {f.check}: {f.detail}; to repair: {f.repair}")
    bad = [f for f in findings if not f.ok]
    if bad:
        err.print(f"[red]{len(bad)} check(s) failed[/red]", highlight=False)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `check` to the CLI."""
    app.command(name="check")(check)
