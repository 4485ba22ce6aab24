"""Which database the app opens: --database, the environment, the saved server, the local file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from frontdesk.domain.progress import Cancelled
from frontdesk.paths import default_database_url
from frontdesk.services.platform import connection
from frontdesk.services.platform.address import resolve_database_url
from frontdesk.services.platform.bootstrap import open_for_use
from frontdesk.services.platform.connection import ConnectionProfile, SslMode
from frontdesk.ui.app import run_app
from frontdesk.ui.server_password import ServerPasswordDialog, server_url_at_start

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PROFILE = ConnectionProfile(
    host="server.clinic.lan", database="frontdesk", user="frontdesk_app", sslmode=SslMode.REQUIRE
)


def answer_password(typed: str | None, seen: list[str]) -> None:
    """Type into the start-up password dialog (or cancel it) once it shows."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ServerPasswordDialog):
            seen.append(dialog.windowTitle())
            if typed is None:
                dialog.reject()
            else:
                dialog.password.setText(typed)
                dialog.accept()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_without_a_profile_the_local_file_is_used_and_nothing_is_asked(qtbot: QtBot) -> None:
    def never() -> str | None:
        return connection.server_url_for_startup(lambda _p: pytest.fail("asked"))

    assert resolve_database_url(None, never) == default_database_url()


def test_database_option_then_environment_win_over_the_saved_server(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection.save_profile(PROFILE)
    asked: list[str] = []

    def server() -> str | None:
        asked.append("asked")
        return "postgresql+psycopg://frontdesk_app@server.clinic.lan/frontdesk"

    assert resolve_database_url("sqlite:///given.sqlite3", server) == "sqlite:///given.sqlite3"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", "sqlite:///env.sqlite3")
    assert resolve_database_url(None, server) == "sqlite:///env.sqlite3"
    assert asked == []  # no password question for a server that will not be used
    monkeypatch.delenv("FRONTDESK_DATABASE_URL")
    assert resolve_database_url(None, server).startswith("postgresql+psycopg://")
    assert asked == ["asked"]


def test_the_saved_server_is_opened_with_the_password_typed_at_start(qtbot: QtBot) -> None:
    connection.save_profile(PROFILE)
    seen: list[str] = []
    answer_password("s3cret: ünï", seen)
    url = resolve_database_url(None, server_url_at_start)
    assert seen == ["Front Desk: practice server password"]
    parsed = make_url(url)
    assert (parsed.host, parsed.username, parsed.password) == (
        "server.clinic.lan",
        "frontdesk_app",
        "s3cret: ünï",
    )
    assert parsed.query["sslmode"] == "require"


def test_cancelling_the_password_ends_the_start_without_opening_anything(
    qtbot: QtBot, workstation_home: Path
) -> None:
    connection.save_profile(PROFILE)
    seen: list[str] = []
    answer_password(None, seen)
    with pytest.raises(Cancelled):
        server_url_at_start()
    answer_password(None, seen)
    assert run_app(None) == 0
    assert len(seen) == 2
    assert not any(workstation_home.rglob("*.sqlite3"))


def test_the_saved_server_opens_for_real_with_the_typed_password(
    qtbot: QtBot, postgres_url: str
) -> None:
    server = make_url(postgres_url)
    connection.save_profile(
        ConnectionProfile(
            host=server.host or "127.0.0.1",
            port=server.port or 5432,
            database=server.database or "",
            user=server.username or "postgres",
            sslmode=SslMode.PREFER,
        )
    )
    seen: list[str] = []
    answer_password("any (this server trusts local connections)", seen)
    database, _copy = open_for_use(resolve_database_url(None, server_url_at_start))
    try:
        assert len(seen) == 1
        assert database.describe().endswith(f"/{server.database}")
        assert not database.is_sqlite
    finally:
        database.dispose()


def test_unreadable_server_settings_stop_the_start_with_one_plain_message(
    qtbot: QtBot, workstation_home: Path
) -> None:
    connection.profile_path().write_text("{not json", encoding="utf-8")
    seen: list[str] = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.done(0)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    assert run_app(None) == 2
    assert len(seen) == 1
    assert "server connection settings" in seen[0] and "cannot be read" in seen[0]
    assert not any(workstation_home.rglob("*.sqlite3"))  # no local file opened instead
