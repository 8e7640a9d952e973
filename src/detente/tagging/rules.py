"""Load, validate and compile issue-area rules."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from detente._yaml import safe_load
from detente.errors import RulesError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ISSUE_AREAS", "Rule", "RuleSet", "icews_sector_areas", "icews_sector_sql",
           "load_rules"]

ISSUE_AREAS: tuple[str, ...] = (
    "cyber_elections",
    "military_channels",
    "ukraine",
    "sanctions",
    "arms_control",
    "nonproliferation",
    "arctic",
    "syria",
    "nato_deterrence",
    "human_rights",
    "diplomacy",
    "energy_economy",
)

_LIST_KEYS = ("codes", "plover", "countries", "source_countries", "target_countries",
              "roles", "both_roles", "actors")
_KEYS = (*_LIST_KEYS, "text", "interstate")
_CODE = re.compile(r"^[A-Za-z0-9]{1,9}$")
_AREA = re.compile(r"^[a-z][a-z0-9_]*$")


_HAYSTACK = "concat_ws(' ', text, url, source_name, target_name)"
_INTERSTATE = ("(source_country IS NOT NULL AND target_country IS NOT NULL "
               "AND source_country <> target_country)")


def _code_bits_sql(code_sets: list[tuple[str, ...]]) -> str:
    """SQL: the bits of ``code_sets`` whose prefixes ``event_code`` starts with (bit j for
    set j), looked up among the known CAMEO codes as the readers look codes up; a code not
    among them is compared prefix by prefix, and a missing one has no bit."""
    from detente import ontology
    from detente.readers._lookups import enum_lookup  # the readers' lookups use the tagging

    known = list(ontology.event_codes())
    masks = [sum(1 << j for j, prefixes in enumerate(code_sets)
                 if any(code.startswith(p) for p in prefixes)) for code in known]
    compared = " + ".join(f"CASE WHEN {Rule(codes=p).codes_condition()} THEN {1 << j} ELSE 0 END"
                          for j, p in enumerate(code_sets))
    return f"coalesce({enum_lookup(known, masks, 'BIGINT', 'event_code')}, ({compared})::BIGINT)"


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(_q(v) for v in values)})"


@dataclass(frozen=True)
class Rule:
    """One rule: every key given must match."""

    codes: tuple[str, ...] = ()
    plover: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    source_countries: tuple[str, ...] = ()
    target_countries: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    both_roles: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    text: str | None = None
    interstate: bool = False

    def condition_sql(self, haystack: str = _HAYSTACK, *, codes_sql: str | None = None,
                      interstate_sql: str | None = None) -> str:
        """Return the SQL condition of this rule over canonical columns.

        Args:
            haystack: SQL yielding the text that ``text`` patterns search.
            codes_sql: SQL standing for the ``codes`` part (the fast path's bit test of a
                lookup); by default, the event code's prefixes are compared.
            interstate_sql: SQL standing for the ``interstate`` part, computed once a row.
        """
        parts: list[str] = []
        if self.codes:
            parts.append(codes_sql or self.codes_condition())
        if self.plover:
            parts.append(_in("plover_type", list(self.plover)))
        if self.countries:
            vals = list(self.countries)
            parts.append(f"({_in('source_country', vals)} OR {_in('target_country', vals)})")
        if self.source_countries:
            parts.append(_in("source_country", list(self.source_countries)))
        if self.target_countries:
            parts.append(_in("target_country", list(self.target_countries)))
        if self.roles:
            vals = list(self.roles)
            parts.append(f"({_in('source_role', vals)} OR {_in('target_role', vals)})")
        if self.both_roles:
            vals = list(self.both_roles)
            parts.append(f"({_in('source_role', vals)} AND {_in('target_role', vals)})")
        if self.actors:
            parts.append("(" + " OR ".join(
                f"starts_with(coalesce(source_actor, ''), {_q(a)}) OR "
                f"starts_with(coalesce(target_actor, ''), {_q(a)})" for a in self.actors) + ")")
        if self.interstate:
            parts.append(interstate_sql or _INTERSTATE)
        if self.text:
            parts.append(f"regexp_matches({haystack}, {_q(self.text)}, 'i')")
        return "(" + " AND ".join(parts) + ")"

    def codes_condition(self, code: str = "event_code") -> str:
        """Return the SQL of the ``codes`` part: ``code`` starts with one of them."""
        return "(" + " OR ".join(f"starts_with({code}, {_q(c)})" for c in self.codes) + ")"


@dataclass
class RuleSet:
    """Rules per issue area, in a fixed area order."""

    areas: dict[str, list[Rule]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def _computed(self, haystack: str, with_text: bool) -> str:
        cases = []
        for area, rules in self.areas.items():
            conds = [r.condition_sql(haystack) for r in rules if with_text or not r.text]
            if conds:
                cases.append(f"CASE WHEN coalesce({' OR '.join(conds)}, false) THEN {_q(area)} END")
        return f"list_filter([{', '.join(cases)}], lambda x: x IS NOT NULL)" if cases else "[]::VARCHAR[]"

    def tags_sql(self, haystack: str = _HAYSTACK, gate: str | None = None) -> str:
        """Return one SQL expression yielding the sorted list of tags of an event.

        Tags a source gave itself (``_given_areas``) are kept alongside.

        Args:
            haystack: SQL yielding the text that ``text`` patterns search.
            gate: SQL boolean, false when no text pattern can match; such rows
                skip every text rule (one regex per row instead of one per area).
        """
        computed = self._computed(haystack, True)
        if gate is not None:
            computed = f"(CASE WHEN {gate} THEN {computed} ELSE {self._computed(haystack, False)} END)"
        return f"list_sort(list_distinct(list_concat(coalesce(_given_areas, []), {computed})))"

    def tag_select(self, relation: str) -> str:
        """Return ``SELECT *, <tags> AS issue_areas FROM relation``, fast.

        The same tags as :meth:`tags_sql`, computed with less work per row: all text
        patterns are first joined into one alternation, so a row whose text matches
        none of them (most rows) costs one regex, not one per area; each area's rules
        then set one bit of an integer (a text rule is tried only on a row the
        alternation matched), and only a row with a bit set builds a list, from the
        area names in sorted order (so the list needs no sorting unless the source
        gave tags of its own).
        """
        texts = [r.text for rules in self.areas.values() for r in rules if r.text]
        if len(self.areas) > 62:  # one bit an area: beyond that, the plain expression
            if not texts:
                return f"SELECT *, {self.tags_sql()} AS issue_areas FROM {relation}"
            return (f"SELECT * EXCLUDE (_hay, _gate), {self.tags_sql('_hay', '_gate')} AS issue_areas "
                    f"FROM ({self._gated(relation, texts)})")
        names = sorted(self.areas)
        # each distinct set of code prefixes is one bit of a lookup by event code, done
        # once a row, not one string comparison per prefix and rule; the interstate
        # test is likewise computed once
        code_sets = sorted({r.codes for rules in self.areas.values() for r in rules if r.codes})
        bit_of = {codes: j for j, codes in enumerate(code_sets)} if len(code_sets) <= 62 else {}
        interstate = any(r.interstate for rules in self.areas.values() for r in rules)

        def cond(rule: Rule) -> str:
            codes = f"((_code_bits >> {bit_of[rule.codes]}) & 1) = 1" if rule.codes in bit_of else None
            return rule.condition_sql("_hay", codes_sql=codes,
                                      interstate_sql="_interstate" if rule.interstate else None)

        bits = []
        for i, area in enumerate(names):
            plain = [cond(r) for r in self.areas[area] if not r.text]
            worded = [cond(r) for r in self.areas[area] if r.text]
            whens = []
            if plain:
                whens.append(f"WHEN coalesce({' OR '.join(plain)}, false) THEN {1 << i}")
            if worded:
                whens.append(f"WHEN _gate THEN CASE WHEN coalesce({' OR '.join(worded)}, false) "
                             f"THEN {1 << i} ELSE 0 END")
            if whens:
                bits.append(f"CASE {' '.join(whens)} ELSE 0 END")
        listed = "[" + ", ".join(_q(n) for n in names) + "]::VARCHAR[]"
        mine = (f"list_filter({listed}, lambda x, i: ((_areas_bits >> (i - 1)) & 1) = 1)"
                if bits else "[]::VARCHAR[]")
        tags = (f"CASE WHEN len(coalesce(_given_areas, [])) = 0 THEN "
                f"CASE WHEN _areas_bits = 0 THEN []::VARCHAR[] ELSE {mine} END "
                f"ELSE list_sort(list_distinct(list_concat(_given_areas, {mine}))) END")
        mask = " + ".join(f"({b})::BIGINT" for b in bits) or "0::BIGINT"
        inner = self._gated(relation, texts) if texts else f"SELECT * FROM {relation}"
        once = {}  # computed once a row, before the areas' bits
        if bit_of:
            once["_code_bits"] = _code_bits_sql(code_sets)
        if interstate:
            once["_interstate"] = _INTERSTATE
        if once:
            inner = f"SELECT *, {', '.join(f'{v} AS {k}' for k, v in once.items())} FROM ({inner})"
        hidden = [*(["_hay", "_gate"] if texts else []), *once, "_areas_bits"]
        return (f"SELECT * EXCLUDE ({', '.join(hidden)}), {tags} AS issue_areas FROM "
                f"(SELECT *, {mask} AS _areas_bits FROM ({inner}))")

    @staticmethod
    def _gated(relation: str, texts: list[str]) -> str:
        """``relation`` with ``_hay`` (the text searched) and ``_gate`` (whether any text
        pattern matches it)."""
        combined = "|".join(f"(?:{t})" for t in texts)
        return (f"SELECT *, {_HAYSTACK} AS _hay, coalesce(regexp_matches(_hay, {_q(combined)}, "
                f"'i'), false) AS _gate FROM {relation}")

    def tag_table(self, table: pa.Table) -> list[list[str]]:
        """Return the issue areas of each row of ``table``, in row order, tagged by the
        same SQL as at ingest (see :func:`detente.store._reading.tag_rows`)."""
        from detente.store._reading import tag_rows

        return tag_rows(self, table)

    def fingerprint(self) -> str:
        """Return a short hash identifying these rules."""
        blob = json.dumps({a: [r.__dict__ for r in rs] for a, rs in self.areas.items()},
                          sort_keys=True, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def extend(self, other: RuleSet) -> RuleSet:
        """Return these rules with ``other``'s added."""
        merged = {a: list(rs) for a, rs in self.areas.items()}
        for area, rules in other.areas.items():
            merged.setdefault(area, []).extend(rules)
        return RuleSet(merged, [*self.sources, *other.sources])


