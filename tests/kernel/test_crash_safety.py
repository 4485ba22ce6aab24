"""Crash safety on SQLite: SIGKILL mid-write loses nothing committed; a full disk is calm."""

from __future__ import annotations

import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event

from frontdesk.domain.errors import FrontDeskError
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_trail
from frontdesk.services.practice.forms import LocationForm, PracticeProfileForm
from frontdesk.services.practice.locations import list_locations, save_location
from frontdesk.services.practice.profile import get_profile, save_profile

REPO = Path(__file__).resolve().parents[2]
KILLS = 20
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])


def _check_file(path: Path, committed: set[int]) -> None:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        present = {row[0] for row in connection.execute("SELECT id FROM locations")}
    finally:
        connection.close()
    missing = committed - present
    assert not missing, f"committed but lost after SIGKILL: {sorted(missing)[:10]}"


@pytest.mark.slow
@sqlite_only
def test_sigkill_during_writes_loses_no_committed_transaction(
    context: ServiceContext, database_url: str
) -> None:
    path = context.database.sqlite_path
    assert path is not None
    context.database.dispose()
    chooser = random.Random(20261125)
    committed: set[int] = set()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for kill in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.kernel.crash_writer", database_url, f"run{kill}"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        for _ in range(chooser.randint(1, 40)):
            line = child.stdout.readline()
            if line.endswith("\n"):
                committed.add(int(line))
        time.sleep(chooser.uniform(0, 0.02))  # land anywhere inside the next transaction
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        # Ids printed before the kill are committed too, even if we had not read them yet.
        committed.update(
            int(line) for line in child.stdout.read().splitlines(True) if line.endswith("\n")
        )
        child.stdout.close()
        _check_file(path, committed)
    assert len(committed) >= KILLS
    report = audit_trail.verify_chain(context)
    assert report.intact, report.describe()
    assert report.checked >= len(committed)


def _noise_png(side: int) -> bytes:
    image = Image.frombytes("RGB", (side, side), random.Random(7).randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@sqlite_only
def test_a_full_disk_gives_a_clear_message_and_leaves_the_database_intact(
    context: ServiceContext,
) -> None:
    save_location(context, LocationForm(name="North Clinic"))
    entries_before = audit_trail.count_entries(context)
    path = context.database.sqlite_path
    assert path is not None
    with sqlite3.connect(path) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]
    engine = context.database.engine

    def disk_is_full(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # The file may not grow beyond its present size: as if the disk had no room left.
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()
    event.listen(engine, "connect", disk_is_full)
    logo = _noise_png(600)  # about a megabyte: needs pages the "disk" does not have
    form = PracticeProfileForm(name="Lakeside Spine", main_phone="(217) 555-0142", logo=logo)
    try:
        with pytest.raises(FrontDeskError, match="The disk is full, so nothing was saved"):
            save_profile(context, form, None)
    finally:
        event.remove(engine, "connect", disk_is_full)
        engine.dispose()

    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert get_profile(context) is None
    assert [location.name for location in list_locations(context)] == ["North Clinic"]
    assert audit_trail.count_entries(context) == entries_before
    assert audit_trail.verify_chain(context).intact
    # With room again, the same save works.
    assert save_profile(context, form, None).logo == logo
