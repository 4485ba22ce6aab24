"""Consultation requests: intake, red flags, state changes, records chase, contacts, work queue."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

from frontdesk.db.models import User
from frontdesk.db.models_history import ImagingStudy, PriorSurgery, ReceivedDocument
from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.db.models_requests import (
    ConsultationRequest,
    RequestChecklistItem,
    RequestContactAttempt,
    RequestTransition,
)
from frontdesk.db.models_scheduling import Appointment
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import InvalidValue, clean_text, normalize_email, normalize_phone
from frontdesk.domain.errors import NotFoundError, RefusedError, ValidationError
from frontdesk.domain.history_records import TimelineEvent
from frontdesk.domain.history_vocab import BodyRegion, ImagingModality, Procedure
from frontdesk.domain.partial_dates import (
    PartialDate,
    history_date_problem,
    parse_optional_partial_date,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import (
    UNANSWERED_BEFORE_SUGGESTING_CLOSE,
    Channel,
    ChecklistKind,
    ClosedReason,
    ContactKind,
    RedFlag,
    RequestState,
    Urgency,
    allowed_next,
    business_days_between,
    next_action,
    transition_problem,
    unanswered_streak,
)
from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.history import records
from frontdesk.services.history.received_documents import (
    MAX_DOCUMENT_BYTES,
    check_file,
    clean_file_name,
)
from frontdesk.services.kernel.clock import practice_today, zone_of
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.patients.edit import create_patient_in, validate_form
from frontdesk.services.patients.forms import PatientForm, PossibleDuplicatesError
from frontdesk.services.practice.settings import (
    RED_FLAG_INSTRUCTION,
    ROUTINE_REQUEST_LIMIT_DAYS,
    URGENT_REQUEST_LIMIT_DAYS,
    read_setting,
)

__all__ = ["PossibleDuplicatesError"]

TABLES = frozenset(
    {
        "consultation_requests",
        "request_transitions",
        "request_checklist_items",
        "request_contact_attempts",
    }
)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
MAX_REPORTED_SURGERIES = 10
INTAKE_NOTE = "Reported by the caller at intake; details to be completed from the records."


# --- plain data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeForm:
    """What the receptionist typed during the call. ``patient_id`` links an existing chart;
    without it a chart is created from the name, date of birth and phone."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | str | None = None
    patient_id: int | None = None
    phone: str = ""
    email: str = ""
    channel: str = Channel.PHONE.value
    caller_name: str = ""
    caller_relationship: str = ""
    referrer_id: int | None = None
    reason: str = ""
    category: str = ""
    body_regions: tuple[str, ...] = ()
    prior_surgery: bool | None = None
    prior_surgery_count: int | str | None = None
    prior_surgery_last_year: int | str | None = None
    imaging_modality: str = ""
    imaging_when: str = ""
    imaging_where: str = ""
    insurance_note: str = ""
    preferred_days: str = ""
    preferred_times: str = ""
    language: str = ""
    interpreter_needed: bool = False
    notes: str = ""
    red_flags: tuple[str, ...] = ()
    urgent: bool = False
    assignee_id: int | None = None
    follow_up_on: date | None = None


@dataclass(frozen=True)
class TransitionData:
    from_state: RequestState | None
    to_state: RequestState
    at: datetime
    by: str
    note: str
    closed_reason: ClosedReason | None

    @property
    def description(self) -> str:
        if self.from_state is None:
            return f"Recorded as {self.to_state.label.lower()}"
        text = f"{self.from_state.label} → {self.to_state.label}"
        if self.closed_reason is not None:
            text += f" ({self.closed_reason.label.lower()})"
        return text


@dataclass(frozen=True)
class ChecklistItemData:
    id: int
    kind: ChecklistKind
    description: str
    source: str
    requested_on: date | None
    requested_by: str
    received_on: date | None
    received_by: str
    document_id: int | None
    version: int
    # The history entry this record is the report or images of (its received flag is theirs).
    surgery_id: int | None = None
    imaging_id: int | None = None

    @property
    def received(self) -> bool:
        return self.received_on is not None

    @property
    def label(self) -> str:
        return f"{self.kind.label}: {self.description}" if self.description else self.kind.label

    @property
    def status(self) -> str:
        if self.received_on is not None:
            return f"Received {self.received_on:%m/%d/%Y} by {self.received_by}"
        if self.requested_on is not None:
            return f"Requested {self.requested_on:%m/%d/%Y} by {self.requested_by}; missing"
        return "Not requested yet; missing"


