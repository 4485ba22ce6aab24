"""Partial dates: what patients remember is parsed, checked, shown and sorted sensibly."""

from __future__ import annotations

import calendar
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.partial_dates import (
    ACCEPTED_FORMS,
    InvalidPartialDate,
    PartialDate,
    Precision,
    add_months,
    history_date_problem,
    parse_optional_partial_date,
    parse_partial_date,
    sort_key_undated_first,
    sort_key_undated_last,
    whole_months_between,
)
from tests.domain.history_strategies import days, partial_dates, years

P = PartialDate


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2019", P(2019)),
        ("about 2019", P.about(2019)),
        ("About 2019", P.about(2019)),
        ("ca. 2019", P.about(2019)),
        ("ca 2019", P.about(2019)),
        ("c. 2019", P.about(2019)),
        ("circa 2019", P.about(2019)),
        ("approx. 2019", P.about(2019)),
        ("around 2019", P.about(2019)),
        ("~2019", P.about(2019)),
        ("2019~", P.about(2019)),
        ("2019?", P.about(2019)),
        ("alrededor de 2019", P.about(2019)),
        ("5/2024", P(2024, 5)),
        ("05/2024", P(2024, 5)),
        ("May 2024", P(2024, 5)),
        ("may, 2024", P(2024, 5)),
        ("Sept. 2024", P(2024, 9)),
        ("mayo de 2024", P(2024, 5)),
        ("2024-05", P(2024, 5)),
        ("3/4/1961", P(1961, 3, 4)),
        ("03-04-1961", P(1961, 3, 4)),
        ("2024-05-17", P(2024, 5, 17)),
        ("2024/5/17", P(2024, 5, 17)),
        ("May 17, 2024", P(2024, 5, 17)),
        ("May 17th 2024", P(2024, 5, 17)),
        ("17 May 2024", P(2024, 5, 17)),
        ("17 de mayo de 2024", P(2024, 5, 17)),
        ("  2024-02-29 ", P(2024, 2, 29)),
    ],
)
def test_common_inputs_are_understood(typed: str, expected: PartialDate) -> None:
    assert parse_partial_date(typed) == expected


def test_slashed_dates_are_us_month_day_year() -> None:
    birthday = parse_partial_date("3/4/1961")
    assert birthday.as_date() == date(1961, 3, 4)
    assert birthday.display() == "March 4, 1961"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2024-02-30", "February 2024 has 29 days"),
        ("2/30/2024", "February 2024 has 29 days"),
        ("2023-02-29", "February 2023 has 28 days"),
        ("4/31/2024", "April 2024 has 30 days"),
        ("13/4/1961", "no month 13"),
        ("2024-00", "no month 0"),
        ("3/4/61", "four digits"),
        ("5/24", "four digits"),
        ("about May 2019", '"about 2019"'),
        ("ca. 5/17/2019", '"about 2019"'),
        ("1850", "1850"),
        ("Foo 2024", '"foo" is not a month'),
        ("last spring", "not a date"),
        ("", "Enter a date"),
    ],
)
def test_impossible_dates_are_refused_with_a_clear_message(typed: str, reason: str) -> None:
    with pytest.raises(InvalidPartialDate) as refused:
        parse_partial_date(typed)
    assert reason in str(refused.value)
    assert str(refused.value).endswith(ACCEPTED_FORMS)
    assert isinstance(refused.value, InvalidValue)


def test_blank_optional_dates_are_none() -> None:
    assert parse_optional_partial_date(None) is None
    assert parse_optional_partial_date("  ") is None
    assert parse_optional_partial_date("2019") == P(2019)


def test_inconsistent_fields_are_refused() -> None:
    with pytest.raises(InvalidPartialDate, match="day needs its month"):
        PartialDate(2019, None, 5)
    with pytest.raises(InvalidPartialDate, match="year only"):
        PartialDate(2019, 5, circa=True)
    with pytest.raises(InvalidPartialDate, match="31 days"):
        PartialDate(2019, 1, 32)


def test_precision_of_each_kind() -> None:
    assert P(2024, 5, 17).precision is Precision.DAY
    assert P(2024, 5).precision is Precision.MONTH
    assert P(2019).precision is Precision.YEAR
    assert P.about(2019).precision is Precision.CIRCA_YEAR


def test_display_in_english_and_spanish() -> None:
    assert P(2024, 5, 17).display() == "May 17, 2024"
    assert P(2024, 5).display() == "May 2024"
    assert P(2019).display() == "2019"
    assert P.about(2019).display() == "about 2019"
    assert P(2024, 5, 17).display("es") == "17 de mayo de 2024"
    assert P(2024, 5).display("es") == "mayo de 2024"
    assert P(2019).display("es") == "2019"
    assert P.about(2019).display("es") == "alrededor de 2019"
    with pytest.raises(ValueError, match="language"):
        P(2019).display("fr")


