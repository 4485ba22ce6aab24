"""Scenario 1, Monday 9:05: a failed-fusion patient calls. The receptionist takes the call
from the main window with the keyboard, tells her from a namesake, builds the records
checklist, prints the letter to the imaging centre and moves the request to Awaiting records;
the chart and the audit trail show it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.domain.request_states import ChecklistKind, RequestState
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.practice.forms import PracticeProfileForm
from frontdesk.services.practice.profile import save_profile
from frontdesk.services.requests import reading
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.screen_context import ScreenContext
from tests.documents.pdfs import all_text
from tests.helpers.screens import QT_NOISE
from tests.scenarios.conftest import WAIT_MS

pytestmark = QT_NOISE
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def window(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, tmp_path: Path
) -> Iterator[MainWindow]:
    save_profile(
        context,
        PracticeProfileForm(name="Prairie Spine Center", main_phone="(217) 555-0100"),
        None,
    )
    # A different person with a near name: the duplicate check must show her, not merge.
    create_patient(context, PracticeNamesake.form())
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    main = MainWindow(screen, settings)
    qtbot.addWidget(main)
    main.resize(1280, 720)
    main.show()
    qtbot.waitExposed(main)
    yield main
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, PatientChart):
            widget.close()


class PracticeNamesake:
    @staticmethod
    def form() -> PatientForm:
        return PatientForm("Maria", "Nunez", "04/03/1961", mobile_phone="(217) 555-0111")


def test_scenario_1_a_failed_fusion_call_becomes_a_request_awaiting_records(
    qtbot: QtBot, window: MainWindow, context: ServiceContext, tmp_path: Path
) -> None:
    # Ctrl+2 opens Requests; Ctrl+N a new request.
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    area = window.current_area()
    assert isinstance(area, RequestsArea)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    dialog = area.intake
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)

    # "nunez mar": the one match is Maria Nunez born 04/03/1961, a different person.
    qtbot.keyClicks(dialog.last_name, "nunez")
    qtbot.keyClicks(dialog.first_name, "mar")
    qtbot.waitUntil(lambda: dialog.matches.count() > 0, timeout=WAIT_MS)
    assert "04/03/1961" in dialog.matches.item(0).text()
    dialog.last_name.clear()
    dialog.first_name.clear()
    # QTest types ASCII only; accented names are covered by the service tests.
    qtbot.keyClicks(dialog.last_name, "Nunez-Garcia")
    qtbot.keyClicks(dialog.first_name, "Maria Jose")
    qtbot.keyClicks(dialog.date_of_birth, "03/04/1961")
    qtbot.keyClicks(dialog.phone, "217 555 0188")
    qtbot.keyClicks(dialog.language, "Spanish")
    qtbot.keyClick(dialog.interpreter, Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.reason, "Pain worse than before the second operation")
    dialog.category.setFocus()
    qtbot.keyClicks(dialog.category, "F")  # Failed back / failed fusion
    qtbot.keyClick(dialog.regions_box("lumbar"), Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.prior_surgery, "Y")
    qtbot.keyClicks(dialog.surgery_count, "2")
    qtbot.keyClicks(dialog.surgery_year, "2021")
    qtbot.keyClicks(dialog.imaging_modality, "M")
    qtbot.keyClicks(dialog.imaging_when, "May 2024")
    qtbot.keyClicks(dialog.imaging_where, "Valley Imaging Center")
    # Red flags: every question asked, every answer no.
    qtbot.keyClick(dialog.red_flags.all_asked, Qt.Key.Key_Space)
    assert not dialog.red_flags.instruction_frame.isVisible()

    # Ctrl+S: the duplicate check shows the namesake beside her; a new chart anyway.
    qtbot.keyClick(dialog.phone, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: dialog.duplicates is not None, timeout=WAIT_MS)
    duplicates = dialog.duplicates
    assert duplicates is not None
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        duplicates.create_button.click()
    data = saved.args[0]
    assert data.state is RequestState.NEW

    detail = reading.get_request(context, data.id)
    assert detail.request.patient_name == "Nunez-Garcia, Maria Jose"
    assert detail.request.patient_id != 1  # her own chart, not the namesake's
    assert detail.request.red_flags_asked and detail.request.red_flags == ()
    assert detail.request.red_flag_summary == "asked, all 4 no"
    assert detail.request.interpreter_needed
    assert (detail.request.prior_surgery_count, detail.request.prior_surgery_last_year) == (2, 2021)
    # The records checklist: both operative reports, the MRI report and its images.
    panel = area.detail
    qtbot.waitUntil(lambda: panel.detail is not None and panel.detail.request.id == data.id)
    # Whatever the intake did not add from what she said, the receptionist adds by hand.
    needed = {
        ChecklistKind.OPERATIVE_REPORT: ["L4-L5 fusion 2019", "2021 operation"],
        ChecklistKind.IMAGING_REPORT: ["MRI lumbar May 2024"],
        ChecklistKind.IMAGING_FILES: ["MRI images"],
    }
    kinds = [item.kind for item in detail.checklist]
    wanted = [(kind, text) for kind, texts in needed.items() for text in texts[kinds.count(kind) :]]
    for kind, text in wanted:
        before = len(panel.detail.checklist)  # type: ignore[union-attr]
        panel.new_kind.setCurrentIndex(panel.new_kind.findData(kind.value))
        qtbot.keyClicks(panel.new_description, text)
        panel.add_item_button.click()
        qtbot.waitUntil(
            lambda before=before: len(panel.detail.checklist) == before + 1,  # type: ignore[union-attr]
            timeout=WAIT_MS,
        )
    checklist = reading.get_request(context, data.id).checklist
    assert sorted(item.kind for item in checklist) == sorted(
        [
            ChecklistKind.IMAGING_FILES,
            ChecklistKind.IMAGING_REPORT,
            ChecklistKind.OPERATIVE_REPORT,
            ChecklistKind.OPERATIVE_REPORT,
        ]
    )

    # Alt+L: the records-request letter to the imaging centre, saved as a PDF to fax.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    panel.checklist.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_L, ALT)  # a mnemonic clicks after a short flash
    qtbot.waitUntil(lambda: area.letter_dialog is not None, timeout=WAIT_MS)
    letter = area.letter_dialog
    assert letter is not None
    qtbot.waitUntil(letter.isVisible, timeout=WAIT_MS)
    assert letter.addressee.currentText() == "Valley Imaging Center"
    target = tmp_path / "letter.pdf"
    with qtbot.waitSignal(letter.done_with, timeout=20_000):
        letter.save_to(target)
    text = all_text(target.read_bytes())
    assert "Valley Imaging Center" in text and "MRI" in text
    letter.close()

    # Alt+R: Awaiting records.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    panel.checklist.setFocus()
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_R, ALT)
    assert reading.get_request(context, data.id).request.state is RequestState.AWAITING_RECORDS
    # The letter to the imaging centre marked its items requested today.
    imaging = {ChecklistKind.IMAGING_REPORT, ChecklistKind.IMAGING_FILES}
    items = reading.get_request(context, data.id).checklist
    assert all(item.requested_on is not None for item in items if item.kind in imaging)

    # The chart lists the request; the audit trail has the letter.
    chart = window.open_chart(detail.request.patient_id)
    assert isinstance(chart, PatientChart)
    qtbot.waitUntil(lambda: chart.patient is not None, timeout=WAIT_MS)
    tab = chart.requests_tab
    qtbot.waitUntil(lambda: len(getattr(tab, "items", [])) == 1, timeout=WAIT_MS)
    assert tab.items[0].state is RequestState.AWAITING_RECORDS
    with context.reading(None) as session:
        printed = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "records_request_letter")
        ).all()
    assert [entry.patient_id for entry in printed] == [detail.request.patient_id]
