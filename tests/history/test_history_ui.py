"""The chart's history tabs with real widgets: keyboard entry, delete asks, documents, models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QTableView
from pytestqt.qtbot import QtBot

from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.domain.spinal_levels import ACCEPTED_FORMS
from frontdesk.services.history import received_documents
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.procedures import add_procedure_label
from frontdesk.services.history.summary import get_history
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.requests import checklist
from frontdesk.services.requests.checklist import add_checklist_item
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.requests.intake import create_request
from frontdesk.ui.history.dialogs import ImagingDialog, SurgeryDialog
from frontdesk.ui.history.table_models import IMAGING_COLUMNS, SURGERY_COLUMNS, entry_model
from frontdesk.ui.history.tabs import HistorySummaryLine, ImagingTab, SurgeryHistoryTab
from frontdesk.ui.history.timeline import TimelineWidget, event_text
from frontdesk.ui.runner import Runner
from tests.helpers.tables import reads_whole, scrolls_sideways
from tests.history.conftest import make_pdf

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def runner(without_pdftoppm: None) -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.wait_for_idle()


def surgery_tab(
    qtbot: QtBot, context: ServiceContext, runner: Runner, patient: PatientData
) -> SurgeryHistoryTab:
    tab = SurgeryHistoryTab(context, runner, patient.id)
    qtbot.addWidget(tab)
    tab.resize(1100, 500)
    tab.show()
    qtbot.waitUntil(lambda: tab.loaded and bool(tab.procedures))
    return tab


def cell(tab: SurgeryHistoryTab | ImagingTab, row: int, title: str) -> str:
    column = [c.title for c in tab.model.columns].index(title)
    return str(tab.model.index(row, column).data())


def drop_files(view: QTableView, row: int, paths: list[Path]) -> None:
    """What a file manager sends when files are dragged over a row and dropped there."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    point = view.visualRect(view.model().index(row, 1)).center()
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    action = Qt.DropAction.CopyAction
    for event in (
        QDragEnterEvent(point, action, mime, buttons, modifiers),
        QDragMoveEvent(point, action, mime, buttons, modifiers),
        QDropEvent(QPointF(point), action, mime, buttons, modifiers),
    ):
        QApplication.sendEvent(view.viewport(), event)
        assert event.isAccepted()


def wait_for_dialog(qtbot: QtBot, tab: SurgeryHistoryTab | ImagingTab) -> QDialog:
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible())
    assert tab.dialog is not None
    return tab.dialog


