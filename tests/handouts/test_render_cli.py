"""frontdesk handouts render ID --patient MRN: saved, logged as given, one-line errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from frontdesk.cli.main import run
from frontdesk.services.handouts import handout_prints
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import update_patient
from frontdesk.services.patients.forms import PatientData
from tests.documents.pdfs import all_text, page_texts


def test_render_by_mrn_saves_and_records_the_handout_as_given(
    home: Path,
    context: ServiceContext,
    maria: PatientData,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "estenosis.pdf"
    code = run(
        [
            *("--database", current_url, "handouts", "render", "spinal-stenosis"),
            *("--patient", maria.mrn.lower(), "--lang", "es", "--large-print"),
            *("--note", "Traiga su disco, por favor.", "--date", "2026-11-25", "-o", str(out)),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Saved spinal-stenosis (es, version 2)" in captured.out
    assert "María José Núñez-García" in captured.out and "print log #1" in captured.out
    pages = page_texts(out.read_bytes())
    assert "María José Núñez-García" in pages[0]
    assert "Traiga su disco, por favor." in all_text(out.read_bytes())
    assert "25 de noviembre de 2026" in pages[0]
    assert list(tmp_path.glob(".handout-*")) == []

    (record,) = handout_prints.prints_for_patient(context, maria.id)
    assert record.destination == "saved: estenosis.pdf"
    assert (record.handout_id, record.version, record.language) == ("spinal-stenosis", "2", "es")
    assert record.large_print and record.note == "Traiga su disco, por favor."


def test_render_by_mrn_prints_as_the_chart_says_unless_told(
    home: Path,
    context: ServiceContext,
    maria: PatientData,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    update_patient(context, maria.id, replace(maria.form(), large_print=True), maria.version)
    render = ["--database", current_url, "handouts", "render", "mri-ct-scan"]
    for extra in ([], ["--regular-print"]):
        code = run([*render, "--patient", maria.mrn, *extra, "-o", str(tmp_path / "x.pdf")])
        assert code == 0, capsys.readouterr().err
    chart_default, told_regular = sorted(
        handout_prints.prints_for_patient(context, maria.id), key=lambda record: record.id
    )
    assert chart_default.large_print and not told_regular.large_print
    both = [*render, "--patient", maria.mrn, "--large-print", "--regular-print"]
    assert run([*both, "-o", str(tmp_path / "y.pdf")]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_render_by_mrn_errors_are_one_line_with_exit_codes(
    home: Path,
    context: ServiceContext,
    maria: PatientData,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "x.pdf"
    render = ["--database", current_url, "handouts", "render"]
    cases = [
        (["mri-ct-scan", "--patient", "M0099999"], 1, "There is no patient with MRN M0099999"),
        (["no-such", "--patient", maria.mrn], 1, "There is no handout 'no-such'"),
        (["mri-ct-scan"], 2, "one of the arguments --patient --patient-name is required"),
        (
            ["mri-ct-scan", "--patient", maria.mrn, "--patient-name", "Zoë"],
            2,
            "not allowed with argument",
        ),
        (["mri-ct-scan", "--patient", maria.mrn, "--page-size", "legal"], 2, "invalid choice"),
    ]
    for args, expected, message in cases:
        assert run([*render, *args, "-o", str(out)]) == expected, args
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
    missing = tmp_path / "no-folder" / "x.pdf"
    assert run([*render, "mri-ct-scan", "--patient", maria.mrn, "-o", str(missing)]) == 1
    assert "Cannot write in" in capsys.readouterr().err
    assert not out.exists()
    assert handout_prints.prints_for_patient(context, maria.id) == []


def test_a_language_the_handout_lacks_falls_back_and_says_so(
    home: Path,
    context: ServiceContext,
    maria: PatientData,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "mri.pdf"
    args = ["--database", current_url, "handouts", "render", "mri-ct-scan"]
    assert run([*args, "--patient", maria.mrn, "--lang", "vi", "-o", str(out)]) == 0
    assert "has no vi version; saving the en version" in capsys.readouterr().err
    (record,) = handout_prints.prints_for_patient(context, maria.id)
    assert record.language == "en"
