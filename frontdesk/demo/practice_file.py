"""The demo practice the app offers on a new database: its own file in the data folder.

The demo is never written into the practice's database: it lives in ``frontdesk-demo.sqlite3``
beside it, is built in a temporary file first (a cancelled or failed build leaves no
half demo), and is opened acting as a demo user who needs no account. Opening it again
reuses the file.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from frontdesk.db.engine import Database
from frontdesk.demo.generator import generate
from frontdesk.domain.actor import Actor, workstation_name
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.permissions import Role
from frontdesk.domain.progress import ProgressCallback, no_progress, report_or_cancel
from frontdesk.paths import data_dir
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice.first_run import needs_first_run

DEMO_FILE_NAME = "frontdesk-demo.sqlite3"
# A small practice: built in seconds, yet with a full week at the desk to explore.
DEMO_PATIENTS = 400
DEMO_SEED = 7
# Four weeks of history and eight ahead: what the desk looks at, built in a few seconds.
DEMO_SCHEDULE_DAYS = (28, 56)
# Progress in percent: the schema, then the patients, then the rest (requests, histories and
# the schedule, most of the time), reported as each is done.
_SCHEMA_DONE = 10
_PATIENTS_DONE = 40
_TOTAL = 100


@dataclass(frozen=True)
class DemoPractice:
    services: ServiceContext  # acting as the demo user
    path: Path
    created: bool  # built now (False: the file was there already)


def demo_database_file() -> Path:
    return data_dir() / DEMO_FILE_NAME


def demo_actor() -> Actor:
    return Actor(
        username="demo",
        role=Role.ADMIN,
        workstation=workstation_name(),
        display_name="Demo user",
    )


def _same_file(one: Path, other: Path | None) -> bool:
    if other is None:
        return False
    try:
        return one.resolve() == other.resolve()
    except OSError:
        return False


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _open_existing(path: Path) -> DemoPractice | None:
    if not path.exists():
        return None
    database, _copy = open_for_use(f"sqlite:///{path}")
    context = make_context(database, demo_actor())
    try:
        if not needs_first_run(context):
            return DemoPractice(context, path, created=False)
    except BaseException:
        database.dispose()
        raise
    database.dispose()  # an empty or broken demo: built again
    return None


def open_demo_practice(
    progress: ProgressCallback = no_progress,
    *,
    path: Path | None = None,
    patients: int = DEMO_PATIENTS,
    practice: Database | None = None,
) -> DemoPractice:
    """The demo practice, built first when its file does not exist yet. ``progress``
    reports in percent (and may cancel: nothing is left behind then). ``practice``: the
    practice's own database, which the demo may never be (nor replace)."""
    path = path or demo_database_file()
    if practice is not None and _same_file(path, practice.sqlite_path):
        raise RefusedError(
            f"Front Desk was started on the demo file {path} as the practice's database: "
            "start it on the practice's own database to explore the demo"
        )
    existing = _open_existing(path)
    if existing is not None:
        return existing
    report_or_cancel(progress, 0, _TOTAL)
    building = path.with_name(path.name + ".building")
    _remove(building)
    try:
        database, _copy = open_for_use(f"sqlite:///{building}")
        try:
            report_or_cancel(progress, _SCHEMA_DONE, _TOTAL)
            share = _PATIENTS_DONE - _SCHEMA_DONE
            generate(
                make_context(database, demo_actor()),
                patients=patients,
                seed=DEMO_SEED,
                schedule_days=DEMO_SCHEDULE_DAYS,
                progress=lambda done, all_: progress(
                    _SCHEMA_DONE + share * done // max(1, all_), _TOTAL
                ),
            )
        finally:
            database.dispose()
        # Cancelled while the schedule was written: the finished file is not kept either.
        report_or_cancel(progress, _TOTAL, _TOTAL)
        _remove(path)
        os.replace(building, path)
    finally:
        _remove(building)
    database, _copy = open_for_use(f"sqlite:///{path}")
    return DemoPractice(make_context(database, demo_actor()), path, created=True)
