"""The work queue: requests urgent first then oldest, a page at a time, counts per state."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.db.models_requests import (
    ConsultationRequest,
    RequestContactAttempt,
)
from frontdesk.db.models_scheduling import Appointment
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.names import listed_name
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import (
    UNANSWERED_BEFORE_SUGGESTING_CLOSE,
    ContactKind,
    RequestState,
    Urgency,
    business_days_between,
    next_action,
    unanswered_streak,
)
from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.history import records
from frontdesk.services.kernel.clock import practice_today, zone_of
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.settings import (
    ROUTINE_REQUEST_LIMIT_DAYS,
    URGENT_REQUEST_LIMIT_DAYS,
    read_setting,
)
from frontdesk.services.requests._rows import _filtered, _referrer_label, _user_names
from frontdesk.services.requests.data import QueueFilter, QueuePage, QueueRow, QueueSnapshot

DEFAULT_PAGE_SIZE = 100


MAX_PAGE_SIZE = 500


def _encode_cursor(rank: int, received_at: datetime, request_id: int) -> str:
    text = json.dumps([rank, received_at.isoformat(), request_id])
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, datetime, int]:
    try:
        rank, when, request_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return int(rank), datetime.fromisoformat(when), int(request_id)
    except (ValueError, TypeError) as error:
        raise ValidationError({"cursor": "this page marker is not valid; start again"}) from error


# Appointments that still lie ahead of a scheduled request (not completed, cancelled or no-show).
_UPCOMING = (
    AppointmentStatus.BOOKED.value,
    AppointmentStatus.CONFIRMED.value,
    AppointmentStatus.CHECKED_IN.value,
)


def _next_visits(session: Session, request_ids: Sequence[int]) -> dict[int, str]:
    """Each scheduled request's next visit, as the queue says it ("Visit Mon 12/08 09:00"):
    one query for the whole page, never one per row."""
    if not request_ids:
        return {}
    rows = session.execute(
        select(Appointment.request_id, func.min(Appointment.starts_at))
        .where(Appointment.request_id.in_(request_ids), Appointment.status.in_(_UPCOMING))
        .group_by(Appointment.request_id)
    ).all()
    if not rows:
        return {}
    zone = zone_of(session)
    return {
        request_id: f"Visit {starts.astimezone(zone):%a %m/%d %H:%M}"
        for request_id, starts in rows
        if starts is not None
    }


def _limits(session: Session) -> dict[Urgency, int]:
    return {
        Urgency.URGENT: read_setting(session, URGENT_REQUEST_LIMIT_DAYS),
        Urgency.ROUTINE: read_setting(session, ROUTINE_REQUEST_LIMIT_DAYS),
    }


def is_overdue(
    state: RequestState,
    urgency: Urgency,
    received_on: date,
    follow_up_on: date | None,
    today: date,
    limits: dict[Urgency, int],
) -> bool:
    """A new request not handled within its urgency's business days, or a follow-up date
    that has passed on an open request."""
    if not state.is_open:
        return False
    if state is RequestState.NEW and business_days_between(received_on, today) > limits[urgency]:
        return True
    return follow_up_on is not None and follow_up_on < today


def queue(
    context: ServiceContext,
    filters: QueueFilter = QueueFilter(),
    *,
    limit: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> QueuePage:
    """One page of the work queue, urgent first then oldest; ``cursor`` continues after it."""
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    table = ConsultationRequest
    order = (table.urgency_rank, table.received_at, table.id)
    query = _filtered(
        select(
            table.id,
            table.patient_id,
            table.received_at,
            table.urgency,
            table.urgency_rank,
            table.category,
            table.referrer_id,
            table.state,
            table.assignee_id,
            table.follow_up_on,
        ),
        filters,
    )
    if cursor:
        query = query.where(tuple_(*order) > tuple_(*_decode_cursor(cursor)))
    query = query.order_by(*order).limit(limit + 1)
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.execute(query).all()
        more = len(rows) > limit
        rows = rows[:limit]
        today = practice_today(session)
        limits = _limits(session)
        ids = [row.id for row in rows]
        patients = {
            p.id: p
            for p in session.execute(
                select(
                    Patient.id,
                    Patient.first_name,
                    Patient.middle_name,
                    Patient.last_name,
                    Patient.mrn,
                ).where(Patient.id.in_({row.patient_id for row in rows}))
            )
        }
        referrer_ids = {row.referrer_id for row in rows if row.referrer_id}
        referrers = {
            r.id: r for r in session.scalars(select(Referrer).where(Referrer.id.in_(referrer_ids)))
        }
        names = _user_names(session, {row.assignee_id for row in rows if row.assignee_id})
        missing: dict[int, int] = dict(
            session.execute(records.missing_counts(ids)).all()  # type: ignore[arg-type]
        )
        visits = _next_visits(
            session, [row.id for row in rows if row.state == RequestState.SCHEDULED.value]
        )
        attempts: dict[int, list[ContactKind]] = {}
        for attempt in session.execute(
            select(RequestContactAttempt.request_id, RequestContactAttempt.kind)
            .where(RequestContactAttempt.request_id.in_(ids))
            .order_by(RequestContactAttempt.at.desc(), RequestContactAttempt.id.desc())
        ):
            attempts.setdefault(attempt.request_id, []).append(ContactKind(attempt.kind))
    items = []
    for row in rows:
        state = RequestState(row.state)
        urgency = Urgency(row.urgency)
        received_on = row.received_at.date()
        unanswered = unanswered_streak(attempts.get(row.id, []))
        patient = patients[row.patient_id]
        action = next_action(state, missing.get(row.id, 0), unanswered, row.follow_up_on)
        if row.id in visits and unanswered < UNANSWERED_BEFORE_SUGGESTING_CLOSE:
            action = visits[row.id]
        items.append(
            QueueRow(
                id=row.id,
                patient_id=row.patient_id,
                patient_name=listed_name(
                    patient.last_name, patient.first_name, patient.middle_name
                ),
                mrn=patient.mrn,
                received_at=row.received_at,
                age_days=max(0, (today - received_on).days),
                urgency=urgency,
                category=RequestCategory(row.category),
                referrer_name=_referrer_label(referrers.get(row.referrer_id)),
                state=state,
                next_action=action,
                assignee_name=names.get(row.assignee_id, "") if row.assignee_id else "",
                overdue=is_overdue(state, urgency, received_on, row.follow_up_on, today, limits),
                missing_records=missing.get(row.id, 0),
                unanswered=unanswered,
            )
        )
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode_cursor(last.urgency_rank, last.received_at, last.id)
    return QueuePage(tuple(items), next_cursor)


def state_counts(
    context: ServiceContext,
    filters: QueueFilter = QueueFilter(),
) -> dict[RequestState, int]:
    """How many requests are in each state (the queue's header), under the other filters."""
    counting = QueueFilter(
        urgency=filters.urgency,
        category=filters.category,
        assignee_id=filters.assignee_id,
        referrer_id=filters.referrer_id,
        received_from=filters.received_from,
        received_to=filters.received_to,
    )
    query = _filtered(
        select(ConsultationRequest.state, func.count()).group_by(ConsultationRequest.state),
        counting,
    )
    with context.reading(Permission.VIEW_PATIENTS) as session:
        found = {state: count for state, count in session.execute(query)}
    return {state: int(found.get(state.value, 0)) for state in RequestState}


def open_queue(
    context: ServiceContext,
    filters: QueueFilter = QueueFilter(),
    *,
    limit: int = DEFAULT_PAGE_SIZE,
) -> QueueSnapshot:
    return QueueSnapshot(queue(context, filters, limit=limit), state_counts(context, filters))
