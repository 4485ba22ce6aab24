"""Creating and updating a chart: every field validated, duplicates held back, audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.domain.contact import (
    InvalidValue,
    clean_text,
    normalize_email,
    normalize_phone,
    text_problem,
)
from frontdesk.domain.dates import age_on, parse_date
from frontdesk.domain.errors import PermissionDeniedError, RefusedError, ValidationError
from frontdesk.domain.names import sort_key
from frontdesk.domain.permissions import Permission
from frontdesk.domain.search_query import format_mrn
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.patients.chart_store import (
    _get,
    _patient_data,
    _write_search_keys,
    reserve_mrns,
)
from frontdesk.services.patients.duplicates import _duplicates
from frontdesk.services.patients.forms import (
    AgeConfirmationNeeded,
    ContactMethod,
    PatientData,
    PatientForm,
    PossibleDuplicatesError,
    Sex,
)

MAX_AGE_WITHOUT_CONFIRMATION = 120


MAX_NOTES_LENGTH = 20_000


_SEX_WORDS = {
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "woman": Sex.FEMALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "man": Sex.MALE,
    "x": Sex.OTHER,
    "o": Sex.OTHER,
    "other": Sex.OTHER,
    "u": Sex.UNKNOWN,
    "unknown": Sex.UNKNOWN,
    "": Sex.UNKNOWN,
}


class _FieldErrors:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def text(
        self,
        name: str,
        value: str,
        max_length: int,
        *,
        required: bool = False,
        one_line: bool = True,
    ) -> str:
        value = clean_text(value)
        problem = text_problem(value, one_line=one_line)
        if required and not value:
            self.fields[name] = "required"
        elif len(value) > max_length:
            self.fields[name] = f"at most {max_length:,} characters"
        elif problem:
            self.fields[name] = problem
        return value

    def phone(self, name: str, value: str) -> str:
        try:
            return normalize_phone(value)
        except InvalidValue as error:
            self.fields[name] = str(error)
            return ""

    def date(
        self, name: str, value: date | str | None, *, required: bool, today: date
    ) -> date | None:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value
        if value is None or not clean_text(value):
            if required:
                self.fields[name] = "required"
            return None
        try:
            return parse_date(value, today=today)
        except InvalidValue as error:
            self.fields[name] = str(error)
            return None


def validate_form(form: PatientForm, *, today: date, confirm_age: bool = False) -> dict[str, Any]:
    """Clean and check every field; ValidationError names each bad field with its reason.

    Ages and dates in the future are judged on ``today``, the practice's day (``clock.today``).
    """
    errors = _FieldErrors()
    values: dict[str, Any] = {
        "first_name": errors.text("first_name", form.first_name, 100, required=True),
        "middle_name": errors.text("middle_name", form.middle_name, 100),
        "last_name": errors.text("last_name", form.last_name, 100, required=True),
        "preferred_name": errors.text("preferred_name", form.preferred_name, 100),
    }
    born = errors.date("date_of_birth", form.date_of_birth, required=True, today=today)
    if born is not None:
        if born > today:
            errors.fields["date_of_birth"] = "the date of birth is in the future"
        elif age_on(born, today) > MAX_AGE_WITHOUT_CONFIRMATION and not confirm_age:
            if not errors.fields:
                raise AgeConfirmationNeeded(age_on(born, today))
            errors.fields["date_of_birth"] = (
                f"this makes the patient {age_on(born, today)} years old; confirm the date"
            )
    values["date_of_birth"] = born
    sex = _SEX_WORDS.get(clean_text(form.sex).lower())
    if sex is None:
        errors.fields["sex"] = "choose female, male, other or unknown"
    values["sex"] = (sex or Sex.UNKNOWN).value
    for name in ("mobile_phone", "home_phone", "work_phone", "emergency_contact_phone"):
        values[name] = errors.phone(name, getattr(form, name))
    try:
        values["email"] = normalize_email(form.email)
    except InvalidValue as error:
        errors.fields["email"] = str(error)
        values["email"] = ""
    for name, length in (
        ("address_line1", 200),
        ("address_line2", 200),
        ("city", 100),
        ("state", 60),
        ("postal_code", 20),
        ("country", 60),
        ("preferred_language", 60),
        ("insurance_payer", 120),
        ("insurance_plan", 120),
        ("insurance_member_id", 60),
        ("insurance_group_number", 60),
        ("subscriber_name", 200),
        ("subscriber_relationship", 40),
        ("emergency_contact_name", 200),
        ("emergency_contact_relationship", 60),
    ):
        values[name] = errors.text(name, getattr(form, name), length)
    values["notes"] = errors.text("notes", form.notes, MAX_NOTES_LENGTH, one_line=False)
    values["interpreter_needed"] = bool(form.interpreter_needed)
    values["large_print"] = bool(form.large_print)
    try:
        values["preferred_contact"] = ContactMethod(clean_text(form.preferred_contact).lower())
    except ValueError:
        errors.fields["preferred_contact"] = "choose phone, text, email or mail"
        values["preferred_contact"] = ContactMethod.NONE
    values["preferred_contact"] = str(values["preferred_contact"].value)
    subscriber_born = errors.date(
        "subscriber_date_of_birth", form.subscriber_date_of_birth, required=False, today=today
    )
    if subscriber_born is not None and subscriber_born > today:
        errors.fields["subscriber_date_of_birth"] = "this date is in the future"
    values["subscriber_date_of_birth"] = subscriber_born
    values["primary_care_id"] = form.primary_care_id
    values["referring_id"] = form.referring_id
    if errors.fields:
        raise ValidationError(errors.fields)
    return values


def _check_referrers(session: Session, values: dict[str, Any]) -> None:
    problems = {}
    for name in ("primary_care_id", "referring_id"):
        referrer_id = values[name]
        if referrer_id is not None and session.get(Referrer, referrer_id) is None:
            problems[name] = "pick a physician from the directory"
    if problems:
        raise ValidationError(problems)


def create_patient(
    context: ServiceContext,
    form: PatientForm,
    *,
    confirm_age: bool = False,
    allow_duplicates: bool = False,
) -> PatientData:
    """Create a chart with a new MRN.

    Likely duplicates (same or day/month-swapped birth date with a similar name, or the same
    phone) hold the save back with PossibleDuplicatesError listing them; once the user has
    looked at them, save again with ``allow_duplicates=True``.
    """
    values = validate_form(form, today=practice_clock.today(context), confirm_age=confirm_age)
    with context.writing(Permission.EDIT_PATIENTS) as uow:
        row = create_patient_in(uow, values, allow_duplicates=allow_duplicates)
        uow.commit()
        return _patient_data(uow.session, row)


def create_patient_in(
    uow: UnitOfWork, values: dict[str, Any], *, allow_duplicates: bool = False
) -> Patient:
    """Create a chart inside a caller's unit of work (intake creates it with its request),
    by the same rules as :func:`create_patient`: referrers checked, the duplicate warning,
    a new MRN, the search keys. ``values`` come from :func:`validate_form`."""
    session = uow.session
    _check_referrers(session, values)
    if not allow_duplicates:
        candidates = _duplicates(session, values, exclude_id=None)
        if candidates:
            raise PossibleDuplicatesError(candidates)
    row = Patient(mrn=format_mrn(reserve_mrns(session, 1)), **values)
    row.sort_key = sort_key(row.last_name, row.first_name, row.middle_name)
    uow.stamp(row, new=True)
    session.add(row)
    session.flush()
    _write_search_keys(session, row, row.id)
    uow.mark_changed("patients")
    return row


def update_patient(
    context: ServiceContext,
    patient_id: int,
    form: PatientForm,
    expected_version: int | None,
    *,
    confirm_age: bool = False,
) -> PatientData:
    """Save edits to a chart opened at ``expected_version``.

    A save over someone else's newer save is refused with ConflictError naming who changed
    the chart and when; nothing is overwritten. Reload, review, and apply again.
    """
    values = validate_form(form, today=practice_clock.today(context), confirm_age=confirm_age)
    with context.writing(Permission.EDIT_PATIENTS) as uow:
        session = uow.session
        # FOR UPDATE (PostgreSQL): a concurrent save waits, then sees the newer version and
        # is refused by check_version with a name, rather than failing anonymously.
        row = _get(session, patient_id, for_update=True)
        if row.merged_into_id is not None:
            raise RefusedError("This chart was merged into another one; edit that chart instead")
        check_version(row, expected_version, "chart")
        _check_referrers(session, values)
        for name, value in values.items():
            setattr(row, name, value)
        row.sort_key = sort_key(row.last_name, row.first_name, row.middle_name)
        if session.is_modified(row):
            uow.stamp(row, new=False)
            session.flush()
            _write_search_keys(session, row, row.id)
        uow.commit()
        return _patient_data(session, row)


# The chart's contact fields a caller's new details may replace, with their words.
CONTACT_FIELDS = {"mobile_phone": "mobile phone", "email": "email"}


def contact_changes(row: Patient, phone: str, email: str) -> dict[str, tuple[str, str]]:
    """What a caller's (normalized) phone and email would change on the chart:
    ``{field: (chart value, caller value)}``. A phone already on the chart (mobile, home or
    work) is no change; a new one is offered as the mobile phone."""
    changes: dict[str, tuple[str, str]] = {}
    if phone and phone not in (row.mobile_phone, row.home_phone, row.work_phone):
        changes["mobile_phone"] = (row.mobile_phone, phone)
    # The same address typed in other capitals is not a new one (mail is delivered the same).
    if email and email.casefold() != row.email.casefold():
        changes["email"] = (row.email, email)
    return changes


def update_contact_in(
    uow: UnitOfWork, patient_id: int, values: dict[str, str], expected_version: int | None
) -> Patient:
    """Set the chart's mobile phone and/or email inside a caller's unit of work (intake, when
    the staff accept a caller's new details), by the chart's rules: edit permission, a merged
    chart refused, the version checked (no save over a newer one), audited, search keys kept."""
    if not uow.actor.can(Permission.EDIT_PATIENTS):
        raise PermissionDeniedError(
            "Changing the chart's contact details needs permission to edit charts"
        )
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not a contact field: {sorted(unknown)}")
    errors = _FieldErrors()
    cleaned = {"mobile_phone": errors.phone("mobile_phone", values.get("mobile_phone", ""))}
    try:
        cleaned["email"] = normalize_email(values.get("email", ""))
    except InvalidValue as error:
        errors.fields["email"] = str(error)
    if errors.fields:
        raise ValidationError(errors.fields)
    session = uow.session
    row = _get(session, patient_id, for_update=True)
    if row.merged_into_id is not None:
        raise RefusedError("This chart was merged into another one; edit that chart instead")
    check_version(row, expected_version, "chart")
    for name in values:
        if cleaned[name]:  # a blank never erases what the chart has
            setattr(row, name, cleaned[name])
    if session.is_modified(row):
        uow.stamp(row, new=False)
        session.flush()
        _write_search_keys(session, row, row.id)
        uow.mark_changed("patients")
    return row
