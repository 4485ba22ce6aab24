"""Scheduling rules in pure Python: appointment statuses, time intervals, free-slot arithmetic,
and whether a time can be booked (:class:`Bookability`;
``services.scheduling.bookability.read_bookability`` reads what it needs).

Times cross this module as timezone-aware datetimes. Availability is set in the practice's
wall-clock time (08:00 stays 08:00 across a daylight-saving change); everything stored is UTC.
"""

from __future__ import annotations

import re
import time as time_module
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A slot search steps through free time in these increments (from the start of the free time).
SLOT_STEP = timedelta(minutes=15)
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 8 * 60
# Further ahead than this is a typing mistake (2062 for 2026), not a booking.
MAX_DAYS_AHEAD = 2 * 366
# The longest appointment: a search looks this far before a time for bookings that overlap it.
LONGEST = timedelta(minutes=MAX_DURATION_MINUTES)
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
    return computer_zone()


def computer_zone() -> tzinfo:
    """This computer's own zone, as a fixed offset: only for a practice that names none.

    Everything shown goes through the practice's zone (``services.kernel.clock``), never this
    directly: a desk in another zone must show the practice's times.
    """
    now = time_module.localtime()
    return timezone(timedelta(seconds=now.tm_gmtoff), now.tm_zone)


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


# --- can this time be booked? --------------------------------------------------------------


class WeeklyHours(Protocol):
    """A provider's weekly block of hours at one location (``AvailabilityData``)."""

    @property
    def provider_id(self) -> int: ...
    @property
    def location_id(self) -> int: ...
    @property
    def location_name(self) -> str: ...
    @property
    def start_minute(self) -> int: ...
    @property
    def end_minute(self) -> int: ...
    # Empty: the block takes every type.
    @property
    def type_ids(self) -> tuple[int, ...]: ...
    def applies_on(self, day: date) -> bool: ...


class TimeAway(Protocol):
    """Days (or part of each day) a provider is away (``ExceptionData``)."""

    @property
    def provider_id(self) -> int: ...
    # None: the whole day.
    @property
    def start_minute(self) -> int | None: ...
    @property
    def end_minute(self) -> int | None: ...
    @property
    def description(self) -> str: ...
    def covers(self, day: date) -> bool: ...


@dataclass(frozen=True)
class OpenTime:
    """A stretch of a provider's hours on one day, after time away is taken out."""

    provider_id: int
    location_id: int
    location_name: str
    start: datetime
    end: datetime
    type_ids: tuple[int, ...]

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    def takes(self, type_id: int) -> bool:
        return not self.type_ids or type_id in self.type_ids


def away_interval(away: TimeAway, day: date, zone: tzinfo) -> Interval | None:
    """The stretch of ``day`` the time away covers, or None."""
    if not away.covers(day):
        return None
    if away.start_minute is None or away.end_minute is None:
        return Interval(*day_bounds(day, zone))
    return Interval(
        local_moment(day, minutes_to_time(away.start_minute), zone),
        local_moment(day, minutes_to_time(away.end_minute), zone),
    )


def open_times_on(
    day: date,
    provider_id: int,
    blocks: Iterable[WeeklyHours],
    exceptions: Iterable[TimeAway],
    zone: tzinfo,
) -> list[OpenTime]:
    """The provider's hours on ``day`` with time away taken out, in time order."""
    away = [
        interval
        for exception in exceptions
        if exception.provider_id == provider_id
        and (interval := away_interval(exception, day, zone)) is not None
    ]
    result = []
    for block in blocks:
        if block.provider_id != provider_id or not block.applies_on(day):
            continue
        whole = Interval(
            local_moment(day, minutes_to_time(block.start_minute), zone),
            local_moment(day, minutes_to_time(block.end_minute), zone),
        )
        result.extend(
            OpenTime(
                provider_id=provider_id,
                location_id=block.location_id,
                location_name=block.location_name,
                start=part.start,
                end=part.end,
                type_ids=block.type_ids,
            )
            for part in subtract([whole], away)
        )
    return sorted(result, key=lambda item: item.start)


def local_days(start: datetime, end: datetime, zone: tzinfo) -> list[date]:
    """The practice's days that [start, end) touches."""
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def last_bookable_day(today: date) -> date:
    return today + timedelta(days=MAX_DAYS_AHEAD)


def day_problem(day: date, today: date) -> str | None:
    """Why nothing can be booked on ``day`` (past, or so far ahead it is a typing mistake)."""
    if day < today:
        return "that day has passed; choose today or a later day"
    if day > last_bookable_day(today):
        return f"that is more than {MAX_DAYS_AHEAD // 366} years ahead; check the year"
    return None


