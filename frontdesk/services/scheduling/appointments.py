"""Appointments: book, move, cancel, statuses, reminder calls, calendars and free-slot search.

The database refuses overlapping bookings of one provider (migration 0006); this module
checks first so the usual refusal is quick and worded, and turns the database's own refusal
(two workstations at the same moment) into the same message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import islice
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.db.models import Location, Provider
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.db.models_scheduling import (
    Appointment,
    AppointmentEvent,
    AppointmentType,
    AvailabilityBlock,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text, format_phone
from frontdesk.domain.errors import (
    NotFoundError,
    RefusedError,
    SlotTakenError,
    ValidationError,
)
from frontdesk.domain.history_records import TimelineEvent
from frontdesk.domain.partial_dates import PartialDate
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_states import RequestState
from frontdesk.domain.scheduling import (
    ACTIVE_STATUSES,
    LONGEST,
    MAX_DURATION_MINUTES,
    SLOT_STEP,
    AppointmentStatus,
    Bookability,
    BookingCheck,
    CallOutcome,
    CancelledBy,
    Interval,
    OpenTime,
    TimePreference,
    allowed_statuses,
    away_interval,
    day_bounds,
    last_bookable_day,
    local_days,
    open_times_on,
    overlapping,
    status_move_problem,
    subtract,
)

# practice_zone stays importable from here for the screens outside scheduling.
from frontdesk.services.kernel.clock import practice_zone as practice_zone
from frontdesk.services.kernel.clock import today_in, zone_of
from frontdesk.services.kernel.context import (
    SLOT_TAKEN_MESSAGE,
    ServiceContext,
    UnitOfWork,
    retry_when_busy,
)
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.requests import states
from frontdesk.services.scheduling.setup import (
    AvailabilityData,
    ExceptionData,
    availability_rows,
    exception_rows,
    location_names,
    provider_label,
    provider_names,
)

TABLES = frozenset({"appointments", "appointment_events"})
ACTIVE_VALUES = tuple(sorted(status.value for status in ACTIVE_STATUSES))
SEARCH_CHUNK_DAYS = 14
MAX_CHUNK_DAYS = 56
DEFAULT_HORIZON_DAYS = 183
MAX_SLOTS = 200
# Weekly hours added this recently count as freed time (the Today area, the waitlist).
NEW_HOURS_DAYS = 7
SETUP_GRACE = timedelta(hours=1)


class OutsideAvailabilityError(RefusedError):
    """The time is outside the provider's availability: booking it is a deliberate overbook
    the person must confirm (``allow_outside_availability``)."""


# --- plain data ---------------------------------------------------------------------------


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


# --- reading rows -------------------------------------------------------------------------


def _patient_phone(patient: Patient) -> str:
    return format_phone(patient.mobile_phone or patient.home_phone or patient.work_phone)


def _patient_name(patient: Patient) -> str:
    return f"{patient.last_name}, {patient.first_name}".strip(", ")


class _Names:
    """Provider, location and type names for one read (a handful of rows each)."""

    def __init__(self, session: Session) -> None:
        self.providers = provider_names(session)
        self.locations = location_names(session)
        self.types = {row.id: row for row in session.scalars(select(AppointmentType))}


def _data(row: Appointment, patient: Patient, names: _Names) -> AppointmentData:
    kind = names.types.get(row.type_id)
    return AppointmentData(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=_patient_name(patient),
        mrn=patient.mrn,
        date_of_birth=patient.date_of_birth,
        phone=_patient_phone(patient),
        provider_id=row.provider_id,
        provider_name=names.providers.get(row.provider_id, ""),
        location_id=row.location_id,
        location_name=names.locations.get(row.location_id, ""),
        type_id=row.type_id,
        type_name=kind.name if kind else "",
        colour=kind.colour if kind else "#888888",
        start=row.starts_at,
        end=row.ends_at,
        reason=row.reason,
        notes=row.notes,
        request_id=row.request_id,
        status=AppointmentStatus(row.status),
        cancelled_by=CancelledBy(row.cancelled_by) if row.cancelled_by else None,
        cancel_reason=row.cancel_reason,
        cancelled_at=row.cancelled_at,
        overbooked=row.overbooked,
        last_call_outcome=CallOutcome(row.last_call_outcome) if row.last_call_outcome else None,
        version=row.version,
    )


def _rows_data(session: Session, query: Any) -> list[AppointmentData]:
    names = _Names(session)
    return [
        _data(row, patient, names)
        for row, patient in session.execute(
            query.join(Patient, Patient.id == Appointment.patient_id).add_columns(Patient)
        )
    ]


def _one_data(session: Session, row: Appointment) -> AppointmentData:
    patient = session.get(Patient, row.patient_id)
    assert patient is not None
    return _data(row, patient, _Names(session))


def _get(session: Session, appointment_id: int, *, for_update: bool = False) -> Appointment:
    row = session.get(Appointment, appointment_id, with_for_update=for_update or None)
    if row is None:
        raise NotFoundError(f"There is no appointment with id {appointment_id}")
    return row


def busy_intervals(
    session: Session,
    provider_ids: Sequence[int],
    start: datetime,
    end: datetime,
    *,
    exclude_id: int | None = None,
) -> dict[int, list[Interval]]:
    """Each provider's booked (active) time between ``start`` and ``end``, leaving out
    appointment ``exclude_id``."""
    result: dict[int, list[Interval]] = defaultdict(list)
    if not provider_ids:
        return result
    query = select(Appointment.provider_id, Appointment.starts_at, Appointment.ends_at).where(
        Appointment.provider_id.in_(list(provider_ids)),
        Appointment.status.in_(ACTIVE_VALUES),
        Appointment.starts_at < end,
        Appointment.starts_at > start - LONGEST,
        Appointment.ends_at > start,
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    for provider_id, starts_at, ends_at in session.execute(query):
        result[provider_id].append(Interval(starts_at, ends_at))
    return result


# --- can this time be booked? ----------------------------------------------------------------


def read_bookability(
    session: Session,
    provider_ids: Sequence[int],
    start: datetime,
    end: datetime,
    *,
    exclude_id: int | None = None,
    blocks: Sequence[AvailabilityData] | None = None,
    away: Sequence[ExceptionData] | None = None,
    now: datetime | None = None,
) -> Bookability:
    """The data-reading half of "can this time be booked?" for [start, end): the providers'
    hours, time away and bookings (without appointment ``exclude_id``, the one being moved)
    and the practice's today (``now``'s day there when the caller gives its own clock). The
    rule itself is :class:`Bookability` in the domain; ``blocks`` and ``away`` spare a search
    that reads many windows re-reading the hours and time away."""
    zone = zone_of(session)
    ids = list(provider_ids)
    days = local_days(start, end, zone)
    busy = busy_intervals(session, ids, start, end, exclude_id=exclude_id)
    for taken in busy.values():
        taken.sort()
    return Bookability(
        zone=zone,
        today=today_in(zone) if now is None else now.astimezone(zone).date(),
        blocks=tuple(availability_rows(session, ids) if blocks is None else blocks),
        away=tuple(
            exception_rows(session, ids, since=days[0], until=days[-1]) if away is None else away
        ),
        busy=busy,
    )


# --- validation ---------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """Times leave this module in UTC (aware datetimes in one zone subtract by wall clock)."""
    if moment.tzinfo is None:
        raise ValidationError({"start": "a time with its time zone is needed"})
    return moment.astimezone(UTC)


def _booking_check(
    session: Session,
    provider_id: int,
    type_id: int,
    start: datetime,
    end: datetime,
    location_id: int | None,
    exclude_id: int | None,
) -> tuple[BookingCheck, tzinfo]:
    """The one rule asked about a time to book or move to; a wrong length or day is refused
    here, by field."""
    wanted = Interval(start, end)
    errors: dict[str, str] = {}
    if wanted.empty:
        errors["end"] = "the appointment must end after it starts"
    elif wanted.length > LONGEST:
        errors["end"] = f"an appointment lasts at most {MAX_DURATION_MINUTES // 60} hours"
    rules = read_bookability(
        session, [provider_id], start, max(end, start + SLOT_STEP), exclude_id=exclude_id
    )
    verdict = rules.check(provider_id, type_id, wanted, location_id)
    if verdict.day_problem:
        errors["start"] = verdict.day_problem
    if errors:
        raise ValidationError(errors)
    return verdict, rules.zone


def _active_provider(session: Session, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise ValidationError({"provider": "choose a provider"})
    if not provider.active:
        raise RefusedError(
            f"{provider_label(provider)} is no longer active, so no new appointments can be "
            "booked with them"
        )
    return provider


def _active_type(session: Session, type_id: int) -> AppointmentType:
    kind = session.get(AppointmentType, type_id)
    if kind is None:
        raise ValidationError({"type": "choose an appointment type"})
    if not kind.active:
        raise RefusedError(f"The appointment type '{kind.name}' is no longer offered")
    return kind


def _when(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a %m/%d/%Y} {local:%H:%M}"


def _add_event(
    uow: UnitOfWork,
    row: Appointment,
    kind: str,
    description: str,
    note: str = "",
    *,
    freed: tuple[int, int, datetime, datetime] | None = None,
) -> None:
    event = AppointmentEvent(
        appointment_id=row.id,
        patient_id=row.patient_id,
        kind=kind,
        at=utcnow(),
        by=uow.actor.username,
        description=description,
        note=clean_text(note),
    )
    if freed is not None:
        (
            event.freed_provider_id,
            event.freed_location_id,
            event.freed_start,
            event.freed_end,
        ) = freed
    uow.stamp(event, new=True)
    uow.session.add(event)


# --- actions --------------------------------------------------------------------------------


def _link_request(uow: UnitOfWork, request_id: int, patient_id: int) -> ConsultationRequest:
    request = states.request_for_change(uow.session, request_id)
    if request.patient_id != patient_id:
        raise RefusedError("That consultation request belongs to another patient")
    state = RequestState(request.state)
    if not state.is_open:
        raise RefusedError(
            f"That consultation request is {state.label.lower()}, so it cannot be booked"
        )
    if state in (RequestState.NEW, RequestState.AWAITING_RECORDS):
        raise RefusedError(
            f"That consultation request is still {state.label.lower()}: mark it ready to "
            "schedule first"
        )
    return request


def book(context: ServiceContext, form: BookingForm) -> AppointmentData:
    """Book one appointment. Outside the provider's availability it is refused with
    OutsideAvailabilityError unless ``allow_outside_availability`` (then recorded as an
    overbook). Another booking over the same time is refused with SlotTakenError."""
    return retry_when_busy(lambda: _book(context, form))


def _book(context: ServiceContext, form: BookingForm) -> AppointmentData:
    with context.writing(Permission.SCHEDULE) as uow:
        data = book_in(uow, form)
        uow.commit(result=data)
        return data


def book_in(uow: UnitOfWork, form: BookingForm) -> AppointmentData:
    """Book inside a caller's unit of work (the waitlist books and moves in one)."""
    session = uow.session
    patient = session.get(Patient, form.patient_id)
    if patient is None:
        raise ValidationError({"patient": "choose a patient"})
    if patient.merged_into_id is not None:
        raise RefusedError("That chart was merged into another; book on the current chart")
    provider = _active_provider(session, form.provider_id)
    kind = _active_type(session, form.type_id)
    start = _utc(form.start)
    end = _utc(form.end) if form.end else start + timedelta(minutes=kind.duration_minutes)
    location_id = form.location_id
    verdict, zone = _booking_check(
        session, provider.id, kind.id, start, end, location_id, exclude_id=None
    )
    if location_id is not None and session.get(Location, location_id) is None:
        raise ValidationError({"location": "choose a location"})
    problem = verdict.hours_problem
    if problem and not form.allow_outside_availability:
        raise OutsideAvailabilityError(
            f"{problem[:1].upper()}{problem[1:]} ({_when(start, zone)}). "
            "Book it anyway as an overbook?"
        )
    location_id = location_id or verdict.location_id
    if location_id is None:
        raise ValidationError({"location": "choose a location for a time outside hours"})
    request = _link_request(uow, form.request_id, patient.id) if form.request_id else None
    if verdict.taken:
        raise SlotTakenError(SLOT_TAKEN_MESSAGE)
    now = utcnow()
    row = Appointment(
        patient_id=patient.id,
        provider_id=provider.id,
        location_id=location_id,
        type_id=kind.id,
        starts_at=start,
        ends_at=end,
        reason=clean_text(form.reason),
        notes=clean_text(form.notes),
        request_id=request.id if request else None,
        status=AppointmentStatus.BOOKED.value,
        status_changed_at=now,
        overbooked=bool(problem),
    )
    uow.stamp(row, new=True)
    session.add(row)
    session.flush()
    description = (
        f"Booked {kind.name} with {provider_label(provider)}, {_when(row.starts_at, zone)}"
    )
    if problem:
        description += f"; overbooked on purpose ({problem})"
    _add_event(uow, row, "booked", description)
    if request is not None:
        _request_scheduled(uow, request, row, zone)
    session.flush()
    data = _one_data(session, row)
    return data


