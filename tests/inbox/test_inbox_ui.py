"""The Inbox area driven as a receptionist would: the list, the suggestion with its evidence,
Enter files where suggested and ticks the request, the next fax opens by itself; turn,
split and discard from the keyboard."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from frontdesk.demo.faxes import mri_lines, operative_lines, referral_lines, text_pdf
from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.summary import get_history
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.inbox import arrivals, listing, reading
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.patients.referrers import ReferrerForm, save_referrer
from frontdesk.services.requests.checklist import add_checklist_item
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.requests.intake import create_request
from frontdesk.services.requests.reading import get_request
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.inbox.area import COLUMNS, InboxArea
from frontdesk.ui.inbox.dialogs import DiscardDialog, SplitDialog
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.screens import desk_style, open_screen
from tests.helpers.tables import reads_whole, scrolls_sideways
from tests.inbox.conftest import JOHN, MARIA

WAIT_MS = 15_000
COLUMN_TITLES = [column.title for column in COLUMNS]


@pytest.fixture
def hub(context: ServiceContext) -> Iterator[ChangeHub]:
    started = ChangeHub(context, watch_other_workstations=False)
    started.start()
    yield started
    started.stop()


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext, hub: ChangeHub) -> Iterator[ScreenContext]:
    with open_screen(context, hub) as screen:
        yield screen


def arrive(context: ServiceContext, lines: list[str], name: str, *more: list[str]) -> int:
    arrival = arrivals.receive(context, text_pdf(lines, *more), name, source="folder")
    assert arrival.document_id is not None
    reading.read_document(context, arrival.document_id)
    return arrival.document_id


def open_area(qtbot: QtBot, screen: ScreenContext) -> InboxArea:
    area = InboxArea(screen)
    qtbot.addWidget(area)
    area.resize(1240, 700)
    with qtbot.waitSignal(area.document_shown, timeout=WAIT_MS):
        area.show()
    return area


@pytest.mark.ui_postgresql
def test_enter_files_the_mri_report_to_the_waiting_checklist_item_and_opens_the_next(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, maria: PatientData
) -> None:
    request = create_request(
        context,
        IntakeForm(patient_id=maria.id, phone="(503) 201-3344", reason="x", category="failed_back"),
    )
    item = add_checklist_item(context, request.id, ChecklistKind.IMAGING_REPORT, "MRI lumbar")
    first = arrive(context, mri_lines(MARIA), "mri.pdf")
    second = arrive(context, operative_lines(JOHN), "op.pdf")
    area = open_area(qtbot, screen)
    assert area.current is not None and area.current.row.id == first
    assert "Núñez-García" in area.panel.patient_line.text()
    assert "03/04/1961" in area.panel.evidence.toPlainText()
    assert area.panel.kind.currentData() == "imaging-report"
    qtbot.waitUntil(lambda: area.panel.file_button.isEnabled(), timeout=WAIT_MS)
    assert "filing ticks it" in area.panel.destination.currentText()
    area.table.setFocus()
    with qtbot.waitSignal(area.document_shown, timeout=WAIT_MS) as shown:
        qtbot.keyClick(area.table, Qt.Key.Key_Return)
    assert shown.args == [second]
    assert "Ticked" in area.banner.text
    ticked = next(e for e in get_request(context, request.id).checklist if e.id == item.id)
    assert ticked.received
    assert [row.id for row in listing.unfiled(context)] == [second]


def test_turn_split_and_discard_by_keyboard(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    arrive(context, ["Cover sheet " * 4], "fax.pdf", ["Page two " * 4], ["Page three " * 4])
    area = open_area(qtbot, screen)
    assert area.current is not None
    qtbot.keyClick(area.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: area.current is not None and area.current.turns == {0: 1})
    width, height = area.pages.sizes[0]
    assert width > height  # the portrait letter page now shows sideways
    qtbot.keyClick(
        area.table,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = area.dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.ranges, "1-1, 2-3")  # type: ignore[attr-defined]
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        qtbot.keyClick(dialog.ranges, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: area.model.rowCount() == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: area.current is not None, timeout=WAIT_MS)
    area.activateWindow()  # the split dialog had the focus
    qtbot.waitUntil(area.isActiveWindow)
    area.table.setFocus()
    qtbot.keyClick(area.table, Qt.Key.Key_Delete)
    discard = area.dialog
    qtbot.keyClicks(discard.reason, "junk fax")  # type: ignore[attr-defined]
    qtbot.keyClick(discard.reason, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    # The change hub may read the list again before the discard's own reply arrives.
    qtbot.waitUntil(lambda: "Discarded" in area.banner.text, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=WAIT_MS)


def test_an_empty_inbox_says_where_documents_come_from(qtbot: QtBot, screen: ScreenContext) -> None:
    area = InboxArea(screen)
    qtbot.addWidget(area)
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        area.show()
    assert area.empty.isVisible()
    assert "Admin → Inbox" in area.empty.text()


def test_a_report_for_a_study_the_chart_lacks_creates_it_after_confirming(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, maria: PatientData
) -> None:
    arrive(context, mri_lines(MARIA), "mri.pdf")
    area = open_area(qtbot, screen)
    qtbot.waitUntil(lambda: area.panel.file_button.isEnabled(), timeout=WAIT_MS)
    assert area.panel.destination.currentData().where == "new-study"
    area.table.setFocus()
    qtbot.keyClick(area.table, Qt.Key.Key_Return)
    dialog = area.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.date.text() == "05/12/2024"  # type: ignore[attr-defined]
    assert dialog.regions.text() == "lumbar"  # type: ignore[attr-defined]
    qtbot.keyClick(dialog.findings, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "Filed to the study MRI" in area.banner.text, timeout=WAIT_MS)
    [study] = get_history(context, maria.id).imaging
    assert study.report_received


def test_a_document_filed_on_another_desk_leaves_this_inbox_within_seconds(
    qtbot: QtBot, context: ServiceContext, maria: PatientData
) -> None:
    from frontdesk.services.inbox import filing
    from frontdesk.services.kernel.context import ServiceContext as Context
    from tests.conftest import make_actor

    first = arrive(context, mri_lines(MARIA), "mri.pdf")
    second = arrive(context, operative_lines(JOHN), "op.pdf")
    hub = ChangeHub(context, watch_other_workstations=True)
    hub.start()
    try:
        with open_screen(context, hub) as screen:
            area = open_area(qtbot, screen)
            assert area.model.rowCount() == 2
            # The other desk: its own connection and change bus, as another computer. (On
            # PostgreSQL the watcher ignores this process's own NOTIFY, so another desk there
            # is another process: tests/platform's change-watch tests cover that path.)
            other_desk = Context(context.database, make_actor(username="desk.ben"))
            filing.file_to_chart(other_desk, first, maria.id)
            qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=5_000)
            qtbot.waitUntil(
                lambda: area.current is not None and area.current.row.id == second,
                timeout=WAIT_MS,
            )
    finally:
        hub.stop()


def test_the_chart_finds_its_filed_faxes_by_their_words(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, maria: PatientData
) -> None:
    from frontdesk.services.inbox import filing
    from frontdesk.ui.inbox.chart_faxes import ChartFaxesTab

    document_id = arrive(context, mri_lines(MARIA), "mri.pdf")
    filing.file_to_chart(context, document_id, maria.id, as_kind="imaging-report")
    tab = ChartFaxesTab(screen, maria.id)
    qtbot.addWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.show()
    assert tab.model.rowCount() == 1
    assert "Imaging report" in tab.model.index(0, 1).data()
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        qtbot.keyClicks(tab.search_box, "protrusion L4-5")
    assert tab.model.rowCount() == 1
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.search_box.setText("fusion")
    assert tab.model.rowCount() == 0 and "these words" in tab.empty.text()
    tab.search_box.clear()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT_MS)
    with qtbot.waitSignal(tab.pages.page_drawn, timeout=WAIT_MS):
        tab.table.selectRow(0)


def test_the_suggested_chart_shows_whole_with_its_birth_date_and_mrn(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, maria: PatientData
) -> None:
    """At 150% on a 1080p desk the area gets about 1040 logical pixels: the suggested
    patient's birth date and MRN (what the receptionist checks before Enter files) must show,
    not be cut off below the name."""
    arrive(context, mri_lines(MARIA), "mri.pdf")
    area = open_area(qtbot, screen)
    area.resize(1040, 620)
    qtbot.waitUntil(lambda: area.panel.file_button.isEnabled(), timeout=WAIT_MS)
    line = area.panel.patient_line
    assert maria.mrn in line.text()
    qtbot.waitUntil(lambda: line.height() >= line.heightForWidth(line.width()))


def test_discarding_a_one_page_fax_says_one_page(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    arrive(context, ["SPECIAL OFFER: a cruise"], "junk.pdf")
    row = listing.unfiled(context)[0]
    dialog = DiscardDialog(screen, row)
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "junk.pdf (1 page) leaves the inbox" in texts


def test_a_ct_report_waits_to_be_filed_to_the_ct_not_the_x_ray(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, maria: PatientData
) -> None:
    add_imaging(
        context,
        maria.id,
        ImagingForm(modality="flexion_extension_xray", regions="lumbar", date="2023"),
    )
    ct = add_imaging(context, maria.id, ImagingForm(modality="CT", regions="lumbar", date="2025"))
    lines = [
        "St. Mary's Hospital Radiology",
        "CT LUMBAR SPINE",
        f"Patient: {MARIA.last}, {MARIA.first}",
        f"DOB: {MARIA.born}",
        "FINDINGS: Multilevel stenosis L3-L5.",
        "IMPRESSION: Moderate central canal stenosis at L4-L5.",
    ]
    arrive(context, lines, "ct.pdf")
    area = open_area(qtbot, screen)
    qtbot.waitUntil(lambda: area.panel.file_button.isEnabled(), timeout=WAIT_MS)
    chosen = area.panel.destination.currentData()
    assert chosen.study_id == ct.id, area.panel.destination.currentText()


def test_alt_n_opens_the_intake_from_a_referral_and_alt_p_the_patient_search(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    arrive(context, referral_lines(JOHN), "referral.pdf")
    area = open_area(qtbot, screen)
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow)
    area.table.setFocus()
    qtbot.keyClick(area.table, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: area.dialog is not None and area.dialog.isVisible(), timeout=WAIT_MS)
    assert type(area.dialog).__name__ == "PatientPicker"
    area.dialog.reject()  # type: ignore[union-attr]
    area.activateWindow()
    qtbot.waitUntil(area.isActiveWindow)
    area.table.setFocus()
    qtbot.keyClick(area.table, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(
        lambda: type(area.dialog).__name__ == "IntakeDialog" and area.dialog.isVisible(),
        timeout=WAIT_MS,
    )
    assert area.dialog.last_name.text() == "Smith"  # type: ignore[union-attr]
    # Issue #16: the window said "New request from a referral", the heading something else.
    intake = area.dialog
    assert isinstance(intake, IntakeDialog)
    assert intake.windowTitle() == "New consultation request from a referral"
    assert intake.heading.text() == intake.windowTitle()


def test_a_list_refresh_keeps_the_document_being_opened_instead_of_the_first(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    arrive(context, ["First fax " * 4], "one.pdf")
    arrive(context, ["Second fax " * 4], "two.pdf")
    third = arrive(context, ["Third fax " * 4], "three.pdf")
    area = open_area(qtbot, screen)
    # Just after a filing: nothing shown, the third asked for, and the list comes back first.
    area._close_document("")
    area.open_document(third)
    area._show_rows((listing.unfiled(context), 3))
    assert area.opening == third
    assert area.table.currentIndex().row() == area.model.row_of(third)
    qtbot.waitUntil(lambda: area.current is not None, timeout=WAIT_MS)
    assert area.current is not None and area.current.row.id == third


def test_alt_y_files_to_the_history_entry_inside_the_main_window(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, maria: PatientData, tmp_path
) -> None:
    """In the main window Alt+H is the Help menu's: the history key is Alt+Y."""
    from PySide6.QtCore import QSettings

    from frontdesk.domain.history_records import SurgeryForm
    from frontdesk.services.history.surgeries import add_surgery
    from frontdesk.ui.main_window import MainWindow

    add_surgery(context, maria.id, SurgeryForm(procedure="lumbar fusion", date="2019"))
    arrive(context, operative_lines(MARIA), "op.pdf")
    window = MainWindow(screen, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.show_area("inbox")
    area = window.area_widget("inbox")
    assert isinstance(area, InboxArea)
    qtbot.waitUntil(lambda: area.panel.file_button.isEnabled(), timeout=WAIT_MS)
    area.table.setFocus()
    qtbot.keyClick(area.table, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "Filed to the surgery" in area.banner.text, timeout=WAIT_MS)
    assert get_history(context, maria.id).surgeries[0].report_received


@pytest.mark.parametrize("kind", ["discard", "split"])
def test_the_discard_and_split_examples_read_in_full(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, kind: str
) -> None:
    """Issue #16 screenshots: the reason's example was cut to "junk fax, wrong number, du…"."""
    arrive(context, ["Cover sheet"], "fax-20261207-0902.pdf", ["Page two"], ["Page three"])
    row = listing.unfiled(context)[0]
    dialog = DiscardDialog(screen, row) if kind == "discard" else SplitDialog(screen, row)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    field = dialog.reason if isinstance(dialog, DiscardDialog) else dialog.ranges
    example = field.placeholderText()
    margins = field.textMargins().left() + field.textMargins().right() + 12
    assert field.fontMetrics().horizontalAdvance(example) + margins <= field.width()


def test_the_split_example_fits_a_two_page_fax(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    arrive(context, ["Cover sheet"], "two.pdf", ["Referral letter"])
    dialog = SplitDialog(screen, listing.unfiled(context)[0])
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "for example 1-1, 2-2:" in texts and "5-2" not in texts


def test_thumbnails_show_each_page_and_a_click_shows_it_large(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    arrive(context, ["Cover " * 6], "fax.pdf", ["Second page " * 4], ["Third page " * 4])
    area = open_area(qtbot, screen)
    assert area.thumbnails.count() == 3
    qtbot.waitUntil(lambda: not area.thumbnails.item(2).icon().isNull(), timeout=WAIT_MS)
    area.thumbnails.page_chosen.emit(1)
    # The last pages may not reach the top of the view: page 2 is shown, not page 1.
    qtbot.waitUntil(lambda: area.pages.current_page() >= 1, timeout=WAIT_MS)
    # Turning a page shows the same pages again: still drawn, nothing closed under them.
    qtbot.keyClick(area.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: area.current is not None and area.current.turns != {}, timeout=WAIT_MS)
    # Page 1 is drawn again (it may be before the scroll reaches it: wait for the picture,
    # not for a signal that can come first).
    area.pages.scroll_to_page(0)
    qtbot.waitUntil(lambda: not area.pages.page_pixmap(0).isNull(), timeout=WAIT_MS)
    assert area.pages.message_text() == ""


def test_the_page_gets_the_room_at_150_percent(qtbot: QtBot, screen: ScreenContext) -> None:
    """At 1280x720 (a 1080p monitor at 150%) the page was about 240 px wide beside the
    thumbnails, the list and the panel: it could not be read. The inbox area is what the
    window leaves beside the navigation (about 1090 px)."""
    arrive(screen.services, mri_lines(MARIA), "mri.pdf", ["Page two"], ["Page three"])
    area = InboxArea(screen)
    qtbot.addWidget(area)
    area.resize(1090, 680)
    with qtbot.waitSignal(area.document_shown, timeout=WAIT_MS):
        area.show()
    assert area.pages.width() >= 0.40 * area.width()
    assert area.thumbnails.width() <= 120
    assert area.pages.width() >= 3 * area.thumbnails.width()
    # The narrow list shows whose it is and what it is before the other columns.
    header = area.table.horizontalHeader()
    shown = [
        area.model.headerData(header.logicalIndex(i), Qt.Orientation.Horizontal) for i in (0, 1)
    ]
    assert shown == ["Patient", "Kind"]


def test_a_split_opens_its_first_part_not_the_first_row(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    other = arrive(context, operative_lines(JOHN), "op.pdf")
    fax = arrive(context, ["Cover sheet " * 4], "fax.pdf", ["Page two " * 4], ["Page three"])
    area = open_area(qtbot, screen)
    assert area.current is not None and area.current.row.id == other
    with qtbot.waitSignal(area.document_shown, timeout=WAIT_MS):
        area.table.selectRow(area.model.row_of(fax))
    area.table.setFocus()
    qtbot.keyClick(
        area.table,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = area.dialog
    assert isinstance(dialog, SplitDialog)
    qtbot.keyClicks(dialog.ranges, "1-1, 2-3")
    with qtbot.waitSignal(area.document_shown, timeout=WAIT_MS):
        qtbot.keyClick(dialog.ranges, Qt.Key.Key_Return)
    parts = sorted(row.id for row in listing.unfiled(context) if row.id != other)
    assert len(parts) == 2
    qtbot.waitUntil(lambda: area.model.rowCount() == 3, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: area.current is not None and area.current.row.id == parts[0], timeout=WAIT_MS
    )
    selected = area.table.selectionModel().selectedRows()
    assert [area.model.record(index.row()).id for index in selected] == [parts[0]]
    assert area.current.row.page_count == 1


def test_the_new_request_names_no_other_patel_and_add_starts_from_the_letter(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    """A referral from Dr. Raj Patel (NPI 1234567893) filled Referred by with Dr. Anil Patel,
    another NPI in the directory."""
    save_referrer(context, ReferrerForm(last_name="Patel", first_name="Anil", npi="1987654328"))
    arrive(context, referral_lines(JOHN), "referral.pdf")
    area = open_area(qtbot, screen)
    area.new_request()
    qtbot.waitUntil(lambda: type(area.dialog).__name__ == "IntakeDialog", timeout=WAIT_MS)
    picker = area.dialog.referrer  # type: ignore[union-attr]
    assert picker.referrer_id is None
    assert picker.text == "Raj Patel" and "Anil" not in picker.text
    assert picker.is_unresolved()  # saving asks to pick or add, never keeps a guess
    added = picker.add_physician()
    assert added.edits["first_name"].text() == "Raj"
    assert added.edits["last_name"].text() == "Patel"
    assert added.edits["npi"].text() == "1234567893"
    added.reject()


def test_a_tlif_report_for_a_chart_with_an_acdf_files_nowhere_until_chosen(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, maria: PatientData
) -> None:
    """The L4-5 TLIF note defaulted to the C5-C6 ACDF; now Enter files nothing until the
    person chooses, and "a new prior surgery" creates the L4-L5 fusion from the report."""
    acdf = add_surgery(
        context, maria.id, SurgeryForm(procedure="acdf", levels="C5-C6", date="about 2024")
    )
    arrive(context, operative_lines(MARIA), "op.pdf")
    area = open_area(qtbot, screen)
    panel = area.panel
    qtbot.waitUntil(lambda: panel.destination.count() > 2, timeout=WAIT_MS)
    assert panel.destination.currentData().where == "none"
    assert not panel.file_button.isEnabled()
    area.table.setFocus()
    qtbot.keyClick(area.table, Qt.Key.Key_Return)
    assert area.dialog is None or not area.dialog.isVisible()
    # Nor does "file to the history entry" take the first surgery it finds (the ACDF).
    area.file_to_history()
    assert "no surgery on file matches" in area.banner.text
    assert listing.unfiled(context) != []
    assert panel.destination.itemData(1).where == "new-surgery"
    panel.destination.setCurrentIndex(1)
    assert panel.file_button.isEnabled()
    area.table.setFocus()
    qtbot.keyClick(area.table, Qt.Key.Key_Return)
    dialog = area.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.levels.text() == "L4–L5"  # type: ignore[attr-defined]
    assert dialog.procedure.currentData() == "lumbar_fusion"  # type: ignore[attr-defined]
    qtbot.keyClick(dialog.surgeon, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "Filed to the surgery L4–L5" in area.banner.text, timeout=WAIT_MS)
    surgeries = get_history(context, maria.id).surgeries
    assert len(surgeries) == 2
    new = next(s for s in surgeries if s.id != acdf.id)
    assert new.report_received and [d.file_name for d in new.documents] == ["op.pdf"]
    assert not next(s for s in surgeries if s.id == acdf.id).report_received


@pytest.mark.ui_postgresql
def test_ctrl_6_then_enter_files_from_the_main_window(
    qtbot: QtBot,
    context: ServiceContext,
    screen: ScreenContext,
    maria: PatientData,
    tmp_path: Path,
) -> None:
    """Ctrl+6 switched to the Inbox but left the keyboard in the sidebar: Enter filed nothing
    until Tab, Tab, Tab reached the list."""
    request = create_request(
        context,
        IntakeForm(patient_id=maria.id, phone="(503) 201-3344", reason="x", category="failed_back"),
    )
    item = add_checklist_item(context, request.id, ChecklistKind.IMAGING_REPORT, "MRI lumbar")
    arrive(context, mri_lines(MARIA), "mri.pdf")
    settings = QSettings(str(tmp_path / "workstation.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.sidebar.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    area = window.current_area()
    assert isinstance(area, InboxArea)
    qtbot.waitUntil(lambda: area.current is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: area.panel.file_button.isEnabled(), timeout=WAIT_MS)
    assert QApplication.focusWidget() is area.table
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: listing.unfiled(context) == [], timeout=WAIT_MS)
    ticked = next(e for e in get_request(context, request.id).checklist if e.id == item.id)
    assert ticked.received


def test_page_thumbnails_do_not_overlap_once_drawn(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    """Walking the app at 150%: a multi-page fax showed one page-sized picture with every
    page's first lines stacked about 20 px apart, only the last page's number visible. The
    icon-mode layout was made for items without pictures and not redone when they came."""
    pages = [[f"Page {n} first line " * 3] for n in range(2, 6)]
    arrive(context, ["Cover " * 6], "fax.pdf", *pages)
    area = open_area(qtbot, screen)
    thumbnails = area.thumbnails
    assert thumbnails.count() == 5
    qtbot.waitUntil(
        lambda: all(not thumbnails.item(i).icon().isNull() for i in range(5)), timeout=WAIT_MS
    )
    qtbot.wait(50)  # let any delayed layout run, as the screen would
    rects = [thumbnails.visualRect(thumbnails.model().index(i, 0)) for i in range(5)]
    icon_height = thumbnails.iconSize().height()
    for rect in rects:
        assert rect.height() >= icon_height
    for first, second in itertools.pairwise(rects):
        assert second.top() >= first.bottom(), (first, second)
        assert not first.intersects(second)


def test_the_new_request_button_reads_whole_at_150_percent(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    """At 150% the panel beside the page is about 280 px wide: "New request from this
    referral…" showed as "ew request from this referral" beside File."""
    arrive(screen.services, referral_lines(JOHN), "referral.pdf")
    with desk_style():
        area = InboxArea(screen)
        qtbot.addWidget(area)
        area.resize(1090, 680)
        with qtbot.waitSignal(area.document_shown, timeout=WAIT_MS):
            area.show()
        button = area.panel.new_request
        qtbot.waitUntil(button.isVisible, timeout=WAIT_MS)
        text = button.text().replace("&", "")
        assert button.width() >= button.fontMetrics().horizontalAdvance(text) + 8, text
        assert button.geometry().right() < area.panel.file_button.geometry().left()


def test_the_list_reads_without_scrolling_sideways_at_150_percent(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, maria: PatientData, tmp_path: Path
) -> None:
    """At 1280x720 (a 1080p monitor at 150%) the list beside the page needed the horizontal
    scroll bar to read the "Kind" column. The columns now share the list's width: the patient
    wraps, the kind keeps its text, the others give way (every cell's tooltip keeps them)."""
    arrive(context, mri_lines(MARIA), "mri.pdf")
    arrive(context, operative_lines(MARIA), "op.pdf")
    arrive(context, referral_lines(JOHN), "referral.pdf")
    settings = QSettings(str(tmp_path / "workstation.ini"), QSettings.Format.IniFormat)
    with desk_style():
        window = MainWindow(screen, settings)
        qtbot.addWidget(window)
        window.resize(1280, 720)
        window.show()
        qtbot.waitExposed(window)
        window.go_to_area("inbox")
        area = window.current_area()
        assert isinstance(area, InboxArea)
        qtbot.waitUntil(lambda: area.model.rowCount() == 3, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: area.current is not None, timeout=WAIT_MS)
        table = area.table
        patient, kind = (COLUMN_TITLES.index(title) for title in ("Patient", "Kind"))

        def fitted() -> bool:
            whole = all(reads_whole(table, row, c) for row in range(3) for c in (patient, kind))
            return whole and not scrolls_sideways(table)

        qtbot.waitUntil(fitted, timeout=WAIT_MS)
        assert not table.horizontalScrollBar().isVisible()
        kinds = {table.model().index(row, kind).data() for row in range(3)}
        assert kinds == {"Imaging report", "Operative report", "Referral"}
        tooltip = table.model().index(0, patient).data(Qt.ItemDataRole.ToolTipRole)
        assert "Waiting: " in tooltip and "Pages: 1" in tooltip
