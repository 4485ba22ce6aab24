"""Each appointment as an event on the chart's timeline."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_scheduling import (
    Appointment,
)
from frontdesk.domain.history_records import TimelineEvent
from frontdesk.domain.partial_dates import PartialDate
from frontdesk.domain.scheduling import (
    AppointmentStatus,
)
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.scheduling._rows import _Names


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
