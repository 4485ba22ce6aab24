"""Patient charts: create, edit, open (audited), instant search, duplicate checks and merge."""

from __future__ import annotations

import base64
import contextlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from frontdesk.db.models import Base
from frontdesk.db.models_patients import (
    MrnCounter,
    Patient,
    Referrer,
    patient_search_counts,
    patient_search_keys,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import (
    InvalidValue,
    clean_text,
    format_phone,
    normalize_email,
    normalize_phone,
    text_problem,
)
from frontdesk.domain.dates import age_on, parse_date
from frontdesk.domain.duplicates import Person, birth_dates_to_compare, duplicate_reasons
from frontdesk.domain.errors import (
    NotFoundError,
    RefusedError,
    ValidationError,
)
from frontdesk.domain.names import (
    name_tokens,
    prefix_successor,
    sort_key,
    tokens_match_words,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.search_query import (
    PHONE_KEY_PREFIX,
    QueryKind,
    SearchQuery,
    e164_search_key,
    format_mrn,
    parse_search,
)
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.practice.profile import check_version

MAX_AGE_WITHOUT_CONFIRMATION = 120
MAX_NOTES_LENGTH = 20_000
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# patient_search_counts keeps a count for each prefix of up to this many letters.
COUNTED_PREFIX = 3
MAX_TOKENS_LENGTH = 598

KEYS = patient_search_keys
COUNTS = patient_search_counts
PATIENTS = Patient.__table__


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


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


class ContactMethod(StrEnum):
    NONE = ""
    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"
    MAIL = "mail"

    @property
    def label(self) -> str:
        return {
            "": "No preference",
            "phone": "Phone call",
            "text": "Text message",
            "email": "E-mail",
            "mail": "Letter",
        }[self.value]


@dataclass(frozen=True)
class PatientForm:
    """What a person typed for a chart. Dates may be ``date`` objects or text (3/4/1961)."""

    first_name: str
    last_name: str
    date_of_birth: date | str | None
    middle_name: str = ""
    preferred_name: str = ""
    sex: str = "unknown"
    mobile_phone: str = ""
    home_phone: str = ""
    work_phone: str = ""
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    preferred_language: str = ""
    interpreter_needed: bool = False
    preferred_contact: str = ""
    insurance_payer: str = ""
    insurance_plan: str = ""
    insurance_member_id: str = ""
    insurance_group_number: str = ""
    subscriber_name: str = ""
    subscriber_relationship: str = ""
    subscriber_date_of_birth: date | str | None = None
    primary_care_id: int | None = None
    referring_id: int | None = None
    emergency_contact_name: str = ""
    emergency_contact_relationship: str = ""
    emergency_contact_phone: str = ""
    notes: str = ""


FORM_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(PatientForm))


@dataclass(frozen=True)
class PatientData:
    """A whole chart as plain data (what the chart window and `patients show` display)."""

    id: int
    mrn: str
    first_name: str
    middle_name: str
    last_name: str
    preferred_name: str
    date_of_birth: date
    sex: str
    mobile_phone: str
    home_phone: str
    work_phone: str
    email: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    preferred_language: str
    interpreter_needed: bool
    preferred_contact: str
    insurance_payer: str
    insurance_plan: str
    insurance_member_id: str
    insurance_group_number: str
    subscriber_name: str
    subscriber_relationship: str
    subscriber_date_of_birth: date | None
    primary_care_id: int | None
    primary_care_name: str
    referring_id: int | None
    referring_name: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    notes: str
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    merged_into_id: int | None
    merged_into_mrn: str

    @property
    def display_name(self) -> str:
        return display_name(self.last_name, self.first_name, self.middle_name)

    @property
    def phone(self) -> str:
        return self.mobile_phone or self.home_phone or self.work_phone

    def age(self, on: date | None = None) -> int:
        return age_on(self.date_of_birth, on or date.today())

    def form(self) -> PatientForm:
        """The chart as a form, to edit it or re-apply one's changes after a conflict."""
        return PatientForm(**{name: getattr(self, name) for name in FORM_FIELDS})

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            result[item.name] = value.isoformat() if isinstance(value, date | datetime) else value
        return result


@dataclass(frozen=True)
class PatientSummary:
    """One line of a search result or a duplicate warning."""

    id: int
    mrn: str
    first_name: str
    middle_name: str
    last_name: str
    preferred_name: str
    date_of_birth: date
    phone: str  # E.164; phone_display formats it (only for the rows actually shown)
    # For the search list's language column (the caller may need an interpreter).
    preferred_language: str = ""
    interpreter_needed: bool = False
    # Every phone of the chart (E.164), for duplicate checks.
    phones: frozenset[str] = frozenset()

    @property
    def display_name(self) -> str:
        return display_name(self.last_name, self.first_name, self.middle_name)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def person(self) -> Person:
        """This chart as the duplicate rule sees it."""
        return Person(
            self.first_name,
            self.last_name,
            self.preferred_name,
            self.date_of_birth,
            self.phones,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mrn": self.mrn,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "preferred_name": self.preferred_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "phone": self.phone,
        }


@dataclass(frozen=True)
class SearchPage:
    """One page of search results; pass ``next_cursor`` back to get the next page."""

    items: tuple[PatientSummary, ...]
    next_cursor: str | None
    # What the text was understood as ("born 1961-03-04"), or why it finds nothing.
    interpretation: str
    kind: QueryKind


@dataclass(frozen=True)
class DuplicateCandidate:
    patient: PatientSummary
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MergeResult:
    kept: PatientData
    merged_mrn: str
    # "table.column" -> how many rows now point at the kept chart.
    moved: dict[str, int]
    filled_fields: tuple[str, ...]


class PossibleDuplicatesError(RefusedError):
    """Creating the chart was held back: these existing charts may be the same person."""

    def __init__(self, candidates: Sequence[DuplicateCandidate]) -> None:
        self.candidates = tuple(candidates)
        names = "; ".join(
            f"{c.patient.display_name} ({c.patient.mrn}, born "
            f"{c.patient.date_of_birth.isoformat()}: {', '.join(c.reasons)})"
            for c in self.candidates[:3]
        )
        more = f" and {len(self.candidates) - 3} more" if len(self.candidates) > 3 else ""
        super().__init__(
            f"This may be a patient who already has a chart: {names}{more}. "
            "Open that chart, or confirm that this is a different person."
        )


class AgeConfirmationNeeded(ValidationError):
    """The birth date makes the patient older than 120: save again with confirm_age=True."""

    def __init__(self, age: int) -> None:
        super().__init__(
            {"date_of_birth": f"this makes the patient {age} years old; confirm the date"}
        )
        self.age = age


def display_name(last: str, first: str, middle: str = "") -> str:
    given = f"{first} {middle}".strip()
    return f"{last}, {given}" if given else last


# --- validation -------------------------------------------------------------------------


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

    def date(self, name: str, value: date | str | None, *, required: bool) -> date | None:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value
        if value is None or not clean_text(value):
            if required:
                self.fields[name] = "required"
            return None
        try:
            return parse_date(value)
        except InvalidValue as error:
            self.fields[name] = str(error)
            return None


def validate_form(
    form: PatientForm, *, confirm_age: bool = False, today: date | None = None
) -> dict[str, Any]:
    """Clean and check every field; ValidationError names each bad field with its reason."""
    today = today or date.today()
    errors = _FieldErrors()
    values: dict[str, Any] = {
        "first_name": errors.text("first_name", form.first_name, 100, required=True),
        "middle_name": errors.text("middle_name", form.middle_name, 100),
        "last_name": errors.text("last_name", form.last_name, 100, required=True),
        "preferred_name": errors.text("preferred_name", form.preferred_name, 100),
    }
    born = errors.date("date_of_birth", form.date_of_birth, required=True)
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
    try:
        values["preferred_contact"] = ContactMethod(clean_text(form.preferred_contact).lower())
    except ValueError:
        errors.fields["preferred_contact"] = "choose phone, text, email or mail"
        values["preferred_contact"] = ContactMethod.NONE
    values["preferred_contact"] = str(values["preferred_contact"].value)
    subscriber_born = errors.date(
        "subscriber_date_of_birth", form.subscriber_date_of_birth, required=False
    )
    if subscriber_born is not None and subscriber_born > today:
        errors.fields["subscriber_date_of_birth"] = "this date is in the future"
    values["subscriber_date_of_birth"] = subscriber_born
    values["primary_care_id"] = form.primary_care_id
    values["referring_id"] = form.referring_id
    if errors.fields:
        raise ValidationError(errors.fields)
    return values


# --- search keys ------------------------------------------------------------------------


def search_keys(
    first: str, middle: str, last: str, preferred: str, phones: Iterable[str]
) -> tuple[tuple[str, ...], str]:
    """A chart's search keys (name tokens, then phone keys) and the `tokens` text they share."""
    keys = list(name_tokens(first, middle, last, preferred))
    for phone in phones:
        if phone:
            key = e164_search_key(phone)
            if key not in keys:
                keys.append(key)
    tokens = " " + " ".join(keys) + " "
    if len(tokens) > MAX_TOKENS_LENGTH:
        tokens = tokens[:MAX_TOKENS_LENGTH].rsplit(" ", 1)[0] + " "
        keys = [key for key in keys if f" {key} " in tokens]
    return tuple(keys), tokens


def term_counts(keys: Iterable[str]) -> Counter[str]:
    """The patient_search_counts terms of these keys: each name token, and "m*", "ma*",
    "mar*" for its first one to three letters. Phone keys are not counted."""
    counts: Counter[str] = Counter()
    for key in keys:
        if key.startswith(PHONE_KEY_PREFIX):
            continue
        counts[key] += 1
        for length in range(1, min(len(key), COUNTED_PREFIX) + 1):
            counts[key[:length] + "*"] += 1
    return counts


def adjust_term_counts(connection: Connection, delta: Counter[str]) -> None:
    """Add ``delta`` to the term counts, in term order (so concurrent writers never deadlock)."""
    rows = [{"term": term, "entries": change} for term, change in sorted(delta.items()) if change]
    if not rows:
        return
    dialect_insert = sqlite_insert if connection.dialect.name == "sqlite" else pg_insert
    statement = dialect_insert(COUNTS)
    statement = statement.on_conflict_do_update(
        index_elements=[COUNTS.c.term],
        set_={"entries": COUNTS.c.entries + statement.excluded.entries},
    )
    connection.execute(statement, rows)


def _write_search_keys(session: Session, row: Patient | None, patient_id: int) -> None:
    """Replace a chart's search keys (none when ``row`` is None) and keep the counts right."""
    old = session.execute(select(KEYS.c.key).where(KEYS.c.patient_id == patient_id)).scalars()
    delta: Counter[str] = Counter()
    delta.subtract(term_counts(old))  # subtract() keeps negative counts; "-" would drop them
    session.execute(delete(KEYS).where(KEYS.c.patient_id == patient_id))
    if row is not None:
        keys, tokens = search_keys(
            row.first_name,
            row.middle_name,
            row.last_name,
            row.preferred_name,
            (row.mobile_phone, row.home_phone, row.work_phone),
        )
        session.execute(
            insert(KEYS),
            [
                {"key": key, "sort_key": row.sort_key, "patient_id": patient_id, "tokens": tokens}
                for key in keys
            ],
        )
        delta.update(term_counts(keys))
    adjust_term_counts(session.connection(), delta)


# --- reading ----------------------------------------------------------------------------

_SUMMARY_COLUMNS = (
    PATIENTS.c.id,
    PATIENTS.c.mrn,
    PATIENTS.c.first_name,
    PATIENTS.c.middle_name,
    PATIENTS.c.last_name,
    PATIENTS.c.preferred_name,
    PATIENTS.c.date_of_birth,
    PATIENTS.c.mobile_phone,
    PATIENTS.c.home_phone,
    PATIENTS.c.work_phone,
    PATIENTS.c.preferred_language,
    PATIENTS.c.interpreter_needed,
)


def _summary(row: Row[Any]) -> PatientSummary:
    m = row._mapping
    return PatientSummary(
        id=m["id"],
        mrn=m["mrn"],
        first_name=m["first_name"],
        middle_name=m["middle_name"],
        last_name=m["last_name"],
        preferred_name=m["preferred_name"],
        date_of_birth=m["date_of_birth"],
        phone=m["mobile_phone"] or m["home_phone"] or m["work_phone"],
        phones=frozenset((m["mobile_phone"], m["home_phone"], m["work_phone"])) - {""},
        preferred_language=m["preferred_language"],
        interpreter_needed=bool(m["interpreter_needed"]),
    )


def _referrer_name(session: Session, referrer_id: int | None) -> str:
    if referrer_id is None:
        return ""
    row = session.get(Referrer, referrer_id)
    if row is None:
        return ""
    name = f"{row.first_name} {row.last_name}".strip()
    return f"{name}, {row.credentials}" if row.credentials else name


def _patient_data(session: Session, row: Patient) -> PatientData:
    values = {name: getattr(row, name) for name in FORM_FIELDS}
    merged_into_mrn = ""
    if row.merged_into_id is not None:
        merged_into_mrn = (
            session.scalar(select(Patient.mrn).where(Patient.id == row.merged_into_id)) or ""
        )
    return PatientData(
        id=row.id,
        mrn=row.mrn,
        **values,
        primary_care_name=_referrer_name(session, row.primary_care_id),
        referring_name=_referrer_name(session, row.referring_id),
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        merged_into_id=row.merged_into_id,
        merged_into_mrn=merged_into_mrn,
    )


def _get(session: Session, patient_id: int, *, for_update: bool = False) -> Patient:
    row = session.get(Patient, patient_id, with_for_update=for_update or None)
    if row is None:
        raise NotFoundError(f"There is no patient chart with id {patient_id}")
    return row


def get_patient(
    context: ServiceContext, patient_id: int, *, record_view: bool = True
) -> PatientData:
    """Open a chart. Opening is recorded in the audit trail (who looked at whose chart)."""
    if not record_view:
        with context.reading(Permission.VIEW_PATIENTS) as session:
            return _patient_data(session, _get(session, patient_id))
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        data = _patient_data(uow.session, _get(uow.session, patient_id))
        uow.record("view", "patients", patient_id, patient_id=patient_id)
        uow.commit()
        return data


def find_by_mrn(context: ServiceContext, mrn: str) -> int:
    """The id of the chart with this MRN ("M0001234", "m1234" or "1234")."""
    query = parse_search(mrn)
    wanted = query.mrn or clean_text(mrn).upper()
    with context.reading(Permission.VIEW_PATIENTS) as session:
        patient_id = session.scalar(select(Patient.id).where(Patient.mrn == wanted))
    if patient_id is None:
        raise NotFoundError(f"There is no patient with MRN {clean_text(mrn)}")
    return patient_id


# --- creating and editing ---------------------------------------------------------------


def reserve_mrns(session: Session, count: int) -> int:
    """Reserve ``count`` consecutive MRN numbers; returns the first. Never handed out twice."""
    last = session.execute(
        update(MrnCounter)
        .where(MrnCounter.id == 1)
        .values(next_value=MrnCounter.next_value + count)
        .returning(MrnCounter.next_value)
    ).scalar_one_or_none()
    if last is None:
        # The migration creates the counter; a database emptied table by table lost it.
        session.execute(insert(MrnCounter).values(id=1, next_value=1 + count))
        return 1
    return int(last) - count


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
    values = validate_form(form, confirm_age=confirm_age)
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
    values = validate_form(form, confirm_age=confirm_age)
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


# --- duplicates -------------------------------------------------------------------------


def duplicate_person(values: dict[str, Any]) -> Person:
    """The person described by (validated) form values, as the duplicate rule sees them."""
    return Person(
        first_name=values["first_name"],
        last_name=values["last_name"],
        preferred_name=values.get("preferred_name") or "",
        date_of_birth=values.get("date_of_birth"),
        phones=form_phones(values),
    )


def form_phones(values: dict[str, Any]) -> frozenset[str]:
    return frozenset(values.get(n, "") for n in ("mobile_phone", "home_phone", "work_phone")) - {""}


def candidate_statement(dates: Sequence[date], phone_keys: Sequence[str]) -> Select[Any]:
    """Charts born on one of ``dates`` or having one of the phone keys (not merged ones)."""
    by_date = select(PATIENTS.c.id).where(
        PATIENTS.c.date_of_birth.in_(list(dates)), PATIENTS.c.merged_into_id.is_(None)
    )
    by_phone = select(KEYS.c.patient_id).where(KEYS.c.key.in_(list(phone_keys)))
    return select(*_SUMMARY_COLUMNS).where(PATIENTS.c.id.in_(union_all(by_date, by_phone)))


def summary_from_row(row: Row[Any]) -> PatientSummary:
    return _summary(row)


def _duplicates(
    session: Session, values: dict[str, Any], exclude_id: int | None
) -> list[DuplicateCandidate]:
    person = duplicate_person(values)
    born = person.date_of_birth
    dates = [] if born is None else list(birth_dates_to_compare(born))
    keys = [e164_search_key(phone) for phone in person.phones]
    if not dates and not keys:
        return []
    found = []
    for row in session.execute(candidate_statement(dates, keys)):
        summary = _summary(row)
        reasons = duplicate_reasons(person, summary.person)
        if reasons and summary.id != exclude_id:
            found.append(DuplicateCandidate(summary, tuple(reasons)))
    found.sort(key=lambda candidate: (-len(candidate.reasons), candidate.patient.mrn))
    return found


def find_duplicates(
    context: ServiceContext, form: PatientForm, *, exclude_id: int | None = None
) -> list[DuplicateCandidate]:
    """Existing charts that may be this person, for the warning shown before saving.

    Works on a half-filled form: fields that do not validate yet are simply not compared.
    """
    values: dict[str, Any] = {
        "first_name": clean_text(form.first_name),
        "last_name": clean_text(form.last_name),
        "preferred_name": clean_text(form.preferred_name),
        "date_of_birth": None,
    }
    with contextlib.suppress(InvalidValue):  # a half-typed date is simply not compared
        values["date_of_birth"] = _optional_date(form.date_of_birth)
    for name in ("mobile_phone", "home_phone", "work_phone"):
        try:
            values[name] = normalize_phone(getattr(form, name))
        except InvalidValue:
            values[name] = ""
    if not (values["first_name"] and values["last_name"]):
        values["date_of_birth"] = None
    with context.reading(Permission.VIEW_PATIENTS) as session:
        return _duplicates(session, values, exclude_id)


def _optional_date(value: date | str | None) -> date | None:
    if isinstance(value, date):
        return value
    if not value or not clean_text(value):
        return None
    return parse_date(value)


# --- merge ------------------------------------------------------------------------------

# Fields copied from the merged chart when the kept chart has them empty.
_FILLABLE = (
    "middle_name",
    "preferred_name",
    "mobile_phone",
    "home_phone",
    "work_phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "preferred_language",
    "preferred_contact",
    "insurance_payer",
    "insurance_plan",
    "insurance_member_id",
    "insurance_group_number",
    "subscriber_name",
    "subscriber_relationship",
    "subscriber_date_of_birth",
    "primary_care_id",
    "referring_id",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
)


def _patient_references() -> list[tuple[Any, Any]]:
    """Every (table, column) that points at a patient chart, including later areas' tables."""
    references = []
    for table in Base.metadata.sorted_tables:
        if table is KEYS:
            continue  # derived; rewritten below
        for fk in table.foreign_keys:
            if fk.column.table is PATIENTS and fk.column.name == "id":
                references.append((table, fk.parent))
    return references


def merge_patients(
    context: ServiceContext,
    keep_id: int,
    merge_id: int,
    *,
    keep_version: int | None = None,
    merge_version: int | None = None,
) -> MergeResult:
    """Merge chart ``merge_id`` into ``keep_id`` (Admin), all in one transaction.

    Every record that points at the merged chart is moved to the kept one; the kept chart's
    empty fields are filled from the merged one; the merged chart stays (its MRN is never
    reused) marked as merged, and disappears from search. Both charts' audit trails say so.
    """
    if keep_id == merge_id:
        raise ValidationError({"": "pick two different charts to merge"})
    with context.writing(Permission.MERGE_PATIENTS) as uow:
        session = uow.session
        keep = _get(session, keep_id, for_update=True)
        gone = _get(session, merge_id, for_update=True)
        for row in (keep, gone):
            if row.merged_into_id is not None:
                raise RefusedError(f"Chart {row.mrn} was already merged into another chart")
        check_version(keep, keep_version, "chart")
        check_version(gone, merge_version, "chart")
        moved: dict[str, int] = {}
        for table, column in _patient_references():
            result = session.execute(
                update(table).where(column == merge_id).values({column.name: keep_id})
            )
            moved[f"{table.name}.{column.name}"] = int(result.rowcount or 0)
        filled = []
        for name in _FILLABLE:
            if getattr(keep, name) in ("", None) and getattr(gone, name) not in ("", None):
                setattr(keep, name, getattr(gone, name))
                filled.append(name)
        if gone.notes:
            note = f"[From merged chart {gone.mrn}]\n{gone.notes}"
            keep.notes = f"{keep.notes}\n\n{note}" if keep.notes else note
            filled.append("notes")
        if gone.interpreter_needed and not keep.interpreter_needed:
            keep.interpreter_needed = True
            filled.append("interpreter_needed")
        now = utcnow()
        gone.merged_into_id = keep.id
        gone.merged_at = now
        uow.stamp(keep, new=False)
        uow.stamp(gone, new=False)
        session.flush()
        _write_search_keys(session, None, gone.id)
        _write_search_keys(session, keep, keep.id)
        details = {
            "kept_mrn": keep.mrn,
            "merged_mrn": gone.mrn,
            "moved": moved,
            "filled_fields": filled,
        }
        uow.record("merge", "patients", keep.id, patient_id=keep.id, details=details)
        uow.record("merged_into", "patients", gone.id, patient_id=gone.id, details=details)
        uow.commit()
        return MergeResult(
            kept=_patient_data(session, keep),
            merged_mrn=gone.mrn,
            moved=moved,
            filled_fields=tuple(filled),
        )


# --- search -----------------------------------------------------------------------------


def _encode_cursor(parts: list[Any]) -> str:
    raw = json.dumps(parts, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"cursor": "not a search position from this search"}) from error
    if not isinstance(parts, list) or not parts:
        raise ValidationError({"cursor": "not a search position from this search"})
    return parts


