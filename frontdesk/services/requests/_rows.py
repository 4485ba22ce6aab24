"""A request's stored rows, for the area's modules: found, read as plain data, filtered."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from frontdesk.db.models import User
from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.db.models_requests import (
    ConsultationRequest,
    RequestChecklistItem,
    RequestContactAttempt,
    RequestTransition,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.history_vocab import BodyRegion
from frontdesk.domain.names import listed_name
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import (
    Channel,
    ChecklistKind,
    ClosedReason,
    ContactKind,
    RedFlag,
    RequestState,
    Urgency,
    allowed_next,
    unanswered_streak,
)
from frontdesk.services.history import records
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.kernel.context import UnitOfWork
from frontdesk.services.requests.data import (
    ChecklistItemData,
    ContactAttemptData,
    QueueFilter,
    RequestData,
    RequestDetail,
    TransitionData,
)


def _user_names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(user_ids))
    )
    return {row.id: row.display_name or row.username for row in rows}


def _referrer_label(row: Referrer | None) -> str:
    if row is None:
        return ""
    name = f"{row.first_name} {row.last_name}".strip()
    return f"Dr. {name}" if name else row.practice_name


def _data(session: Session, row: ConsultationRequest) -> RequestData:
    patient = session.get(Patient, row.patient_id)
    assert patient is not None
    referrer = session.get(Referrer, row.referrer_id) if row.referrer_id else None
    names = _user_names(session, {row.assignee_id} if row.assignee_id else set())
    return RequestData(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=listed_name(patient.last_name, patient.first_name, patient.middle_name),
        mrn=patient.mrn,
        date_of_birth=patient.date_of_birth,
        received_at=row.received_at,
        channel=Channel(row.channel),
        caller_name=row.caller_name,
        caller_relationship=row.caller_relationship,
        contact_phone=row.contact_phone,
        contact_email=row.contact_email,
        referrer_id=row.referrer_id,
        referrer_name=_referrer_label(referrer),
        reason=row.reason,
        category=RequestCategory(row.category),
        body_regions=tuple(BodyRegion(code) for code in json.loads(row.body_regions)),
        prior_surgery=row.prior_surgery,
        prior_surgery_count=row.prior_surgery_count,
        prior_surgery_last_year=row.prior_surgery_last_year,
        imaging_modality=row.imaging_modality,
        imaging_when=row.imaging_when,
        imaging_where=row.imaging_where,
        insurance_note=row.insurance_note,
        preferred_days=row.preferred_days,
        preferred_times=row.preferred_times,
        language=row.language,
        interpreter_needed=row.interpreter_needed,
        notes=row.notes,
        urgency=Urgency(row.urgency),
        red_flags=tuple(RedFlag(code) for code in json.loads(row.red_flags)),
        red_flag_instruction=row.red_flag_instruction,
        instruction_given_at=row.instruction_given_at,
        instruction_given_by=row.instruction_given_by,
        assignee_id=row.assignee_id,
        assignee_name=names.get(row.assignee_id, "") if row.assignee_id else "",
        follow_up_on=row.follow_up_on,
        state=RequestState(row.state),
        closed_reason=ClosedReason(row.closed_reason) if row.closed_reason else None,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        red_flags_asked=row.red_flags_asked,
        red_flags_asked_by=row.red_flags_asked_by,
        red_flags_asked_at=row.red_flags_asked_at,
        red_flags_denied=tuple(RedFlag(code) for code in json.loads(row.red_flags_denied)),
    )


def _item_data(row: RequestChecklistItem, session: Session) -> ChecklistItemData:
    state = records.item_received(session, row)
    return ChecklistItemData(
        id=row.id,
        kind=ChecklistKind(row.kind),
        description=row.description,
        source=row.source,
        requested_on=row.requested_on,
        requested_by=row.requested_by,
        received_on=state.on,
        received_by=state.by,
        document_id=row.document_id,
        version=row.version,
        surgery_id=row.surgery_id,
        imaging_id=row.imaging_id,
    )


def _get(session: Session, request_id: int, *, for_update: bool = False) -> ConsultationRequest:
    row = session.get(ConsultationRequest, request_id, with_for_update=for_update or None)
    if row is None:
        raise NotFoundError(f"There is no consultation request with id {request_id}")
    return row


def _add_transition(
    uow: UnitOfWork,
    row: ConsultationRequest,
    from_state: RequestState | None,
    to_state: RequestState,
    note: str,
    reason: ClosedReason | None,
) -> None:
    now = utcnow()
    transition = RequestTransition(
        request_id=row.id,
        patient_id=row.patient_id,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value,
        at=now,
        by=uow.actor.username,
        note=note,
        closed_reason=reason.value if reason else None,
    )
    uow.stamp(transition, new=True)
    uow.session.add(transition)


def _detail(session: Session, row: ConsultationRequest) -> RequestDetail:
    transitions = session.scalars(
        select(RequestTransition)
        .where(RequestTransition.request_id == row.id)
        .order_by(RequestTransition.at, RequestTransition.id)
    ).all()
    items = session.scalars(
        select(RequestChecklistItem)
        .where(RequestChecklistItem.request_id == row.id)
        .order_by(RequestChecklistItem.id)
    ).all()
    contacts = session.scalars(
        select(RequestContactAttempt)
        .where(RequestContactAttempt.request_id == row.id)
        .order_by(RequestContactAttempt.at.desc(), RequestContactAttempt.id.desc())
    ).all()
    state = RequestState(row.state)
    referrer = session.get(Referrer, row.referrer_id) if row.referrer_id else None
    return RequestDetail(
        request=_data(session, row),
        transitions=tuple(
            TransitionData(
                RequestState(t.from_state) if t.from_state else None,
                RequestState(t.to_state),
                t.at,
                t.by,
                t.note,
                ClosedReason(t.closed_reason) if t.closed_reason else None,
            )
            for t in transitions
        ),
        checklist=tuple(_item_data(item, session) for item in items),
        contacts=tuple(
            ContactAttemptData(c.id, ContactKind(c.kind), c.at, c.by, c.note) for c in contacts
        ),
        allowed=tuple(allowed_next(state)),
        unanswered=unanswered_streak(ContactKind(c.kind) for c in contacts),
        zone=zone_of(session),
        referrer_fax=referrer.fax if referrer else "",
        referrer_address=referrer.address if referrer else "",
    )


def _item(session: Session, item_id: int) -> RequestChecklistItem:
    item = session.get(RequestChecklistItem, item_id, with_for_update=True)
    if item is None:
        raise NotFoundError(f"There is no checklist item with id {item_id}")
    return item


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(query: Select[Any], filters: QueueFilter) -> Select[Any]:
    table = ConsultationRequest
    if filters.state is not None:
        query = query.where(table.state == filters.state.value)
    elif filters.open_only:
        query = query.where(table.is_open.is_(True))
    if filters.urgency is not None:
        query = query.where(table.urgency_rank == (0 if filters.urgency is Urgency.URGENT else 1))
    if filters.category is not None:
        query = query.where(table.category == filters.category.value)
    if filters.assignee_id is not None:
        query = query.where(table.assignee_id == filters.assignee_id)
    if filters.referrer_id is not None:
        query = query.where(table.referrer_id == filters.referrer_id)
    if filters.received_from is not None:
        query = query.where(table.received_at >= _day_start(filters.received_from))
    if filters.received_to is not None:
        end = _day_start(filters.received_to) + timedelta(days=1)
        query = query.where(table.received_at < end)
    return query
