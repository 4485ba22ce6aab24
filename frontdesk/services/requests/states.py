"""A request's state changes: the workflow's moves, stamped, and the records-before-ready rule."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_requests import (
    ConsultationRequest,
    RequestChecklistItem,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_states import (
    ClosedReason,
    RequestState,
    transition_problem,
)
from frontdesk.services.history import records
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.requests._rows import _add_transition, _detail, _get, _item_data
from frontdesk.services.requests.data import RequestDetail


class RecordsMissingError(RefusedError):
    """Ready to schedule while records the practice rule wants are still missing."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        super().__init__(
            "Records still missing: "
            + "; ".join(self.missing)
            + ". Mark them received, or give a reason to make the request ready without them."
        )


def missing_before_ready(session: Session, row: ConsultationRequest) -> list[str]:
    """The checklist's records the practice rule (Admin → Practice rules) wants in first."""
    needed = records.needed_before_ready(session)
    items = session.scalars(
        select(RequestChecklistItem)
        .where(RequestChecklistItem.request_id == row.id)
        .order_by(RequestChecklistItem.id)
    )
    return [
        data.label
        for data in (_item_data(item, session) for item in items)
        if data.kind in needed and not data.received
    ]


def transition(
    context: ServiceContext,
    request_id: int,
    to_state: RequestState | str,
    note: str = "",
    *,
    closed_reason: ClosedReason | str | None = None,
    expected_version: int | None = None,
    override_reason: str = "",
) -> RequestDetail:
    """Move a request to another state; a move the workflow does not allow is refused with
    the reason. Every move is stamped with who, when and the note.

    Ready to schedule with records still missing that the practice rule wants raises
    :class:`RecordsMissingError` naming them, unless ``override_reason`` says why it goes
    ahead anyway: then the move's note records what was missing and the reason, and the
    override is an audit entry of its own."""
    target = RequestState(to_state)
    reason = ClosedReason(closed_reason) if closed_reason else None
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        row = _get(uow.session, request_id, for_update=True)
        check_version(row, expected_version, "request")
        checked_transition_in(
            uow, row, target, note, closed_reason=reason, override_reason=override_reason
        )
        uow.session.flush()
        detail = _detail(uow.session, row)
        uow.commit()
        return detail


def checked_transition_in(
    uow: UnitOfWork,
    row: ConsultationRequest,
    target: RequestState,
    note: str = "",
    *,
    closed_reason: ClosedReason | None = None,
    override_reason: str = "",
) -> None:
    """:func:`transition` inside another action's unit of work, the records-before-ready rule
    included (booking a request not yet ready makes it ready by this rule first)."""
    # A move the workflow refuses anyway is refused for that reason, not for records.
    missing = (
        missing_before_ready(uow.session, row)
        if target is RequestState.READY_TO_SCHEDULE
        and transition_problem(RequestState(row.state), target, closed_reason) is None
        else []
    )
    if missing:
        why = clean_text(override_reason)
        if not why:
            raise RecordsMissingError(missing)
        note = " ".join(
            part
            for part in (
                f"Ready without {'; '.join(missing)}. Reason: {why}.",
                clean_text(note),
            )
            if part
        )
        uow.record(
            "override",
            "consultation_requests",
            row.id,
            patient_id=row.patient_id,
            details={"rule": "records before ready", "missing": missing, "reason": why},
        )
    transition_in(uow, row, target, note, closed_reason=closed_reason)


def transition_in(
    uow: UnitOfWork,
    row: ConsultationRequest,
    target: RequestState,
    note: str = "",
    *,
    closed_reason: ClosedReason | None = None,
) -> None:
    """Move a request inside another action's unit of work (booking moves it to Scheduled),
    by the same rules and with the same stamp as :func:`transition`."""
    current = RequestState(row.state)
    problem = transition_problem(current, target, closed_reason)
    if problem:
        raise RefusedError(problem[:1].upper() + problem[1:])
    row.state = target.value
    row.is_open = target.is_open
    row.closed_reason = closed_reason.value if closed_reason else None
    row.state_changed_at = utcnow()
    uow.stamp(row, new=False)
    _add_transition(uow, row, current, target, clean_text(note), closed_reason)


def request_for_change(session: Session, request_id: int) -> ConsultationRequest:
    """The request row, locked for the rest of the transaction (booking from a request)."""
    return _get(session, request_id, for_update=True)
