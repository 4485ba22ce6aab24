"""CSV import of patients: mapping, problems by line, duplicates, atomic write, encodings."""

from __future__ import annotations

import json
import logging
import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from frontdesk.db.models import AuditEntry
from frontdesk.db.models_patients import (
    MrnCounter,
    Patient,
    Referrer,
    patient_search_counts,
    patient_search_keys,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import InvalidValue, normalize_email, normalize_phone
from frontdesk.domain.errors import PermissionDeniedError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.domain.progress import Cancelled
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import import_write
from frontdesk.services.patients.chart_store import term_counts
from frontdesk.services.patients.duplicates import find_duplicates
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.import_mapping import (
    check_mapping,
    field_for_header,
    guess_mapping,
    mapping_with_overrides,
)
from frontdesk.services.patients.import_preview import (
    PROGRESS_STEPS,
    ContactNormalizer,
    ProblemKind,
    preview_import,
    split_full_name,
)
from frontdesk.services.patients.import_reading import (
    MAX_FILE_BYTES,
    ImportFileError,
    read_csv_bytes,
    read_csv_file,
)
from frontdesk.services.patients.import_write import import_file, import_patients
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.patients.search import search
from tests.conftest import make_actor

TODAY = date(2025, 6, 2)


def csv_file(tmp_path: Path, content: str, name: str = "patients.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    return path


def counts(context: ServiceContext) -> tuple[int, int, int]:
    """(charts, audit entries that are imports, next MRN number)."""
    with context.database.read_sessions() as session:
        charts = session.scalar(select(func.count()).select_from(Patient))
        imports = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import")
        )
        next_mrn = session.scalar(select(MrnCounter.next_value))
    return int(charts or 0), int(imports or 0), int(next_mrn or 0)


# --- mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("DOB", "date_of_birth"),
        ("Date of Birth", "date_of_birth"),
        ("birthdate", "date_of_birth"),
        ("D.O.B.", "date_of_birth"),
        ("First Name", "first_name"),
        ("Given name", "first_name"),
        ("Last", "last_name"),
        ("Surname", "last_name"),
        ("LAST_NAME", "last_name"),
        ("Cell", "mobile_phone"),
        ("Mobile", "mobile_phone"),
        ("Home Phone", "home_phone"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("MRN", "external_id"),
        ("Chart #", "external_id"),
        ("Acct #", "external_id"),
        ("Acct No", "external_id"),
        ("Birth Dt", "date_of_birth"),
        ("Sex", "sex"),
        ("Gender", "sex"),
        ("Language", "preferred_language"),
        ("Address", "address_line1"),
        ("Zip Code", "postal_code"),
        ("Patient Name", "full_name"),
        ("Fecha de nacimiento", "date_of_birth"),
        ("Favourite colour", ""),
    ],
)
def test_common_header_names_are_recognized(header: str, field: str) -> None:
    assert field_for_header(f"  {header} ") == field


def test_a_plain_phone_column_is_the_mobile_unless_there_is_a_cell_column() -> None:
    assert guess_mapping(["Last", "First", "DOB", "Phone"])[3] == "mobile_phone"
    assert guess_mapping(["Last", "First", "DOB", "Cell", "Phone"])[3:] == (
        "mobile_phone",
        "home_phone",
    )


def test_a_field_goes_to_the_first_column_that_names_it() -> None:
    assert guess_mapping(["DOB", "Birth date", "Last"]) == ("date_of_birth", "", "last_name")


def test_the_mapping_must_name_the_required_fields_once() -> None:
    headers = ["Last", "First", "Born on"]
    problems = check_mapping(headers, guess_mapping(headers))
    assert set(problems) == {"date_of_birth"}
    problems = check_mapping(headers, ("last_name", "last_name", "date_of_birth"))
    assert "two columns" in problems["last_name"] and '"Last" and "First"' in problems["last_name"]
    assert "first_name" in problems
    # A full-name column stands in for first and last names.
    assert not check_mapping(["Name", "DOB"], ("full_name", "date_of_birth"))


