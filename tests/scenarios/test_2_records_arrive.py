"""Scenario 2, Wednesday: the records arrive. Faxes land in the fax server's folder and one
comes by e-fax; each is read before anyone looks. In the Inbox the receptionist files
María José's MRI report with Enter (her checklist ticks), splits the hospital's 9-page fax at
page 5 and files each operative note to its surgery, starts a request from a new patient's
referral (Dr. Patel found by his NPI) and discards the junk. The images have not come, so the
request cannot move to Ready without a reason; Friday the disc arrives and it moves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from frontdesk.demo.faxes import (
    Person,
    mri_lines,
    operative_lines,
    referral_lines,
    scanned_tiff,
    text_pdf,
)
from frontdesk.documents.page_text import ocr_status
from frontdesk.domain.request_states import ChecklistKind, RequestState
from frontdesk.services.history.received_documents import list_documents
from frontdesk.services.history.summary import get_history
from frontdesk.services.inbox import arrivals, listing, reading
from frontdesk.services.inbox.folders import FolderWatch, sweep
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import referrers
from frontdesk.services.patients.referrers import ReferrerForm
from frontdesk.services.requests import intake, states
from frontdesk.services.requests import reading as request_reading
from frontdesk.services.requests.work_queue import queue
from frontdesk.ui.inbox.area import InboxArea
from frontdesk.ui.inbox.dialogs import DiscardDialog
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.screens import QT_NOISE
from tests.requests.conftest import maria_intake
from tests.scenarios.conftest import WAIT_MS

pytestmark = QT_NOISE
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
MARIA = Person("María José", "Núñez-García", "03/04/1961", "(217) 555-0188")
NEWCOMER = Person("John", "Smith", "07/19/1958", "(503) 201-9999")


def hospital_fax() -> bytes:
    """Nine pages: the 2019 fusion's note (pages 1-4), then the 2021 one's (pages 5-9)."""
    first = operative_lines(MARIA)
    second = [
        line.replace("L4-5", "L3-4").replace("transforaminal lumbar interbody", "revision")
        for line in operative_lines(MARIA)
    ]
    return text_pdf(
        first,
        *[[f"Operative note continued, page {n}"] for n in (2, 3, 4)],
        second,
        *[[f"Second note, page {n}"] for n in (2, 3, 4, 5)],
    )


@pytest.fixture
def maria_waiting(context: ServiceContext) -> int:
    """Scenario 1's request, Awaiting records; the call drafted her two surgeries."""
    data = intake.create_request(context, maria_intake(phone="(217) 555-0188"))
    states.transition(context, data.id, RequestState.AWAITING_RECORDS)
    return data.id


