"""CSV import, step 3: the preview, every row checked and duplicates found; nothing written.

``preview_import`` validates every row with the chart form's own rules and finds possible
duplicates within the file and against the database, in bulk (a query per 500 dates or
phone numbers, not per row).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.domain.contact import (
    DEFAULT_REGION,
    InvalidValue,
    clean_text,
    normalize_email,
    normalize_phone,
)
from frontdesk.domain.csv_safety import is_dangerous
from frontdesk.domain.duplicates import DuplicateMatcher, Person, birth_dates_to_compare
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.names import fold, listed_name
from frontdesk.domain.npi import is_valid_npi
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.progress import ProgressCallback, no_progress, report_or_cancel
from frontdesk.domain.search_query import e164_search_key
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.duplicates import (
    candidate_statement,
    duplicate_person,
    summary_from_row,
)
from frontdesk.services.patients.edit import validate_form
from frontdesk.services.patients.forms import FORM_FIELDS, PatientForm, PatientSummary
from frontdesk.services.patients.import_mapping import (
    FIELDS_BY_NAME,
    IMPORT_FIELDS,
    check_mapping,
    column_name,
    guess_mapping,
    repeated_columns,
)
from frontdesk.services.patients.import_reading import CsvRecord, CsvTable

PATIENTS = Patient.__table__


# Values per IN (...) list when looking for duplicates in the database.
LOOKUP_BATCH = 500


# Within the file, a row is compared by name with at most this many earlier rows born on the
# same day (a file where thousands share a placeholder birth date stays fast); exact
# name-and-date repeats are always found.
MAX_SAME_DAY_COMPARISONS = 400


# Progress is reported in thousandths of the whole action.
PROGRESS_STEPS = 1_000


class ProblemKind(StrEnum):
    ERROR = "error"
    DUPLICATE_IN_FILE = "duplicate in file"
    DUPLICATE_IN_DATABASE = "duplicate in database"
    # The row is imported; something was left out or changed (a physician not found).
    NOTE = "note"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return {
            "error": "Error (not imported)",
            "duplicate in file": "Possible duplicate in the file",
            "duplicate in database": "May already have a chart",
            "note": "Note",
            "skipped": "Skipped",
        }[self.value]


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str  # the CSV header the problem is about, or "" for the whole row
    kind: ProblemKind
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "kind": self.kind.value,
            "reason": self.reason,
        }

    def describe(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class PreparedRow:
    """A row that passed validation: the chart's cleaned values, ready to write."""

    line: int
    values: dict[str, Any] = field(repr=False, compare=False)
    duplicate: bool = False


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do; nothing has been written."""

    file_name: str
    encoding: str
    notice: str
    headers: tuple[str, ...]
    mapping: tuple[str, ...]
    rows_in_file: int
    blank_rows: int
    problems: tuple[RowProblem, ...]
    rows: tuple[PreparedRow, ...] = field(repr=False)

    @property
    def error_rows(self) -> int:
        return len({p.line for p in self.problems if p.kind is ProblemKind.ERROR})

    @property
    def skipped_rows(self) -> int:
        return len({p.line for p in self.problems if p.kind is ProblemKind.SKIPPED})

    @property
    def duplicate_rows(self) -> int:
        return sum(1 for row in self.rows if row.duplicate)

    @property
    def duplicates_in_file(self) -> int:
        return len({p.line for p in self.problems if p.kind is ProblemKind.DUPLICATE_IN_FILE})

    @property
    def duplicates_in_database(self) -> int:
        return len({p.line for p in self.problems if p.kind is ProblemKind.DUPLICATE_IN_DATABASE})

    @property
    def valid_rows(self) -> int:
        return len(self.rows)

    def to_import(self, *, include_duplicates: bool = False) -> int:
        return self.valid_rows if include_duplicates else self.valid_rows - self.duplicate_rows

    @property
    def repeated_columns(self) -> tuple[str, ...]:
        return repeated_columns(self.headers, self.mapping)

    def problems_on(self, line: int) -> list[RowProblem]:
        return [problem for problem in self.problems if problem.line == line]

    def summary(self) -> str:
        parts = [
            f"{counted(self.rows_in_file, 'row')} in {self.file_name}: "
            f"{self.to_import():,} ready to import"
        ]
        if self.error_rows:
            parts.append(f"{self.error_rows:,} with errors (not imported)")
        if self.duplicate_rows:
            parts.append(
                f"{counted(self.duplicate_rows, 'possible duplicate')} "
                f"({self.duplicates_in_file:,} within the file, "
                f"{self.duplicates_in_database:,} already in the database)"
            )
        if self.skipped_rows:
            parts.append(f"{self.skipped_rows:,} skipped")
        if self.blank_rows:
            parts.append(f"{self.blank_rows:,} blank")
        parts.extend(self.repeated_columns)
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "encoding": self.encoding,
            "notice": self.notice,
            "mapping": [
                {"column": column_name(self.headers, index), "field": name or None}
                for index, name in enumerate(self.mapping)
            ],
            "repeated_columns": list(self.repeated_columns),
            "rows_in_file": self.rows_in_file,
            "blank_rows": self.blank_rows,
            "ready_to_import": self.to_import(),
            "error_rows": self.error_rows,
            "duplicate_rows": self.duplicate_rows,
            "duplicates_in_file": self.duplicates_in_file,
            "duplicates_in_database": self.duplicates_in_database,
            "skipped_rows": self.skipped_rows,
            "problems": [problem.to_json() for problem in self.problems],
        }

    def sample(self, count: int = 5) -> list[dict[str, str]]:
        """The first valid rows as they will be saved (names, birth date, phone), for a look."""
        result = []
        for row in self.rows[:count]:
            values = row.values
            result.append(
                {
                    "line": str(row.line),
                    "name": listed_name(
                        values["last_name"], values["first_name"], values["middle_name"]
                    ),
                    "date_of_birth": values["date_of_birth"].isoformat(),
                    "sex": values["sex"],
                    "phone": values["mobile_phone"] or values["home_phone"] or values["work_phone"],
                    "email": values["email"],
                }
            )
        return result


_YES = frozenset({"y", "yes", "true", "t", "1", "x", "si", "sí", "needed", "required"})


_NO = frozenset({"", "n", "no", "false", "f", "0", "none", "not needed"})

# The chart's yes/no columns, read with the words above.
_YES_NO_FIELDS = ("interpreter_needed", "large_print")


_CONTACT_WORDS = {
    "call": "phone",
    "telephone": "phone",
    "phone call": "phone",
    "cell": "phone",
    "sms": "text",
    "text message": "text",
    "texting": "text",
    "e-mail": "email",
    "e mail": "email",
    "letter": "mail",
    "post": "mail",
    "postal mail": "mail",
    "no preference": "",
    "none": "",
}


_MIDDLE_INITIAL = re.compile(r"^\w\.?$")


# What clean_text removes (it keeps tabs and line breaks).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain_cell(cell: str) -> str:
    """A cell as typed: a leading apostrophe added by a spreadsheet-safe export is removed."""
    if cell.startswith("'") and is_dangerous(cell[1:]):
        return cell[1:]
    return cell


def split_full_name(text_value: str) -> tuple[str, str, str]:
    """(first, middle, last) from "Last, First M" or "First Last"."""
    value = " ".join(clean_text(text_value).split())
    if not value:
        return "", "", ""
    if "," in value:
        last, _, given = value.partition(",")
        words = given.split()
        middle = ""
        if len(words) > 1 and _MIDDLE_INITIAL.match(words[-1]):
            middle = words.pop()
        return " ".join(words), middle, last.strip()
    words = value.split()
    if len(words) == 1:
        return "", "", words[0]
    return " ".join(words[:-1]), "", words[-1]


@dataclass
class _RowOutcome:
    values: dict[str, Any] | None
    problems: list[RowProblem]
    skipped: bool = False


class _RowReader:
    """Turns one record's cells into a chart's values with the chart form's own rules."""

    def __init__(
        self,
        headers: Sequence[str],
        mapping: Sequence[str],
        referrers_by_npi: Mapping[str, int],
        today: date,
    ) -> None:
        self.headers = headers
        self.columns = [(index, name) for index, name in enumerate(mapping) if name]
        self.column_of = {name: column_name(headers, index) for index, name in self.columns}
        if "full_name" in self.column_of:
            for name in ("first_name", "middle_name", "last_name"):
                self.column_of.setdefault(name, self.column_of["full_name"])
        self.width = len(headers)
        self.referrers_by_npi = referrers_by_npi
        self.today = today
        self.contacts = ContactNormalizer()

    def read(self, record: CsvRecord) -> _RowOutcome:
        line = record.line
        cells = record.cells
        if not any(cell.strip() for cell in cells):  # cheaper than clean_text per cell
            return _RowOutcome(None, [], skipped=True)
        problems: list[RowProblem] = []
        if len(cells) > self.width and any(clean_text(cell) for cell in cells[self.width :]):
            return _RowOutcome(
                None,
                [
                    RowProblem(
                        line,
                        "",
                        ProblemKind.ERROR,
                        f"{len(cells)} values but the header has {self.width} columns "
                        "(an unquoted comma inside a value?)",
                    )
                ],
            )
        raw = {
            name: _plain_cell(cells[index]) if index < len(cells) else ""
            for index, name in self.columns
        }
        if _CONTROL.search("".join(cells)):
            for index, name in self.columns:
                if index < len(cells) and _CONTROL.search(cells[index]):
                    problems.append(
                        RowProblem(
                            line,
                            self.column_of[name],
                            ProblemKind.NOTE,
                            "invisible control characters were removed from this value",
                        )
                    )
        merged_into = clean_text(raw.pop("merged_into_mrn", ""))
        if merged_into:
            reason = f"this chart was merged into {merged_into}, so it is not imported"
            return _RowOutcome(None, [RowProblem(line, "", ProblemKind.SKIPPED, reason)], True)
        column_of = dict(self.column_of)
        full_name = raw.pop("full_name", "")
        if full_name:
            first, middle, last = split_full_name(full_name)
            for name, value in (
                ("first_name", first),
                ("middle_name", middle),
                ("last_name", last),
            ):
                if value and not clean_text(raw.get(name, "")):
                    raw[name] = value
                    column_of[name] = self.column_of["full_name"]
        external_id = clean_text(raw.pop("external_id", ""))
        if external_id:
            note = f"Old chart number: {external_id}"
            raw["notes"] = f"{raw['notes'].rstrip()}\n{note}" if raw.get("notes") else note
        form_values: dict[str, Any] = {
            name: raw.get(name, "") for name in FORM_FIELDS if name in raw
        }
        for name in _YES_NO_FIELDS:
            if name not in raw:
                continue
            word = clean_text(raw[name]).lower()
            form_values[name] = word in _YES
            if word not in _YES and word not in _NO:
                problems.append(
                    RowProblem(
                        line,
                        column_of[name],
                        ProblemKind.ERROR,
                        f"{FIELDS_BY_NAME[name].label}: write yes or no, not {_shown(word)}",
                    )
                )
        if "preferred_contact" in raw:
            word = clean_text(raw["preferred_contact"]).lower()
            form_values["preferred_contact"] = _CONTACT_WORDS.get(word, word)
        for npi_field, id_field in (
            ("primary_care_npi", "primary_care_id"),
            ("referring_npi", "referring_id"),
        ):
            npi = re.sub(r"\D", "", raw.get(npi_field, ""))
            if not npi:
                continue
            referrer_id = self.referrers_by_npi.get(npi) if is_valid_npi(npi) else None
            if referrer_id is None:
                reason = (
                    f"{FIELDS_BY_NAME[npi_field].label}: "
                    + (
                        f"no physician with NPI {npi} in the directory"
                        if is_valid_npi(npi)
                        else f"{npi} is not a valid NPI"
                    )
                    + "; left empty (add the physician, then pick them on the chart)"
                )
                problems.append(RowProblem(line, column_of[npi_field], ProblemKind.NOTE, reason))
            else:
                form_values[id_field] = referrer_id
        form_values.setdefault("first_name", "")
        form_values.setdefault("last_name", "")
        form_values.setdefault("date_of_birth", None)
        # Phones and e-mail are checked here (same rules, faster for bulk) and handed to the
        # form's validation as blanks; everything else is the chart form's own validation.
        contact: dict[str, str] = {}
        field_errors: dict[str, str] = {}
        for name in _CONTACT_FIELDS:
            if name in form_values:
                try:
                    contact[name] = self.contacts.normalize(name, form_values.pop(name))
                except InvalidValue as error:
                    field_errors[name] = str(error)
        try:
            values = validate_form(PatientForm(**form_values), today=self.today)
        except ValidationError as error:
            field_errors.update(error.fields)
        else:
            values.update(contact)
        if field_errors:
            for name in sorted(field_errors, key=_FIELD_ORDER.get):
                problems.append(
                    RowProblem(
                        line,
                        column_of.get(name, ""),
                        ProblemKind.ERROR,
                        _reason(name, field_errors[name], raw.get(name, "")),
                    )
                )
            return _RowOutcome(None, problems)
        if any(problem.kind is ProblemKind.ERROR for problem in problems):
            return _RowOutcome(None, problems)
        return _RowOutcome(values, problems)


