"""Patient search on a 1,000,000-patient demo database, SQLite and PostgreSQL.

For each class of query (one letter, a longer prefix, two or three words, birth date, phone,
last four digits, MRN) the service ``patients.search`` runs a set of varied queries drawn from
real charts of the database (so they find someone, as at the desk); each sample is one query.
Baselines in the same run: the same key-range statement sent through the raw driver (the
floor: what the service adds is SQLAlchemy, the session and Python-side matching) and a naive
``ILIKE '%term%'`` scan (what a simple implementation does), which is shown as a multiple of
the service's time. The databases are built once and reused (see demo_databases).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench import demo_databases
from bench.harness import Bench
from frontdesk.db.engine import open_database
from frontdesk.domain.actor import Actor
from frontdesk.domain.names import name_tokens, prefix_successor
from frontdesk.domain.permissions import Role
from frontdesk.domain.search_query import QueryKind, parse_search
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.chart_store import PATIENTS
from frontdesk.services.patients.search import (
    DEFAULT_PAGE_SIZE,
    _choose_driver,
    _token_patterns,
    search,
)

SAMPLE_CHARTS = 400
QUERIES_PER_CLASS = 60
REPEAT = 2  # each query twice: 120 samples per class
NAIVE_QUERIES = 8
PAGE = DEFAULT_PAGE_SIZE
ACTOR = Actor(username="bench", role=Role.ADMIN, workstation="bench")

_COLUMNS = (
    "k.key, k.sort_key, k.tokens, p.id, p.mrn, p.first_name, p.middle_name, p.last_name, "
    "p.preferred_name, p.date_of_birth, p.mobile_phone, p.home_phone, p.work_phone"
)


@dataclass(frozen=True)
class Chart:
    first: str
    middle: str
    last: str
    born: Any
    phone: str
    mrn: str


def _sample_charts(context: ServiceContext, rng: random.Random) -> list[Chart]:
    with context.reading(None) as session:
        top = session.scalar(select(PATIENTS.c.id).order_by(PATIENTS.c.id.desc()))
        ids = rng.sample(range(1, int(top or 1) + 1), SAMPLE_CHARTS)
        rows = session.execute(
            select(
                PATIENTS.c.first_name,
                PATIENTS.c.middle_name,
                PATIENTS.c.last_name,
                PATIENTS.c.date_of_birth,
                PATIENTS.c.mobile_phone,
                PATIENTS.c.home_phone,
                PATIENTS.c.mrn,
            ).where(PATIENTS.c.id.in_(ids))
        ).all()
    return [Chart(row[0], row[1], row[2], row[3], row[4] or row[5], row[6]) for row in rows]


def _prefix(token: str, rng: random.Random, shortest: int, longest: int) -> str:
    return token[: rng.randint(min(shortest, len(token)), min(longest, len(token)))]


def query_classes(charts: Sequence[Chart], seed: int = 7) -> dict[str, list[str]]:
    """Realistic search texts per class, drawn from real charts (so each finds someone)."""
    rng = random.Random(seed)
    classes: dict[str, list[str]] = {
        "name, 1 letter": [],
        "name, 2-4 letter prefix": [],
        "name, whole surname": [],
        "two words, any order": [],
        "two short prefixes (1-2 letters)": [],
        "three words": [],
        "birth date": [],
        "phone, whole number": [],
        "phone, last 4 digits": [],
        "MRN": [],
    }
    formats = ("{d.month}/{d.day}/{d.year}", "{d.month:02d}-{d.day:02d}-{d.year}", "{d}")
    while min(len(queries) for queries in classes.values()) < QUERIES_PER_CLASS:
        chart = rng.choice(charts)
        last = name_tokens(chart.last)
        first = name_tokens(chart.first)
        if not last or not first:
            continue
        surname, given = rng.choice(last), rng.choice(first)
        pair = [_prefix(surname, rng, 2, 6), _prefix(given, rng, 1, 5)]
        rng.shuffle(pair)
        short = [_prefix(surname, rng, 1, 2), _prefix(given, rng, 1, 2)]
        rng.shuffle(short)
        candidates = {
            "name, 1 letter": rng.choice((surname, given))[0],
            "name, 2-4 letter prefix": _prefix(rng.choice((surname, given)), rng, 2, 4),
            "name, whole surname": chart.last,
            "two words, any order": " ".join(pair),
            "two short prefixes (1-2 letters)": " ".join(short),
            "birth date": rng.choice(formats).format(d=chart.born),
            "MRN": chart.mrn,
        }
        middle = name_tokens(chart.middle)
        if middle:
            words = [
                _prefix(surname, rng, 1, 5),
                _prefix(given, rng, 1, 4),
                _prefix(middle[0], rng, 1, 3),
            ]
            rng.shuffle(words)
            candidates["three words"] = " ".join(words)
        if chart.phone:
            digits = chart.phone[2:]
            candidates["phone, whole number"] = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
            candidates["phone, last 4 digits"] = digits[-4:]
        for name, text in candidates.items():
            if len(classes[name]) < QUERIES_PER_CLASS:
                classes[name].append(text)
    return classes


class RawSearch:
    """The service's key-range statement sent straight through the driver (the floor)."""

    def __init__(self, url: str, context: ServiceContext) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self.context = context
        if self.sqlite:
            self.connection: Any = sqlite3.connect(parsed.database or "")
            self.mark = "?"
        else:
            self.connection = psycopg.connect(
                host=parsed.host,
                port=parsed.port,
                user=parsed.username,
                dbname=parsed.database,
                autocommit=True,
            )
            self.mark = "%s"
        self.plans: dict[str, tuple[str, tuple[Any, ...]]] = {}
        self.today = practice_clock.today(self.context)  # as the service reads "3/4/61"

    def plan(self, text: str) -> tuple[str, tuple[Any, ...]]:
        """The SQL and parameters the service ends up running for ``text``."""
        if text in self.plans:
            return self.plans[text]
        query = parse_search(text, today=self.today)
        m = self.mark
        if query.kind is QueryKind.BIRTH_DATE:
            born = query.birth_date.isoformat() if self.sqlite else query.birth_date
            sql = (
                "SELECT p.id, p.mrn, p.first_name, p.last_name, p.date_of_birth, p.sort_key "
                f"FROM patients p WHERE p.date_of_birth = {m} AND p.merged_into_id IS NULL "
                f"ORDER BY p.date_of_birth, p.sort_key, p.id LIMIT {PAGE}"
            )
            params: tuple[Any, ...] = (born,)
        elif query.kind is QueryKind.MRN:
            sql = f"SELECT p.id, p.mrn, p.first_name, p.last_name FROM patients p WHERE p.mrn = {m}"
            params = (query.mrn,)
        else:
            words = (query.phone_key,) if query.kind is QueryKind.PHONE else query.words
            with self.context.reading(None) as session:
                driver = _choose_driver(session.connection(), words) if len(words) > 1 else 0
            patterns = _token_patterns(words, driver)
            sql = (
                f"SELECT {_COLUMNS} FROM patient_search_keys k JOIN patients p "
                f"ON p.id = k.patient_id WHERE k.key >= {m} AND k.key < {m}"
                + "".join(f" AND k.tokens LIKE {m}" for _ in patterns)
                + f" ORDER BY k.key, k.sort_key, k.patient_id LIMIT {PAGE + 10}"
            )
            params = (
                words[driver],
                prefix_successor(words[driver]),
                *patterns,
            )
        self.plans[text] = (sql, params)
        return sql, params

    def run(self, text: str) -> None:
        sql, params = self.plan(text)
        self.connection.execute(sql, params).fetchall()

    def naive(self, text: str) -> None:
        """What a simple implementation does: a substring match over the names, sorted."""
        query = parse_search(text, today=self.today)
        operator = "LIKE" if self.sqlite else "ILIKE"
        m = self.mark
        if query.kind is QueryKind.PHONE:
            condition = (
                f"(p.mobile_phone LIKE {m} OR p.home_phone LIKE {m} OR p.work_phone LIKE {m})"
            )
            params: tuple[Any, ...] = (f"%{query.phone_digits}%",) * 3
        else:
            condition = " AND ".join(
                f"(p.first_name {operator} {m} OR p.last_name {operator} {m})" for _ in query.words
            )
            params = tuple(value for word in query.words for value in (f"%{word}%", f"%{word}%"))
        self.connection.execute(
            "SELECT p.id, p.mrn, p.first_name, p.last_name, p.date_of_birth FROM patients p "
            f"WHERE {condition} ORDER BY p.last_name, p.first_name LIMIT {PAGE}",
            params,
        ).fetchall()

    def close(self) -> None:
        self.connection.close()