def _request_scheduled(
    uow: UnitOfWork, request: ConsultationRequest, row: Appointment, zone: tzinfo
) -> None:
    """A request ready to schedule is Scheduled once an appointment holds a time for it,
    however the time was found (booked, or moved there from the waitlist)."""
    if request.state == RequestState.READY_TO_SCHEDULE.value:
        states.transition_in(
            uow, request, RequestState.SCHEDULED, f"Appointment {_when(row.starts_at, zone)}"
        )


def reschedule(
    context: ServiceContext,
    appointment_id: int,
    *,
    start: datetime,
    end: datetime | None = None,
    provider_id: int | None = None,
    location_id: int | None = None,
    allow_outside_availability: bool = False,
    note: str = "",
    expected_version: int | None = None,
) -> AppointmentData:
    """Move an appointment (another time, provider or length), keeping its history; the old
    time is freed. ``end`` None keeps the appointment's length."""
    return retry_when_busy(
        lambda: _reschedule(
            context,
            appointment_id,
            start,
            end,
            provider_id,
            location_id,
            allow_outside_availability,
            note,
            expected_version,
        )
    )


def _reschedule(
    context: ServiceContext,
    appointment_id: int,
    start: datetime,
    end: datetime | None,
    provider_id: int | None,
    location_id: int | None,
    allow_outside_availability: bool,
    note: str,
    expected_version: int | None,
) -> AppointmentData:
    with context.writing(Permission.SCHEDULE) as uow:
        data = reschedule_in(
            uow,
            appointment_id,
            start=start,
            end=end,
            provider_id=provider_id,
            location_id=location_id,
            allow_outside_availability=allow_outside_availability,
            note=note,
            expected_version=expected_version,
        )
        uow.commit()
        return data


