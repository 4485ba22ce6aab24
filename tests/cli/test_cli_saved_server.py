"""The command line opens the shared server saved in Admin, in the app's order: --database,
FRONTDESK_DATABASE_URL, the saved server (password from the keyring, FRONTDESK_DB_PASSWORD or
a prompt), else the local file. The server is a scratch database on the local PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from frontdesk.services.platform import connection
from frontdesk.services.platform.bootstrap import open_for_use
from frontdesk.services.platform.connection import ConnectionProfile, SslMode
from tests.conftest import PG_ADMIN_URL
from tests.helpers.cli import CliResult, frontdesk
from tests.helpers.postgres import database_url, throwaway_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def server_database() -> Iterator[str]:
    with throwaway_database("frontdesk_cli") as (_admin, name):
        database, _copy = open_for_use(database_url(name))
        database.dispose()
        yield name


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server_database: str) -> Path:
    """A workstation whose Admin → Shared server points at the scratch database."""
    folder = tmp_path / "home"
    monkeypatch.setenv("FRONTDESK_HOME", str(folder))
    admin = make_url(PG_ADMIN_URL)
    connection.save_profile(
        ConnectionProfile(
            host=admin.host or "127.0.0.1",
            port=admin.port or 5432,
            database=server_database,
            user=admin.username or "postgres",
            sslmode=SslMode.PREFER,
        )
    )
    return folder


def workstation(home: Path, *args: str, **extra: str) -> CliResult:
    """`frontdesk` as a real process on the workstation ``home``, with no password anywhere
    but in ``extra``."""
    return frontdesk(
        *args,
        env={
            "FRONTDESK_HOME": str(home),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # no keyring here
            "PGPASSFILE": str(home / "no-pgpass"),
            **extra,
        },
        unset=("FRONTDESK_DATABASE_URL", "FRONTDESK_DB_PASSWORD", "PGPASSWORD"),
    )


def test_the_saved_server_is_used_with_the_password_from_the_environment(
    home: Path, server_database: str
) -> None:
    result = workstation(home, "db", "upgrade", FRONTDESK_DB_PASSWORD="not-shown-9")
    assert result.code == 0, result.err
    assert server_database in result.out
    assert "postgresql" in result.out
    assert "not-shown-9" not in result.out + result.err
    assert not (home / "frontdesk.sqlite3").exists()  # the local file was not used


def test_without_a_password_and_no_terminal_it_says_how_to_give_one(home: Path) -> None:
    result = workstation(home, "db", "check")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "FRONTDESK_DB_PASSWORD" in result.err
    assert "Traceback" not in result.err


def test_database_option_and_environment_still_win_over_the_saved_server(
    home: Path, tmp_path: Path
) -> None:
    named = tmp_path / "named.sqlite3"
    result = workstation(home, "--database", f"sqlite:///{named}", "db", "upgrade")
    assert result.code == 0, result.err
    assert named.exists()
    from_environment = tmp_path / "environment.sqlite3"
    result = workstation(
        home, "db", "upgrade", FRONTDESK_DATABASE_URL=f"sqlite:///{from_environment}"
    )
    assert result.code == 0, result.err
    assert from_environment.exists()
