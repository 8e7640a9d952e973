"""Say what changed between an earlier brief (its JSON) and this one."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from detente.errors import DetenteError
from detente.report.model import Brief, Change, ForecastLine

__all__ = ["compare_briefs", "load_brief", "with_changes"]


def load_brief(path: str | Path) -> Brief:
    """Read a brief written with ``--format json``.

    Raises:
        DetenteError: the file is missing or is not a brief's JSON.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DetenteError(f"{p}: cannot read the earlier brief ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise DetenteError(f"{p}: not a brief's JSON (not UTF-8 text)") from None
    try:
        return Brief.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "document"
        raise DetenteError(f"{p}: not a brief's JSON ({where}: {first['msg']})") from None


def _fmt(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _forecast(line: ForecastLine | None) -> str | None:
    if line is None:
        return None
    if line.mean is None or line.lower is None or line.upper is None:
        return "not shown (did not beat the baselines)" if line.origins else "not shown"
    return f"{line.mean:.2f} [{line.lower:.2f}, {line.upper:.2f}] for {line.period_start}"


def compare_briefs(old: Brief, new: Brief) -> list[Change]:
    """Return what differs between ``old`` and ``new``, section by section."""
    changes: list[Change] = []

    def add(section: str, item: str, before: object, after: object) -> None:
        b, a = _fmt(before), _fmt(after)
        if b != a:
            changes.append(Change(section=section, item=item, before=b, after=a))

    add("record", "as of", old.as_of, new.as_of)
    add("record", "dyad", old.dyad, new.dyad)
    old_ds = {d.dataset: d for d in old.reproducibility.datasets}
    new_ds = {d.dataset: d for d in new.reproducibility.datasets}
    for name in sorted(old_ds.keys() | new_ds.keys()):
        o, n = old_ds.get(name), new_ds.get(name)
        add("datasets", f"{name} events", o.events if o else None, n.events if n else None)
    old_f = {(f.dataset, f.indicator): f for f in old.glance.figures}
    new_f = {(f.dataset, f.indicator): f for f in new.glance.figures}
    for key in sorted(old_f.keys() | new_f.keys()):
        of, nf = old_f.get(key), new_f.get(key)
        either = nf or of
        label = f"{key[0]} {either.label if either else key[1]}"
        add("glance", label,
            f"{_fmt(of.value)} ({of.period_start})" if of and of.value is not None else None,
            f"{_fmt(nf.value)} ({nf.period_start})" if nf and nf.value is not None else None)
    old_a = {(a.kind, a.dataset, a.direction) for a in old.glance.alerts}
    new_a = {(a.kind, a.dataset, a.direction) for a in new.glance.alerts}
    for akey in sorted(old_a | new_a):
        add("alerts", " ".join(k for k in akey if k), "active" if akey in old_a else None,
            "active" if akey in new_a else None)
    ocp, ncp = old.glance.latest_change_point, new.glance.latest_change_point
    add("glance", "latest change point", f"{ocp.date} ({ocp.dataset})" if ocp else None,
        f"{ncp.date} ({ncp.dataset})" if ncp else None)
    old_cps = {(c.dataset, c.date) for c in old.glance.change_points}
    new_cps = {(c.dataset, c.date) for c in new.glance.change_points}
    for ds, day in sorted(old_cps ^ new_cps):
        add("change points", f"{ds} {day}", "found" if (ds, day) in old_cps else None,
            "found" if (ds, day) in new_cps else None)
    old_fc = {f.dataset: f for f in old.glance.forecasts}
    new_fc = {f.dataset: f for f in new.glance.forecasts}
    for name in sorted(old_fc.keys() | new_fc.keys()):
        add("forecasts", f"{name} index, next period", _forecast(old_fc.get(name)),
            _forecast(new_fc.get(name)))
    old_p = {(i.basket, i.item): i for i in old.playbook.items}
    new_p = {(i.basket, i.item): i for i in new.playbook.items}
    for key in sorted(old_p.keys() | new_p.keys()):
        op, np_ = old_p.get(key), new_p.get(key)
        item = np_ or op
        title = item.title if item else key[1]
        add("playbook", f"{key[0]}: {title}", op.status if op else None,
            np_.status if np_ else None)
    return changes


def with_changes(new: Brief, old: Brief, label: str) -> Brief:
    """Return ``new`` carrying what changed since ``old`` (named ``label``)."""
    return new.model_copy(update={"changes": compare_briefs(old, new), "compared_with": label})
