"""`frontdesk patients search|show` and `frontdesk demo`: output, JSON, exit codes, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from frontdesk.cli.main import run
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from tests.helpers.cli import CliResult, frontdesk


@pytest.fixture
def charts(context: ServiceContext) -> list[PatientData]:
    return [
        create_patient(
            context,
            PatientForm(
                "María José",
                "Núñez-García",
                "1961-03-04",
                mobile_phone="217-555-0142",
                preferred_language="Spanish",
                interpreter_needed=True,
                large_print=True,
            ),
        ),
        create_patient(context, PatientForm("Maria", "Nunez", "1961-04-03"), allow_duplicates=True),
        create_patient(context, PatientForm("Seán", "O'Connor", "1958-09-17")),
    ]


def test_search_json_has_what_scripts_need(
    database_url: str, charts: list[PatientData], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--database", database_url, "patients", "search", "garc mar", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items == [
        {
            "id": charts[0].id,
            "mrn": charts[0].mrn,
            "first_name": "María José",
            "middle_name": "",
            "last_name": "Núñez-García",
            "preferred_name": "",
            "date_of_birth": "1961-03-04",
            "phone": "+12175550142",
        }
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [("nunez", 2), ("oconnor", 1), ("3/4/1961", 1), ("0142", 1), ("zzz", 0), ("M0000003", 1)],
)
def test_search_text_output_and_limit(
    database_url: str,
    charts: list[PatientData],
    capsys: pytest.CaptureFixture[str],
    text: str,
    found: int,
) -> None:
    assert run(["--database", database_url, "patients", "search", text]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == max(found, 1)
    if not found:
        assert out == ["No patient found"]
    assert run(["--database", database_url, "patients", "search", text, "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1


def test_show_prints_the_chart_and_records_the_view(
    database_url: str,
    context: ServiceContext,
    charts: list[PatientData],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["--database", database_url, "patients", "show", charts[0].mrn.lower()]) == 0
    out = capsys.readouterr().out
    assert "Núñez-García, María José" in out and "(217) 555-0142" in out
    assert "Spanish (interpreter needed)" in out
    assert "Print size: large print (16 pt)" in out
    assert run(["--database", database_url, "patients", "show", charts[2].mrn, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["last_name"] == "O'Connor" and data["date_of_birth"] == "1958-09-17"
    assert data["large_print"] is False
    from sqlalchemy import select

    from frontdesk.db.models import AuditEntry

    with context.reading(None) as session:
        views = session.scalars(select(AuditEntry.patient_id).where(AuditEntry.action == "view"))
        assert sorted(views) == sorted([charts[0].id, charts[2].id])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["patients", "show", "M0999999"], 1, "no patient with MRN M0999999"),
        (["patients", "search", "12"], 2, "at least 4 digits"),
        (["patients", "search", "2/30/1961"], 2, "not a real date"),
        (["patients", "search", "smith", "--limit", "0"], 2, "--limit"),
        (["patients", "search"], 2, "text"),
        (["demo", "--patients", "lots"], 2, "--patients"),
    ],
)
def test_bad_input_is_one_line_on_stderr(
    database_url: str,
    charts: list[PatientData],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    assert run(["--database", database_url, *args]) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], captured.err


def test_demo_then_search_as_a_real_process(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/demo.sqlite3"

    def frontdesk_on_demo(*args: str) -> CliResult:
        return frontdesk(*args, database=url)

    made = frontdesk_on_demo("demo", "--patients", "300", "--seed", "5")
    assert made.code == 0, made.err
    assert "Added 300 demo patients (M0000001 to M0000300)" in made.out
    found = frontdesk_on_demo("patients", "search", "nunez mar", "--json")
    assert found.code == 0, found.err
    names = {(item["first_name"], item["last_name"]) for item in json.loads(found.out)}
    assert {("María José", "Núñez-García"), ("Maria", "Nunez")} <= names
    missing = frontdesk_on_demo("patients", "show", "M0000301")
    assert missing.code == 1
    assert missing.err.count("\n") == 1 and "Traceback" not in missing.err


def test_output_into_a_closed_pipe_ends_quietly(
    database_url: str, charts: list[PatientData]
) -> None:
    """`frontdesk patients show MRN --json | head`: no "unexpected error" when head stops."""
    command = ["patients", "show", charts[0].mrn, "--json"]
    process = subprocess.Popen(
        [sys.executable, "-m", "frontdesk", "--database", database_url, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the command prints a byte
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert error == ""
