"""The command line during a server outage: one plain line and exit code 2, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from frontdesk.services.platform.bootstrap import open_for_use
from tests.helpers.cli import frontdesk
from tests.helpers.postgres import database_url, throwaway_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def closed_database() -> Iterator[str]:
    """A migrated scratch database on the local server that accepts no connections."""
    with throwaway_database("frontdesk_closed") as (admin, name):
        url = database_url(name)
        database, _copy = open_for_use(url)
        database.dispose()
        with admin.connect() as link:
            link.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        yield url


@pytest.mark.parametrize("command", [("patients", "search", "Smith"), ("db", "check")])
def test_an_outage_is_one_line_and_exit_2(closed_database: str, command: tuple[str, ...]) -> None:
    result = frontdesk(*command, database=closed_database)
    assert result.code == 2, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "not accepting connections right now" in result.err
    assert "Traceback" not in result.err