@pytest.mark.ui_postgresql
def test_a_surgery_is_added_with_the_keyboard_alone(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    tab = surgery_tab(qtbot, context, runner, maria)
    assert tab.pages.currentWidget() is tab.empty
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = wait_for_dialog(qtbot, tab)
    assert isinstance(dialog, SurgeryDialog)
    qtbot.waitUntil(lambda: dialog.date.edit.hasFocus())
    qtbot.keyClicks(dialog.date.edit, "about 2019")
    assert dialog.date.feedback.text() == "= about 2019"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.procedure
    qtbot.keyClicks(dialog.procedure, "Lumbar")  # (Space would open the list)
    assert dialog.procedure.currentText() == "Lumbar fusion"
    qtbot.keyClick(dialog.procedure, Qt.Key.Key_Tab)  # "which procedure" is only for Other
    assert QApplication.focusWidget() is dialog.fusion_approach
    qtbot.keyClicks(dialog.fusion_approach, "TLIF")
    assert dialog.approach.currentText() == "Posterior"  # a TLIF is posterior
    qtbot.keyClick(dialog.fusion_approach, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.levels.edit
    qtbot.keyClicks(dialog.levels.edit, "l4-5, L5/S1")
    assert dialog.levels.feedback.text() == "= L4–S1 (2 levels: L4-L5, L5-S1)"
    qtbot.keyClick(dialog.levels.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.dialog is None  # closed on save
    assert cell(tab, 0, "Date") == "about 2019"
    assert cell(tab, 0, "Procedure") == "TLIF"
    assert cell(tab, 0, "Levels") == "L4–S1"
    assert cell(tab, 0, "Operative report") == "Missing"
    assert "Saved L4–S1 TLIF about 2019" in tab.banner.text
    saved = get_history(context, maria.id).surgeries[0]
    assert saved.levels.codes() == ["L4-L5", "L5-S1"]


def test_level_and_date_text_is_read_back_while_typing(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    tab = surgery_tab(qtbot, context, runner, maria)
    dialog = tab.add_entry()
    assert isinstance(dialog, SurgeryDialog)
    qtbot.keyClicks(dialog.levels.edit, "L6-L7")
    assert ACCEPTED_FORMS in dialog.levels.feedback.text()
    qtbot.keyClicks(dialog.date.edit, "Mayo 2019")
    assert dialog.date.feedback.text() == "= May 2019"
    dialog.levels.setText("C8")
    assert "nerve root" in dialog.levels.feedback.text()


def test_a_refused_save_shows_the_reason_next_to_the_field_and_keeps_the_form(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    tab = surgery_tab(qtbot, context, runner, maria)
    dialog = tab.add_entry()
    assert isinstance(dialog, SurgeryDialog)
    dialog.procedure.setCurrentIndex(dialog.procedure.findText("Microdiscectomy"))
    dialog.date.setText("1955")
    dialog.levels.setText("L4-L5")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.saving)
    assert dialog.isVisible()
    message = dialog.fields.message("date")
    assert message.isVisible() and "before the patient was born" in message.text()
    assert dialog.date.text() == "1955"
    assert tab.model.rowCount() == 0


def test_delete_asks_names_the_entry_and_is_recorded(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    fusion = add_surgery(
        context,
        maria.id,
        SurgeryForm(procedure="lumbar fusion", fusion_approach="TLIF", date="2019", levels="L4-L5"),
    )
    received_documents.attach_document(context, make_pdf("op"), "op.pdf", surgery_id=fusion.id)
    add_surgery(
        context,
        maria.id,
        SurgeryForm(procedure="revision fusion", date="2022", levels="L4-S1", revises_id=fusion.id),
    )
    tab = surgery_tab(qtbot, context, runner, maria)
    tab.table.selectRow(tab.model.row_of(fusion.id))
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    box = tab.confirmation
    assert box is not None and box.isVisible()
    assert "“L4–L5 TLIF 2019”" in box.text()
    assert "1 attached document is deleted with it" in box.text()
    assert "“L4–S1 revision fusion 2022” revises it" in box.text()
    box.button(box.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: tab.confirmation is None)
    assert tab.model.rowCount() == 2
    box = tab.delete_selected()
    assert box is not None
    delete = next(b for b in box.buttons() if b.text() == "Delete")
    delete.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.banner.text == "Deleted L4–L5 TLIF 2019 with its 1 document."
    assert [s.id for s in get_history(context, maria.id).surgeries] != [fusion.id]


def test_front_desk_cannot_delete_or_change_someone_elses_details(
    qtbot: QtBot,
    context: ServiceContext,
    front_desk: ServiceContext,
    runner: Runner,
    maria: PatientData,
) -> None:
    add_surgery(context, maria.id, SurgeryForm(procedure="laminectomy", date="2020"))
    tab = surgery_tab(qtbot, front_desk, runner, maria)
    assert not tab.delete_button.isEnabled()
    assert tab.attach_button.isEnabled()
    dialog = tab.edit_selected()
    assert isinstance(dialog, SurgeryDialog)
    assert dialog.date.edit.isReadOnly() and not dialog.procedure.isEnabled()
    assert not dialog.report_received_on.edit.isReadOnly()
    assert "Entered by test.admin" in dialog.banner.text
    dialog.report_received_on.setText("1/2/2024")
    dialog.save()
    qtbot.waitUntil(lambda: tab.dialog is None)  # saved and closed
    qtbot.waitUntil(lambda: cell(tab, 0, "Operative report") == "On file 01/02/2024")


def test_a_file_dropped_on_a_surgery_is_attached_and_can_be_viewed(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData, tmp_path: Path
) -> None:
    entry = add_surgery(context, maria.id, SurgeryForm(procedure="ACDF", levels="C5-C6"))
    tab = surgery_tab(qtbot, context, runner, maria)
    report = tmp_path / "operative report.pdf"
    report.write_bytes(make_pdf("Operative report", pages=2))
    drop_files(tab.table, 0, [report])
    qtbot.waitUntil(lambda: cell(tab, 0, "Files") == "1 file")
    assert tab.banner.text.startswith("Attached operative report.pdf. Marked operative report")
    assert cell(tab, 0, "Operative report").startswith("On file")
    viewer = tab.view_documents()
    assert viewer is not None
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.pages.page_count() == 2)
    qtbot.waitUntil(lambda: not viewer.pages.page_pixmap(0).isNull())
    page = viewer.pages.page_pixmap(0)
    assert page.width() > 500 and page.height() > page.width()  # a drawn letter page
    assert "operative report.pdf · PDF, 2 pages" in viewer.caption.text()
    shown = get_history(context, maria.id).surgery(entry.id)
    assert shown.report_received


def test_a_renamed_program_is_refused_with_the_reason(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData, tmp_path: Path
) -> None:
    add_surgery(context, maria.id, SurgeryForm(procedure="ACDF", levels="C5-C6"))
    tab = surgery_tab(qtbot, context, runner, maria)
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"MZ\x90\x00" + bytes(500))
    tab.attach_path(tab.selected(), fake)
    qtbot.waitUntil(lambda: tab.banner.kind == "error")
    assert "report.pdf is not a PDF: it looks like a Windows program" in tab.banner.text
    assert cell(tab, 0, "Files") == ""


def test_imaging_is_added_with_the_keyboard_and_flags_what_is_missing(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    tab = ImagingTab(context, runner, maria.id)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.loaded)
    dialog = tab.add_entry()
    assert isinstance(dialog, ImagingDialog)
    qtbot.waitUntil(lambda: dialog.modality.hasFocus())
    qtbot.keyClicks(dialog.modality, "MRI")
    dialog.regions.boxes[next(iter(dialog.regions.boxes))].setFocus()
    for _ in range(2):  # cervical -> thoracic -> lumbar
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.date.edit, "May 2024")
    qtbot.keyClicks(dialog.report_received_on.edit, "6/1/2024")
    qtbot.keyClick(dialog.date.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert cell(tab, 0, "Study") == "MRI"
    assert cell(tab, 0, "Regions") == "lumbar"
    assert cell(tab, 0, "Report") == "On file 06/01/2024"
    assert cell(tab, 0, "Images") == "Missing"
    column = [c.title for c in tab.model.columns].index("Images")
    assert tab.model.index(0, column).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_the_table_models_pass_the_model_tester_and_sort_by_partial_date(
    qtmodeltester: object, context: ServiceContext, maria: PatientData
) -> None:
    for text in ("May 17, 2019", "2019", None, "May 2019", "12/31/2018"):
        add_surgery(context, maria.id, SurgeryForm(procedure="laminectomy", date=text))
    add_imaging(context, maria.id, ImagingForm(modality="MRI", regions="lumbar"))
    shown = get_history(context, maria.id)
    model = entry_model(SURGERY_COLUMNS)
    model.set_records(shown.surgeries)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.index(row, 0).data() for row in range(5)] == [
        "date unknown",
        "December 31, 2018",
        "2019",
        "May 2019",
        "May 17, 2019",
    ]
    for column in range(model.columnCount()):
        model.sort(column, Qt.SortOrder.DescendingOrder)
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    imaging = entry_model(IMAGING_COLUMNS)
    imaging.set_records(shown.imaging)
    qtmodeltester.check(imaging)  # type: ignore[attr-defined]
    assert imaging.index(0, 6).data() == "Date unknown: may be too old"


def test_the_timeline_and_summary_line_show_the_story_in_order(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    add_surgery(
        context,
        maria.id,
        SurgeryForm(procedure="lumbar fusion", fusion_approach="TLIF", date="2019", levels="L4-L5"),
    )
    add_imaging(context, maria.id, ImagingForm(modality="MRI", regions="lumbar", date="May 2024"))
    timeline = TimelineWidget(context, runner, maria.id)
    qtbot.addWidget(timeline)
    timeline.show()
    qtbot.waitUntil(lambda: timeline.loaded)
    texts = [event_text(event) for event in timeline.model.events]
    assert texts[0].startswith("2019 — Surgery — TLIF L4–L5")
    assert texts[1].startswith("May 2024 — Imaging — MRI lumbar")
    assert "report missing; images missing" in texts[1]
    timeline.grab()  # the delegate paints without warnings
    tab = surgery_tab(qtbot, context, runner, maria)
    line = HistorySummaryLine()
    qtbot.addWidget(line)
    tab.history_loaded.connect(line.show_history)
    tab.refresh()
    qtbot.waitUntil(lambda: bool(line.text()))
    assert line.text().startswith("1 prior spine surgery, last L4–L5 TLIF 2019 · MRI lumbar")


def test_procedure_picker_lists_practice_additions(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    add_procedure_label(context, "Interspinous spacer")
    tab = surgery_tab(qtbot, context, runner, maria)
    dialog = tab.add_entry()
    assert isinstance(dialog, SurgeryDialog)
    combo: QComboBox = dialog.procedure
    combo.setCurrentIndex(combo.findText("Interspinous spacer"))
    assert not dialog.procedure_label.isEnabled()
    dialog.levels.setText("L4-L5")
    dialog.save()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert cell(tab, 0, "Procedure") == "Interspinous spacer"


def test_the_chart_shows_the_history_tabs_and_the_summary_in_its_header(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    from frontdesk.ui.patients.chart import PatientChart
    from frontdesk.ui.screen_context import ScreenContext

    add_surgery(
        context,
        maria.id,
        SurgeryForm(procedure="lumbar fusion", fusion_approach="TLIF", date="2019", levels="L4-L5"),
    )
    chart = PatientChart(ScreenContext(context, runner), maria.id)
    qtbot.addWidget(chart)
    chart.show()
    qtbot.waitUntil(lambda: chart.surgery_history.loaded and bool(chart.history_summary.text()))
    assert chart.history_summary.text().startswith("1 prior spine surgery, last L4–L5 TLIF 2019")
    titles = [chart.tabs.tabText(i).replace("&", "") for i in range(chart.tabs.count())]
    assert chart.tabs.widget(titles.index("Surgery history")) is chart.surgery_history
    assert chart.tabs.widget(titles.index("Imaging")) is chart.imaging
    assert chart.tabs.widget(titles.index("Timeline")) is chart.timeline
    assert chart.surgery_history.model.rowCount() == 1


def test_a_long_procedure_reads_whole_on_a_chart_at_150_percent(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    """On a 1080p desk at 150% the chart opens about 1040 logical pixels wide: the procedure
    was cut to "revision posterolateral fusio…" and the table scrolled sideways."""
    long_name = (
        "Anterior lumbar interbody fusion with posterior percutaneous pedicle screw fixation"
    )
    add_surgery(
        context,
        maria.id,
        SurgeryForm(
            procedure="other",
            procedure_label=long_name,
            date="2024",
            levels="L5-S1",
            surgeon="Dr. Priya Raman",
            facility="University Hospital of Central Illinois",
            report_requested_on="11/25/2026",
        ),
    )
    add_surgery(
        context,
        maria.id,
        SurgeryForm(
            procedure="microdiscectomy", date="2019", levels="L4-L5", surgeon="Dr. Alan Whitfield"
        ),
    )
    tab = surgery_tab(qtbot, context, runner, maria)
    tab.resize(1000, 500)
    table = tab.table
    titles = [column.title for column in SURGERY_COLUMNS]
    procedure = titles.index("Procedure")
    qtbot.waitUntil(lambda: not scrolls_sideways(table) and reads_whole(table, 0, procedure))
    row = next(r for r in range(2) if cell(tab, r, "Procedure") == long_name)
    for title in ("Date", "Procedure", "Levels", "Operative report"):
        assert reads_whole(table, row, titles.index(title)), title
    # Narrower still (the splitter, a smaller window): still no sideways scrolling.
    tab.resize(700, 500)
    qtbot.waitUntil(lambda: not scrolls_sideways(table) and reads_whole(table, row, procedure))


def test_a_report_filed_to_a_request_item_opens_from_its_study_and_stays_with_the_request(
    qtbot: QtBot, context: ServiceContext, runner: Runner, maria: PatientData
) -> None:
    """The MRI report filed to the request's "MRI report" item: the Imaging tab said "On
    file" with no file and View documents greyed. Deleting the study leaves it on the
    request, so the question does not say it goes."""
    study = add_imaging(context, maria.id, ImagingForm(modality="MRI", regions="lumbar"))
    request = create_request(
        context,
        IntakeForm(patient_id=maria.id, phone="(503) 201-3344", reason="x", category="other"),
    )
    item = add_checklist_item(
        context, request.id, ChecklistKind.IMAGING_REPORT, "MRI lumbar", imaging_id=study.id
    )
    checklist.attach_document(
        context, request.id, make_pdf("mri"), "mri.pdf", "imaging_report", item_id=item.id
    )
    tab = ImagingTab(context, runner, maria.id)
    qtbot.addWidget(tab)
    tab.resize(1100, 500)
    tab.show()
    qtbot.waitUntil(lambda: tab.loaded)
    tab.table.selectRow(tab.model.row_of(study.id))
    assert cell(tab, 0, "Files") not in ("", "0", "None")
    assert tab.view_button.isEnabled()
    viewer = tab.view_documents()
    assert viewer is not None and [d.file_name for d in viewer.documents] == ["mri.pdf"]
    viewer.close()
    entry = next(e for e in get_history(context, maria.id).imaging if e.id == study.id)
    assert "deleted with it" not in tab.delete_question(entry)
