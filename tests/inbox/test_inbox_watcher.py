"""The inbox fills by itself: a fax dropped in a watched folder is in the list and read
without anyone clicking; a folder out of reach is said once; the sidebar counts what waits
and follows filing; the lock pauses the watcher."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from frontdesk.demo.faxes import mri_lines, referral_lines, text_pdf
from frontdesk.domain.permissions import Role
from frontdesk.services.inbox import arrivals, filing, listing
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.practice.settings import INBOX_FOLDERS, set_setting
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.inbox.area import InboxArea
from frontdesk.ui.inbox.watcher import InboxWatcher, WatcherSessions
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.lock import WorkstationLock
from tests.conftest import make_actor
from tests.helpers.screens import open_screen
from tests.inbox.conftest import JOHN, MARIA

WAIT_MS = 20_000
FAST_MS = 100


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


@pytest.fixture
def watcher(screen: ScreenContext) -> Iterator[InboxWatcher]:
    started = InboxWatcher(screen, interval_ms=FAST_MS)
    yield started
    started.stop()
    started.wait()


@pytest.mark.ui_postgresql
def test_a_fax_dropped_in_the_watched_folder_is_listed_and_read_without_a_click(
    qtbot: QtBot,
    context: ServiceContext,
    screen: ScreenContext,
    watcher: InboxWatcher,
    maria: PatientData,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "fax-in"
    folder.mkdir()
    set_setting(context, INBOX_FOLDERS, str(folder))
    area = InboxArea(screen)
    qtbot.addWidget(area)
    area.resize(1240, 700)
    area.show()
    watcher.start()
    qtbot.waitUntil(lambda: area.empty.isVisible(), timeout=WAIT_MS)

    (folder / "fax-0001.pdf").write_bytes(text_pdf(mri_lines(MARIA)))
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=WAIT_MS)
    # Read by the watcher, and the suggestion is on screen without a click.
    qtbot.waitUntil(lambda: area.model.record(0).suggested_mrn == maria.mrn, timeout=WAIT_MS)
    assert area.model.record(0).reading == "done"
    assert (folder / "imported" / "fax-0001.pdf").exists()
    assert not (folder / "fax-0001.pdf").exists()


def test_the_watcher_follows_the_settings_and_says_an_unreachable_folder_once(
    qtbot: QtBot, context: ServiceContext, watcher: InboxWatcher, tmp_path: Path
) -> None:
    problems: list[str] = []
    watcher.problem.connect(problems.append)
    passes: list[object] = []
    watcher.pass_done.connect(passes.append)
    missing = tmp_path / "not-mounted"
    set_setting(context, INBOX_FOLDERS, str(missing))
    watcher.start()
    qtbot.waitUntil(lambda: len(passes) >= 5, timeout=WAIT_MS)
    assert len(problems) == 1
    assert str(missing) in problems[0] and "cannot be read" in problems[0]

    # Saved in Admin: the next pass watches the new folder (the hub said "settings").
    folder = tmp_path / "scanner"
    folder.mkdir()
    set_setting(context, INBOX_FOLDERS, str(folder))
    (folder / "scan.pdf").write_bytes(text_pdf(referral_lines(JOHN)))
    qtbot.waitUntil(lambda: listing.unfiled_count(context) == 1, timeout=WAIT_MS)
    assert list(watcher.state.watches) == [folder]

    # Gone again: said again (once), not every pass.
    set_setting(context, INBOX_FOLDERS, str(missing))
    count = len(passes)
    qtbot.waitUntil(lambda: len(passes) >= count + 5, timeout=WAIT_MS)
    assert len(problems) == 2


def test_the_sidebar_counts_what_waits_and_follows_filing(
    qtbot: QtBot,
    context: ServiceContext,
    screen: ScreenContext,
    maria: PatientData,
    tmp_path: Path,
) -> None:
    first = arrivals.receive(context, text_pdf(mri_lines(MARIA)), "mri.pdf", source="folder")
    arrivals.receive(context, text_pdf(referral_lines(JOHN)), "ref.pdf", source="folder")
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)
    row = window.area_keys().index("inbox")
    item = window.sidebar.item(row)
    qtbot.waitUntil(lambda: item.text() == "Inbox (2)", timeout=WAIT_MS)
    assert "2 waiting" in item.toolTip()

    assert first.document_id is not None
    filing.file_to_chart(context, first.document_id, maria.id)
    qtbot.waitUntil(lambda: item.text() == "Inbox (1)", timeout=WAIT_MS)


def test_the_lock_pauses_the_watcher_and_unlocking_starts_it_again(
    qtbot: QtBot, screen: ScreenContext, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)
    lock = WorkstationLock(screen, lambda s: MainWindow(s, settings), idle_limit_ms=3_600_000)
    lock.attach(window)
    sessions = WatcherSessions(window, lock, interval_ms=FAST_MS)
    try:
        watcher = sessions.watcher
        assert watcher is not None and watcher.is_running
        lock.lock()
        assert not watcher.is_running
        lock.unlock()
        assert watcher.is_running
    finally:
        sessions.stop()
        lock.detach()
    assert not watcher.is_running


def test_after_a_user_switch_the_next_user_s_watcher_runs_and_the_old_one_is_stopped(
    qtbot: QtBot, screen: ScreenContext, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)

    def open_window(next_screen: ScreenContext) -> MainWindow:
        opened = MainWindow(next_screen, settings)
        qtbot.addWidget(opened)
        return opened

    lock = WorkstationLock(screen, open_window, idle_limit_ms=3_600_000)
    lock.attach(window)
    sessions = WatcherSessions(window, lock, interval_ms=FAST_MS)
    try:
        first = sessions.watcher
        assert first is not None
        lock.lock(signing_out=True)
        lock.switch_user(make_actor(Role.FRONT_DESK, "desk.anna"))
        second = sessions.watcher
        assert second is not None and second is not first
        assert second.is_running and not first.is_running
        assert second.screen.services.actor.username == "desk.anna"
    finally:
        sessions.stop()
        lock.detach()


def test_the_status_bar_says_what_came_and_what_was_refused(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, tmp_path: Path
) -> None:
    folder = tmp_path / "fax-in"
    folder.mkdir()
    set_setting(context, INBOX_FOLDERS, str(folder))
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)
    sessions = WatcherSessions(window, None, interval_ms=FAST_MS)
    try:
        watcher = sessions.watcher
        assert watcher is not None
        problems: list[str] = []
        watcher.problem.connect(problems.append)
        (folder / "notes.txt").write_text("not a fax")
        bar = window.statusBar()
        qtbot.waitUntil(lambda: "Not taken into the inbox" in bar.currentMessage(), timeout=WAIT_MS)
        assert "notes.txt" in bar.currentMessage()
        (folder / "fax.pdf").write_bytes(text_pdf(mri_lines(MARIA)))
        qtbot.waitUntil(
            lambda: bar.currentMessage() == "1 new document in the inbox.", timeout=WAIT_MS
        )
        assert len(problems) == 1
    finally:
        sessions.stop()