def test_earliest_and_latest_possible_day() -> None:
    assert (P(2024, 2).earliest_day(), P(2024, 2).latest_day()) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
    )
    assert (P(2019).earliest_day(), P(2019).latest_day()) == (date(2019, 1, 1), date(2019, 12, 31))
    assert P.about(2019).latest_day() == date(2019, 12, 31)
    assert P(2024, 5, 17).earliest_day() == P(2024, 5, 17).latest_day() == date(2024, 5, 17)


def test_a_year_heads_its_year_when_sorted() -> None:
    typed = ["May 2, 2019", "2019", "May 2019", "about 2019", "2018-12-31", "May 1, 2019", "2020"]
    ordered = sorted(parse_partial_date(text) for text in typed)
    assert [value.display() for value in ordered] == [
        "December 31, 2018",
        "about 2019",
        "2019",
        "May 2019",
        "May 1, 2019",
        "May 2, 2019",
        "2020",
    ]


def test_undated_entries_sort_first_or_last_on_request() -> None:
    values = [P(2019), None, P(2018, 3)]
    assert sorted(values, key=sort_key_undated_first) == [None, P(2018, 3), P(2019)]
    assert sorted(values, key=sort_key_undated_last) == [P(2018, 3), P(2019), None]


def test_a_year_only_date_this_year_is_not_in_the_future() -> None:
    today = date(2026, 11, 25)
    assert not P(2026).is_in_future(today)
    assert not P.about(2026).is_in_future(today)
    assert not P(2026, 11).is_in_future(today)
    assert not P(2026, 11, 25).is_in_future(today)
    assert P(2026, 11, 26).is_in_future(today)
    assert P(2026, 12).is_in_future(today)
    assert P(2027).is_in_future(today)
    assert P.about(2027).is_in_future(today)


def test_before_birth_accounts_for_precision() -> None:
    born = date(1961, 3, 4)
    assert not P(1961).is_before_birth(born)
    assert not P.about(1961).is_before_birth(born)
    assert not P(1961, 3).is_before_birth(born)
    assert not P(1961, 3, 4).is_before_birth(born)
    assert P(1961, 3, 3).is_before_birth(born)
    assert P(1961, 2).is_before_birth(born)
    assert P(1960).is_before_birth(born)


def test_history_date_problem_messages() -> None:
    today, born = date(2026, 11, 25), date(1961, 3, 4)
    assert history_date_problem(P(2026), today=today, birth_date=born) is None
    assert history_date_problem(P(2027), today=today, birth_date=born) == "2027 is in the future."
    assert (
        history_date_problem(P(1960, 5), today=today, birth_date=born)
        == "May 1960 is before the patient was born."
    )
    assert history_date_problem(P(1960), today=today) is None


def test_months_elapsed_for_imaging_age() -> None:
    today = date(2025, 11, 25)
    assert P(2024, 11, 25).months_elapsed(today) == 12
    assert P(2024, 11, 26).months_elapsed(today) == 11
    # A month counts from its last day: May 2024 is at least 17 full months old.
    assert P(2024, 5).months_elapsed(today) == 17
    assert P(2024).months_elapsed(today) == 10
    assert P(2026).months_elapsed(today) == 0


def test_older_than_is_certain_or_possible() -> None:
    today = date(2025, 11, 25)
    assert not P(2024, 11, 25).is_older_than_months(12, today)
    assert P(2024, 11, 24).is_older_than_months(12, today)
    assert not P(2024).is_older_than_months(12, today)
    assert P(2024).may_be_older_than_months(12, today)
    assert P(2023).is_older_than_months(12, today)
    assert not P(2025, 1).may_be_older_than_months(12, today)