@dataclass(frozen=True)
class ContactAttemptData:
    id: int
    kind: ContactKind
    at: datetime
    by: str
    note: str


@dataclass(frozen=True)
class RequestData:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    date_of_birth: date
    received_at: datetime
    channel: Channel
    caller_name: str
    caller_relationship: str
    contact_phone: str
    contact_email: str
    referrer_id: int | None
    referrer_name: str
    reason: str
    category: RequestCategory
    body_regions: tuple[BodyRegion, ...]
    prior_surgery: bool | None
    prior_surgery_count: int | None
    prior_surgery_last_year: int | None
    imaging_modality: str
    imaging_when: str
    imaging_where: str
    insurance_note: str
    preferred_days: str
    preferred_times: str
    language: str
    interpreter_needed: bool
    notes: str
    urgency: Urgency
    red_flags: tuple[RedFlag, ...]
    red_flag_instruction: str
    instruction_given_at: datetime | None
    instruction_given_by: str
    assignee_id: int | None
    assignee_name: str
    follow_up_on: date | None
    state: RequestState
    closed_reason: ClosedReason | None
    version: int
    updated_at: datetime
    updated_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "patient_id": self.patient_id,
            "mrn": self.mrn,
            "patient": self.patient_name,
            "received_at": self.received_at.isoformat(),
            "channel": self.channel.value,
            "category": self.category.value,
            "urgency": self.urgency.value,
            "state": self.state.value,
            "closed_reason": self.closed_reason.value if self.closed_reason else None,
            "referrer": self.referrer_name,
            "assignee": self.assignee_name,
            "red_flags": [flag.value for flag in self.red_flags],
            "follow_up_on": self.follow_up_on.isoformat() if self.follow_up_on else None,
        }