def overlapping(taken: Sequence[Interval], wanted: Interval) -> list[Interval]:
    """The intervals of ``taken`` (sorted, none longer than LONGEST) that overlap ``wanted``:
    a bisect instead of a walk through a whole window's bookings."""
    low = bisect_left(taken, wanted.start - LONGEST, key=lambda part: part.start)
    high = bisect_left(taken, wanted.end, key=lambda part: part.start)
    return [part for part in taken[low:high] if part.end > wanted.start]


@dataclass(frozen=True)
class BookingCheck:
    """What :meth:`Bookability.check` found about one time."""

    # The day is past or too far ahead: refused outright.
    day_problem: str | None
    # Outside the provider's hours, away, another location, a type the block does not take:
    # booking it is a deliberate overbook the person confirms.
    hours_problem: str | None
    # Where the provider's hours place the time (None outside them).
    location_id: int | None
    # Another booking holds (part of) the time.
    taken: bool

    @property
    def bookable(self) -> bool:
        return self.day_problem is None and self.hours_problem is None and not self.taken


@dataclass(frozen=True, eq=False)
class Bookability:
    """Whether providers' times can be booked, from what one read found: their weekly hours
    (and the types each block takes), time away, the bookings already made, and the booking
    horizon from the practice's today. Booking, find next available, the waitlist, Today's
    freed times and the calendar all ask this one object."""

    zone: tzinfo
    today: date
    blocks: Sequence[WeeklyHours]
    away: Sequence[TimeAway]
    # Each provider's booked time, sorted.
    busy: Mapping[int, Sequence[Interval]]

    def open_times(self, day: date, provider_id: int) -> list[OpenTime]:
        return open_times_on(day, provider_id, self.blocks, self.away, self.zone)

    def is_taken(self, provider_id: int, wanted: Interval) -> bool:
        return bool(overlapping(self.busy.get(provider_id, ()), wanted))

    def hours_problem(
        self, provider_id: int, type_id: int, wanted: Interval, location_id: int | None = None
    ) -> tuple[str | None, int | None]:
        """Why ``wanted`` is outside the provider's hours for this type (None when inside),
        and the location of the hours it falls in."""
        days = local_days(wanted.start, wanted.end, self.zone)
        for day in days:
            for open_time in self.open_times(day, provider_id):
                if not open_time.interval.contains(wanted):
                    continue
                if location_id is not None and open_time.location_id != location_id:
                    return (
                        f"at that time the provider works at {open_time.location_name}",
                        open_time.location_id,
                    )
                if not open_time.takes(type_id):
                    return (
                        "that availability does not take this type of appointment",
                        open_time.location_id,
                    )
                return None, open_time.location_id
        for away in self.away:
            if away.provider_id != provider_id:
                continue
            for day in days:
                interval = away_interval(away, day, self.zone)
                if interval is not None and interval.overlaps(wanted):
                    return f"the provider is away then ({away.description})", None
        return "the provider has no availability at that time", None

    def check(
        self, provider_id: int, type_id: int, wanted: Interval, location_id: int | None = None
    ) -> BookingCheck:
        """Whether ``wanted`` can be booked with the provider for this type."""
        hours, where = self.hours_problem(provider_id, type_id, wanted, location_id)
        return BookingCheck(
            day_problem=day_problem(wanted.start.astimezone(self.zone).date(), self.today),
            hours_problem=hours,
            location_id=where,
            taken=self.is_taken(provider_id, wanted),
        )

    def free_slots(
        self,
        provider_id: int,
        type_id: int,
        duration: timedelta,
        within: Interval,
        *,
        not_before: datetime,
        location_id: int | None = None,
    ) -> Iterator[tuple[datetime, OpenTime]]:
        """Every bookable start of a ``duration``-long visit of this type inside ``within``,
        earliest first, with the hours it falls in: inside hours that take the type (at
        ``location_id`` when given), free of time away and other bookings, on a day that can
        be booked, none before ``not_before``. Starts step by SLOT_STEP from where the free
        time begins."""
        last_day = last_bookable_day(self.today)
        for day in local_days(within.start, within.end, self.zone):
            if day < self.today or day > last_day:
                continue
            for open_time in self.open_times(day, provider_id):
                if not open_time.takes(type_id) or open_time.end <= not_before:
                    continue
                if location_id is not None and open_time.location_id != location_id:
                    continue
                part = Interval(max(open_time.start, within.start), min(open_time.end, within.end))
                if part.empty:
                    continue
                nearby = overlapping(self.busy.get(provider_id, ()), part)
                for free in subtract([part], nearby):
                    for start in slot_starts(free, duration, not_before=not_before):
                        yield start, open_time


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
