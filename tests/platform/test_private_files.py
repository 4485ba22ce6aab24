"""Patient data on disk: private to this account; nothing left behind by a killed export."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.db.engine import open_database
from frontdesk.db.models import AuditEntry
from frontdesk.paths import data_dir
from frontdesk.private_files import scratch_folder, sweep_leftovers
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.platform import backup

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def add_people(context: ServiceContext, count: int) -> None:
    for first, last, born in [
        ("Ana", "Reyes", "1970-01-02"),
        ("Li", "Wei", "1981-05-06"),
        ("Omar", "Haddad", "1959-11-30"),
    ][:count]:
        create_patient(context, PatientForm(first, last, born))


@posix_only
@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_database_its_journal_and_backups_are_private(
    context: ServiceContext, tmp_path: Path
) -> None:
    os.umask(0o022)  # the usual umask, under which files are world-readable by default
    path = tmp_path / "fresh" / "practice.sqlite3"
    path.parent.mkdir()
    database = open_database(f"sqlite:///{path}")
    try:
        with database.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x)")
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert mode(part) == 0o600, part
    finally:
        database.dispose()
    assert mode(data_dir()) == 0o700
    add_people(context, 1)
    result = backup.backup_database(context)
    assert mode(result.path) == 0o600
    assert mode(result.path.parent) == 0o700
    checksum = result.path.with_name(result.path.name + backup.CHECKSUM_EXTENSION)
    assert mode(checksum) == 0o600


@posix_only
def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    open_database(f"sqlite:///{path}").dispose()
    os.chmod(path, 0o644)
    open_database(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600


KILLED_EXPORT = """
import os, signal, sys
from frontdesk.db.engine import open_database
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel import audit
from frontdesk.services.patients import patient_export
from frontdesk.services.platform.bootstrap import make_context

audit.install()
boss = Actor(username="boss", role=Role.ADMIN, workstation="desk-1")
context = make_context(open_database(sys.argv[1]), boss)
patient_export.BATCH = 1

def die_after_one_row(done, total):
    if done >= 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return True

patient_export.export_patients(context, sys.argv[2], progress=die_after_one_row)
"""


@posix_only
def test_a_killed_export_is_on_the_record_and_its_partial_file_is_swept(
    context: ServiceContext, database_url: str, tmp_path: Path
) -> None:
    add_people(context, 3)
    out = tmp_path / "out"
    out.mkdir()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, database_url, str(out / "all.csv")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    leftovers = list(out.iterdir())
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".export-")
    assert mode(leftovers[0]) == 0o600
    with context.database.read_sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert json.loads(entry.details)["rows"] == 3

    assert sweep_leftovers() == 1
    assert list(out.iterdir()) == []
    assert sweep_leftovers() == 0


KILLED_BACKUP = """
import os, signal, sys
from frontdesk.private_files import scratch_folder

with scratch_folder(".backup-") as folder:
    (folder / "copy.sqlite3").write_bytes(b"every patient")
    print(folder, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


@posix_only
def test_a_killed_backup_leaves_a_plain_copy_that_the_next_start_removes() -> None:
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BACKUP], capture_output=True, text=True, timeout=60
    )
    folder = Path(killed.stdout.strip())
    assert killed.returncode == -9 and (folder / "copy.sqlite3").exists()
    assert mode(folder) == 0o700
    started = subprocess.run(
        [sys.executable, "-m", "frontdesk", "--version"], capture_output=True, timeout=60
    )
    assert started.returncode == 0
    assert not folder.exists()


def test_a_scratch_folder_in_use_is_not_swept() -> None:
    with scratch_folder(".backup-") as folder:
        (folder / "copy.sqlite3").write_bytes(b"in use")
        assert sweep_leftovers() == 0
        assert (folder / "copy.sqlite3").exists()
    assert not folder.exists()