def test_the_user_fixes_the_mapping_by_header_number_or_letter() -> None:
    headers = ["Apellido paterno", "Given", "Birthdate (old)", "Phone"]
    mapping = mapping_with_overrides(
        headers,
        [("apellido paterno", "last_name"), ("3", "Date of birth"), ("D", "ignore")],
    )
    assert mapping == ("last_name", "first_name", "date_of_birth", "")
    with pytest.raises(ValidationError) as caught:
        mapping_with_overrides(headers, [("Nope", "last_name"), ("A", "shoe_size")])
    assert set(caught.value.fields) == {"Nope", "shoe_size"}


def test_moving_a_field_to_another_column_lets_go_of_the_recognized_one() -> None:
    headers = ["DOB", "DOB (corrected)", "Last", "First"]
    mapping = mapping_with_overrides(headers, [("DOB (corrected)", "date_of_birth")])
    assert mapping == ("", "date_of_birth", "last_name", "first_name")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Núñez-García, María José", ("María José", "", "Núñez-García")),
        ("Smith, John A.", ("John", "A.", "Smith")),
        ("Seán O'Connor", ("Seán", "", "O'Connor")),
        ("Cher", ("", "", "Cher")),
    ],
)
def test_a_full_name_is_split_into_first_middle_and_last(
    text: str, expected: tuple[str, str, str]
) -> None:
    assert split_full_name(text) == expected


# --- reading the file -----------------------------------------------------------------------


def test_utf8_with_and_without_bom_reads_the_same(tmp_path: Path) -> None:
    content = "Last,First,DOB\nNúñez,María,3/4/1961\n"
    plain = read_csv_bytes(content.encode("utf-8"), "a.csv")
    bom = read_csv_bytes(b"\xef\xbb\xbf" + content.encode("utf-8"), "b.csv")
    assert plain.headers == bom.headers == ("Last", "First", "DOB")
    assert plain.records == bom.records
    assert bom.encoding == "UTF-8 with BOM" and not bom.notice


def test_a_windows_1252_file_is_read_with_a_clear_notice() -> None:
    data = "Last,First,DOB\nSmith,Ann,1/2/1970\nNúñez,María,3/4/1961\n".encode("cp1252")
    table = read_csv_bytes(data, "old.csv")
    assert table.records[1].cells[0] == "Núñez"
    assert table.encoding == "Windows-1252"
    assert "not UTF-8" in table.notice and "line 3" in table.notice
    with pytest.raises(ImportFileError) as caught:
        read_csv_bytes(data, "old.csv", encoding="utf-8")
    assert "not UTF-8" in str(caught.value) and "line 3" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"Last,First,DOB\r\n", "no patients"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
        (b"Last,First,DOB\nSm\x00ith,Ann,1/2/1970\n", "line 2 has a NUL byte"),
        (b'Last,First,DOB\nSmith,Ann,1/2/1970\n"Jones,Bob,3/4/1961\nLee,Al,5/6/1970\n', "line 3"),
        (b'Last,First,DOB\nSmith,"Ann"x,1/2/1970\n', "quotation mark in the middle"),
        (b"Last,First,DOB\n\x81\x8d,\x8f,1/2/1970\n", "not Windows-1252 either"),
    ],
)
def test_unreadable_files_are_refused_with_one_clear_sentence(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_csv_bytes(data, "bad.csv")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_value_longer_than_the_csv_limit_names_its_line() -> None:
    data = b'Last,First,DOB\nSmith,Ann,1/2/1970\nLee,"' + b"x" * 200_000 + b'",1/2/1970\n'
    with pytest.raises(ImportFileError) as caught:
        read_csv_bytes(data, "bad.csv")
    assert "line 3" in str(caught.value) and "longer than" in str(caught.value)


def test_missing_and_oversized_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="There is no file"):
        read_csv_file(tmp_path / "nope.csv")
    with pytest.raises(ImportFileError, match="folder"):
        read_csv_file(tmp_path)
    with pytest.raises(ImportFileError, match="too large"):
        read_csv_bytes(b"x" * (MAX_FILE_BYTES + 1), "huge.csv")


def test_semicolons_and_tabs_are_understood_as_separators() -> None:
    for separator in (";", "\t"):
        data = separator.join(["Last", "First", "DOB"]) + "\nSmith" + separator + "Ann"
        table = read_csv_bytes((data + separator + "1/2/1970\n").encode(), "x.csv")
        assert table.headers == ("Last", "First", "DOB")
        assert table.records[0].cells == ("Smith", "Ann", "1/2/1970")


