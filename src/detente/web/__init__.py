"""The local dashboard (``detente serve``): the brief's views over a read-only store."""

from __future__ import annotations

from detente.web.app import create_app

__all__ = ["create_app"]
