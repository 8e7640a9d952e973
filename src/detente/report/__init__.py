"""The brief: what an analyst hands on, as HTML, Markdown or JSON.

``build_brief(store, BriefOptions(...))`` computes the content once; the
renderers lay it out. ``RENDERERS`` finds a renderer by format name.
"""

from __future__ import annotations

from collections.abc import Callable

from detente.report.build import build_brief, resolve_period
from detente.report.compare import compare_briefs, load_brief, with_changes
from detente.report.html import render_html
from detente.report.markdown import render_markdown
from detente.report.model import Brief, BriefOptions, Change, Chart

__all__ = [
    "RENDERERS",
    "Brief",
    "BriefOptions",
    "Change",
    "Chart",
    "build_brief",
    "compare_briefs",
    "load_brief",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "resolve_period",
    "with_changes",
]


def render_json(brief: Brief) -> str:
    """Return the brief as JSON (what ``--compare`` reads back)."""
    return brief.model_dump_json(indent=1) + "\n"


def _html(brief: Brief) -> str:
    return render_html(brief)


RENDERERS: dict[str, Callable[[Brief], str]] = {
    "html": _html,
    "markdown": render_markdown,
    "json": render_json,
}


def render(brief: Brief, fmt: str) -> str:
    """Return ``brief`` rendered in ``fmt`` (``html``, ``markdown`` or ``json``)."""
    return RENDERERS[fmt](brief)
