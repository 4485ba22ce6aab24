"""CSV import, step 2: the chart fields a column may fill, guessing and checking the mapping.

``guess_mapping`` recognizes common header names ("DOB", "Surname", "Cell", "E-mail"...);
the user may change it; ``check_mapping`` says what is missing or chosen twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.names import fold

IGNORE = ""


REQUIRED = ("first_name", "last_name", "date_of_birth")


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
            "birth dt",
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
        "large_print",
        "Large print",
        ("large print", "prints in large print", "large print handouts", "large type"),
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
            "acct",
            "acct number",
            "acct no",
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