_CONTACT_FIELDS = ("mobile_phone", "home_phone", "work_phone", "emergency_contact_phone", "email")


_FIELD_ORDER = {name: index for index, name in enumerate(FORM_FIELDS)} | {"": -1}


# A North American number written the usual ways: (217) 555-0142, 217.555.0142, +1 217...
_NANP = re.compile(r"^(?:\+?1[\s.\-]*)?\(?([2-9]\d{2})\)?[\s.\-]*(\d{3})[\s.\-]*(\d{4})$")


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"


_PLAIN_EMAIL = re.compile(rf"^({_ATEXT}(?:\.{_ATEXT})*)@([A-Za-z0-9.-]+)$")


class ContactNormalizer:
    """normalize_phone and normalize_email with the same results, faster on the common shapes.

    Parsing "(217) 555-0142" costs phonenumbers a third of its time; the usual North
    American shapes are read with a pattern and only validity is asked of phonenumbers.
    An e-mail address with a plain ASCII local part is valid exactly when its domain is, and
    a file has few distinct domains, so each domain is checked once. Anything else takes the
    general path, which also gives the error messages.
    """

    def __init__(self) -> None:
        self._domains: dict[str, str | None] = {}

    def normalize(self, name: str, value: str) -> str:
        return self.email(value) if name == "email" else self.phone(value)

    def phone(self, value: str) -> str:
        text_value = clean_text(value)
        if not text_value:
            return ""
        match = _NANP.match(text_value)
        if match is not None and normalize_region_is_nanp():
            national = "".join(match.groups())
            if phonenumbers.is_valid_number(
                phonenumbers.PhoneNumber(country_code=1, national_number=int(national))
            ):
                return "+1" + national
        return normalize_phone(text_value)

    def email(self, value: str) -> str:
        text_value = clean_text(value)
        if not text_value:
            return ""
        match = _PLAIN_EMAIL.match(text_value)
        if match is not None and len(match.group(1)) <= 64:
            domain = match.group(2)
            if domain not in self._domains:
                try:
                    self._domains[domain] = normalize_email("x@" + domain).split("@", 1)[1]
                except InvalidValue:
                    self._domains[domain] = None
            normalized_domain = self._domains[domain]
            if normalized_domain is not None:
                address = f"{match.group(1)}@{normalized_domain}"
                if len(address) <= 254:
                    return address
        return normalize_email(text_value)


