"""The area's stored rows, for its modules: found, checked, read as plain data, events written."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import Provider
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_scheduling import (
    Appointment,
    AppointmentEvent,
    AppointmentType,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text, format_phone
from frontdesk.domain.errors import (
    NotFoundError,
    RefusedError,
    ValidationError,
)
from frontdesk.domain.names import listed_name
from frontdesk.domain.scheduling import (
    AppointmentStatus,
    CallOutcome,
    CancelledBy,
    parse_clock,
)
from frontdesk.services.kernel.context import (
    UnitOfWork,
)
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.scheduling.data import AppointmentData
from frontdesk.services.scheduling.names import location_names, provider_label, provider_names


def _patient_phone(patient: Patient) -> str:
    return format_phone(patient.mobile_phone or patient.home_phone or patient.work_phone)


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
        patient_name=listed_name(patient.last_name, patient.first_name, patient.middle_name),
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


def _minute(errors: dict[str, str], name: str, value: str | int | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int):
        if not 0 <= value <= 24 * 60:
            errors[name] = "a time between 00:00 and 24:00"
            return None
        return value
    try:
        return parse_clock(value)
    except ValueError as error:
        errors[name] = str(error)
        return None


def _setup_row(session: Session, model: type, record_id: int, what: str):  # type: ignore[no-untyped-def]
    row = session.get(model, record_id)
    if row is None:
        raise NotFoundError(f"There is no {what} with id {record_id}")
    return row


def _saved_setup_row(  # type: ignore[no-untyped-def]
    uow: UnitOfWork,
    model: type,
    values: dict[str, object],
    record_id: int | None,
    expected_version: int | None,
    what: str,
):
    """A new setup row from ``values``, or the stored one (its version checked) changed to
    them: stamped when new or when something changed."""
    if record_id is None:
        row = model(**values)
        uow.stamp(row, new=True)
        uow.session.add(row)
        return row
    row = _setup_row(uow.session, model, record_id, what)
    check_version(row, expected_version, what)
    for key, value in values.items():
        setattr(row, key, value)
    if uow.session.is_modified(row):
        uow.stamp(row, new=False)
    return row