@dataclass(frozen=True)
class RequestDetail:
    """A request with everything the details pane shows."""

    request: RequestData
    transitions: tuple[TransitionData, ...]
    checklist: tuple[ChecklistItemData, ...]
    contacts: tuple[ContactAttemptData, ...]
    allowed: tuple[RequestState, ...]
    unanswered: int
    referrer_fax: str = ""
    referrer_address: str = ""

    @property
    def missing(self) -> tuple[ChecklistItemData, ...]:
        return tuple(item for item in self.checklist if not item.received)

    @property
    def suggest_unreachable(self) -> bool:
        return self.request.state.is_open and self.unanswered >= UNANSWERED_BEFORE_SUGGESTING_CLOSE


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters; None means "any". ``open_only`` hides seen and closed requests."""

    state: RequestState | None = None
    open_only: bool = False
    urgency: Urgency | None = None
    category: RequestCategory | None = None
    assignee_id: int | None = None
    referrer_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None


@dataclass(frozen=True)
class QueueRow:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    received_at: datetime
    age_days: int
    urgency: Urgency
    category: RequestCategory
    referrer_name: str
    state: RequestState
    next_action: str
    assignee_name: str
    overdue: bool
    missing_records: int
    unanswered: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "patient_id": self.patient_id,
            "mrn": self.mrn,
            "patient": self.patient_name,
            "received_at": self.received_at.isoformat(),
            "age_days": self.age_days,
            "urgency": self.urgency.value,
            "category": self.category.value,
            "referrer": self.referrer_name,
            "state": self.state.value,
            "next_action": self.next_action,
            "assignee": self.assignee_name,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str


@dataclass(frozen=True)
class RequestAttachResult:
    document_id: int
    already_attached: bool
    ticked: str  # the checklist item marked received, or ""

    @property
    def message(self) -> str:
        if self.already_attached:
            return "This file was already attached to the request; nothing new was stored."
        return f"Attached. Marked {self.ticked} received." if self.ticked else "Attached."


# --- helpers ------------------------------------------------------------------------------


def _int_or_none(errors: dict[str, str], key: str, value: int | str | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        errors[key] = "enter a whole number"
        return None


def _regions_json(values: Sequence[BodyRegion]) -> str:
    return json.dumps([region.value for region in values])


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


def _patient_name(last: str, first: str) -> str:
    return f"{last}, {first}".strip(", ")


def _data(session: Session, row: ConsultationRequest) -> RequestData:
    patient = session.get(Patient, row.patient_id)
    assert patient is not None
    referrer = session.get(Referrer, row.referrer_id) if row.referrer_id else None
    names = _user_names(session, {row.assignee_id} if row.assignee_id else set())
    return RequestData(
        id=row.id,
        patient_id=row.patient_id,
        patient_name=_patient_name(patient.last_name, patient.first_name),
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


def _set_urgency(row: ConsultationRequest, urgency: Urgency) -> None:
    row.urgency = urgency.value
    row.urgency_rank = 0 if urgency is Urgency.URGENT else 1


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


# --- intake -------------------------------------------------------------------------------


def _validated_intake(form: IntakeForm, today: date) -> tuple[dict[str, Any], dict[str, str]]:
    """The request's column values and the field messages (empty when all is well)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values["contact_phone"] = normalize_phone(form.phone)
    except InvalidValue as error:
        errors["phone"] = str(error)
        values["contact_phone"] = ""
    try:
        values["contact_email"] = normalize_email(form.email)
    except InvalidValue as error:
        errors["email"] = str(error)
        values["contact_email"] = ""
    if not form.phone.strip() and not form.email.strip():
        errors["phone"] = (
            "give a phone number or an email: a request nobody can answer cannot be saved"
        )
    try:
        values["channel"] = Channel(form.channel).value
    except ValueError:
        errors["channel"] = "choose phone, web form, referral fax, email or walk-in"
    if not form.category:
        errors["category"] = "choose a category"
    else:
        try:
            values["category"] = RequestCategory.parse(form.category).value
        except ValueError as error:
            errors["category"] = str(error)
    reason = clean_text(form.reason)
    if not reason:
        errors["reason"] = "required: the reason in the caller's words"
    values["reason"] = reason
    for key, limit in (
        ("caller_name", 200),
        ("caller_relationship", 60),
        ("imaging_where", 200),
        ("insurance_note", 300),
        ("preferred_days", 120),
        ("preferred_times", 120),
        ("language", 60),
    ):
        text = clean_text(getattr(form, key))
        if len(text) > limit:
            errors[key] = f"at most {limit} characters"
        values[key] = text
    values["notes"] = form.notes.strip()
    values["interpreter_needed"] = bool(form.interpreter_needed)
    try:
        regions = [BodyRegion(code) for code in form.body_regions]
    except ValueError:
        errors["body_regions"] = "choose cervical, thoracic, lumbar or sacral"
        regions = []
    values["body_regions"] = _regions_json(sorted(set(regions), key=list(BodyRegion).index))
    values["prior_surgery"] = form.prior_surgery
    count = _int_or_none(errors, "prior_surgery_count", form.prior_surgery_count)
    last_year = _int_or_none(errors, "prior_surgery_last_year", form.prior_surgery_last_year)
    if form.prior_surgery:
        count = count or 1
        if not 1 <= count <= 30:
            errors["prior_surgery_count"] = "between 1 and 30 operations"
        if last_year is not None and not 1930 <= last_year <= today.year:
            errors["prior_surgery_last_year"] = f"a year between 1930 and {today.year}"
    else:
        count, last_year = None, None
    values["prior_surgery_count"] = count
    values["prior_surgery_last_year"] = last_year
    values["imaging_modality"] = ""
    if form.imaging_modality:
        try:
            values["imaging_modality"] = ImagingModality(form.imaging_modality).value
        except ValueError:
            errors["imaging_modality"] = "choose MRI, CT, X-ray or another modality"
    values["imaging_when"] = clean_text(form.imaging_when)
    if values["imaging_when"]:
        try:
            when = parse_optional_partial_date(values["imaging_when"])
        except InvalidValue as error:
            errors["imaging_when"] = str(error)
        else:
            problem = when and history_date_problem(when, today=today)
            if problem:
                errors["imaging_when"] = problem
    try:
        flags = [RedFlag(code) for code in form.red_flags]
    except ValueError:
        errors["red_flags"] = "unknown red flag"
        flags = []
    values["red_flags"] = json.dumps(sorted({flag.value for flag in flags}))
    values["urgency"] = Urgency.URGENT if (flags or form.urgent) else Urgency.ROUTINE
    values["referrer_id"] = form.referrer_id
    values["assignee_id"] = form.assignee_id
    values["follow_up_on"] = form.follow_up_on
    return values, errors