@pytest.fixture
def window(qtbot: QtBot, screen: ScreenContext, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    main = MainWindow(screen, settings)
    qtbot.addWidget(main)
    main.resize(1280, 720)
    main.show()
    qtbot.waitExposed(main)
    yield main


def overnight(context: ServiceContext, folder: Path) -> list[int]:
    """The fax server's files in its folder and the e-fax service's mail; each read."""
    folder.mkdir()
    junk = text_pdf(["SPECIAL OFFER: printer toner at half price", "Call now"])
    files = {
        "0001-mri.pdf": text_pdf(mri_lines(MARIA)),
        "0002-hospital.pdf": hospital_fax(),
        "0003-toner.pdf": junk,
        "0004-cruise.tif": scanned_tiff(text_pdf(["You have won a cruise", "Call to claim"])),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    watch = FolderWatch(folder)
    watch.candidates()  # the first look notes sizes; the next takes what did not change
    taken = sweep(context, watch)
    assert len(taken) == 4 and list(folder.glob("*.pdf")) == []
    mailed = arrivals.receive(
        context,
        text_pdf(referral_lines(NEWCOMER, doctor="Anil Patel")),
        "efax-referral.pdf",
        source="email",
    )
    ids = [arrival.document_id for arrival in [*taken, mailed]]
    assert None not in ids
    for document_id in ids:
        reading.read_document(context, document_id)  # type: ignore[arg-type]
    return ids  # type: ignore[return-value]


def choose(qtbot: QtBot, area: InboxArea, document_id: int, *, filable: bool = True) -> None:
    row = next(r for r in range(area.model.rowCount()) if area.model.records[r].id == document_id)
    if area.current is None or area.current.row.id != document_id:
        with qtbot.waitSignal(area.document_shown, timeout=WAIT_MS):
            area.table.selectRow(row)
    if filable:  # its patient's places to file are listed
        qtbot.waitUntil(lambda: area.panel.file_button.isEnabled(), timeout=WAIT_MS)
    area.table.setFocus()


def test_scenario_2_the_records_arrive_and_are_filed_from_the_inbox(
    qtbot: QtBot,
    window: MainWindow,
    context: ServiceContext,
    maria_waiting: int,
    tmp_path: Path,
) -> None:
    patel = referrers.save_referrer(
        context, ReferrerForm(last_name="Patel", first_name="Anil", npi="1234567893")
    )
    mri, hospital, toner, cruise, referral = overnight(context, tmp_path / "fax-in")
    request = request_reading.get_request(context, maria_waiting)
    maria_id = request.request.patient_id

    # 8:00, Ctrl+6: the Inbox lists all five, each already read.
    qtbot.keyClick(window, Qt.Key.Key_6, CTRL)
    area = window.current_area()
    assert isinstance(area, InboxArea)
    qtbot.waitUntil(lambda: area.model.rowCount() == 5, timeout=WAIT_MS)
    rows = {row.id: row for row in listing.unfiled(context)}
    assert rows[mri].suggested_patient_id == maria_id
    assert rows[mri].suggested_kind == "imaging-report"

    # The MRI report: her name and birth date suggested; Enter files it to "MRI report".
    choose(qtbot, area, mri)
    assert "Núñez-García" in area.panel.patient_line.text()
    assert "03/04/1961" in area.panel.evidence.toPlainText()
    assert "Imaging report" in area.panel.destination.currentText()
    assert "filing ticks it" in area.panel.destination.currentText()
    with qtbot.waitSignal(area.filed, timeout=WAIT_MS):
        qtbot.keyClick(area.table, Qt.Key.Key_Return)
    items = {
        item.kind: item for item in request_reading.get_request(context, maria_waiting).checklist
    }
    assert items[ChecklistKind.IMAGING_REPORT].received
    assert not items[ChecklistKind.IMAGING_FILES].received
    # The chart's documents have the report; its imaging history shows it received.
    assert [doc.file_name for doc in list_documents(context, maria_id)] == ["0001-mri.pdf"]
    imaging = get_history(context, maria_id).imaging
    assert [study.report_received for study in imaging] == [True]

    # The hospital's 9 pages: two notes of two surgeries, so no one surgery is offered
    # until it is split: Ctrl+Shift+S, split at page 5.
    choose(qtbot, area, hospital, filable=False)
    assert not area.panel.file_button.isEnabled()
    assert area.current is not None and area.current.row.page_count == 9
    qtbot.keyClick(area.table, Qt.Key.Key_S, CTRL | SHIFT)
    split = area.dialog
    assert split is not None
    split.ranges.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(split.ranges, "1-4, 5-9")  # type: ignore[attr-defined]
    qtbot.keyClick(split.ranges, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: area.model.rowCount() == 5, timeout=WAIT_MS)
    parts = [row for row in listing.unfiled(context) if "hospital" in row.file_name]
    assert sorted(row.page_count for row in parts) == [4, 5]
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow, timeout=WAIT_MS)

    # Each note to its own surgery: the call drafted both without levels, so neither agrees
    # with the note on its own and nothing is pre-chosen (no wrong default); File to (Alt+T)
    # lists both surgeries; the receptionist picks one and Enter files.
    assert len(get_history(context, maria_id).surgeries) == 2
    for part, last in zip(sorted(parts, key=lambda r: r.page_count), (False, True), strict=True):
        choose(qtbot, area, part.id, filable=False)
        qtbot.waitUntil(lambda: area.panel.patient_id == maria_id, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: area.panel.destination.count() > 2, timeout=WAIT_MS)
        combo = area.panel.destination
        labels = [combo.itemText(i) for i in range(combo.count())]
        assert labels[0].startswith("Choose where it goes")
        assert not area.panel.file_button.isEnabled()
        index = next(
            i
            for i, text in enumerate(labels)
            if text.startswith("Surgery") and ("2021" in text) == last
        )
        combo.setCurrentIndex(index)
        assert area.panel.file_button.isEnabled()
        area.table.setFocus()
        with qtbot.waitSignal(area.filed, timeout=WAIT_MS):
            qtbot.keyClick(area.table, Qt.Key.Key_Return)
        area.activateWindow()
    assert all(s.report_received for s in get_history(context, maria_id).surgeries)

    # The referral of a new patient: Alt+N opens the intake filled from the letter.
    choose(qtbot, area, referral, filable=False)
    assert area.panel.new_request.isVisible()
    qtbot.keyClick(area.table, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: isinstance(area.dialog, IntakeDialog), timeout=WAIT_MS)
    intake_dialog = area.dialog
    assert isinstance(intake_dialog, IntakeDialog)
    qtbot.waitUntil(intake_dialog.isVisible, timeout=WAIT_MS)
    intake_dialog.activateWindow()
    qtbot.waitUntil(intake_dialog.isActiveWindow, timeout=WAIT_MS)
    assert intake_dialog.last_name.text() == "Smith"  # type: ignore[attr-defined]
    assert intake_dialog.date_of_birth.text() == "07/19/1958"  # type: ignore[attr-defined]
    assert intake_dialog.referrer.referrer_id == patel.id  # type: ignore[attr-defined]
    intake_dialog.category.setFocus()  # type: ignore[attr-defined]
    qtbot.keyClicks(intake_dialog.category, "H")  # type: ignore[attr-defined]
    with qtbot.waitSignal(area.filed, timeout=WAIT_MS):
        qtbot.keyClick(intake_dialog.phone, Qt.Key.Key_S, CTRL)  # type: ignore[attr-defined]

    # The scanned junk fax was read by OCR: its words find it (Tesseract needed).
    if ocr_status().available:
        assert [row.id for row in listing.search_text(context, "cruise")] == [cruise]

    # The junk: Delete, a reason, Enter.
    for junk in (toner, cruise):
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
        choose(qtbot, area, junk, filable=False)
        qtbot.keyClick(area.table, Qt.Key.Key_Delete)
        discard = area.dialog
        assert isinstance(discard, DiscardDialog)
        qtbot.keyClicks(discard.reason, "junk fax")  # type: ignore[union-attr]
        qtbot.keyClick(discard.reason, Qt.Key.Key_Return)  # type: ignore[union-attr]
        qtbot.waitUntil(
            lambda junk=junk: junk not in [r.id for r in area.model.records], timeout=WAIT_MS
        )
    qtbot.waitUntil(lambda: area.model.rowCount() == 0, timeout=WAIT_MS)
    assert listing.unfiled(context) == []

    # The images did not come: the request stays Awaiting records; the queue says what is
    # missing, and Ready asks for a reason naming the images.
    row = next(r for r in queue(context).rows if r.id == maria_waiting)
    assert row.state is RequestState.AWAITING_RECORDS
    window.activateWindow()  # the discard dialog had it
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    requests = window.current_area()
    assert isinstance(requests, RequestsArea)
    qtbot.waitUntil(lambda: requests.model.rowCount() == 2, timeout=WAIT_MS)
    line = requests.model.rows[[r.id for r in requests.model.rows].index(maria_waiting)]
    assert line.missing_records == 1
    panel = requests.detail
    requests.table.selectRow([r.id for r in requests.model.rows].index(maria_waiting))
    qtbot.waitUntil(
        lambda: panel.detail is not None and panel.detail.request.id == maria_waiting,
        timeout=WAIT_MS,
    )
    panel.state_buttons[RequestState.READY_TO_SCHEDULE].click()
    qtbot.waitUntil(lambda: panel.override_dialog is not None, timeout=WAIT_MS)
    missing = panel.override_dialog.missing  # type: ignore[union-attr]
    assert [missing.item(i).text() for i in range(missing.count())] == [
        "Imaging disc or files: MRI May 2024"
    ]
    panel.override_dialog.reject()  # type: ignore[union-attr]

    # Friday the disc arrives: Mark received (Alt+V), then Ready to schedule (Alt+D).
    images_row = next(
        i
        for i, item in enumerate(panel.detail.checklist)
        if item.kind is ChecklistKind.IMAGING_FILES  # type: ignore[union-attr]
    )
    panel.checklist.selectRow(images_row)
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        panel.received_button.click()
    with qtbot.waitSignal(panel.changed, timeout=WAIT_MS):
        panel.state_buttons[RequestState.READY_TO_SCHEDULE].click()
    detail = request_reading.get_request(context, maria_waiting)
    assert detail.request.state is RequestState.READY_TO_SCHEDULE
    assert all(item.received for item in detail.checklist)
