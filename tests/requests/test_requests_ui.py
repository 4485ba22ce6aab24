"""The intake form and the work queue with real widgets on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.domain.request_states import ContactKind, RequestState, Urgency
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.requests import checklist, contacts, intake, reading, work_queue
from frontdesk.services.requests.data import QueueFilter
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.requests.queue_model import COLUMNS
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.intake import type_call
from tests.helpers.screens import desk_style
from tests.helpers.tables import reads_whole, scrolls_sideways, shows_whole_placeholder
from tests.requests.conftest import maria_intake, open_requests_area, open_the_only_request

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def open_intake(qtbot: QtBot, screen: ScreenContext) -> IntakeDialog:
    dialog = IntakeDialog(screen)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.mark.ui_postgresql
def test_a_call_is_saved_from_the_keyboard_and_shows_in_the_queue(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    area = open_requests_area(qtbot, screen)
    qtbot.waitUntil(lambda: area.counts != {}, timeout=10_000)
    assert area.new_item()
    dialog = area.intake
    assert dialog is not None
    type_call(qtbot, dialog)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=10_000)
    row = area.model.rows[0]
    assert row.patient_name == "Nunez-Garcia, Maria Jose"
    assert row.state is RequestState.NEW
    assert area.count_buttons[RequestState.NEW].text() == "New: 1"
    assert "Request recorded" in area.banner.text
    qtbot.waitUntil(lambda: area.detail.detail is not None, timeout=10_000)


def test_a_red_flag_keeps_the_instruction_on_screen_and_marks_urgent(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    dialog = open_intake(qtbot, screen)
    panel = dialog.red_flags
    assert not panel.instruction_frame.isVisible()
    box = panel.boxes[next(iter(panel.boxes))]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert panel.instruction_frame.isVisible()
    assert "emergency department" in panel.instruction.text()
    assert dialog.urgent.isChecked() and not dialog.urgent.isEnabled()
    # Unticking never hides it again; the rest of the form scrolls beneath it.
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert panel.instruction_frame.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    type_call(qtbot, dialog)
    dialog.notes.setFocus()
    assert panel.instruction_frame.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save()
    data = saved.args[0]
    assert data.urgency is Urgency.URGENT
    assert data.instruction_given_by == "test.admin"
    assert "emergency" in data.red_flag_instruction


def test_no_way_to_reach_them_is_refused_next_to_the_phone_field(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    dialog = open_intake(qtbot, screen)
    type_call(qtbot, dialog, phone="")
    dialog.save()
    message = dialog.fields.message("phone")
    qtbot.waitUntil(message.isVisible, timeout=10_000)
    assert "phone number or an email" in message.text()
    assert "Not saved" in dialog.banner.text
    assert dialog.isVisible()
    assert work_queue.queue(context).rows == ()


def test_typing_a_name_offers_the_existing_chart_to_link(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    existing = create_patient(context, PatientForm("María José", "Núñez-García", "1961-03-04"))
    dialog = open_intake(qtbot, screen)
    qtbot.keyClicks(dialog.last_name, "nunez")
    qtbot.keyClicks(dialog.first_name, "mar")
    qtbot.waitUntil(lambda: dialog.matches.count() > 0, timeout=10_000)
    dialog.matches.setFocus()
    qtbot.keyClick(dialog.matches, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.matches, Qt.Key.Key_Return)
    assert dialog.linked is not None and dialog.linked.id == existing.id
    assert "Linked to" in dialog.linked_label.text()
    qtbot.keyClicks(dialog.phone, "217 555 0188")
    qtbot.keyClicks(dialog.reason, "Second opinion")
    dialog.category.setCurrentIndex(dialog.category.findData("second_opinion"))
    dialog.save()
    # The chart has no phone: putting the caller's on it is offered, not done silently.
    qtbot.waitUntil(lambda: dialog.link_dialog is not None, timeout=10_000)
    question = dialog.link_dialog
    assert question is not None and not question.add_button.isVisible()
    assert "(none) → (217) 555-0188" in question.contact_boxes["mobile_phone"].text()
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.keyClick(question, Qt.Key.Key_Return)
    assert saved.args[0].patient_id == existing.id
    assert get_patient(context, existing.id, record_view=False).mobile_phone == "+12175550188"


def test_the_queue_filters_moves_and_suggests_closing(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    first = intake.create_request(context, maria_intake())
    urgent = intake.create_request(
        context, maria_intake(red_flags=("saddle_numbness",)), allow_duplicates=True
    )
    for kind in (ContactKind.NO_ANSWER, ContactKind.NO_ANSWER, ContactKind.LEFT_VOICEMAIL):
        contacts.log_contact(context, first.id, kind)
    area = open_requests_area(qtbot, screen)
    qtbot.waitUntil(lambda: area.model.rowCount() == 2, timeout=10_000)
    assert [row.id for row in area.model.rows] == [urgent.id, first.id]
    area.urgency.setCurrentIndex(area.urgency.findData("urgent"))
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=10_000)
    area.urgency.setCurrentIndex(0)
    qtbot.waitUntil(lambda: area.model.rowCount() == 2, timeout=10_000)
    area.table.selectRow(1)
    qtbot.waitUntil(
        lambda: area.detail.detail is not None and area.detail.detail.request.id == first.id,
        timeout=10_000,
    )
    panel = area.detail
    # Only the moves the workflow allows from New are offered.
    visible = {state for state, button in panel.state_buttons.items() if not button.isHidden()}
    assert visible == {RequestState.AWAITING_RECORDS, RequestState.READY_TO_SCHEDULE}
    assert "Close as unreachable" in panel.banner.action.text()
    panel.state_buttons[RequestState.AWAITING_RECORDS].click()
    qtbot.waitUntil(
        lambda: (
            panel.detail is not None and panel.detail.request.state is RequestState.AWAITING_RECORDS
        ),
        timeout=10_000,
    )
    assert panel.state_buttons[RequestState.SCHEDULED].isHidden()
    qtbot.waitUntil(
        lambda: area.count_buttons[RequestState.AWAITING_RECORDS].text() == "Awaiting records: 1",
        timeout=10_000,
    )
    panel.banner.action.click()
    qtbot.waitUntil(
        lambda: reading.get_request(context, first.id).request.state is RequestState.CLOSED,
        timeout=10_000,
    )
    assert work_queue.queue(context, QueueFilter(state=RequestState.CLOSED)).rows[0].id == first.id
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=10_000)


def test_the_chart_lists_the_patients_requests(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    from frontdesk.ui.patients.chart import PatientChart

    data = intake.create_request(context, maria_intake(red_flags=("bladder_bowel",)))
    chart = PatientChart(screen, data.patient_id)
    qtbot.addWidget(chart)
    tab = chart.requests_tab
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=10_000)
    assert tab.stack.currentWidget() is tab.table
    assert tab.table.item(0, 1).text() == "New"
    assert tab.table.item(0, 2).text() == "Urgent · red flag"


def test_escape_asks_before_discarding_a_half_typed_call(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    dialog = open_intake(qtbot, screen)
    qtbot.keyClicks(dialog.last_name, "Nunez")
    qtbot.keyClick(dialog.last_name, Qt.Key.Key_Escape)
    assert dialog.discard_question is not None and dialog.isVisible()
    dialog.discard_question.reject()  # "Keep typing"
    qtbot.waitUntil(lambda: dialog.discard_question is None, timeout=5_000)
    assert dialog.isVisible() and dialog.last_name.text() == "Nunez"


def test_attaching_a_file_in_the_detail_pane_ticks_the_selected_record(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, tmp_path: Path
) -> None:
    from tests.history.conftest import make_pdf

    data = intake.create_request(context, maria_intake())
    area = open_the_only_request(qtbot, screen)
    panel = area.detail
    assert panel.detail is not None and panel.detail.request.id == data.id
    row = next(
        index
        for index, item in enumerate(panel.detail.checklist)
        if item.kind.value == "imaging_report"
    )
    panel.checklist.selectRow(row)
    report = tmp_path / "mri-report.pdf"
    report.write_bytes(make_pdf("MRI lumbar spine"))
    panel.attach_path(report)
    qtbot.waitUntil(lambda: "Marked" in panel.banner.text, timeout=10_000)
    qtbot.waitUntil(
        lambda: panel.checklist.item(row, 1).text().startswith("✓ Received"), timeout=10_000
    )


def test_the_duplicate_warning_can_link_the_existing_chart(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    existing = create_patient(
        context, PatientForm("Maria", "Nunez-Garcia", "1961-04-03", mobile_phone="217-555-0188")
    )
    dialog = open_intake(qtbot, screen)
    type_call(qtbot, dialog)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.duplicates is not None, timeout=10_000)
    warning = dialog.duplicates
    assert warning is not None
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        warning.open_button.click()
    assert saved.args[0].patient_id == existing.id


def test_the_queue_model_passes_the_model_tester_across_pages(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, qtmodeltester: object
) -> None:
    for number, last_name in enumerate(("Núñez-García", "O'Connor", "Nguyễn")):
        intake.create_request(
            context,
            maria_intake(last_name=last_name, phone=f"217 555 01{number:02d}"),
            allow_duplicates=True,
        )
    area = RequestsArea(screen)
    qtbot.addWidget(area)
    qtbot.waitUntil(lambda: area.model.rowCount() >= 1, timeout=10_000)
    qtbot.waitUntil(lambda: not area.model.loading, timeout=10_000)
    qtmodeltester.check(area.model)  # type: ignore[attr-defined]


def test_the_area_fits_the_window_it_opens_in_at_150_percent(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    """On a 1080p desk at 150% the main window opens 1152 logical pixels wide (90% of 1280),
    190 of them the sidebar. The area asked for more, so the window grew past the screen's
    right edge: New request… and the detail pane were cut off."""
    intake.create_request(context, maria_intake())
    area = open_the_only_request(qtbot, screen)
    assert area.minimumSizeHint().width() <= 1152 - 190


def test_the_queue_reads_without_scrolling_sideways_at_150_percent(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    """At 150% on 1080p the queue beside the open request has about 600 logical pixels: the
    patient and the state were cut to "Núñez-García, María …" and "Ready to sche…", and the
    next action needed the horizontal scroll bar."""
    intake.create_request(context, maria_intake())
    intake.create_request(
        context,
        maria_intake(first_name="Ying", last_name="Ó Súilleabháin", phone="217 555 0101"),
        allow_duplicates=True,
    )
    area = open_requests_area(qtbot, screen)
    area.resize(1152 - 190, 600)
    qtbot.waitUntil(lambda: area.model.rowCount() == 2, timeout=10_000)
    table = area.table
    qtbot.waitUntil(lambda: not scrolls_sideways(table) and reads_whole(table, 0, 0))
    assert table.viewport().width() < 700
    key_columns = [COLUMNS.index(name) for name in ("Patient", "Age", "State", "Next action")]
    for row in range(2):
        for column in key_columns:
            assert reads_whole(table, row, column), (row, COLUMNS[column])
    # What gave way is still in every cell's tooltip.
    tooltip = table.model().index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Referred by: " in tooltip and "Assignee: Unassigned" in tooltip


def test_a_long_imaging_centre_shows_its_first_words_once_the_desk_moves_on(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    """The "where" box is narrow: after typing, it showed "…and Diagnostic Radiology Center",
    the end of the name, instead of its beginning."""
    dialog = open_intake(qtbot, screen)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    where = dialog.imaging_where
    name = "Springfield Advanced Imaging and Diagnostic Radiology Center"
    assert where.fontMetrics().horizontalAdvance(name) > where.width()
    where.setFocus()
    qtbot.waitUntil(where.hasFocus)
    qtbot.keyClicks(where, name)
    assert where.text() == name
    qtbot.keyClick(where, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: not where.hasFocus())
    assert where.cursorPosition() == 0
    # Text put in while another box has the focus shows its beginning too.
    where.setText("Valley Open MRI and Outpatient Imaging of Central Illinois")
    qtbot.waitUntil(lambda: where.cursorPosition() == 0)
    # While the desk types in it, the cursor stays where they type.
    where.setFocus()
    qtbot.waitUntil(where.hasFocus)
    where.end(False)
    qtbot.keyClicks(where, " East")
    qtbot.wait(20)
    assert where.text().endswith("Illinois East") and where.cursorPosition() == len(where.text())


def test_the_open_request_fits_its_pane_at_150_percent(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    """At 150% on 1080p the pane beside the queue is about 300 logical pixels wide: it scrolled
    sideways (the patient's name cut), showed "Unassigne…" and "follow-up MM/DD/Y…", elided
    the checklist ("Operative report: surge…", "✗ Requested 12/06/202…") and showed two of
    its rows above a scroll bar."""
    data = intake.create_request(context, maria_intake())
    items = reading.get_request(context, data.id).checklist
    checklist.mark_requested(context, [item.id for item in items])
    with desk_style():
        area = open_requests_area(qtbot, screen)
        area.resize(1152 - 190, 600)
        qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=10_000)
        area.table.selectRow(0)
        panel = area.detail
        qtbot.waitUntil(lambda: panel.detail is not None, timeout=10_000)
        table = panel.checklist
        rows = range(table.rowCount())
        assert len(rows) == len(items) >= 4

        def fitted() -> bool:
            whole = all(reads_whole(table, row, column) for row in rows for column in (0, 1))
            shown = sum(table.rowHeight(row) for row in rows) <= table.viewport().height()
            return whole and shown and not scrolls_sideways(table)

        qtbot.waitUntil(fitted, timeout=5_000)
        viewport = panel.scroll.viewport()
        assert viewport.width() < 340
        # The queue's date filters show their whole hint too ("to MM/DD/YYYY" was cut).
        for edit in (area.received_from, area.received_to):
            assert shows_whole_placeholder(edit), edit.placeholderText()
        assert not panel.scroll.horizontalScrollBar().isVisible()
        assert panel.scroll.widget().width() <= viewport.width()
        title = panel.title
        assert "(M" in title.text() and title.height() >= title.heightForWidth(title.width())
        assert panel.assignee.currentText() == "Unassigned"
        assert panel.assignee.width() >= panel.assignee.sizeHint().width()
        assert shows_whole_placeholder(panel.follow_up)
        assert shows_whole_placeholder(panel.new_description)
        # The status is short; who asked, and that it is missing, are in its tooltip.
        status = table.item(0, 1)
        assert status.text().startswith("✗ Requested ") and len(status.text()) <= 22
        assert "; missing" in status.toolTip() and " by " in status.toolTip()
