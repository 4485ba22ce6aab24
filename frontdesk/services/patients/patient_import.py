"""Importing patients from CSV: read, map columns, preview problems by line, import atomically.

The flow the wizard and ``frontdesk patients import`` share:

1. ``read_csv_file`` decodes the file (UTF-8 with or without BOM; Windows-1252 only as a
   reported fallback) and splits it into records, each with the line it starts on (the header
   is line 1). A file that cannot be read as CSV is refused with one clear sentence.
2. ``guess_mapping`` recognizes common header names ("DOB", "Surname", "Cell", "E-mail"...);
   the user may change it; ``check_mapping`` says what is missing or chosen twice.
3. ``preview_import`` validates every row with the chart form's own rules and finds possible
   duplicates within the file and against the database, in bulk (a query per 500 dates or
   phone numbers, not per row). Nothing is written.
4. ``import_patients`` writes the previewed rows in one transaction with the driver's bulk
   path (executemany on SQLite, COPY on PostgreSQL). Cancelling rolls everything back; the
   audit trail gets one entry with the counts. The log gets counts and MRNs only (no PHI).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import Patient, Referrer, patient_search_keys
from frontdesk.db.types import utcnow
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
from frontdesk.domain.names import fold, sort_key
from frontdesk.domain.npi import is_valid_npi
from frontdesk.domain.permissions import Permission
from frontdesk.domain.progress import ProgressCallback, no_progress, report_or_cancel
from frontdesk.domain.search_query import e164_search_key, format_mrn
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import charts as patients_service
from frontdesk.services.patients.charts import (
    FORM_FIELDS,
    PatientForm,
    PatientSummary,
    adjust_term_counts,
    display_name,
    reserve_mrns,
    search_keys,
    term_counts,
    validate_form,
)

log = logging.getLogger(__name__)

PATIENTS = Patient.__table__
KEYS = patient_search_keys

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 300
# Rows per bulk write; progress and Cancel are checked between chunks.
CHUNK = 5_000
# Values per IN (...) list when looking for duplicates in the database.
LOOKUP_BATCH = 500
# Within the file, a row is compared by name with at most this many earlier rows born on the
# same day (a file where thousands share a placeholder birth date stays fast); exact
# name-and-date repeats are always found.
MAX_SAME_DAY_COMPARISONS = 400
# Above this many imported rows the planner statistics are refreshed afterwards.
ANALYZE_ABOVE = 20_000
# Progress is reported in thousandths of the whole action.
PROGRESS_STEPS = 1_000

IGNORE = ""
REQUIRED = ("first_name", "last_name", "date_of_birth")


def count(number: int, noun: str) -> str:
    """Say "1 row", "2 rows", "12,000 rows"."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


