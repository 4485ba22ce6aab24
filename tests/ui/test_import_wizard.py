"""The import wizard and the export action: a whole run, mapping fixes, Cancel, refusals."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from frontdesk.db.models import AuditEntry
from frontdesk.db.models_patients import Patient
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import import_write
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.import_preview import ProblemKind, RowProblem
from frontdesk.services.patients.search import search
from frontdesk.ui.patients.export_dialog import PatientExport, export_patients
from frontdesk.ui.patients.import_wizard import (
    CONFIRM_STEP,
    FILE_STEP,
    MAPPING_STEP,
    PREVIEW_STEP,
    RESULT_STEP,
    ImportWizard,
    ProblemsModel,
    open_import_wizard,
)
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor
from tests.helpers.screens import desk_style
from tests.helpers.tables import reads_whole, scrolls_sideways

# The offscreen platform used by the tests warns when a window's size limits change.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

OLD_SYSTEM = (
    "Chart #,Last Name,First Name,Born on,Cell,E-mail\n"
    "A1,Núñez-García,María José,3/4/1961,217-555-0142,mj@example.com\n"
    "A2,Smith,John,1961-02-30,,\n"
    "A3,,Ann,1970-01-02,,\n"
    "A4,Lee,Al,1970-05-06,555-01,\n"
    "A5,O'Connor,Seán,1958-09-17,,\n"
    "A6,Nunez Garcia,Maria Jose,1961-03-04,,\n"
)


@pytest.fixture
def screen(context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()


@pytest.fixture
def wizard(qtbot: QtBot, screen: ScreenContext) -> ImportWizard:
    dialog = ImportWizard(screen.services, screen.runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def chart_count(context: ServiceContext) -> int:
    with context.database.read_sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Patient)) or 0)


def write(tmp_path: Path, content: str, name: str = "old system.csv") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def wait_for_step(qtbot: QtBot, wizard: ImportWizard, step: int) -> None:
    qtbot.waitUntil(lambda: wizard.step == step and wizard.task is None, timeout=30_000)


def open_file(qtbot: QtBot, wizard: ImportWizard, path: Path) -> None:
    wizard.path_edit.setFocus()
    qtbot.keyClicks(wizard.path_edit, str(path))
    qtbot.keyClick(wizard.path_edit, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, MAPPING_STEP)


def test_a_whole_import_from_file_to_result(
    qtbot: QtBot, wizard: ImportWizard, context: ServiceContext, tmp_path: Path
) -> None:
    assert wizard.step == FILE_STEP and not wizard.next_button.isEnabled()
    open_file(qtbot, wizard, write(tmp_path, OLD_SYSTEM))

    # Step 2: recognized columns are preselected; the birth date column is not recognized.
    assert wizard.mapping() == (
        "external_id",
        "last_name",
        "first_name",
        "",
        "mobile_phone",
        "email",
    )
    assert wizard.mapping_combos[1].currentText() == "Last name"
    assert wizard.mapping_combos[3].accessibleName() == "Field for column D (Born on)"
    assert "3/4/1961" in wizard.mapping_table.item(3, 1).text()
    assert "holds the date of birth" in wizard.mapping_status.text()
    assert not wizard.next_button.isEnabled()
    wizard.set_field(3, "date_of_birth")
    assert wizard.next_button.isEnabled() and wizard.next_button.text() == "Check rows"
    assert "6 of 6 columns will be imported" in wizard.mapping_status.text()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)

    # Step 3: the problems by line, with counts; nothing is written yet.
    wait_for_step(qtbot, wizard, PREVIEW_STEP)
    assert wizard.count_labels["ready"].text() == "2"
    assert wizard.count_labels["errors"].text() == "3"
    assert wizard.count_labels["duplicates"].text() == "1"
    assert wizard.count_labels["rows"].text() == "6"
    model = wizard.problems_model
    rows = [
        [model.data(model.index(row, column)) for column in range(4)]
        for row in range(model.rowCount())
    ]
    assert [row[0] for row in rows] == ["3", "4", "5", "7"]
    assert rows[0][1] == "Born on" and "1961-02-30 is not a real date" in rows[0][3]
    assert rows[1][1:] == ["Last Name", "Error (not imported)", "Last name is missing"]
    assert rows[3][2] == "Possible duplicate in the file"
    assert wizard.sample_table.item(0, 1).text() == "Núñez-García, María José"
    assert wizard.sample_table.item(0, 2).text() == "1961-03-04"
    assert chart_count(context) == 0
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)

    # Step 4: confirm, with the choice about duplicates.
    assert wizard.step == CONFIRM_STEP
    assert wizard.next_button.text() == "Import 2 patients"
    assert "3 rows with errors will be left out" in wizard.confirm_label.text()
    wizard.include_duplicates.setChecked(True)
    assert wizard.next_button.text() == "Import 3 patients"
    wizard.include_duplicates.setChecked(False)
    assert chart_count(context) == 0
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)

    # Progress, then the result.
    wait_for_step(qtbot, wizard, RESULT_STEP)
    assert wizard.result is not None and wizard.result.imported == 2
    assert "Imported 2 patients (MRN M0000001 to M0000002)" in wizard.result_label.text()
    assert wizard.close_button.text() == "Close" and not wizard.next_button.isVisible()
    assert chart_count(context) == 2
    assert search(context, "oconnor").items[0].mrn == "M0000002"
    with context.database.read_sessions() as session:
        assert session.scalar(select(func.count()).where(AuditEntry.action == "import")) == 1


def test_a_bad_file_is_explained_on_the_first_step(
    qtbot: QtBot, wizard: ImportWizard, tmp_path: Path
) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04 spreadsheet")
    wizard.path_edit.setText(str(path))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.banner.isVisible(), timeout=10_000)
    assert wizard.step == FILE_STEP
    assert wizard.banner.kind == "error" and "CSV UTF-8" in wizard.banner.text


def test_a_windows_1252_file_shows_the_encoding_notice(
    qtbot: QtBot, wizard: ImportWizard, tmp_path: Path
) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes("Last,First,DOB\nNúñez,Ana,1/2/1970\n".encode("cp1252"))
    open_file(qtbot, wizard, path)
    assert wizard.banner.kind == "info" and "Windows-1252" in wizard.banner.text
    assert "Núñez" in wizard.mapping_table.item(0, 1).text()


def test_going_back_and_changing_the_mapping_checks_the_rows_again(
    qtbot: QtBot, wizard: ImportWizard, tmp_path: Path
) -> None:
    open_file(qtbot, wizard, write(tmp_path, OLD_SYSTEM))
    wizard.set_field(3, "date_of_birth")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    wait_for_step(qtbot, wizard, PREVIEW_STEP)
    wizard.problem_filter.setCurrentIndex(2)  # possible duplicates
    assert wizard.problems_model.rowCount() == 1
    qtbot.mouseClick(wizard.back_button, Qt.MouseButton.LeftButton)
    assert wizard.step == MAPPING_STEP
    wizard.set_field(4, "")  # the phone column is no longer imported
    assert wizard.preview is None
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    wait_for_step(qtbot, wizard, PREVIEW_STEP)
    assert wizard.count_labels["errors"].text() == "2"  # line 5's bad phone is ignored now
    assert wizard.problem_filter.currentIndex() == 0


def test_cancel_during_the_import_leaves_no_patient_from_the_file(
    qtbot: QtBot,
    wizard: ImportWizard,
    context: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = ["Last,First,DOB"] + [
        f"Person{n},Test,{1 + n % 12}/13/{1930 + n // 12}" for n in range(400)
    ]
    monkeypatch.setattr(import_write, "CHUNK", 20)
    # Hold the worker in the middle of writing until Cancel has been pressed, so the test
    # does not depend on how fast the machine is.
    reached, release = threading.Event(), threading.Event()
    real_import = import_write.import_patients

    def held(*args: Any, progress: Any, **kwargs: Any) -> Any:
        def gate(done: int, total: int) -> bool:
            if 0 < done < total and not reached.is_set():
                reached.set()
                release.wait(10)
            return bool(progress(done, total))

        return real_import(*args, progress=gate, **kwargs)

    monkeypatch.setattr(import_write, "import_patients", held)
    open_file(qtbot, wizard, write(tmp_path, "\n".join(lines) + "\n"))
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    wait_for_step(qtbot, wizard, PREVIEW_STEP)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.next_button.text() == "Import 400 patients"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(reached.is_set, timeout=30_000)
    assert wizard.progress_dialog is not None and wizard.progress_dialog.isVisible()
    assert not wizard.back_button.isEnabled() and not wizard.next_button.isEnabled()
    cancel_button = wizard.progress_dialog.findChild(QPushButton)
    assert cancel_button is not None and cancel_button.text() == "Cancel"
    qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    release.set()
    qtbot.waitUntil(lambda: wizard.task is None, timeout=30_000)
    assert wizard.step == CONFIRM_STEP
    assert "cancelled: no patient from the file was saved" in wizard.banner.text
    assert chart_count(context) == 0
    assert wizard.next_button.isEnabled()  # the user can try again


def test_problems_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = ProblemsModel()
    model.set_problems(
        (
            RowProblem(3, "DOB", ProblemKind.ERROR, "not a date"),
            RowProblem(4, "", ProblemKind.DUPLICATE_IN_FILE, "possible duplicate of line 3"),
        )
    )
    qtmodeltester.check(model)
    model.set_filter({ProblemKind.ERROR})
    assert model.rowCount() == 1
    qtmodeltester.check(model)


LONG_PROBLEMS = (
    RowProblem(
        37,
        "Date of birth as written by the old system",
        ProblemKind.ERROR,
        "31/02/1961 is not a real date: February has 28 or 29 days, so the row is left out; "
        "fix the date in the file and import the file again",
    ),
    RowProblem(
        38,
        "",
        ProblemKind.DUPLICATE_IN_DATABASE,
        "possible duplicate of María José Núñez-García, born 1961-03-04, already in the "
        "practice as M0000001",
    ),
)


def test_the_problems_read_whole_at_150_percent(qtbot: QtBot, screen: ScreenContext) -> None:
    """At 1280x720 (a 1080p monitor at 150%) the wizard gets its 900x620 and each problem's
    text was cut with "…": the office manager could not read why line 37 was refused. The
    Problem column now wraps, the line number stays whole, and nothing scrolls sideways."""
    with desk_style():
        wizard = ImportWizard(screen.services, screen.runner)
        qtbot.addWidget(wizard)
        wizard.resize(900, 620)
        wizard.show()
        qtbot.waitExposed(wizard)
        wizard.problems_model.set_problems(LONG_PROBLEMS)
        wizard.show_step(PREVIEW_STEP)
        table = wizard.problems_view
        usual = table.verticalHeader().defaultSectionSize()

        def fitted() -> bool:
            whole = all(reads_whole(table, row, c) for row in range(2) for c in (0, 2, 3))
            return whole and not scrolls_sideways(table)

        qtbot.waitUntil(fitted, timeout=5_000)
        assert table.rowHeight(0) > usual  # the problem wrapped onto more lines
        assert not table.horizontalScrollBar().isVisible()
        tooltip = table.model().index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
        assert "Line 37" in tooltip and "Date of birth as written" in tooltip


WIDE_FILE = (
    "Chart number in the old practice system,Last Name,First Name,Born on,Cell,E-mail\n"
    "A1,Núñez-García de la Fuente y Montoya,María José Guadalupe Concepción,1961-03-04,"
    "217-555-0142,maria.jose.nunez.garcia.delafuente@example-longdomain.com\n"
    "A2,Smith-Worthington,Johnathan Alexander,1962-02-03,,johnathan.smith@example.com\n"
)


def test_the_columns_and_their_examples_read_whole_at_150_percent(
    qtbot: QtBot, screen: ScreenContext, tmp_path: Path
) -> None:
    """Same walk, step 2: the examples of long columns were cut at the table's edge. They
    now wrap, and the chosen field's box keeps its longest label whole."""
    with desk_style():
        wizard = ImportWizard(screen.services, screen.runner)
        qtbot.addWidget(wizard)
        wizard.resize(900, 620)
        wizard.show()
        qtbot.waitExposed(wizard)
        open_file(qtbot, wizard, write(tmp_path, WIDE_FILE))
        email = 5
        wizard.set_field(email, "merged_into_mrn")  # the longest label
        table = wizard.mapping_table
        usual = table.verticalHeader().defaultSectionSize()
        rows = range(table.rowCount())

        def fitted() -> bool:
            whole = all(reads_whole(table, row, c) for row in rows for c in (0, 1))
            return whole and not scrolls_sideways(table)

        qtbot.waitUntil(fitted, timeout=5_000)
        assert table.rowHeight(email) > usual  # its examples wrapped
        combo = wizard.mapping_combos[email]
        assert combo.width() >= combo.sizeHint().width()
        assert combo.height() < table.rowHeight(email)  # not stretched in a tall row


