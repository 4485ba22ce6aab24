"""The waitlist: patients who want an earlier time, matched against times that free up."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import Location, Provider
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.db.models_scheduling import Appointment, AppointmentType, WaitlistEntry
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import NotFoundError, RefusedError, ValidationError
from frontdesk.domain.names import listed_name
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import (
    AppointmentStatus,
    Bookability,
    Interval,
    TimePreference,
    WaitlistUrgency,
    parse_weekdays,
)
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.kernel.context import ServiceContext, retry_when_busy
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.scheduling import bookability, booking
from frontdesk.services.scheduling._rows import _minute, _patient_phone
from frontdesk.services.scheduling.bookability import ACTIVE_VALUES
from frontdesk.services.scheduling.data import (
    AppointmentData,
    BookingForm,
    FreedTimeMatches,
    WaitlistEntryData,
    WaitlistForm,
    WaitlistMatch,
)
from frontdesk.services.scheduling.freed import freed_times_with_rules
from frontdesk.services.scheduling.names import location_names, provider_names

TABLES = frozenset({"waitlist_entries"})


# A patient who cannot come at short notice is offered only times at least this far ahead.
SHORT_NOTICE = timedelta(hours=48)


def _preference(row: WaitlistEntry) -> TimePreference:
    return TimePreference(
        weekdays=parse_weekdays(json.loads(row.weekdays or "[]")),
        earliest=row.earliest_minute,
        latest=row.latest_minute,
    )


def _entry_data(
    session: Session,
    row: WaitlistEntry,
    patient: Patient,
    kind: AppointmentType,
    providers: dict[int, str],
    locations: dict[int, str],
) -> WaitlistEntryData:
    appointment = session.get(Appointment, row.appointment_id) if row.appointment_id else None
    holds = appointment is not None and AppointmentStatus(appointment.status).holds_time
    return WaitlistEntryData(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=listed_name(patient.last_name, patient.first_name, patient.middle_name),
        mrn=patient.mrn,
        phone=_patient_phone(patient),
        type_id=row.type_id,
        type_name=kind.name,
        duration_minutes=kind.duration_minutes,
        provider_id=row.provider_id,
        provider_name=providers.get(row.provider_id, "") if row.provider_id else "",
        location_id=row.location_id,
        location_name=locations.get(row.location_id, "") if row.location_id else "",
        urgency=WaitlistUrgency(row.urgency),
        preference=_preference(row),
        short_notice=row.short_notice,
        added_at=row.added_at,
        note=row.note,
        appointment_id=row.appointment_id if holds else None,
        appointment_start=appointment.starts_at if holds and appointment else None,
        request_id=row.request_id,
        is_waiting=row.is_waiting,
        resolution=row.resolution,
        version=row.version,
    )


def _entries(session: Session, *, waiting_only: bool, patient_id: int | None = None):  # type: ignore[no-untyped-def]
    query = (
        select(WaitlistEntry, Patient, AppointmentType)
        .join(Patient, Patient.id == WaitlistEntry.patient_id)
        .join(AppointmentType, AppointmentType.id == WaitlistEntry.type_id)
        .order_by(WaitlistEntry.urgency_rank, WaitlistEntry.added_at, WaitlistEntry.id)
    )
    if waiting_only:
        query = query.where(WaitlistEntry.is_waiting.is_(True))
    if patient_id is not None:
        query = query.where(WaitlistEntry.patient_id == patient_id)
    providers, locations = provider_names(session), location_names(session)
    return [
        _entry_data(session, row, patient, kind, providers, locations)
        for row, patient, kind in session.execute(query)
    ]


def list_waitlist(
    context: ServiceContext, *, waiting_only: bool = True, patient_id: int | None = None
) -> list[WaitlistEntryData]:
    """Most urgent first, then longest waiting."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        return _entries(session, waiting_only=waiting_only, patient_id=patient_id)


def _first_fit(
    session: Session,
    rules: Bookability,
    entry: WaitlistEntryData,
    provider_id: int,
    free: Interval,
    now: datetime,
) -> WaitlistMatch | None:
    """The earliest time in ``free`` the entry's patient can be booked into: the slot
    :class:`Bookability` allows for their type (and location), on days and times they can
    come, with the notice they need, sooner than what they hold, and not over another visit
    of theirs."""
    if entry.provider_id is not None and entry.provider_id != provider_id:
        return None
    duration = timedelta(minutes=entry.duration_minutes)
    not_before = now if entry.short_notice else now + SHORT_NOTICE
    own = [
        Interval(starts_at, ends_at)
        for appointment_id, starts_at, ends_at in session.execute(
            select(Appointment.id, Appointment.starts_at, Appointment.ends_at).where(
                Appointment.patient_id == entry.patient_id,
                Appointment.status.in_(ACTIVE_VALUES),
                Appointment.starts_at < free.end,
                Appointment.ends_at > free.start,
            )
        )
        if appointment_id != entry.appointment_id
    ]
    for start, open_time in rules.free_slots(
        provider_id,
        entry.type_id,
        duration,
        free,
        not_before=not_before,
        location_id=entry.location_id,
    ):
        if entry.appointment_start is not None and entry.appointment_start <= start:
            return None  # what they hold already is sooner
        wanted = Interval(start, start + duration)
        if not entry.preference.accepts(wanted.start, wanted.end, rules.zone):
            continue
        if any(visit.overlaps(wanted) for visit in own):
            continue
        return WaitlistMatch(
            entry=entry, start=wanted.start, end=wanted.end, location_id=open_time.location_id
        )
    return None