def reschedule_in(
    uow: UnitOfWork,
    appointment_id: int,
    *,
    start: datetime,
    end: datetime | None = None,
    provider_id: int | None = None,
    location_id: int | None = None,
    allow_outside_availability: bool = False,
    note: str = "",
    expected_version: int | None = None,
    request_id: int | None = None,
) -> AppointmentData:
    """Move an appointment inside a caller's unit of work. With ``request_id`` (the waitlist
    entry's request) the moved appointment is booked for that request, as a booking would be."""
    session = uow.session
    row = _get(session, appointment_id, for_update=True)
    check_version(row, expected_version, "appointment")
    status = AppointmentStatus(row.status)
    if status not in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED):
        raise RefusedError(
            f"A {status.label.lower()} appointment cannot be moved; book a new one instead"
        )
    request = None
    if request_id is not None and row.request_id in (None, request_id):
        request = _link_request(uow, request_id, row.patient_id)
    start = _utc(start)
    new_end = _utc(end) if end else start + (row.ends_at - row.starts_at)
    provider = _active_provider(session, provider_id or row.provider_id)
    verdict, zone = _booking_check(
        session, provider.id, row.type_id, start, new_end, location_id, exclude_id=row.id
    )
    problem = verdict.hours_problem
    if problem and not allow_outside_availability:
        raise OutsideAvailabilityError(
            f"{problem[:1].upper()}{problem[1:]} ({_when(start, zone)}). "
            "Move it there anyway as an overbook?"
        )
    new_location = location_id or verdict.location_id or row.location_id
    if verdict.taken:
        raise SlotTakenError(SLOT_TAKEN_MESSAGE)
    old = (row.provider_id, row.location_id, row.starts_at, row.ends_at)
    old_text = f"{provider_names(session).get(row.provider_id, '')}, {_when(row.starts_at, zone)}"
    row.provider_id = provider.id
    row.location_id = new_location
    row.starts_at = start
    row.ends_at = new_end
    row.overbooked = bool(problem)
    if row.status == AppointmentStatus.CONFIRMED.value:
        # A new time needs confirming again.
        row.status = AppointmentStatus.BOOKED.value
        row.status_changed_at = utcnow()
    uow.stamp(row, new=False)
    session.flush()
    if old[2:] == (start, new_end) and old[0] == provider.id:
        description = "Location changed"
    elif old[0] == provider.id and old[2] == start:
        description = f"Length changed to {int((new_end - start).total_seconds() // 60)} min"
    else:
        description = f"Moved from {old_text} to {provider_label(provider)}, {_when(start, zone)}"
    if problem:
        description += f"; overbooked on purpose ({problem})"
    freed_parts = subtract([Interval(old[2], old[3])], [Interval(start, new_end)])
    freed = None
    if freed_parts or old[0] != provider.id:
        part = Interval(old[2], old[3]) if old[0] != provider.id else freed_parts[0]
        freed = (old[0], old[1], part.start, part.end)
    _add_event(uow, row, "moved", description, note, freed=freed)
    if request is not None:
        row.request_id = request.id
        _request_scheduled(uow, request, row, zone)
        session.flush()
    data = _one_data(session, row)
    return data