def _patient_form(form: IntakeForm) -> PatientForm:
    return PatientForm(
        first_name=form.first_name,
        last_name=form.last_name,
        date_of_birth=form.date_of_birth,
        mobile_phone=form.phone,
        email=form.email,
        preferred_language=form.language,
        interpreter_needed=form.interpreter_needed,
        referring_id=form.referrer_id,
    )


def _history_from_intake(
    uow: UnitOfWork, patient: Patient, row: ConsultationRequest, values: dict[str, Any]
) -> tuple[list[PriorSurgery], ImagingStudy | None]:
    """Prior surgeries and imaging the caller mentioned, as entries of the patient's history."""
    session = uow.session
    surgeries: list[PriorSurgery] = []
    study: ImagingStudy | None = None
    count = values["prior_surgery_count"] or 0
    for index in range(min(count, MAX_REPORTED_SURGERIES)):
        last = index == count - 1
        year = values["prior_surgery_last_year"] if last else None
        surgery = PriorSurgery(
            patient_id=patient.id,
            procedure=Procedure.OTHER.value,
            procedure_label="",
            date_earliest=date(year, 1, 1) if year else None,
            date_precision="year" if year else None,
            notes=f"{INTAKE_NOTE} (request {row.id}: {count} operation(s) reported"
            + (f", the last in {values['prior_surgery_last_year']})" if last and year else ")"),
        )
        uow.stamp(surgery, new=True)
        session.add(surgery)
        surgeries.append(surgery)
    if values["imaging_modality"]:
        when = parse_optional_partial_date(values["imaging_when"] or None)
        study = ImagingStudy(
            patient_id=patient.id,
            modality=values["imaging_modality"],
            regions=values["body_regions"],
            date_earliest=when.earliest_day() if when else None,
            date_precision=when.precision.value if when else None,
            facility=values["imaging_where"],
            notes=f"{INTAKE_NOTE} (request {row.id})",
        )
        uow.stamp(study, new=True)
        session.add(study)
    uow.mark_changed("prior_surgeries", "imaging_studies")
    session.flush()
    return surgeries, study


def _initial_checklist(
    values: dict[str, Any], channel: str
) -> list[tuple[ChecklistKind, str, str]]:
    """The records a request of this kind usually needs (staff add or remove the rest)."""
    items: list[tuple[ChecklistKind, str, str]] = []
    count = values["prior_surgery_count"] or 0
    for index in range(min(count, MAX_REPORTED_SURGERIES)):
        last_year = values["prior_surgery_last_year"]
        description = (
            f"surgery {index + 1} of {count}"
            if not (index == count - 1 and last_year)
            else f"last surgery ({last_year})"
        )
        items.append((ChecklistKind.OPERATIVE_REPORT, description, ""))
    if values["imaging_modality"]:
        what = ImagingModality(values["imaging_modality"]).label
        when = f" {values['imaging_when']}" if values["imaging_when"] else ""
        items.append((ChecklistKind.IMAGING_REPORT, f"{what}{when}", values["imaging_where"]))
        items.append((ChecklistKind.IMAGING_FILES, f"{what}{when}", values["imaging_where"]))
    if channel == Channel.REFERRAL_FAX.value or values["referrer_id"] is not None:
        items.append((ChecklistKind.REFERRAL_LETTER, "", ""))
    return items


