"""The scheduling area's forms and plain data: appointments, slots, setup, the waitlist."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from frontdesk.db.types import utcnow
from frontdesk.documents.day_sheet_data import DaySheetData
from frontdesk.domain.plurals import counted
from frontdesk.domain.scheduling import (
    AppointmentStatus,
    CallOutcome,
    CancelledBy,
    ExceptionKind,
    OpenTime,
    TimePreference,
    WaitlistUrgency,
    Weekday,
    format_clock,
)

TABLES = frozenset({"appointments", "appointment_events"})


DEFAULT_HORIZON_DAYS = 183


@dataclass(frozen=True)
class BookingForm:
    patient_id: int
    provider_id: int
    type_id: int
    start: datetime
    # None: the type's length.
    end: datetime | None = None
    # None: the location of the availability the time falls in.
    location_id: int | None = None
    reason: str = ""
    notes: str = ""
    request_id: int | None = None
    allow_outside_availability: bool = False
    # Booking for a request still New or Awaiting records makes it ready to schedule first,
    # by the Requests area's rule: records it wants still missing need a reason (else
    # RecordsMissingError). Without this such a request is refused.
    make_request_ready: bool = False
    ready_override_reason: str = ""
    # When the person saw the schedule (the form opened). A booking over the time made
    # before then is an ordinary overlap, refused by field naming the visit it meets; one
    # made or moved there since is a race, "just booked by someone else". None: always the
    # latter (callers that show no schedule).
    known_at: datetime | None = None


@dataclass(frozen=True)
class AppointmentData:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    date_of_birth: date
    phone: str
    provider_id: int
    provider_name: str
    location_id: int
    location_name: str
    type_id: int
    type_name: str
    colour: str
    start: datetime
    end: datetime
    reason: str
    notes: str
    request_id: int | None
    status: AppointmentStatus
    cancelled_by: CancelledBy | None
    cancel_reason: str
    cancelled_at: datetime | None
    overbooked: bool
    last_call_outcome: CallOutcome | None
    version: int

    @property
    def holds_time(self) -> bool:
        return self.status.holds_time

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def to_json(self, zone: tzinfo) -> dict[str, Any]:
        return {
            "id": self.id,
            "patient": {"mrn": self.mrn, "name": self.patient_name},
            "provider": self.provider_name,
            "provider_id": self.provider_id,
            "location": self.location_name,
            "location_id": self.location_id,
            "type": self.type_name,
            "type_id": self.type_id,
            "start": self.start.astimezone(zone).isoformat(),
            "end": self.end.astimezone(zone).isoformat(),
            "status": self.status.value,
            "reason": self.reason,
            "request_id": self.request_id,
            "overbooked": self.overbooked,
            "cancelled_by": self.cancelled_by.value if self.cancelled_by else None,
            "cancel_reason": self.cancel_reason,
        }


@dataclass(frozen=True)
class AppointmentEventData:
    kind: str
    at: datetime
    by: str
    description: str
    note: str


@dataclass(frozen=True)
class AppointmentDetail:
    appointment: AppointmentData
    events: tuple[AppointmentEventData, ...]
    allowed_statuses: tuple[AppointmentStatus, ...]


@dataclass(frozen=True)
class AwayTime:
    provider_id: int
    start: datetime
    end: datetime
    label: str


@dataclass(frozen=True)
class CalendarData:
    """What a calendar view paints for some days and providers."""

    zone: tzinfo
    first_day: date
    days: int
    provider_ids: tuple[int, ...]
    provider_names: dict[int, str]
    appointments: tuple[AppointmentData, ...]
    open_times: tuple[OpenTime, ...]
    away: tuple[AwayTime, ...]
    # When the read began: what was booked or moved before it is on the calendar, so a move
    # dropped onto it is an ordinary overlap (the ``known_at`` of a move from this view).
    read_at: datetime


@dataclass(frozen=True)
class SlotSearch:
    type_id: int
    provider_id: int | None = None
    location_id: int | None = None
    after: datetime | None = None
    preference: TimePreference = field(default_factory=TimePreference)
    limit: int = 10
    horizon_days: int = DEFAULT_HORIZON_DAYS


@dataclass(frozen=True)
class SlotData:
    provider_id: int
    provider_name: str
    location_id: int
    location_name: str
    type_id: int
    start: datetime
    end: datetime

    def to_json(self, zone: tzinfo) -> dict[str, Any]:
        return {
            "provider": self.provider_name,
            "provider_id": self.provider_id,
            "location": self.location_name,
            "location_id": self.location_id,
            "type_id": self.type_id,
            "start": self.start.astimezone(zone).isoformat(),
            "end": self.end.astimezone(zone).isoformat(),
        }


@dataclass(frozen=True)
class FreedTime:
    """Time given back by a cancellation, a no-show or a move, still free."""

    provider_id: int
    provider_name: str
    location_id: int
    location_name: str
    start: datetime
    end: datetime
    freed_at: datetime
    description: str

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


SETUP_TABLES = frozenset({"appointment_types", "availability_blocks", "availability_exceptions"})


@dataclass(frozen=True)
class AppointmentTypeForm:
    name: str
    duration_minutes: int | str
    colour: str = "#4A90D9"
    is_new_consultation: bool = False
    active: bool = True
    spanish_name: str = ""  # printed on Spanish documents; "" prints the name


@dataclass(frozen=True)
class AppointmentTypeData:
    id: int
    name: str
    duration_minutes: int
    colour: str
    is_new_consultation: bool
    active: bool
    version: int
    spanish_name: str = ""

    def name_in(self, language: str) -> str:
        """The name a document in ``language`` prints."""
        return (self.spanish_name if language == "es" else "") or self.name


@dataclass(frozen=True)
class AvailabilityForm:
    """A weekly block. Times are on the practice's wall clock ("8:00", "13:30") or minutes
    after midnight; ``type_ids`` empty takes every appointment type."""

    provider_id: int
    location_id: int
    weekday: int
    start: str | int
    end: str | int
    type_ids: tuple[int, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class AvailabilityData:
    id: int
    provider_id: int
    provider_name: str
    location_id: int
    location_name: str
    weekday: Weekday
    start_minute: int
    end_minute: int
    type_ids: tuple[int, ...]
    valid_from: date | None
    valid_until: date | None
    version: int

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )

    def takes(self, type_id: int) -> bool:
        return not self.type_ids or type_id in self.type_ids

    @property
    def description(self) -> str:
        text = (
            f"{self.weekday.label} {format_clock(self.start_minute)}–"
            f"{format_clock(self.end_minute)} at {self.location_name}"
        )
        if self.valid_from and self.valid_until:
            text += f" ({self.valid_from:%m/%d/%Y}–{self.valid_until:%m/%d/%Y})"
        elif self.valid_from:
            text += f" (from {self.valid_from:%m/%d/%Y})"
        elif self.valid_until:
            text += f" (until {self.valid_until:%m/%d/%Y})"
        return text


@dataclass(frozen=True)
class ExceptionForm:
    """Time away: whole days from ``starts_on`` to ``ends_on``, or only start–end of each."""

    provider_id: int
    starts_on: date | None
    ends_on: date | None
    kind: str = ExceptionKind.VACATION.value
    start: str | int | None = None
    end: str | int | None = None
    note: str = ""


@dataclass(frozen=True)
class ExceptionData:
    id: int
    provider_id: int
    provider_name: str
    starts_on: date
    ends_on: date
    start_minute: int | None
    end_minute: int | None
    kind: ExceptionKind
    note: str
    version: int

    @property
    def whole_days(self) -> bool:
        return self.start_minute is None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def description(self) -> str:
        days = (
            f"{self.starts_on:%m/%d/%Y}"
            if self.starts_on == self.ends_on
            else f"{self.starts_on:%m/%d/%Y}–{self.ends_on:%m/%d/%Y}"
        )
        if self.start_minute is not None and self.end_minute is not None:
            days += f", {format_clock(self.start_minute)}–{format_clock(self.end_minute)}"
        text = f"{self.kind.label}: {days}"
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class WaitlistForm:
    patient_id: int
    type_id: int
    provider_id: int | None = None
    location_id: int | None = None
    urgency: str = WaitlistUrgency.ROUTINE.value
    weekdays: tuple[int | str, ...] = ()
    earliest: str | int | None = None
    latest: str | int | None = None
    short_notice: bool = True
    note: str = ""
    # The later appointment the patient already holds (moved when an earlier time is booked).
    appointment_id: int | None = None
    request_id: int | None = None


@dataclass(frozen=True)
class WaitlistEntryData:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    phone: str
    type_id: int
    type_name: str
    duration_minutes: int
    provider_id: int | None
    provider_name: str
    location_id: int | None
    location_name: str
    urgency: WaitlistUrgency
    preference: TimePreference
    short_notice: bool
    added_at: datetime
    note: str
    appointment_id: int | None
    appointment_start: datetime | None
    request_id: int | None
    is_waiting: bool
    resolution: str
    version: int

    def days_waiting(self, now: datetime | None = None) -> int:
        return max(0, ((now or utcnow()) - self.added_at).days)

    @property
    def wants(self) -> str:
        """ "New consultation with any provider · Mon, Tue · 08:00–12:00"."""
        who = self.provider_name or "any provider"
        return f"{self.type_name} with {who} · {self.preference.description}"


@dataclass(frozen=True)
class WaitlistMatch:
    """A waitlisted patient who fits a free time, and the slot they would get (bookable
    without an overbook: inside hours that take their type, at ``location_id``)."""

    entry: WaitlistEntryData
    start: datetime
    end: datetime
    location_id: int


@dataclass(frozen=True)
class FreedTimeMatches:
    freed: FreedTime
    matches: tuple[WaitlistMatch, ...]


@dataclass(frozen=True)
class DaySheetPdf:
    pdf: bytes
    data: DaySheetData


@dataclass(frozen=True)
class IcsExportResult:
    path: Path
    events: int
    provider_name: str
    full_names: bool

    def summary(self) -> str:
        events = counted(self.events, "appointment")
        return f"Exported {events} of {self.provider_name} to {self.path}."
