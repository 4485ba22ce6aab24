"""Looking appointments up: one with its history, a chart's, a request's."""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.db.models_scheduling import (
    Appointment,
    AppointmentEvent,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import (
    AppointmentStatus,
    allowed_statuses,
)
from frontdesk.services.kernel.context import (
    ServiceContext,
)
from frontdesk.services.scheduling._rows import _get, _one_data, _rows_data
from frontdesk.services.scheduling.data import (
    AppointmentData,
    AppointmentDetail,
    AppointmentEventData,
)


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
