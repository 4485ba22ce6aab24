"""PostgreSQL for the tests: the setup guide as they read it, and throwaway databases."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_ADMIN_URL

DOC = Path(__file__).resolve().parents[2] / "docs" / "postgresql-setup.md"


def documented_grants() -> list[str]:
    """The SQL statements of the grants block in docs/postgresql-setup.md."""
    block = re.search(
        r"-- begin: application role grants\n(.*?)-- end: application role grants",
        DOC.read_text(encoding="utf-8"),
        re.DOTALL,
    )
    assert block is not None, "the grants block is missing from the setup guide"
    lines = [line for line in block.group(1).splitlines() if not line.lstrip().startswith("--")]
    return [statement.strip() for statement in " ".join(lines).split(";") if statement.strip()]


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
