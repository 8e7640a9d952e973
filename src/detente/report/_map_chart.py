"""The map of where events happened, over the world's land outline shipped in the package."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import altair as alt

from detente.report._vega import _WIDTH, Record, _filled, _layout, _rows


@functools.cache
def _land() -> Any:
    """The world's land (Natural Earth 1:110m, public domain) as TopoJSON, from the package."""
    from importlib import resources

    text = resources.files("detente.report").joinpath("data", "land-110m.json").read_text("utf-8")
    return json.loads(text)


def map_chart(rows: Sequence[Record]) -> dict[str, Any]:
    """Map where events happened: one circle per dataset and place, its area the events
    there, over the world's land outline (shipped in the package: no request to any host).

    Args:
        rows: ``dataset, latitude, longitude, place, place_country, events``.
    """
    spec = _map_layout()
    spec["layer"][0]["data"] = {"values": _land(), "format": {"type": "topojson",
                                                               "feature": "land"}}
    return _filled(spec, rows_0=rows)


@_layout
def _map_layout() -> alt.TopLevelMixin:
    land = alt.Chart(alt.InlineData(values=[])).mark_geoshape(
        fill="#e9edf1", stroke="#b8c2cc", strokeWidth=0.5)
    places = alt.Chart(_rows("rows_0")).mark_circle(opacity=0.6, stroke="#fff",
                                                    strokeWidth=0.5).encode(
        longitude=alt.Longitude("longitude:Q"),
        latitude=alt.Latitude("latitude:Q"),
        size=alt.Size("events:Q", title="events", scale=alt.Scale(range=[12, 900]),
                      legend=alt.Legend(orient="bottom")),
        color=alt.Color("dataset:N", title="dataset", legend=alt.Legend(orient="bottom")),
        order=alt.Order("events:Q", sort="descending"),
        tooltip=[alt.Tooltip("place:N"), alt.Tooltip("place_country:N", title="country"),
                 alt.Tooltip("dataset:N"), alt.Tooltip("events:Q")],
    )
    return alt.layer(land, places).project(type="equalEarth").properties(
        width=_WIDTH, height=420)