def _parse(doc: Any, origin: str) -> RuleSet:
    if not isinstance(doc, dict) or not isinstance(doc.get("areas"), dict):
        raise RulesError(f"{origin}: expected a mapping with an 'areas' mapping")
    areas: dict[str, list[Rule]] = {}
    for area, rules in doc["areas"].items():
        if not isinstance(area, str) or not _AREA.match(area):
            raise RulesError(f"{origin}: area name {area!r} must be lower_snake_case")
        if not isinstance(rules, list) or not rules:
            raise RulesError(f"{origin}: area {area!r} needs a non-empty list of rules")
        parsed: list[Rule] = []
        for i, rule in enumerate(rules, start=1):
            parsed.append(_rule(rule, f"{origin}: area {area!r}, rule {i}"))
        areas[area] = parsed
    return RuleSet(areas, [origin])


def _rule(rule: Any, where: str) -> Rule:
    if not isinstance(rule, dict) or not rule:
        raise RulesError(f"{where}: a rule is a non-empty mapping")
    unknown = set(rule) - set(_KEYS)
    if unknown:
        raise RulesError(f"{where}: unknown key(s) {sorted(unknown)}; known: {list(_KEYS)}")
    kwargs: dict[str, Any] = {}
    for key in _LIST_KEYS:
        if key in rule:
            values = rule[key]
            if not isinstance(values, list) or not values:
                raise RulesError(f"{where}: {key} must be a non-empty list")
            values = [str(v) for v in values]
            bad = [v for v in values if not _CODE.match(v)]
            if bad:
                raise RulesError(f"{where}: {key} holds malformed value(s) {bad}")
            kwargs[key] = tuple(values)
    if "text" in rule:
        text = rule["text"]
        if not isinstance(text, str) or not text:
            raise RulesError(f"{where}: text must be a non-empty regular expression")
        try:
            re.compile(text)
        except re.error as exc:
            raise RulesError(f"{where}: text is not a valid regular expression ({exc})") from None
        if not where.startswith(_DEFAULT_ORIGIN):  # the packaged rules are tested
            _check_re2(text, where)
        kwargs["text"] = text
    if "interstate" in rule:
        if not isinstance(rule["interstate"], bool):
            raise RulesError(f"{where}: interstate must be true or false")
        kwargs["interstate"] = rule["interstate"]
    return Rule(**kwargs)