def test_month_arithmetic_clamps_to_month_end() -> None:
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), -12) == date(2023, 2, 28)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)
    assert whole_months_between(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert whole_months_between(date(2024, 5, 17), date(2024, 4, 17)) == -1


def test_stored_columns_rebuild_the_date() -> None:
    assert P.from_stored(date(2019, 1, 1), "circa_year") == P.about(2019)
    assert P.from_stored(date(2024, 5, 1), Precision.MONTH) == P(2024, 5)
    with pytest.raises(InvalidPartialDate, match="first day"):
        P.from_stored(date(2024, 5, 2), Precision.MONTH)
    with pytest.raises(InvalidPartialDate, match="first day"):
        P.from_stored(date(2024, 5, 1), Precision.YEAR)


def test_edtf_text_form() -> None:
    assert [P(2024, 5, 17).to_edtf(), P(2024, 5).to_edtf(), P(2019).to_edtf()] == [
        "2024-05-17",
        "2024-05",
        "2019",
    ]
    assert P.about(2019).to_edtf() == "2019~"
    with pytest.raises(InvalidPartialDate):
        P.from_edtf("May 2019")


# Properties ------------------------------------------------------------------------------


@given(partial_dates)
def test_displayed_text_reads_back_as_the_same_date(value: PartialDate) -> None:
    assert parse_partial_date(value.display()) == value
    assert parse_partial_date(value.display("es")) == value
    assert parse_partial_date(value.display().upper()) == value


@given(partial_dates)
def test_stored_forms_read_back_as_the_same_date(value: PartialDate) -> None:
    assert PartialDate.from_edtf(value.to_edtf()) == value
    assert parse_partial_date(value.to_edtf()) == value
    assert PartialDate.from_stored(value.earliest_day(), value.precision.value) == value


@given(days)
def test_us_and_iso_forms_agree(day: date) -> None:
    us = parse_partial_date(f"{day.month}/{day.day}/{day.year}")
    assert us == parse_partial_date(day.isoformat()) == PartialDate.exact(day)
    assert parse_partial_date(f"{day.month}/{day.year}") == P(day.year, day.month)


@given(years, st.integers(1, 12), st.integers(1, 40))
@example(2024, 2, 30)
@example(2023, 2, 29)
def test_days_beyond_the_month_are_refused(year: int, month: int, day: int) -> None:
    length = calendar.monthrange(year, month)[1]
    if day <= length:
        assert parse_partial_date(f"{month}/{day}/{year}").as_date() == date(year, month, day)
    else:
        with pytest.raises(InvalidPartialDate, match=f"has {length} days"):
            parse_partial_date(f"{year}-{month:02d}-{day:02d}")


@given(partial_dates)
def test_the_period_is_well_formed(value: PartialDate) -> None:
    first, last = value.earliest_day(), value.latest_day()
    assert first <= last
    assert first.year == last.year == value.year
    if value.is_exact:
        assert first == last == value.as_date()
    else:
        assert value.as_date() is None


@given(partial_dates, partial_dates)
def test_sort_order_follows_the_earliest_possible_day(a: PartialDate, b: PartialDate) -> None:
    if a.earliest_day() < b.earliest_day():
        assert a < b
    # Exactly one of <, ==, > holds (a total order consistent with equality).
    assert [a < b, a == b, a > b].count(True) == 1
    assert (a <= b) == (a < b or a == b)


@given(days, days)
def test_exact_dates_sort_like_days(a: date, b: date) -> None:
    assert (PartialDate.exact(a) < PartialDate.exact(b)) == (a < b)


@given(partial_dates)
def test_a_partial_date_sorts_before_every_finer_date_inside_it(value: PartialDate) -> None:
    first = value.earliest_day()
    assert value <= PartialDate.exact(first)
    assert value <= PartialDate.exact(value.latest_day())
    if value.precision is not Precision.DAY:
        assert value < PartialDate.exact(first)


@given(st.lists(partial_dates, max_size=12))
def test_sorting_is_transitive(values: list[PartialDate]) -> None:
    ordered = sorted(values)
    assert all(a <= b for a, b in pairwise(ordered))
    assert all(a.earliest_day() <= b.earliest_day() for a, b in pairwise(ordered))


@given(partial_dates, days)
def test_in_the_future_means_every_possible_day_is(value: PartialDate, today: date) -> None:
    some_possible_day_not_after_today = value.earliest_day() <= today
    assert value.is_in_future(today) is not some_possible_day_not_after_today
    if value.is_in_future(today):
        assert value.latest_day() > today


@given(partial_dates, days)
def test_before_birth_means_every_possible_day_is(value: PartialDate, born: date) -> None:
    assert value.is_before_birth(born) == (value.latest_day() < born)
    if value.is_exact:
        assert value.is_before_birth(born) == (value.as_date() < born)  # type: ignore[operator]


@given(days, days)
def test_whole_months_bracket_the_elapsed_time(start: date, end: date) -> None:
    assume(start <= end)
    months = whole_months_between(start, end)
    assert add_months(start, months) <= end
    assert add_months(start, months + 1) > end


@given(partial_dates, days, st.integers(1, 60))
def test_older_than_agrees_with_months_elapsed(value: PartialDate, today: date, limit: int) -> None:
    elapsed = value.months_elapsed(today)
    if elapsed > limit:
        assert value.is_older_than_months(limit, today)
    if value.is_older_than_months(limit, today):
        assert elapsed >= limit
        assert value.may_be_older_than_months(limit, today)


@given(st.text(max_size=25))
@example("31/12/2024")
@example("about")
@example("~")
@example("0000")
def test_any_text_is_either_a_date_or_a_clear_refusal(text: str) -> None:
    try:
        parsed = parse_partial_date(text)
    except InvalidPartialDate as refused:
        assert str(refused).endswith(ACCEPTED_FORMS)
    else:
        assert parse_partial_date(parsed.display()) == parsed


# Eight digits starting 19 or 20 are year first; 2100 and later is past any history.
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_a_day_typed_as_eight_digits_is_that_exact_day(day: date) -> None:
    assert parse_partial_date(f"{day:%m%d%Y}") == PartialDate.exact(day)
    assert parse_partial_date(f"{day:%Y%m%d}") == PartialDate.exact(day)


def test_eight_digits_that_make_no_day_are_refused() -> None:
    with pytest.raises(InvalidPartialDate, match="not a real day"):
        parse_partial_date("02302024")