def create_request(
    context: ServiceContext,
    form: IntakeForm,
    *,
    allow_duplicates: bool = False,
    confirm_age: bool = False,
    received_at: datetime | None = None,
) -> RequestData:
    """Record a request from intake, in one transaction: link or create the chart, store the
    mentioned surgeries and imaging as history, record any red-flag instruction given."""
    context.require(Permission.EDIT_REQUESTS)
    errors: dict[str, str] = {}
    patient_values: dict[str, Any] | None = None
    if form.patient_id is None:
        try:
            patient_values = validate_form(_patient_form(form), confirm_age=confirm_age)
        except ValidationError as error:
            renamed = {"mobile_phone": "phone", "preferred_language": "language"}
            errors.update({renamed.get(k, k): v for k, v in error.fields.items()})
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        session = uow.session
        today = practice_today(session)
        values, field_errors = _validated_intake(form, today)
        errors = {**field_errors, **errors}
        if form.referrer_id is not None and session.get(Referrer, form.referrer_id) is None:
            errors["referrer_id"] = "pick a physician from the directory"
        if form.assignee_id is not None and session.get(User, form.assignee_id) is None:
            errors["assignee_id"] = "pick a staff member"
        patient: Patient | None = None
        if form.patient_id is not None:
            patient = session.get(Patient, form.patient_id)
            if patient is None:
                errors["patient_id"] = "that chart no longer exists; search again"
            elif patient.merged_into_id is not None:
                errors["patient_id"] = "that chart was merged into another; pick the kept chart"
        if errors:
            raise ValidationError(errors)
        if patient is None:
            assert patient_values is not None
            # The chart is created in this transaction, by the Patients rules and warning.
            patient = create_patient_in(uow, patient_values, allow_duplicates=allow_duplicates)
        now = received_at or utcnow()
        urgency: Urgency = values.pop("urgency")
        row = ConsultationRequest(
            patient_id=patient.id,
            received_at=now,
            state=RequestState.NEW.value,
            is_open=True,
            state_changed_at=now,
            **values,
        )
        _set_urgency(row, urgency)
        if json.loads(row.red_flags):
            row.red_flag_instruction = read_setting(session, RED_FLAG_INSTRUCTION)
            row.instruction_given_at = utcnow()
            row.instruction_given_by = uow.actor.username
        uow.stamp(row, new=True)
        session.add(row)
        session.flush()
        _add_transition(uow, row, None, RequestState.NEW, "", None)
        surgeries, study = _history_from_intake(uow, patient, row, values)
        operations = iter(surgeries)
        for kind, description, source in _initial_checklist(values, values["channel"]):
            item = RequestChecklistItem(
                request_id=row.id,
                patient_id=patient.id,
                kind=kind.value,
                description=description,
                source=source,
            )
            # Each record is tied to the history entry it documents.
            if kind is ChecklistKind.OPERATIVE_REPORT:
                surgery = next(operations, None)
                item.surgery_id = surgery.id if surgery else None
            elif kind in (ChecklistKind.IMAGING_REPORT, ChecklistKind.IMAGING_FILES):
                item.imaging_id = study.id if study else None
            uow.stamp(item, new=True)
            session.add(item)
        session.flush()
        data = _data(session, row)
        uow.commit(result=data)
        return data


# --- reading one request ------------------------------------------------------------------


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
        referrer_fax=referrer.fax if referrer else "",
        referrer_address=referrer.address if referrer else "",
    )


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


# --- changing a request -------------------------------------------------------------------


class RecordsMissingError(RefusedError):
    """Ready to schedule while records the practice rule wants are still missing."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        super().__init__(
            "Records still missing: "
            + "; ".join(self.missing)
            + ". Mark them received, or give a reason to make the request ready without them."
        )


def _missing_before_ready(session: Session, row: ConsultationRequest) -> list[str]:
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
        # A move the workflow refuses anyway is refused for that reason, not for records.
        missing = (
            _missing_before_ready(uow.session, row)
            if target is RequestState.READY_TO_SCHEDULE
            and transition_problem(RequestState(row.state), target, reason) is None
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
        transition_in(uow, row, target, note, closed_reason=reason)
        uow.session.flush()
        detail = _detail(uow.session, row)
        uow.commit()
        return detail


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


def _changed(uow: UnitOfWork, row: ConsultationRequest, expected_version: int | None) -> None:
    check_version(row, expected_version, "request")
    uow.stamp(row, new=False)


def assign(
    context: ServiceContext,
    request_id: int,
    user_id: int | None,
    *,
    expected_version: int | None = None,
) -> RequestData:
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        row = _get(uow.session, request_id, for_update=True)
        if user_id is not None and uow.session.get(User, user_id) is None:
            raise ValidationError({"assignee_id": "pick a staff member"})
        row.assignee_id = user_id
        _changed(uow, row, expected_version)
        uow.session.flush()
        data = _data(uow.session, row)
        uow.commit()
        return data


def set_follow_up(
    context: ServiceContext,
    request_id: int,
    day: date | None,
    *,
    expected_version: int | None = None,
) -> RequestData:
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        row = _get(uow.session, request_id, for_update=True)
        row.follow_up_on = day
        _changed(uow, row, expected_version)
        uow.session.flush()
        data = _data(uow.session, row)
        uow.commit()
        return data


def add_checklist_item(
    context: ServiceContext,
    request_id: int,
    kind: ChecklistKind | str,
    description: str = "",
    source: str = "",
    *,
    surgery_id: int | None = None,
    imaging_id: int | None = None,
) -> ChecklistItemData:
    """Add a record to ask for; tied to a surgery or imaging study of the chart, it is that
    entry's report or images (received there is received here)."""
    what = ChecklistKind(kind)
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        request = _get(uow.session, request_id)
        records.check_link(uow.session, request.patient_id, what, surgery_id, imaging_id)
        item = RequestChecklistItem(
            request_id=request.id,
            patient_id=request.patient_id,
            kind=what.value,
            description=clean_text(description)[:200],
            source=clean_text(source)[:200],
            surgery_id=surgery_id,
            imaging_id=imaging_id,
        )
        uow.stamp(item, new=True)
        uow.session.add(item)
        uow.session.flush()
        data = _item_data(item, uow.session)
        uow.commit()
        return data


