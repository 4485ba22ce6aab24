"""Dates people half remember: an exact day, a month, a year, or "about" a year.

Sorting rule: a partial date sorts at the START of its period, before every more precise
date inside that period ("about 2019" < "2019" < "May 2019" < "May 1, 2019" < "May 2, 2019").
Chosen over the middle of the period because:
- the order then agrees with the earliest possible day for every date, not only exact ones,
  so a database can sort by (earliest day, precision rank) with a plain index, and a list
  never shows "2019" wedged between June and July entries;
- a year reads like a heading for the entries of that year, which is what people expect
  when they scan a timeline;
- it is the convention of common date-precision schemes (EDTF intervals, genealogy tools).
"About" a year has the same bounds as the year itself: it marks the patient's doubt for the
reader, it does not widen the checks (an "about 2027" operation is still in the future).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import total_ordering
from typing import Self

from frontdesk.domain.contact import InvalidValue, clean_text
from frontdesk.domain.dates import parse_compact_date

# Anything outside is a typo in a spine history (1900: nobody alive had surgery earlier).
MIN_YEAR = 1900
MAX_YEAR = 2100

ACCEPTED_FORMS = (
    'Type a date like "5/17/2024" or "05172024" (month/day/year), "May 17, 2024", "May 2024", '
    '"5/2024", "2024-05-17", "2019" or "about 2019".'
)


class InvalidPartialDate(InvalidValue):
    """Date text that is not a real date; the message says what is wrong and what works."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem} {ACCEPTED_FORMS}")
        self.problem = problem


class Precision(StrEnum):
    """How much of the date is known; the value is the stored code."""

    CIRCA_YEAR = "circa_year"
    YEAR = "year"
    MONTH = "month"
    DAY = "day"

    @property
    def rank(self) -> int:
        """Coarse to fine, the tie-break when two dates start on the same day."""
        return _PRECISION_RANK[self]


_PRECISION_RANK = {
    Precision.CIRCA_YEAR: 0,
    Precision.YEAR: 1,
    Precision.MONTH: 2,
    Precision.DAY: 3,
}

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
_MONTH_BY_NAME: dict[str, int] = {}
for _number, (_english, _spanish) in enumerate(zip(MONTHS_EN, MONTHS_ES, strict=True), 1):
    _MONTH_BY_NAME[_english.lower()] = _number
    _MONTH_BY_NAME[_english[:3].lower()] = _number
    _MONTH_BY_NAME[_spanish] = _number
_MONTH_BY_NAME["sept"] = 9
_MONTH_BY_NAME["setiembre"] = 9


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPartialDate(f"{year} is not a year we can record ({MIN_YEAR}–{MAX_YEAR}).")


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise InvalidPartialDate(f"There is no month {month}; months run from 1 to 12.")


def _check_day(year: int, month: int, day: int) -> None:
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise InvalidPartialDate(
            f"{MONTHS_EN[month - 1]} {year} has {days} days, so day {day} does not exist."
        )


