"""The next visit of each of a few charts (the quick search shows it beside each patient)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from frontdesk.db.models_scheduling import Appointment
from frontdesk.db.types import utcnow
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling._rows import _rows_data
from frontdesk.services.scheduling.data import AppointmentData

# Still to come: booked, confirmed, or here now.
UPCOMING_STATUSES = (
    AppointmentStatus.BOOKED.value,
    AppointmentStatus.CONFIRMED.value,
    AppointmentStatus.CHECKED_IN.value,
)
# The quick search asks for one screenful of charts; more ids are a caller's mistake.
MAX_PATIENTS = 100


def next_appointments(
    context: ServiceContext, patient_ids: Sequence[int]
) -> dict[int, AppointmentData]:
    """Each chart's next appointment still to come (none for a chart with nothing booked).

    One read for all of them, each chart's first upcoming start found on the
    (patient_id, starts_at) index.
    """
    ids = list(dict.fromkeys(patient_ids))[:MAX_PATIENTS]
    if not ids:
        return {}
    with context.reading(Permission.VIEW_PATIENTS) as session:
        upcoming = (
            Appointment.patient_id.in_(ids),
            Appointment.starts_at >= utcnow(),
            Appointment.status.in_(UPCOMING_STATUSES),
        )
        first = (
            select(
                Appointment.patient_id.label("patient_id"),
                func.min(Appointment.starts_at).label("starts_at"),
            )
            .where(*upcoming)
            .group_by(Appointment.patient_id)
            .subquery()
        )
        query = (
            select(Appointment)
            .join(
                first,
                (first.c.patient_id == Appointment.patient_id)
                & (first.c.starts_at == Appointment.starts_at),
            )
            .where(*upcoming)
            .order_by(Appointment.id)
        )
        found: dict[int, AppointmentData] = {}
        for item in _rows_data(session, query):
            found.setdefault(item.patient_id, item)
        return found
