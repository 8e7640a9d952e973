"""The treaty and channel registry: the arms-control edifice and the dialogue channels as data.

Treaties carry every status change for each party with the date it was
announced and the date it took effect, and a citation. Channels carry dated
facts and, where event data can show it, a selector whose latest matching
event is the channel's last contact.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from detente.policy._yaml import load_located, validate

__all__ = [
    "BINDING",
    "ENDED",
    "STRAINED",
    "Channel",
    "ChannelState",
    "Instrument",
    "PartyState",
    "Registry",
    "StatusChange",
    "channel_state",
    "default_registry_dir",
    "load_registry",
]

TreatyStatus = Literal["signed", "ratified", "in_force", "extended", "withdrawal_announced",
                       "ultimatum", "suspended", "resumed", "withdrawal_notified", "withdrawn",
                       "deratified", "expired", "terminated"]
#: statuses after which an instrument no longer binds that party
ENDED: frozenset[str] = frozenset({"withdrawn", "expired", "terminated"})
#: statuses under which an instrument still stands but is failing: a party announced it
#: will leave, set an ultimatum, suspended it, gave notice or revoked its ratification
STRAINED: frozenset[str] = frozenset({"withdrawal_announced", "ultimatum", "suspended",
                                      "withdrawal_notified", "deratified"})
#: statuses under which an instrument binds a party (announcements change nothing in law)
BINDING: frozenset[str] = frozenset({"in_force", "extended", "withdrawal_announced", "ultimatum"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatusChange(_Model):
    """One status change of one party, with its citation."""

    status: TreatyStatus
    effective: date
    announced: date | None = None
    event: str | None = None
    issuer: str
    title: str
    date: date
    note: str | None = None

    @model_validator(mode="after")
    def _order(self) -> StatusChange:
        if self.announced and self.announced > self.effective:
            raise ValueError(f"announced {self.announced} is after effective {self.effective}")
        return self


class Overtaken(_Model):
    """An instrument overtaken by events without a formal act of withdrawal."""

    date: date
    events: list[str]
    note: str


class Instrument(_Model):
    """A treaty, agreement or memorandum with its parties' histories."""

    id: str
    name: str
    kind: Literal["treaty", "agreement", "memorandum"]
    issue_areas: list[str] = Field(default_factory=list)
    parties: dict[str, list[StatusChange]]
    overtaken_by: Overtaken | None = None

    def changes(self, party: str, as_of: date | None = None) -> list[StatusChange]:
        """Return ``party``'s changes in force by ``as_of``, oldest first."""
        return [c for c in sorted(self.parties.get(party, []), key=lambda c: c.effective)
                if as_of is None or c.effective <= as_of]

    def state(self, party: str, as_of: date | None = None) -> PartyState | None:
        """Return ``party``'s status as of a date, or None if the party has none yet."""
        done = self.changes(party, as_of)
        if not done:
            return None
        last = done[-1]
        return PartyState(instrument=self.id, party=party, status=last.status, since=last.effective,
                          event=last.event, citation=f"{last.issuer}, {last.title}, {last.date}")

    def binds(self, party: str, as_of: date | None = None) -> bool:
        """Return whether the instrument binds ``party`` as of a date (see :data:`BINDING`).

        A party that resumed what it had suspended is bound as it was before the
        suspension (a resumed memorandum binds no more than a signed one)."""
        done = [c.status for c in self.changes(party, as_of)]
        while done and done[-1] in ("resumed", "suspended"):
            resumed = done[-1] == "resumed"
            done.pop()
            if not resumed:
                return False
            while done and done[-1] != "suspended":
                done.pop()
            if done:
                done.pop()  # the suspension that was lifted
        return bool(done) and done[-1] in BINDING and not self.ended(as_of)

    def ended(self, as_of: date | None = None) -> bool:
        """Return whether the instrument no longer binds the parties to each other.

        That is so once any party has left it (withdrawn, expired, terminated):
        between two countries a treaty one of them has left binds neither to
        the other. An instrument overtaken by events has ended too.
        """
        if self.overtaken_by and (as_of is None or self.overtaken_by.date <= as_of):
            return True
        states = [self.state(p, as_of) for p in self.parties]
        return any(s is not None and s.status in ENDED for s in states)

    def strained(self, as_of: date | None = None) -> list[PartyState]:
        """Return the parties' states that strain the instrument as of a date (see
        :data:`STRAINED`), none once it has ended."""
        if self.ended(as_of):
            return []
        states = [self.state(p, as_of) for p in self.parties]
        return [s for s in states if s is not None and s.status in STRAINED]

    def ending_events(self, as_of: date | None = None) -> list[str]:
        """Return the events that wound the instrument down (suspensions, withdrawals, expiry)."""
        ids: list[str] = []
        if self.overtaken_by and (as_of is None or self.overtaken_by.date <= as_of):
            ids += self.overtaken_by.events
        for party in self.parties:
            for c in self.changes(party, as_of):
                if c.status in ENDED | STRAINED and c.event:
                    ids.append(c.event)
        return list(dict.fromkeys(ids))


