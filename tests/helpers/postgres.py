"""PostgreSQL for the tests: throwaway databases on the local server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_URL


@contextmanager
def throwaway_database(prefix: str) -> Iterator[tuple[Engine, str]]:
    """A new empty database on the local server, as (the administrator's engine, its name);
    the test is skipped when the server is unreachable, and the database dropped after."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as link:
            link.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}")
    yield admin, name
    with admin.connect() as link:
        link.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def database_url(name: str) -> str:
    """The URL of the local server's database ``name``, as the administrator."""
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