def _item(session: Session, item_id: int) -> RequestChecklistItem:
    item = session.get(RequestChecklistItem, item_id, with_for_update=True)
    if item is None:
        raise NotFoundError(f"There is no checklist item with id {item_id}")
    return item


def mark_requested(
    context: ServiceContext, item_ids: Sequence[int], on: date | None = None
) -> list[ChecklistItemData]:
    """Log that these records were asked for (a letter was printed or a call made)."""
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        day = on or practice_today(uow.session)
        result = []
        for item_id in item_ids:
            item = _item(uow.session, item_id)
            item.requested_on = day
            item.requested_by = uow.actor.username
            uow.stamp(item, new=False)
            result.append(item)
        uow.session.flush()
        data = [_item_data(item, uow.session) for item in result]
        uow.commit()
        return data


def mark_received(
    context: ServiceContext,
    item_id: int,
    on: date | None = None,
    *,
    received: bool = True,
    expected_version: int | None = None,
) -> ChecklistItemData:
    """Tick (or untick) one checklist item as received, stamped with the acting user."""
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        item = _item(uow.session, item_id)
        check_version(item, expected_version, "checklist item")
        records.set_item_received(
            uow, item, (on or practice_today(uow.session)) if received else None
        )
        uow.stamp(item, new=False)
        uow.session.flush()
        data = _item_data(item, uow.session)
        uow.commit()
        return data


_DOCUMENT_KIND = {
    ChecklistKind.IMAGING_REPORT: "imaging_report",
    ChecklistKind.IMAGING_FILES: "other",
    ChecklistKind.OPERATIVE_REPORT: "operative_report",
    ChecklistKind.REFERRAL_LETTER: "referral_letter",
    ChecklistKind.INSURANCE_AUTHORIZATION: "insurance_authorization",
}


def attach_document(
    context: ServiceContext,
    request_id: int,
    data: bytes,
    file_name: str,
    kind: ChecklistKind | str,
    *,
    item_id: int | None = None,
) -> RequestAttachResult:
    """Attach a received file (a referral letter, a report) to the request; it ticks the
    named checklist item, or the first missing item of the same kind."""
    what = ChecklistKind(kind)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": "the file is larger than 50 MB"})
    name = clean_file_name(file_name)
    check = check_file(data, name)
    digest = hashlib.sha256(data).hexdigest()
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        session = uow.session
        request = _get(session, request_id, for_update=True)
        existing = session.scalar(
            select(ReceivedDocument.id).where(
                ReceivedDocument.request_id == request_id, ReceivedDocument.sha256 == digest
            )
        )
        if existing is not None:
            return RequestAttachResult(existing, already_attached=True, ticked="")
        document = ReceivedDocument(
            patient_id=request.patient_id,
            request_id=request.id,
            kind=_DOCUMENT_KIND[what],
            file_name=name,
            mime_type=check.mime_type,
            size_bytes=len(data),
            sha256=digest,
            page_count=check.page_count,
            received_at=utcnow(),
            received_by=uow.actor.username,
            content=data,
        )
        session.add(document)
        session.flush()
        query = select(RequestChecklistItem).where(RequestChecklistItem.request_id == request_id)
        if item_id is not None:
            item = session.scalars(query.where(RequestChecklistItem.id == item_id)).first()
        else:
            candidates = session.scalars(
                query.where(RequestChecklistItem.kind == what.value).order_by(
                    RequestChecklistItem.id
                )
            )
            item = next(
                (c for c in candidates if not records.item_received(session, c).received), None
            )
        ticked = ""
        if item is None and item_id is None:
            item = RequestChecklistItem(
                request_id=request.id, patient_id=request.patient_id, kind=what.value
            )
            uow.stamp(item, new=True)
            session.add(item)
        if item is not None:
            item.document_id = document.id
            uow.stamp(item, new=False)
            records.set_item_received(uow, item, practice_today(session))
            ticked = _item_data(item, session).label.lower() if item.id else what.label.lower()
        session.flush()
        uow.commit()
        return RequestAttachResult(document.id, already_attached=False, ticked=ticked)


