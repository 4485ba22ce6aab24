"""Admin → Inbox as an office manager uses it: watched folders and the e-fax mailbox saved for
every desk, the mailbox password in this computer's keyring (never the database), Check now
saying what came and what went wrong, and whether scanned pages can be read here."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.demo.faxes import mri_lines, text_pdf
from frontdesk.documents import page_text
from frontdesk.domain.permissions import Role
from frontdesk.services.inbox import listing
from frontdesk.services.inbox.mailbox import KEYRING_SERVICE
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.settings import (
    INBOX_DISCARD_KEEP_DAYS,
    INBOX_FOLDERS,
    INBOX_MAIL_DONE_FOLDER,
    INBOX_MAIL_HOST,
    INBOX_MAIL_PORT,
    INBOX_MAIL_USER,
    get_setting,
    list_settings,
)
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.admin.inbox_sources import NO_KEYRING, InboxSourcesPanel
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor
from tests.helpers.keyring import MemoryKeyring
from tests.helpers.screens import open_screen
from tests.inbox.conftest import MARIA

WAIT_MS = 15_000
SECRET = "efax-Secret-9431"


@pytest.fixture
def os_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def open_panel(qtbot: QtBot, screen: ScreenContext) -> InboxSourcesPanel:
    panel = InboxSourcesPanel(screen)
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    qtbot.waitUntil(lambda: panel.loaded and panel.facts is not None, timeout=WAIT_MS)
    return panel


def test_the_sources_are_saved_for_every_desk_and_the_password_only_in_the_keyring(
    qtbot: QtBot,
    context: ServiceContext,
    screen: ScreenContext,
    os_keyring: MemoryKeyring,
    database_url: str,
    tmp_path: Path,
) -> None:
    panel = open_panel(qtbot, screen)
    assert "kept in this computer's keyring" in panel.password_note.text()
    panel.add_folder(str(tmp_path / "fax-in"))
    panel.add_folder(str(tmp_path / "scanner"))
    panel.add_folder(str(tmp_path / "fax-in"))  # listed once
    panel.texts[INBOX_MAIL_HOST.key].setText("imap.efax.example.com")
    panel.texts[INBOX_MAIL_USER.key].setText("faxes@lakeside.example.com")
    panel.texts[INBOX_MAIL_DONE_FOLDER.key].setText("Faxes/Done")
    panel.numbers[INBOX_DISCARD_KEEP_DAYS.key].setValue(400)
    panel.password.setText(SECRET)
    assert panel.has_unsaved_changes()
    with qtbot.waitSignal(panel.password_kept, timeout=WAIT_MS) as kept:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert kept.args == [True]
    assert "kept in this computer's keyring" in panel.banner.text
    assert not panel.has_unsaved_changes() and panel.password.text() == ""

    assert get_setting(context, INBOX_FOLDERS).splitlines() == [
        str(tmp_path / "fax-in"),
        str(tmp_path / "scanner"),
    ]
    assert get_setting(context, INBOX_MAIL_HOST) == "imap.efax.example.com"
    assert get_setting(context, INBOX_MAIL_PORT) == 993
    assert get_setting(context, INBOX_DISCARD_KEEP_DAYS) == 400
    assert os_keyring.secrets == {
        (KEYRING_SERVICE, "faxes@lakeside.example.com@imap.efax.example.com:993"): SECRET
    }
    assert all(SECRET not in str(value.value) for value in list_settings(context))
    database_file = Path(database_url.removeprefix("sqlite:///"))
    for path in database_file.parent.glob(database_file.name + "*"):
        assert SECRET.encode() not in path.read_bytes()


def test_without_a_keyring_the_panel_says_so_and_keeps_the_password_nowhere(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        panel = open_panel(qtbot, screen)
        assert panel.password_note.text() == NO_KEYRING
        panel.texts[INBOX_MAIL_HOST.key].setText("imap.efax.example.com")
        panel.texts[INBOX_MAIL_USER.key].setText("faxes")
        panel.password.setText(SECRET)
        with qtbot.waitSignal(panel.password_kept, timeout=WAIT_MS) as kept:
            panel.save()
        assert kept.args == [False]
        assert panel.banner.kind == "error" and "no password keyring" in panel.banner.text
        assert get_setting(context, INBOX_MAIL_HOST) == "imap.efax.example.com"
    finally:
        keyring.set_keyring(previous)


def test_check_now_takes_what_is_there_and_says_what_went_wrong(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, tmp_path: Path
) -> None:
    folder = tmp_path / "fax-in"
    folder.mkdir()
    fax = folder / "fax-0001.pdf"
    fax.write_bytes(text_pdf(mri_lines(MARIA)))
    old = time.time() - 120  # finished long ago: taken on the first look
    os.utime(fax, (old, old))
    (folder / "notes.txt").write_text("not a fax")
    os.utime(folder / "notes.txt", (old, old))
    panel = open_panel(qtbot, screen)
    panel.resize(1000, 500)  # the form scrolls: the result is below the fold
    panel.add_folder(str(folder))
    panel.add_folder(str(tmp_path / "not-mounted"))
    with qtbot.waitSignal(panel.checked, timeout=WAIT_MS):
        qtbot.keyClick(panel, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    text = panel.result.text
    qtbot.waitUntil(lambda: not panel.result.visibleRegion().isEmpty())  # scrolled into view
    assert panel.result.kind == "error"
    assert "Checked 2 folders: 1 new document in the inbox" in text
    assert "notes.txt" in text
    assert "not-mounted cannot be read" in text
    assert listing.unfiled_count(context) == 1
    # Checked as typed, nothing saved: the form still has its changes.
    assert panel.has_unsaved_changes() and get_setting(context, INBOX_FOLDERS) == ""

    # A mailbox without a user name is not tried; the field says why.
    panel.texts[INBOX_MAIL_HOST.key].setText("imap.efax.example.com")
    panel.check()
    assert panel.fields.message(INBOX_MAIL_USER.key).isVisible()
    assert "correct the marked fields" in panel.result.text


def test_the_ocr_line_says_how_to_install_tesseract_where_it_is_missing(
    qtbot: QtBot, screen: ScreenContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    page_text.ocr_status.cache_clear()
    try:
        panel = open_panel(qtbot, screen)
        assert "Scanned pages cannot be read here" in panel.ocr_line.text()
        assert "tesseract-ocr-spa" in panel.ocr_line.text()
        assert "UB-Mannheim" in panel.ocr_line.text()
    finally:
        monkeypatch.undo()
        page_text.ocr_status.cache_clear()


def test_front_desk_sees_the_sources_read_only_and_may_check_now(
    qtbot: QtBot, context: ServiceContext
) -> None:
    desk = context.as_actor(make_actor(Role.FRONT_DESK, "desk.anna"))
    with open_screen(desk) as screen:
        area = AdminArea(screen)
        qtbot.addWidget(area)
        area.show()
        panel = area.inbox
        qtbot.waitUntil(lambda: panel.loaded, timeout=WAIT_MS)
        assert area.tabs.tabText(area.tabs.indexOf(panel)) == "Inbox"
        assert panel.save_button.isHidden() and panel.add_folder_button.isHidden()
        assert panel.folders.isReadOnly() and panel.password.isReadOnly()
        assert "Only an administrator" in panel.banner.text
        assert not panel.check_button.isHidden() and panel.check_button.isEnabled()


def test_the_panel_fits_beside_the_sidebar_on_a_1080p_screen_at_150_percent(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    panel = open_panel(qtbot, screen)
    needed = panel.minimumSizeHint().expandedTo(panel.minimumSize())
    # 1280x720 logical, less the sidebar, the area's title and the tabs.
    assert needed.width() <= 1280 - 190 - 40 and needed.height() <= 720 - 200
