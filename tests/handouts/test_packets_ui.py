"""The pre-visit packets dialog with real widgets, a real database on both backends and real
PDFs: save with progress, Cancel leaves nothing, print logs, the area's button opens it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, QStandardPaths, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from frontdesk.domain.names import printed_name
from frontdesk.domain.progress import Cancelled
from frontdesk.services.handouts import handout_prints, packets
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice import settings
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.handouts.area import HandoutsArea
from frontdesk.ui.handouts.packets_dialog import PacketsDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.file_dialogs import documents_folder
from tests.discard_question import DISCARD, KEEP, answer_discard_question
from tests.documents.pdfs import all_text, fills, page_texts, printed_images
from tests.handouts.packet_fixtures import (
    SPANISH_FIRST,
    SPANISH_LAST,
    PacketDay,
    change_chart,
    make_packet_day,
)
from tests.helpers.screens import QT_NOISE, open_screen
from tests.scheduling.conftest import at, book

pytestmark = QT_NOISE

NOTE_FOR_HER = "Por favor traiga su andador y el informe operatorio de 2021."


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


@pytest.fixture
def screen(
    qtbot: QtBot, context: ServiceContext, home: Path, without_pdftoppm: None
) -> Iterator[ScreenContext]:
    with open_screen(context) as screen:
        yield screen


def open_dialog(qtbot: QtBot, screen: ScreenContext, packet_day: PacketDay) -> PacketsDialog:
    dialog = PacketsDialog(screen, packet_day.day, packet_day.clinic.okafor)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.providers_shown, timeout=10_000):
        dialog.show()
    return dialog


def save_packets(qtbot: QtBot, dialog: PacketsDialog, folder: Path) -> str:
    """Save the day's packets into ``folder`` and wait for the run: what the dialog says."""
    with qtbot.waitSignal(dialog.finished_work, timeout=60_000) as finished:
        assert dialog.save_to(folder) is not None
    kind, text = finished.args
    assert kind == "saved", text
    return str(text)


def test_save_builds_every_packet_of_the_day_and_logs_it(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    tmp_path: Path,
) -> None:
    dialog = open_dialog(qtbot, screen, packet_day)
    assert dialog.provider_box.currentText() == "Adaeze Okafor, MD"
    assert dialog.day() == packet_day.day
    assert dialog.paper.currentData() == "letter"
    with qtbot.waitSignal(dialog.finished_work, timeout=60_000) as finished:
        assert dialog.save_to(tmp_path / "out") is not None
        assert not dialog.save_button.isEnabled()  # no second run while one works
    kind, text = finished.args
    assert kind == "saved", text
    assert "Saved 2 packets" in text
    # Okafor's two patients only, and María José's summary for the surgeon in a file apart.
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert len(names) == 3 and names[-1].startswith("History summaries for the surgeon")
    assert "history summary for the surgeon" in text
    assert dialog.open_button.isVisible() and dialog.save_button.isEnabled()
    assert handout_prints.prints_for_patient(context, packet_day.hostile.patient_id)