def test_lines_are_numbered_as_in_the_file_with_the_header_as_line_1() -> None:
    data = 'Last,First,DOB,Notes\nSmith,Ann,1/2/1970,"two\nlines"\n\nLee,Al,5/6/1970,\n'
    table = read_csv_bytes(data.encode(), "x.csv")
    assert [record.line for record in table.records] == [2, 4, 5]


def test_a_repeated_column_is_named_in_the_report_not_dropped_silently(
    context: ServiceContext,
) -> None:
    data = "Last,First,DOB,Date of birth\nSmith,Ann,1/2/1970,1970-01-02\n"
    preview = preview_import(context, read_csv_bytes(data.encode(), "x.csv"))
    expected = 'column D "Date of birth" is not imported: Date of birth comes from column C "DOB"'
    assert preview.repeated_columns == (expected,)
    assert expected in preview.summary()
    assert preview.to_json()["repeated_columns"] == [expected]
    clean = preview_import(context, read_csv_bytes(b"Last,First,DOB\nLee,Al,5/6/1970\n", "y.csv"))
    assert clean.repeated_columns == ()


# --- the preview: problems by line ----------------------------------------------------------

PROBLEM_FILE = (
    "Last Name,First Name,DOB,Cell,E-mail,Sex,Interpreter,Notes\n"  # line 1
    "Núñez-García,María José,3/4/1961,(217) 555-0142,mj@example.com,F,yes,\n"  # 2: fine, US
    "Smith,John,1961-02-30,,,M,,\n"  # 3: impossible date
    ",Ann,1970-01-02,,,F,,\n"  # 4: no last name
    "Doe,Jane,1/1/2090,,,F,,\n"  # 5: future date
    'Lee,Al,1970-05-06,555-01,,M,,"note on\ntwo lines"\n'  # 6-7: bad phone
    "Park,Ji-woo,1980-07-08,,not-an-email,F,,\n"  # 8: bad email
    "Khan,Omar,1975-09-10,,,robot,maybe,\n"  # 9: bad sex, bad interpreter
    "Old,Very,1/1/1880,,,,,\n"  # 10: 145 years old
    "Extra,Cells,1970-01-01,,,,,,surprise\n"  # 11: more values than columns
    "O'Connor,Seán,09/17/1958,+44 20 7946 0958,sean@example.ie,m,no,Prefers mornings\n"  # 12
)


def test_every_kind_of_row_error_is_listed_by_line_and_column(
    context: ServiceContext, tmp_path: Path
) -> None:
    table = read_csv_file(csv_file(tmp_path, PROBLEM_FILE))
    preview = preview_import(context, table, today=TODAY)
    errors = {(p.line, p.column): p.reason for p in preview.problems if p.kind == "error"}
    assert "1961-02-30 is not a real date" in errors[(3, "DOB")]
    assert errors[(4, "Last Name")] == "Last name is missing"
    assert errors[(5, "DOB")] == "The date of birth is in the future"
    assert "phone number" in errors[(6, "Cell")] and '"555-01"' in errors[(6, "Cell")]
    assert "not an e-mail address" in errors[(8, "E-mail")]
    assert "female, male, other or unknown" in errors[(9, "Sex")]
    assert "yes or no" in errors[(9, "Interpreter")]
    assert "145 years old" in errors[(10, "DOB")]
    assert "9 values but the header has 8 columns" in errors[(11, "")]
    assert {line for line, _column in errors} == {3, 4, 5, 6, 8, 9, 10, 11}
    assert preview.error_rows == 8 and preview.rows_in_file == 10  # lines 6-7 are one row
    assert [row.line for row in preview.rows] == [2, 12]
    assert preview.to_import() == 2
    assert "10 rows in patients.csv: 2 ready to import; 8 with errors" in preview.summary()


def test_us_and_iso_dates_and_contact_details_are_understood(
    context: ServiceContext, tmp_path: Path
) -> None:
    table = read_csv_file(csv_file(tmp_path, PROBLEM_FILE))
    preview = preview_import(context, table, today=TODAY)
    maria, sean = (row.values for row in preview.rows)
    assert maria["date_of_birth"] == date(1961, 3, 4)
    assert maria["mobile_phone"] == "+12175550142" and maria["interpreter_needed"] is True
    assert sean["date_of_birth"] == date(1958, 9, 17)
    assert sean["mobile_phone"] == "+442079460958" and sean["sex"] == "male"
    assert sean["notes"] == "Prefers mornings"


