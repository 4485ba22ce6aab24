"""The Handouts area, "Give handouts" from a chart and the chart's "Handouts given" tab, with
real widgets, a real database on both backends and real PDFs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from frontdesk.db.models import AuditEntry
from frontdesk.db.models_handouts import HandoutPrint
from frontdesk.domain.permissions import ROLE_PERMISSIONS, Permission, Role
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts import library as handouts
from frontdesk.services.kernel.clock import DATE_TIME, clock_text
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.patients.search import search
from frontdesk.ui.handouts.area import HandoutsArea
from frontdesk.ui.handouts.give_dialog import GiveHandoutsDialog
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.empty_state import EmptyState
from tests.conftest import make_actor
from tests.documents.pdfs import all_text, fills, page_texts, printed_images
from tests.helpers.handouts import pdf_printer
from tests.helpers.screens import desk_style
from tests.helpers.tables import reads_whole, scrolls_sideways

# The offscreen platform the tests run on cannot do these; a real desktop can.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

OVERDUE = """id: own-exercises
title: Gentle exercises after surgery
language: en
version: 3
last reviewed: 2024-01-10
reviewer: Dr. Ana Lindqvist
review due: 2025-01-10
categories: Failed back / failed fusion syndrome
---
# Walk every day
Walk a little every day. Call {practice_name} at {phones} if it hurts more.
"""


@pytest.fixture
def screen(
    qtbot: QtBot, context: ServiceContext, home: Path, without_pdftoppm: None
) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()
    QCoreApplication.processEvents()


def open_area(qtbot: QtBot, screen: ScreenContext) -> HandoutsArea:
    area = HandoutsArea(screen)
    qtbot.addWidget(area)
    area.resize(1200, 760)
    area.show()
    qtbot.waitUntil(lambda: area.model.rowCount() > 0, timeout=10_000)
    return area


def filtered(qtbot: QtBot, area: HandoutsArea, change: object) -> list[tuple[str, str]]:
    with qtbot.waitSignal(area.list_shown, timeout=10_000):
        change()  # type: ignore[operator]
    return [(row.id, row.language) for row in area.model.records]


def wait_for_preview(qtbot: QtBot, area: HandoutsArea | GiveHandoutsDialog) -> None:
    qtbot.waitUntil(
        lambda: not area.preview.pending and area.pages.page_count() > 0, timeout=15_000
    )


def print_rows(context: ServiceContext) -> int:
    with context.database.read_sessions() as session:
        return session.scalar(select(func.count()).select_from(HandoutPrint)) or 0


def audit_count(context: ServiceContext) -> int:
    with context.database.read_sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_the_library_filters_by_search_language_and_category(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    area = open_area(qtbot, screen)
    assert area.model.rowCount() == 12
    assert area.count_label.text() == "12 handouts"
    spanish = filtered(qtbot, area, lambda: area.language_box.setCurrentIndex(2))
    assert len(spanish) == 6 and {language for _id, language in spanish} == {"es"}
    index = area.category_box.findText("Spinal stenosis")
    stenosis = filtered(qtbot, area, lambda: area.category_box.setCurrentIndex(index))
    assert ("spinal-stenosis", "es") in stenosis and len(stenosis) < 6
    area.language_box.setCurrentIndex(0)
    area.category_box.setCurrentIndex(0)
    found = filtered(qtbot, area, lambda: area.search_box.setText("seudoartrosis"))
    assert found == [("pseudarthrosis", "es")]
    nothing = filtered(qtbot, area, lambda: area.search_box.setText("zzzz"))
    assert nothing == [] and "No handout matches" in area.count_label.text()
    assert area.pages.message_text().startswith("Choose a handout")


def test_handouts_due_for_review_are_marked_in_words(
    qtbot: QtBot, screen: ScreenContext, home: Path
) -> None:
    folder = handouts.create_practice_folder()
    (folder / "own-exercises.en.txt").write_text(OVERDUE, encoding="utf-8")
    area = open_area(qtbot, screen)
    row = next(i for i, r in enumerate(area.model.records) if r.id == "own-exercises")
    review = area.model.index(row, 3).data()
    assert review == "Overdue (was due 01/10/2025)"
    assert "1 overdue for review" in area.count_label.text()
    assert area.model.index(0, 3).data() == ""


def test_the_preview_shows_the_page_and_records_nothing(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, profile: None
) -> None:
    before = (print_rows(context), audit_count(context))
    area = open_area(qtbot, screen)
    with qtbot.waitSignal(area.preview_shown, timeout=15_000) as shown:
        area.table.selectRow(2)
    rendered = shown.args[0]
    assert rendered.patient_name == "" and rendered.handout_id == area.selected_summary().id
    wait_for_preview(qtbot, area)
    assert area.pages.page_count() >= 1
    page = area.pages.page_pixmap(0)
    assert not page.isNull() and page.width() > 200 and page.height() > page.width()
    # Without a patient nothing can be given, and the screen says why.
    assert not area.print_button.isEnabled() and not area.save_button.isEnabled()
    assert "Choose the patient" in area.action_hint.text()
    assert area.print_current() is False
    assert (print_rows(context), audit_count(context)) == before


def test_choose_a_patient_and_save_writes_a_pdf_with_their_name(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    maria: PatientData,
    tmp_path: Path,
) -> None:
    area = open_area(qtbot, screen)
    area.table.selectRow(0)
    picker = area.choose_patient()
    with qtbot.waitSignal(picker.results_shown, timeout=10_000):
        picker.search_box.setText("nunez mar")
    assert picker.results.count() == 1
    picker.accept()
    assert area.patient is not None and area.patient.id == maria.id
    assert "Núñez-García, María José" in area.patient_label.text()
    # She prefers Spanish: the same handout in Spanish is selected.
    assert area.selected_summary().language == "es"
    area.options.note.setPlainText("Traiga su disco, por favor.")
    area.options.large_print.setChecked(True)
    area.preview.refresh_now()
    wait_for_preview(qtbot, area)
    assert area.save_button.isEnabled()
    # Ctrl+S offers a file name made of the handout, the patient and the day.
    assert area.save_pdf() is True
    chooser = area.giving.dialog
    assert isinstance(chooser, QFileDialog) and chooser.isVisible()
    offered = Path(chooser.selectedFiles()[0]).name
    assert offered.startswith(area.selected_summary().id + " - María José Núñez-García - ")
    chooser.reject()

    with qtbot.waitSignal(area.given, timeout=15_000) as given:
        assert area.save_to(tmp_path / "para: María?.pdf")
    (record,) = given.args[0]
    saved = tmp_path / "para_ María_.pdf"
    text = all_text(saved.read_bytes())
    assert "María José Núñez-García" in text and "Traiga su disco, por favor." in text
    assert record.destination == "saved: para_ María_.pdf" and record.large_print
    assert area.banner.kind == "success" and "Saved" in area.banner.text
    assert [r.id for r in handout_prints.prints_for_patient(context, maria.id)] == [record.id]


@pytest.mark.ui_postgresql
def test_printing_logs_the_printer_and_a_print_disclosure(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    maria: PatientData,
    tmp_path: Path,
) -> None:
    summary = search(context, "nunez", limit=1).items[0]
    area = open_area(qtbot, screen)
    area.set_patient(summary)
    wait_for_preview(qtbot, area)
    # Ctrl+P opens the system print dialog; cancelling it prints and records nothing.
    assert area.print_current() is True
    dialog = area.giving.dialog
    assert isinstance(dialog, QPrintDialog) and dialog.isVisible()
    dialog.reject()
    assert print_rows(context) == 0
    out = tmp_path / "printed.pdf"
    printer = pdf_printer(out)
    with qtbot.waitSignal(area.given, timeout=20_000) as given:
        assert area.print_to(printer)
    (record,) = given.args[0]
    assert record.destination == "printer: PDF file"
    # Every page of the handout, drawn for the printer's 150 dpi and its printable area.
    assert area.preview.rendered is not None
    printed = printed_images(out)
    assert len(printed) == len(page_texts(area.preview.rendered.pdf))
    assert all(fills(images, printer.width(), printer.height()) for images in printed)
    with context.database.read_sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert (entry.action, entry.patient_id) == ("print", maria.id)
        assert json.loads(entry.details)["destination"] == "printer: PDF file"


def test_a_role_without_the_print_permission_sees_why(
    qtbot: QtBot,
    context: ServiceContext,
    maria: PatientData,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reduced = ROLE_PERMISSIONS[Role.CLINICAL] - {Permission.PRINT_HANDOUTS}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.CLINICAL, reduced)
    runner = Runner()
    nurse = ScreenContext(context.as_actor(make_actor(Role.CLINICAL, "nurse.carla")), runner)
    area = open_area(qtbot, nurse)
    area.set_patient(search(context, "nunez", limit=1).items[0])
    qtbot.waitUntil(lambda: not area.preview.pending, timeout=10_000)
    assert "print handouts" in area.pages.message_text()
    assert not area.print_button.isEnabled()
    assert "may not print handouts" in area.action_hint.text()
    runner.wait_for_idle()


def open_chart(qtbot: QtBot, screen: ScreenContext, patient_id: int) -> PatientChart:
    chart = PatientChart(screen, patient_id)
    qtbot.addWidget(chart)
    with qtbot.waitSignal(chart.loaded, timeout=10_000):
        chart.show()
    return chart


def test_give_handouts_from_the_chart_and_reprint_the_same_version(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    maria: PatientData,
    tmp_path: Path,
) -> None:
    chart = open_chart(qtbot, screen, maria.id)
    tab = chart.handouts_given
    qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.empty, timeout=10_000)
    assert isinstance(tab.empty, EmptyState) and not tab.reprint_button.isEnabled()

    with qtbot.waitSignal(tab.dialog_opened, timeout=10_000) as opened:
        tab.give_button.click()
    dialog: GiveHandoutsDialog = opened.args[0]
    qtbot.waitUntil(lambda: dialog.list.count() > 0, timeout=10_000)
    suggestions = dialog.suggestions()
    assert len(suggestions) == 6
    assert all(s.handout.language == "es" and not s.fallback for s in suggestions)
    assert dialog.ticked() == [] and not dialog.print_button.isEnabled()
    wait_for_preview(qtbot, dialog)
    dialog.tick("failed-back-syndrome")
    dialog.tick("mri-ct-scan")
    assert dialog.print_button.text() == "Print 2…"
    dialog.options.note.setPlainText("Nos vemos el jueves.")

    folder = tmp_path / "for-maria"
    folder.mkdir()
    with (
        qtbot.waitSignal(tab.loaded, timeout=20_000, check_params_cb=lambda r: len(r) == 2),
        qtbot.waitSignal(dialog.given, timeout=20_000),
    ):
        assert dialog.save_to(folder)
    files = sorted(folder.glob("*.pdf"))
    assert [f.name.split(" - ")[0] for f in files] == ["failed-back-syndrome", "mri-ct-scan"]
    assert all("María José Núñez-García" in all_text(f.read_bytes()) for f in files)
    assert all(" - María José Núñez-García - " in f.name for f in files)
    assert tab.stack.currentWidget() is tab.table and tab.model.rowCount() == 2
    assert tab.model.index(0, 3).data() == "Spanish"
    # When, on the practice's clock and in the desk's 24-hour time, as every other list.
    given = clock_text(tab.records[0].given_at, tab.zone, DATE_TIME)
    assert tab.model.index(0, 0).data() == given and not given.endswith("M")
    assert tab.model.index(0, 4).data().startswith("Saved as ")
    assert tab.model.index(0, 5).data() == "test.admin"
    dialog.done(0)

    # Reprint the first one: the same version, as a PDF copy and on a printer.
    original = next(r for r in tab.records if r.handout_id == "failed-back-syndrome")
    tab.table.selectRow(tab.records.index(original))
    assert tab.reprint_button.isEnabled()
    copy = tmp_path / "copy.pdf"
    with qtbot.waitSignal(tab.loaded, timeout=20_000, check_params_cb=lambda r: len(r) == 3):
        assert tab.save_copy_to(copy)
    saved = next(f for f in files if f.name.startswith("failed-back-syndrome"))
    assert all_text(copy.read_bytes()) == all_text(saved.read_bytes())
    newest = tab.records[0]
    assert newest.reprint_of_id == original.id and newest.version == original.version
    assert "(reprint)" in tab.model.index(0, 1).data()
    tab.table.selectRow(0)
    with qtbot.waitSignal(tab.loaded, timeout=20_000, check_params_cb=lambda r: len(r) == 4):
        assert tab.reprint_to(pdf_printer(tmp_path / "reprint.pdf"))
    assert tab.records[0].destination == "printer: PDF file"
    assert print_rows(context) == 4


def test_give_handouts_marks_the_english_fallback_and_the_category(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, profile: None
) -> None:
    patient = create_patient(
        context,
        PatientForm("Thi Hoa", "Nguyễn", "1970-02-01", preferred_language="Vietnamese"),
    )
    dialog = GiveHandoutsDialog(screen, patient, category=RequestCategory.FAILED_BACK)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.suggestions_shown, timeout=10_000):
        dialog.show()
    first = dialog.list.item(0).text()
    assert "— English (no Vietnamese version)" in first and first.endswith("· suggested")
    assert "failed-back-syndrome" in [s.id for s in dialog.ticked()]
    assert "English is offered" in dialog.language_note.text()
    wait_for_preview(qtbot, dialog)


def test_give_handouts_starts_from_the_charts_large_print(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, profile: None
) -> None:
    regular = create_patient(context, PatientForm("Al", "Lee", "1970-05-06"))
    large = create_patient(context, PatientForm("Rosa", "Delgado", "1938-02-09", large_print=True))
    for patient, expected in ((regular, False), (large, True)):
        dialog = GiveHandoutsDialog(screen, patient)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.suggestions_shown, timeout=10_000):
            dialog.show()
        assert dialog.options.is_large_print() is expected
        assert "The chart says" in dialog.options.large_print.toolTip()
        wait_for_preview(qtbot, dialog)
        dialog.close()


def test_the_chart_shows_its_print_size(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    large = create_patient(context, PatientForm("Rosa", "Delgado", "1938-02-09", large_print=True))
    chart = PatientChart(screen, large.id)
    qtbot.addWidget(chart)
    with qtbot.waitSignal(chart.loaded, timeout=10_000):
        chart.show()
    assert chart.demographics.value("print_size") == "Large print (16 pt)"


def test_choosing_a_patient_in_the_area_takes_the_charts_large_print(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    create_patient(context, PatientForm("Rosa", "Delgado", "1938-02-09", large_print=True))
    create_patient(context, PatientForm("Al", "Lee", "1970-05-06"))
    area = open_area(qtbot, screen)
    area.table.selectRow(0)
    (rosa,) = search(context, "delgado").items
    (al,) = search(context, "lee al").items
    area.set_patient(rosa)
    assert area.options.is_large_print()
    area.set_patient(al)
    assert not area.options.is_large_print()


def test_every_handout_title_reads_whole_in_a_narrow_list(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    """At 150% on a 1080p monitor the list beside the preview is narrow: titles ended in
    "Problems at the level next to a fusion (adjacen…". They wrap now, and the row never
    needs sideways scrolling."""
    with desk_style():
        area = open_area(qtbot, screen)
        area.resize(900, 700)
        table = area.table
        rows = area.model.rowCount()
        assert rows > 0

        def all_whole() -> bool:
            return not scrolls_sideways(table) and all(
                reads_whole(table, row, 0) for row in range(rows)
            )

        qtbot.waitUntil(all_whole, timeout=10_000)
        for column in range(1, area.model.columnCount()):
            assert all(reads_whole(table, row, column) for row in range(rows)), column
