"""Moving a practice between SQLite and PostgreSQL: exact copies, verified, never half-made.

Real SQLite files and real scratch databases on the local PostgreSQL server (created with
unique names, dropped afterwards). Run as ``python -m tests.platform.test_db_copy SOURCE
TARGET`` this module is the child process that the interrupted-copy test kills.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from frontdesk.db import migrate
from frontdesk.db.engine import Database, open_database
from frontdesk.db.models import AuditEntry, Location, Setting
from frontdesk.db.models_handouts import HandoutVersion
from frontdesk.db.models_history import PriorSurgery, ReceivedDocument
from frontdesk.db.models_patients import Patient
from frontdesk.db.server_roles import ServerRoleNames
from frontdesk.demo import generator as demo
from frontdesk.domain.actor import Actor, operating_system_actor
from frontdesk.domain.errors import (
    DatabaseUnavailableError,
    PermissionDeniedError,
    ValidationError,
)
from frontdesk.domain.permissions import Role
from frontdesk.domain.progress import Cancelled
from frontdesk.services.kernel import audit
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.platform import audit_trail, db_copy
from frontdesk.services.platform.db_copy import (
    CopyFailedError,
    CopyRefusedError,
    TableChecksum,
    TargetState,
)
from frontdesk.services.platform.person_roles import set_up_person_roles
from frontdesk.services.practice.forms import LocationForm
from frontdesk.services.practice.locations import save_location
from frontdesk.services.practice.sign_in import SignInError
from tests.accounts import PASSWORDS, add_user
from tests.conftest import PG_ADMIN_URL
from tests.helpers.person_roles import (
    drop_roles,
)

REPO = Path(__file__).resolve().parents[2]
BOTH = pytest.mark.parametrize(
    "target_backend",
    [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)],
)
ACTOR = Actor(username="copy.test", role=Role.ADMIN, workstation="copy-desk")
# An admin account in the demo practice: copying off a server needs one of that server's.
SERVER_ADMIN = "copy.admin"

HOSTILE_TEXT = [
    "Zoë Ñúñez-Ångström",
    "秀英 王",
    "Иван Петров",
    "محمد عبد الله",
    "👩🏽‍⚕️ emoji with a skin tone and a zero-width joiner",
    "e\u0301 (combining accent) and \u200b zero-width space",
    'O\'Brien "Jr" `backtick`',
    "C:\\temp\\new \\N \\. backslashes and COPY markers",
    "tab\there, CRLF\r\nline, LF\nline, \u2028 line separator",
    "'); DROP TABLE patients;--",
    "\x7f \x01 \x1f control characters",
]
LONG_NOTE = "".join(HOSTILE_TEXT) * 2_000  # about 600,000 characters
DOCUMENTS = [
    bytes(range(256)) * 40,
    b"",
    b"\\x00\\\\N\\.\x00\r\n\t",
    random.Random(7).randbytes(3 * 1024 * 1024),
]
EXACT_TIMES = [
    datetime(2024, 3, 10, 7, 59, 59, 999_999, tzinfo=UTC),  # a DST change in the US
    datetime(1901, 12, 13, 20, 45, 52, 1, tzinfo=UTC),
    datetime(2038, 1, 19, 3, 14, 8, 123_456, tzinfo=UTC),
]


# ---------------------------------------------------------------------------------------------
# Databases


def _new_sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / name}"


def _target_url(backend: str, folder: Path, scratch: Callable[[], str]) -> str:
    return _new_sqlite_url(folder, "target.sqlite3") if backend == "sqlite" else scratch()


def _migrated(url: str) -> str:
    database = open_database(url)
    try:
        migrate.upgrade(database)
    finally:
        database.dispose()
    return url


def _hostile_records(database: Database) -> None:
    """Rows the services would clean up, written as stored: the copy must keep them exactly."""
    with database.write_engine.begin() as connection:
        next_id = connection.scalar(select(Patient.id).order_by(Patient.id.desc()).limit(1)) or 0
        merged_into, merged = next_id + 10, next_id + 5
        common = {
            "sort_key": "hostile",
            "version": 3,
            "created_by": HOSTILE_TEXT[2],
            "updated_by": HOSTILE_TEXT[0],
        }
        # The kept chart has the higher id, so the merged one is copied before it.
        connection.execute(
            insert(Patient.__table__),
            [
                {
                    **common,
                    "id": merged_into,
                    "mrn": "H0000002",
                    "first_name": HOSTILE_TEXT[1],
                    "last_name": HOSTILE_TEXT[3],
                    "date_of_birth": date(1900, 1, 1),
                    "interpreter_needed": True,
                    "notes": LONG_NOTE,
                    "created_at": EXACT_TIMES[0],
                    "updated_at": EXACT_TIMES[1],
                },
            ],
        )
        connection.execute(
            insert(Patient.__table__),
            [
                {
                    **common,
                    "id": merged,
                    "mrn": "H0000001",
                    "first_name": HOSTILE_TEXT[0],
                    "middle_name": HOSTILE_TEXT[5],
                    "last_name": HOSTILE_TEXT[6],
                    "date_of_birth": date(2024, 2, 29),
                    "interpreter_needed": False,
                    "notes": "\n".join(HOSTILE_TEXT),
                    "address_line1": HOSTILE_TEXT[7],
                    "address_line2": HOSTILE_TEXT[8],
                    "city": HOSTILE_TEXT[9],
                    "email": HOSTILE_TEXT[10],
                    "merged_into_id": merged_into,
                    "merged_at": EXACT_TIMES[2],
                    "created_at": EXACT_TIMES[1],
                    "updated_at": EXACT_TIMES[2],
                },
            ],
        )
        surgery_ids = []
        for number, instrumentation in enumerate((None, True, False)):
            surgery_ids.append(
                connection.execute(
                    insert(PriorSurgery.__table__)
                    .values(
                        patient_id=merged_into,
                        procedure="other",
                        procedure_label=HOSTILE_TEXT[number],
                        instrumentation=instrumentation,
                        notes=HOSTILE_TEXT[8],
                        created_at=EXACT_TIMES[number],
                        updated_at=EXACT_TIMES[number],
                    )
                    .returning(PriorSurgery.id)
                ).scalar_one()
            )
        for number, content in enumerate(DOCUMENTS):
            connection.execute(
                insert(ReceivedDocument.__table__).values(
                    patient_id=merged_into,
                    surgery_id=surgery_ids[number % len(surgery_ids)],
                    kind="operative_report",
                    file_name=f"{HOSTILE_TEXT[number]}.pdf",
                    mime_type="application/pdf",
                    size_bytes=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    received_at=EXACT_TIMES[number % len(EXACT_TIMES)],
                    received_by=HOSTILE_TEXT[4],
                    content=content,
                )
            )
        connection.execute(
            insert(Setting.__table__),
            [
                {"key": f"hostile.{number}", "value": value}
                for number, value in enumerate(HOSTILE_TEXT)
            ],
        )
        connection.execute(
            insert(HandoutVersion.__table__).values(
                sha256="f" * 64,
                handout_id="after-fusion",
                language="es",
                version="1",
                title=HOSTILE_TEXT[0],
                text=LONG_NOTE,
                first_given_at=EXACT_TIMES[0],
            )
        )
    # And through a service, so the audit trail holds the hostile text in its details.
    context = ServiceContext(database, ACTOR)
    save_location(context, LocationForm(name=HOSTILE_TEXT[1], address=HOSTILE_TEXT[3]))
    add_user(context, SERVER_ADMIN, Role.ADMIN)


def _server_admin(url: str) -> Actor:
    """The demo practice's admin, signed in on the server ``url`` as a copy off it needs."""
    return db_copy.sign_in_to_source(url, SERVER_ADMIN, PASSWORDS[Role.ADMIN])


