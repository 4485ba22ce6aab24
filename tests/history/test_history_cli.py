"""`frontdesk history show|summary`: JSON shape, readable text, PDF file, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.cli.main import run
from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from tests.helpers.pdfs import pdf_text


@pytest.fixture
def recorded(context: ServiceContext, maria: PatientData) -> PatientData:
    fusion = add_surgery(
        context,
        maria.id,
        SurgeryForm(
            procedure="lumbar fusion",
            fusion_approach="TLIF",
            date="2019",
            levels="L4–L5, L5–S1",
            surgeon="Dr. Rivera",
        ),
    )
    add_surgery(
        context,
        maria.id,
        SurgeryForm(
            procedure="revision fusion",
            date="about 2021",
            levels="L3-L4",
            revises_id=fusion.id,
            report_received_on=date(2022, 1, 10),
        ),
    )
    add_imaging(
        context,
        maria.id,
        ImagingForm(
            modality="MRI",
            regions="lumbar",
            date="May 2024",
            report_received_on=date(2024, 6, 1),
        ),
    )
    return maria


def test_show_json_lists_levels_and_received_flags(
    database_url: str, recorded: PatientData, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--database", database_url, "history", "show", recorded.mrn, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["patient"]["mrn"] == recorded.mrn
    assert shown["patient"]["name"] == "Núñez-García, María José"
    assert shown["patient"]["date_of_birth"] == "1961-03-04"
    first, revision = shown["surgeries"]
    assert first["levels"] == ["L4-L5", "L5-S1"]
    assert first["levels_text"] == "L4–S1"
    assert first["procedure"] == "lumbar_fusion" and first["fusion_approach"] == "tlif"
    assert first["date"] == "2019" and first["date_precision"] == "year"
    assert first["operative_report"] == {
        "requested_on": None,
        "received": False,
        "received_on": None,
        "received_by": "",
    }
    assert revision["levels"] == ["L3-L4"]
    assert revision["date"] == "2021~" and revision["date_display"] == "about 2021"
    assert revision["revises_id"] == first["id"]
    assert revision["operative_report"]["received_on"] == "2022-01-10"
    (study,) = shown["imaging"]
    assert study["modality"] == "mri" and study["regions"] == ["lumbar"]
    assert study["report_received"] is True and study["images_received"] is False
    assert study["flags"]["images_missing"] is True
    assert shown["missing_records"] == [
        "operative report: L4–S1 TLIF 2019",
        "images: MRI lumbar May 2024",
    ]
    assert shown["summary"].startswith("2 prior spine surgeries, last L3–L4 revision fusion")


def test_show_prints_a_readable_history_and_records_the_view(
    database: Database,
    database_url: str,
    recorded: PatientData,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["--database", database_url, "history", "show", recorded.mrn.lower()]) == 0
    out = capsys.readouterr().out
    assert "Núñez-García, María José" in out
    assert "L4–S1" in out and "TLIF" in out and "[Dr. Rivera]" in out
    assert "revises L4–S1 TLIF 2019" in out
    assert "report on file (06/01/2024), images MISSING" in out
    assert "  - operative report: L4–S1 TLIF 2019" in out
    with database.read_sessions() as session:
        views = session.scalars(
            select(AuditEntry.patient_id).where(
                AuditEntry.entity == "history", AuditEntry.action == "view"
            )
        ).all()
    assert views == [recorded.id]


def test_summary_writes_the_pdf(
    database_url: str,
    recorded: PatientData,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "summary.pdf"
    code = run(["--database", database_url, "history", "summary", recorded.mrn, "-o", str(target)])
    assert code == 0
    assert "Saved the history summary" in capsys.readouterr().out
    text = pdf_text(target.read_bytes())
    assert "Núñez-García, María José" in text and "L4–S1" in text
    assert "Operative report: L4–S1 TLIF 2019" in text
    assert list(folder.iterdir()) == [target]  # no temporary file left behind


def test_errors_are_one_line_with_the_exit_code_of_their_kind(
    database_url: str,
    recorded: PatientData,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["--database", database_url, "history", "show", "M9999999"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "frontdesk: There is no patient with MRN M9999999"
    missing_folder = tmp_path / "nowhere" / "x.pdf"
    code = run(
        ["--database", database_url, "history", "summary", recorded.mrn, "-o", str(missing_folder)]
    )
    assert code == 1
    assert "does not exist" in capsys.readouterr().err
    assert run(["--database", database_url, "history", "summary", recorded.mrn]) == 2
    assert "-o/--output" in capsys.readouterr().err
    assert run(["--database", database_url, "history"]) == 2


def test_history_show_loads_neither_qt_nor_reportlab() -> None:
    code = (
        "import sys\n"
        "from frontdesk.cli import history_commands\n"
        "from frontdesk.services import history\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'reportlab')]\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
