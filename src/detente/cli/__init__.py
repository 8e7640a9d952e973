"""The ``detente`` command: a thin shell over the library.

The Typer application is :data:`detente.cli.app.app`; this package exports only
:func:`main`, so ``detente.cli.app`` always names the module.
"""

from __future__ import annotations

from detente.cli.app import main

__all__ = ["main"]