def test_a_dry_run_writes_nothing(context: ServiceContext, tmp_path: Path) -> None:
    before = counts(context)
    preview, result = import_file(context, csv_file(tmp_path, PROBLEM_FILE), dry_run=True)
    assert result is None and preview.to_import() == 2
    assert counts(context) == before


def test_valid_rows_import_searchable_with_new_mrns_and_one_audit_entry(
    context: ServiceContext, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    table = read_csv_file(csv_file(tmp_path, PROBLEM_FILE, "Old System Export.csv"))
    preview = preview_import(context, table, today=TODAY)
    result = import_patients(context, preview)
    assert result.imported == 2 and result.left_out_errors == 8
    assert (result.first_mrn, result.last_mrn) == ("M0000001", "M0000002")
    assert "Imported 2 patients (MRN M0000001 to M0000002); left out: 8 rows" in result.summary()
    found = search(context, "nunez mar").items
    assert [item.mrn for item in found] == ["M0000001"]
    chart = get_patient(context, found[0].id, record_view=False)
    assert (chart.first_name, chart.last_name) == ("María José", "Núñez-García")
    assert chart.email == "mj@example.com" and chart.created_by == "test.admin"
    assert search(context, "oconnor").items[0].mrn == "M0000002"
    assert search(context, "0142").items[0].mrn == "M0000001"
    with context.database.read_sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).all()
    assert len(entries) == 1
    details = json.loads(entries[0].details)
    assert details["imported"] == 2 and details["left_out_errors"] == 8
    assert details["rows_in_file"] == 10 and details["file"] == "Old System Export.csv"
    assert details["first_mrn"] == "M0000001"
    # Neither the audit entry nor the log carries the patients' data.
    for text in (entries[0].details, caplog.text):
        for phi in ("Núñez", "María", "O'Connor", "1961", "555", "mj@example"):
            assert phi not in text
    assert "2 charts created" in caplog.text
    assert "Old System Export" not in caplog.text


def test_the_old_chart_number_is_kept_in_the_notes(context: ServiceContext, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path, "MRN,Last,First,DOB,Notes\nA-77,Lee,Al,1970-05-06,Walker\nA-78,Kim,Bo,1971-1-2,\n"
    )
    preview, _result = import_file(context, path)
    assert [row.values["notes"] for row in preview.rows] == [
        "Walker\nOld chart number: A-77",
        "Old chart number: A-78",
    ]


def test_a_full_name_column_fills_first_and_last_names(
    context: ServiceContext, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path, 'Patient Name,DOB\n"Núñez-García, María José",3/4/1961\nCher,1/1/1970\n'
    )
    preview, _ = import_file(context, path, dry_run=True)
    assert preview.rows[0].values["first_name"] == "María José"
    assert preview.rows[0].values["last_name"] == "Núñez-García"
    assert [(p.line, p.column, p.reason) for p in preview.problems] == [
        (3, "Patient Name", "First name is missing")
    ]


def test_physicians_are_found_in_the_directory_by_npi(
    context: ServiceContext, tmp_path: Path
) -> None:
    with context.writing(None) as uow:
        now = utcnow()
        doctor = Referrer(
            first_name="Anil",
            last_name="Patel",
            npi="1234567893",
            created_at=now,
            created_by="t",
            updated_at=now,
            updated_by="t",
        )
        uow.session.add(doctor)
        uow.session.flush()
        doctor_id = doctor.id
        uow.commit()
    path = csv_file(
        tmp_path,
        "Last,First,DOB,PCP NPI\nLee,Al,1970-05-06,1234567893\nKim,Bo,1971-01-02,1234567890\n",
    )
    preview, result = import_file(context, path)
    assert result is not None and result.imported == 2
    assert preview.rows[0].values["primary_care_id"] == doctor_id
    assert preview.rows[1].values["primary_care_id"] is None
    [note] = preview.problems
    assert (note.line, note.kind) == (3, ProblemKind.NOTE)
    assert "not a valid NPI" in note.reason


