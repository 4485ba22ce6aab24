"""Scheduling rules in pure Python: appointment statuses, time intervals, free-slot arithmetic.

Times cross this module as timezone-aware datetimes. Availability is set in the practice's
wall-clock time (08:00 stays 08:00 across a daylight-saving change); everything stored is UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import IntEnum, StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A slot search steps through free time in these increments (from the start of the free time).
SLOT_STEP = timedelta(minutes=15)
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 8 * 60
# Further ahead than this is a typing mistake (2062 for 2026), not a booking.
MAX_DAYS_AHEAD = 2 * 366
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def holds_time(self) -> bool:
        """Whether the appointment keeps its time from others (cancelled and no-show free it)."""
        return self in ACTIVE_STATUSES


_STATUS_LABELS = {
    AppointmentStatus.BOOKED: "Booked",
    AppointmentStatus.CONFIRMED: "Confirmed",
    AppointmentStatus.CHECKED_IN: "Checked in",
    AppointmentStatus.COMPLETED: "Completed",
    AppointmentStatus.CANCELLED: "Cancelled",
    AppointmentStatus.NO_SHOW: "No-show",
}

ACTIVE_STATUSES = frozenset(
    {
        AppointmentStatus.BOOKED,
        AppointmentStatus.CONFIRMED,
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.COMPLETED,
    }
)
# The SQL list the constraint and the trigger use: one definition for both backends.
ACTIVE_STATUS_SQL = ", ".join(f"'{status.value}'" for status in sorted(ACTIVE_STATUSES))
ALL_STATUS_SQL = ", ".join(f"'{status.value}'" for status in AppointmentStatus)

# Which status may follow which. Cancelling has its own action (it needs who and why).
STATUS_MOVES: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.BOOKED: frozenset(
        {
            AppointmentStatus.CONFIRMED,
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.NO_SHOW,
            AppointmentStatus.CANCELLED,
        }
    ),
    AppointmentStatus.CONFIRMED: frozenset(
        {
            AppointmentStatus.BOOKED,
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.NO_SHOW,
            AppointmentStatus.CANCELLED,
        }
    ),
    AppointmentStatus.CHECKED_IN: frozenset(
        {AppointmentStatus.COMPLETED, AppointmentStatus.CONFIRMED}
    ),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}


def status_move_problem(current: AppointmentStatus, target: AppointmentStatus) -> str | None:
    """Why ``current`` may not become ``target``, or None when it may."""
    if current == target:
        return f"the appointment is already {current.label.lower()}"
    if target not in STATUS_MOVES[current]:
        if not STATUS_MOVES[current]:
            return (
                f"a {current.label.lower()} appointment cannot change any more; "
                "book a new one instead"
            )
        return f"a {current.label.lower()} appointment cannot be marked {target.label.lower()}"
    return None


def allowed_statuses(current: AppointmentStatus) -> list[AppointmentStatus]:
    return [status for status in AppointmentStatus if status in STATUS_MOVES[current]]


class CancelledBy(StrEnum):
    PATIENT = "patient"
    PRACTICE = "practice"

    @property
    def label(self) -> str:
        return "By the patient" if self is CancelledBy.PATIENT else "By the practice"


class CallOutcome(StrEnum):
    """What came of a reminder call; the appointment's status follows where it says so."""

    CONFIRMED = "confirmed"
    LEFT_MESSAGE = "left_message"
    NO_ANSWER = "no_answer"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ExceptionKind(StrEnum):
    VACATION = "vacation"
    SURGERY_DAY = "surgery_day"
    CONFERENCE = "conference"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class WaitlistUrgency(StrEnum):
    URGENT = "urgent"
    SOON = "soon"
    ROUTINE = "routine"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        return {"urgent": 0, "soon": 1, "routine": 2}[self.value]