def normalize_region_is_nanp() -> bool:
    # The fast path reads numbers without a country code as North American, which is only
    # what normalize_phone does when the practice's region is in the +1 plan.
    return phonenumbers.country_code_for_region(DEFAULT_REGION) == 1


def _shown(value: str, limit: int = 40) -> str:
    value = " ".join(clean_text(value).split())  # one line, whatever the cell held
    return f'"{value[:limit]}…"' if len(value) > limit else f'"{value}"'


_LABELS = {item.name: item.label for item in IMPORT_FIELDS} | {
    "primary_care_id": "Primary care physician",
    "referring_id": "Referring physician",
}


def _reason(name: str, message: str, value: Any) -> str:
    label = _LABELS.get(name, name.replace("_", " ").capitalize())
    if message == "required":
        return f"{label} is missing"
    if message.lower().startswith(("the " + label.lower(), label.lower())):
        return message[:1].upper() + message[1:]
    return f"{label}: {message}" + (
        f" (the file has {_shown(value)})"
        if isinstance(value, str)
        and clean_text(value)
        and name.endswith(("phone", "email"))
        and clean_text(value) not in message
        else ""
    )


class _Progress:
    """Maps the steps of one phase onto a share of the whole action's PROGRESS_STEPS."""

    def __init__(self, progress: ProgressCallback, start: int, end: int, total: int) -> None:
        self.progress = progress
        self.start, self.end, self.total = start, end, max(total, 1)

    def __call__(self, done: int) -> None:
        step = self.start + (self.end - self.start) * min(done, self.total) // self.total
        report_or_cancel(self.progress, step, PROGRESS_STEPS)


