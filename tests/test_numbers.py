"""The number parser: formats met in the reports, and properties over generated numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdigraph.extract.numbers import NumberError, format_decimal, parse_cell, parse_literal, repair_candidates


def dutch(n: int, sep: str = ".") -> str:
    return f"{n:,}".replace(",", sep)


@pytest.mark.parametrize(
    "raw, value, unit, flags",
    [
        ("1.234.567", "1234567", "count", set()),
        ("6,6%", "6.6", "percent", set()),
        ("-6,6%", "-6.6", "percent", set()),
        ("2.1 mlrd", "2100000000", "count", set()),
        ("3.05 mlrd", "3050000000", "count", set()),
        ("3,5 mlrd", "3500000000", "count", set()),
        ("179 Mln", "179000000", "count", set()),
        ("221Mln", "221000000", "count", set()),
        ("329 mln", "329000000", "count", set()),
        ("0,7 miljoen", "700000", "count", set()),
        ("1,6 miljard", "1600000000", "count", set()),
        ("2647", "2647", "count", set()),
        ("3.1%", "3.1", "percent", set()),
        ("-4.6", "-4.6", "count", set()),
        ("99,5 %", "99.5", "percent", set()),
        ("100%", "100", "percent", set()),
        ("+371", "371", "count", set()),
        ("- 0", "0", "count", set()),
        ("> 5.000", "5000", "count", {"approx"}),
        (">5.000", "5000", "count", {"approx"}),
        ("ruim 7,6 miljoen", "7600000", "count", {"approx"}),
        ("Ca. 480", "480", "count", {"approx"}),
        ("14.259*", "14259", "count", {"footnote"}),
        ("1,6 mlrd *", "1600000000", "count", {"footnote"}),
        ("2.579.342*", "2579342", "count", {"footnote"}),
        ("179\u202fMln", "179000000", "count", set()),
        ("-", "", "count", {"missing"}),
        ("--", "", "count", {"missing"}),
        ("n.b.", "", "count", {"missing"}),
        ("223.949.53", "", "count", {"suspect"}),
        ("62.923.00", "", "count", {"suspect"}),
        ("9.100.00", "", "count", {"suspect"}),
    ],
)
def test_formats_met_in_the_reports(raw, value, unit, flags):
    p = parse_cell(raw)
    assert format_decimal(p.value) == value
    assert p.unit == unit
    assert p.flags == flags


@pytest.mark.parametrize("text", ["DigiD", "Q1", "2.0.1a", "t/m", "www.digid.nl", "%"])
def test_text_is_not_a_number(text):
    with pytest.raises(NumberError):
        parse_cell(text)


@given(st.integers(min_value=0, max_value=10**13))
def test_dutch_grouping_round_trips(n):
    assert parse_cell(dutch(n)).value == n


@given(st.integers(min_value=0, max_value=10**13))
def test_narrow_no_break_spaces_around_a_number_do_not_change_it(n):
    assert parse_cell("\u202f" + dutch(n) + "\u202f").value == n


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=9))
def test_dutch_decimal_comma_percent(whole, tenth):
    p = parse_cell(f"{whole},{tenth}%")
    assert p.value == Decimal(f"{whole}.{tenth}")
    assert p.unit == "percent"


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=9),
       st.sampled_from([("mln", 10**6), ("Mln", 10**6), ("miljoen", 10**6), ("mlrd", 10**9), ("miljard", 10**9)]))
def test_scale_words_expand(whole, tenth, scale):
    word, factor = scale
    assert parse_cell(f"{whole},{tenth} {word}").value == Decimal(f"{whole}.{tenth}") * factor
    assert parse_cell(f"{whole}.{tenth} {word}").value == Decimal(f"{whole}.{tenth}") * factor  # English


@given(st.integers(min_value=1000, max_value=10**12), st.data())
def test_a_group_that_lost_a_digit_is_suspect_never_a_guess(n, data):
    text = dutch(n)
    groups = text.split(".")
    i = data.draw(st.integers(min_value=1, max_value=len(groups) - 1))
    j = data.draw(st.integers(min_value=0, max_value=2))
    groups[i] = groups[i][:j] + groups[i][j + 1:]
    broken = ".".join(groups)
    p = parse_cell(broken)
    if parse_literal(broken) is None:
        assert p.suspect and p.value is None
        assert n in repair_candidates(broken)


@given(st.text(max_size=30))
def test_any_text_either_parses_or_raises_number_error(text):
    try:
        p = parse_cell(text)
    except NumberError:
        return
    assert p.value is None or isinstance(p.value, Decimal)


@settings(max_examples=200)
@given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False, places=3))
def test_format_decimal_is_plain(d):
    s = format_decimal(d)
    assert "e" not in s.lower() and "," not in s
    assert Decimal(s) == d