def test_merged_charts_from_an_export_are_skipped(context: ServiceContext, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "Last,First,DOB,Merged into MRN\nLee,Al,1970-05-06,\nLee,Albert,1970-05-06,M0000001\n",
    )
    preview, result = import_file(context, path)
    assert result is not None and result.imported == 1 and result.skipped == 1
    assert [(p.line, p.kind) for p in preview.problems] == [(3, ProblemKind.SKIPPED)]


def test_control_characters_are_removed_and_said(context: ServiceContext, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Last,First,DOB\nLe\x07e,Al\x1b,1970-05-06\nKim,Bo,1971-01-02\n")
    preview, _ = import_file(context, path, dry_run=True)
    assert (preview.rows[0].values["last_name"], preview.rows[0].values["first_name"]) == (
        "Lee",
        "Al",
    )
    assert [(p.line, p.column, p.kind) for p in preview.problems] == [
        (2, "Last", ProblemKind.NOTE),
        (2, "First", ProblemKind.NOTE),
    ]
    assert "control characters were removed" in preview.problems[0].reason


def test_blank_rows_are_counted_not_reported(context: ServiceContext, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Last,First,DOB\nLee,Al,1970-05-06\n,,\n\nKim,Bo,1971-01-02\n")
    preview, _ = import_file(context, path, dry_run=True)
    assert preview.blank_rows == 2 and preview.rows_in_file == 4 and not preview.problems


# --- duplicates -----------------------------------------------------------------------------

DUPLICATES_FILE = (
    "Last,First,Preferred,DOB,Cell\n"
    "Núñez-García,María José,,3/4/1961,\n"  # 2
    "Smith,Robert,,1950-01-15,\n"  # 3
    "Smith,Bob,,1/15/1950,\n"  # 4: nickname of line 3, same birth date
    "Nunez Garcia,Maria Jose,,1961-03-04,\n"  # 5: same as line 2 without accents
    "Garcia,Ana,,1961-04-03,(217) 555-0199\n"  # 6: different person
    "Garcia-Lopez,Ana,,1961-03-04,\n"  # 7: day and month swapped from line 6
    "Brown,Tim,,1980-02-02,217-555-0199\n"  # 8: the phone of line 6
    "Lee,Al,,1970-05-06,\n"  # 9: already has a chart (same name)
    "Leigh,Alan,,1990-10-10,(312) 555-0123\n"  # 10: the phone of an existing chart
    "Wong,Mei,,1985-05-05,\n"  # 11: unique
)


def test_duplicates_within_the_file_and_in_the_database_are_reported(
    context: ServiceContext, tmp_path: Path
) -> None:
    create_patient(
        context, PatientForm(first_name="Al", last_name="Lee", date_of_birth="1970-05-06")
    )
    create_patient(
        context,
        PatientForm(
            first_name="Zed", last_name="Other", date_of_birth="2000-01-01", home_phone="3125550123"
        ),
    )
    table = read_csv_file(csv_file(tmp_path, DUPLICATES_FILE))
    preview = preview_import(context, table, today=TODAY)
    found = {(p.line, p.kind): p.reason for p in preview.problems}
    assert found[(4, ProblemKind.DUPLICATE_IN_FILE)] == (
        "possible duplicate of line 3: similar name, same date of birth"
    )
    assert found[(5, ProblemKind.DUPLICATE_IN_FILE)] == (
        "possible duplicate of line 2: same name, same date of birth"
    )
    assert "date of birth with day and month swapped" in found[(7, ProblemKind.DUPLICATE_IN_FILE)]
    assert found[(8, ProblemKind.DUPLICATE_IN_FILE)] == (
        "possible duplicate of line 6: same phone number"
    )
    assert found[(9, ProblemKind.DUPLICATE_IN_DATABASE)] == (
        "may already have a chart: M0000001 Lee, Al, born 1970-05-06 "
        "(same name, same date of birth)"
    )
    assert "M0000002 Other, Zed" in found[(10, ProblemKind.DUPLICATE_IN_DATABASE)]
    assert "same phone number" in found[(10, ProblemKind.DUPLICATE_IN_DATABASE)]
    assert set(found) == {
        (4, ProblemKind.DUPLICATE_IN_FILE),
        (5, ProblemKind.DUPLICATE_IN_FILE),
        (7, ProblemKind.DUPLICATE_IN_FILE),
        (8, ProblemKind.DUPLICATE_IN_FILE),
        (9, ProblemKind.DUPLICATE_IN_DATABASE),
        (10, ProblemKind.DUPLICATE_IN_DATABASE),
    }
    assert preview.duplicate_rows == 6 and preview.to_import() == 4
    assert preview.to_import(include_duplicates=True) == 10
    # Left out unless asked for.
    result = import_patients(context, preview)
    assert result.imported == 4 and result.left_out_duplicates == 6
    assert counts(context)[0] == 2 + 4


def test_the_bulk_check_finds_what_the_chart_form_would_find(
    context: ServiceContext, tmp_path: Path
) -> None:
    for form in (
        PatientForm(first_name="Al", last_name="Lee", date_of_birth="1970-05-06"),
        PatientForm(first_name="Robert", last_name="Smith", date_of_birth="1950-01-15"),
        PatientForm(first_name="Ana", last_name="García", date_of_birth="1961-03-04"),
        PatientForm(
            first_name="Zed",
            last_name="Other",
            date_of_birth="2000-01-01",
            mobile_phone="217-555-0199",
        ),
    ):
        create_patient(context, form, allow_duplicates=True)
    table = read_csv_file(csv_file(tmp_path, DUPLICATES_FILE))
    preview = preview_import(context, table, today=TODAY)
    flagged = {p.line for p in preview.problems if p.kind is ProblemKind.DUPLICATE_IN_DATABASE}
    for record in table.records:
        last, first, preferred, born, cell = record.cells
        form = PatientForm(
            first_name=first,
            last_name=last,
            preferred_name=preferred,
            date_of_birth=born,
            mobile_phone=cell,
        )
        candidates = find_duplicates(context, form)
        assert (record.line in flagged) == bool(candidates), record.line
        for candidate in candidates:
            [reason] = [
                p.reason
                for p in preview.problems_on(record.line)
                if p.kind is ProblemKind.DUPLICATE_IN_DATABASE
            ]
            assert f"{candidate.patient.mrn} " in reason
            assert ", ".join(candidate.reasons) in reason


def test_imported_charts_count_in_the_search_term_counts(
    context: ServiceContext, tmp_path: Path
) -> None:
    create_patient(
        context, PatientForm(first_name="Maria", last_name="Lee", date_of_birth="1970-05-06")
    )
    import_file(context, csv_file(tmp_path, DUPLICATES_FILE))
    with context.database.read_sessions() as session:
        keys = session.scalars(select(patient_search_keys.c.key)).all()
        stored = {row.term: row.entries for row in session.execute(select(patient_search_counts))}
    expected = term_counts(keys)
    assert {term: n for term, n in stored.items() if n} == dict(expected)
    # Multi-word searches (which use the counts) find imported people.
    assert [item.last_name for item in search(context, "mar gar").items] == ["Núñez-García"]


def test_possible_duplicates_import_when_the_user_says_so(
    context: ServiceContext, tmp_path: Path
) -> None:
    preview = preview_import(context, read_csv_file(csv_file(tmp_path, DUPLICATES_FILE)))
    assert preview.duplicate_rows == 4  # no chart in the database this time
    result = import_patients(context, preview, include_duplicates=True)
    assert result.imported == 10 and result.duplicates_imported == 4
    assert counts(context)[0] == 10


def test_fast_contact_checks_give_the_chart_forms_answers() -> None:
    normalizer = ContactNormalizer()
    phones = [
        "(217) 555-0142",
        "217-555-0142",
        "217.555.0142",
        "2175550142",
        "1 217 555 0142",
        "+1 (217) 555-0142",
        "+12175550142",
        "(555) 555-0142",
        "(211) 555-0142",
        "(217) 155-0142",
        "(800) 555-0199",
        "(217555-0142",
        "217) 555-0142",
        "+44 20 7946 0958",
        "555-01",
        "call me",
        "  (312) 555 0123 ",
        "1-800-FLOWERS",
    ]
    rng = random.Random(7)
    phones += [f"({rng.randint(100, 999)}) {rng.randint(0, 999):03d}-4567" for _ in range(300)]
    emails = [
        "mj@example.com",
        "MJ.Nunez@Example.COM",
        "o'connor@example.ie",
        "a..b@example.com",
        ".a@example.com",
        "a@localhost",
        "a@example",
        "a@-example.com",
        "x" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
        "ñ@example.com",
        "a@example.local",
        "first+tag@sub.example.org",
        "no-at-sign.example.com",
    ]

    def expected(function: object, value: str) -> str:
        try:
            return function(value)  # type: ignore[operator]
        except InvalidValue as error:
            return f"error: {error}"

    for phone in phones:
        assert expected(normalizer.phone, phone) == expected(normalize_phone, phone), phone
    for email in emails:
        assert expected(normalizer.email, email) == expected(normalize_email, email), email


# --- writing: all or nothing ----------------------------------------------------------------


def many_rows(count: int) -> str:
    """Distinct people: birth dates that differ in year or month (no day/month swaps)."""
    assert count <= 840
    lines = ["Last,First,DOB,Cell"]
    for number in range(count):
        born = date(1930 + number // 12, number % 12 + 1, 13 + number % 15)
        lines.append(f"Person{number},Test,{born.month}/{born.day}/{born.year},")
    return "\n".join(lines) + "\n"


def test_cancel_halfway_leaves_no_patient_from_the_file(
    context: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_patient(
        context, PatientForm(first_name="Al", last_name="Lee", date_of_birth="1970-05-06")
    )
    monkeypatch.setattr(import_write, "CHUNK", 25)
    preview = preview_import(context, read_csv_file(csv_file(tmp_path, many_rows(300))))
    assert preview.to_import() == 300
    before = counts(context)
    reports: list[int] = []

    def cancel_halfway(done: int, total: int) -> bool:
        reports.append(done)
        return done < total // 2

    with pytest.raises(Cancelled):
        import_patients(context, preview, progress=cancel_halfway)
    assert len(reports) > 5  # it was well under way
    assert counts(context) == before
    assert search(context, "person1").items == ()
    # The next import starts from the same MRN, as if nothing had happened.
    result = import_patients(context, preview)
    assert result.first_mrn == "M0000002" and result.imported == 300


def test_progress_runs_from_zero_to_the_end(context: ServiceContext, tmp_path: Path) -> None:
    reports: list[tuple[int, int]] = []

    def record(done: int, total: int) -> bool:
        reports.append((done, total))
        return True

    path = csv_file(tmp_path, many_rows(50))
    import_file(context, path, progress=record)
    total = PROGRESS_STEPS
    assert {step_total for _done, step_total in reports} == {total}
    # The preview runs 0 -> total, then the import 0 -> total, each never going back.
    restart = reports.index((0, total), 1)
    for phase in (reports[:restart], reports[restart:]):
        steps = [done for done, _total in phase]
        assert steps[0] == 0 and steps[-1] == total and steps == sorted(steps)


def test_a_neutralized_cell_from_a_spreadsheet_safe_export_is_read_as_typed(
    context: ServiceContext, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, "Last,First,DOB,Cell\n'-Lee,Al,1970-05-06,'+1 217 555 0142\n")
    preview, _ = import_file(context, path, dry_run=True)
    assert preview.rows[0].values["last_name"] == "-Lee"
    assert preview.rows[0].values["mobile_phone"] == "+12175550142"


def test_only_people_allowed_to_import_may_preview_or_import(
    context: ServiceContext, tmp_path: Path
) -> None:
    desk = context.as_actor(make_actor(Role.FRONT_DESK, "desk.one"))
    table = read_csv_file(csv_file(tmp_path, "Last,First,DOB\nLee,Al,1970-05-06\n"))
    with pytest.raises(PermissionDeniedError):
        preview_import(desk, table)
    preview = preview_import(context, table)
    with pytest.raises(PermissionDeniedError):
        import_patients(desk, preview)
    assert counts(context)[0] == 0


def test_a_mapping_without_a_birth_date_is_refused_before_reading_rows(
    context: ServiceContext, tmp_path: Path
) -> None:
    table = read_csv_file(csv_file(tmp_path, "Last,First,Born on\nLee,Al,1970-05-06\n"))
    with pytest.raises(ValidationError) as caught:
        preview_import(context, table)
    assert set(caught.value.fields) == {"date_of_birth"}