def _after_time_freed(uow: UnitOfWork, row: Appointment, zone: tzinfo, why: str) -> None:
    """A scheduled request whose appointment is gone goes back to Ready to schedule."""
    if row.request_id is None:
        return
    request = uow.session.get(ConsultationRequest, row.request_id)
    if request is None or request.state != RequestState.SCHEDULED.value:
        return
    others = uow.session.scalar(
        select(Appointment.id).where(
            Appointment.request_id == row.request_id,
            Appointment.id != row.id,
            Appointment.status.in_(ACTIVE_VALUES),
        )
    )
    if others is None:
        states.transition_in(
            uow, request, RequestState.READY_TO_SCHEDULE, f"{why}: {_when(row.starts_at, zone)}"
        )


def cancel(
    context: ServiceContext,
    appointment_id: int,
    *,
    by: CancelledBy | str,
    reason: str,
    expected_version: int | None = None,
) -> AppointmentData:
    """Cancel (who asked, why, when); the time is free again at once."""
    who = CancelledBy(by)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": "say why the appointment is cancelled"})
    if len(reason) > 500:
        raise ValidationError({"reason": "at most 500 characters"})
    with context.writing(Permission.SCHEDULE) as uow:
        session = uow.session
        zone = zone_of(session)
        row = _get(session, appointment_id, for_update=True)
        check_version(row, expected_version, "appointment")
        problem = status_move_problem(AppointmentStatus(row.status), AppointmentStatus.CANCELLED)
        if problem:
            raise RefusedError(problem[:1].upper() + problem[1:])
        now = utcnow()
        row.status = AppointmentStatus.CANCELLED.value
        row.status_changed_at = now
        row.cancelled_by = who.value
        row.cancel_reason = reason
        row.cancelled_at = now
        uow.stamp(row, new=False)
        session.flush()
        _add_event(
            uow,
            row,
            "cancelled",
            f"Cancelled {who.label.lower()}",
            reason,
            freed=(row.provider_id, row.location_id, row.starts_at, row.ends_at),
        )
        _after_time_freed(uow, row, zone, "Appointment cancelled")
        data = _one_data(session, row)
        uow.commit()
        return data


