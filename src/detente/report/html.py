"""Render a brief as one self-contained HTML file (or a page of the dashboard)."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from importlib import resources
from typing import Any

import jinja2

from detente.report._bundle import vega_bundle
from detente.report._summary import summarise
from detente.report.model import Brief, Figure, PlaybookItem

__all__ = ["render_html", "script_json", "stylesheet"]


@functools.cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("detente.report", "templates"),
        autoescape=True, trim_blocks=False, lstrip_blocks=False,
        undefined=jinja2.StrictUndefined,
    )


def _asset(name: str) -> str:
    return resources.files("detente.report").joinpath("templates", name).read_text("utf-8")


def stylesheet() -> str:
    """Return the brief's CSS (screen, phone and print), with the status colours of
    :data:`detente.report.charts.STATUS_COLOURS`."""
    from detente.report.charts import status_css

    return _asset("brief.css") + "\n" + status_css() + "\n"


def script_json(value: Any) -> str:
    """Return ``value`` as JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, default=str, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _num(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.2f}"


def _figval(f: Figure) -> str:
    """Return a figure's value as shown: counts as whole numbers, the rest to two places."""
    if f.indicator == "events" and f.value is not None:
        return f"{round(f.value):,}"
    return _num(f.value)


def _events(n: int) -> str:
    return f"{n:,} event" + ("" if n == 1 else "s")


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def _direction(f: Figure) -> str:
    # more conflict is worse; for the other headline numbers, more is better
    if f.diff is None or f.diff == 0 or f.indicator == "events":
        return ""
    worse = f.diff > 0 if f.indicator == "material_conflict_share" else f.diff < 0
    return "down" if worse else "up"


def _values(values: dict[str, Any]) -> str:
    return "; ".join(f"{k} = {_num(v) if isinstance(v, float) else v}" for k, v in values.items())


def render_html(brief: Brief, *, bundle_src: str | None = None) -> str:
    """Return the brief as HTML.

    Args:
        brief: the content.
        bundle_src: where the page loads the Vega JavaScript from (the dashboard
            serves it itself); ``None`` inlines it, making one self-contained file
            that opens offline and asks no other host for anything.
    """
    by_dataset: dict[str, list[Figure]] = defaultdict(list)
    for f in brief.glance.figures:
        by_dataset[f.dataset].append(f)
    baskets: dict[str, list[PlaybookItem]] = defaultdict(list)
    for it in brief.playbook.items:
        baskets[it.basket].append(it)
    steady: dict[str, list[Figure]] = defaultdict(list)
    for f in brief.glance.steady:
        steady[f.dataset].append(f)
    specs = {c.name: c.spec for c in brief.charts if c.spec}
    return _env().get_template("brief.html.j2").render(
        b=brief,
        sm=summarise(brief),
        figures=sorted(by_dataset.items()),
        steady=dict(steady),
        baskets=list(baskets.items()),
        datasets=", ".join(d.dataset for d in brief.reproducibility.datasets),
        specs=script_json(specs),
        css=stylesheet(),
        init=_asset("brief_init.js"),
        bundle=_inline_script(vega_bundle()) if bundle_src is None else None,
        bundle_src=bundle_src,
        offline=bundle_src is None,
        num=_num, figval=_figval, events=_events, signed=_signed, direction=_direction, values=_values,
    )


def _inline_script(js: str) -> str:
    # "</script" would end the element early; in JavaScript "<\/" means the same
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")
