"""Hardening of the policy files and the condition language: whatever a playbook or a
proposal holds, reading it ends in a result or one located line, quickly and in bounded
memory."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from detente.policy import ConditionSyntaxError, PolicyFileError, load_playbook, load_proposal, parse
from detente.policy import _yaml as policy_yaml
from detente.policy.playbook import default_playbook_path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "proposals"


def _laughs(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _nested_block(depth: int) -> str:
    return "".join("  " * i + "k:\n" for i in range(depth)) + "  " * depth + "v\n"


def _anchor_chain(depth: int) -> str:
    return "a0: &a0 x\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, depth))


YAML_CASES = {
    "billion laughs": (_laughs(), "more than 20,000 values"),
    "self-referencing sequence": ("a: &a [1, *a]\n", "an alias refers to itself"),
    "self-referencing mapping": ("a: &a {b: *a}\n", "an alias refers to itself"),
    "500-deep mapping": (_nested_block(500), "nested deeper than 32 levels"),
    "500-deep anchors": (_anchor_chain(500), "nested deeper than 32 levels"),
    "1000-deep flow": ("a: " + "[" * 1000 + "]" * 1000 + "\n", "not valid YAML"),
    "python tag": ("a: !!python/object/apply:os.system [ls]\n", "could not determine a constructor"),
    "unknown tag": ("a: !secret x\n", "could not determine a constructor for the tag '!secret'"),
    "NUL character": ("title: a\x00b\n", "control characters are not allowed"),
    "5,000-digit integer": ("a: " + "7" * 5000 + "\n", "not a valid value: Exceeds the limit"),
    "impossible date": ("a: 2021-02-30\n", "not a valid value: day is out of range for month"),
    "10,000 entries": ("concerns: [" + ", ".join(["UKR"] * 10_000) + "]\n", "more than 1,000 entries"),
    "non-scalar key": ("? [a, b]\n: 1\n", "a mapping key must be a plain value"),
}


@pytest.mark.parametrize("loader", [load_playbook, load_proposal], ids=["playbook", "proposal"])
@pytest.mark.parametrize("case", YAML_CASES, ids=list(YAML_CASES))
def test_a_hostile_policy_file_is_one_located_line(tmp_path: Path, loader: object, case: str) -> None:
    text, expected = YAML_CASES[case]
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(PolicyFileError) as info:
        loader(path)  # type: ignore[operator]
    message = str(info.value)
    assert time.perf_counter() - started < 5
    assert message.startswith(str(path)), message
    assert expected in message, message
    assert "\n" not in message, message


def test_a_policy_file_over_the_size_bound_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * policy_yaml.MAX_BYTES + "\n")
    with pytest.raises(PolicyFileError, match=r"proposal is 1,048,579 bytes; at most 1,048,576"):
        load_proposal(path)


def test_a_playbook_setting_too_large_is_refused(tmp_path: Path) -> None:
    text = default_playbook_path().read_text(encoding="utf-8")
    assert "  trend_months: 6 " in text
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("  trend_months: 6 ", "  trend_months: 1e12 "), encoding="utf-8")
    with pytest.raises(PolicyFileError, match=r"p\.yaml:\d+: settings\.trend_months: "):
        load_playbook(path)


def test_a_long_list_of_concerns_is_refused_at_once(tmp_path: Path) -> None:
    base = (EXAMPLES / "grand_bargain.yaml").read_text(encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(base + "\nconcerns: [" + ", ".join(["UKR"] * 10_000) + "]\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(PolicyFileError, match="more than 1,000 entries"):
        load_proposal(path)
    assert time.perf_counter() - started < 2


# -- the condition language ---------------------------------------------------------------

CONDITIONS = {
    "5,000-deep parentheses": ("(" * 5000 + "1" + ")" * 5000, "at most 4,000 characters"),
    "1,000-deep parentheses": ("(" * 1000 + "1" + ")" * 1000, "nested deeper than 32 levels"),
    "1,000 nots": ("not " * 990 + "true", "nested deeper than 32 levels"),
    "2,000 unary minus": ("-" * 2000 + "1 > 0", "nested deeper than 32 levels"),
    "1,000-deep lists": ("[" * 1000 + "]" * 1000, "nested deeper than 32 levels"),
    "100k-term chain": ("+".join(["1"] * 100_000) + " > 0", "at most 4,000 characters"),
    "1,500-term chain": ("+".join(["1"] * 1500) + " > 0", "more than 64 levels"),
    "huge last": ("count(USA->RUS, last=999999999d) > 0", "999999999d is longer than a century"),
    "huge lag": ("count(USA->RUS, last=9000y) > 0", "9000y is longer than a century"),
    "NUL": ("count(USA->RUS)\x00 > 0", "unexpected character '\\x00'"),
    "5,000-digit integer": ("1" * 3000 + " > 0", "number too long (3,000 characters)"),
    "long duration digits": ("count(USA->RUS, last=" + "1" * 30 + "d) > 0", "number too long"),
}


@pytest.mark.parametrize("case", CONDITIONS, ids=list(CONDITIONS))
def test_a_hostile_condition_is_a_syntax_error(case: str) -> None:
    text, expected = CONDITIONS[case]
    with pytest.raises(ConditionSyntaxError) as info:
        parse(text)
    assert expected in str(info.value), str(info.value)


def test_conditions_inside_the_bounds_parse_in_few_frames() -> None:
    deepest = "(" * 32 + "1" + ")" * 32 + " + " + " + ".join(["2"] * 60) + " > " + "-" * 32 + "1"
    limit = sys.getrecursionlimit()
    depth = len(__import__("inspect").stack())
    sys.setrecursionlimit(depth + 450)  # what a parse of the deepest condition may use
    try:
        tree = parse(deepest)
    finally:
        sys.setrecursionlimit(limit)
    assert type(tree).__name__ == "Compare"
    assert parse("count(USA->RUS, last=100y) > 0") is not None


@pytest.mark.parametrize(("change", "expected"), [
    ("mover: XXX", "mover: 'XXX' is not a CAMEO country code"),
    ("mover: usa", "mover: 'usa' is not a CAMEO country code (country codes are upper case: USA)"),
    ("counterpart: USA", "counterpart: 'USA' is the mover itself; a move is between two countries"),
])
def test_a_proposal_names_two_real_countries(tmp_path: Path, change: str, expected: str) -> None:
    base = (EXAMPLES / "grand_bargain.yaml").read_text(encoding="utf-8")
    key = change.split(":")[0]
    lines = base.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith(key + ":"))
    lines[at] = change
    path = tmp_path / "p.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PolicyFileError) as info:
        load_proposal(path)
    assert str(info.value).endswith(expected), str(info.value)
    assert info.value.line == at + 1