@total_ordering
@dataclass(frozen=True, eq=True)
class PartialDate:
    """A date known to the day, the month, the year, or about the year.

    Construct with ``exact()``, ``of_month()``, ``of_year()``, ``about()`` or
    ``parse_partial_date()``; the fields are validated either way.
    """

    year: int
    month: int | None = None
    day: int | None = None
    circa: bool = False

    def __post_init__(self) -> None:
        _check_year(self.year)
        if self.day is not None and self.month is None:
            raise InvalidPartialDate("A day needs its month.")
        if self.circa and self.month is not None:
            raise InvalidPartialDate('"About" goes with a year only, as in "about 2019".')
        if self.month is not None:
            _check_month(self.month)
        if self.month is not None and self.day is not None:
            _check_day(self.year, self.month, self.day)

    # Construction ---------------------------------------------------------------------

    @classmethod
    def exact(cls, day: date) -> Self:
        return cls(day.year, day.month, day.day)

    @classmethod
    def of_month(cls, year: int, month: int) -> Self:
        return cls(year, month)

    @classmethod
    def of_year(cls, year: int) -> Self:
        return cls(year)

    @classmethod
    def about(cls, year: int) -> Self:
        return cls(year, circa=True)

    @classmethod
    def from_stored(cls, earliest_day: date, precision: Precision | str) -> Self:
        """Rebuild from the two stored columns (earliest day, precision code)."""
        precision = Precision(precision)
        if precision is Precision.DAY:
            return cls.exact(earliest_day)
        if earliest_day.day != 1 or (precision is not Precision.MONTH and earliest_day.month != 1):
            raise InvalidPartialDate(
                f"{earliest_day.isoformat()} is not the first day of a {precision.value} period."
            )
        if precision is Precision.MONTH:
            return cls(earliest_day.year, earliest_day.month)
        return cls(earliest_day.year, circa=precision is Precision.CIRCA_YEAR)

    @classmethod
    def from_edtf(cls, text: str) -> Self:
        """Read the canonical text form: '2024-05-17', '2024-05', '2019', '2019~'."""
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(~)?", text.strip())
        if match is None:
            raise InvalidPartialDate(f'"{text}" is not a stored date.')
        year, month, day, circa = match.groups()
        return cls(
            int(year),
            int(month) if month else None,
            int(day) if day else None,
            circa=bool(circa),
        )

    # What is known -------------------------------------------------------------------

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.CIRCA_YEAR if self.circa else Precision.YEAR

    @property
    def is_exact(self) -> bool:
        return self.day is not None

    def earliest_day(self) -> date:
        """First day the date can be (the nominal year's first day for "about")."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest_day(self) -> date:
        """Last day the date can be (the nominal year's last day for "about")."""
        if self.day is not None:
            return self.earliest_day()
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def as_date(self) -> date | None:
        """The day itself when known to the day, else None."""
        return self.earliest_day() if self.is_exact else None

    def sort_key(self) -> tuple[int, int]:
        """Start of the period, then coarse before fine (see the module docstring)."""
        return (self.earliest_day().toordinal(), self.precision.rank)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def to_edtf(self) -> str:
        """Canonical text (ISO 8601 / EDTF level 1): '2024-05-17', '2024-05', '2019', '2019~'."""
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}~" if self.circa else f"{self.year:04d}"

    # Display -------------------------------------------------------------------------

    def display(self, language: str = "en") -> str:
        """'May 17, 2024', 'May 2024', '2019', 'about 2019'; in Spanish '17 de mayo de 2024',
        'mayo de 2024', '2019', 'alrededor de 2019'."""
        if language == "en":
            if self.day is not None:
                return f"{MONTHS_EN[self.month_index]} {self.day}, {self.year}"
            if self.month is not None:
                return f"{MONTHS_EN[self.month_index]} {self.year}"
            return f"about {self.year}" if self.circa else str(self.year)
        if language == "es":
            if self.day is not None:
                return f"{self.day} de {MONTHS_ES[self.month_index]} de {self.year}"
            if self.month is not None:
                return f"{MONTHS_ES[self.month_index]} de {self.year}"
            return f"alrededor de {self.year}" if self.circa else str(self.year)
        raise ValueError(f"no date display for language {language!r}")

    @property
    def month_index(self) -> int:
        if self.month is None:
            raise ValueError("this date has no month")
        return self.month - 1

    def __str__(self) -> str:
        return self.display()

    # Checks --------------------------------------------------------------------------

    def is_in_future(self, today: date) -> bool:
        """True only when every day the date can be is after today (a year-only 2026 date
        is not in the future on 2026-11-25; May 2027 is)."""
        return self.earliest_day() > today

    def is_before(self, day: date) -> bool:
        """True only when every day the date can be is before ``day``."""
        return self.latest_day() < day

    def is_before_birth(self, birth_date: date) -> bool:
        """An operation "in 1961" is possible for someone born 3/4/1961; "February 1961" not."""
        return self.is_before(birth_date)

    def months_elapsed(self, today: date) -> int:
        """Whole months from the latest day the date can be until today (0 if not yet):
        the age it certainly has, so "at least 14 months old"."""
        return max(0, whole_months_between(self.latest_day(), today))

    def is_older_than_months(self, months: int, today: date) -> bool:
        """Certainly older than ``months`` months: even its latest possible day is."""
        return self.latest_day() < add_months(today, -months)

    def may_be_older_than_months(self, months: int, today: date) -> bool:
        """Possibly older: its earliest possible day is (a year-only date can be)."""
        return self.earliest_day() < add_months(today, -months)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's end (Mar 31 - 1
    month is Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(start: date, end: date) -> int:
    """Completed months from start to end (negative when end is earlier)."""
    if end < start:
        return -whole_months_between(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def history_date_problem(
    value: PartialDate, *, today: date, birth_date: date | None = None
) -> str | None:
    """The message that refuses a surgery or imaging date, or None when it is possible."""
    if value.is_in_future(today):
        return f"{value.display()} is in the future."
    if birth_date is not None and value.is_before_birth(birth_date):
        return f"{value.display()} is before the patient was born."
    return None


def sort_key_undated_first(value: PartialDate | None) -> tuple[int, int, int]:
    """Sort key that puts entries without a date before every dated one."""
    if value is None:
        return (0, 0, 0)
    return (1, *value.sort_key())


def sort_key_undated_last(value: PartialDate | None) -> tuple[int, int, int]:
    """Sort key that puts entries without a date after every dated one."""
    if value is None:
        return (1, 0, 0)
    return (0, *value.sort_key())


# Parsing -----------------------------------------------------------------------------

_CIRCA_PREFIX = re.compile(
    r"^(?:about|around|approx(?:\.|imately)?|circa|ca\.?|c\.|~|alrededor\s+de|hacia|aprox\.?)"
    r"\s*(?P<rest>.+)$"
)
_CIRCA_SUFFIX = re.compile(r"^(?P<rest>.+?)\s*(?:~|\?|-?ish)$")
_YEAR = re.compile(r"^(\d{4})$")
_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?$")
_US_DAY = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_US_MONTH = re.compile(r"^(\d{1,2})[/-](\d{4})$")
_EIGHT_DIGITS = re.compile(r"^\d{8}$")
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/-](?:\d{1,2}[/-])?\d{2}$")
_NAMED_MONTH = re.compile(r"^([a-z]+)\.?,?\s+(?:de\s+)?(\d{4})$")
_NAMED_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DAY_NAMED_MONTH = re.compile(r"^(\d{1,2})\s+(?:de\s+)?([a-z]+)\.?,?\s+(?:de\s+)?(\d{4})$")


