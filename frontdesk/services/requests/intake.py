"""Intake: a request from the call, with its chart, red flags, history and checklist."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from frontdesk.db.models import User
from frontdesk.db.models_history import ImagingStudy, PriorSurgery
from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.db.models_requests import (
    ConsultationRequest,
    RequestChecklistItem,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import InvalidValue, clean_text, normalize_email, normalize_phone
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.history_summary import SurgeryFacts
from frontdesk.domain.history_vocab import BodyRegion, ImagingModality, Procedure
from frontdesk.domain.partial_dates import (
    PartialDate,
    history_date_problem,
    parse_optional_partial_date,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import (
    Channel,
    ChecklistKind,
    RedFlag,
    RequestState,
    Urgency,
)
from frontdesk.domain.spinal_levels import LevelSet, parse_levels
from frontdesk.services.history.surgeries import add_surgery_draft_in
from frontdesk.services.kernel import clock
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.patients.edit import create_patient_in, validate_form
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.practice.settings import (
    RED_FLAG_INSTRUCTION,
    read_setting,
)
from frontdesk.services.requests._rows import _add_transition, _data
from frontdesk.services.requests.data import IntakeForm, RequestData
from frontdesk.services.requests.linking import update_chart_contact_in

MAX_REPORTED_SURGERIES = 10


INTAKE_NOTE = "Reported by the caller at intake; details to be completed from the records."


@dataclass(frozen=True)
class _Draft:
    procedure: Procedure
    levels: LevelSet
    year: int | None

    @property
    def description(self) -> str:
        day = PartialDate.of_year(self.year) if self.year else None
        return SurgeryFacts(self.procedure, day, self.levels).description()


def _reported_surgeries(errors: dict[str, str], form: IntakeForm, today: date) -> list[_Draft]:
    """Each operation the caller described, checked; field keys are ``surgery_<n>_<part>``."""
    drafts: list[_Draft] = []
    for index, said in enumerate(form.surgeries[:MAX_REPORTED_SURGERIES]):
        if said.blank:
            continue
        key = f"surgery_{index}"
        procedure = Procedure.OTHER
        if said.procedure:
            try:
                procedure = Procedure(said.procedure)
            except ValueError:
                errors[f"{key}_procedure"] = "choose a procedure from the list"
        levels = LevelSet()
        try:
            levels = parse_levels(said.levels)
        except InvalidValue as error:
            errors[f"{key}_levels"] = str(error)
        year = _int_or_none(errors, f"{key}_year", said.year)
        if year is not None and not 1930 <= year <= today.year:
            errors[f"{key}_year"] = f"a year between 1930 and {today.year}"
        drafts.append(_Draft(procedure, levels, year))
    return drafts


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


def _set_urgency(row: ConsultationRequest, urgency: Urgency) -> None:
    row.urgency = urgency.value
    row.urgency_rank = 0 if urgency is Urgency.URGENT else 1


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
    reported = _reported_surgeries(errors, form, today) if form.prior_surgery is not False else []
    if reported:
        values["prior_surgery"] = True
        count = max(count or 0, len(reported))
        years = [draft.year for draft in reported if draft.year is not None]
        if last_year is None and years:
            last_year = max(years)
    values["prior_surgery_count"] = count
    values["prior_surgery_last_year"] = last_year
    values["reported_surgeries"] = reported
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
    # A tick means that question was asked; "all asked" makes every other answer a no.
    values["red_flags_asked"] = bool(flags) or form.red_flags_asked
    denied = [flag.value for flag in RedFlag if flag not in flags] if form.red_flags_asked else []
    values["red_flags_denied"] = json.dumps(sorted(denied))
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
    reported: list[_Draft] = values["reported_surgeries"]
    for index in range(min(count, MAX_REPORTED_SURGERIES)):
        # Unconfirmed drafts: what the caller said, structured, for staff to check in the chart.
        if index < len(reported):
            draft = reported[index]
        else:
            last = index == count - 1 and not reported
            year = values["prior_surgery_last_year"] if last else None
            draft = _Draft(Procedure.OTHER, LevelSet(), year)
        note = f"{INTAKE_NOTE} (request {row.id}: {counted(count, 'operation')} reported"
        last_year = values["prior_surgery_last_year"]
        note += f", the last in {last_year})" if last_year and draft.year == last_year else ")"
        surgery = add_surgery_draft_in(
            uow,
            patient.id,
            procedure=draft.procedure,
            levels=draft.levels,
            year=draft.year,
            notes=note,
        )
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
    reported: list[_Draft] = values["reported_surgeries"]
    for index in range(min(count, MAX_REPORTED_SURGERIES)):
        last_year = values["prior_surgery_last_year"]
        if index < len(reported):
            description = reported[index].description or f"surgery {index + 1} of {count}"
        elif index == count - 1 and last_year and not reported:
            description = f"last surgery ({last_year})"
        else:
            description = f"surgery {index + 1} of {count}"
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
    update_chart: Sequence[str] = (),
    chart_version: int | None = None,
) -> RequestData:
    """Record a request from intake, in one transaction: link or create the chart, store the
    mentioned surgeries and imaging as history, record any red-flag instruction given.

    On a linked chart, ``update_chart`` names the contact fields ("mobile_phone", "email")
    the staff chose to replace with the caller's (see ``linking.check_link``), checked
    against ``chart_version``."""
    context.require(Permission.EDIT_REQUESTS)
    errors: dict[str, str] = {}
    patient_values: dict[str, Any] | None = None
    if form.patient_id is None:
        try:
            patient_values = validate_form(
                _patient_form(form), today=clock.today(context), confirm_age=confirm_age
            )
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
        if patient is not None:
            update_chart_contact_in(uow, patient.id, form, update_chart, chart_version)
        if patient is None:
            assert patient_values is not None
            # The chart is created in this transaction, by the Patients rules and warning.
            patient = create_patient_in(uow, patient_values, allow_duplicates=allow_duplicates)
        now = received_at or utcnow()
        urgency: Urgency = values.pop("urgency")
        row_values = {k: v for k, v in values.items() if k != "reported_surgeries"}
        row = ConsultationRequest(
            patient_id=patient.id,
            received_at=now,
            state=RequestState.NEW.value,
            is_open=True,
            state_changed_at=now,
            **row_values,
        )
        _set_urgency(row, urgency)
        if row.red_flags_asked:
            row.red_flags_asked_at = now
            row.red_flags_asked_by = uow.actor.username
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
