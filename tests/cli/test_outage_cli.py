"""The command line during a server outage: one plain line and exit code 2, never a traceback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.services.platform.bootstrap import open_for_use
from tests.conftest import PG_ADMIN_URL
from tests.helpers.cli import frontdesk

pytestmark = pytest.mark.postgres


@pytest.fixture
def closed_database() -> Iterator[str]:
    """A migrated scratch database on the local server that accepts no connections."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"frontdesk_closed_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as link:
            link.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    database, _copy = open_for_use(url)
    database.dispose()
    with admin.connect() as link:
        link.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
    yield url
    with admin.connect() as link:
        link.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("command", [("patients", "search", "Smith"), ("db", "check")])
def test_an_outage_is_one_line_and_exit_2(closed_database: str, command: tuple[str, ...]) -> None:
    result = frontdesk(*command, database=closed_database)
    assert result.code == 2, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "not accepting connections right now" in result.err
    assert "Traceback" not in result.err
