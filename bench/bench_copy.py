"""Moving a practice to a server: 1,000,000 patients with their records, SQLite to PostgreSQL.

The source is the shared bench database (bench.demo_databases: built once, reused; brought to
the current schema first if a migration was added since). The target is a scratch database
on FRONTDESK_BENCH_PG_URL's server, dropped afterwards. The whole ``copy_database`` call is
timed (copy in one transaction with COPY, index and foreign-key rebuild, statistics, then the
verification: every table read back and checksummed, the audit chain checked), with its
parts. The baseline is the floor: reading every row of the source with sqlite3 alone, which
any copy has to pay. The issue's goal: under 5 minutes. One sample: it takes minutes.
"""

from __future__ import annotations

import sqlite3
import time
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import demo_databases
from bench.harness import Bench
from frontdesk.db import migrate
from frontdesk.db.engine import open_database
from frontdesk.db.migrate import SchemaState
from frontdesk.services.platform import db_copy

FLOOR = "copy: read every source row with sqlite3 (floor)"


def _current_source() -> str:
    url = demo_databases.ensure_sqlite()
    database = open_database(url, create=False)
    try:
        if migrate.schema_status(database).state is SchemaState.BEHIND:
            migrate.upgrade(database)
    finally:
        database.dispose()
    return url


def _raw_read(path: str) -> int:
    rows = 0
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for table in db_copy.copy_tables():
            cursor = connection.execute(f'SELECT * FROM "{table.name}"')
            while batch := cursor.fetchmany(db_copy.DEFAULT_BATCH_SIZE):
                rows += len(batch)
    finally:
        connection.close()
    return rows


def run(bench: Bench) -> None:
    source = _current_source()
    patients = demo_databases.BENCH_PATIENTS
    label = f"{patients:,}" if patients != 1_000_000 else "1M"
    started = time.perf_counter()
    raw_rows = _raw_read(make_url(source).database or "")
    bench.record(FLOOR, time.perf_counter() - started, "s")

    admin = create_engine(demo_databases.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"frontdesk_bench_copy_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        target = demo_databases.postgres_url(name)
        started = time.perf_counter()
        report = db_copy.copy_database(source, target)
        total = time.perf_counter() - started
        if not report.ok:
            raise RuntimeError(f"the copy did not verify: {report.describe()}")
        if report.rows != raw_rows:
            raise RuntimeError(f"copied {report.rows} rows, the source has {raw_rows}")
        bench.record(
            f"copy: {label} patients SQLite -> PostgreSQL, copied and verified",
            total,
            "s",
            baseline=FLOOR,
        )
        bench.record(
            "copy: writing (one transaction, COPY, indexes, statistics)", report.copy_seconds, "s"
        )
        bench.record("copy: of which index and foreign-key rebuild", report.timings["indexes"], "s")
        bench.record(
            "copy: of which statistics (VACUUM ANALYZE)", report.timings["statistics"], "s"
        )
        bench.record(
            "copy: verification (read back, checksums, audit chain)", report.verify_seconds, "s"
        )
        bench.record("copy: rows copied", report.rows, "rows")
        bench.record("copy: rows per second, copied and verified", report.rows / total, "rows/s")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