def test_only_administrators_get_the_wizard(qtbot: QtBot, screen: ScreenContext) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    desk = ScreenContext(
        screen.services.as_actor(make_actor(Role.FRONT_DESK, "desk.one")), screen.runner
    )
    assert open_import_wizard(parent, desk) is None
    wizard = open_import_wizard(parent, screen.services, screen.runner)
    assert isinstance(wizard, ImportWizard) and wizard.isVisible()
    wizard.close()


def test_export_writes_the_file_and_says_where(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, tmp_path: Path
) -> None:
    create_patient(context, PatientForm("Ann", "Lee", "1970-05-06", notes="@risk"))
    parent = QWidget()
    qtbot.addWidget(parent)
    folder = tmp_path / "exports"
    folder.mkdir()
    run = export_patients(parent, screen, path=folder / "list?.csv")
    assert isinstance(run, PatientExport)
    with qtbot.waitSignal(run.finished, timeout=30_000) as signal:
        pass
    kind, text = signal.args
    assert kind == "done" and "Exported 1 patient" in text and "audit trail" in text
    assert run.message_box is not None and run.message_box.isVisible()
    with (folder / "list_.csv").open(encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["Last name"] == "Lee" and row["Notes"] == "'@risk"
    run.message_box.close()


def test_export_is_refused_to_the_front_desk(
    qtbot: QtBot, screen: ScreenContext, tmp_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    desk = screen.services.as_actor(make_actor(Role.FRONT_DESK, "desk.one"))
    assert export_patients(parent, desk, screen.runner, path=tmp_path / "x.csv") is None
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",  # the combo's popup, offscreen
    "This plugin does not support grabbing the keyboard",
)
def test_after_choosing_a_field_by_keyboard_the_arrows_move_between_columns(
    qtbot: QtBot, wizard: ImportWizard, tmp_path: Path
) -> None:
    # Story 8 walk: after Space, "Da", Enter on "Born on", ↑ re-mapped that column instead
    # of going to the row above, silently, and "Check rows" went grey.
    open_file(qtbot, wizard, write(tmp_path, OLD_SYSTEM))
    born_on = 3
    combo = wizard.mapping_combos[born_on]
    combo.setFocus()
    combo.showPopup()
    popup = combo.view()
    qtbot.waitUntil(popup.isVisible)
    popup.setCurrentIndex(popup.model().index(combo.findData("date_of_birth"), 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert wizard.mapping()[born_on] == "date_of_birth"

    table = wizard.mapping_table
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_Up)
    assert wizard.mapping()[born_on] == "date_of_birth"
    assert table.currentRow() == born_on - 1
