"""The start-up message when the shared server does not answer: which server (never the
password), that saved work is safe, and how to start on this computer's file instead."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.domain.errors import DatabaseUnavailableError
from frontdesk.paths import default_database_url
from frontdesk.services.platform import connection
from frontdesk.ui.app import run_app, startup_error_dialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

URL = "postgresql+psycopg://frontdesk_app:pw-secret-123@127.0.0.1:1/lakeside?sslmode=prefer"


def test_the_saved_server_message_names_it_and_how_to_start_on_the_local_file(
    qtbot: QtBot,
) -> None:
    box = startup_error_dialog(
        DatabaseUnavailableError("Cannot reach the database server."), URL, saved_server=True
    )
    qtbot.addWidget(box)
    advice = box.informativeText()
    assert "frontdesk_app@127.0.0.1:1/lakeside" in advice
    assert "pw-secret-123" not in advice + box.text()
    assert "safe on the server" in advice
    assert f"frontdesk --database {default_database_url()}" in advice
    assert str(connection.profile_path()) in advice  # the saved settings file to remove


def test_a_server_named_on_the_command_line_is_explained_without_the_settings_file(
    qtbot: QtBot,
) -> None:
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(f"{box.text()}\n{box.informativeText()}")
            box.done(0)
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
    assert run_app(URL) == 2
    assert len(seen) == 1
    assert "frontdesk_app@127.0.0.1:1/lakeside" in seen[0]
    assert "--database or FRONTDESK_DATABASE_URL" in seen[0]
    assert f"frontdesk --database {default_database_url()}" in seen[0]
    assert str(connection.profile_path()) not in seen[0]
    assert "pw-secret-123" not in seen[0]