def log_contact(
    context: ServiceContext, request_id: int, kind: ContactKind | str, note: str = ""
) -> RequestDetail:
    """Log one attempt to reach the person; the detail says when to suggest closing."""
    what = ContactKind(kind)
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        request = _get(uow.session, request_id)
        attempt = RequestContactAttempt(
            request_id=request.id,
            patient_id=request.patient_id,
            kind=what.value,
            at=utcnow(),
            by=uow.actor.username,
            note=clean_text(note),
        )
        uow.stamp(attempt, new=True)
        uow.session.add(attempt)
        uow.session.flush()
        detail = _detail(uow.session, request)
        uow.commit()
        return detail


def staff_members(context: ServiceContext) -> list[StaffMember]:
    """Active users a request can be assigned to."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.execute(
            select(User.id, User.display_name, User.username)
            .where(User.active.is_(True))
            .order_by(User.display_name, User.username)
        )
        return [StaffMember(row.id, row.display_name or row.username) for row in rows]


# --- the work queue -----------------------------------------------------------------------


def _encode_cursor(rank: int, received_at: datetime, request_id: int) -> str:
    text = json.dumps([rank, received_at.isoformat(), request_id])
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, datetime, int]:
    try:
        rank, when, request_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return int(rank), datetime.fromisoformat(when), int(request_id)
    except (ValueError, TypeError) as error:
        raise ValidationError({"cursor": "this page marker is not valid; start again"}) from error


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
                select(Patient.id, Patient.first_name, Patient.last_name, Patient.mrn).where(
                    Patient.id.in_({row.patient_id for row in rows})
                )
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
                patient_name=_patient_name(patient.last_name, patient.first_name),
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


@dataclass(frozen=True)
class QueueSnapshot:
    """The first page and the counts together (the queue opening or a filter change)."""

    page: QueuePage
    counts: dict[RequestState, int] = field(default_factory=dict)


def open_queue(
    context: ServiceContext,
    filters: QueueFilter = QueueFilter(),
    *,
    limit: int = DEFAULT_PAGE_SIZE,
) -> QueueSnapshot:
    return QueueSnapshot(queue(context, filters, limit=limit), state_counts(context, filters))


# --- the records-request letter -----------------------------------------------------------


@dataclass(frozen=True)
class LetterResult:
    pdf: bytes
    addressee: str
    items: tuple[str, ...]


def letter_addressees(detail: RequestDetail) -> list[str]:
    """Who a records letter can go to: the facilities named on missing items, then the
    referring office."""
    names = [item.source for item in detail.missing if item.source]
    if detail.request.referrer_name:
        names.append(detail.request.referrer_name)
    return list(dict.fromkeys(names))


def records_request_letter(
    context: ServiceContext,
    request_id: int,
    *,
    addressee: str | None = None,
    item_ids: Sequence[int] | None = None,
    mark_requested: bool = True,
) -> LetterResult:
    """The letter asking ``addressee`` for the missing records (those it holds when items name
    it, else every missing one); printing it is audited and marks the items requested today."""
    from frontdesk.db.models import PracticeProfile
    from frontdesk.documents.letterhead import PracticeDetails
    from frontdesk.documents.records_request_letter import RecordsLetter, render

    with context.writing(Permission.EDIT_REQUESTS) as uow:
        session = uow.session
        row = _get(session, request_id)
        detail = _detail(session, row)
        choices = letter_addressees(detail)
        to = clean_text(addressee or (choices[0] if choices else ""))
        if not to:
            raise ValidationError({"addressee": "say who the letter is for"})
        missing = [item for item in detail.missing if item_ids is None or item.id in item_ids]
        held_there = [item for item in missing if item.source == to]
        chosen = held_there or [item for item in missing if not item.source or item_ids]
        if not chosen:
            raise RefusedError(
                "Every record on the checklist has been received: nothing to ask for"
            )
        referrer = session.get(Referrer, row.referrer_id) if row.referrer_id else None
        to_referrer = referrer is not None and to == detail.request.referrer_name
        profile = session.get(PracticeProfile, 1)
        practice = (
            PracticeDetails.from_profile(profile)
            if profile is not None
            else PracticeDetails(name="Front Desk")
        )
        today = practice_today(session)
        letter = RecordsLetter(
            addressee=to,
            addressee_address=referrer.address if to_referrer and referrer else "",
            addressee_fax=referrer.fax if to_referrer and referrer else "",
            patient_name=f"{detail.request.patient_name}",
            date_of_birth=detail.request.date_of_birth,
            mrn=detail.request.mrn,
            needed=[item.label for item in chosen],
            today=today,
            signed_by=uow.actor.display_name or uow.actor.username,
            request_id=row.id,
        )
        pdf = render(letter, practice)
        if mark_requested:
            for item in chosen:
                stored = _item(session, item.id)
                if stored.requested_on is None:
                    stored.requested_on = today
                    stored.requested_by = uow.actor.username
                    uow.stamp(stored, new=False)
        uow.record(
            "print",
            "records_request_letter",
            row.id,
            patient_id=row.patient_id,
            details={"items": [item.id for item in chosen]},
        )
        uow.commit()
    return LetterResult(pdf, to, tuple(item.label for item in chosen))


# --- the referrals report -----------------------------------------------------------------


@dataclass(frozen=True)
class ReferralReportRow:
    """Requests of one month from one referring physician in one category."""

    month: str  # "2026-11"
    referrer: str  # "" when nobody referred (self-referred, web form)
    category: RequestCategory
    requests: int
    booked: int  # scheduled or seen
    closed: int
    open: int


REPORT_COLUMNS = (
    "Month",
    "Referring physician",
    "Category",
    "Requests",
    "Booked",
    "Closed",
    "Open",
)


def referrals_report(
    context: ServiceContext, *, received_from: date | None = None, received_to: date | None = None
) -> list[ReferralReportRow]:
    """Requests per referring physician and category per month, with booked-vs-closed counts
    (months newest first, then the physician, then the category)."""
    table = ConsultationRequest
    query = _filtered(
        select(table.received_at, table.referrer_id, table.category, table.state),
        QueueFilter(received_from=received_from, received_to=received_to),
    )
    counts: dict[tuple[str, int | None, str], list[int]] = {}
    with context.reading(Permission.VIEW_PATIENTS) as session:
        for row in session.execute(query):
            key = (f"{row.received_at:%Y-%m}", row.referrer_id, row.category)
            tally = counts.setdefault(key, [0, 0, 0, 0])
            tally[0] += 1
            state = RequestState(row.state)
            if state in (RequestState.SCHEDULED, RequestState.SEEN):
                tally[1] += 1
            elif state is RequestState.CLOSED:
                tally[2] += 1
            else:
                tally[3] += 1
        referrer_ids = {key[1] for key in counts if key[1] is not None}
        names = {
            r.id: _referrer_label(r)
            for r in session.scalars(select(Referrer).where(Referrer.id.in_(referrer_ids)))
        }
    rows = [
        ReferralReportRow(
            month,
            names.get(referrer_id, "") if referrer_id else "",
            RequestCategory(category),
            *tally,
        )
        for (month, referrer_id, category), tally in counts.items()
    ]
    order = list(RequestCategory)
    rows.sort(key=lambda r: (r.referrer == "", r.referrer, order.index(r.category)))
    rows.sort(key=lambda r: r.month, reverse=True)
    return rows


def referrals_csv(rows: Sequence[ReferralReportRow]) -> str:
    """The report as CSV text (cells that could run as spreadsheet formulas neutralized)."""
    import csv
    import io

    from frontdesk.domain.csv_safety import neutralize_row

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for row in rows:
        writer.writerow(
            neutralize_row(
                [
                    row.month,
                    row.referrer or "(no referring physician)",
                    row.category.label,
                    str(row.requests),
                    str(row.booked),
                    str(row.closed),
                    str(row.open),
                ]
            )
        )
    return buffer.getvalue()


# --- the patient's timeline ---------------------------------------------------------------


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
