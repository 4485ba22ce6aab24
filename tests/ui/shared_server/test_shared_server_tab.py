"""Admin → Shared server: the profile form, Test connection's plain answers, Save, and the move.

Against the real local PostgreSQL (trust authentication, no TLS: the "Always encrypt" answer
is the server's real refusal), an unused port for "nothing answers", and a scratch database
created and dropped by the test for the move.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.db.engine import open_database
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.platform import connection
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.services.platform.connection import PasswordSource, SslMode
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.admin.shared_server import SharedServerPanel
from frontdesk.ui.admin.shared_server_move import MoveToServerDialog
from frontdesk.ui.runner import RUNNER_EVENTS, Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import PG_ADMIN_URL, make_actor
from tests.helpers.keyring import MemoryKeyring
from tests.helpers.postgres import throwaway_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def local_practice(sqlite_template: Path, tmp_path: Path) -> Iterator[ServiceContext]:
    """This workstation before the move: its own SQLite file with a few charts in it."""
    path = tmp_path / "desk.sqlite3"
    shutil.copyfile(sqlite_template, path)
    database = open_database(f"sqlite:///{path}")
    context = make_context(database, make_actor())
    for first, born in (("Zoë", date(1961, 3, 4)), ("Łukasz", date(1975, 11, 30))):
        create_patient(
            context, PatientForm(first_name=first, last_name="Nováková", date_of_birth=born)
        )
    yield context
    database.dispose()


@pytest.fixture
def screen(qtbot: QtBot, local_practice: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(local_practice, runner)
    runner.wait_for_idle()


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """An empty database on the local server, dropped after the test."""
    with throwaway_database("frontdesk_move") as (_admin, name):
        yield name


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def open_panel(qtbot: QtBot, screen: ScreenContext) -> SharedServerPanel:
    panel = SharedServerPanel(screen)
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.show()
    qtbot.waitUntil(lambda: panel.keyring is not None)
    return panel


def fill(panel: SharedServerPanel, database: str, *, port: int = 5432, mode: SslMode) -> None:
    server = make_url(PG_ADMIN_URL)
    panel.host.setText(server.host or "127.0.0.1")
    panel.port.setValue(port)
    panel.database.setText(database)
    panel.user.setText(server.username or "postgres")
    panel.sslmode.setCurrentIndex(panel.sslmode.findData(mode.value))


def run_test(qtbot: QtBot, panel: SharedServerPanel) -> str:
    panel.last_check = None
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.last_check is not None, timeout=20_000)
    assert panel.result.isVisible()
    return panel.result.text


def test_the_tab_is_in_admin_for_admins_only(qtbot: QtBot, screen: ScreenContext) -> None:
    area = AdminArea(screen)
    qtbot.addWidget(area)
    titles = [area.tabs.tabText(index) for index in range(area.tabs.count())]
    assert "Shared server" in titles
    desk = ScreenContext(
        screen.services.as_actor(make_actor(Role.FRONT_DESK, "desk")), screen.runner
    )
    desk_area = AdminArea(desk)
    qtbot.addWidget(desk_area)
    assert "Shared server" not in [
        desk_area.tabs.tabText(index) for index in range(desk_area.tabs.count())
    ]


def test_the_connection_test_answers_plainly_next_to_the_form(
    qtbot: QtBot, screen: ScreenContext, postgres_url: str
) -> None:
    panel = open_panel(qtbot, screen)
    database = make_url(postgres_url).database or ""
    assert "keyring" in panel.password_note.text()  # no keyring here: asked at each start
    assert panel.sslmode.currentData() == SslMode.REQUIRE.value  # encrypted by default

    fill(panel, database, mode=SslMode.PREFER)
    answer = run_test(qtbot, panel)
    assert panel.result.kind == "success"
    assert answer.startswith("Connected to PostgreSQL")
    assert "ready for this version of Front Desk" in answer

    fill(panel, database, mode=SslMode.REQUIRE)  # this server has no TLS: a plain refusal
    answer = run_test(qtbot, panel)
    assert panel.result.kind == "error"
    assert "does not offer encryption (TLS)" in answer

    port = unused_port()
    fill(panel, database, port=port, mode=SslMode.PREFER)
    assert run_test(qtbot, panel) == (
        f"Nothing answers at 127.0.0.1:{port}: is the PostgreSQL server running, does it "
        "listen on the network, and is the port right?"
    )

    fill(panel, "no_such_practice", mode=SslMode.PREFER)
    assert "has no database named 'no_such_practice'" in run_test(qtbot, panel)


def test_a_bad_field_is_explained_beside_it_and_nothing_is_tried(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    panel = open_panel(qtbot, screen)
    panel.host.setText("server/clinic")
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    message = panel.fields.message("host")
    assert message.isVisible() and "no spaces, slashes or @" in message.text()
    assert panel.last_check is None and panel.result.isHidden()


def test_save_keeps_the_profile_for_the_next_start_and_never_the_password(
    qtbot: QtBot, screen: ScreenContext, workstation_home: Path
) -> None:
    panel = open_panel(qtbot, screen)
    fill(panel, "frontdesk", mode=SslMode.VERIFY_FULL)
    panel.host.setText("server.clinic.lan")
    panel.password.setText("typed-secret-42")
    with qtbot.waitSignal(panel.saved, timeout=10_000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    saved = connection.load_profile()
    assert saved is not None and saved.host == "server.clinic.lan"
    assert saved.sslmode is SslMode.VERIFY_FULL
    assert saved.password_source is PasswordSource.ASK
    assert "next start" in panel.banner.text
    assert "asked at each start" in panel.banner.text
    assert panel.password.text() == ""
    for path in workstation_home.rglob("*"):
        if path.is_file():
            assert b"typed-secret-42" not in path.read_bytes()

    again = open_panel(qtbot, screen)  # the tab shows what was saved
    assert again.host.text() == "server.clinic.lan"
    assert again.sslmode.currentData() == SslMode.VERIFY_FULL.value
    assert "asked at each start" in again.password_note.text()


def test_moving_copies_verifies_and_switches_this_workstation(
    qtbot: QtBot, screen: ScreenContext, scratch_database: str
) -> None:
    panel = open_panel(qtbot, screen)
    fill(panel, scratch_database, mode=SslMode.PREFER)
    qtbot.mouseClick(panel.move_button, Qt.MouseButton.LeftButton)
    dialog = panel.move_dialog
    assert isinstance(dialog, MoveToServerDialog)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    plan = dialog.details.toPlainText()
    assert "Copy" in plan and "an empty database: its tables are created first" in plan
    assert "patients: 2 records" in plan
    assert dialog.replace_box.isHidden() and dialog.copy_button.isEnabled()

    stages: list[str] = []
    dialog.relay.stage.connect(stages.append)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=60_000)
    report = dialog.details.toPlainText()
    assert dialog.report is not None and dialog.report.ok
    assert "every table has the same rows and the same contents on both sides" in report
    assert "The audit trail on the target is intact" in report
    assert "patients: 2 rows, identical" in report
    assert "Checking both databases" in stages
    assert "Creating the tables on the target" in stages
    assert dialog.banner.kind == "success"

    copied = create_engine(make_url(PG_ADMIN_URL).set(database=scratch_database), poolclass=None)
    with copied.connect() as link:
        names = link.execute(text("SELECT first_name FROM patients ORDER BY id")).scalars()
        assert list(names) == ["Zoë", "Łukasz"]
    copied.dispose()

    assert dialog.switch_button.isVisible()
    with qtbot.waitSignal(dialog.switched, timeout=10_000):
        qtbot.mouseClick(dialog.switch_button, Qt.MouseButton.LeftButton)
    saved = connection.load_profile()
    assert saved is not None and saved.database == scratch_database
    assert "from the next start" in panel.banner.text
    dialog.close()


def test_a_server_that_holds_records_is_replaced_only_after_naming_them(
    qtbot: QtBot, screen: ScreenContext, postgres_url: str
) -> None:
    server = open_database(postgres_url)
    create_patient(
        make_context(server, make_actor()),
        PatientForm(first_name="Already", last_name="There", date_of_birth="1/2/1950"),
    )
    server.dispose()
    panel = open_panel(qtbot, screen)
    fill(panel, make_url(postgres_url).database or "", mode=SslMode.PREFER)
    qtbot.mouseClick(panel.move_button, Qt.MouseButton.LeftButton)
    dialog = panel.move_dialog
    assert isinstance(dialog, MoveToServerDialog)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    assert dialog.replace_box.isVisible()
    assert "Replace the" in dialog.replace_box.text() and "they are deleted" in (
        dialog.replace_box.text()
    )
    assert "already holds" in dialog.banner.text
    assert not dialog.copy_button.isEnabled()
    dialog.replace_box.setChecked(True)
    assert dialog.copy_button.isEnabled()
    dialog.close()


def test_an_unreachable_server_in_the_move_is_the_dialogs_news_not_an_outage(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    outages: list[str] = []
    RUNNER_EVENTS.database_unavailable.connect(outages.append)
    panel = open_panel(qtbot, screen)
    port = unused_port()
    fill(panel, "frontdesk", port=port, mode=SslMode.PREFER)
    qtbot.mouseClick(panel.move_button, Qt.MouseButton.LeftButton)
    dialog = panel.move_dialog
    assert isinstance(dialog, MoveToServerDialog)
    qtbot.waitUntil(lambda: dialog.banner.isVisible() and dialog.banner.kind == "error")
    assert "Cannot reach the database server" in dialog.banner.text
    assert not dialog.copy_button.isEnabled()
    RUNNER_EVENTS.database_unavailable.disconnect(outages.append)
    assert outages == []
    dialog.close()


def test_cancelling_the_move_writes_no_records_and_the_copy_can_start_again(
    qtbot: QtBot, screen: ScreenContext, scratch_database: str
) -> None:
    panel = open_panel(qtbot, screen)
    fill(panel, scratch_database, mode=SslMode.PREFER)
    qtbot.mouseClick(panel.move_button, Qt.MouseButton.LeftButton)
    dialog = panel.move_dialog
    assert isinstance(dialog, MoveToServerDialog)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert dialog.task is not None and not dialog.copy_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # Cancel while copying
    qtbot.waitUntil(lambda: dialog.task is None, timeout=60_000)
    assert dialog.report is None
    assert dialog.banner.text == "The copy was cancelled; nothing was written on the server."
    assert dialog.isVisible() and dialog.copy_button.isEnabled()
    server = create_engine(make_url(PG_ADMIN_URL).set(database=scratch_database))
    with server.connect() as link:
        has_patients = link.scalar(text("SELECT to_regclass('patients') IS NOT NULL"))
        if has_patients:
            assert link.scalar(text("SELECT count(*) FROM patients")) == 0
    server.dispose()
    dialog.close()


def test_an_empty_server_database_is_explained_with_what_to_do(
    qtbot: QtBot, screen: ScreenContext, scratch_database: str
) -> None:
    panel = open_panel(qtbot, screen)
    fill(panel, scratch_database, mode=SslMode.PREFER)
    answer = run_test(qtbot, panel)
    assert panel.result.kind == "error"
    assert answer.startswith("The database is empty")
    assert "frontdesk db upgrade" in answer


def test_with_a_keyring_the_password_is_kept_there_and_never_in_a_file(
    qtbot: QtBot, screen: ScreenContext, workstation_home: Path
) -> None:
    keyring.set_keyring(MemoryKeyring())
    panel = open_panel(qtbot, screen)
    assert "kept in this computer's keyring" in panel.password_note.text()
    fill(panel, "frontdesk", mode=SslMode.REQUIRE)
    panel.host.setText("server.clinic.lan")
    panel.password.setText("typed-secret-42")
    with qtbot.waitSignal(panel.saved, timeout=10_000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    saved = connection.load_profile()
    assert saved is not None and saved.password_source is PasswordSource.KEYRING
    assert connection.stored_password(saved) == "typed-secret-42"
    assert "kept in this computer's keyring" in panel.banner.text
    for path in workstation_home.rglob("*"):
        if path.is_file():
            assert b"typed-secret-42" not in path.read_bytes()
    url = connection.server_url_for_startup(lambda _profile: pytest.fail("asked"))
    assert url is not None and make_url(url).password == "typed-secret-42"

    # Saving again without typing it keeps the stored password where it is.
    with qtbot.waitSignal(panel.saved, timeout=10_000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    again = connection.load_profile()
    assert again is not None and again.password_source is PasswordSource.KEYRING
