"""A call linked to an existing chart: its open requests and changed contact details first,
then the call added to one of those requests instead of a second request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select

from frontdesk.db.models_patients import Patient
from frontdesk.db.models_requests import ConsultationRequest, RequestContactAttempt
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import InvalidValue, clean_text, normalize_email, normalize_phone
from frontdesk.domain.errors import NotFoundError, RefusedError, ValidationError
from frontdesk.domain.history_vocab import ImagingModality
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import ContactKind, RedFlag, RequestState
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.patients.edit import CONTACT_FIELDS, contact_changes, update_contact_in
from frontdesk.services.requests._rows import _detail, _get
from frontdesk.services.requests.data import IntakeForm, RequestDetail


@dataclass(frozen=True)
class OpenRequest:
    """An open request of the chart, as the linking question shows it."""

    id: int
    received_at: datetime
    category: RequestCategory
    state: RequestState
    reason: str


@dataclass(frozen=True)
class ContactChange:
    field: str  # "mobile_phone" or "email"
    label: str  # "mobile phone"
    on_chart: str  # stored form ("" when the chart has none)
    from_caller: str


# Why a call cannot join an older request: said by the refusal and by the linking question.
RED_FLAG_OWN_REQUEST = "a red flag makes this call its own urgent request: save it as a new request"


@dataclass(frozen=True)
class ChartLinkCheck:
    """What saving a call on an existing chart should ask first."""

    patient_id: int
    chart_version: int
    open_requests: tuple[OpenRequest, ...]
    contact_changes: tuple[ContactChange, ...]
    # The practice's zone, for when each open request came in.
    zone: tzinfo
    # Why this call may not be added to an open request ("" when it may): the question then
    # offers only a new request, and says why.
    not_addable: str = ""

    @property
    def needs_question(self) -> bool:
        return bool(self.open_requests or self.contact_changes)

    @property
    def may_add_to_open(self) -> bool:
        return bool(self.open_requests) and not self.not_addable


def _red_flags(form: IntakeForm) -> list[RedFlag]:
    try:
        return [RedFlag(code) for code in form.red_flags]
    except ValueError:
        raise ValidationError({"red_flags": "unknown red flag"}) from None


def why_not_added(form: IntakeForm) -> str:
    """Why this call cannot be added to an older open request, or "" when it can: a red flag
    is never folded into an older request, the call is an urgent request of its own (the
    one home of that rule: the linking question reads it, the save enforces it)."""
    return RED_FLAG_OWN_REQUEST if _red_flags(form) else ""


def _caller_contact(form: IntakeForm) -> tuple[str, str]:
    """The caller's phone and email in stored form; unreadable ones are left to intake's
    own messages (they are not offered to the chart)."""
    try:
        phone = normalize_phone(form.phone)
    except InvalidValue:
        phone = ""
    try:
        email = normalize_email(form.email)
    except InvalidValue:
        email = ""
    return phone, email


def _changes(row: Patient, form: IntakeForm) -> tuple[ContactChange, ...]:
    phone, email = _caller_contact(form)
    return tuple(
        ContactChange(name, CONTACT_FIELDS[name], old, new)
        for name, (old, new) in contact_changes(row, phone, email).items()
    )


def check_link(context: ServiceContext, patient_id: int, form: IntakeForm) -> ChartLinkCheck:
    """Before a call is saved on an existing chart: its open requests (to add the call to one)
    and the caller's contact details that differ from the chart (to offer updating it)."""
    not_addable = why_not_added(form)
    with context.reading(Permission.VIEW_PATIENTS) as session:
        row = session.get(Patient, patient_id)
        if row is None:
            raise NotFoundError(f"There is no chart with id {patient_id}")
        requests = session.scalars(
            select(ConsultationRequest)
            .where(ConsultationRequest.patient_id == patient_id)
            .where(ConsultationRequest.is_open.is_(True))
            .order_by(ConsultationRequest.received_at.desc(), ConsultationRequest.id.desc())
        ).all()
        return ChartLinkCheck(
            patient_id=patient_id,
            chart_version=row.version,
            open_requests=tuple(
                OpenRequest(
                    r.id,
                    r.received_at,
                    RequestCategory(r.category),
                    RequestState(r.state),
                    r.reason,
                )
                for r in requests
            ),
            contact_changes=_changes(row, form),
            zone=zone_of(session),
            not_addable=not_addable,
        )


