"""Phone notes as typed: who called, about what, what was promised, when to call back.

The rules a note must meet before it is stored (each broken one named by its field, so the
form shows the message next to it), with no database behind them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from frontdesk.domain.contact import InvalidValue, clean_text, text_problem
from frontdesk.domain.dates import parse_date

CALLER_MAX = 200
SUBJECT_MAX = 300
PROMISED_MAX = 2000
# A call-back further out than this is a typo (2062 for 2026), not a promise.
FOLLOW_UP_MAX_DAYS = 366


@dataclass(frozen=True)
class PhoneNoteForm:
    """One call as typed. ``follow_up_on`` may be text ("3/9", "12/14/2026") or a date."""

    caller: str
    subject: str
    promised: str = ""
    follow_up_on: date | str | None = None


@dataclass(frozen=True)
class PhoneNoteData:
    """One stored call; ``returned_at`` is set once the promised call-back was made."""

    id: int
    patient_id: int
    called_at: datetime
    caller: str
    subject: str
    promised: str
    follow_up_on: date | None
    returned_at: datetime | None
    returned_by: str
    created_by: str
    version: int

    @property
    def to_return(self) -> bool:
        return self.follow_up_on is not None and self.returned_at is None


@dataclass(frozen=True)
class CallToReturn:
    """A call-back due today or overdue, with whom to call and the number to dial."""

    note: PhoneNoteData
    patient_name: str
    mrn: str
    phone: str  # E.164, or "" when the chart has none
    days_overdue: int


@dataclass(frozen=True)
class CallsToReturn:
    items: tuple[CallToReturn, ...]
    # More are due than were read (the list shows the oldest first).
    more: bool
    # The practice's zone: when each call came in is shown on the practice's clock.
    zone: tzinfo


@dataclass(frozen=True)
class CleanPhoneNote:
    caller: str
    subject: str
    promised: str
    follow_up_on: date | None


FOLLOW_UP_HINT = (
    "a date (12/14/2026), today, tomorrow, a weekday (friday), or +3 for three days from today"
)
_IN_DAYS = re.compile(r"^\+\s*(\d{1,3})$")
# "Call back Friday": the next such day after today (a week on when today is that day).
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(value: str) -> int | None:
    if len(value) < 3:
        return None
    return next((i for i, name in enumerate(_WEEKDAYS) if name.startswith(value)), None)


def parse_follow_up(text: str, today: date) -> date | None:
    """A call-back date as typed in a few keys: "+3" (days from today), "today", "tomorrow",
    a weekday ("fri", "Friday": the next one), or a date ("12/14/2026", "12/14/26"); None
    when nothing was typed. Raises InvalidValue."""
    value = text.strip().lower()
    if not value:
        return None
    if value in ("today", "tod"):
        return today
    if value in ("tomorrow", "tom"):
        return today + timedelta(days=1)
    if match := _IN_DAYS.match(value):
        return today + timedelta(days=int(match.group(1)))
    if (weekday := _weekday(value)) is not None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    try:
        return parse_date(value, today=today, future=True)
    except InvalidValue as error:
        if str(error).startswith("not a date"):
            raise InvalidValue(f"not a date: type {FOLLOW_UP_HINT}") from error
        raise


def _follow_up(value: date | str | None, today: date) -> date | None:
    day = value if value is None or isinstance(value, date) else parse_follow_up(value, today)
    if day is None:
        return None
    if day < today:
        raise InvalidValue("a call-back date is today or later")
    if day > today + timedelta(days=FOLLOW_UP_MAX_DAYS):
        raise InvalidValue("a call-back date is within a year from today")
    return day


def clean_phone_note(form: PhoneNoteForm, today: date) -> tuple[CleanPhoneNote, dict[str, str]]:
    """The note cleaned, and a message per field that cannot be kept (empty when all can)."""
    errors: dict[str, str] = {}
    caller = clean_text(form.caller)
    subject = clean_text(form.subject)
    promised = clean_text(form.promised)
    for key, value, limit, one_line in (
        ("caller", caller, CALLER_MAX, True),
        ("subject", subject, SUBJECT_MAX, True),
        ("promised", promised, PROMISED_MAX, False),
    ):
        problem = text_problem(value, one_line=one_line)
        if problem:
            errors[key] = problem
        elif len(value) > limit:
            errors[key] = f"at most {limit} characters (this has {len(value)})"
    if not caller and "caller" not in errors:
        errors["caller"] = "say who called (the patient, a relative, an office)"
    if not subject and "subject" not in errors:
        errors["subject"] = "say what the call was about"
    follow_up: date | None = None
    try:
        follow_up = _follow_up(form.follow_up_on, today)
    except InvalidValue as error:
        errors["follow_up_on"] = str(error)
    return CleanPhoneNote(caller, subject, promised, follow_up), errors
