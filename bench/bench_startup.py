"""Cold start: `python -m frontdesk --database URL` to its first usable screen, as a process.

The practice has accounts, so the first usable screen is the sign-in window (the main window
follows the password). Each sample starts a new process (offscreen platform). The app prints
the seconds from its launch (the launcher's clock, passed in FRONTDESK_LAUNCHED_AT) to the
first full paint of that screen, then quits (FRONTDESK_QUIT_WHEN_SHOWN=1) once the database,
opened behind it, has confirmed that screen. The workstation remembers that it showed the
sign-in (the untimed first start records it), as on a desk used every day; one more figure
starts each time on a workstation that remembers nothing (the database opens first, as on
the very first start). Baseline, measured
alternately in the same run: the bare floor, a tiny script that imports Qt and shows one
QMainWindow. Goal (issue #14): under 0.5 s on SQLite. Also recorded: the same start on the
shared 1,000,000-patient SQLite demo database when an earlier module of this run (bench_demo)
has built it, and on PostgreSQL when reachable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import demo_databases
from bench.harness import Bench
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice.first_run import (
    complete_first_run,
    create_first_admin,
    has_users,
    needs_first_run,
)
from frontdesk.services.practice.forms import NewUserForm, PracticeProfileForm, ProviderForm

RUNS = 7
FLOOR = "startup: bare Qt, one QMainWindow shown (floor)"
APP_SQLITE = "startup: app to the sign-in screen (SQLite)"
APP_SQLITE_FIRST = "startup: app to the sign-in screen (SQLite, first start on the workstation)"
APP_POSTGRES = "startup: app to the sign-in screen (PostgreSQL)"
APP_BIG = "startup: app to the sign-in screen (SQLite, 1M-patient demo)"

FLOOR_SCRIPT = """
import os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 800)
window.show()
def report():
    window.repaint()
    print(f"{time.time() - float(os.environ['FRONTDESK_LAUNCHED_AT']):.4f}", flush=True)
    app.quit()
QTimer.singleShot(0, report)
app.exec()
"""


def _seconds(command: list[str], environment: dict[str, str]) -> float:
    """Start ``command`` now; the seconds it reports from this moment to its shown window."""
    launched = {**environment, "FRONTDESK_LAUNCHED_AT": repr(time.time())}
    finished = subprocess.run(
        command, env=launched, capture_output=True, text=True, timeout=120, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[:4])} exited with {finished.returncode}: "
            f"{finished.stderr.strip()[-300:]}"
        )
    return float(finished.stdout.strip().splitlines()[-1])


def _set_up(url: str) -> None:
    database, _copy = open_for_use(url)
    try:
        context = make_context(database, Actor(username="bench", role=Role.ADMIN))
        if needs_first_run(context):
            complete_first_run(
                context,
                PracticeProfileForm(name="Lakeside Spine Center", main_phone="217-555-0142"),
                [ProviderForm(first_name="Ana", last_name="Lindqvist")],
            )
        if not has_users(context):
            create_first_admin(
                context, NewUserForm("bench.admin", "correct horse battery", Role.ADMIN)
            )
    finally:
        database.dispose()


def _forgetful(environment: dict[str, str], home: Path) -> dict[str, str]:
    """``environment`` with workstation settings of its own, new each time: nothing remembered."""
    return {**environment, "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="config-", dir=home)}


def _app(url: str) -> list[str]:
    return [sys.executable, "-m", "frontdesk", "--database", url]


def _postgres_database() -> tuple[str, str] | None:
    admin_url = demo_databases.PG_ADMIN_URL
    name = f"frontdesk_bench_startup_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        return None
    finally:
        admin.dispose()
    return name, make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(name: str) -> None:
    admin = create_engine(demo_databases.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def run(bench: Bench) -> None:
    with tempfile.TemporaryDirectory(prefix="frontdesk-startup-bench-") as folder:
        home = Path(folder)
        environment = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "FRONTDESK_QUIT_WHEN_SHOWN": "1",
            "FRONTDESK_HOME": str(home),
            # Window settings of these runs stay out of the developer's own.
            "XDG_CONFIG_HOME": str(home / "config"),
        }
        sqlite_url = f"sqlite:///{home / 'startup.sqlite3'}"
        _set_up(sqlite_url)
        floor = [sys.executable, "-c", FLOOR_SCRIPT]
        targets = [(APP_SQLITE, _app(sqlite_url))]

        big = demo_databases.sqlite_url()
        big_path = Path(make_url(big).database or "")
        if big_path.with_suffix(".complete").exists():
            _set_up(big)
            targets.append((APP_BIG, _app(big)))

        postgres = _postgres_database()
        try:
            if postgres is not None:
                _set_up(postgres[1])
                targets.append((APP_POSTGRES, _app(postgres[1])))
            # One untimed start of each fills the disk cache, as on a desk used every day.
            _seconds(floor, environment)
            for _name, command in targets:
                _seconds(command, environment)
            # Alternating runs: a busy moment on the machine affects both sides alike.
            for _ in range(RUNS):
                bench.record(FLOOR, _seconds(floor, environment), "s")
                for name, command in targets:
                    bench.record(name, _seconds(command, environment), "s", baseline=FLOOR)
                first_start = _seconds(targets[0][1], _forgetful(environment, home))
                bench.record(APP_SQLITE_FIRST, first_start, "s", baseline=FLOOR)
        finally:
            if postgres is not None:
                _drop_postgres(postgres[0])
