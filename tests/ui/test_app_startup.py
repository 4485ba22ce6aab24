"""Starting the app as a whole: a database it cannot use, and a normal start to the window."""

from __future__ import annotations

import configparser
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import open_for_use
from frontdesk.services.practice.first_run import complete_first_run, create_first_admin
from frontdesk.services.practice.forms import NewUserForm, PracticeProfileForm, ProviderForm
from frontdesk.ui.app import run_app
from frontdesk.ui.workstation_settings import SETTINGS_FILE

# The offscreen platform used by the tests warns when a window's size limits change.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def answer_dialog_when_shown(seen: list[str]) -> None:
    """Read and close the start-up dialog once run_app shows it (it waits for a click)."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(f"{box.windowTitle()}\n{box.text()}\n{box.informativeText()}")
            box.done(0)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def run_app_in_process(qtbot: QtBot, url: str) -> tuple[int, str]:
    seen: list[str] = []
    answer_dialog_when_shown(seen)
    code = run_app(url)
    assert len(seen) == 1
    return code, seen[0]


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "letter.sqlite3"
    content = b"Dear Dr. Patel, thank you for the referral..." * 20
    path.write_bytes(content)
    code, shown = run_app_in_process(qtbot, f"sqlite:///{path}")
    assert code == 2
    assert "cannot open its database" in shown
    assert "not a Front Desk (SQLite) database file" in shown
    assert "Nothing was changed" in shown
    assert path.read_bytes() == content


def test_a_database_from_a_newer_app_is_refused_and_left_alone(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "newer.sqlite3"
    database, _copy = open_for_use(f"sqlite:///{path}")
    database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    before = path.read_bytes()
    code, shown = run_app_in_process(qtbot, f"sqlite:///{path}")
    assert code == 2
    assert "9999" in shown or "newer" in shown.lower()
    assert path.read_bytes() == before
    assert not (tmp_path / "backups").exists()  # no upgrade was attempted


def test_a_server_that_cannot_be_reached_is_explained(qtbot: QtBot) -> None:
    code, shown = run_app_in_process(qtbot, "postgresql://frontdesk:pw-123@127.0.0.1:1/frontdesk")
    assert code == 2
    assert "Cannot reach the database server" in shown
    assert "pw-123" not in shown


def launch(
    url: str, home: Path, program: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    """The app as a process on ``url`` (``program``: Python code run instead of the entry
    point, with the URL as its argument)."""
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "FRONTDESK_QUIT_WHEN_SHOWN": "1",
        # The workstation's memory is in its data folder: each test starts a new workstation.
        "FRONTDESK_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        **extra,
    }
    command = ["-c", program, url] if program else ["-m", "frontdesk", "--database", url]
    return subprocess.run(
        [sys.executable, *command],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def set_up_practice(context: ServiceContext) -> None:
    complete_first_run(
        context,
        PracticeProfileForm(name="Lakeside Spine Center", main_phone="217-555-0142"),
        [ProviderForm(first_name="Ana", last_name="Lindqvist", credentials="MD")],
    )


@pytest.mark.slow
def test_the_app_starts_to_its_sign_in_screen(
    context: ServiceContext, database_url: str, tmp_path: Path
) -> None:
    # Window settings being remembered is tested in test_main_window; a process started
    # here stops at the sign-in (FRONTDESK_QUIT_WHEN_SHOWN reports the first usable screen).
    set_up_practice(context)
    create_first_admin(context, NewUserForm("ana.admin", "violet canoe morning", Role.ADMIN))
    result = launch(database_url, tmp_path)
    assert result.returncode == 0, result.stderr
    seconds = float(result.stdout.strip().splitlines()[-1])
    assert seconds > 0
    assert settings_sections(tmp_path) == {"firstScreen"}  # no window settings saved


def settings_sections(home: Path) -> set[str]:
    """The groups of the workstation settings a process started by ``launch`` saved."""
    parser = configparser.ConfigParser()
    parser.read(home / "data" / SETTINGS_FILE)
    return set(parser.sections())


# Run instead of the entry point: names the database layer loaded when each first screen shows.
SHOW_SPY = """
import sys
from frontdesk.ui import app

show = app.Launcher._show_first
LAYER = ("sqlalchemy", "alembic", "psycopg", "frontdesk.db", "frontdesk.services.kernel")


def spy(launcher, dialog):
    layer = sorted(name for name in sys.modules if name.startswith(LAYER))
    print(type(dialog).__name__, "database layer:", " ".join(layer) or "none", flush=True)
    show(launcher, dialog)


app.Launcher._show_first = spy
sys.exit(app.run_app(sys.argv[1]))
"""


@pytest.mark.slow
def test_the_next_start_shows_the_sign_in_before_the_database_layer_loads(
    context: ServiceContext, database_url: str, tmp_path: Path
) -> None:
    set_up_practice(context)
    create_first_admin(context, NewUserForm("ana.admin", "violet canoe morning", Role.ADMIN))
    # The first start on this workstation opens the database first, as it always did.
    first = launch(database_url, tmp_path, SHOW_SPY)
    assert first.returncode == 0, first.stderr
    shown = first.stdout.strip().splitlines()
    assert shown[0].startswith("SignInDialog database layer: ")
    assert "sqlalchemy" in shown[0].split()
    assert settings_sections(tmp_path) == {"firstScreen"}
    # It remembered the sign-in: from now on that shows first, and the time is printed once
    # the database, opened behind it, agreed (FRONTDESK_QUIT_WHEN_SHOWN).
    second = launch(database_url, tmp_path, SHOW_SPY)
    assert second.returncode == 0, second.stderr
    shown = second.stdout.strip().splitlines()
    assert shown[0] == "SignInDialog database layer: none"
    assert len(shown) == 2 and float(shown[1]) > 0


def modules_loaded_by(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(result.stdout.split())


AREA_PACKAGES = (
    "today", "requests", "schedule", "patients", "handouts", "inbox", "admin", "audit"
)  # fmt: skip


def test_the_sign_in_screen_loads_no_area_and_not_the_main_window() -> None:
    # Cold start waits for every module the first screen imports: the areas, their
    # services and the main window load after the sign-in.
    loaded = modules_loaded_by(
        "import frontdesk.__main__, frontdesk.ui.app, frontdesk.ui.security.sign_in"
    )
    areas = {
        name
        for name in loaded
        if name.startswith(tuple(f"frontdesk.ui.{package}" for package in AREA_PACKAGES))
    }
    assert areas == set()
    assert "frontdesk.ui.main_window" not in loaded
    # Used by forms the first screen does not have (phone and e-mail fields).
    assert not {"phonenumbers", "email_validator"} & loaded
