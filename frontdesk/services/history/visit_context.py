"""Why a patient is coming, who referred them, and their language: the surgeon's summary's
opening lines, read from the chart, its next appointment and its consultation request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.db.models_scheduling import Appointment, AppointmentType
from frontdesk.db.types import utcnow
from frontdesk.domain.history_records import VisitContext
from frontdesk.domain.scheduling import ACTIVE_STATUSES


def referrer_label(row: Referrer | None) -> str:
    """'Dr. Anil Patel, MD (Valley Family Medicine)', or the practice alone."""
    if row is None:
        return ""
    name = " ".join(part for part in (row.first_name, row.last_name) if part.strip())
    if not name:
        return row.practice_name
    label = f"Dr. {name}" + (f", {row.credentials}" if row.credentials else "")
    return f"{label} ({row.practice_name})" if row.practice_name else label


def visit_context(session: Session, patient: Patient, now: datetime | None = None) -> VisitContext:
    """The next appointment's reason (else its type), else the newest open request's; the
    chart's referring physician, else that request's; the chart's language."""
    now = now or utcnow()
    upcoming = session.execute(
        select(Appointment.reason, AppointmentType.name, Appointment.request_id)
        .join(AppointmentType, AppointmentType.id == Appointment.type_id)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.ends_at >= now,
            Appointment.status.in_([status.value for status in ACTIVE_STATUSES]),
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(1)
    ).first()
    request_query = select(ConsultationRequest).where(ConsultationRequest.patient_id == patient.id)
    if upcoming is not None and upcoming.request_id is not None:
        request_query = request_query.where(ConsultationRequest.id == upcoming.request_id)
    else:
        request_query = request_query.where(ConsultationRequest.is_open.is_(True))
    request = session.scalars(
        request_query.order_by(ConsultationRequest.received_at.desc()).limit(1)
    ).first()
    reason = ""
    if upcoming is not None:
        reason = upcoming.reason.strip() or upcoming.name
    if not reason and request is not None:
        reason = request.reason.strip()
    referrer_id = patient.referring_id or (request.referrer_id if request is not None else None)
    referrer = session.get(Referrer, referrer_id) if referrer_id else None
    return VisitContext(
        reason=reason,
        referring_physician=referrer_label(referrer),
        language=patient.preferred_language,
        interpreter_needed=bool(patient.interpreter_needed)
        or bool(request is not None and request.interpreter_needed),
    )