class ImportFileError(ValidationError):
    """The file cannot be read as a CSV of patients (exit 2); nothing was imported."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": message}, message)


# --- fields and the header names they are recognized by ----------------------------------


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    # Header names (as people write them) that mean this field.
    headers: tuple[str, ...] = ()


IMPORT_FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "first_name",
        "First name",
        (
            "first",
            "first name",
            "firstname",
            "given",
            "given name",
            "given names",
            "forename",
            "fname",
            "patient first name",
            "pt first name",
            "legal first name",
            "nombre",
        ),
    ),
    ImportField(
        "middle_name", "Middle name", ("middle", "middle name", "middle initial", "mi", "mname")
    ),
    ImportField(
        "last_name",
        "Last name",
        (
            "last",
            "last name",
            "lastname",
            "surname",
            "family name",
            "lname",
            "patient last name",
            "pt last name",
            "legal last name",
            "apellido",
            "apellidos",
        ),
    ),
    ImportField(
        "full_name",
        "Full name (Last, First)",
        ("name", "full name", "patient name", "patient", "patient full name", "nombre completo"),
    ),
    ImportField(
        "preferred_name",
        "Preferred name",
        ("preferred", "preferred name", "nickname", "goes by", "known as", "alias"),
    ),
    ImportField(
        "date_of_birth",
        "Date of birth",
        (
            "dob",
            "date of birth",
            "birth date",
            "birthdate",
            "birthday",
            "born",
            "patient dob",
            "pt dob",
            "fecha de nacimiento",
        ),
    ),
    ImportField("sex", "Sex", ("sex", "gender", "sex at birth", "legal sex", "sexo")),
    ImportField(
        "mobile_phone",
        "Mobile phone",
        ("cell", "cell phone", "cellphone", "mobile", "mobile phone", "cellular", "celular"),
    ),
    ImportField(
        "home_phone",
        "Home phone",
        ("home phone", "home", "home tel", "home telephone", "phone home", "landline"),
    ),
    ImportField(
        "work_phone",
        "Work phone",
        ("work phone", "work", "business phone", "office phone", "work tel", "daytime phone"),
    ),
    ImportField(
        "email",
        "E-mail",
        ("email", "e-mail", "email address", "e-mail address", "mail address", "correo"),
    ),
    ImportField(
        "address_line1",
        "Address line 1",
        ("address", "address 1", "address line 1", "street", "street address", "addr1", "addr"),
    ),
    ImportField(
        "address_line2",
        "Address line 2",
        ("address 2", "address line 2", "addr2", "apt", "apartment", "suite", "unit"),
    ),
    ImportField("city", "City", ("city", "town", "ciudad")),
    ImportField("state", "State", ("state", "province", "region", "st", "estado")),
    ImportField(
        "postal_code",
        "Postal code",
        ("zip", "zip code", "zipcode", "postal code", "postcode", "zip+4", "codigo postal"),
    ),
    ImportField("country", "Country", ("country", "pais")),
    ImportField(
        "preferred_language",
        "Preferred language",
        ("language", "preferred language", "primary language", "lang", "idioma"),
    ),
    ImportField(
        "interpreter_needed",
        "Interpreter needed",
        ("interpreter", "interpreter needed", "needs interpreter", "interpreter required"),
    ),
    ImportField(
        "preferred_contact",
        "Preferred contact method",
        ("preferred contact", "contact method", "contact preference", "preferred contact method"),
    ),
    ImportField(
        "insurance_payer",
        "Insurance payer",
        (
            "insurance",
            "payer",
            "insurance company",
            "insurance payer",
            "primary insurance",
            "carrier",
            "insurance carrier",
        ),
    ),
    ImportField("insurance_plan", "Insurance plan", ("plan", "insurance plan", "plan name")),
    ImportField(
        "insurance_member_id",
        "Insurance member ID",
        (
            "member id",
            "member number",
            "subscriber id",
            "policy number",
            "policy",
            "insurance id",
            "insurance member id",
            "policy id",
        ),
    ),
    ImportField(
        "insurance_group_number",
        "Insurance group number",
        ("group", "group number", "group no", "group id", "insurance group number"),
    ),
    ImportField(
        "subscriber_name", "Subscriber name", ("subscriber", "subscriber name", "policy holder")
    ),
    ImportField(
        "subscriber_relationship",
        "Subscriber relationship",
        ("subscriber relationship", "relationship to subscriber", "relation to insured"),
    ),
    ImportField(
        "subscriber_date_of_birth",
        "Subscriber date of birth",
        ("subscriber dob", "subscriber date of birth", "subscriber birth date", "insured dob"),
    ),
    ImportField(
        "primary_care_npi",
        "Primary care physician NPI",
        ("pcp npi", "primary care npi", "primary care physician npi"),
    ),
    ImportField(
        "referring_npi",
        "Referring physician NPI",
        ("referring npi", "referrer npi", "referring physician npi", "referring provider npi"),
    ),
    ImportField(
        "emergency_contact_name",
        "Emergency contact name",
        ("emergency contact", "emergency contact name", "emergency name", "ice name"),
    ),
    ImportField(
        "emergency_contact_relationship",
        "Emergency contact relationship",
        ("emergency contact relationship", "emergency relationship", "ice relationship"),
    ),
    ImportField(
        "emergency_contact_phone",
        "Emergency contact phone",
        ("emergency phone", "emergency contact phone", "ice phone", "emergency number"),
    ),
    ImportField("notes", "Notes", ("notes", "note", "comments", "comment", "remarks", "alerts")),
    ImportField(
        "external_id",
        "Old chart number (kept in notes)",
        (
            "mrn",
            "medical record number",
            "mr number",
            "mr no",
            "chart",
            "chart number",
            "chart no",
            "patient id",
            "patient number",
            "account",
            "account number",
            "record number",
            "id",
        ),
    ),
    ImportField("merged_into_mrn", "Merged into MRN (such rows are skipped)", ("merged into mrn",)),
)

FIELDS_BY_NAME: dict[str, ImportField] = {item.name: item for item in IMPORT_FIELDS}
# Header names that mean "a phone number" without saying which: the mobile phone unless
# another column already is the mobile phone, then the home phone.
_GENERIC_PHONE = ("phone", "telephone", "phone number", "tel", "primary phone", "telefono")
_NOT_ALNUM = re.compile(r"[^a-z0-9+]+")


def normalize_header(header: str) -> str:
    """A header as compared with the known names: folded, letters and digits only."""
    return _NOT_ALNUM.sub("", fold(clean_text(header).replace("#", " number")))


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for item in IMPORT_FIELDS:
        for name in (item.name, item.label, *item.headers):
            index.setdefault(normalize_header(name), item.name)
    return index


_HEADER_INDEX = _header_index()
_GENERIC_PHONE_KEYS = frozenset(normalize_header(name) for name in _GENERIC_PHONE)


def field_for_header(header: str) -> str:
    """The field a header is recognized as, or "" (the column is not imported)."""
    return _HEADER_INDEX.get(normalize_header(header), IGNORE)


def guess_mapping(headers: Sequence[str]) -> tuple[str, ...]:
    """For each column, the field its header is recognized as ("" = not imported).

    A field is given to the first column that names it; the user can change any of it.
    """
    mapping = [field_for_header(header) for header in headers]
    used: set[str] = set()
    for index, name in enumerate(mapping):
        if name in used:
            mapping[index] = IGNORE
        elif name:
            used.add(name)
    for index, header in enumerate(headers):
        if mapping[index] == IGNORE and normalize_header(header) in _GENERIC_PHONE_KEYS:
            for candidate in ("mobile_phone", "home_phone", "work_phone"):
                if candidate not in used:
                    mapping[index] = candidate
                    used.add(candidate)
                    break
    return tuple(mapping)


def column_letter(index: int) -> str:
    """Spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_name(headers: Sequence[str], index: int) -> str:
    header = clean_text(headers[index]) if index < len(headers) else ""
    return header or f"column {column_letter(index)}"