def preview_import(
    context: ServiceContext,
    table: CsvTable,
    mapping: Sequence[str] | None = None,
    *,
    progress: ProgressCallback = no_progress,
    today: date | None = None,
) -> ImportPreview:
    """Check every row of ``table`` as it would be imported; writes nothing.

    Rows with errors and possible duplicates (within the file, and against the charts in the
    database) are listed by line with the reason. Raises ValidationError when the mapping
    lacks a required field or uses one twice. Birth dates are judged on ``today``, by default
    the practice's day (a desk in another zone is on another day near midnight).
    """
    context.require(Permission.IMPORT_EXPORT)
    mapping = tuple(mapping) if mapping is not None else guess_mapping(table.headers)
    problems = check_mapping(table.headers, mapping)
    if problems:
        raise ValidationError(problems)
    report_or_cancel(progress, 0, PROGRESS_STEPS)
    with context.reading(Permission.IMPORT_EXPORT) as session:
        today = today or practice_today(session)
        referrers = {
            npi: referrer_id
            for referrer_id, npi in session.execute(
                select(Referrer.id, Referrer.npi).where(Referrer.npi.is_not(None))
            )
        }
    reader = _RowReader(table.headers, mapping, referrers, today)
    validating = _Progress(progress, 0, 700, len(table.records))
    found: list[RowProblem] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    blank = 0
    for number, record in enumerate(table.records, start=1):
        outcome = reader.read(record)
        found.extend(outcome.problems)
        if outcome.values is not None:
            valid.append((record.line, outcome.values))
        elif outcome.skipped and not outcome.problems:
            blank += 1
        if number % 1_000 == 0:
            validating(number)
    validating(len(table.records))
    duplicates = _Duplicates(valid, reader.column_of)
    duplicates.within_file(_Progress(progress, 700, 800, len(valid)))
    with context.reading(Permission.IMPORT_EXPORT) as session:
        duplicates.against_database(session, _Progress(progress, 800, PROGRESS_STEPS, 1))
    found.extend(duplicates.problems)
    rows = tuple(
        PreparedRow(line, values, duplicate=line in duplicates.lines) for line, values in valid
    )
    order = {kind: index for index, kind in enumerate(ProblemKind)}
    found.sort(key=lambda problem: (problem.line, order[problem.kind]))
    report_or_cancel(progress, PROGRESS_STEPS, PROGRESS_STEPS)
    return ImportPreview(
        file_name=table.file_name,
        encoding=table.encoding,
        notice=table.notice,
        headers=table.headers,
        mapping=mapping,
        rows_in_file=len(table.records),
        blank_rows=blank,
        problems=tuple(found),
        rows=rows,
    )


