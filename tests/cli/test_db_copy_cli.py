"""`frontdesk db copy` on the command line: exit codes 0/1/2 and one-line errors."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from frontdesk.db import migrate
from frontdesk.db.engine import open_database
from frontdesk.services import audit, demo
from tests.helpers.cli import frontdesk, one_line


@pytest.fixture
def practice_file(tmp_path: Path) -> str:
    audit.install()
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    database = open_database(url)
    try:
        migrate.upgrade(database)
        demo.generate(database, patients=40, seed=5)
    finally:
        database.dispose()
    return url


def test_copy_to_a_new_file_then_refuse_then_replace(practice_file: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    copied = frontdesk("db", "copy", "--from", practice_file, "--to", target, "--batch-size", "7")
    assert copied.code == 0, copied.err
    assert "Copied" in copied.out and "every table has the same rows" in copied.out
    assert "audit trail on the target is intact" in copied.out

    again = frontdesk("db", "copy", "--from", practice_file, "--to", target)
    assert again.code == 1
    assert "already holds" in one_line(again.err) and "--replace" in again.err

    unconfirmed = frontdesk("db", "copy", "--from", practice_file, "--to", target, "--replace")
    assert unconfirmed.code == 2
    assert "--yes" in one_line(unconfirmed.err)

    replaced = frontdesk(
        "db", "copy", "--from", practice_file, "--to", target, "--replace", "--yes", "--json"
    )
    assert replaced.code == 0, replaced.err
    report = json.loads(replaced.out)
    assert report["ok"] and report["replaced"] and report["differing"] == []
    assert {table["table"] for table in report["tables"]} >= {"patients", "audit_entries"}

    verified = frontdesk("db", "copy", "--from", practice_file, "--to", target, "--verify-only")
    assert verified.code == 0, verified.err
    with sqlite3.connect(tmp_path / "copy.sqlite3") as connection:
        connection.execute("UPDATE patients SET first_name = 'Changed' WHERE id = 3")
    differs = frontdesk("db", "copy", "--from", practice_file, "--to", target, "--verify-only")
    assert differs.code == 1
    assert "These tables differ: patients" in differs.err


def test_the_source_defaults_to_the_database_option(practice_file: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    result = frontdesk("--database", practice_file, "db", "copy", "--to", target)
    assert result.code == 0, result.err
    assert str(tmp_path / "practice.sqlite3") in result.out


def test_an_old_schema_is_refused_with_what_to_do(practice_file: str, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "practice.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0002'")
    result = frontdesk("db", "copy", "--from", practice_file, "--to", f"sqlite:///{tmp_path}/x.db")
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
    practice_file: str, tmp_path: Path, arguments: list[str], message: str
) -> None:
    arguments = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    if "--from" not in arguments:
        arguments = ["--from", practice_file, *arguments]
    result = frontdesk("db", "copy", *arguments)
    assert result.code == 2, result.err
    assert message in one_line(result.err)


@pytest.mark.postgres
def test_copy_to_a_server_and_back_on_the_command_line(
    practice_file: str,
    scratch_postgres: Callable[[], str],
    tmp_path: Path,
) -> None:
    server = scratch_postgres()
    there = frontdesk("db", "copy", "--from", practice_file, "--to", server, "--json")
    assert there.code == 0, there.err
    assert json.loads(there.out)["created_schema"] is True
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    assert frontdesk("db", "copy", "--from", server, "--to", back).code == 0
    assert frontdesk("db", "copy", "--from", practice_file, "--to", back, "--verify-only").code == 0
    check = frontdesk("--database", server, "db", "check")
    assert check.code == 0, check.err
