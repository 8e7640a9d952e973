"""The colours and labels every chart and table shares: one colour per status, the quad
classes' names and colours.
"""

from __future__ import annotations

STATUS_COLOURS: dict[str, str] = {
    # a party's status under a treaty (the registry): pending in blues, binding in
    # greens, strained in ambers, ended by an act in red, ended otherwise in greys
    "signed": "#9ecae1",
    "ratified": "#5b9bd5",
    "in_force": "#2e8b57",
    "extended": "#1f6f43",
    "suspended": "#e8a33d",
    "withdrawal_notified": "#f2c46d",
    "deratified": "#d9822b",
    "withdrawn": "#b2342a",
    "terminated": "#7f7f7f",
    "expired": "#b8b8b8",
    "overtaken": "#8e7f99",
    # a channel's recorded facts
    "established": "#2e8b57",
    "resumed": "#6fb98a",
    "restricted": "#f2c46d",
    # a playbook item's or condition's status
    "on_track": "#2e8b57",
    "met": "#2e8b57",
    "deteriorating": "#b2342a",
    "not_met": "#b2342a",
    "stalled": "#d8c48f",
    "insufficient_evidence": "#d9d9d9",
    "overtaken_by_events": "#8e7f99",
}
"""One colour per status, the same on every chart and in every table (the brief's and
the dashboard's status tags are drawn from it too, see :func:`status_css`)."""
QUAD_LABELS = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}
_QUAD_COLOURS = ["#4a90c2", "#1f5f8b", "#e8a33d", "#b2342a"]


def status_css() -> str:
    """Return the CSS giving each ``status-<name>`` tag its colour (dark text on light
    colours, white on dark)."""
    out = []
    for status, colour in STATUS_COLOURS.items():
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        ink = "#1d2329" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"
        out.append(f".status-{status} {{ background: {colour}; color: {ink}; }}")
    return "\n".join(out)
