"""Reading requests: one with its details, a chart's, the open ones of a few charts."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select

from frontdesk.db.models_requests import (
    ConsultationRequest,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import RequestState
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests._rows import _data, _detail, _get
from frontdesk.services.requests.data import (
    OpenRequests,
    RequestData,
    RequestDetail,
    RequestToBook,
)
from frontdesk.services.requests.states import missing_before_ready


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


def requests_to_book(context: ServiceContext, patient_id: int) -> tuple[RequestToBook, ...]:
    """The chart's open requests, newest first, as a booking for the chart may link one: a
    booking from the Schedule names them so the visit is not booked twice (once there, once
    from the request)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.scalars(
            select(ConsultationRequest)
            .where(
                ConsultationRequest.patient_id == patient_id,
                ConsultationRequest.is_open.is_(True),
            )
            .order_by(ConsultationRequest.received_at.desc(), ConsultationRequest.id.desc())
        ).all()
        today = practice_today(session)
        found = []
        for row in rows:
            state = RequestState(row.state)
            found.append(
                RequestToBook(
                    id=row.id,
                    category=RequestCategory(row.category),
                    state=state,
                    received_at=row.received_at,
                    # As the work queue counts a request's age.
                    age_days=max(0, (today - row.received_at.date()).days),
                    reason=row.reason,
                    missing_before_ready=tuple(missing_before_ready(session, row))
                    if state in (RequestState.NEW, RequestState.AWAITING_RECORDS)
                    else (),
                )
            )
        return tuple(found)


# The quick search asks for one screenful of charts; more ids are a caller's mistake.
MAX_PATIENTS = 100


def open_requests_for(
    context: ServiceContext, patient_ids: Sequence[int]
) -> dict[int, OpenRequests]:
    """Each chart's open requests, counted, with whether one carries a red flag (charts with
    none open are left out). One read over the patient index, open requests only."""
    ids = list(dict.fromkeys(patient_ids))[:MAX_PATIENTS]
    if not ids:
        return {}
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.execute(
            select(
                ConsultationRequest.patient_id,
                ConsultationRequest.state,
                ConsultationRequest.red_flags,
            )
            .where(
                ConsultationRequest.patient_id.in_(ids),
                ConsultationRequest.is_open.is_(True),
            )
            .order_by(ConsultationRequest.received_at.desc(), ConsultationRequest.id.desc())
        ).all()
    found: dict[int, OpenRequests] = {}
    for patient_id, state, red_flags in rows:
        flagged = bool(json.loads(red_flags or "[]"))
        seen = found.get(patient_id)
        if seen is None:
            found[patient_id] = OpenRequests(
                1, flagged, RequestState(state), (RequestState(state),)
            )
        else:
            found[patient_id] = OpenRequests(
                seen.count + 1,
                seen.red_flag or flagged,
                seen.newest_state,
                (*seen.states, RequestState(state)),
            )
    return found
