"""`frontdesk audit report MRN -o FILE`: the access report saved without the app, recorded
as a print; bad input is one line on stderr and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.cli.main import run
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.platform import audit_trail
from frontdesk.services.platform.audit_trail import AuditFilter
from tests.documents.pdfs import all_text


def test_the_report_is_saved_and_recorded(
    database_url: str, context: ServiceContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = create_patient(context, PatientForm("Seán", "<b>O'Connor</b> & 王", "1958-09-17"))
    target = tmp_path / "access.pdf"
    assert run(["--database", database_url, "audit", "report", chart.mrn, "-o", str(target)]) == 0
    assert "Saved the access report (1 entry)" in capsys.readouterr().out
    text = " ".join(all_text(target.read_bytes()).split())
    assert "Who opened or changed this chart" in text and "<b>O'Connor</b> & 王, Seán" in text
    assert "Created Patient chart" in text
    recorded = audit_trail.list_entries(context, AuditFilter(patient_id=chart.id)).entries
    assert [(e.action, e.entity) for e in recorded[:2]] == [
        ("print", "audit_access_report"),
        ("view", "audit_access_report"),
    ]
    assert recorded[0].details == {"printer": "file access.pdf"}


def test_bad_input_is_one_line_and_exit_2(
    database_url: str, context: ServiceContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = create_patient(context, PatientForm("Seán", "O'Connor", "1958-09-17"))
    base = ["--database", database_url, "audit", "report"]
    assert run([*base, chart.mrn, "-o", "/no/such/folder/a.pdf"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "there is no folder /no/such/folder" in err
    assert run([*base, chart.mrn, "-o", str(tmp_path)]) == 2
    assert "it is a folder" in capsys.readouterr().err
    assert run([*base, chart.mrn]) == 2
    assert "-o/--output" in capsys.readouterr().err
    # An MRN no chart has is refused (not found: exit 1), as elsewhere in the CLI.
    assert run([*base, "M9999999", "-o", str(tmp_path / "a.pdf")]) == 1
    assert "no patient with MRN M9999999" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.pdf"))
