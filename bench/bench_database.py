"""Opening a database and one service round trip, on SQLite and PostgreSQL, against the driver.

The baselines are the raw drivers (sqlite3, psycopg) doing ``SELECT 1``: the ratios say what
the engine, the pragmas, the ORM and the service layer cost on top of the floor.
PostgreSQL: a throwaway database on FRONTDESK_BENCH_PG_URL (default: the local server the
tests use), dropped afterwards.
"""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.demo_databases import PG_ADMIN_URL
from bench.harness import Bench
from frontdesk.db.engine import open_database
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice.first_run import complete_first_run
from frontdesk.services.practice.forms import PracticeProfileForm, ProviderForm
from frontdesk.services.practice.providers import list_providers

OPEN_REPEAT = 20
ROUND_TRIP_REPEAT = 300

PROFILE = PracticeProfileForm(name="Bench Spine Center", main_phone="(217) 555-0142")
PROVIDERS = [
    ProviderForm(first_name=first, last_name=last, credentials="MD", specialty="Spine")
    for first, last in [
        ("Ana", "Lindqvist"),
        ("Bruno", "Okafor"),
        ("Chloé", "Durand"),
        ("Dmitri", "Volkov"),
        ("Eun-ji", "Park"),
        ("Farah", "O'Neill"),
    ]
]
BENCH_ACTOR = Actor(username="bench", role=Role.ADMIN, workstation="bench")


def _prepare(url: str) -> None:
    """Migrate and fill in the first-run data, as a practice's database would have."""
    database, _copy = open_for_use(url)
    try:
        complete_first_run(make_context(database, BENCH_ACTOR), PROFILE, PROVIDERS)
    finally:
        database.dispose()


def _measure_backend(
    bench: Bench,
    label: str,
    url: str,
    raw_connect: Callable[[], sqlite3.Connection | psycopg.Connection],
) -> None:
    def raw_connect_and_select() -> None:
        connection = raw_connect()
        try:
            connection.execute("SELECT 1").fetchone()
        finally:
            connection.close()

    raw_open = f"{label}: raw driver connect + SELECT 1"
    bench.measure(raw_open, raw_connect_and_select, repeat=OPEN_REPEAT, warmup=2)
    bench.measure(
        f"{label}: open_database + ping",
        lambda: open_database(url).dispose(),
        repeat=OPEN_REPEAT,
        warmup=2,
        baseline=raw_open,
    )

    connection = raw_connect()
    database = open_database(url)
    try:
        raw_select = f"{label}: raw driver SELECT 1 (open connection)"
        bench.measure(
            raw_select,
            lambda: connection.execute("SELECT 1").fetchone(),
            repeat=ROUND_TRIP_REPEAT,
            warmup=10,
        )
        context = make_context(database, BENCH_ACTOR)
        providers = list_providers(context)
        if len(providers) != len(PROVIDERS):
            raise RuntimeError(f"expected {len(PROVIDERS)} providers, found {len(providers)}")
        bench.measure(
            f"{label}: practice.list_providers ({len(PROVIDERS)} rows)",
            lambda: list_providers(context),
            repeat=ROUND_TRIP_REPEAT,
            warmup=10,
            baseline=raw_select,
        )
    finally:
        database.dispose()
        connection.close()


def _bench_sqlite(bench: Bench) -> None:
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as folder:
        path = Path(folder) / "bench.sqlite3"
        url = f"sqlite:///{path}"
        _prepare(url)
        _measure_backend(bench, "sqlite", url, lambda: sqlite3.connect(path))


def _bench_postgresql(bench: Bench) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"frontdesk_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        raise RuntimeError(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}") from error
    try:
        url = make_url(PG_ADMIN_URL).set(database=name)
        _prepare(url.render_as_string(hide_password=False))
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        _measure_backend(
            bench,
            "postgresql",
            url.render_as_string(hide_password=False),
            lambda: psycopg.connect(conninfo),
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(bench: Bench) -> None:
    _bench_sqlite(bench)
    _bench_postgresql(bench)
