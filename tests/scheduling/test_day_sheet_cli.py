"""`frontdesk schedule day-sheet`: the sheet saved without the app, recorded per chart; bad
input is one line on stderr and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.cli.main import run
from frontdesk.db.models import AuditEntry
from tests.scheduling.conftest import Practice
from tests.scheduling.test_day_sheet import MONDAY, book, pdf_text


def test_the_day_sheet_is_saved_and_recorded(
    database_url: str, clinic: Practice, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book(clinic, 0, 8)
    book(clinic, 3, 9, provider_id=clinic.lindqvist)
    target = tmp_path / "sheet.pdf"
    argv = ["--database", database_url, "schedule", "day-sheet", "--date", MONDAY.isoformat()]
    assert run([*argv, "--provider", "Okafor", "-o", str(target)]) == 0
    assert "1 appointment" in capsys.readouterr().out
    text = pdf_text(target.read_bytes())
    assert "Núñez-García, María José" in text and "Adaeze Okafor, MD" in text
    assert "Lindqvist" not in text
    with clinic.context.reading(None) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "day_sheet")).all()
    assert [(e.action, e.patient_id) for e in entries] == [("print", clinic.patients[0].id)]
    assert "file sheet.pdf" in entries[0].details
    # Every provider with appointments that day, by default.
    assert run([*argv, "-o", str(target)]) == 0
    assert "Lindqvist" in pdf_text(target.read_bytes())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (["--date", "2026-02-30"], "is not a date"),
        (["--provider", "Nobody"], "no provider is called 'Nobody'"),
        (["-o", "/no/such/folder/sheet.pdf"], "there is no folder /no/such/folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    database_url: str,
    clinic: Practice,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    changes: list[str],
    message: str,
) -> None:
    values = {"--date": MONDAY.isoformat(), "-o": str(tmp_path / "s.pdf")}
    extra: list[str] = []
    for flag, value in zip(changes[::2], changes[1::2], strict=True):
        if flag in values:
            values[flag] = value
        else:
            extra += [flag, value]
    argv = ["--database", database_url, "schedule", "day-sheet", *extra]
    for flag, value in values.items():
        argv += [flag, value]
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "s.pdf").exists()