def repeated_columns(headers: Sequence[str], mapping: Sequence[str]) -> tuple[str, ...]:
    """A sentence for each column left out because its header names a field that another
    column fills (two "DOB" columns): the report says so instead of dropping it silently."""
    filled_by = {name: index for index, name in enumerate(mapping) if name}
    notes = []
    for index, header in enumerate(headers):
        if index < len(mapping) and mapping[index]:
            continue
        named = field_for_header(header)
        taken = filled_by.get(named)
        if named and taken is not None:
            notes.append(
                f'column {column_letter(index)} "{column_name(headers, index)}" is not imported: '
                f"{FIELDS_BY_NAME[named].label} comes from column {column_letter(taken)} "
                f'"{column_name(headers, taken)}"'
            )
    return tuple(notes)


def check_mapping(headers: Sequence[str], mapping: Sequence[str]) -> dict[str, str]:
    """What is wrong with a mapping, by field ("" = fine when the dict is empty)."""
    problems: dict[str, str] = {}
    if len(mapping) != len(headers):
        problems["mapping"] = f"the mapping has {len(mapping)} columns, the file {len(headers)}"
        return problems
    columns: dict[str, list[int]] = {}
    for index, name in enumerate(mapping):
        if name == IGNORE:
            continue
        if name not in FIELDS_BY_NAME:
            problems[name] = f"there is no field called {name!r}"
            continue
        columns.setdefault(name, []).append(index)
    for name, indexes in columns.items():
        if len(indexes) > 1:
            names = " and ".join(f'"{column_name(headers, index)}"' for index in indexes)
            problems[name] = f"{FIELDS_BY_NAME[name].label} is chosen for two columns ({names})"
    has_full_name = "full_name" in columns
    for name in REQUIRED:
        if name not in columns and not (has_full_name and name != "date_of_birth"):
            problems[name] = (
                f"choose the column that holds the {FIELDS_BY_NAME[name].label.lower()}"
            )
    return problems


