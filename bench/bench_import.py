"""CSV import of 100,000 patients on SQLite and PostgreSQL: read, preview, write, end to end.

The CSV is generated here (invented people; US and ISO dates, formatted phones, accents,
apostrophes, non-Latin names, 1% bad rows). Each backend imports it twice: into an empty
practice (the move from an old system) and, as a second file of other people, into the
practice that now holds 100,000 charts (so the duplicate check has the database to compare
with). The baseline is the floor: the same number of already-built rows written with the
driver's bulk path alone (executemany / COPY), without reading, validating or checking.
The issue's target: 100,000 rows in under 60 s.
"""

from __future__ import annotations

import csv
import os
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench.harness import Bench
from bench.scratch import scratch_postgres
from frontdesk.db.engine import open_database
from frontdesk.db.models_patients import Patient
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.patients.import_preview import preview_import
from frontdesk.services.patients.import_reading import read_csv_file
from frontdesk.services.patients.import_write import import_patients
from frontdesk.services.platform.bootstrap import make_context, open_for_use

ROWS = int(os.environ.get("FRONTDESK_BENCH_IMPORT_ROWS", "100000"))
PATIENTS = Patient.__table__
# Search keys per chart in the generated file (names plus phones), for the floor's key rows.
KEYS_PER_CHART = 4
BENCH_ACTOR = Actor(username="bench", role=Role.ADMIN, workstation="bench")


def _words(text_value: str) -> tuple[str, ...]:
    return tuple(text_value.split())


FIRST = _words(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy "
    "James Robert John Michael David William Richard Joseph Thomas Christopher Charles "
    "María Guadalupe Juana Verónica José Jesús Ángel Raúl Héctor Óscar Iván Sofía Lucía "
    "Seán Siobhán Aoife Pádraig Chloé Zoë François Jürgen Søren Łukasz Linh Thảo Minh Đức "
    "Wei Fang Mohammed Fatima Priya Anil Olga Ivan Ji-woo Min-jun 秀英 Иван Μαρία"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "García Martínez Rodríguez López Hernández González Pérez Sánchez Núñez Muñoz Ibáñez "
    "O'Connor O'Brien D'Arcy McCarthy Smith-Jones Lloyd-Davies Núñez-García Müller Schröder "
    "Sørensen Wiśniewski Nguyễn Trần Lê Phạm Wang Li Zhang Patel Shah Iyer Petrov Ivanova "
    "Papadopoulos Kim Park Haddad Al-Sayed 王 Петров Παπαδόπουλος"
)
AREA_CODES = ("217", "309", "312", "773", "630", "847", "314", "414", "608", "512", "303")
HEADER = (
    "Patient ID",
    "Last Name",
    "First Name",
    "MI",
    "DOB",
    "Gender",
    "Cell",
    "Home Phone",
    "E-mail",
    "Address",
    "City",
    "State",
    "Zip",
    "Language",
    "Interpreter",
    "Insurance",
    "Member ID",
    "Notes",
)


def _phone(rng: random.Random) -> str:
    exchange = rng.randint(200, 999)
    if exchange % 100 == 11:
        exchange += 1
    number = f"{rng.choice(AREA_CODES)}{exchange:03d}{rng.randint(0, 9999):04d}"
    style = rng.randrange(3)
    if style == 0:
        return f"({number[:3]}) {number[3:6]}-{number[6:]}"
    if style == 1:
        return f"{number[:3]}-{number[3:6]}-{number[6:]}"
    return f"+1 {number[:3]} {number[3:6]} {number[6:]}"


def write_csv(path: Path, rows: int, seed: int, today: date | None = None) -> None:
    """A realistic old system's export: about 1% of the rows have a problem."""
    rng = random.Random(seed)
    today = today or date.today()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            age_days = int(min(max(rng.gauss(58, 16), 18.0), 101.0) * 365.25)
            born = today - timedelta(days=age_days + rng.randint(0, 364))
            dob = f"{born.month}/{born.day}/{born.year}" if rng.random() < 0.6 else born.isoformat()
            first, last = rng.choice(FIRST), rng.choice(LAST)
            cell = _phone(rng) if rng.random() < 0.85 else ""
            home = _phone(rng) if rng.random() < 0.3 else ""
            email = (
                f"p{seed}x{number}@example.{rng.choice(('com', 'net', 'org'))}"
                if rng.random() < 0.55
                else ""
            )
            roll = rng.random()
            if roll < 0.003:
                dob = f"{born.year}-02-30"
            elif roll < 0.006:
                last = ""
            elif roll < 0.008:
                cell = "555-01"
            elif roll < 0.01:
                email = "no-at-sign.example.com"
            writer.writerow(
                (
                    f"A{seed}{number:07d}",
                    last,
                    first,
                    rng.choice("ABCDEJKLMR") if rng.random() < 0.3 else "",
                    dob,
                    rng.choice(("F", "M", "Female", "Male", "")),
                    cell,
                    home,
                    email,
                    f"{rng.randint(1, 9999)} {rng.choice(('Main St', 'Oak Ave', 'Calle del Sol'))}",
                    rng.choice(("Springfield", "Decatur", "Peoria", "Chicago")),
                    "IL",
                    f"62{rng.randint(0, 999):03d}",
                    rng.choice(("English", "English", "Spanish", "Vietnamese", "")),
                    rng.choice(("yes", "no", "", "")),
                    rng.choice(("Aetna", "Cigna", "Medicare", "Blue Cross Blue Shield")),
                    f"X{rng.randint(10**8, 10**9 - 1)}",
                    "Prefers mornings" if rng.random() < 0.05 else "",
                )
            )