def _matches(
    session: Session,
    rules: Bookability,
    entries: Sequence[WaitlistEntryData],
    provider_id: int,
    free: Interval,
    now: datetime,
) -> list[WaitlistMatch]:
    result = []
    for entry in entries:
        match = _first_fit(session, rules, entry, provider_id, free, now)
        if match is not None:
            result.append(match)
    return result


def matches_for_time(
    context: ServiceContext,
    *,
    provider_id: int,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
) -> list[WaitlistMatch]:
    """Waitlisted patients who fit the free time, most urgent and longest waiting first.
    Only what is still bookable is matched: a time booked since (from the waitlist or by
    anyone) finds nobody, and the provider's hours there say the location."""
    now = now or utcnow()
    with context.reading(Permission.VIEW_PATIENTS) as session:
        free = Interval(max(start, now), max(end, now))
        if free.empty:
            return []
        rules = bookability.read_bookability(session, [provider_id], free.start, free.end, now=now)
        entries = _entries(session, waiting_only=True)
        return _matches(session, rules, entries, provider_id, free, now)


def freed_times_with_waitlist(
    context: ServiceContext, *, now: datetime | None = None, days_ahead: int = 14
) -> list[FreedTimeMatches]:
    """The Today area: each freed time nobody has filled, with who on the waitlist fits it."""
    now = now or utcnow()
    with context.reading(Permission.VIEW_PATIENTS) as session:
        freed, rules = freed_times_with_rules(session, now, now + timedelta(days=days_ahead))
        if rules is None:
            return []
        entries = _entries(session, waiting_only=True)
        return [
            FreedTimeMatches(
                freed=item,
                matches=tuple(
                    _matches(
                        session,
                        rules,
                        entries,
                        item.provider_id,
                        Interval(item.start, item.end),
                        now,
                    )
                ),
            )
            for item in freed
        ]


def _validated(session: Session, form: WaitlistForm) -> dict[str, object]:
    errors: dict[str, str] = {}
    patient = session.get(Patient, form.patient_id)
    if patient is None:
        errors["patient"] = "choose a patient"
    kind = session.get(AppointmentType, form.type_id)
    if kind is None or not kind.active:
        errors["type"] = "choose an appointment type"
    if form.provider_id is not None:
        provider = session.get(Provider, form.provider_id)
        if provider is None or not provider.active:
            errors["provider"] = "choose an active provider, or any"
    if form.location_id is not None and session.get(Location, form.location_id) is None:
        errors["location"] = "choose a location, or any"
    try:
        urgency = WaitlistUrgency(form.urgency)
    except ValueError:
        errors["urgency"] = "urgent, soon or routine"
        urgency = WaitlistUrgency.ROUTINE
    try:
        weekdays = parse_weekdays(form.weekdays)
    except ValueError as error:
        errors["weekdays"] = str(error)
        weekdays = ()
    earliest = _minute(errors, "earliest", form.earliest)
    latest = _minute(errors, "latest", form.latest)
    if earliest is not None and latest is not None and latest <= earliest:
        errors["latest"] = "the latest time must be after the earliest"
    if form.appointment_id is not None:
        appointment = session.get(Appointment, form.appointment_id)
        if appointment is None or appointment.patient_id != form.patient_id:
            errors["appointment"] = "that appointment is not this patient's"
        elif not AppointmentStatus(appointment.status).holds_time:
            errors["appointment"] = "that appointment is no longer booked"
    if form.request_id is not None:
        request = session.get(ConsultationRequest, form.request_id)
        if request is None or request.patient_id != form.patient_id:
            errors["request"] = "that request is not this patient's"
    note = clean_text(form.note)
    if len(note) > 2000:
        errors["note"] = "at most 2000 characters"
    if errors:
        raise ValidationError(errors)
    return {
        "patient_id": form.patient_id,
        "type_id": form.type_id,
        "provider_id": form.provider_id,
        "location_id": form.location_id,
        "urgency": urgency.value,
        "urgency_rank": urgency.rank,
        "weekdays": json.dumps([int(day) for day in weekdays]),
        "earliest_minute": earliest,
        "latest_minute": latest,
        "short_notice": bool(form.short_notice),
        "note": note,
        "appointment_id": form.appointment_id,
        "request_id": form.request_id,
    }


def _one(session: Session, row: WaitlistEntry) -> WaitlistEntryData:
    patient = session.get(Patient, row.patient_id)
    kind = session.get(AppointmentType, row.type_id)
    assert patient is not None and kind is not None
    return _entry_data(
        session, row, patient, kind, provider_names(session), location_names(session)
    )


