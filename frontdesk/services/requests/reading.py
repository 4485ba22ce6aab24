"""Reading requests: one with everything its details pane shows, or a chart's requests."""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.db.models_requests import (
    ConsultationRequest,
)
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests._rows import _data, _detail, _get
from frontdesk.services.requests.data import RequestData, RequestDetail


def get_request(context: ServiceContext, request_id: int) -> RequestDetail:
    with context.reading(Permission.VIEW_PATIENTS) as session:
        return _detail(session, _get(session, request_id))


def requests_for_patient(context: ServiceContext, patient_id: int) -> list[RequestData]:
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.scalars(
            select(ConsultationRequest)
            .where(ConsultationRequest.patient_id == patient_id)
            .order_by(ConsultationRequest.received_at.desc(), ConsultationRequest.id.desc())
        ).all()
        return [_data(session, row) for row in rows]