def parse_partial_date(text: str) -> PartialDate:
    """A partial date from typed text.

    Accepts "2019"; "about 2019", "ca. 2019", "c. 2019", "~2019", "2019~"; "5/2024",
    "May 2024", "2024-05", "mayo de 2024"; "3/4/1961" (US month/day/year), "2024-05-17",
    "May 17, 2024", "17 May 2024", "17 de mayo de 2024". Raises InvalidPartialDate.
    """
    shown = " ".join(clean_text(text).split())
    if not shown:
        raise InvalidPartialDate("Enter a date.")
    lowered = shown.lower()
    circa_match = _CIRCA_PREFIX.match(lowered) or _CIRCA_SUFFIX.match(lowered)
    if circa_match is not None:
        rest = circa_match.group("rest").strip()
        if not _YEAR.match(rest):
            inner = _parse_plain(rest, shown)  # refuses nonsense with its own reason
            raise InvalidPartialDate(
                f'"About" goes with a year only: type "about {inner.year}", or '
                f'"{inner.display()}" if you know it.'
            )
        return PartialDate.about(int(rest))
    return _parse_plain(lowered, shown)


def parse_optional_partial_date(text: str | None) -> PartialDate | None:
    """None for blank text, else parse_partial_date()."""
    if text is None or not clean_text(text):
        return None
    return parse_partial_date(text)


def _parse_plain(lowered: str, shown: str) -> PartialDate:
    if match := _YEAR.match(lowered):
        return PartialDate.of_year(int(match.group(1)))
    if match := _ISO.match(lowered):
        year, month, day = match.groups()
        return _build(int(year), int(month), int(day) if day else None)
    if match := _US_DAY.match(lowered):
        month, day, year = match.groups()
        return _build(int(year), int(month), int(day))
    if _EIGHT_DIGITS.match(lowered):
        # 05172024 or 20240517: an exact day, read by the one parser of typed days.
        try:
            return PartialDate.exact(parse_compact_date(lowered))
        except InvalidValue:
            raise InvalidPartialDate(f'"{shown}" is not a real day.') from None
    if match := _US_MONTH.match(lowered):
        month, year = match.groups()
        return _build(int(year), int(month), None)
    if _TWO_DIGIT_YEAR.match(lowered):
        raise InvalidPartialDate(f'"{shown}": write the year with four digits, as in "3/4/1961".')
    if match := _NAMED_MONTH.match(lowered):
        name, year = match.groups()
        return _build(int(year), _month_named(name, shown), None)
    if match := _NAMED_MONTH_DAY.match(lowered):
        name, day, year = match.groups()
        return _build(int(year), _month_named(name, shown), int(day))
    if match := _DAY_NAMED_MONTH.match(lowered):
        day, name, year = match.groups()
        return _build(int(year), _month_named(name, shown), int(day))
    raise InvalidPartialDate(f'"{shown}" is not a date.')


def _month_named(name: str, shown: str) -> int:
    try:
        return _MONTH_BY_NAME[name]
    except KeyError:
        raise InvalidPartialDate(f'"{shown}": "{name}" is not a month.') from None


def _build(year: int, month: int, day: int | None) -> PartialDate:
    # Check in this order so the message names the first thing that is wrong.
    _check_year(year)
    _check_month(month)
    if day is not None:
        _check_day(year, month, day)
    return PartialDate(year, month, day)