def _entries(url: str) -> list[dict[str, Any]]:
    return _table_rows(url, AuditEntry.__table__, AuditEntry.id)


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite practice: 300 demo patients with histories, plus the hostile rows above."""
    audit.install()
    url = _new_sqlite_url(tmp_path_factory.mktemp("source"), "practice.sqlite3")
    database = open_database(url)
    try:
        migrate.upgrade(database)
        demo.generate(database, patients=300, seed=3)
        _hostile_records(database)
    finally:
        database.dispose()
    return url


def _table_rows(url: str, table: Any, key: Any) -> list[dict[str, Any]]:
    database = open_database(url, create=False)
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(select(table).order_by(key)).mappings().all()
            return [dict(row) for row in rows]
    finally:
        database.dispose()


def _counts(url: str) -> dict[str, int]:
    database = open_database(url, create=False)
    try:
        with database.engine.connect() as connection:
            return {
                table.name: connection.scalar(select(text("count(*)")).select_from(table)) or 0
                for table in db_copy.copy_tables()
            }
    finally:
        database.dispose()


# ---------------------------------------------------------------------------------------------
# The round trip


@pytest.mark.postgres
def test_sqlite_to_postgresql_and_back_keeps_every_value(
    demo_source: str, scratch_postgres: Callable[[], str], tmp_path: Path
) -> None:
    server = scratch_postgres()
    stages: list[str] = []
    reports: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        reports.append((done, total))
        return True

    there = db_copy.copy_database(
        demo_source,
        server,
        actor=ACTOR,
        batch_size=97,
        progress=progress,
        stage=stages.append,
    )
    assert there.ok, there.describe()
    assert there.created_schema and not there.replaced
    assert there.rows == sum(_counts(demo_source).values()) > 2_000
    assert {check.table for check in there.tables} == {t.name for t in db_copy.copy_tables()}
    assert there.target_chain.intact and there.target_chain.checked >= 2
    assert any(stage.startswith("Copying patients") for stage in stages)
    # Progress counts rows copied, then rows read back, each up to its total.
    assert reports[0] == (0, there.rows)
    assert (there.rows, there.rows) in reports
    assert "every table has the same rows" in there.describe()

    went = _entries(demo_source)
    assert _entries(server) == went
    back_url = _new_sqlite_url(tmp_path, "back.sqlite3")
    back = db_copy.copy_database(server, back_url, actor=_server_admin(server), batch_size=1_000)
    assert back.ok, back.describe()
    assert [c.source_checksum for c in back.tables if c.table != "audit_entries"] == [
        c.target_checksum for c in there.tables if c.table != "audit_entries"
    ]
    # And the file that came back is the file that went, checked independently, but for the
    # server's trail of the copy back: the admin's sign-in and the disclosure.
    assert db_copy.verify_copy(demo_source, back_url).differing == ("audit_entries",)
    assert db_copy.verify_copy(server, back_url).ok
    came_back = _entries(back_url)
    assert came_back[: len(went)] == went
    assert [(e["username"], e["action"]) for e in came_back[len(went) :]] == [
        (SERVER_ADMIN, "sign_in"),
        (SERVER_ADMIN, "export"),
    ]

    for url in (server, back_url):
        for table, key in (
            (Patient.__table__, Patient.id),
            (ReceivedDocument.__table__, ReceivedDocument.id),
            (PriorSurgery.__table__, PriorSurgery.id),
            (Setting.__table__, Setting.key),
            (HandoutVersion.__table__, HandoutVersion.sha256),
        ):
            assert _table_rows(url, table, key) == _table_rows(demo_source, table, key), (
                f"{table.name} differs in {url}"
            )
    documents = _table_rows(back_url, ReceivedDocument.__table__, ReceivedDocument.id)
    assert [row["content"] for row in documents[-len(DOCUMENTS) :]] == DOCUMENTS
    hostile = [
        row for row in _table_rows(server, Patient.__table__, Patient.id) if row["mrn"][0] == "H"
    ]
    assert hostile[0]["notes"] == "\n".join(HOSTILE_TEXT)
    assert hostile[1]["notes"] == LONG_NOTE
    assert hostile[1]["created_at"] == EXACT_TIMES[0]
    assert hostile[0]["merged_into_id"] == hostile[1]["id"]


@BOTH
def test_new_records_after_a_copy_get_new_ids_and_extend_the_audit_chain(
    demo_source: str,
    scratch_postgres: Callable[[], str],
    tmp_path: Path,
    target_backend: str,
) -> None:
    target = _target_url(target_backend, tmp_path, scratch_postgres)
    assert db_copy.copy_database(demo_source, target, actor=ACTOR).ok
    highest = max(row["id"] for row in _table_rows(target, Patient.__table__, Patient.id))
    last_mrn = max(
        row["mrn"]
        for row in _table_rows(target, Patient.__table__, Patient.id)
        if row["mrn"][0] == "M"
    )
    database = open_database(target)
    try:
        context = ServiceContext(database, ACTOR)
        created = create_patient(
            context,
            PatientForm(first_name="Nadia", last_name="Copyton", date_of_birth=date(1971, 5, 4)),
            allow_duplicates=True,
        )
        location = save_location(context, LocationForm(name="After the move"))
        assert created.id == highest + 1
        assert created.mrn > last_mrn
        assert location.id > 1
        assert audit_trail.verify_chain(context).intact
    finally:
        database.dispose()


@pytest.mark.postgres
def test_ids_handed_out_on_the_server_are_never_handed_out_again(
    scratch_postgres: Callable[[], str],
) -> None:
    source = _migrated(scratch_postgres())
    database = open_database(source)
    try:
        context = ServiceContext(database, ACTOR)
        add_user(context, SERVER_ADMIN, Role.ADMIN)
        for number in range(5):
            save_location(context, LocationForm(name=f"Clinic {number}"))
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM locations WHERE id >= 4"))
    finally:
        database.dispose()
    target = scratch_postgres()
    assert db_copy.copy_database(source, target, actor=_server_admin(source)).ok
    database = open_database(target)
    try:
        again = save_location(ServiceContext(database, ACTOR), LocationForm(name="New"))
    finally:
        database.dispose()
    assert again.id == 6  # not 4: ids 4 and 5 belonged to locations that were deleted


# ---------------------------------------------------------------------------------------------
# Refusals


@BOTH
def test_a_target_that_holds_records_is_refused_unless_replaced(
    demo_source: str,
    scratch_postgres: Callable[[], str],
    tmp_path: Path,
    target_backend: str,
) -> None:
    target = _migrated(_target_url(target_backend, tmp_path, scratch_postgres))
    database = open_database(target)
    try:
        context = ServiceContext(database, ACTOR)
        save_location(context, LocationForm(name="Already here"))
        save_location(context, LocationForm(name="Also here"))
    finally:
        database.dispose()
    plan = db_copy.plan_copy(demo_source, target)
    assert (plan.target_state, plan.target_rows) == (TargetState.HOLDS_DATA, 4)  # and 2 audit
    with pytest.raises(CopyRefusedError, match="already holds 4 records"):
        db_copy.copy_database(demo_source, target, actor=ACTOR)
    names = [row["name"] for row in _table_rows(target, Location.__table__, Location.id)]
    assert names == ["Already here", "Also here"]

    # Replacing empties every table, the append-only audit trail included, and copies.
    report = db_copy.copy_database(demo_source, target, actor=ACTOR, replace=True)
    assert report.ok and report.replaced, report.describe()
    names = [row["name"] for row in _table_rows(target, Location.__table__, Location.id)]
    assert "Already here" not in names
    # The audit trail is append-only again afterwards.
    database = open_database(target)
    try:
        with pytest.raises(Exception, match="append-only"), database.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_entries"))
    finally:
        database.dispose()


@BOTH
def test_a_new_database_with_only_what_the_migrations_add_counts_as_empty(
    demo_source: str, scratch_postgres: Callable[[], str], tmp_path: Path, target_backend: str
) -> None:
    target = _migrated(_target_url(target_backend, tmp_path, scratch_postgres))
    plan = db_copy.plan_copy(demo_source, target)
    assert (plan.target_state, plan.target_rows) == (TargetState.EMPTY, 0)
    assert db_copy.copy_database(demo_source, target, actor=ACTOR).ok


@pytest.mark.parametrize(
    ("stamp", "message"),
    [("0003", r"older schema 0003 .*upgrade it first"), ("9999", "newer than this app knows")],
)
@pytest.mark.parametrize("which", ["source", "target"])
def test_a_schema_that_is_not_current_is_refused(
    tmp_path: Path, stamp: str, message: str, which: str
) -> None:
    source = _migrated(_new_sqlite_url(tmp_path, "source.sqlite3"))
    target = _migrated(_new_sqlite_url(tmp_path, "target.sqlite3"))
    stamped = source if which == "source" else target
    with sqlite3.connect(make_url(stamped).database or "") as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (stamp,))
    with pytest.raises(CopyRefusedError, match=f"The {which} .*{message}"):
        db_copy.copy_database(source, target, actor=ACTOR)


def test_the_same_database_twice_and_a_missing_source_are_refused(tmp_path: Path) -> None:
    source = _migrated(_new_sqlite_url(tmp_path, "practice.sqlite3"))
    with pytest.raises(ValidationError, match="the same database"):
        db_copy.copy_database(
            source, f"sqlite:///{tmp_path}/../{tmp_path.name}/practice.sqlite3", actor=ACTOR
        )
    with pytest.raises(Exception, match="There is no database file"):
        db_copy.copy_database(_new_sqlite_url(tmp_path, "missing.sqlite3"), source, actor=ACTOR)
    assert not (tmp_path / "missing.sqlite3").exists()


@pytest.mark.postgres
def test_text_postgresql_cannot_hold_is_named_and_nothing_is_written(
    scratch_postgres: Callable[[], str], tmp_path: Path
) -> None:
    source = _migrated(_new_sqlite_url(tmp_path, "practice.sqlite3"))
    database = open_database(source)
    try:
        with database.write_engine.begin() as connection:
            connection.execute(
                insert(Location.__table__).values(id=7, name="NUL\x00inside", address="")
            )
    finally:
        database.dispose()
    target = scratch_postgres()
    with pytest.raises(CopyFailedError, match=r"NUL character .* locations\.name of the row 7"):
        db_copy.copy_database(source, target, actor=ACTOR)
    plan = db_copy.plan_copy(source, target)
    assert plan.target_state is TargetState.EMPTY  # the tables were created, nothing else


# ---------------------------------------------------------------------------------------------
# Interruptions


def _copy_until_halfway(source: str, target: str) -> None:
    """The child process: copy in small batches, say when half is written, then wait."""

    def progress(done: int, total: int) -> bool:
        if done * 2 >= total > 0:
            print(f"halfway {done} {total}", flush=True)
            time.sleep(600)  # killed here, in the middle of the copy's transaction
        return True

    db_copy.copy_database(source, target, actor=ACTOR, batch_size=25, progress=progress)


@pytest.mark.slow
@BOTH
def test_a_copy_killed_halfway_leaves_no_records_and_a_rerun_completes(
    demo_source: str, scratch_postgres: Callable[[], str], tmp_path: Path, target_backend: str
) -> None:
    target = _target_url(target_backend, tmp_path, scratch_postgres)
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.platform.test_db_copy", demo_source, target],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.startswith("halfway"), child.stderr.read() if child.stderr else line
    done = int(line.split()[1])
    assert done > 1_000  # rows really were written into the open transaction
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    # Killed outright, so no "abandoned" entry: the disclosure was on the record before.
    last = _entries(demo_source)[-1]
    assert (last["username"], last["action"]) == (ACTOR.username, "export")

    plan = db_copy.plan_copy(demo_source, target)
    assert (plan.target_state, plan.target_rows) == (TargetState.EMPTY, 0)
    assert sum(_counts(target).values()) <= 1  # the MRN counter's first row at most
    if target_backend == "sqlite":
        with sqlite3.connect(tmp_path / "target.sqlite3") as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    report = db_copy.copy_database(demo_source, target, actor=ACTOR)
    assert report.ok, report.describe()


@BOTH
def test_a_cancelled_copy_writes_nothing(
    demo_source: str, scratch_postgres: Callable[[], str], tmp_path: Path, target_backend: str
) -> None:
    target = _target_url(target_backend, tmp_path, scratch_postgres)

    def cancel_at_half(done: int, total: int) -> bool:
        return done * 2 < total

    with pytest.raises(Cancelled):
        db_copy.copy_database(
            demo_source, target, actor=ACTOR, batch_size=50, progress=cancel_at_half
        )
    if target_backend == "sqlite":
        assert not (tmp_path / "target.sqlite3").exists()  # the file it had created is gone
    else:
        assert db_copy.plan_copy(demo_source, target).target_state is TargetState.EMPTY


# ---------------------------------------------------------------------------------------------
# A copy is a disclosure: who may copy, and its record in the source's trail

SOURCES = pytest.mark.parametrize(
    "source_backend",
    [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)],
)


def _small_practice(url: str) -> str:
    """A migrated practice with three charts, an admin and a front-desk account."""
    database = open_database(_migrated(url))
    try:
        context = ServiceContext(database, ACTOR)
        add_user(context, SERVER_ADMIN, Role.ADMIN)
        add_user(context, "copy.desk", Role.FRONT_DESK)
        for number in range(3):
            create_patient(
                context,
                PatientForm(
                    first_name=f"Ada{number}",
                    last_name="Copyshield",
                    date_of_birth=date(1970, 1, 2),
                ),
                allow_duplicates=True,
            )
    finally:
        database.dispose()
    return url


def _source(backend: str, folder: Path, scratch: Callable[[], str]) -> tuple[str, Actor]:
    """A small practice and who may copy it: on a file the computer's login, on a server
    its admin signed in there."""
    if backend == "sqlite":
        return _small_practice(
            _new_sqlite_url(folder, "practice.sqlite3")
        ), operating_system_actor()
    server = _small_practice(scratch())
    return server, _server_admin(server)


def _details(entry: dict[str, Any]) -> Any:
    details = entry["details"]
    return json.loads(details) if isinstance(details, str) else details


def _chain_intact(url: str) -> bool:
    database = open_database(url, create=False)
    try:
        return audit_trail.verify_chain(ServiceContext(database, ACTOR)).intact
    finally:
        database.dispose()


@pytest.mark.postgres
def test_only_an_admin_account_of_the_server_may_copy_off_it(
    scratch_postgres: Callable[[], str], tmp_path: Path
) -> None:
    server = _small_practice(scratch_postgres())
    target = _new_sqlite_url(tmp_path, "copy.sqlite3")
    before = _entries(server)
    desk = Actor(username="copy.desk", role=Role.FRONT_DESK, user_id=2, workstation="d")
    # The computer's login and an admin role without an account there are nobody on a server.
    for actor in (operating_system_actor(), ACTOR, desk):
        with pytest.raises(PermissionDeniedError):
            db_copy.copy_database(server, target, actor=actor)
    assert not (tmp_path / "copy.sqlite3").exists()
    assert _entries(server) == before  # refused before anything was recorded or read

    with pytest.raises(PermissionDeniedError, match="needs an admin's account"):
        db_copy.sign_in_to_source(server, "copy.desk", PASSWORDS[Role.FRONT_DESK])
    with pytest.raises(SignInError):
        db_copy.sign_in_to_source(server, SERVER_ADMIN, "not the password at all")
    actions = [(e["username"], e["action"]) for e in _entries(server)[len(before) :]]
    assert actions == [("copy.desk", "sign_in"), (SERVER_ADMIN, "sign_in_failed")]
    assert not (tmp_path / "copy.sqlite3").exists()


@SOURCES
def test_a_copy_is_recorded_in_the_source_before_its_first_row_is_read(
    scratch_postgres: Callable[[], str], tmp_path: Path, source_backend: str
) -> None:
    source, actor = _source(source_backend, tmp_path, scratch_postgres)
    target = _new_sqlite_url(tmp_path, "copy.sqlite3")
    report = db_copy.copy_database(source, target, actor=actor)
    assert report.ok, report.describe()
    disclosure = _entries(source)[-1]
    assert (disclosure["action"], disclosure["entity"]) == ("export", "database")
    assert disclosure["username"] == actor.username
    assert _details(disclosure) == {
        "format": "database copy",
        "to": "SQLite file",
        "file": "copy.sqlite3",
        "rows": report.rows - 1,  # planned before this entry, which is copied too
        "patients": 3,
        "documents": 0,
        "replacing": False,
    }
    # Committed before the copy read its snapshot, so the copy carries its own record.
    assert _entries(target)[-1] == disclosure
    assert _chain_intact(source) and report.target_chain.intact


@pytest.mark.postgres
def test_a_copy_to_a_server_names_the_database_and_never_its_password(
    scratch_postgres: Callable[[], str], tmp_path: Path
) -> None:
    source = _small_practice(_new_sqlite_url(tmp_path, "practice.sqlite3"))
    target = make_url(scratch_postgres()).set(password="s3cret-pw")
    assert db_copy.copy_database(
        source, target.render_as_string(hide_password=False), actor=ACTOR
    ).ok
    disclosure = _entries(source)[-1]
    details = _details(disclosure)
    assert details["to"] == "PostgreSQL server"
    assert details["database"] == target.database
    assert details["server"] == f"{target.host}:{target.port}"
    assert "s3cret" not in repr(disclosure)


@SOURCES
def test_an_interrupted_copy_leaves_the_disclosure_and_an_abandoned_entry(
    scratch_postgres: Callable[[], str], tmp_path: Path, source_backend: str
) -> None:
    source, actor = _source(source_backend, tmp_path, scratch_postgres)
    before = len(_entries(source))

    def cancel_at_half(done: int, total: int) -> bool:
        return done * 2 < total

    with pytest.raises(Cancelled):
        db_copy.copy_database(
            source,
            _new_sqlite_url(tmp_path, "copy.sqlite3"),
            actor=actor,
            batch_size=1,
            progress=cancel_at_half,
        )
    assert not (tmp_path / "copy.sqlite3").exists()
    added = _entries(source)[before:]
    assert [(e["username"], e["action"]) for e in added] == [
        (actor.username, "export"),
        (actor.username, "export_abandoned"),
    ]
    assert _details(added[1]) == {
        "to": "SQLite file",
        "file": "copy.sqlite3",
        "outcome": "cancelled; no records were written to the target",
    }
    assert _chain_intact(source)


# ---------------------------------------------------------------------------------------------
# Verification


@BOTH
def test_verification_names_each_table_that_differs_and_a_broken_audit_chain(
    demo_source: str, scratch_postgres: Callable[[], str], tmp_path: Path, target_backend: str
) -> None:
    target = _target_url(target_backend, tmp_path, scratch_postgres)
    assert db_copy.copy_database(demo_source, target, actor=ACTOR).ok
    database = open_database(target)
    try:
        with database.engine.begin() as connection:
            connection.execute(text("UPDATE patients SET notes = notes || '.' WHERE id = 5"))
            connection.execute(
                text(
                    "DELETE FROM patient_search_keys WHERE patient_id = 7 AND key = "
                    "(SELECT min(key) FROM patient_search_keys WHERE patient_id = 7)"
                )
            )
            if target_backend == "sqlite":
                connection.execute(text("DROP TRIGGER audit_entries_no_update"))
            else:
                connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
            connection.execute(text("UPDATE audit_entries SET username = 'mallory' WHERE id = 2"))
    finally:
        database.dispose()
    report = db_copy.verify_copy(demo_source, target)
    assert not report.ok
    assert set(report.differing) == {"audit_entries", "patients", "patient_search_keys"}
    described = report.describe()
    assert re.search(r"patients: [\d,]+ rows on both sides, but their contents differ", described)
    assert re.search(r"patient_search_keys: [\d,]+ rows in the source but [\d,]+ in the", described)
    assert "broken at entry #2" in described
    assert not report.target_chain.intact


def test_checksums_ignore_row_order_and_driver_representations() -> None:
    table = ReceivedDocument.__table__
    columns = [column.name for column in table.columns]

    def row(**values: Any) -> tuple[Any, ...]:
        base = {name: None for name in columns}
        base.update(values)
        return tuple(base[name] for name in columns)

    at = datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    first = row(id=1, content=b"\x00\x01", received_at=at, file_name="é")
    second = row(id=2, content=b"", received_at=at + timedelta(days=1), file_name="b")
    a, b = TableChecksum(table), TableChecksum(table)
    a.add([first, second])
    b.add(
        [
            row(id=2, content=memoryview(b""), received_at=at + timedelta(days=1), file_name="b"),
            row(
                id=1,
                content=bytearray(b"\x00\x01"),
                received_at=at.astimezone(ZoneInfo("Pacific/Chatham")),
                file_name="é",
            ),
        ]
    )
    assert (a.rows, a.hexdigest) == (b.rows, b.hexdigest)
    for changed in (
        row(id=1, content=b"\x00\x02", received_at=at, file_name="é"),
        row(id=1, content=b"\x00\x01", received_at=at + timedelta(microseconds=1), file_name="é"),
        row(id=1, content=b"\x00\x01", received_at=at, file_name="e\u0301"),
        row(id=1, content=b"\x00\x01", received_at=at, file_name="é", page_count=0),
    ):
        c = TableChecksum(table)
        c.add([changed, second])
        assert c.hexdigest != a.hexdigest


if __name__ == "__main__":
    _copy_until_halfway(sys.argv[1], sys.argv[2])


# ---------------------------------------------------------------------------------------------
# Roles: the setup guide's grants


@pytest.fixture
def server_target(scratch_postgres: Callable[[], str]) -> Iterator[str]:
    """An empty migrated server database (the owner's URL); the per-person roles its test
    sets up are dropped after (role names are global to the server)."""
    owner_url = _migrated(scratch_postgres())
    yield owner_url
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    drop_roles(admin, ServerRoleNames.for_database(str(make_url(owner_url).database)), owner_url)
    admin.dispose()


@pytest.mark.postgres
def test_the_owner_copies_in_and_each_person_works_on_the_copy(
    demo_source: str, server_target: str, tmp_path: Path
) -> None:
    owner_url = server_target
    assert db_copy.copy_database(demo_source, owner_url, actor=ACTOR).ok
    database = open_database(owner_url)
    try:
        # The move from one shared role: the owner sets up a login for every copied account.
        owner = ServiceContext(database, _server_admin(owner_url))
        set_up_person_roles(owner, PASSWORDS[Role.ADMIN])
    finally:
        database.dispose()
    names = ServerRoleNames.for_database(str(make_url(owner_url).database))
    admin_url = make_url(owner_url).set(username=names.login(SERVER_ADMIN))
    admin_url_text = admin_url.render_as_string(hide_password=False)
    with pytest.raises(CopyRefusedError, match="must be done as the owner of its tables"):
        db_copy.copy_database(demo_source, admin_url_text, actor=ACTOR, replace=True)

    database = open_database(admin_url_text)
    try:
        context = ServiceContext(database, _server_admin(admin_url_text))
        created = create_patient(
            context,
            PatientForm(first_name="Ines", last_name="Aftermove", date_of_birth=date(1980, 1, 2)),
            allow_duplicates=True,
        )
        assert created.id > 1
        with pytest.raises(Exception, match="permission denied"), database.engine.begin() as c:
            c.execute(text("DELETE FROM audit_entries"))
        assert audit_trail.verify_chain(context).intact
    finally:
        database.dispose()
    # A local copy of the server's database needs an admin's own login: it reads every table
    # (password hashes too) and adds the admin's sign-in and the disclosure to the trail.
    local = _new_sqlite_url(tmp_path, "local.sqlite3")
    assert db_copy.copy_database(admin_url_text, local, actor=_server_admin(admin_url_text)).ok


@pytest.mark.postgres
def test_a_server_lost_during_the_copy_is_one_plain_error_and_writes_nothing(
    demo_source: str, scratch_postgres: Callable[[], str]
) -> None:
    target = scratch_postgres()
    name = make_url(target).database
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def cut_at_half(done: int, total: int) -> bool:
        if done * 2 >= total > 0:
            with admin.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
        return True

    try:
        with pytest.raises(DatabaseUnavailableError, match="connection was lost during the copy"):
            db_copy.copy_database(
                demo_source, target, actor=ACTOR, batch_size=50, progress=cut_at_half
            )
    finally:
        admin.dispose()
    plan = db_copy.plan_copy(demo_source, target)
    assert (plan.target_state, plan.target_rows) == (TargetState.EMPTY, 0)
    assert db_copy.copy_database(demo_source, target, actor=ACTOR).ok