def set_status(
    context: ServiceContext,
    appointment_id: int,
    status: AppointmentStatus | str,
    note: str = "",
    *,
    expected_version: int | None = None,
) -> AppointmentData:
    """Confirmed, checked in, completed, no-show (cancelling is :func:`cancel`)."""
    target = AppointmentStatus(status)
    if target is AppointmentStatus.CANCELLED:
        raise ValidationError({"status": "use Cancel, which asks who cancelled and why"})
    with context.writing(Permission.SCHEDULE) as uow:
        data = _set_status(uow, appointment_id, target, note, expected_version)
        uow.commit()
        return data


def _set_status(
    uow: UnitOfWork,
    appointment_id: int,
    target: AppointmentStatus,
    note: str,
    expected_version: int | None,
) -> AppointmentData:
    session = uow.session
    zone = zone_of(session)
    row = _get(session, appointment_id, for_update=True)
    check_version(row, expected_version, "appointment")
    current = AppointmentStatus(row.status)
    problem = status_move_problem(current, target)
    if problem:
        raise RefusedError(problem[:1].upper() + problem[1:])
    if target is AppointmentStatus.NO_SHOW and row.starts_at > utcnow() + timedelta(hours=1):
        raise RefusedError("An appointment more than an hour away cannot be a no-show yet")
    row.status = target.value
    row.status_changed_at = utcnow()
    uow.stamp(row, new=False)
    session.flush()
    freed = None
    if target is AppointmentStatus.NO_SHOW:
        freed = (row.provider_id, row.location_id, row.starts_at, row.ends_at)
    _add_event(uow, row, "status", f"{current.label} → {target.label}", note, freed=freed)
    if target is AppointmentStatus.NO_SHOW:
        _after_time_freed(uow, row, zone, "Did not come")
    if target is AppointmentStatus.COMPLETED and row.request_id is not None:
        request = session.get(ConsultationRequest, row.request_id)
        if request is not None and request.state == RequestState.SCHEDULED.value:
            states.transition_in(uow, request, RequestState.SEEN, "Consultation completed")
    return _one_data(session, row)


def record_call(
    context: ServiceContext,
    appointment_id: int,
    outcome: CallOutcome | str,
    note: str = "",
    *,
    cancel_reason: str = "",
) -> AppointmentData:
    """A reminder call's outcome. Confirmed confirms the appointment; Cancelled cancels it
    (by the patient); Rescheduled is recorded here and the move is made with reschedule."""
    result = CallOutcome(outcome)
    with context.writing(Permission.SCHEDULE) as uow:
        session = uow.session
        zone = zone_of(session)
        row = _get(session, appointment_id, for_update=True)
        if not AppointmentStatus(row.status).holds_time:
            raise RefusedError(
                f"The appointment is {AppointmentStatus(row.status).label.lower()}; there is "
                "nothing to remind"
            )
        row.last_call_outcome = result.value
        uow.stamp(row, new=False)
        session.flush()
        _add_event(uow, row, "call", f"Reminder call: {result.label.lower()}", note)
        if result is CallOutcome.CONFIRMED and row.status == AppointmentStatus.BOOKED.value:
            _set_status(
                uow, row.id, AppointmentStatus.CONFIRMED, "Confirmed on the reminder call", None
            )
        if result is CallOutcome.CANCELLED:
            now = utcnow()
            row.status = AppointmentStatus.CANCELLED.value
            row.status_changed_at = now
            row.cancelled_by = CancelledBy.PATIENT.value
            row.cancel_reason = clean_text(cancel_reason) or "Cancelled on the reminder call"
            row.cancelled_at = now
            session.flush()
            _add_event(
                uow,
                row,
                "cancelled",
                "Cancelled by the patient on the reminder call",
                row.cancel_reason,
                freed=(row.provider_id, row.location_id, row.starts_at, row.ends_at),
            )
            _after_time_freed(uow, row, zone, "Appointment cancelled")
        data = _one_data(session, row)
        uow.commit()
        return data