def test_cancel_leaves_no_file_and_says_so(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog(qtbot, screen, packet_day)
    dialog.provider_box.setCurrentIndex(0)  # all providers
    real = packets.build_packets

    def cancelled_after_the_first(*args: object, **kwargs: object) -> object:
        progress = kwargs["progress"]

        def stop(done: int, total: int) -> bool:
            progress(done, total)  # type: ignore[operator]
            if done >= 1:
                dialog.task.cancel()  # type: ignore[union-attr]  # what Cancel does
            return not dialog.task.is_cancelled  # type: ignore[union-attr]

        kwargs["progress"] = stop
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(packets, "build_packets", cancelled_after_the_first)
    with qtbot.waitSignal(dialog.finished_work, timeout=60_000) as finished:
        dialog.save_to(tmp_path / "out")
    assert finished.args[0] == "cancelled"
    assert "nothing was recorded" in finished.args[1]
    assert not (tmp_path / "out").exists()
    for patient in (packet_day.spanish.patient_id, packet_day.hostile.patient_id):
        assert handout_prints.prints_for_patient(context, patient) == []
    assert dialog.banner.isVisible() and dialog.save_button.isEnabled()
    assert Cancelled  # the service raises it; the runner turns it into "cancelled"


def test_print_logs_the_printer_and_a_long_note_is_refused_next_to_its_field(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    tmp_path: Path,
) -> None:
    dialog = open_dialog(qtbot, screen, packet_day)
    dialog.note.setPlainText("x" * 1501)
    assert dialog.save_to(tmp_path / "out") is None
    assert dialog.fields.message("note").isVisible()
    dialog.note.setPlainText("Parking is behind the building.")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(150)
    with qtbot.waitSignal(dialog.finished_work, timeout=90_000) as finished:
        dialog.print_to(printer)
    assert finished.args[0] == "printed", finished.args[1]
    options = dialog.options(combined=True)
    batch = packets.build_packets(context, dialog.day(), dialog.provider_ids(), options)
    assert batch.combined_pdf is not None
    assert batch.summaries_pdf is not None
    printed = printed_images(tmp_path / "printed.pdf")
    # Every page of every packet, then the surgeon's summaries as their own stack.
    packet_pages = len(page_texts(batch.combined_pdf))
    assert packet_pages % 2 == 0  # two-sided: the summaries start on a sheet of their own
    assert len(printed) == packet_pages + len(page_texts(batch.summaries_pdf))
    assert all(fills(images, printer.width(), printer.height()) for images in printed)
    records = handout_prints.prints_for_patient(context, packet_day.spanish.patient_id)
    assert records and {r.destination for r in records} == {"printer: PDF file"}


def test_the_handouts_area_opens_the_dialog(
    qtbot: QtBot, screen: ScreenContext, packet_day: PacketDay
) -> None:
    area = HandoutsArea(screen)
    qtbot.addWidget(area)
    area.show()
    assert area.packets_button.isEnabled()
    dialog = area.open_packets()
    assert isinstance(dialog, PacketsDialog)
    qtbot.waitUntil(lambda: dialog.provider_box.count() == 3, timeout=10_000)
    tomorrow = QDate.currentDate().addDays(1)
    assert dialog.day_edit.date() == tomorrow
    dialog.close()


def test_two_sided_follows_the_practice_setting_and_can_be_changed_for_a_run(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, packet_day: PacketDay
) -> None:
    settings.set_setting(context, settings.TWO_SIDED, False)
    dialog = open_dialog(qtbot, screen, packet_day)
    assert not dialog.two_sided.isChecked() and dialog.options().two_sided is False
    dialog.two_sided.setChecked(True)
    assert dialog.options().two_sided is True
    # (The printer is asked for both sides too, where the printer can; this machine has none.)
    assert dialog.make_packet_printer() is not None


def test_the_dialog_says_the_chart_decides_and_saves_accordingly(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    tmp_path: Path,
) -> None:
    hostile_id = packet_day.hostile.patient_id
    change_chart(context, hostile_id, large_print=True)
    dialog = open_dialog(qtbot, screen, packet_day)
    assert "in large print when the chart says so" in dialog.hint.text()
    assert "for every packet" in dialog.large_print.text() and not dialog.large_print.isChecked()
    assert "patient's chart says so" in dialog.large_print.toolTip()
    save_packets(qtbot, dialog, tmp_path / "out")
    spanish_id = packet_day.spanish.patient_id
    logged = {
        patient_id: {r.large_print for r in handout_prints.prints_for_patient(context, patient_id)}
        for patient_id in (hostile_id, spanish_id)
    }
    assert logged == {hostile_id: {True}, spanish_id: {False}}


def wait_for_patients(qtbot: QtBot, dialog: PacketsDialog, count: int) -> None:
    qtbot.waitUntil(
        lambda: not dialog._patients_loading and dialog.patients.rowCount() == count,
        timeout=10_000,
    )


def test_a_personal_note_for_one_patient_by_keyboard_and_mouse(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    tmp_path: Path,
) -> None:
    dialog = open_dialog(qtbot, screen, packet_day)
    wait_for_patients(qtbot, dialog, 2)  # Okafor's two patients, in appointment order
    rows = [[dialog.patients.index(row, column).data() for column in range(4)] for row in range(2)]
    # Times and names as every other list of the app shows them (24-hour, family name first).
    assert rows[0] == ["08:00", f"{SPANISH_LAST}, {SPANISH_FIRST}", "Spanish", ""]
    assert rows[1][0] == "09:00"
    assert rows[1][2] == "English"
    dialog.large_print.setChecked(True)
    assert dialog.patients.index(0, 2).data() == "Spanish, large print"
    dialog.large_print.setChecked(False)
    assert not dialog.has_unsaved_changes()

    # Keyboard: Enter on her row, type, Ctrl+Enter keeps the note.
    dialog.patient_table.setFocus()
    dialog.patient_table.selectRow(0)
    qtbot.keyClick(dialog.patient_table, Qt.Key.Key_Return)
    editor = dialog.note_editor
    assert editor is not None and editor.isVisible()
    about = editor.findChild(QLabel, "hint").text()
    assert "Spanish" in about and about.startswith("08:00, ")
    qtbot.keyClicks(editor.note, NOTE_FOR_HER)
    qtbot.keyClick(editor.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.note_editor is None)
    assert dialog.personal_notes == {packet_day.spanish.id: NOTE_FOR_HER}
    assert dialog.patients.index(0, 3).data() == NOTE_FOR_HER[:47] + "…"  # shown in her row
    assert "1 with a personal note" in dialog.patients_status.text()
    assert dialog.note_button.text() == "Edit personal no&te…"
    assert dialog.has_unsaved_changes()

    # Mouse: the button for the other patient; a note too long is refused in the editor.
    dialog.patient_table.selectRow(1)
    assert dialog.note_button.text() == "Personal no&te…"
    qtbot.mouseClick(dialog.note_button, Qt.MouseButton.LeftButton)
    editor = dialog.note_editor
    assert editor is not None
    editor.note.setPlainText("x" * 1501)
    editor.save()
    assert editor.isVisible() and editor.fields.message("personal_note").isVisible()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    answer_discard_question(editor, DISCARD)
    qtbot.waitUntil(lambda: dialog.note_editor is None)
    assert list(dialog.personal_notes) == [packet_day.spanish.id]

    # Closing with a typed note asks first (the same question every form asks).
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    answer_discard_question(dialog, KEEP)
    assert dialog.isVisible() and dialog.personal_notes

    save_packets(qtbot, dialog, tmp_path / "out")
    packet_texts = [
        " ".join(all_text(path.read_bytes()).split())
        for path in (tmp_path / "out").iterdir()
        if "History" not in path.name
    ]
    (hers,) = [text for text in packet_texts if NOTE_FOR_HER in text]
    assert SPANISH_LAST in hers and len(packet_texts) == 2
    assert not dialog.has_unsaved_changes()  # the notes are in the packets now

    # Another day lists its own patients; her note waits for her day.
    dialog.day_edit.setDate(dialog.day_edit.date().addDays(1))
    wait_for_patients(qtbot, dialog, 0)
    assert "No appointments" in dialog.patients_status.text()
    assert dialog.options().personal_notes == {}
    assert not dialog.note_button.isEnabled()
    dialog.day_edit.setDate(dialog.day_edit.date().addDays(-1))
    wait_for_patients(qtbot, dialog, 2)
    assert dialog.options().personal_notes == {packet_day.spanish.id: NOTE_FOR_HER}


def test_a_booking_meanwhile_refreshes_the_list_and_keeps_the_notes(
    qtbot: QtBot, context: ServiceContext, home: Path, packet_day: PacketDay, hub: ChangeHub
) -> None:
    with open_screen(context, hub) as screen:
        dialog = open_dialog(qtbot, screen, packet_day)
        wait_for_patients(qtbot, dialog, 2)
        dialog.set_personal_note(packet_day.spanish.id, NOTE_FOR_HER)
        dialog.patient_table.selectRow(dialog.patients.row_of(packet_day.spanish.id))
        book(packet_day.clinic, 1, at(packet_day.day, 11, 0))
        wait_for_patients(qtbot, dialog, 3)  # another desk's booking shows by itself
        row = dialog.patients.row_of(packet_day.spanish.id)
        assert dialog.patient_table.currentIndex().row() == row
        assert dialog.patients.index(row, 3).data().startswith("Por favor")
        assert "3 patients; 1 with a personal note" in dialog.patients_status.text()
        dialog.mark_clean()
        dialog.close()


def test_the_saved_message_names_who_got_english_instead(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    tmp_path: Path,
) -> None:
    # Issue #16: "In English for 1 patient(s) whose language has no packet" named nobody.
    chart = change_chart(context, packet_day.hostile.patient_id, preferred_language="Vietnamese")
    dialog = open_dialog(qtbot, screen, packet_day)
    text = save_packets(qtbot, dialog, tmp_path / "out")
    name = printed_name(chart.first_name, chart.last_name)
    assert f"In English for {name}: no packet comes in their language." in text
    assert "(s)" not in text
    assert dialog.banner.isVisible()


@pytest.fixture
def user_config(tmp_path: Path) -> Iterator[Path]:
    """Where ``QSettings()`` would write, a folder of this test's own (outside the home)."""
    folder = tmp_path / "user-config"
    scope = QSettings.Scope.UserScope
    formats = (QSettings.Format.NativeFormat, QSettings.Format.IniFormat)
    for settings_format in formats:
        QSettings.setPath(settings_format, scope, str(folder))
    yield folder
    default = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    for settings_format in formats:
        QSettings.setPath(settings_format, scope, default)


def test_the_folder_chooser_opens_where_the_last_packets_went_and_remembers_it_at_home(
    qtbot: QtBot,
    screen: ScreenContext,
    packet_day: PacketDay,
    home: Path,
    user_config: Path,
    tmp_path: Path,
) -> None:
    dialog = open_dialog(qtbot, screen, packet_day)
    chooser = dialog.choose_folder()
    assert chooser is not None
    assert chooser.directory().absolutePath() == documents_folder()
    chosen = tmp_path / "packets for monday"
    chosen.mkdir()
    chooser.setDirectory(str(chosen))
    with qtbot.waitSignal(dialog.finished_work, timeout=60_000) as finished:
        chooser.accept()
    assert finished.args[0] == "saved", finished.args[1]
    assert any(chosen.iterdir())
    dialog.close()

    again = open_dialog(qtbot, screen, packet_day)
    second = again.choose_folder()
    assert second is not None
    assert second.directory().absolutePath() == str(chosen)
    second.reject()
    # Kept in this home's own settings; nothing written where every profile would read it.
    assert str(chosen) in "\n".join(path.read_text() for path in home.rglob("*.ini"))
    assert not user_config.exists() or not any(user_config.rglob("*"))