def search(
    context: ServiceContext,
    text: str,
    *,
    limit: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> SearchPage:
    """Find charts by name words in any order and prefix, birth date, phone (or its end), MRN.

    Results come a page at a time in a stable order; ``cursor`` (from the previous page)
    continues exactly after it, with no repeats and no gaps. Merged charts are not listed.
    """
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    query = parse_search(text)
    position = _decode_cursor(cursor) if cursor else None
    if query.kind in (QueryKind.EMPTY, QueryKind.INVALID):
        return SearchPage((), None, query.message, query.kind)
    with context.reading(Permission.VIEW_PATIENTS) as session:
        next_cursor: str | None = None
        if query.kind is QueryKind.MRN:
            items = _search_mrn(session, query.mrn) if position is None else []
        elif query.kind is QueryKind.BIRTH_DATE:
            items, next_cursor = _search_birth_date(session, query, limit, position)
        elif query.kind is QueryKind.PHONE:
            items, next_cursor = _search_keys(
                session.connection(), (query.phone_key,), limit, position, phone=True
            )
            if query.mrn and position is None:
                by_mrn = _search_mrn(session, query.mrn)
                shown = {item.id for item in by_mrn}
                items = by_mrn + [item for item in items if item.id not in shown]
        else:
            items, next_cursor = _search_keys(session.connection(), query.words, limit, position)
    return SearchPage(tuple(items), next_cursor, query.describe(), query.kind)


def _search_mrn(session: Session, mrn: str) -> list[PatientSummary]:
    row = session.execute(
        select(*_SUMMARY_COLUMNS, PATIENTS.c.merged_into_id).where(PATIENTS.c.mrn == mrn)
    ).first()
    if row is None:
        return []
    if row.merged_into_id is not None:
        # An old MRN still finds the person: it leads to the chart it was merged into.
        row = session.execute(
            select(*_SUMMARY_COLUMNS, PATIENTS.c.merged_into_id).where(
                PATIENTS.c.id == row.merged_into_id
            )
        ).first()
    return [_summary(row)] if row is not None else []


def _search_birth_date(
    session: Session, query: SearchQuery, limit: int, position: list[Any] | None
) -> tuple[list[PatientSummary], str | None]:
    stmt = (
        select(*_SUMMARY_COLUMNS, PATIENTS.c.sort_key)
        .where(PATIENTS.c.date_of_birth == query.birth_date)
        .order_by(PATIENTS.c.date_of_birth, PATIENTS.c.sort_key, PATIENTS.c.id)
    )
    if position is not None:
        stmt = stmt.where(
            tuple_(PATIENTS.c.sort_key, PATIENTS.c.id) > tuple_(position[1], position[2])
        )
    # Patients born on one day are few (about 30 in a million charts): filter in Python.
    items: list[PatientSummary] = []
    for row in session.execute(stmt.where(PATIENTS.c.merged_into_id.is_(None))):
        summary = _summary(row)
        if query.words and not tokens_match_words(
            name_tokens(
                summary.first_name, summary.middle_name, summary.last_name, summary.preferred_name
            ),
            query.words,
        ):
            continue
        items.append(summary)
        if len(items) == limit:
            return items, _encode_cursor(["d", row.sort_key, row.id])
    return items, None


def _token_patterns(words: Sequence[str], driver: int) -> list[str]:
    """LIKE patterns on `tokens` that every chart matching all words must satisfy.

    Each word must start a different token, so a word that starts c of the query's words
    (itself included) needs c tokens starting with it: "% ma% ma%" for "ma mar". The driver
    word's own key already gives it one.
    """
    patterns = []
    for word in dict.fromkeys(words):
        needed = sum(1 for other in words if other.startswith(word))
        if word == words[driver] and needed == 1:
            continue
        patterns.append("%" + f" {word}%" * needed)
    return patterns


@lru_cache(maxsize=64)
def _key_statement(patterns: int, after: bool) -> Select[Any]:
    """The key-range scan, built once per shape; values are bound at execution.

    The ORDER BY is the index's own order, so the database reads matches in order and
    stops at the LIMIT instead of sorting every match.
    """
    stmt = (
        select(KEYS.c.key, KEYS.c.sort_key, KEYS.c.tokens, *_SUMMARY_COLUMNS)
        .join_from(KEYS, PATIENTS, PATIENTS.c.id == KEYS.c.patient_id)
        .where(KEYS.c.key >= bindparam("lo"), KEYS.c.key < bindparam("hi"))
    )
    for index in range(patterns):
        # Read from the index alone: the other words must start some of the chart's keys.
        stmt = stmt.where(KEYS.c.tokens.like(bindparam(f"pattern{index}")))
    if after:
        stmt = stmt.where(
            tuple_(KEYS.c.key, KEYS.c.sort_key, KEYS.c.patient_id)
            > tuple_(bindparam("after_key"), bindparam("after_sort"), bindparam("after_id"))
        )
    return stmt.order_by(KEYS.c.key, KEYS.c.sort_key, KEYS.c.patient_id).limit(bindparam("batch"))


@lru_cache(maxsize=64)
def _counts_statement(shape: tuple[bool, ...]) -> CompoundSelect:
    """How many keys start with each word: one row per word, read from patient_search_counts
    (a prefix row for words of up to three letters, a short range of tokens otherwise)."""
    parts = []
    for index, short in enumerate(shape):
        condition = (
            COUNTS.c.term == bindparam(f"term{index}")
            if short
            else and_(
                COUNTS.c.term >= bindparam(f"lo{index}"), COUNTS.c.term < bindparam(f"hi{index}")
            )
        )
        parts.append(
            select(
                literal(index).label("word"), func.coalesce(func.sum(COUNTS.c.entries), 0)
            ).where(condition)
        )
    return union_all(*parts)


def _choose_driver(connection: Connection, words: Sequence[str]) -> int:
    """The word with the fewest keys: its range is the shortest to scan (longer word on ties)."""
    params: dict[str, str] = {}
    shape = []
    for index, word in enumerate(words):
        short = len(word) <= COUNTED_PREFIX
        shape.append(short)
        if short:
            params[f"term{index}"] = word + "*"
        else:
            params[f"lo{index}"], params[f"hi{index}"] = word, prefix_successor(word)
    counts = dict(connection.execute(_counts_statement(tuple(shape)), params).all())
    return min(
        range(len(words)), key=lambda index: (int(counts.get(index, 0)), -len(words[index]), index)
    )


def _search_keys(
    connection: Connection,
    words: Sequence[str],
    limit: int,
    position: list[Any] | None,
    *,
    phone: bool = False,
) -> tuple[list[PatientSummary], str | None]:
    """Scan one word's key range in index order, keeping charts that match every word.

    A chart appears once: at its smallest key that starts with the scanned word, and only if
    each word starts a different one of its names.
    """
    kind = "p" if phone else "n"
    if position is not None and position[0] == kind and len(position) == 5:
        driver = int(position[1])
        after: tuple[str, str, int] | None = (position[2], position[3], int(position[4]))
    else:
        driver = _choose_driver(connection, words) if len(words) > 1 else 0
        after = None
    if driver >= len(words):
        raise ValidationError({"cursor": "not a search position from this search"})
    lo = words[driver]
    patterns = _token_patterns(words, driver)
    params: dict[str, Any] = {"lo": lo, "hi": prefix_successor(lo)}
    for index, pattern in enumerate(patterns):
        params[f"pattern{index}"] = pattern
    several = len(words) > 1
    items: list[PatientSummary] = []
    batch = limit + 10
    while True:
        if after is not None:
            params["after_key"], params["after_sort"], params["after_id"] = after
        params["batch"] = batch
        statement = _key_statement(len(patterns), after is not None)
        rows = connection.execute(statement, params).all()
        for row in rows:
            key, tokens = row[0], row[2].split()
            after = (key, row[1], row[3])
            if key != min(token for token in tokens if token.startswith(lo)):
                continue  # the chart is listed at its first matching key
            if several:
                names = [token for token in tokens if not token.startswith(PHONE_KEY_PREFIX)]
                if not tokens_match_words(names, words):
                    continue
            items.append(
                PatientSummary(
                    id=row[3],
                    mrn=row[4],
                    first_name=row[5],
                    middle_name=row[6],
                    last_name=row[7],
                    preferred_name=row[8],
                    date_of_birth=row[9],
                    phone=row[10] or row[11] or row[12],
                    phones=frozenset((row[10], row[11], row[12])) - {""},
                    preferred_language=row[13],
                    interpreter_needed=bool(row[14]),
                )
            )
            if len(items) == limit:
                return items, _encode_cursor([kind, driver, *after])
        if len(rows) < batch:
            return items, None
        batch = min(batch * 4, 5_000)


def summaries_for(context: ServiceContext, patient_ids: Sequence[int]) -> list[PatientSummary]:
    """Summaries of these charts, in the order given (for lists held as ids)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.execute(
            select(*_SUMMARY_COLUMNS).where(PATIENTS.c.id.in_(list(patient_ids)))
        ).all()
    by_id = {row.id: _summary(row) for row in rows}
    return [by_id[pid] for pid in patient_ids if pid in by_id]
