"""Small things at the desk (finding 9): the title, first focus, file dialogs' folders, the
request pane's scroll position, and the empty Today screen's help text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake
from frontdesk.ui import APP_TITLE
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.referrer_picker import ReferrerPicker
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.requests.report import ReferralsReportDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.area import TodayArea
from frontdesk.ui.widgets import file_dialogs
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.file_dialogs import FileKind
from frontdesk.ui.workstation_settings import SETTINGS_FILE
from tests.requests.conftest import maria_intake
from tests.ui.test_main_window import TEST_AREAS

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()
    QCoreApplication.processEvents()


@pytest.fixture
def desk_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This workstation's settings in a data folder of the test's own."""
    home = tmp_path / "home"
    monkeypatch.setenv("FRONTDESK_HOME", str(home))
    return home / SETTINGS_FILE


def shown_title(title: str, display_name: str) -> str:
    """The title bar's text: Qt adds the application's display name unless the title ends
    with it (QPlatformWindow::formatWindowTitle)."""
    return title if title.endswith(display_name) else f"{title} — {display_name}"


@pytest.mark.parametrize("practice", ["", "Lakeside Spine Center"])
def test_the_window_title_names_front_desk_once(
    qtbot: QtBot, screen: ScreenContext, tmp_path: Path, practice: str
) -> None:
    window = MainWindow(
        screen, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat), areas=TEST_AREAS
    )
    qtbot.addWidget(window)
    window.show_practice(type("Profile", (), {"name": practice})())
    shown = shown_title(window.windowTitle(), APP_TITLE)
    assert shown.count(APP_TITLE) == 1
    assert practice in shown


def test_adding_a_physician_starts_typing_in_the_first_field_not_on_save(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    picker = ReferrerPicker(screen, "Referring physician")
    qtbot.addWidget(picker)
    picker.show()
    qtbot.keyClicks(picker.edit, "patel")
    dialog = picker.add_physician()
    qtbot.waitUntil(dialog.isVisible)
    # The last name came from the picker, so the next thing to type is the first name.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.edits["first_name"])
    assert dialog.edits["last_name"].text() == "patel"

    picker.edit.clear()
    dialog.reject()
    empty = picker.add_physician()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is empty.edits["last_name"])


def test_file_dialogs_start_in_documents_then_where_that_kind_was_last_kept(
    qtbot: QtBot,
    screen: ScreenContext,
    desk_settings: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offered: list[str] = []
    answer = {"path": ""}

    def get_save_file_name(parent: QWidget, caption: str, start: str, _filter: str) -> tuple:
        offered.append(start)
        return answer["path"], ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
    dialog = ReferralsReportDialog(screen)
    qtbot.addWidget(dialog)
    screen.runner.wait_for_idle()
    monkeypatch.setattr(dialog, "export_to", lambda path: None)

    dialog.choose_file()  # cancelled: nothing remembered
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    first = Path(offered[-1])
    assert first.name == "referrals.csv"
    assert str(first.parent) in (documents, str(Path.home()))
    assert Path.cwd() != first.parent or Path.cwd() == Path.home()

    chosen = tmp_path / "reports"
    chosen.mkdir()
    answer["path"] = str(chosen / "november.csv")
    dialog.choose_file()
    dialog.choose_file()
    assert Path(offered[-1]) == chosen / "referrals.csv"
    # Another kind of file keeps its own folder.
    assert file_dialogs.start_folder(FileKind.LETTER) == str(first.parent)
    # A folder that is gone (a USB stick) falls back to Documents.
    answer["path"] = ""
    chosen.rmdir()
    assert file_dialogs.start_folder(FileKind.REPORT) == str(first.parent)


def test_a_queued_file_dialog_remembers_the_folder_chosen(
    qtbot: QtBot, desk_settings: Path, tmp_path: Path
) -> None:
    dialog = file_dialogs.file_dialog(None, FileKind.HANDOUT, "Choose a folder")
    assert dialog.directory().absolutePath() == file_dialogs.documents_folder()
    dialog.fileSelected.emit(str(tmp_path))
    again = file_dialogs.file_dialog(None, FileKind.HANDOUT, "Choose a folder")
    assert again.directory().absolutePath() == str(tmp_path)
    dialog.deleteLater()
    again.deleteLater()


def test_another_request_opens_at_its_top_with_the_patients_name(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    intake.create_request(context, maria_intake())
    intake.create_request(
        context,
        maria_intake(
            first_name="Ana", last_name="Lopez", date_of_birth="5/6/1970", phone="(217) 555-0199"
        ),
    )
    area = RequestsArea(screen)
    qtbot.addWidget(area)
    area.resize(1000, 420)  # short, so the detail pane scrolls
    area.show()
    qtbot.waitUntil(lambda: area.model.rowCount() == 2, timeout=10_000)
    area.table.selectRow(0)
    first_id = area.model.rows[0].id
    qtbot.waitUntil(lambda: area.detail.detail is not None, timeout=10_000)
    qtbot.waitUntil(lambda: area.detail.detail.request.id == first_id, timeout=10_000)
    bar = area.detail.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=10_000)
    bar.setValue(bar.maximum())

    area.table.selectRow(1)
    second = area.model.rows[1]
    qtbot.waitUntil(lambda: area.detail.detail.request.id == second.id, timeout=10_000)
    assert bar.value() == 0
    assert area.detail.title.visibleRegion().boundingRect().height() > 0
    assert second.patient_name in area.detail.title.text()


def test_the_empty_today_screen_shows_its_help_text_whole(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    area = TodayArea(screen)
    qtbot.addWidget(area)
    area.resize(1090, 660)  # a 1080p monitor at 150%, less the sidebar
    with qtbot.waitSignal(area.loaded, timeout=10_000):
        area.show()
    states = [state for state in area.findChildren(EmptyState) if state.isVisible()]
    assert states
    for state in states:
        label: QLabel = state.text
        qtbot.waitUntil(lambda label=label: label.height() > 0)
        needed = label.heightForWidth(label.contentsRect().width())
        assert label.contentsRect().height() >= needed, label.text()
