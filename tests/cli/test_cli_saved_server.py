"""The command line opens the shared server saved in Admin, in the app's order: --database,
FRONTDESK_DATABASE_URL, the saved server (password from the keyring, FRONTDESK_DB_PASSWORD or
a prompt), else the local file. The server is a scratch database on the local PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.services.platform import connection
from frontdesk.services.platform.bootstrap import open_for_use
from frontdesk.services.platform.connection import ConnectionProfile, SslMode
from tests.conftest import PG_ADMIN_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def server_database() -> Iterator[str]:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"frontdesk_cli_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as link:
            link.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    database, _copy = open_for_use(url)
    database.dispose()
    yield name
    with admin.connect() as link:
        link.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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


def frontdesk(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("FRONTDESK_DATABASE_URL", "FRONTDESK_DB_PASSWORD", "PGPASSWORD")
    }
    environment.update(
        FRONTDESK_HOME=str(home),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # no keyring here
        PGPASSFILE=str(home / "no-pgpass"),
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "frontdesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


def test_the_saved_server_is_used_with_the_password_from_the_environment(
    home: Path, server_database: str
) -> None:
    result = frontdesk(home, "db", "upgrade", FRONTDESK_DB_PASSWORD="not-shown-9")
    assert result.returncode == 0, result.stderr
    assert server_database in result.stdout
    assert "postgresql" in result.stdout
    assert "not-shown-9" not in result.stdout + result.stderr
    assert not (home / "frontdesk.sqlite3").exists()  # the local file was not used


def test_without_a_password_and_no_terminal_it_says_how_to_give_one(home: Path) -> None:
    result = frontdesk(home, "db", "check")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "FRONTDESK_DB_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_option_and_environment_still_win_over_the_saved_server(
    home: Path, tmp_path: Path
) -> None:
    named = tmp_path / "named.sqlite3"
    result = frontdesk(home, "--database", f"sqlite:///{named}", "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert named.exists()
    from_environment = tmp_path / "environment.sqlite3"
    result = frontdesk(
        home, "db", "upgrade", FRONTDESK_DATABASE_URL=f"sqlite:///{from_environment}"
    )
    assert result.returncode == 0, result.stderr
    assert from_environment.exists()
