"""`frontdesk db copy` on the command line: exit codes 0/1/2 and one-line errors."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from frontdesk.cli.common import PASSWORD_ENV
from frontdesk.db.engine import open_database
from frontdesk.demo import generator as demo
from frontdesk.domain.actor import operating_system_actor
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from tests.accounts import PASSWORDS, add_user
from tests.conftest import PreparedDatabases, make_actor
from tests.helpers.cli import frontdesk, one_line


def _small_demo(context: ServiceContext) -> None:
    demo.generate(context, patients=40, seed=5)


@pytest.fixture
def practice_file(prepared_databases: PreparedDatabases, tmp_path: Path) -> str:
    """A small demo practice in tmp_path/practice.sqlite3, generated once per session."""
    return prepared_databases.url("sqlite", "practice", _small_demo, copy_into=tmp_path)


def test_copy_to_a_new_file_then_refuse_then_replace(
    capsys: pytest.CaptureFixture[str], practice_file: str, tmp_path: Path
) -> None:
    target = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    # A real process once: the other calls run in this process, to the same exit codes.
    copied = frontdesk("db", "copy", "--from", practice_file, "--to", target, "--batch-size", "7")
    assert copied.code == 0, copied.err
    assert "Copied" in copied.out and "every table has the same rows" in copied.out
    assert "audit trail on the target is intact" in copied.out

    again = frontdesk("db", "copy", "--from", practice_file, "--to", target, capsys=capsys)
    assert again.code == 1
    assert "already holds" in one_line(again.err) and "--replace" in again.err

    unconfirmed = frontdesk(
        "db", "copy", "--from", practice_file, "--to", target, "--replace", capsys=capsys
    )
    assert unconfirmed.code == 2
    assert "--yes" in one_line(unconfirmed.err)

    replaced = frontdesk(
        "db",
        "copy",
        "--from",
        practice_file,
        "--to",
        target,
        "--replace",
        "--yes",
        "--json",
        capsys=capsys,
    )
    assert replaced.code == 0, replaced.err
    report = json.loads(replaced.out)
    assert report["ok"] and report["replaced"] and report["differing"] == []
    assert {table["table"] for table in report["tables"]} >= {"patients", "audit_entries"}

    verified = frontdesk(
        "db", "copy", "--from", practice_file, "--to", target, "--verify-only", capsys=capsys
    )
    assert verified.code == 0, verified.err
    with sqlite3.connect(tmp_path / "copy.sqlite3") as connection:
        connection.execute("UPDATE patients SET first_name = 'Changed' WHERE id = 3")
    differs = frontdesk(
        "db", "copy", "--from", practice_file, "--to", target, "--verify-only", capsys=capsys
    )
    assert differs.code == 1
    assert "These tables differ: patients" in differs.err


def test_the_source_defaults_to_the_database_option(
    capsys: pytest.CaptureFixture[str], practice_file: str, tmp_path: Path
) -> None:
    target = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    result = frontdesk("--database", practice_file, "db", "copy", "--to", target, capsys=capsys)
    assert result.code == 0, result.err
    assert str(tmp_path / "practice.sqlite3") in result.out


def test_an_old_schema_is_refused_with_what_to_do(
    capsys: pytest.CaptureFixture[str], practice_file: str, tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "practice.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0002'")
    result = frontdesk(
        "db", "copy", "--from", practice_file, "--to", f"sqlite:///{tmp_path}/x.db", capsys=capsys
    )
    assert result.code == 1
    assert "db upgrade" in one_line(result.err)
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--to", "postgresql://postgres@127.0.0.1:1/frontdesk"], "Cannot reach"),
        (["--to", "mysql://someone@server/frontdesk"], "not 'mysql'"),
        (["--to", "sqlite:///{tmp}/no/such/folder/x.db"], "does not exist"),
        (["--to", "sqlite:///{tmp}/x.db", "--batch-size", "0"], "batch size of 1 or more"),
        (["--from", "sqlite:///{tmp}/practice.sqlite3"], "--to"),
        (["--to", "sqlite:///{tmp}/practice.sqlite3"], "the same database"),
    ],
)
def test_bad_input_and_unreachable_servers_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
    practice_file: str,
    tmp_path: Path,
    arguments: list[str],
    message: str,
) -> None:
    arguments = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    if "--from" not in arguments:
        arguments = ["--from", practice_file, *arguments]
    result = frontdesk("db", "copy", *arguments, capsys=capsys)
    assert result.code == 2, result.err
    assert message in one_line(result.err)


def _disclosure(capsys: pytest.CaptureFixture[str], url: str, *login: str) -> dict[str, Any]:
    """The newest "export" entry of the trail at ``url`` (signing in with ``login``, if any)."""
    listed = frontdesk(
        *("--database", url, *login, "audit", "list", "--action", "export"),
        *("--limit", "1", "--json"),
        env={PASSWORD_ENV: PASSWORDS[Role.ADMIN]},
        capsys=capsys,
    )
    assert listed.code == 0, listed.err
    entries: list[dict[str, Any]] = json.loads(listed.out)
    return entries[0]


def test_a_copy_from_a_file_is_recorded_in_it_as_the_computers_login(
    capsys: pytest.CaptureFixture[str], practice_file: str, tmp_path: Path
) -> None:
    target = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    copied = frontdesk("db", "copy", "--from", practice_file, "--to", target, capsys=capsys)
    assert copied.code == 0, copied.err
    disclosure = _disclosure(capsys, practice_file)
    assert disclosure["username"] == operating_system_actor().username
    assert disclosure["entity"] == "database"
    assert disclosure["details"]["file"] == "copy.sqlite3"
    assert _disclosure(capsys, target) == disclosure  # recorded before the copy read anything


@pytest.mark.postgres
def test_copying_off_a_server_needs_its_admin_and_is_recorded_there(
    capsys: pytest.CaptureFixture[str],
    practice_file: str,
    scratch_postgres: Callable[[], str],
    tmp_path: Path,
) -> None:
    server = scratch_postgres()
    there = frontdesk(
        "db", "copy", "--from", practice_file, "--to", server, "--json", capsys=capsys
    )
    assert there.code == 0, there.err
    assert json.loads(there.out)["created_schema"] is True
    database = open_database(server)
    try:
        context = ServiceContext(database, make_actor())
        add_user(context, "copy.admin", Role.ADMIN)
        add_user(context, "copy.desk", Role.FRONT_DESK)
    finally:
        database.dispose()
    back_file = tmp_path / "back.sqlite3"
    back = f"sqlite:///{back_file}"
    copy_back = ("db", "copy", "--from", server, "--to", back)

    # Another session holds the charts and documents locked: a refusal that read any of them
    # would wait for it (real processes, so a wait ends in the timeout instead of hanging).
    locker = create_engine(server)
    try:
        with locker.connect() as connection, connection.begin():
            connection.execute(
                text("LOCK TABLE patients, received_documents IN ACCESS EXCLUSIVE MODE")
            )
            nobody = frontdesk(*copy_back, unset=[PASSWORD_ENV], timeout=60)
            desk = frontdesk(
                "--user",
                "copy.desk",
                *copy_back,
                env={PASSWORD_ENV: PASSWORDS[Role.FRONT_DESK]},
                timeout=60,
            )
            wrong = frontdesk(
                "--user",
                "copy.admin",
                *copy_back,
                env={PASSWORD_ENV: "not the admin's password"},
                timeout=60,
            )
    finally:
        locker.dispose()
    assert nobody.code == 2, nobody.err
    assert "--user NAME" in one_line(nobody.err)
    assert desk.code == 1, desk.err
    assert "needs an admin's account" in one_line(desk.err)
    assert wrong.code == 1, wrong.err
    assert "password is wrong" in one_line(wrong.err)
    assert not back_file.exists()

    admin = ("--user", "copy.admin")
    copied = frontdesk(*admin, *copy_back, env={PASSWORD_ENV: PASSWORDS[Role.ADMIN]}, capsys=capsys)
    assert copied.code == 0, copied.err
    # The file is the server's database exactly, the server's trail of the copy included.
    verified = frontdesk(
        "db", "copy", "--from", server, "--to", back, "--verify-only", capsys=capsys
    )
    assert verified.code == 0, verified.err
    disclosure = _disclosure(capsys, server, *admin)
    assert disclosure["username"] == "copy.admin"
    assert disclosure["details"]["to"] == "SQLite file"
    assert disclosure["details"]["file"] == "back.sqlite3"
    assert _disclosure(capsys, back) == disclosure
    intact = frontdesk(
        *("--database", server, *admin, "audit", "verify"),
        env={PASSWORD_ENV: PASSWORDS[Role.ADMIN]},
        capsys=capsys,
    )
    assert intact.code == 0, intact.err
    check = frontdesk("--database", server, "db", "check", capsys=capsys)
    assert check.code == 0, check.err
