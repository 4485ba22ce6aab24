"""Booking an appointment, moving it, and changing its reason and notes.

The database refuses overlapping bookings of one provider (migration 0006); this module
checks first so the usual refusal is quick and worded, and turns the database's own refusal
(two workstations at the same moment) into the same message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import Location, Provider
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.db.models_scheduling import (
    Appointment,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import (
    FrontDeskError,
    RefusedError,
    SlotTakenError,
    ValidationError,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_states import RequestState
from frontdesk.domain.scheduling import (
    ACTIVE_STATUSES,
    LONGEST,
    MAX_DURATION_MINUTES,
    SLOT_STEP,
    AppointmentStatus,
    BookingCheck,
    Interval,
    subtract,
)
from frontdesk.services.kernel.context import (
    SLOT_TAKEN_MESSAGE,
    ServiceContext,
    UnitOfWork,
    retry_when_busy,
)
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.requests import states
from frontdesk.services.scheduling._rows import (
    _active_provider,
    _active_type,
    _add_event,
    _get,
    _one_data,
    _when,
)
from frontdesk.services.scheduling.bookability import read_bookability
from frontdesk.services.scheduling.data import (
    AppointmentData,
    BookingForm,
)
from frontdesk.services.scheduling.names import provider_label, provider_names


class OutsideAvailabilityError(RefusedError):
    """The time is outside the provider's availability: booking it is a deliberate overbook
    the person must confirm (``allow_outside_availability``)."""


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


def _overlap_refusal(
    uow: UnitOfWork,
    provider: Provider,
    start: datetime,
    end: datetime,
    zone: tzinfo,
    known_at: datetime | None,
    exclude_id: int | None = None,
) -> FrontDeskError:
    """Why a time another booking holds is refused. Held by a booking already there when
    the person saw the schedule (``known_at``), the time simply does not fit: a field error
    naming that visit. Booked or moved there since, someone else was quicker: SlotTaken.
    ``exclude_id``: the appointment being moved, which never stands in its own way."""
    if known_at is None:
        return SlotTakenError(SLOT_TAKEN_MESSAGE)
    session = uow.session
    query = select(Appointment).where(
        Appointment.provider_id == provider.id,
        Appointment.status.in_([status.value for status in ACTIVE_STATUSES]),
        Appointment.starts_at < end,
        Appointment.ends_at > start,
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    rows = list(session.scalars(query.order_by(Appointment.starts_at)))
    seen = _utc(known_at)
    if not rows or any(row.updated_at > seen for row in rows):
        return SlotTakenError(SLOT_TAKEN_MESSAGE)
    first = rows[0]
    whose = "another patient's"
    if uow.context.actor.can(Permission.VIEW_PATIENTS):
        patient = session.get(Patient, first.patient_id)
        if patient is not None:
            whose = f"{patient.last_name}'s"
    minutes = int((end - start).total_seconds() // 60)
    local = first.starts_at.astimezone(zone)
    field = "end" if first.starts_at > start else "start"
    return ValidationError(
        {
            field: f"This {minutes}-minute visit would overlap {whose} {local:%H:%M} "
            f"appointment with {provider_label(provider)}; shorten it or choose another time"
        }
    )


def _link_request(
    uow: UnitOfWork,
    request_id: int,
    patient_id: int,
    *,
    make_ready: bool = False,
    override_reason: str = "",
) -> ConsultationRequest:
    """The request a booking is for, locked; with ``make_ready`` one still New or Awaiting
    records is made ready to schedule first, exactly as the Requests area would (records
    the practice rule wants and still missing need ``override_reason``)."""
    request = states.request_for_change(uow.session, request_id)
    if request.patient_id != patient_id:
        raise RefusedError("That consultation request belongs to another patient")
    state = RequestState(request.state)
    if not state.is_open:
        raise RefusedError(
            f"That consultation request is {state.label.lower()}, so it cannot be booked"
        )
    if state in (RequestState.NEW, RequestState.AWAITING_RECORDS):
        if not make_ready:
            raise RefusedError(
                f"That consultation request is still {state.label.lower()}: mark it ready to "
                "schedule first"
            )
        uow.context.require(Permission.EDIT_REQUESTS)
        states.checked_transition_in(
            uow,
            request,
            RequestState.READY_TO_SCHEDULE,
            "Made ready to book it",
            override_reason=override_reason,
        )
    return request


def book(context: ServiceContext, form: BookingForm) -> AppointmentData:
    """Book one appointment. Outside the provider's availability it is refused with
    OutsideAvailabilityError unless ``allow_outside_availability`` (then recorded as an
    overbook). Another booking over the same time is refused with SlotTakenError."""
    return retry_when_busy(lambda: _in_own_unit(context, partial(book_in, form=form)))


def _in_own_unit(
    context: ServiceContext, action: Callable[[UnitOfWork], AppointmentData]
) -> AppointmentData:
    """Run ``action`` in a unit of work of its own, committed when it returns."""
    with context.writing(Permission.SCHEDULE) as uow:
        data = action(uow)
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
    request = (
        _link_request(
            uow,
            form.request_id,
            patient.id,
            make_ready=form.make_request_ready,
            override_reason=form.ready_override_reason,
        )
        if form.request_id
        else None
    )
    if verdict.taken:
        raise _overlap_refusal(uow, provider, start, end, zone, form.known_at)
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
    known_at: datetime | None = None,
) -> AppointmentData:
    """Move an appointment (another time, provider or length), keeping its history; the old
    time is freed. ``end`` None keeps the appointment's length. Another booking over the new
    time is refused as a booking is (see ``known_at`` on BookingForm)."""
    move = partial(
        reschedule_in,
        appointment_id=appointment_id,
        start=start,
        end=end,
        provider_id=provider_id,
        location_id=location_id,
        allow_outside_availability=allow_outside_availability,
        note=note,
        expected_version=expected_version,
        known_at=known_at,
    )
    return retry_when_busy(lambda: _in_own_unit(context, move))


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
    known_at: datetime | None = None,
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
        raise _overlap_refusal(uow, provider, start, new_end, zone, known_at, exclude_id=row.id)
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
