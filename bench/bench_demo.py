"""`frontdesk demo --patients 1000000`: wall time and peak memory of the whole command.

Runs the real command as a child process. When this run has to build the shared benchmark
database anyway (see demo_databases), that build is the measurement; otherwise the demo is
loaded into a temporary SQLite file, removed afterwards. PostgreSQL is measured when its
benchmark database is built in this run, or always with FRONTDESK_BENCH_DEMO_POSTGRES=1.
"""

from __future__ import annotations

import os
import tempfile

from sqlalchemy import create_engine, text

from bench import demo_databases
from bench.harness import Bench

PATIENTS = demo_databases.BENCH_PATIENTS


def _record(bench: Bench, label: str, run: demo_databases.DemoRun) -> None:
    bench.record(f"demo {run.patients:,} patients {label}: wall time", run.seconds, "s")
    bench.record(f"demo {run.patients:,} patients {label}: peak memory", run.peak_mb, "MB")
    bench.record(
        f"demo {run.patients:,} patients {label}: patients per second",
        round(run.patients / run.seconds),
        "patients/s",
    )


def _sqlite(bench: Bench) -> None:
    url = demo_databases.ensure_sqlite()
    if url in demo_databases.BUILT:
        _record(bench, "SQLite", demo_databases.BUILT[url])
        return
    with tempfile.TemporaryDirectory(prefix="frontdesk-demo-bench-") as folder:
        run = demo_databases.run_demo(
            f"sqlite:///{folder}/demo.sqlite3", PATIENTS, demo_databases.BENCH_SEED
        )
    _record(bench, "SQLite", run)


def _postgres(bench: Bench) -> None:
    url = demo_databases.ensure_postgres()
    if url in demo_databases.BUILT:
        _record(bench, "PostgreSQL", demo_databases.BUILT[url])
        return
    if os.environ.get("FRONTDESK_BENCH_DEMO_POSTGRES") != "1":
        return
    name = f"{demo_databases.postgres_name()}_timing"
    admin = create_engine(demo_databases.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        run = demo_databases.run_demo(
            demo_databases.postgres_url(name), PATIENTS, demo_databases.BENCH_SEED
        )
        _record(bench, "PostgreSQL", run)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(bench: Bench) -> None:
    _sqlite(bench)
    _postgres(bench)