def _get(session: Session, entry_id: int) -> WaitlistEntry:
    row = session.get(WaitlistEntry, entry_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"There is no waitlist entry with id {entry_id}")
    return row


def _open_entry(session: Session, entry_id: int, expected_version: int | None) -> WaitlistEntry:
    """The entry, locked, at the version the screen showed; a closed one cannot change."""
    row = _get(session, entry_id)
    check_version(row, expected_version, "waitlist entry")
    if not row.is_waiting:
        raise RefusedError("This waitlist entry is closed already")
    return row


def add_to_waitlist(context: ServiceContext, form: WaitlistForm) -> WaitlistEntryData:
    with context.writing(Permission.SCHEDULE) as uow:
        values = _validated(uow.session, form)
        already = uow.session.scalar(
            select(WaitlistEntry.id).where(
                WaitlistEntry.patient_id == form.patient_id,
                WaitlistEntry.type_id == form.type_id,
                WaitlistEntry.is_waiting.is_(True),
            )
        )
        if already is not None:
            raise RefusedError(
                "This patient is already on the waitlist for this type of appointment; "
                "change that entry instead"
            )
        row = WaitlistEntry(**values, added_at=utcnow(), is_waiting=True, resolution="")
        uow.stamp(row, new=True)
        uow.session.add(row)
        uow.session.flush()
        data = _one(uow.session, row)
        uow.commit()
        return data


def update_waitlist_entry(
    context: ServiceContext,
    entry_id: int,
    form: WaitlistForm,
    *,
    expected_version: int | None = None,
) -> WaitlistEntryData:
    with context.writing(Permission.SCHEDULE) as uow:
        row = _open_entry(uow.session, entry_id, expected_version)
        values = _validated(uow.session, form)
        values.pop("patient_id")
        for key, value in values.items():
            setattr(row, key, value)
        if uow.session.is_modified(row):
            uow.stamp(row, new=False)
        uow.session.flush()
        data = _one(uow.session, row)
        uow.commit()
        return data


def remove_from_waitlist(
    context: ServiceContext, entry_id: int, reason: str, *, expected_version: int | None = None
) -> WaitlistEntryData:
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": "say why the patient leaves the waitlist"})
    with context.writing(Permission.SCHEDULE) as uow:
        row = _open_entry(uow.session, entry_id, expected_version)
        row.is_waiting = False
        row.resolved_at = utcnow()
        row.resolution = f"Removed: {reason}"[:200]
        uow.stamp(row, new=False)
        uow.session.flush()
        data = _one(uow.session, row)
        uow.commit()
        return data


def book_from_waitlist(
    context: ServiceContext,
    entry_id: int,
    *,
    provider_id: int,
    start: datetime,
    location_id: int | None = None,
    allow_outside_availability: bool = False,
) -> AppointmentData:
    """Give a waitlisted patient the time: their later appointment moves to it (its old time
    frees in turn, with its history kept), or a new one is booked; the entry closes. One
    transaction: if the time was just taken, nothing changes."""
    return retry_when_busy(
        lambda: _book_from_waitlist(
            context, entry_id, provider_id, start, location_id, allow_outside_availability
        )
    )


def _book_from_waitlist(
    context: ServiceContext,
    entry_id: int,
    provider_id: int,
    start: datetime,
    location_id: int | None,
    allow_outside_availability: bool,
) -> AppointmentData:
    with context.writing(Permission.SCHEDULE) as uow:
        row = _get(uow.session, entry_id)
        if not row.is_waiting:
            raise RefusedError("This patient is no longer on the waitlist")
        kind = uow.session.get(AppointmentType, row.type_id)
        assert kind is not None
        end = start + timedelta(minutes=kind.duration_minutes)
        held = uow.session.get(Appointment, row.appointment_id) if row.appointment_id else None
        if held is not None and AppointmentStatus(held.status) in (
            AppointmentStatus.BOOKED,
            AppointmentStatus.CONFIRMED,
        ):
            data = booking.reschedule_in(
                uow,
                held.id,
                start=start,
                end=end,
                provider_id=provider_id,
                location_id=location_id,
                allow_outside_availability=allow_outside_availability,
                note="Moved to an earlier time from the waitlist",
                request_id=row.request_id,
            )
        else:
            data = booking.book_in(
                uow,
                BookingForm(
                    patient_id=row.patient_id,
                    provider_id=provider_id,
                    type_id=row.type_id,
                    start=start,
                    end=end,
                    location_id=location_id,
                    reason=row.note,
                    request_id=row.request_id,
                    allow_outside_availability=allow_outside_availability,
                ),
            )
        zone = zone_of(uow.session)
        local = data.start.astimezone(zone)
        row.is_waiting = False
        row.resolved_at = utcnow()
        row.resolution = f"Booked {local:%m/%d/%Y %H:%M} with {data.provider_name}"[:200]
        uow.stamp(row, new=False)
        uow.commit()
        return data