def update_details(
    context: ServiceContext,
    appointment_id: int,
    *,
    reason: str,
    notes: str,
    expected_version: int | None = None,
) -> AppointmentData:
    with context.writing(Permission.SCHEDULE) as uow:
        row = _get(uow.session, appointment_id, for_update=True)
        check_version(row, expected_version, "appointment")
        row.reason = clean_text(reason)
        row.notes = clean_text(notes)
        if uow.session.is_modified(row):
            uow.stamp(row, new=False)
        uow.session.flush()
        data = _one_data(uow.session, row)
        uow.commit()
        return data


# --- reading --------------------------------------------------------------------------------


def get_appointment(context: ServiceContext, appointment_id: int) -> AppointmentDetail:
    with context.reading(Permission.VIEW_PATIENTS) as session:
        row = _get(session, appointment_id)
        events = session.scalars(
            select(AppointmentEvent)
            .where(AppointmentEvent.appointment_id == row.id)
            .order_by(AppointmentEvent.at, AppointmentEvent.id)
        )
        status = AppointmentStatus(row.status)
        return AppointmentDetail(
            appointment=_one_data(session, row),
            events=tuple(
                AppointmentEventData(e.kind, e.at, e.by, e.description, e.note) for e in events
            ),
            allowed_statuses=tuple(allowed_statuses(status)),
        )


def appointments_between(
    context: ServiceContext,
    start: datetime,
    end: datetime,
    provider_ids: Sequence[int] | None = None,
    *,
    include_inactive: bool = True,
) -> list[AppointmentData]:
    """Appointments that start in [start, end), in time order (cancelled ones too, unless
    ``include_inactive`` is False)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        return _between(session, start, end, provider_ids, include_inactive)


def _between(
    session: Session,
    start: datetime,
    end: datetime,
    provider_ids: Sequence[int] | None,
    include_inactive: bool,
) -> list[AppointmentData]:
    query = select(Appointment).where(Appointment.starts_at >= start, Appointment.starts_at < end)
    if provider_ids is not None:
        query = query.where(Appointment.provider_id.in_(list(provider_ids)))
    if not include_inactive:
        query = query.where(Appointment.status.in_(ACTIVE_VALUES))
    return _rows_data(session, query.order_by(Appointment.starts_at, Appointment.provider_id))


def day_appointments(
    context: ServiceContext,
    day: date,
    provider_ids: Sequence[int] | None = None,
    *,
    include_inactive: bool = True,
) -> list[AppointmentData]:
    with context.reading(Permission.VIEW_PATIENTS) as session:
        start, end = day_bounds(day, zone_of(session))
        return _between(session, start, end, provider_ids, include_inactive)


def appointments_for_patient(context: ServiceContext, patient_id: int) -> list[AppointmentData]:
    """A chart's appointments, newest first."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        query = (
            select(Appointment)
            .where(Appointment.patient_id == patient_id)
            .order_by(Appointment.starts_at.desc())
        )
        return _rows_data(session, query)


