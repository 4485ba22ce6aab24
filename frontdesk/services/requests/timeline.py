"""Each request as an event on the chart's timeline."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_requests import (
    ConsultationRequest,
)
from frontdesk.domain.history_records import TimelineEvent
from frontdesk.domain.partial_dates import (
    PartialDate,
)
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import (
    ClosedReason,
    RequestState,
)


def request_events(session: Session, patient_id: int, today: date) -> list[TimelineEvent]:
    """Each request on the chart's timeline, on the day it came in, with where it stands."""
    rows = session.scalars(
        select(ConsultationRequest).where(ConsultationRequest.patient_id == patient_id)
    ).all()
    events = []
    for row in rows:
        state = RequestState(row.state)
        status = state.label
        if row.closed_reason:
            status += f" ({ClosedReason(row.closed_reason).label.lower()})"
        events.append(
            TimelineEvent(
                kind="request",
                date=PartialDate.exact(min(row.received_at.date(), today)),
                title=f"Consultation request: {RequestCategory(row.category).label}",
                detail=f"{status}. {row.reason}".strip(),
                record_id=row.id,
                at=row.received_at,
                flags=("red flag: instruction given",) if json.loads(row.red_flags) else (),
            )
        )
    return events