# --- reading the file ---------------------------------------------------------------------


@dataclass(frozen=True)
class CsvRecord:
    line: int  # the line the record starts on; the header is line 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class CsvTable:
    """A CSV file read into memory: its header, its records, and how it was decoded."""

    file_name: str
    headers: tuple[str, ...]
    records: tuple[CsvRecord, ...] = field(repr=False)
    encoding: str
    # Said to the user before importing (a fallback encoding was used), else "".
    notice: str = ""

    def examples(self, column: int, count: int = 3) -> list[str]:
        """The first few non-empty values of a column (to help choose the mapping)."""
        found: list[str] = []
        for record in self.records:
            if column < len(record.cells) and (value := clean_text(record.cells[column])):
                found.append(value)
                if len(found) == count:
                    break
        return found


ENCODINGS = ("auto", "utf-8", "cp1252")
_ENCODING_LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}


def read_csv_file(path: Path | str, *, encoding: str = "auto") -> CsvTable:
    """Read a CSV file of patients; ImportFileError says in one sentence why it cannot be."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ImportFileError(f"{path.name} is a folder, not a CSV file")
        if size > MAX_FILE_BYTES:
            raise ImportFileError(
                f"{path.name} is {size / 1_048_576:,.0f} MB; the most one import takes is "
                f"{MAX_FILE_BYTES // 1_048_576} MB. Split the file and import the parts."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"There is no file {path}") from None
    except PermissionError:
        raise ImportFileError(f"This computer's login may not read {path}") from None
    except OSError as error:
        raise ImportFileError(f"{path} cannot be read ({error.strerror or error})") from None
    return read_csv_bytes(data, path.name, encoding=encoding)


def read_csv_bytes(data: bytes, file_name: str, *, encoding: str = "auto") -> CsvTable:
    if encoding not in ENCODINGS:
        raise ImportFileError(f"unknown encoding {encoding!r}: use {', '.join(ENCODINGS)}")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"{file_name} is too large for one import (over {MAX_FILE_BYTES // 1_048_576} MB)"
        )
    content, label, notice = _decode(data, file_name, encoding)
    return _parse(content, file_name, label, notice)


def _decode(data: bytes, file_name: str, encoding: str) -> tuple[str, str, str]:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            f"{file_name} is a spreadsheet workbook, not a CSV file: in the spreadsheet choose "
            '"Save as" and the type "CSV UTF-8", then import that file'
        )
    for bom, codec, label in (
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec), label, ""
            except UnicodeDecodeError:
                raise ImportFileError(f"{file_name} is not valid UTF-16 text") from None
    label = "UTF-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        label = "UTF-8 with BOM"
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ImportFileError(
            f"{file_name} does not look like a text CSV file (line {line} has a NUL byte); "
            'export it from the old system or spreadsheet as "CSV UTF-8"'
        )
    if encoding == "cp1252":
        try:
            return data.decode("cp1252"), "Windows-1252", ""
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise ImportFileError(
                f"{file_name} is not Windows-1252 text either (line {line})"
            ) from None
    try:
        return data.decode("utf-8"), label, ""
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        advice = (
            'In the spreadsheet, save it again as "CSV UTF-8"'
            "; if it came from an older Windows program, import it as Windows-1252."
        )
        if encoding == "utf-8":
            raise ImportFileError(
                f"{file_name} is not UTF-8 text (line {line} has bytes UTF-8 does not allow). "
                + advice
            ) from None
        try:
            content = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError(
                f"{file_name} is not UTF-8 text (line {line} has bytes UTF-8 does not allow), "
                "and not Windows-1252 either. " + advice
            ) from None
        notice = (
            f"{file_name} is not UTF-8 (line {line} is the first that is not), so it was read "
            "as Windows-1252 (Western European). Check that accented names such as "
            '"Núñez" look right below before importing.'
        )
        return content, "Windows-1252", notice


def _delimiter(first_line: str) -> str:
    # Spreadsheets in many countries write ";" (the comma is their decimal mark); some
    # programs write tabs. The header line decides, outside quoted text.
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda char: counts[char])
    return best if counts[best] else ","


def _parse(content: str, file_name: str, label: str, notice: str) -> CsvTable:
    first_line = content.split("\n", 1)[0]
    reader = csv.reader(
        io.StringIO(content, newline=""), delimiter=_delimiter(first_line), strict=True
    )
    records: list[CsvRecord] = []
    headers: tuple[str, ...] | None = None
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if headers is None:
                if not any(cell.strip() for cell in cells):  # cheaper than clean_text per cell
                    continue  # blank lines before the header
                headers = tuple(cells)
                if len(headers) > MAX_COLUMNS:
                    raise ImportFileError(
                        f"{file_name} has {len(headers):,} columns; at most {MAX_COLUMNS} "
                        "are supported. Is it a CSV file of patients?"
                    )
                continue
            if len(records) >= MAX_ROWS:
                raise ImportFileError(
                    f"{file_name} has more than {MAX_ROWS:,} rows; split it and import the "
                    "parts one after the other"
                )
            records.append(CsvRecord(line, tuple(cells)))
    except csv.Error as error:
        reason = str(error)
        if "field larger than field limit" in reason:
            reason = (
                f"a value starting on line {start} is longer than {csv.field_size_limit():,} "
                "characters; is a closing quotation mark missing?"
            )
        elif "unexpected end of data" in reason:
            reason = (
                f"a quoted value that starts on line {start} is never closed; "
                "a closing quotation mark is missing"
            )
        elif "expected after" in reason:
            reason = (
                f"line {reader.line_num} has a quotation mark in the middle of a value; "
                'quote the whole value and double the inner quotes ("")'
            )
        else:
            reason = f"line {reader.line_num} cannot be read as CSV ({reason})"
        raise ImportFileError(f"{file_name}: {reason}. Nothing was imported.") from None
    if headers is None:
        raise ImportFileError(f"{file_name} is empty: there is no header row and no patient")
    if not any(clean_text(header) for header in headers):
        raise ImportFileError(f"{file_name}: the first line should name the columns")
    if not records:
        raise ImportFileError(f"{file_name} has a header row but no patients")
    return CsvTable(file_name, headers, tuple(records), label, notice)


# --- the preview ---------------------------------------------------------------------------


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
            f"{count(self.rows_in_file, 'row')} in {self.file_name}: "
            f"{self.to_import():,} ready to import"
        ]
        if self.error_rows:
            parts.append(f"{self.error_rows:,} with errors (not imported)")
        if self.duplicate_rows:
            parts.append(
                f"{count(self.duplicate_rows, 'possible duplicate')} "
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
                    "name": display_name(
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
        if "interpreter_needed" in raw:
            word = clean_text(raw["interpreter_needed"]).lower()
            if word in _YES:
                form_values["interpreter_needed"] = True
            elif word in _NO:
                form_values["interpreter_needed"] = False
            else:
                form_values["interpreter_needed"] = False
                problems.append(
                    RowProblem(
                        line,
                        column_of["interpreter_needed"],
                        ProblemKind.ERROR,
                        f"Interpreter needed: write yes or no, not {_shown(word)}",
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
    lacks a required field or uses one twice.
    """
    context.require(Permission.IMPORT_EXPORT)
    mapping = tuple(mapping) if mapping is not None else guess_mapping(table.headers)
    problems = check_mapping(table.headers, mapping)
    if problems:
        raise ValidationError(problems)
    today = today or date.today()
    report_or_cancel(progress, 0, PROGRESS_STEPS)
    with context.reading(Permission.IMPORT_EXPORT) as session:
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


