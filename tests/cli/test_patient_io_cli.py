"""`frontdesk patients import|export`: dry run, mapping fixes, reports, exit codes, JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from frontdesk.cli.main import run
from frontdesk.db.models import AuditEntry
from frontdesk.db.models_patients import Patient
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.search import search
from tests.helpers.cli import frontdesk

OLD_SYSTEM = (
    "Chart #,Last Name,First Name,Born on,Cell,E-mail\n"
    "A1,Núñez-García,María José,3/4/1961,217-555-0142,mj@example.com\n"
    "A2,Smith,John,1961-02-30,,\n"
    "A3,,Ann,1970-01-02,,\n"
    "A4,Lee,Al,1970-05-06,555-01,not-an-email\n"
    "A5,O'Connor,Seán,1958-09-17,,\n"
    "A6,Nunez Garcia,Maria Jose,1961-03-04,,\n"
)


@pytest.fixture
def old_system(tmp_path: Path) -> Path:
    path = tmp_path / "old system.csv"
    path.write_text(OLD_SYSTEM, encoding="utf-8")
    return path


def chart_count(context: ServiceContext) -> int:
    with context.database.read_sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Patient)) or 0)


def test_a_dry_run_prints_the_mapping_and_the_problems_by_line_and_writes_nothing(
    database_url: str,
    context: ServiceContext,
    old_system: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(
        [
            "--database",
            database_url,
            "patients",
            "import",
            str(old_system),
            "--dry-run",
            "--map",
            "Born on=date_of_birth",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert '"Born on" -> date_of_birth' in out and '"Chart #" -> external_id' in out
    assert "line 3, Born on: Date of birth: 1961-02-30 is not a real date" in out
    assert "line 4, Last Name: Last name is missing" in out
    assert "line 5, Cell: Mobile phone:" in out and "line 5, E-mail: E-mail:" in out
    assert "line 7: possible duplicate of line 2: same name, same date of birth" in out
    assert "6 rows in old system.csv: 2 ready to import; 3 with errors" in out
    assert "Dry run: nothing was written. Without --dry-run, 2 patients would be imported." in out
    assert chart_count(context) == 0


def test_the_import_creates_the_valid_rows_and_reports_them(
    database_url: str,
    context: ServiceContext,
    old_system: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(
        ["--database", database_url, "patients", "import", str(old_system), "--map", "D=dob"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Imported 2 patients (MRN M0000001 to M0000002); left out: 3 rows with errors, 1 " in out
    assert [item.last_name for item in search(context, "oconnor").items] == ["O'Connor"]
    with context.database.read_sessions() as session:
        assert session.scalar(select(func.count()).where(AuditEntry.action == "import")) == 1


def test_possible_duplicates_are_imported_when_asked(
    database_url: str, context: ServiceContext, old_system: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--database", database_url, "patients", "import", str(old_system)]
    assert run([*args, "--map", "4=date_of_birth", "--import-duplicates", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["result"]["imported"] == 3 and report["result"]["duplicates_imported"] == 1
    assert chart_count(context) == 3


def test_the_json_report_lists_every_problem(
    database_url: str, context: ServiceContext, old_system: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_patient(context, PatientForm("Seán", "O'Connor", "1958-09-17"))
    args = ["--database", database_url, "patients", "import", str(old_system)]
    assert run([*args, "--dry-run", "--json", "--map", "Born on=date_of_birth"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True and report["result"] is None
    assert report["rows_in_file"] == 6 and report["ready_to_import"] == 1
    assert report["error_rows"] == 3 and report["duplicates_in_database"] == 1
    by_line = {(p["line"], p["kind"]) for p in report["problems"]}
    assert by_line == {
        (3, "error"),
        (4, "error"),
        (5, "error"),
        (6, "duplicate in database"),
        (7, "duplicate in file"),
    }
    assert {"column": "Born on", "field": "date_of_birth"} in report["mapping"]
    assert chart_count(context) == 1


def test_a_mapping_without_a_birth_date_is_one_line_and_exit_2(
    database_url: str, old_system: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["--database", database_url, "patients", "import", str(old_system)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert (
        "holds the date of birth" in err
        and "--map 'COLUMN=date_of_birth'" in err
        and '"Born on"' in err
    )


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (
            "Last,First,DOB\nNúñez,Ana,1/2/1970\n".encode("cp1252"),
            ["--encoding", "utf-8"],
            "not UTF-8",
        ),
        (b"PK\x03\x04 workbook", [], "spreadsheet workbook"),
        (b"", [], "empty"),
        (b'Last,First,DOB\n"Lee,Al,1/2/1970\n', [], "never closed"),
        (b"Last,First,DOB\nLee,Al,1/2/1970\n", ["--map", "Shoe size=last_name"], "--map"),
        (b"Last,First,DOB\nLee,Al,1/2/1970\n", ["--map", "Last=shoe_size"], "no field"),
        (b"Last,First,DOB\nLee,Al,1/2/1970\n", ["--map", "nonsense"], "COLUMN=FIELD"),
    ],
)
def test_bad_input_files_are_one_line_on_stderr_and_exit_2(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    extra: list[str],
    message: str,
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    code = run(["--database", database_url, "patients", "import", str(path), *extra])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("frontdesk: ") and captured.err.count("\n") == 1
    assert message in captured.err
    assert captured.out == ""


def test_a_missing_file_is_exit_2(database_url: str, tmp_path: Path) -> None:
    result = frontdesk("patients", "import", str(tmp_path / "nope.csv"), database=database_url)
    assert result.code == 2
    assert result.err.strip() == f"frontdesk: There is no file {tmp_path / 'nope.csv'}"


def test_a_windows_1252_file_imports_with_a_warning(
    database_url: str, context: ServiceContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes("Last,First,DOB\nNúñez,Ana,1/2/1970\n".encode("cp1252"))
    assert run(["--database", database_url, "patients", "import", str(path)]) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "Windows-1252" in captured.err
    assert "old.csv (Windows-1252)" in captured.out
    assert [item.last_name for item in search(context, "nunez").items] == ["Núñez"]


def test_export_writes_a_spreadsheet_safe_file_and_refuses_to_overwrite(
    database_url: str, context: ServiceContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_patient(
        context, PatientForm("Ann", "Lee", "1970-05-06", notes="=SUM(A1:A9)", mobile_phone="")
    )
    target = tmp_path / "out" / "patients.csv"
    target.parent.mkdir()
    args = ["--database", database_url, "patients", "export", str(target)]
    assert run(args) == 0
    assert capsys.readouterr().out.strip() == f"Exported 1 patient to {target}."
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["Last name"] == "Lee" and rows[0]["Notes"] == "'=SUM(A1:A9)"
    assert run(args) == 2
    assert "already exists" in capsys.readouterr().err
    assert run([*args, "--overwrite", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"file": str(target), "rows": 1}


def test_export_makes_an_unsafe_file_name_safe_and_says_so(
    database_url: str, context: ServiceContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--database", database_url, "patients", "export", str(tmp_path / "a:b?")]) == 0
    captured = capsys.readouterr()
    assert (tmp_path / "a_b_.csv").exists()
    assert "made safe: a_b_.csv" in captured.err


def test_search_and_show_still_work_next_to_import_and_export(
    database_url: str, context: ServiceContext, capsys: pytest.CaptureFixture[str]
) -> None:
    create_patient(context, PatientForm("Ann", "Lee", "1970-05-06"))
    assert run(["--database", database_url, "patients", "search", "lee", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["last_name"] == "Lee"
    assert run(["--database", database_url, "patients", "show", "M0000001"]) == 0
    assert "Lee, Ann" in capsys.readouterr().out