_DEFAULT_ORIGIN = "default issue-area rules"


def _check_re2(text: str, where: str) -> None:
    """Raise when DuckDB's regular expressions (RE2) refuse ``text`` (Python's may accept
    what RE2 does not, such as look-behind), so the rules, not the file being read, are
    named."""
    from detente.store._patterns import re2_error

    problem = re2_error(text)
    if problem is not None:
        raise RulesError(f"{where}: text is a regular expression DuckDB cannot run ({problem})")


def load_rules(extra: str | Path | None = None) -> RuleSet:
    """Return the default rules, extended by the YAML file ``extra`` if given.

    Raises:
        RulesError: a rules file is missing or malformed.
    """
    text = resources.files("detente.tagging").joinpath("data/issue_areas.yaml").read_text("utf-8")
    rules = _parse(safe_load(text), _DEFAULT_ORIGIN)
    if extra is not None:
        path = Path(extra)
        try:
            doc = safe_load(path.read_text("utf-8"))
        except OSError as exc:
            raise RulesError(f"{path}: cannot read rules file ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            raise RulesError(f"{path}: not valid YAML{at}") from None
        rules = rules.extend(_parse(doc, str(path)))
    return rules


def icews_sector_areas() -> dict[str, dict[str, tuple[str, ...]]]:
    """Return the issue areas ICEWS actor sectors name: per area, the sectors that tag an
    event when on either side (``either``) or on each side (``both``), in lower case.

    Raises:
        RulesError: the package's rules file is malformed (a packaging error).
    """
    text = resources.files("detente.tagging").joinpath("data/issue_areas.yaml").read_text("utf-8")
    doc = safe_load(text).get("icews_sectors") or {}
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for area, sides in doc.items():
        if not isinstance(sides, dict) or not set(sides) <= {"either", "both"} or not sides:
            raise RulesError(f"default issue-area rules: icews_sectors: area {area!r} needs "
                             "'either' and/or 'both' lists of sector names")
        out[str(area)] = {k: tuple(str(v).strip().lower() for v in vs) for k, vs in sides.items()}
    return out


def icews_sector_sql(source: str, target: str) -> str:
    """Return SQL yielding the issue areas of an ICEWS event from its sector lists.

    Args:
        source: SQL of the source's sectors as ICEWS writes them (``"Military,Government"``).
        target: the same, of the target.
    """
    # a sector of the comma-separated list, spaces around it aside, is one of the names:
    # one regular expression per list (splitting the list for each area cost more)
    def has(col: str, names: tuple[str, ...]) -> str:
        alternatives = "|".join(re.sub(r"([^0-9a-z ])", r"\\\1", n) for n in names)
        return f"regexp_matches(lower(coalesce({col}, '')), {_q(f'(^|,) *({alternatives}) *(,|$)')})"

    cases = []
    for area, sides in icews_sector_areas().items():
        conds = []
        if "either" in sides:
            names = sides["either"]
            conds.append(f"{has(source, names)} OR {has(target, names)}")
        if "both" in sides:
            names = sides["both"]
            conds.append(f"({has(source, names)} AND {has(target, names)})")
        cases.append(f"CASE WHEN {' OR '.join(conds)} THEN {_q(area)} END")
    if not cases:
        return "[]::VARCHAR[]"
    return f"list_filter([{', '.join(cases)}], lambda x: x IS NOT NULL)"
