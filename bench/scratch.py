"""Throwaway databases for a benchmark: a SQLite file, a PostgreSQL database dropped after."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.demo_databases import PG_ADMIN_URL
from bench.harness import Bench


@contextmanager
def scratch_postgres(prefix: str = "frontdesk_bench", digits: int = 10) -> Iterator[str]:
    """A new empty database on the benchmark server (its URL), dropped afterwards."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:digits]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def on_sqlite_and_postgres(
    bench: Bench, folder_prefix: str, run_one: Callable[[Bench, str, str], None]
) -> None:
    """``run_one(bench, label, url)`` on a fresh SQLite file, then on a fresh PostgreSQL
    database, so the two figures come from the same run."""
    with tempfile.TemporaryDirectory(prefix=folder_prefix) as folder:
        run_one(bench, "sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
    with scratch_postgres() as url:
        run_one(bench, "postgresql", url)
