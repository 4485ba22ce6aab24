"""`frontdesk db copy` on the command line: exit codes 0/1/2 and one-line errors."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from frontdesk.db import migrate
from frontdesk.db.engine import open_database
from frontdesk.demo import generator as demo
from frontdesk.services.kernel import audit
from tests.platform.test_db_copy import scratch_postgres  # noqa: F401  (fixture)


def frontdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "frontdesk", *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("frontdesk: ")
    return lines[0]


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
    assert copied.returncode == 0, copied.stderr
    assert "Copied" in copied.stdout and "every table has the same rows" in copied.stdout
    assert "audit trail on the target is intact" in copied.stdout

    again = frontdesk("db", "copy", "--from", practice_file, "--to", target)
    assert again.returncode == 1
    assert "already holds" in one_line(again) and "--replace" in again.stderr

    unconfirmed = frontdesk("db", "copy", "--from", practice_file, "--to", target, "--replace")
    assert unconfirmed.returncode == 2
    assert "--yes" in one_line(unconfirmed)

    replaced = frontdesk(
        "db", "copy", "--from", practice_file, "--to", target, "--replace", "--yes", "--json"
    )
    assert replaced.returncode == 0, replaced.stderr
    report = json.loads(replaced.stdout)
    assert report["ok"] and report["replaced"] and report["differing"] == []
    assert {table["table"] for table in report["tables"]} >= {"patients", "audit_entries"}

    verified = frontdesk("db", "copy", "--from", practice_file, "--to", target, "--verify-only")
    assert verified.returncode == 0, verified.stderr
    with sqlite3.connect(tmp_path / "copy.sqlite3") as connection:
        connection.execute("UPDATE patients SET first_name = 'Changed' WHERE id = 3")
    differs = frontdesk("db", "copy", "--from", practice_file, "--to", target, "--verify-only")
    assert differs.returncode == 1
    assert "These tables differ: patients" in differs.stderr


def test_the_source_defaults_to_the_database_option(practice_file: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    result = frontdesk("--database", practice_file, "db", "copy", "--to", target)
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "practice.sqlite3") in result.stdout


def test_an_old_schema_is_refused_with_what_to_do(practice_file: str, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "practice.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0002'")
    result = frontdesk("db", "copy", "--from", practice_file, "--to", f"sqlite:///{tmp_path}/x.db")
    assert result.returncode == 1
    assert "db upgrade" in one_line(result)
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
    assert result.returncode == 2, result.stderr
    assert message in one_line(result)


@pytest.mark.postgres
def test_copy_to_a_server_and_back_on_the_command_line(
    practice_file: str,
    scratch_postgres: Callable[[], str],  # noqa: F811
    tmp_path: Path,
) -> None:
    server = scratch_postgres()
    there = frontdesk("db", "copy", "--from", practice_file, "--to", server, "--json")
    assert there.returncode == 0, there.stderr
    assert json.loads(there.stdout)["created_schema"] is True
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    assert frontdesk("db", "copy", "--from", server, "--to", back).returncode == 0
    assert (
        frontdesk("db", "copy", "--from", practice_file, "--to", back, "--verify-only").returncode
        == 0
    )
    check = frontdesk("--database", server, "db", "check")
    assert check.returncode == 0, check.stderr
