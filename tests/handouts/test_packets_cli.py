"""frontdesk packets and frontdesk handouts render --appointment: files, logs, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.cli.main import run
from frontdesk.services.handouts import handout_prints
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.lookup import get_patient
from tests.documents.pdfs import all_text
from tests.handouts.packet_fixtures import PacketDay, make_packet_day


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


def test_packets_command_writes_one_file_per_patient_or_one_combined(
    packet_day: PacketDay,
    context: ServiceContext,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    day = packet_day.day.isoformat()
    base = ["--database", current_url, "packets", "--date", day]
    code = run([*base, "--provider", "Okafor", "-o", str(tmp_path / "each")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # Two packets, and the new consultation's summary for the surgeon in a file apart.
    assert len(list((tmp_path / "each").glob("*.pdf"))) == 3
    assert len(list((tmp_path / "each").glob("History summaries for the surgeon *.pdf"))) == 1
    assert "Saved 2 packets" in captured.out

    code = run([*base, "--combined", "--one-sided", "-o", str(tmp_path / "all")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    (combined,) = (tmp_path / "all").glob("Pre-visit packets *.pdf")
    assert "all providers" in combined.name
    text = all_text(combined.read_bytes())
    assert "Su cita está confirmada" in text and "intentionally left blank" not in text

    code = run([*base, "--combined", "--two-sided", "-o", str(tmp_path / "duplex")])
    assert code == 0, capsys.readouterr().err
    (combined,) = (tmp_path / "duplex").glob("Pre-visit packets *.pdf")
    assert "intentionally left blank" in all_text(combined.read_bytes())


def test_packets_command_exit_codes(
    packet_day: PacketDay, current_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--database", current_url, "packets"]
    out = ["-o", str(tmp_path / "x")]
    assert run([*base, "--date", "05/04/2026", *out]) == 2
    assert "not a date" in capsys.readouterr().err
    day = packet_day.day.isoformat()
    assert run([*base, "--date", day, "--provider", "Nobody", *out]) == 1
    err = capsys.readouterr().err
    assert "There is no provider 'Nobody'" in err and len(err.strip().splitlines()) == 1
    assert run([*base, "--date", "2020-01-01", *out]) == 0
    assert "No appointments" in capsys.readouterr().out
    assert not (tmp_path / "x").exists()


def test_render_prints_the_appointment_block(
    packet_day: PacketDay,
    context: ServiceContext,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    patient = get_patient(context, packet_day.hostile.patient_id, record_view=False)
    out = tmp_path / "stenosis.pdf"
    code = run(
        [
            *("--database", current_url, "handouts", "render", "spinal-stenosis"),
            *("--patient", patient.mrn, "--appointment", str(packet_day.hostile.id)),
            *("-o", str(out)),
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = " ".join(all_text(out.read_bytes()).split())
    assert "Your appointment:" in text and "9:00 AM with Adaeze Okafor, MD" in text
    assert "Main office" in text
    (record,) = handout_prints.prints_for_patient(context, patient.id)
    assert record.destination == "saved: stenosis.pdf"

    other = run(
        [
            *("--database", current_url, "handouts", "render", "spinal-stenosis"),
            *("--patient", patient.mrn, "--appointment", str(packet_day.spanish.id)),
            *("-o", str(tmp_path / "no.pdf")),
        ]
    )
    assert other == 1
    assert "belongs to another patient" in capsys.readouterr().err
    assert not (tmp_path / "no.pdf").exists()