# --- duplicates --------------------------------------------------------------------------

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
        self._people = [patients_service.duplicate_person(values) for _line, values in valid]

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
                more = f" (and {count(len(found) - 1, 'other row')})" if len(found) > 1 else ""
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
            statement = patients_service.candidate_statement(batch_dates, batch_keys)
            for row in session.execute(statement):
                chart = patients_service.summary_from_row(row)
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


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    file_name: str
    imported: int
    first_mrn: str
    last_mrn: str
    left_out_errors: int
    left_out_duplicates: int
    duplicates_imported: int
    skipped: int
    seconds: float

    def summary(self) -> str:
        if not self.imported:
            text_value = "Nothing was imported"
        else:
            text_value = (
                f"Imported {self.imported:,} patients (MRN {self.first_mrn} to {self.last_mrn})"
                if self.imported > 1
                else f"Imported 1 patient (MRN {self.first_mrn})"
            )
        left = []
        if self.left_out_errors:
            left.append(f"{count(self.left_out_errors, 'row')} with errors")
        if self.left_out_duplicates:
            left.append(count(self.left_out_duplicates, "possible duplicate"))
        if self.skipped:
            left.append(count(self.skipped, "merged chart"))
        if left:
            text_value += "; left out: " + ", ".join(left)
        return text_value + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "imported": self.imported,
            "first_mrn": self.first_mrn,
            "last_mrn": self.last_mrn,
            "left_out_errors": self.left_out_errors,
            "left_out_duplicates": self.left_out_duplicates,
            "duplicates_imported": self.duplicates_imported,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
        }