class Weekday(IntEnum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @property
    def short(self) -> str:
        return self.name[:3].capitalize()


def parse_weekdays(values: Iterable[int | str]) -> tuple[Weekday, ...]:
    """Weekdays from numbers (0 = Monday) or names ("mon", "Tuesday"), sorted, no repeats.

    Raises ValueError naming the unknown value.
    """
    found: set[Weekday] = set()
    for value in values:
        if isinstance(value, int):
            try:
                found.add(Weekday(value))
            except ValueError:
                raise ValueError(f"{value} is not a weekday (0 is Monday, 6 Sunday)") from None
            continue
        text = value.strip().lower()
        if not text:
            continue
        if text.isdigit():
            found.update(parse_weekdays([int(text)]))
            continue
        matches = [day for day in Weekday if day.name.lower().startswith(text[:3])]
        if len(text) < 2 or not matches:
            raise ValueError(f"'{value}' is not a weekday (Mon, Tue, … Sun)")
        found.add(matches[0])
    return tuple(sorted(found))


# --- time zones ---------------------------------------------------------------------------


def practice_zone(name: str) -> tzinfo:
    """The practice's zone from its IANA name; the computer's own zone when none is set."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    local = datetime.now().astimezone().tzinfo
    return local if local is not None else UTC


def system_zone_name() -> str:
    """The IANA name of this computer's zone, or '' when it cannot be told."""
    try:
        link = Path("/etc/localtime").resolve()
        parts = link.parts
        if "zoneinfo" in parts:
            name = "/".join(parts[parts.index("zoneinfo") + 1 :])
            ZoneInfo(name)
            return name
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return ""


def check_zone_name(name: str) -> str:
    """The name when it is a known IANA zone ('America/Chicago'); ValueError otherwise."""
    name = name.strip()
    if not name:
        return ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{name}' is not a time zone (for example America/Chicago)") from None
    return name


def local_moment(day: date, clock: time, zone: tzinfo) -> datetime:
    """``day`` at ``clock`` on the practice's wall clock, in UTC.

    A wall time skipped by a spring-forward change (02:30) is read as the moment after the
    gap, as a clock on the wall would show it.
    """
    # With fold=0 a skipped wall time takes the offset from before the change, which lands
    # it after the gap (02:30 CST is 03:30 CDT); a repeated one (01:30 in November) is the first.
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC moments where the practice's ``day`` starts and the next day starts (23, 24
    or 25 hours apart)."""
    return local_moment(day, time(0), zone), local_moment(day + timedelta(days=1), time(0), zone)


def minutes_to_time(minutes: int) -> time:
    if not 0 <= minutes <= 24 * 60:
        raise ValueError("minutes of the day must be between 0 and 1440")
    if minutes == 24 * 60:
        return time(23, 59, 59, 999999)
    return time(minutes // 60, minutes % 60)


def time_to_minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def parse_clock(text: str) -> int:
    """Minutes after midnight from "8:00", "08:30", "13:15", "8am", "1:30 pm", "24:00".

    Raises ValueError with the accepted forms.
    """
    value = text.strip().lower().replace(" ", "").replace(".", "")
    match = re.fullmatch(r"(\d{1,2})(?::?(\d{2}))?(am|pm|a|p)?", value)
    if not match:
        raise ValueError(f"'{text}' is not a time of day (for example 8:00, 13:30 or 1:30 pm)")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3)
    if suffix:
        if not 1 <= hour <= 12:
            raise ValueError(f"'{text}' is not a time of day (hours 1–12 with am/pm)")
        hour = hour % 12 + (12 if suffix.startswith("p") else 0)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise ValueError(f"'{text}' is not a time of day (00:00 to 24:00)")
    return hour * 60 + minute


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- intervals ----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open stretch of time [start, end) between two aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("an interval needs timezone-aware datetimes")

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def empty(self) -> bool:
        return self.end <= self.start

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


def subtract(free: Sequence[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """What remains of ``free`` once every ``busy`` interval is taken out, in time order."""
    remaining = sorted(part for part in free if not part.empty)
    for taken in sorted(busy):
        if taken.empty:
            continue
        next_remaining: list[Interval] = []
        for part in remaining:
            if not part.overlaps(taken):
                next_remaining.append(part)
                continue
            if part.start < taken.start:
                next_remaining.append(Interval(part.start, taken.start))
            if taken.end < part.end:
                next_remaining.append(Interval(taken.end, part.end))
        remaining = next_remaining
    return remaining


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals joined, in time order."""
    result: list[Interval] = []
    for part in sorted(intervals):
        if part.empty:
            continue
        if result and part.start <= result[-1].end:
            last = result[-1]
            result[-1] = Interval(last.start, max(last.end, part.end))
        else:
            result.append(part)
    return result


def slot_starts(
    free: Interval, duration: timedelta, *, not_before: datetime, step: timedelta = SLOT_STEP
) -> Iterator[datetime]:
    """Start times of ``duration``-long slots inside ``free``, every ``step`` from its start,
    none before ``not_before``."""
    if duration <= timedelta(0):
        raise ValueError("a slot needs a positive length")
    start = free.start
    if start < not_before:
        steps = -(-(not_before - start) // step)  # ceiling division
        start = start + steps * step
    while start + duration <= free.end:
        yield start
        start += step


@dataclass(frozen=True)
class TimePreference:
    """When the patient can come: weekdays (empty: any) and a wall-clock window in minutes
    after midnight (None: open at that end)."""

    weekdays: tuple[Weekday, ...] = ()
    earliest: int | None = None
    latest: int | None = None

    def __post_init__(self) -> None:
        if self.earliest is not None and self.latest is not None and self.latest <= self.earliest:
            raise ValueError("the latest time must be after the earliest")

    def accepts(self, start: datetime, end: datetime, zone: tzinfo) -> bool:
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        if self.weekdays and Weekday(local_start.weekday()) not in self.weekdays:
            return False
        if self.earliest is not None and time_to_minutes(local_start.time()) < self.earliest:
            return False
        if self.latest is not None:
            end_minutes = time_to_minutes(local_end.time())
            if local_end.date() > local_start.date():
                end_minutes += 24 * 60
            if end_minutes > self.latest:
                return False
        return True

    @property
    def description(self) -> str:
        parts = []
        if self.weekdays:
            parts.append(", ".join(day.short for day in self.weekdays))
        if self.earliest is not None and self.latest is not None:
            parts.append(f"{format_clock(self.earliest)}–{format_clock(self.latest)}")
        elif self.earliest is not None:
            parts.append(f"from {format_clock(self.earliest)}")
        elif self.latest is not None:
            parts.append(f"until {format_clock(self.latest)}")
        return " · ".join(parts) or "Any day, any time"


def check_colour(text: str) -> str:
    value = text.strip()
    if not HEX_COLOUR.match(value):
        raise ValueError("a colour like #4A90D9")
    return value.upper()


def initials(first_name: str, last_name: str) -> str:
    """ "M.J.N.G." for María José Núñez-García: what a calendar export shows instead of a name."""
    letters = [word[0] for word in f"{first_name} {last_name}".replace("-", " ").split() if word]
    return ".".join(letter.upper() for letter in letters) + ("." if letters else "")
