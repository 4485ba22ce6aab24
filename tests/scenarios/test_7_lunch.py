"""Scenario 7, Thursday 12:30: the receptionist leaves mid-intake; the window locks after the
practice's idle time; she signs in again and her half-typed form is there. A patient asks who
looked at her chart: the access report prints, and is recorded. `frontdesk audit verify`
says the trail is intact."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.practice import settings
from frontdesk.services.practice.settings import AUTO_LOCK_MINUTES
from frontdesk.ui.audit.dialogs import AccessReportDialog
from tests.helpers.cli import frontdesk
from tests.helpers.screens import QT_NOISE
from tests.ui.test_security_lock import MARIA_PASSWORD, Desk, desk, signed_in

pytestmark = QT_NOISE
__all__ = ["desk", "signed_in"]  # the lock tests' fixtures: a set-up practice, a locked desk


def test_scenario_7_lunch_lock_keeps_the_form_and_the_access_report_prints(
    qtbot: QtBot,
    desk: Desk,
    signed_in: ServiceContext,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert settings.get_setting(signed_in, AUTO_LOCK_MINUTES) == 10  # the practice's default
    patient = create_patient(signed_in, PatientForm("Hoa", "Tran", "11/30/1975"))
    get_patient(signed_in, patient.id)  # Maria opened her chart this morning

    intake = desk.intake_form()
    qtbot.keyClicks(intake.last_name, "Nunez-Garcia")
    qtbot.keyClicks(intake.first_name, "Maria Jose")
    qtbot.keyClicks(intake.reason, "Pain worse since the second operation")
    desk.lock.set_idle_limit_ms(150)  # ten minutes, shortened for the test
    qtbot.waitUntil(lambda: desk.lock.is_locked, timeout=5_000)
    assert not intake.isVisible()

    with qtbot.waitSignal(desk.lock.unlocked, timeout=10_000):
        desk.sign_in_at_lock("maria", MARIA_PASSWORD)
    assert intake.isVisible()
    assert intake.last_name.text() == "Nunez-Garcia"
    assert intake.reason.toPlainText() == "Pain worse since the second operation"
    desk.lock.set_idle_limit_ms(None)
    intake.mark_clean()
    intake.close()

    # The access report for the patient who asked, printed (to a PDF here).
    report = AccessReportDialog(desk.lock.screen, patient.id, None)
    qtbot.addWidget(report)
    report.show()
    qtbot.waitUntil(lambda: report.report is not None, timeout=10_000)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "access.pdf"))
    report.print_to(printer)
    qtbot.waitUntil(lambda: "Printed" in report.banner.text, timeout=10_000)
    assert (tmp_path / "access.pdf").stat().st_size > 0
    report.close()

    result = frontdesk(
        "--user", "maria", "audit", "verify",
        database=database_url, capsys=capsys, env={"FRONTDESK_PASSWORD": MARIA_PASSWORD},
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "intact" in result.out.lower() or "ok" in result.out.lower()
