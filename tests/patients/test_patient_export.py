"""CSV export of patients: every field, spreadsheet-safe, audited as a disclosure, round-trips."""

from __future__ import annotations

import csv
import json
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import PermissionDeniedError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.domain.progress import Cancelled
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import patient_export
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import FORM_FIELDS, PatientData, PatientForm
from frontdesk.services.patients.import_preview import preview_import
from frontdesk.services.patients.import_reading import read_csv_file
from frontdesk.services.patients.import_write import import_patients
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.patients.merge import merge_patients
from frontdesk.services.patients.patient_export import HEADERS, export_patients, sanitize_file_name
from frontdesk.services.patients.search import search
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from tests.conftest import make_actor

# A practice day for file names (the export itself names files on the practice clock).
DAY = date(2026, 12, 7)

PEOPLE = (
    PatientForm(
        first_name="María José",
        last_name="Núñez-García",
        date_of_birth="3/4/1961",
        sex="female",
        mobile_phone="(217) 555-0142",
        email="mj@example.com",
        address_line1="100 Main St",
        address_line2="Apt 4",
        city="Springfield",
        state="IL",
        postal_code="62701",
        country="US",
        preferred_language="Spanish",
        interpreter_needed=True,
        preferred_contact="phone",
        insurance_payer="Blue Cross",
        insurance_plan="PPO",
        insurance_member_id="XYZ123",
        insurance_group_number="G100",
        subscriber_name="Carlos Núñez",
        subscriber_relationship="spouse",
        subscriber_date_of_birth="1959-12-01",
        emergency_contact_name="Ana Núñez",
        emergency_contact_relationship="daughter",
        emergency_contact_phone="217-555-0199",
        notes='Line one, with a comma\nLine two "quoted"',
    ),
    PatientForm(
        first_name="Seán",
        middle_name="Patrick",
        last_name="O'Connor",
        preferred_name="Shay",
        date_of_birth="1958-09-17",
        sex="male",
        home_phone="+44 20 7946 0958",
        large_print=True,
        notes='=HYPERLINK("http://evil.example","click")',
    ),
    PatientForm(
        first_name="@Ann",
        last_name="-Lee",
        date_of_birth="1970-05-06",
        insurance_member_id="+123",
        work_phone="312 555 0123",
        notes="王小明 Иван Παπαδόπουλος",
    ),
)
# Fields that describe the chart in this database, not the person.
LOCAL_FIELDS = {
    "id",
    "mrn",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "merged_into_id",
    "merged_into_mrn",
    "notes",
}


