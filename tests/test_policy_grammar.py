"""The condition language: tokens, precedence, spans, errors with columns, no eval."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detente.policy.functions import check_call
from detente.policy.grammar import (
    Attr,
    BinOp,
    BoolOp,
    Call,
    Compare,
    ConditionSyntaxError,
    DateLit,
    Direction,
    Duration,
    ListLit,
    Name,
    Neg,
    Not,
    Number,
    Param,
    String,
    parse,
    tokenize,
)
from detente.policy.playbook import compile_condition


def test_tokens_directions_dyads_dates_durations() -> None:
    kinds = [(t.kind, t.text) for t in tokenize("RUS->UKR USA-RUS 2021-01 2021-01-31 6mo 90d 2y 0.5 $x")]
    assert kinds == [("DIRECTION", "RUS->UKR"), ("DYAD", "USA-RUS"), ("DATE", "2021-01"),
                     ("DATE", "2021-01-31"), ("DURATION", "6mo"), ("DURATION", "90d"),
                     ("DURATION", "2y"), ("NUMBER", "0.5"), ("PARAM", "$x"), ("END", "")]


def test_arithmetic_precedence_and_left_associativity() -> None:
    tree = parse("1 + 2 * 3 - 4 / 2 > 0")
    assert isinstance(tree, Compare)
    # ((1 + (2 * 3)) - (4 / 2))
    assert tree.left == BinOp("-", BinOp("+", Number(1), BinOp("*", Number(2), Number(3))),
                              BinOp("/", Number(4), Number(2)))
    assert parse("-2 * 3 < 0") == Compare("<", BinOp("*", Neg(Number(2)), Number(3)), Number(0))


def test_boolean_precedence_not_binds_tighter_than_and_than_or() -> None:
    tree = parse("1 < 2 or not 3 < 4 and 5 < 6")
    c1, c2, c3 = Compare("<", Number(1), Number(2)), Compare("<", Number(3), Number(4)), \
        Compare("<", Number(5), Number(6))
    assert tree == BoolOp("or", (c1, BoolOp("and", (Not(c2), c3))))
    assert parse("(1 < 2 or 3 < 4) and 5 < 6") == BoolOp("and", (BoolOp("or", (c1, c2)), c3))


def test_call_with_positional_and_named_arguments_and_span() -> None:
    text = "share(material_conflict, RUS->UKR, issue=[ukraine, sanctions], last=6mo) < 0.5"
    tree = parse(text, check_call)
    assert isinstance(tree, Compare) and isinstance(tree.left, Call)
    call = tree.left
    assert call.func == "share"
    assert call.args == (Name("material_conflict"), Direction("RUS", "UKR", pooled=False))
    assert call.kwarg("issue") == ListLit((Name("ukraine"), Name("sanctions")))
    assert call.kwarg("last") == Duration(6, "mo")
    assert text[call.start:call.end] == text[: text.index(" < ")]


def test_attribute_access_and_string_equality() -> None:
    tree = parse('treaty("CTBT", party=RUS).status == "deratified"', check_call)
    assert isinstance(tree, Compare) and isinstance(tree.left, Attr)
    assert tree.left.name == "status" and tree.right == String("deratified")
    assert isinstance(tree.left.value, Call) and tree.left.value.kwarg("party") == Name("RUS")


def test_month_date_covers_the_whole_month() -> None:
    tree = parse("count(USA-RUS, since=2021-02, until=2024-02) > 0", check_call)
    assert isinstance(tree, Compare) and isinstance(tree.left, Call)
    since, until = tree.left.kwarg("since"), tree.left.kwarg("until")
    assert isinstance(since, DateLit) and isinstance(until, DateLit)
    assert since.value == date(2021, 2, 1) and until.last_day() == date(2024, 2, 29)


def test_params_parse() -> None:
    assert parse("1 <= $limit") == Compare("<=", Number(1), Param("limit"))


@pytest.mark.parametrize(("text", "column", "fragment"), [
    ('__import__("os")', 1, "unexpected character '_'"),
    ("1 <", 4, "expected a value, a function call or '(', found end of condition"),
    ("1 < 2 < 3", 7, "comparisons do not chain"),
    ("count(USA-RUS", 14, "expected ',' or ')'"),
    ("(1 < 2", 7, "expected ')'"),
    ("1 < 2 3", 7, "expected an operator"),
    ("1 ; 2", 3, "unexpected character ';'"),
    ("", 1, "empty condition"),
    ("2021-13 > 0", 1, "not a real date"),
    ("count(USA-USA) > 0", 7, "a country and itself"),
    ("count(RUS->UKR, issue=ukraine, issue=sanctions) > 0", 32, "given twice"),
])
def test_syntax_errors_name_their_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(ConditionSyntaxError) as err:
        parse(text)
    assert err.value.column == column
    assert fragment in err.value.message


@pytest.mark.parametrize(("text", "column", "fragment"), [
    ("eval(USA-RUS) > 0", 1, "unknown function 'eval'"),
    ("open(1) > 0", 1, "unknown function 'open'"),
    ("share(hostility, RUS->UKR) > 0", 7, "must be one of"),
    ("share(material_conflict, RUS) > 0", 26, "must be a direction"),
    ("count(RUS->UKR, window=6mo) > 0", 24, "has no argument 'window'"),
    ("count(RUS->UKR, issue=weather) > 0", 23, "issue must be an issue area"),
    ("count(RUS->UKR, last=2021-01) > 0", 22, "must be a duration"),
    ("count(RUS->UKR, last=6mo, since=2021-01) > 0", 1, "either last= or since="),
    ("count(RUS->UKR, lag=6mo) > 0", 1, "lag= shifts a last= window"),
    ('treaty("CTBT") == "signed"', 1, "needs party="),
    ('days_since(RUS->UKR, channel="x") < 3', 1, "either a direction or channel"),
])
def test_unknown_functions_and_bad_arguments_are_parse_errors(text: str, column: int,
                                                              fragment: str) -> None:
    with pytest.raises(ConditionSyntaxError) as err:
        parse(text, check_call)
    assert err.value.column == column
    assert fragment in err.value.message


def test_a_condition_must_be_true_or_false() -> None:
    with pytest.raises(ConditionSyntaxError, match="must be a comparison"):
        compile_condition("count(USA-RUS) + 1")
    with pytest.raises(ConditionSyntaxError, match="no field 'colour'") as err:
        compile_condition('treaty("CTBT", party=RUS).colour == "red"')
    assert err.value.column == 27


@given(st.text(alphabet="abc_()<>=!.,[]$'\"0123456789 -RUSAK>", max_size=30))
def test_parser_never_fails_other_than_with_a_syntax_error(text: str) -> None:
    try:
        parse(text, check_call)
    except ConditionSyntaxError as exc:
        assert 1 <= exc.column <= len(text) + 1