class PartyState(_Model):
    """A party's status under an instrument as of a date."""

    instrument: str
    party: str
    status: str
    since: date
    event: str | None
    citation: str


class ChannelFact(_Model):
    """A dated fact about a channel."""

    status: Literal["established", "suspended", "restricted", "resumed"]
    effective: date
    event: str | None = None
    issuer: str
    title: str
    date: date


class Selector(_Model):
    """Which events count as contact over a channel (always within the dyad): actors with
    one of ``roles`` on both sides, events tagged with one of ``issue_areas``, of a CAMEO
    root in ``roots``, of a CAMEO code starting with one of ``codes``, with one of
    ``search`` in their text (each only when given)."""

    roles: list[str] = Field(default_factory=list)
    issue_areas: list[str] = Field(default_factory=list)
    roots: list[str] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)
    search: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _digits(self) -> Selector:
        bad = [c for c in (*self.roots, *self.codes) if not (c.isdigit() and len(c) >= 2)]
        if bad:
            raise ValueError(f"roots and codes must be CAMEO codes of two digits or more: {bad}")
        return self


class Channel(_Model):
    """A dialogue channel."""

    id: str
    name: str
    kind: Literal["hotline", "military", "diplomatic", "summit"]
    active_days: int = 365
    select: Selector | None = None
    facts: list[ChannelFact] = Field(default_factory=list)


class ChannelState(_Model):
    """A channel's status as of a date, with the evidence behind it."""

    channel: str
    name: str
    status: Literal["active", "dormant", "suspended", "restricted", "open", "no_evidence"]
    last_contact: date | None
    last_event: str | None
    days_since: int | None
    latest_fact: str | None
    reason: str


class _InstrumentFile(_Model):
    instruments: list[Instrument]


class _ChannelFile(_Model):
    channels: list[Channel]


class Registry(_Model):
    """Treaties and channels."""

    instruments: list[Instrument]
    channels: list[Channel]

    def instrument(self, name: str) -> Instrument | None:
        """Find an instrument by id, case and separators ignored (``New START`` = ``NEW_START``)."""
        key = _norm(name)
        return next((i for i in self.instruments if _norm(i.id) == key), None)

    def channel(self, name: str) -> Channel | None:
        """Find a channel by id."""
        key = _norm(name)
        return next((c for c in self.channels if _norm(c.id) == key), None)


def _norm(name: str) -> str:
    return "".join(ch for ch in name.upper() if ch.isalnum())


def default_registry_dir() -> Path:
    """Return the packaged registry folder."""
    return Path(str(resources.files("detente").joinpath("data/registry")))


def load_registry(folder: str | Path | None = None) -> Registry:
    """Load ``treaties.yaml`` and ``channels.yaml`` (the packaged ones by default).

    Raises:
        PolicyFileError: a file is missing or not valid (with its line).
    """
    base = Path(folder) if folder is not None else default_registry_dir()
    treaties = validate(_InstrumentFile, load_located(base / "treaties.yaml", "registry file"))
    channels = validate(_ChannelFile, load_located(base / "channels.yaml", "registry file"))
    return Registry(instruments=treaties.instruments, channels=channels.channels)


def channel_state(channel: Channel, as_of: date, last_contact: date | None,
                  last_event: str | None) -> ChannelState:
    """Derive a channel's status from its facts and its last contact in the events.

    Rules, in order: a contact within ``active_days`` of the as-of date makes it
    ``active``; a suspension or restriction dated after the last contact makes
    it ``suspended``/``restricted``; an older contact makes it ``dormant``; a
    channel that events cannot show (no selector) keeps its latest fact
    (``open`` once established); otherwise ``no_evidence``.
    """
    facts = sorted((f for f in channel.facts if f.effective <= as_of), key=lambda f: f.effective)
    latest = facts[-1] if facts else None
    fact_text = f"{latest.status} {latest.effective} ({latest.issuer})" if latest else None
    days = (as_of - last_contact).days if last_contact else None
    base: dict[str, Any] = {"channel": channel.id, "name": channel.name, "last_contact": last_contact,
            "last_event": last_event, "days_since": days, "latest_fact": fact_text}
    if last_contact and days is not None and days <= channel.active_days:
        return ChannelState(status="active", reason=f"last contact {days} days before the as-of "
                            f"date (active within {channel.active_days})", **base)
    if latest and latest.status in ("suspended", "restricted") and (
            last_contact is None or latest.effective >= last_contact):
        return ChannelState(status=latest.status, reason=f"{latest.status} on {latest.effective}"
                            " with no contact recorded since", **base)
    if last_contact:
        return ChannelState(status="dormant", reason=f"no contact for {days} days (active within "
                            f"{channel.active_days})", **base)
    if channel.select is None and latest:
        status: Literal["open", "suspended", "restricted"] = (
            "open" if latest.status in ("established", "resumed")
            else "suspended" if latest.status == "suspended" else "restricted")
        return ChannelState(status=status, reason=f"{latest.status} on {latest.effective}; "
                            "not observable in event data", **base)
    return ChannelState(status="no_evidence", reason="no fact and no contact in the events up to "
                        f"{as_of}", **base)