def create_people(context: ServiceContext) -> list[PatientData]:
    return [create_patient(context, form, allow_duplicates=True) for form in PEOPLE]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder for the exports (the SQLite test database lives in tmp_path)."""
    path = tmp_path / "exports"
    path.mkdir()
    return path


def read_back(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert tuple(header) == HEADERS
        return [dict(zip(header, row, strict=True)) for row in reader]


def test_the_export_has_one_header_row_and_every_field(
    context: ServiceContext, folder: Path
) -> None:
    charts = create_people(context)
    result = export_patients(context, folder / "all.csv")
    assert result.rows == 3 and result.path == folder / "all.csv"
    assert (folder / "all.csv").read_bytes().startswith(b"\xef\xbb\xbfMRN,First name,")
    rows = read_back(folder / "all.csv")
    maria = rows[0]
    assert maria["MRN"] == charts[0].mrn
    assert (maria["First name"], maria["Last name"]) == ("María José", "Núñez-García")
    assert maria["Date of birth"] == "1961-03-04"
    assert maria["Mobile phone"] == "(217) 555-0142"
    assert maria["Interpreter needed"] == "yes" and maria["Preferred language"] == "Spanish"
    assert maria["Large print"] == "no" and rows[1]["Large print"] == "yes"
    assert maria["Subscriber date of birth"] == "1959-12-01"
    assert maria["Notes"] == 'Line one, with a comma\nLine two "quoted"'
    assert maria["Created by"] == "test.admin" and maria["Merged into MRN"] == ""
    assert rows[2]["Notes"] == "王小明 Иван Παπαδόπουλος"
    # Every chart field has a column.
    assert len(HEADERS) >= len(FORM_FIELDS) + 1


def test_formula_looking_cells_are_neutralized(context: ServiceContext, folder: Path) -> None:
    create_people(context)
    rows = read_back(export_patients(context, folder / "x.csv").path)
    assert rows[1]["Notes"] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1]["Home phone"] == "'+44 20 7946 0958"
    assert (rows[2]["First name"], rows[2]["Last name"]) == ("'@Ann", "'-Lee")
    assert rows[2]["Insurance member ID"] == "'+123"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_an_export_imports_back_to_the_same_people(context: ServiceContext, folder: Path) -> None:
    originals = create_people(context)
    path = export_patients(context, folder / "move.csv").path
    target, _copy = open_for_use(f"sqlite:///{folder.parent / 'new-practice.sqlite3'}")
    try:
        other = make_context(target, make_actor())
        table = read_csv_file(path)
        preview = preview_import(other, table)
        assert not [p for p in preview.problems if p.kind == "error"], preview.problems
        result = import_patients(other, preview)
        assert result.imported == 3
        for original in originals:
            [found] = search(other, original.date_of_birth.isoformat()).items
            copy = get_patient(other, found.id, record_view=False)
            for item in fields(PatientData):
                if item.name not in LOCAL_FIELDS:
                    assert getattr(copy, item.name) == getattr(original, item.name), item.name
            # The old MRN is kept in the notes.
            assert f"Old chart number: {original.mrn}" in copy.notes
            assert copy.notes.startswith(original.notes)
    finally:
        target.dispose()


def test_the_export_is_recorded_as_a_disclosure_without_its_content(
    context: ServiceContext, folder: Path
) -> None:
    create_people(context)
    export_patients(context, folder / "for the auditor.csv")
    with context.database.read_sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert entry.entity == "patients" and entry.username == "test.admin"
    assert json.loads(entry.details) == {"rows": 3, "file": "for the auditor.csv", "format": "csv"}
    assert "Núñez" not in entry.details


def test_merged_charts_are_exported_and_marked(context: ServiceContext, folder: Path) -> None:
    kept, gone, _third = create_people(context)
    merge_patients(context, kept.id, gone.id)
    rows = read_back(export_patients(context, folder / "x.csv").path)
    assert rows[1]["MRN"] == gone.mrn and rows[1]["Merged into MRN"] == kept.mrn
    assert rows[0]["Merged into MRN"] == ""


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("patients.csv", "patients.csv"),
        ("Patients.CSV", "Patients.csv"),
        ("bad:name?.txt", "bad_name_.txt.csv"),
        ("report", "report.csv"),
        ("CON.csv", "_CON.csv"),
        ("nul", "_nul.csv"),
        ("  .hidden. ", "hidden.csv"),
        ("tab\there\x07.csv", "tab_here_.csv"),
        ("rapport été.csv", "rapport été.csv"),
        ("", patient_export.default_export_name(DAY)),
        ("???", patient_export.default_export_name(DAY)),
        ("x" * 300 + ".csv", "x" * 116 + ".csv"),
    ],
)
def test_export_file_names_are_sanitized(name: str, safe: str) -> None:
    assert sanitize_file_name(name, DAY) == safe


def test_the_file_written_has_the_sanitized_name(context: ServiceContext, folder: Path) -> None:
    create_people(context)
    result = export_patients(context, folder / "list: <today>")
    assert result.path == folder / "list_ _today_.csv" and result.path.exists()
    assert [path.name for path in folder.iterdir()] == ["list_ _today_.csv"]


def test_an_existing_file_is_replaced_only_when_asked(
    context: ServiceContext, folder: Path
) -> None:
    create_people(context)
    target = folder / "p.csv"
    target.write_text("keep me")
    with pytest.raises(ValidationError, match="already exists"):
        export_patients(context, target)
    assert target.read_text() == "keep me"
    export_patients(context, target, overwrite=True)
    assert len(read_back(target)) == 3
    with pytest.raises(ValidationError, match="no folder"):
        export_patients(context, folder / "missing" / "p.csv")


def test_a_cancelled_export_leaves_no_file_and_says_so_after_the_disclosure(
    context: ServiceContext, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_people(context)
    monkeypatch.setattr(patient_export, "BATCH", 1)
    seen: list[int] = []

    def cancel_after_one(done: int, total: int) -> bool:
        seen.append(done)
        return done < 1

    with pytest.raises(Cancelled):
        export_patients(context, folder / "p.csv", progress=cancel_after_one)
    assert seen == [0, 1]
    assert list(folder.iterdir()) == []
    with context.database.read_sessions() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.in_(["export", "export_abandoned"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [entry.action for entry in entries] == ["export", "export_abandoned"]
    assert json.loads(entries[0].details)["rows"] == 3


def test_only_people_allowed_to_export_may(context: ServiceContext, folder: Path) -> None:
    create_people(context)
    desk = context.as_actor(make_actor(Role.FRONT_DESK, "desk.one"))
    with pytest.raises(PermissionDeniedError):
        export_patients(desk, folder / "p.csv")
    assert list(folder.iterdir()) == []


def test_an_empty_practice_exports_just_the_header(context: ServiceContext, folder: Path) -> None:
    result = export_patients(context, folder / "empty.csv")
    assert result.rows == 0 and read_back(result.path) == []
    assert result.summary() == f"Exported 0 patients to {result.path}."