def _cycler(queries: Sequence[str], call: Callable[[str], object]) -> Callable[[], None]:
    position = 0

    def next_query() -> None:
        nonlocal position
        call(queries[position % len(queries)])
        position += 1

    return next_query


def _measure_backend(bench: Bench, label: str, url: str) -> None:
    database = open_database(url)
    context = ServiceContext(database, ACTOR)
    raw = RawSearch(url, context)
    try:
        classes = query_classes(_sample_charts(context, random.Random(1)))
        for name, queries in classes.items():
            service = f"search {label}: {name}"
            floor = f"search {label}: {name} (raw driver)"
            for text in queries:
                raw.plan(text)
            samples = len(queries) * REPEAT
            bench.measure(floor, _cycler(queries, raw.run), repeat=samples, warmup=len(queries))
            bench.measure(
                service,
                _cycler(queries, lambda text: search(context, text)),
                repeat=samples,
                warmup=len(queries),
                baseline=floor,
            )
            if name not in ("birth date", "MRN", "phone, whole number"):
                naive = queries[:NAIVE_QUERIES]
                bench.measure(
                    f"search {label}: {name} (naive ILIKE scan)",
                    _cycler(naive, raw.naive),
                    repeat=len(naive),
                    warmup=1,
                    baseline=service,
                )
    finally:
        raw.close()
        database.dispose()


def run(bench: Bench) -> None:
    _measure_backend(bench, "SQLite", demo_databases.ensure_sqlite())
    _measure_backend(bench, "PostgreSQL", demo_databases.ensure_postgres())
