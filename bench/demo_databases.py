"""The big demo databases the benchmarks share: built once per (N, seed, demo format), reused.

A 1,000,000-patient database takes a minute or two to build, so it is kept between runs:
a SQLite file under FRONTDESK_BENCH_DIR (default: <tmp>/frontdesk-bench) and a PostgreSQL
database ``frontdesk_bench_<N>_s<seed>_v<format>`` on FRONTDESK_BENCH_PG_URL's server. The
build runs ``frontdesk demo`` as a child process, timed with its peak memory, so the figure is
what a user's command costs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.demo.generator import DEMO_FORMAT

PG_ADMIN_URL = os.environ.get(
    "FRONTDESK_BENCH_PG_URL",
    os.environ.get(
        "FRONTDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    ),
)
BENCH_PATIENTS = int(os.environ.get("FRONTDESK_BENCH_PATIENTS", "1000000"))
BENCH_SEED = 1


@dataclass(frozen=True)
class DemoRun:
    """One timed ``frontdesk demo`` child process."""

    url: str
    patients: int
    seconds: float
    peak_mb: float


# Builds done by this process (so bench_demo and bench_search share one build per run).
BUILT: dict[str, DemoRun] = {}


def bench_dir() -> Path:
    folder = Path(os.environ.get("FRONTDESK_BENCH_DIR", Path(tempfile.gettempdir())))
    folder = folder / "frontdesk-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sqlite_url(patients: int = BENCH_PATIENTS, seed: int = BENCH_SEED) -> str:
    return f"sqlite:///{bench_dir() / f'demo-{patients}-s{seed}-v{DEMO_FORMAT}.sqlite3'}"


def postgres_name(patients: int = BENCH_PATIENTS, seed: int = BENCH_SEED) -> str:
    return f"frontdesk_bench_{patients}_s{seed}_v{DEMO_FORMAT}"


def postgres_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def run_demo(url: str, patients: int, seed: int) -> DemoRun:
    """``frontdesk --database URL demo --patients N --seed S`` as a child; wall time, peak RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "frontdesk",
            "--database",
            url,
            "demo",
            "--patients",
            str(patients),
            "--seed",
            str(seed),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # its one-line summary would land in the results table
    )
    # wait4 gives this child's own resource usage (ru_maxrss in KiB on Linux).
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"frontdesk demo failed with exit code {child.returncode}")
    return DemoRun(url, patients, seconds, usage.ru_maxrss / 1024)


def _sqlite_complete(url: str) -> bool:
    path = Path(make_url(url).database or "")
    return path.exists() and path.with_suffix(".complete").exists()


def ensure_sqlite(patients: int = BENCH_PATIENTS, seed: int = BENCH_SEED) -> str:
    """The SQLite bench database, built now if it is not there yet."""
    url = sqlite_url(patients, seed)
    if _sqlite_complete(url):
        return url
    path = Path(make_url(url).database or "")
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    BUILT[url] = run_demo(url, patients, seed)
    path.with_suffix(".complete").write_text(f"{BUILT[url]}\n")
    return url


def _postgres_complete(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(
                connection.scalar(text("SELECT count(*) FROM audit_entries WHERE action = 'demo'"))
            )
    except Exception:
        return False
    finally:
        engine.dispose()


def ensure_postgres(patients: int = BENCH_PATIENTS, seed: int = BENCH_SEED) -> str:
    """The PostgreSQL bench database, built now if it is not there yet."""
    name = postgres_name(patients, seed)
    url = postgres_url(name)
    if _postgres_complete(url):
        return url
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    BUILT[url] = run_demo(url, patients, seed)
    return url
