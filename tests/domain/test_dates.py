"""Dates as receptionists type them: every accepted form reads back as the same day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.dates import is_compact_date, parse_date

TODAY = date(2026, 11, 25)

# Every way of writing a day the desk accepts, as a receptionist would type it.
WRITTEN_FORMS: dict[str, Callable[[date], str]] = {
    "MMDDYYYY": lambda d: f"{d:%m%d%Y}",
    "MM/DD/YYYY": lambda d: f"{d:%m/%d/%Y}",
    "M/D/YYYY": lambda d: f"{d.month}/{d.day}/{d.year}",
    "M-D-YYYY": lambda d: f"{d.month}-{d.day}-{d.year}",
    "M.D.YYYY": lambda d: f"{d.month}.{d.day}.{d.year}",
    "ISO": lambda d: d.isoformat(),
    "YYYYMMDD": lambda d: f"{d:%Y%m%d}",
}
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@given(day=birth_dates, form=st.sampled_from(sorted(WRITTEN_FORMS)))
def test_every_accepted_form_reads_back_as_the_same_day(day: date, form: str) -> None:
    written = WRITTEN_FORMS[form](day)
    assert parse_date(written, today=TODAY) == day
    assert parse_date(f"  {written} ", today=TODAY) == day


@given(day=st.dates(min_value=date(TODAY.year - 99, 1, 1), max_value=TODAY))
def test_two_digit_years_read_as_the_last_hundred_years(day: date) -> None:
    assert parse_date(f"{day.month}/{day.day}/{day:%y}", today=TODAY) == day
    assert parse_date(f"{day:%m/%d/%y}", today=TODAY) == day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03041961", date(1961, 3, 4)),
        ("3/4/61", date(1961, 3, 4)),
        ("3-4-1961", date(1961, 3, 4)),
        ("1961-03-04", date(1961, 3, 4)),
        ("19610304", date(1961, 3, 4)),
        # A birth date is never in the future: '27 in 2026 is 1927, '26 is this year.
        ("1/5/27", date(1927, 1, 5)),
        ("1/5/26", date(2026, 1, 5)),
        ("1/5/00", date(2000, 1, 5)),
    ],
)
def test_dates_as_typed_at_the_desk(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["02301961", "13041961", "0304196", "030419611", "1961-02-30"])
def test_digits_that_make_no_date_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(InvalidValue, match=r"3/4/1961|not a real date"):
        parse_date(text, today=TODAY)


def test_eight_digits_are_a_date_only_when_the_day_exists() -> None:
    assert is_compact_date("03041961")
    assert is_compact_date("19610304")
    assert not is_compact_date("55501420")
    assert not is_compact_date("3/4/1961")


def test_a_date_that_may_be_ahead_reads_a_two_digit_year_as_the_coming_one() -> None:
    # A follow-up or time away typed "1/5/27" in November 2026 is next January.
    assert parse_date("1/5/27", today=TODAY, future=True) == date(2027, 1, 5)
    assert parse_date("3/4/61", today=TODAY, future=True) == date(1961, 3, 4)
    assert parse_date("1/5/27", today=TODAY) == date(1927, 1, 5)


@given(day=st.dates(min_value=date(TODAY.year - 89, 1, 1), max_value=date(TODAY.year + 10, 12, 31)))
def test_two_digit_years_of_dates_ahead_read_back(day: date) -> None:
    assert parse_date(f"{day.month}/{day.day}/{day:%y}", today=TODAY, future=True) == day
