"""The ``detente`` command: a thin shell over the library."""

from __future__ import annotations

from detente.cli.app import app, main

__all__ = ["app", "main"]
