"""Audit trail: filtering 100,000 entries for the Admin audit area, and verifying the chain.

Goal (issue 9): 100,000 audit entries filter in under 200 ms. Each sample is one call of
``audit_trail.list_entries`` for a first page of 200 (what the Audit area shows), with a
different user, patient or week on each call so no answer comes from a warm cache of the
previous one. Baseline: the same user query sent through the raw driver (sqlite3 / psycopg),
the floor under SQLAlchemy, the session and the dataclasses. Databases: a throwaway SQLite
file and, when reachable, a throwaway PostgreSQL database (FRONTDESK_BENCH_PG_URL), both
filled with a correctly chained trail and dropped afterwards.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bench.demo_databases import PG_ADMIN_URL
from bench.harness import Bench
from frontdesk.db import migrate
from frontdesk.db.engine import Database, open_database
from frontdesk.db.models import AuditEntry
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel import audit
from frontdesk.services.kernel.audit import GENESIS_HASH, entry_hash, hashed_fields
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_trail
from frontdesk.services.platform.audit_trail import AuditFilter

ENTRIES = 100_000
USERS = 30
PATIENTS = 5_000
REPEAT = 40
ACTOR = Actor(username="bench", role=Role.ADMIN, workstation="bench")
START = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
ACTIONS = (
    ("view", 60),
    ("update", 18),
    ("create", 10),
    ("sign_in", 6),
    ("print", 4),
    ("delete", 1),
    ("export", 1),
)
USER_SQL = (
    "SELECT id, at, username, user_id, workstation, action, entity, entity_id, patient_id, "
    "details FROM audit_entries WHERE username = {p} ORDER BY at DESC, id DESC LIMIT 201"
)


class _Fields:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _entries(rng: random.Random) -> Iterator[dict[str, Any]]:
    """A year of a practice's trail, chained exactly as the app chains it."""
    prev = GENESIS_HASH
    names = [action for action, _weight in ACTIONS]
    weights = [weight for _action, weight in ACTIONS]
    step = timedelta(days=365) / ENTRIES
    for number in range(ENTRIES):
        action = rng.choices(names, weights)[0]
        patient = None if action in ("sign_in", "export") else rng.randint(1, PATIENTS)
        row = {
            "at": START + step * number,
            "username": f"user{rng.randint(1, USERS):02d}",
            "user_id": None,
            "workstation": f"desk-{rng.randint(1, 6)}",
            "action": action,
            "entity": "users" if action == "sign_in" else rng.choice(("patients", "requests")),
            "entity_id": str(patient or ""),
            "patient_id": patient,
            "details": '{"changes": {"phone": {"old": "+12175550142", "new": "+12175550143"}}}'
            if action == "update"
            else "{}",
        }
        link = entry_hash(prev, hashed_fields(_Fields(row)))
        yield {**row, "prev_hash": prev, "hash": link}
        prev = link


def _fill(database: Database) -> None:
    migrate.upgrade(database)
    batch: list[dict[str, Any]] = []
    with database.write_engine.begin() as connection:
        for row in _entries(random.Random(9)):
            batch.append(row)
            if len(batch) == 10_000:
                connection.execute(insert(AuditEntry), batch)
                batch.clear()
        if batch:
            connection.execute(insert(AuditEntry), batch)
    if not database.is_sqlite:
        with database.engine.connect() as connection:
            connection.execute(text("ANALYZE audit_entries"))
            connection.commit()
    else:
        with database.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


def _cycle(values: list[Any]) -> Callable[[], Any]:
    position = -1

    def following() -> Any:
        nonlocal position
        position = (position + 1) % len(values)
        return values[position]

    return following


def _measure_backend(bench: Bench, label: str, context: ServiceContext, raw: Any) -> None:
    rng = random.Random(3)
    users = _cycle([f"user{n:02d}" for n in rng.sample(range(1, USERS + 1), USERS)])
    patients = _cycle(rng.sample(range(1, PATIENTS + 1), 200))
    weeks = _cycle([START + timedelta(weeks=n) for n in rng.sample(range(51), 51)])
    raw_users = _cycle([f"user{n:02d}" for n in range(1, USERS + 1)])

    def page(where: Callable[[], AuditFilter]) -> Callable[[], object]:
        return lambda: audit_trail.list_entries(context, where(), limit=200)

    floor = f"audit {label}: raw driver, by user (floor)"
    bench.measure(floor, lambda: raw(raw_users()), repeat=REPEAT, warmup=3)
    cases: list[tuple[str, Callable[[], AuditFilter]]] = [
        ("no filter, newest", lambda: AuditFilter()),
        ("by user", lambda: AuditFilter(username=users())),
        ("by patient", lambda: AuditFilter(patient_id=patients())),
        ("by action (rare: export)", lambda: AuditFilter(action="export")),
        ("by action + entity", lambda: AuditFilter(action="update", entity="requests")),
        (
            "one week",
            lambda: AuditFilter(since=(week := weeks()), until=week + timedelta(days=7)),
        ),
        (
            "user + one week",
            lambda: AuditFilter(
                username=users(), since=(week := weeks()), until=week + timedelta(days=7)
            ),
        ),
    ]
    for name, where in cases:
        bench.measure(
            f"audit {label}: {name}", page(where), repeat=REPEAT, warmup=3, baseline=floor
        )
    # Deep paging: the 50th page of one user's entries, by keyset (no OFFSET scan).
    first = audit_trail.list_entries(context, AuditFilter(username="user07"), limit=60)
    cursor = first.next_cursor
    bench.measure(
        f"audit {label}: next page by keyset (user, deep)",
        lambda: audit_trail.list_entries(
            context, AuditFilter(username="user07"), after=cursor, limit=200
        ),
        repeat=REPEAT,
        warmup=3,
        baseline=floor,
    )
    bench.measure(
        f"audit {label}: count by user",
        lambda: audit_trail.count_entries(context, AuditFilter(username=users())),
        repeat=REPEAT,
        warmup=3,
    )
    bench.measure(
        f"audit {label}: verify the whole 100k chain",
        lambda: audit_trail.verify_chain(context),
        repeat=3,
        warmup=0,
    )


def _run_sqlite(bench: Bench) -> None:
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-audit-") as folder:
        path = Path(folder) / "audit.sqlite3"
        database = open_database(f"sqlite:///{path}")
        connection = sqlite3.connect(path)
        try:
            _fill(database)
            statement = USER_SQL.format(p="?")

            def raw(user: str) -> list[Any]:
                return connection.execute(statement, (user,)).fetchall()

            _measure_backend(bench, "SQLite 100k", ServiceContext(database, ACTOR), raw)
        finally:
            connection.close()
            database.dispose()


def _run_postgres(bench: Bench) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"frontdesk_bench_audit_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # no server here: the SQLite figures still stand
        admin.dispose()
        return
    url = make_url(PG_ADMIN_URL).set(database=name)
    database = open_database(url.render_as_string(hide_password=False))
    raw_connection = psycopg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        _fill(database)
        statement = USER_SQL.format(p="%s")

        def raw(user: str) -> list[Any]:
            with raw_connection.cursor() as cursor:
                cursor.execute(statement, (user,))
                return cursor.fetchall()

        _measure_backend(bench, "PostgreSQL 100k", ServiceContext(database, ACTOR), raw)
    finally:
        raw_connection.close()
        database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(bench: Bench) -> None:
    audit.install()
    _run_sqlite(bench)
    _run_postgres(bench)