_PHONES = ("mobile_phone", "home_phone", "work_phone")


class _Duplicates:
    """Possible duplicates by the chart form's own rule (domain.duplicates: the same or
    day/month-swapped birth date with a similar name, or a shared phone number), in bulk.

    Candidates come from a query per 500 birth dates or phone numbers, not per row. Most
    candidates are other people born the same day: one DuplicateMatcher for the whole preview
    compares each pair of names once.
    """

    def __init__(self, valid: list[tuple[int, dict[str, Any]]], column_of: Mapping[str, str]):
        self.valid = valid
        self.problems: list[RowProblem] = []
        self.lines: set[int] = set()
        self.column_of = column_of
        self._matcher = DuplicateMatcher()
        self._people = [duplicate_person(values) for _line, values in valid]

    def _reasons(self, position: int, other: Person) -> tuple[str, ...]:
        return self._matcher.reasons(self._people[position], other)

    def _flag(self, line: int, kind: ProblemKind, reason: str) -> None:
        self.lines.add(line)
        self.problems.append(RowProblem(line, "", kind, reason))

    def within_file(self, progress: Callable[[int], None]) -> None:
        by_date: dict[date, list[int]] = {}
        exact: dict[tuple[str, str, date], int] = {}
        by_phone: dict[str, int] = {}
        for position, (line, values) in enumerate(self.valid):
            born: date = values["date_of_birth"]
            candidates: dict[int, None] = {}
            key = (fold(values["first_name"]), fold(values["last_name"]), born)
            if key in exact:
                candidates[exact[key]] = None
            for day in birth_dates_to_compare(born):
                candidates.update(dict.fromkeys(by_date.get(day, [])[-MAX_SAME_DAY_COMPARISONS:]))
            phones = self._people[position].phones
            for phone in phones:
                if phone in by_phone:
                    candidates[by_phone[phone]] = None
            found: list[tuple[int, tuple[str, ...]]] = []
            for other in sorted(candidates):
                reasons = self._reasons(position, self._people[other])
                if reasons:
                    found.append((other, reasons))
            if found:
                other, why = found[0]
                more = f" (and {counted(len(found) - 1, 'other row')})" if len(found) > 1 else ""
                self._flag(
                    line,
                    ProblemKind.DUPLICATE_IN_FILE,
                    f"possible duplicate of line {self.valid[other][0]}: "
                    f"{', '.join(dict.fromkeys(why))}{more}",
                )
            by_date.setdefault(born, []).append(position)
            exact.setdefault(key, position)
            for phone in phones:
                by_phone.setdefault(phone, position)
            if position % 5_000 == 0:
                progress(position)
        progress(len(self.valid))

    def against_database(self, session: Session, progress: Callable[[int], None]) -> None:
        if not session.scalar(select(PATIENTS.c.id).limit(1)):
            progress(1)
            return  # an empty practice: nothing to compare with
        by_date: dict[date, list[int]] = {}
        by_phone: dict[str, list[int]] = {}
        for position, (_line, values) in enumerate(self.valid):
            born = values["date_of_birth"]
            for day in birth_dates_to_compare(born):
                by_date.setdefault(day, []).append(position)
            for phone in self._people[position].phones:
                by_phone.setdefault(phone, []).append(position)
        found: dict[int, dict[int, tuple[PatientSummary, tuple[str, ...]]]] = {}
        days = sorted(by_date)
        keys = sorted(e164_search_key(phone) for phone in by_phone)
        batches = [(days[i : i + LOOKUP_BATCH], []) for i in range(0, len(days), LOOKUP_BATCH)]
        batches += [([], keys[i : i + LOOKUP_BATCH]) for i in range(0, len(keys), LOOKUP_BATCH)]
        for batch_dates, batch_keys in batches:
            statement = candidate_statement(batch_dates, batch_keys)
            for row in session.execute(statement):
                chart = summary_from_row(row)
                chart_person = chart.person
                positions = set(by_date.get(chart.date_of_birth, ()))
                for phone in chart.phones:
                    positions.update(by_phone.get(phone, ()))
                for position in positions:
                    if chart.id in found.get(position, {}):
                        continue  # found by its birth date and again by its phone
                    reasons = self._reasons(position, chart_person)
                    if reasons:
                        found.setdefault(position, {})[chart.id] = (chart, reasons)
        for position in sorted(found):
            charts = sorted(found[position].values(), key=lambda item: (-len(item[1]), item[0].mrn))
            described = "; ".join(_describe_chart(chart, why) for chart, why in charts[:3])
            more = f" and {len(charts) - 3} more" if len(charts) > 3 else ""
            self._flag(
                self.valid[position][0],
                ProblemKind.DUPLICATE_IN_DATABASE,
                f"may already have a chart: {described}{more}",
            )
        progress(1)


def _describe_chart(chart: PatientSummary, reasons: tuple[str, ...]) -> str:
    return (
        f"{chart.mrn} {chart.display_name}, born {chart.date_of_birth.isoformat()} "
        f"({', '.join(dict.fromkeys(reasons))})"
    )