_PATIENT_COLUMNS = tuple(
    column.name for column in PATIENTS.columns if column.name not in ("merged_into_id", "merged_at")
)
_KEY_COLUMNS = ("key", "sort_key", "patient_id", "tokens")
_DATE_COLUMNS = frozenset({"date_of_birth", "subscriber_date_of_birth"})


class _BulkWriter:
    """Writes rows with the driver's fastest path inside the unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self.raw = connection.connection.driver_connection
        self.is_sqlite = connection.dialect.name == "sqlite"
        processor = PATIENTS.c.created_at.type.bind_processor(connection.dialect)
        self.timestamp: Callable[[Any], Any] = processor or (lambda value: value)

    def day(self, value: date | None) -> Any:
        # SQLite stores dates as ISO text; handing the driver text avoids its deprecated
        # implicit date adapter.
        if self.is_sqlite and value is not None:
            return value.isoformat()
        return value

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{name}"' for name in columns)
        if self.is_sqlite:
            marks = ", ".join("?" for _ in columns)
            cursor = self.raw.cursor()
            try:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            finally:
                cursor.close()
        else:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)


def _allocate_ids(connection: Connection, count: int) -> list[int]:
    if not count:
        return []
    if connection.dialect.name == "sqlite":
        # The write transaction (BEGIN IMMEDIATE) holds the database's write lock, so no
        # other workstation can take these ids meanwhile.
        first = int(connection.scalar(select(func.coalesce(func.max(PATIENTS.c.id), 0)))) + 1
        return list(range(first, first + count))
    # From the table's own sequence: charts created meanwhile at other desks get other ids.
    return list(
        connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('patients', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        ).scalars()
    )


def import_patients(
    context: ServiceContext,
    preview: ImportPreview,
    *,
    include_duplicates: bool = False,
    progress: ProgressCallback = no_progress,
) -> ImportResult:
    """Create a chart (with a new MRN) for each valid row of the preview, all or nothing.

    Possible duplicates are left out unless ``include_duplicates``. One transaction: when
    ``progress`` says Cancel, or anything fails, no chart from the file remains. The audit
    trail gets one "import" entry with the counts and the MRN range.
    """
    started = time.perf_counter()
    context.require(Permission.IMPORT_EXPORT)
    rows = [row for row in preview.rows if include_duplicates or not row.duplicate]
    report_or_cancel(progress, 0, PROGRESS_STEPS)
    first_mrn = last_mrn = ""
    if rows:
        with context.writing(Permission.IMPORT_EXPORT) as uow:
            session = uow.session
            connection = session.connection()
            writer = _BulkWriter(connection)
            ids = _allocate_ids(connection, len(rows))
            first_number = reserve_mrns(session, len(rows))
            now = writer.timestamp(utcnow())
            username = context.actor.username
            writing = _Progress(progress, 0, 980, len(rows))
            tokens: Counter[str] = Counter()
            for start in range(0, len(rows), CHUNK):
                patient_rows: list[tuple[Any, ...]] = []
                key_rows: list[tuple[Any, ...]] = []
                for offset in range(start, min(start + CHUNK, len(rows))):
                    values = rows[offset].values
                    patient_id = ids[offset]
                    sort = sort_key(
                        values["last_name"], values["first_name"], values["middle_name"]
                    )
                    record = {
                        **values,
                        "id": patient_id,
                        "mrn": format_mrn(first_number + offset),
                        "sort_key": sort,
                        "version": 1,
                        "created_at": now,
                        "created_by": username,
                        "updated_at": now,
                        "updated_by": username,
                    }
                    patient_rows.append(
                        tuple(
                            writer.day(record[name]) if name in _DATE_COLUMNS else record[name]
                            for name in _PATIENT_COLUMNS
                        )
                    )
                    keys, joined = search_keys(
                        values["first_name"],
                        values["middle_name"],
                        values["last_name"],
                        values["preferred_name"],
                        (values[name] for name in _PHONES),
                    )
                    key_rows.extend((key, sort, patient_id, joined) for key in keys)
                    tokens.update(keys)
                writer.write("patients", _PATIENT_COLUMNS, patient_rows)
                writer.write("patient_search_keys", _KEY_COLUMNS, key_rows)
                writing(start + len(patient_rows))
            # The per-term counts that steer multi-word searches, once for the whole file.
            counts: Counter[str] = Counter()
            for token, charts in tokens.items():
                for term, entries in term_counts((token,)).items():
                    counts[term] += entries * charts
            adjust_term_counts(connection, counts)
            first_mrn = format_mrn(first_number)
            last_mrn = format_mrn(first_number + len(rows) - 1)
            uow.record(
                "import",
                "patients",
                details={
                    "file": preview.file_name,
                    "format": "csv",
                    "encoding": preview.encoding,
                    "rows_in_file": preview.rows_in_file,
                    "imported": len(rows),
                    "left_out_errors": preview.error_rows,
                    "left_out_duplicates": preview.duplicate_rows if not include_duplicates else 0,
                    "duplicates_imported": preview.duplicate_rows if include_duplicates else 0,
                    "skipped": preview.skipped_rows,
                    "first_mrn": first_mrn,
                    "last_mrn": last_mrn,
                },
            )
            uow.mark_changed("patients", "patient_search_keys")
            # The last moment Cancel is honoured: after this the import is committed whole.
            report_or_cancel(progress, 990, PROGRESS_STEPS)
            uow.commit()
        if len(rows) >= ANALYZE_ABOVE:
            _refresh_statistics(context)
    progress(PROGRESS_STEPS, PROGRESS_STEPS)
    result = ImportResult(
        file_name=preview.file_name,
        imported=len(rows),
        first_mrn=first_mrn,
        last_mrn=last_mrn,
        left_out_errors=preview.error_rows,
        left_out_duplicates=0 if include_duplicates else preview.duplicate_rows,
        duplicates_imported=preview.duplicate_rows if include_duplicates else 0,
        skipped=preview.skipped_rows,
        seconds=time.perf_counter() - started,
    )
    # Counts and record numbers only: file names and rows can carry patient data.
    log.info(
        "patient import: %d charts created (%s..%s), %d rows with errors and %d possible "
        "duplicates left out, %d duplicates imported, %.1f s",
        result.imported,
        first_mrn or "-",
        last_mrn or "-",
        result.left_out_errors,
        result.left_out_duplicates,
        result.duplicates_imported,
        result.seconds,
    )
    return result


def _refresh_statistics(context: ServiceContext) -> None:
    """Planner statistics after a large import, so searches keep using the right indexes."""
    database = context.database
    with contextlib.suppress(Exception):  # statistics are an optimization, never a failure
        if database.is_sqlite:
            with database.write_engine.begin() as connection:
                connection.execute(text("ANALYZE patients"))
                connection.execute(text("ANALYZE patient_search_keys"))
                connection.execute(text("ANALYZE patient_search_counts"))
        else:
            with database.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                connection.execute(
                    text("ANALYZE patients, patient_search_keys, patient_search_counts")
                )


def import_file(
    context: ServiceContext,
    path: Path | str,
    *,
    mapping: Sequence[str] | None = None,
    encoding: str = "auto",
    dry_run: bool = False,
    include_duplicates: bool = False,
    progress: ProgressCallback = no_progress,
) -> tuple[ImportPreview, ImportResult | None]:
    """Read, preview and (unless ``dry_run``) import a file in one call (the CLI's path)."""
    table = read_csv_file(path, encoding=encoding)
    preview = preview_import(context, table, mapping, progress=progress)
    if dry_run:
        return preview, None
    return preview, import_patients(
        context, preview, include_duplicates=include_duplicates, progress=progress
    )


def mapping_with_overrides(
    headers: Sequence[str], overrides: Iterable[tuple[str, str]]
) -> tuple[str, ...]:
    """The recognized mapping with the user's choices applied ("DOB" -> date_of_birth).

    A column is named by its header (case and punctuation do not matter), its number (1 is
    the first column) or its letter (A); a field by its name or label, or "ignore".
    """
    mapping = list(guess_mapping(headers))
    problems: dict[str, str] = {}
    for column_text, field_text in overrides:
        index = _find_column(headers, column_text)
        wanted = _find_field(field_text)
        if index is None:
            problems[column_text] = (
                f'there is no column "{column_text}"; the columns are '
                + ", ".join(f'"{column_name(headers, i)}"' for i in range(len(headers)))
            )
            continue
        if wanted is None:
            problems[field_text] = (
                f'there is no field "{field_text}"; use one of: ignore, '
                + ", ".join(item.name for item in IMPORT_FIELDS)
            )
            continue
        if wanted:
            # The field moves to this column: a column that was recognized as it lets go.
            mapping = [IGNORE if name == wanted else name for name in mapping]
        mapping[index] = wanted
    if problems:
        raise ValidationError(problems)
    return tuple(mapping)


def _find_column(headers: Sequence[str], wanted: str) -> int | None:
    wanted_clean = clean_text(wanted)
    for index, header in enumerate(headers):
        if clean_text(header).casefold() == wanted_clean.casefold():
            return index
    normalized = normalize_header(wanted_clean)
    if normalized:
        for index, header in enumerate(headers):
            if normalize_header(header) == normalized:
                return index
    if wanted_clean.isdigit() and 1 <= int(wanted_clean) <= len(headers):
        return int(wanted_clean) - 1
    if re.fullmatch(r"[A-Za-z]{1,3}", wanted_clean):
        for index in range(len(headers)):
            if column_letter(index) == wanted_clean.upper():
                return index
    return None


def _find_field(wanted: str) -> str | None:
    value = clean_text(wanted)
    if value.lower() in ("", "ignore", "none", "-", "skip"):
        return IGNORE
    if value in FIELDS_BY_NAME:
        return value
    normalized = normalize_header(value)
    for item in IMPORT_FIELDS:
        if normalized in (normalize_header(item.name), normalize_header(item.label)):
            return item.name
    return field_for_header(value) or None  # "DOB", "surname" say which field too
