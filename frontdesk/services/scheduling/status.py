"""An appointment's status: confirmed, checked in, completed, no-show, cancelled; reminder calls."""

from __future__ import annotations

from datetime import timedelta, tzinfo

from sqlalchemy import select

from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.db.models_scheduling import (
    Appointment,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import (
    RefusedError,
    ValidationError,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_states import RequestState
from frontdesk.domain.scheduling import (
    AppointmentStatus,
    CallOutcome,
    CancelledBy,
    status_move_problem,
)
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.kernel.context import (
    ServiceContext,
    UnitOfWork,
)
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.requests import states
from frontdesk.services.scheduling._rows import _add_event, _get, _one_data, _when
from frontdesk.services.scheduling.bookability import ACTIVE_VALUES
from frontdesk.services.scheduling.data import AppointmentData


def _after_time_freed(uow: UnitOfWork, row: Appointment, zone: tzinfo, why: str) -> None:
    """A scheduled request whose appointment is gone goes back to Ready to schedule."""
    if row.request_id is None:
        return
    request = uow.session.get(ConsultationRequest, row.request_id)
    if request is None or request.state != RequestState.SCHEDULED.value:
        return
    others = uow.session.scalar(
        select(Appointment.id).where(
            Appointment.request_id == row.request_id,
            Appointment.id != row.id,
            Appointment.status.in_(ACTIVE_VALUES),
        )
    )
    if others is None:
        states.transition_in(
            uow, request, RequestState.READY_TO_SCHEDULE, f"{why}: {_when(row.starts_at, zone)}"
        )


def _cancel_in(
    uow: UnitOfWork,
    row: Appointment,
    zone: tzinfo,
    who: CancelledBy,
    reason: str,
    description: str,
) -> None:
    """Cancel ``row`` (who asked, why, when) in the caller's unit of work: its time is freed
    at once and a request it was booked for goes back to Ready to schedule."""
    now = utcnow()
    row.status = AppointmentStatus.CANCELLED.value
    row.status_changed_at = now
    row.cancelled_by = who.value
    row.cancel_reason = reason
    row.cancelled_at = now
    uow.stamp(row, new=False)
    uow.session.flush()
    _add_event(
        uow,
        row,
        "cancelled",
        description,
        reason,
        freed=(row.provider_id, row.location_id, row.starts_at, row.ends_at),
    )
    _after_time_freed(uow, row, zone, "Appointment cancelled")


def cancel(
    context: ServiceContext,
    appointment_id: int,
    *,
    by: CancelledBy | str,
    reason: str,
    expected_version: int | None = None,
) -> AppointmentData:
    """Cancel (who asked, why, when); the time is free again at once."""
    who = CancelledBy(by)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": "say why the appointment is cancelled"})
    if len(reason) > 500:
        raise ValidationError({"reason": "at most 500 characters"})
    with context.writing(Permission.SCHEDULE) as uow:
        session = uow.session
        zone = zone_of(session)
        row = _get(session, appointment_id, for_update=True)
        check_version(row, expected_version, "appointment")
        problem = status_move_problem(AppointmentStatus(row.status), AppointmentStatus.CANCELLED)
        if problem:
            raise RefusedError(problem[:1].upper() + problem[1:])
        _cancel_in(uow, row, zone, who, reason, f"Cancelled {who.label.lower()}")
        data = _one_data(session, row)
        uow.commit()
        return data


def set_status(
    context: ServiceContext,
    appointment_id: int,
    status: AppointmentStatus | str,
    note: str = "",
    *,
    expected_version: int | None = None,
) -> AppointmentData:
    """Confirmed, checked in, completed, no-show (cancelling is :func:`cancel`)."""
    target = AppointmentStatus(status)
    if target is AppointmentStatus.CANCELLED:
        raise ValidationError({"status": "use Cancel, which asks who cancelled and why"})
    with context.writing(Permission.SCHEDULE) as uow:
        data = _set_status(uow, appointment_id, target, note, expected_version)
        uow.commit()
        return data


def _set_status(
    uow: UnitOfWork,
    appointment_id: int,
    target: AppointmentStatus,
    note: str,
    expected_version: int | None,
) -> AppointmentData:
    session = uow.session
    zone = zone_of(session)
    row = _get(session, appointment_id, for_update=True)
    check_version(row, expected_version, "appointment")
    current = AppointmentStatus(row.status)
    problem = status_move_problem(current, target)
    if problem:
        raise RefusedError(problem[:1].upper() + problem[1:])
    if target is AppointmentStatus.NO_SHOW and row.starts_at > utcnow() + timedelta(hours=1):
        raise RefusedError("An appointment more than an hour away cannot be a no-show yet")
    row.status = target.value
    row.status_changed_at = utcnow()
    uow.stamp(row, new=False)
    session.flush()
    freed = None
    if target is AppointmentStatus.NO_SHOW:
        freed = (row.provider_id, row.location_id, row.starts_at, row.ends_at)
    _add_event(uow, row, "status", f"{current.label} → {target.label}", note, freed=freed)
    if target is AppointmentStatus.NO_SHOW:
        _after_time_freed(uow, row, zone, "Did not come")
    if target is AppointmentStatus.COMPLETED and row.request_id is not None:
        request = session.get(ConsultationRequest, row.request_id)
        if request is not None and request.state == RequestState.SCHEDULED.value:
            states.transition_in(uow, request, RequestState.SEEN, "Consultation completed")
    return _one_data(session, row)


def record_call(
    context: ServiceContext,
    appointment_id: int,
    outcome: CallOutcome | str,
    note: str = "",
    *,
    cancel_reason: str = "",
) -> AppointmentData:
    """A reminder call's outcome. Confirmed confirms the appointment; Cancelled cancels it
    (by the patient); Rescheduled is recorded here and the move is made with reschedule."""
    result = CallOutcome(outcome)
    with context.writing(Permission.SCHEDULE) as uow:
        session = uow.session
        zone = zone_of(session)
        row = _get(session, appointment_id, for_update=True)
        if not AppointmentStatus(row.status).holds_time:
            raise RefusedError(
                f"The appointment is {AppointmentStatus(row.status).label.lower()}; there is "
                "nothing to remind"
            )
        row.last_call_outcome = result.value
        uow.stamp(row, new=False)
        session.flush()
        _add_event(uow, row, "call", f"Reminder call: {result.label.lower()}", note)
        if result is CallOutcome.CONFIRMED and row.status == AppointmentStatus.BOOKED.value:
            _set_status(
                uow, row.id, AppointmentStatus.CONFIRMED, "Confirmed on the reminder call", None
            )
        if result is CallOutcome.CANCELLED:
            _cancel_in(
                uow,
                row,
                zone,
                CancelledBy.PATIENT,
                clean_text(cancel_reason) or "Cancelled on the reminder call",
                "Cancelled by the patient on the reminder call",
            )
        data = _one_data(session, row)
        uow.commit()
        return data
