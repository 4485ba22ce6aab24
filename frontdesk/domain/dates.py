"""Dates as people type them: US month/day/year, eight digits and ISO; impossible ones refused."""

from __future__ import annotations

import re
from datetime import date

from frontdesk.domain.contact import InvalidValue

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_US = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$")
_COMPACT_ISO = re.compile(r"^(19|20)(\d{2})(\d{2})(\d{2})$")
# 03041961 as typed on a keypad; its month is never 19 or 20, so it cannot be read as 19610304.
_COMPACT_US = re.compile(r"^(\d{2})(\d{2})(\d{4})$")

DATE_HINT = "a date such as 3/4/1961, 03041961 (month, day, year) or 1961-03-04"


def looks_like_date(text: str) -> bool:
    """Whether text has the shape of a date, valid or not (so search can say which)."""
    text = text.strip()
    return bool(_ISO.match(text) or _US.match(text))


def is_compact_date(text: str) -> bool:
    """Whether text is eight digits that make a real date (03041961, 19610304).

    Search asks, because eight digits that are no date are still the end of a phone number.
    """
    try:
        parse_compact_date(text)
    except InvalidValue:
        return False
    return True


def parse_compact_date(text: str) -> date:
    """A date from eight digits: "03041961" (month, day, year) or "19610304".

    Their years have four digits, so unlike :func:`parse_date` no day is needed to read them.
    Raises InvalidValue for anything else, or a date that cannot exist.
    """
    value = text.strip()
    if match := _COMPACT_ISO.match(value):
        year = int(match.group(1) + match.group(2))
        month, day = int(match.group(3)), int(match.group(4))
    elif match := _COMPACT_US.match(value):
        month, day, year = (int(part) for part in match.groups())
    else:
        raise InvalidValue(f"not a date: use {DATE_HINT}")
    return _real_date(value, year, month, day)


# How far ahead a two-digit year may reach in a date that can be in the future.
FUTURE_YEARS = 10


def _two_digit_year(year: int, today: date, ahead: int) -> int:
    # Birth dates: "3/4/61" is 1961, not 2061; a two-digit year after this year is last century.
    century = today.year - today.year % 100
    return century + year if century + year <= today.year + ahead else century - 100 + year


def parse_date(text: str, *, today: date, future: bool = False) -> date:
    """A date from "3/4/1961", "03-04-1961", "03041961", "1961-03-04", "19610304" or "3/4/61".

    A two-digit year is never after the year of ``today`` (a birth date), or with ``future``
    (a follow-up, time away) up to FUTURE_YEARS ahead: in 2026 "1/5/27" is 1927, or 2027 with
    ``future``. ``today`` is the practice's day (services.kernel.clock), not the computer's:
    on New Year's Eve they can be in different years.
    Raises InvalidValue for text that is not a date or a date that cannot exist (1961-02-30).
    """
    value = text.strip()
    if match := _ISO.match(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _US.match(value):
        month, day, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year = _two_digit_year(year, today, FUTURE_YEARS if future else 0)
    else:
        return parse_compact_date(value)
    return _real_date(value, year, month, day)


def _real_date(value: str, year: int, month: int, day: int) -> date:
    if year < 1800:
        raise InvalidValue(f"the year {year} is not plausible")
    try:
        return date(year, month, day)
    except ValueError as error:
        raise InvalidValue(
            f"{value} is not a real date (month {month}, day {day}); use {DATE_HINT}"
        ) from error


def age_on(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def day_month_swapped(value: date) -> date | None:
    """The same date with day and month exchanged, when that is a different real date.

    A classic data-entry slip (3/4 typed as 4/3), so duplicate checks look there too.
    """
    if value.day > 12 or value.day == value.month:
        return None
    try:
        return date(value.year, value.day, value.month)
    except ValueError:
        return None
