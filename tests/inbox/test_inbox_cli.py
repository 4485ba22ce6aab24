"""`frontdesk inbox import|list|file|discard|fetch`: what scripts and a clerk at a terminal see."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from frontdesk.cli.main import run
from frontdesk.demo.faxes import mri_lines, text_pdf
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.inbox import listing
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.practice.settings import INBOX_FOLDERS, set_setting
from frontdesk.services.requests.checklist import add_checklist_item
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.requests.intake import create_request
from frontdesk.services.requests.reading import get_request
from tests.inbox.conftest import MARIA


def fax(folder: Path, name: str = "mri.pdf") -> Path:
    path = folder / name
    path.write_bytes(text_pdf(mri_lines(MARIA)))
    return path


def test_import_list_and_file_to_a_request_from_the_command_line(
    database_url: str,
    context: ServiceContext,
    maria: PatientData,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    request = create_request(
        context,
        IntakeForm(
            patient_id=maria.id, phone="(503) 201-3344", reason="pain", category="failed_back"
        ),
    )
    item = add_checklist_item(context, request.id, ChecklistKind.IMAGING_REPORT, "MRI lumbar")
    assert run(["--database", database_url, "inbox", "import", str(fax(tmp_path)), "--json"]) == 0
    [imported] = json.loads(capsys.readouterr().out)
    assert imported["outcome"] == "new" and imported["reading"] == "done"
    assert run(["--database", database_url, "inbox", "list", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["suggested_mrn"] == maria.mrn and row["suggested_kind"] == "imaging-report"
    code = run(
        [
            "--database", database_url, "inbox", "file", str(row["id"]), "--patient", maria.mrn,
            "--as", "imaging-report", "--request", str(request.id),
        ]
    )  # fmt: skip
    assert code == 0
    assert "Ticked" in capsys.readouterr().out
    ticked = next(
        entry for entry in get_request(context, request.id).checklist if entry.id == item.id
    )
    assert ticked.received


def test_a_refused_file_is_one_line_on_stderr_and_exit_2(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "virus.pdf"
    bad.write_bytes(b"MZ" + bytes(64))
    good = fax(tmp_path)
    assert run(["--database", database_url, "inbox", "import", str(bad), str(good)]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "virus.pdf is not a PDF" in err
    assert "mri.pdf arrived" in out


def test_discard_needs_a_reason_and_filing_a_wrong_patient_changes_nothing(
    database_url: str,
    context: ServiceContext,
    maria: PatientData,
    maria_twin_birthday: PatientData,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["--database", database_url, "inbox", "import", str(fax(tmp_path))]) == 0
    [row] = listing.unfiled(context)
    capsys.readouterr()
    assert run(["--database", database_url, "inbox", "discard", str(row.id), "--reason", " "]) == 2
    assert "say why" in capsys.readouterr().err
    assert run(["--database", database_url, "inbox", "file", "999", "--patient", maria.mrn,
                "--as", "other"]) == 1  # fmt: skip
    assert listing.unfiled(context)[0].id == row.id
    assert (
        run(["--database", database_url, "inbox", "discard", str(row.id), "--reason", "junk"]) == 0
    )
    assert listing.unfiled(context) == []


def test_fetch_takes_the_watched_folders_files_once(
    database_url: str,
    context: ServiceContext,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "faxes"
    folder.mkdir()
    path = fax(folder)
    old = path.stat().st_mtime - 60
    os.utime(path, (old, old))
    set_setting(context, INBOX_FOLDERS, f"{folder}\n{tmp_path / 'missing'}")
    assert run(["--database", database_url, "inbox", "fetch"]) == 2  # a folder is missing
    out, err = capsys.readouterr()
    assert "new: mri.pdf arrived" in out and "missing cannot be read" in err
    assert (folder / "imported" / "mri.pdf").exists()
    assert len(listing.unfiled(context)) == 1
