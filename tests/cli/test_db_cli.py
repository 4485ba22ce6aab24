"""`frontdesk` on the command line: db upgrade/check, --version, one-line errors."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk import __version__
from frontdesk.db.engine import Database
from tests.helpers.cli import frontdesk


def test_version_and_help() -> None:
    assert frontdesk("--version").out.strip() == f"frontdesk {__version__}"
    result = frontdesk("--help")
    assert result.code == 0
    assert "db" in result.out


def test_db_upgrade_then_check_on_a_new_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    missing = frontdesk("--database", url, "db", "check")
    assert missing.code == 2
    assert "There is no database file" in missing.err
    sqlite3.connect(tmp_path / "practice.sqlite3").close()
    check = frontdesk("--database", url, "db", "check")
    assert check.code == 1
    assert "empty" in check.err
    upgrade = frontdesk("--database", url, "db", "upgrade")
    assert upgrade.code == 0, upgrade.err
    check = frontdesk("--database", url, "db", "check")
    assert (check.code, check.err) == (0, "")
    assert "current" in check.out


def test_database_url_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite3'}"
    assert frontdesk("db", "upgrade", env={"FRONTDESK_DATABASE_URL": url}).code == 0
    assert (tmp_path / "env.sqlite3").exists()


def test_db_check_on_a_database_ahead_of_the_app(database: Database, database_url: str) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    result = frontdesk("--database", database_url, "db", "upgrade")
    assert result.code == 2
    assert "newer than this app" in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://nobody@127.0.0.1:1/frontdesk", "Cannot reach the database server"),
        ("nonsense", "is not a database URL"),
        ("sqlite:////no/such/folder/x.sqlite3", "does not exist"),
    ],
)
def test_bad_databases_give_one_line_and_exit_2(url: str, message: str) -> None:
    result = frontdesk("--database", url, "db", "check")
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


def test_a_non_sqlite_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "letter.sqlite3"
    path.write_text("not a database\n" * 50)
    result = frontdesk("--database", f"sqlite:///{path}", "db", "upgrade")
    assert result.code == 2
    assert "not a Front Desk" in result.err
    assert path.read_text() == "not a database\n" * 50


def test_unknown_arguments_give_one_line_and_exit_2() -> None:
    result = frontdesk("db", "frobnicate")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1


def test_the_command_line_does_not_load_qt() -> None:
    code = (
        "import sys; from frontdesk.cli.main import run; "
        "run(['--version']) if False else None; "
        "import frontdesk.cli.main as m; m.build_parser(); "
        "sys.exit(1 if any(name.startswith('PySide6') for name in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