def appointments_for_request(context: ServiceContext, request_id: int) -> list[AppointmentData]:
    """The appointments booked from one consultation request (cancelled ones too), in time
    order: what the request's detail pane lists."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        query = (
            select(Appointment)
            .where(Appointment.request_id == request_id)
            .order_by(Appointment.starts_at, Appointment.id)
        )
        return _rows_data(session, query)


def calendar(
    context: ServiceContext, first_day: date, days: int, provider_ids: Sequence[int]
) -> CalendarData:
    """Everything a day or week view paints: appointments, open time, time away."""
    if not 1 <= days <= 31:
        raise ValidationError({"days": "between 1 and 31 days"})
    with context.reading(Permission.VIEW_PATIENTS) as session:
        zone = zone_of(session)
        last_day = first_day + timedelta(days=days - 1)
        start, _ = day_bounds(first_day, zone)
        _, end = day_bounds(last_day, zone)
        ids = list(provider_ids)
        blocks = availability_rows(session, ids)
        exceptions = exception_rows(session, ids, since=first_day, until=last_day)
        open_times: list[OpenTime] = []
        away: list[AwayTime] = []
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            for provider_id in ids:
                open_times.extend(open_times_on(day, provider_id, blocks, exceptions, zone))
            for exception in exceptions:
                interval = away_interval(exception, day, zone)
                if interval is not None:
                    away.append(
                        AwayTime(
                            exception.provider_id,
                            interval.start,
                            interval.end,
                            exception.kind.label
                            + (f": {exception.note}" if exception.note else ""),
                        )
                    )
        names = provider_names(session)
        return CalendarData(
            zone=zone,
            first_day=first_day,
            days=days,
            provider_ids=tuple(ids),
            provider_names={pid: names.get(pid, "") for pid in ids},
            appointments=tuple(_between(session, start, end, ids, True)),
            open_times=tuple(open_times),
            away=tuple(away),
        )


# --- finding free time ----------------------------------------------------------------------


def find_slots(context: ServiceContext, search: SlotSearch) -> list[SlotData]:
    """The next free slots that fit the type, provider (or any), location (or any) and the
    patient's preferred days and times, earliest first: every one a time ``book`` accepts
    without asking (the same :class:`Bookability` decides both)."""
    limit = max(1, min(search.limit, MAX_SLOTS))
    with context.reading(Permission.VIEW_PRACTICE) as session:
        zone = zone_of(session)
        kind = _active_type(session, search.type_id)
        duration = timedelta(minutes=kind.duration_minutes)
        providers_query = select(Provider).where(Provider.active.is_(True))
        if search.provider_id is not None:
            _active_provider(session, search.provider_id)
            providers_query = providers_query.where(Provider.id == search.provider_id)
        providers = {row.id: provider_label(row) for row in session.scalars(providers_query)}
        blocks = [
            block
            for block in availability_rows(session, list(providers))
            if block.takes(kind.id)
            and (search.location_id is None or block.location_id == search.location_id)
        ]
        provider_ids = sorted({block.provider_id for block in blocks})
        if not provider_ids:
            return []
        now = utcnow()
        after = max(search.after or now, now)
        first_day = after.astimezone(zone).date()
        # Never further than a booking may go: a slot offered is a slot that books.
        horizon = min(
            first_day + timedelta(days=max(1, search.horizon_days)),
            last_bookable_day(today_in(zone)) + timedelta(days=1),
        )
        away = exception_rows(session, provider_ids, since=first_day, until=horizon)
        found: list[SlotData] = []
        chunk_start = first_day
        chunk_days = SEARCH_CHUNK_DAYS
        while chunk_start < horizon and len(found) < limit:
            chunk_end = min(chunk_start + timedelta(days=chunk_days), horizon)
            # A search that has to look far ahead takes bigger steps: each window is one
            # query, and a query costs more than the rows it brings.
            chunk_days = min(chunk_days * 2, MAX_CHUNK_DAYS)
            window_start, _ = day_bounds(chunk_start, zone)
            window_end, _ = day_bounds(chunk_end, zone)
            rules = read_bookability(
                session, provider_ids, window_start, window_end, blocks=blocks, away=away
            )
            day = chunk_start
            while day < chunk_end and len(found) < limit:
                found.extend(
                    _slots_on(
                        rules,
                        day,
                        providers,
                        provider_ids,
                        search,
                        duration,
                        after,
                        limit - len(found),
                    )
                )
                day += timedelta(days=1)
            chunk_start = chunk_end
        return found[:limit]


def _slots_on(
    rules: Bookability,
    day: date,
    providers: dict[int, str],
    provider_ids: Sequence[int],
    search: SlotSearch,
    duration: timedelta,
    after: datetime,
    wanted: int,
) -> list[SlotData]:
    preference = search.preference
    if preference.weekdays and day.weekday() not in preference.weekdays:
        return []
    whole_day = Interval(*day_bounds(day, rules.zone))
    slots: list[SlotData] = []
    for provider_id in provider_ids:
        starts = (
            (start, open_time)
            for start, open_time in rules.free_slots(
                provider_id,
                search.type_id,
                duration,
                whole_day,
                not_before=after,
                location_id=search.location_id,
            )
            if preference.accepts(start, start + duration, rules.zone)
        )
        slots.extend(
            SlotData(
                provider_id=provider_id,
                provider_name=providers[provider_id],
                location_id=open_time.location_id,
                location_name=open_time.location_name,
                type_id=search.type_id,
                start=start,
                end=start + duration,
            )
            for start, open_time in islice(starts, wanted)
        )
    slots.sort(key=lambda slot: (slot.start, slot.provider_name))
    return slots[:wanted]


def freed_times(
    context: ServiceContext, *, now: datetime | None = None, days_ahead: int = 14
) -> list[FreedTime]:
    """Times given back in the coming ``days_ahead`` days (cancellations, no-shows, moves)
    that nobody has booked since, earliest first."""
    now = now or utcnow()
    with context.reading(Permission.VIEW_PRACTICE) as session:
        return freed_times_in(session, now, now + timedelta(days=days_ahead))


def freed_times_in(session: Session, start: datetime, end: datetime) -> list[FreedTime]:
    """Freed time between ``start`` (now) and ``end`` that can still be booked: what
    cancellations, no-shows and moves gave back, and the open time of weekly hours added in
    the last week."""
    return freed_times_with_rules(session, start, end)[0]


def freed_times_with_rules(
    session: Session, start: datetime, end: datetime
) -> tuple[list[FreedTime], Bookability | None]:
    """:func:`freed_times_in`, with the :class:`Bookability` it was decided by (None when
    nothing was freed), for matching the waitlist against the same facts."""
    candidates: list[tuple[int, int, Interval, datetime, str]] = []
    for event in session.scalars(
        select(AppointmentEvent)
        .where(
            AppointmentEvent.freed_start.is_not(None),
            AppointmentEvent.freed_end > start,
            AppointmentEvent.freed_start < end,
        )
        .order_by(AppointmentEvent.freed_start)
    ):
        assert event.freed_start is not None and event.freed_end is not None
        candidates.append(
            (
                event.freed_provider_id or 0,
                event.freed_location_id or 0,
                Interval(event.freed_start, event.freed_end),
                event.at,
                event.description,
            )
        )
    candidates.extend(_new_hours(session, start, end))
    if not candidates:
        return [], None
    providers = provider_names(session)
    provider_ids = sorted({provider_id for provider_id, *_ in candidates})
    latest = max(interval.end for _, _, interval, _, _ in candidates)
    rules = read_bookability(
        session, provider_ids, start, max(latest, start + SLOT_STEP), now=start
    )
    # A scrap shorter than the shortest visit cannot be booked: not worth a line on Today.
    shortest = timedelta(
        minutes=session.scalar(
            select(func.min(AppointmentType.duration_minutes)).where(
                AppointmentType.active.is_(True)
            )
        )
        or 15
    )
    result: dict[tuple[int, datetime, datetime], FreedTime] = {}
    for provider_id, _location_id, interval, freed_at, description in candidates:
        if interval.end <= start:
            continue
        visible = Interval(max(interval.start, start), interval.end)
        # Only what the provider's hours still hold is offered: an overbook's time, or time
        # away entered since, is not free time to give to someone.
        for day in local_days(visible.start, visible.end, rules.zone):
            for open_time in rules.open_times(day, provider_id):
                inside = Interval(
                    max(visible.start, open_time.start), min(visible.end, open_time.end)
                )
                if inside.empty:
                    continue
                for part in subtract(
                    [inside], overlapping(rules.busy.get(provider_id, ()), inside)
                ):
                    if part.length < shortest:
                        continue
                    result[(provider_id, part.start, part.end)] = FreedTime(
                        provider_id=provider_id,
                        provider_name=providers.get(provider_id, ""),
                        location_id=open_time.location_id,
                        location_name=open_time.location_name,
                        start=part.start,
                        end=part.end,
                        freed_at=freed_at,
                        description=description,
                    )
    ordered = sorted(result.values(), key=lambda item: (item.start, item.provider_name))
    return ordered, rules


def _new_hours(
    session: Session, start: datetime, end: datetime
) -> list[tuple[int, int, Interval, datetime, str]]:
    """The open time, between ``start`` and ``end``, of weekly hours added in the last
    NEW_HOURS_DAYS days: new availability is freed time for the waitlist too."""
    recent = session.scalars(
        select(AvailabilityBlock).where(
            AvailabilityBlock.created_at >= start - timedelta(days=NEW_HOURS_DAYS)
        )
    ).all()
    if not recent:
        return []
    # Hours entered while a provider's week is first set up are not "freed": only hours
    # added later (an extra clinic, a reopened afternoon) are offered to the waitlist.
    first_entered = dict(
        session.execute(
            select(AvailabilityBlock.provider_id, func.min(AvailabilityBlock.created_at))
            .where(AvailabilityBlock.provider_id.in_({block.provider_id for block in recent}))
            .group_by(AvailabilityBlock.provider_id)
        ).all()
    )
    new_blocks = [
        block
        for block in recent
        if block.created_at - first_entered[block.provider_id] > SETUP_GRACE
    ]
    if not new_blocks:
        return []
    zone = zone_of(session)
    wanted = {block.id for block in new_blocks}
    provider_ids = sorted({block.provider_id for block in new_blocks})
    blocks = [row for row in availability_rows(session, provider_ids) if row.id in wanted]
    days = local_days(start, end, zone)
    exceptions = exception_rows(session, provider_ids, since=days[0], until=days[-1])
    created = {block.id: block.created_at for block in new_blocks}
    result = []
    for block in blocks:
        for day in days:
            for open_time in open_times_on(day, block.provider_id, [block], exceptions, zone):
                result.append(
                    (
                        block.provider_id,
                        block.location_id,
                        open_time.interval,
                        created[block.id],
                        f"New hours: {block.description}",
                    )
                )
    return result


# --- the chart's timeline -------------------------------------------------------------------


def appointment_events(session: Session, patient_id: int, today: date) -> list[TimelineEvent]:
    zone = zone_of(session)
    names = _Names(session)
    rows = session.scalars(select(Appointment).where(Appointment.patient_id == patient_id))
    events = []
    for row in rows:
        local = row.starts_at.astimezone(zone)
        kind = names.types.get(row.type_id)
        status = AppointmentStatus(row.status)
        events.append(
            TimelineEvent(
                kind="appointment",
                date=PartialDate.exact(local.date()),
                title=f"Appointment: {kind.name if kind else ''} with "
                f"{names.providers.get(row.provider_id, '')}",
                detail=f"{local:%H:%M} at {names.locations.get(row.location_id, '')}. "
                f"{status.label}. {row.reason}".strip(),
                record_id=row.id,
                at=row.starts_at,
            )
        )
    return events