def _import(bench: Bench, label: str, url: str, path: Path, stage: str) -> None:
    database, _copy = open_for_use(url)
    try:
        context = make_context(database, BENCH_ACTOR)
        started = time.perf_counter()
        table = read_csv_file(path)
        read = time.perf_counter()
        preview = preview_import(context, table)
        previewed = time.perf_counter()
        result = import_patients(context, preview)
        finished = time.perf_counter()
    finally:
        database.dispose()
    name = f"import: {label}, {ROWS:,} rows {stage}"
    bench.record(f"{name}: read CSV", read - started, "s")
    bench.record(f"{name}: preview (validate + duplicates)", previewed - read, "s")
    bench.record(f"{name}: write (one transaction)", finished - previewed, "s")
    bench.record(
        f"{name}: total", finished - started, "s", baseline=f"import: {label}: raw bulk floor"
    )
    bench.record(f"{name}: charts created", result.imported, "charts")
    bench.record(
        f"{name}: rows left out", result.left_out_errors + result.left_out_duplicates, "rows"
    )


def _floor(bench: Bench, label: str, url: str, keys_per_chart: float) -> None:
    """The driver alone writing ROWS complete patient rows and their search keys (rolled
    back): what an import cannot go below on this machine."""
    database = open_database(url)
    sqlite = database.is_sqlite
    day: Any = "1961-03-04" if sqlite else date(1961, 3, 4)
    moment: Any = "2025-01-01 00:00:00.000000" if sqlite else datetime(2025, 1, 1, tzinfo=UTC)
    columns = [
        column for column in PATIENTS.columns if column.name not in ("merged_into_id", "merged_at")
    ]

    def value(column: Any, number: int) -> Any:
        if column.name == "id":
            return 10_000_000 + number
        if column.name == "mrn":
            return f"Z{number:09d}"
        if column.name == "version":
            return 1
        if column.name in ("created_at", "updated_at"):
            return moment
        if column.nullable:
            return None
        python_type = column.type.python_type
        if python_type is date:
            return day
        if python_type is bool:
            return False
        return f"floor{number}"

    patient_rows = [tuple(value(column, n) for column in columns) for n in range(ROWS)]
    per_chart = max(1, round(keys_per_chart))
    key_rows = [
        (f"floor{n}k{k}", f"floor{n}", 10_000_000 + n, f" floor{n} ")
        for n in range(ROWS)
        for k in range(per_chart)
    ]
    names = ", ".join(f'"{column.name}"' for column in columns)
    try:
        with database.write_engine.connect() as connection:
            raw = connection.connection.driver_connection
            started = time.perf_counter()
            if sqlite:
                assert isinstance(raw, sqlite3.Connection)
                marks = ", ".join("?" for _ in columns)
                raw.execute("BEGIN IMMEDIATE")
                raw.executemany(f"INSERT INTO patients ({names}) VALUES ({marks})", patient_rows)
                raw.executemany(
                    "INSERT INTO patient_search_keys (key, sort_key, patient_id, tokens) "
                    "VALUES (?, ?, ?, ?)",
                    key_rows,
                )
            else:
                assert isinstance(raw, psycopg.Connection)
                with raw.cursor() as cursor:
                    with cursor.copy(f"COPY patients ({names}) FROM STDIN") as copy:
                        for row in patient_rows:
                            copy.write_row(row)
                    with cursor.copy(
                        "COPY patient_search_keys (key, sort_key, patient_id, tokens) FROM STDIN"
                    ) as copy:
                        for row in key_rows:
                            copy.write_row(row)
            elapsed = time.perf_counter() - started
            raw.rollback()
    finally:
        database.dispose()
    bench.record(f"import: {label}: raw bulk floor", elapsed, "s")


def _run_backend(bench: Bench, label: str, url: str, files: tuple[Path, Path]) -> None:
    open_for_use(url)[0].dispose()
    _floor(bench, label, url, KEYS_PER_CHART)
    _import(bench, label, url, files[0], "into an empty practice")
    _import(bench, label, url, files[1], "into a practice with 100,000 charts")


def run(bench: Bench) -> None:
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-import-") as folder:
        first, second = Path(folder) / "old-system.csv", Path(folder) / "second-office.csv"
        write_csv(first, ROWS, seed=1)
        write_csv(second, ROWS, seed=2)
        _run_backend(
            bench, "sqlite", f"sqlite:///{Path(folder) / 'import.sqlite3'}", (first, second)
        )
        with scratch_postgres("frontdesk_bench_import", digits=8) as url:
            _run_backend(bench, "postgresql", url, (first, second))