def update_chart_contact_in(
    uow: UnitOfWork,
    patient_id: int,
    form: IntakeForm,
    fields: Sequence[str],
    chart_version: int | None,
) -> None:
    """The chart takes the caller's phone and/or email (``fields``), as the staff chose."""
    if not fields:
        return
    phone, email = _caller_contact(form)
    said = {"mobile_phone": phone, "email": email}
    update_contact_in(uow, patient_id, {name: said[name] for name in fields}, chart_version)


def _call_note(form: IntakeForm, flags: Sequence[RedFlag]) -> str:
    """The call in a line or two: who, why, how to reach them, the red-flag questions."""
    parts = []
    caller = clean_text(form.caller_name)
    relationship = clean_text(form.caller_relationship)
    if caller or relationship not in ("", "self"):
        parts.append(
            f"Caller: {caller or 'not named'} ({relationship or 'relationship not given'})"
        )
    reason = clean_text(form.reason)
    if reason:
        parts.append(f"Said: {reason}")
    if form.prior_surgery:
        parts.append(f"Prior spine surgery: {form.prior_surgery_count or 'yes'}")
    if form.imaging_modality:
        try:
            modality = ImagingModality(form.imaging_modality).label
        except ValueError:
            modality = clean_text(form.imaging_modality)
        said = " ".join(
            clean_text(part)
            for part in (modality, form.imaging_when, form.imaging_where)
            if clean_text(part)
        )
        parts.append(f"Imaging: {said}")
    if form.notes.strip():
        parts.append(f"Notes: {clean_text(form.notes)}")
    if form.red_flags_asked:
        parts.append("Red-flag questions asked: all no")
    elif not flags:
        parts.append("Red-flag questions not asked")
    return ". ".join(parts)


def add_call_to_request(
    context: ServiceContext,
    request_id: int,
    form: IntakeForm,
    *,
    update_chart: Sequence[str] = (),
    chart_version: int | None = None,
) -> RequestDetail:
    """Record a call on the chart's open request (a "call received" with what the caller said)
    instead of a second request; in the same transaction the chart takes the caller's new
    contact details named in ``update_chart`` (checked against ``chart_version``), and the
    request's own contact follows them. A red flag is never folded into an older request."""
    flags = _red_flags(form)
    refused = why_not_added(form)
    if refused:
        raise ValidationError({"red_flags": refused})
    phone, email = _caller_contact(form)
    if form.phone.strip() and not phone:
        raise ValidationError({"phone": "check the phone number"})
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        session = uow.session
        request = _get(session, request_id, for_update=True)
        if form.patient_id is not None and request.patient_id != form.patient_id:
            raise RefusedError("That request belongs to another chart")
        if not request.is_open:
            raise RefusedError("That request is no longer open; save the call as a new request")
        update_chart_contact_in(uow, request.patient_id, form, update_chart, chart_version)
        note = _call_note(form, flags)
        changed = []
        if phone and phone != request.contact_phone:
            changed.append(f"contact phone {request.contact_phone or '(none)'} → {phone}")
            request.contact_phone = phone
        if email and email != request.contact_email:
            changed.append(f"contact email {request.contact_email or '(none)'} → {email}")
            request.contact_email = email
        if changed:
            note += ". Request's " + "; ".join(changed)
            uow.stamp(request, new=False)
        attempt = RequestContactAttempt(
            request_id=request.id,
            patient_id=request.patient_id,
            kind=ContactKind.CALL_RECEIVED.value,
            at=utcnow(),
            by=uow.actor.username,
            note=note,
        )
        uow.stamp(attempt, new=True)
        session.add(attempt)
        session.flush()
        detail = _detail(session, request)
        uow.commit(result=detail)
        return detail
