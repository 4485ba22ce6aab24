"""No double booking across workstations: eight processes book one provider's time at the
same moment and exactly one wins; a momentarily busy database is retried, never a crash.
On SQLite (a real file) and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from frontdesk.db import engine as engine_module
from frontdesk.db.engine import open_database
from frontdesk.db.models_scheduling import Appointment
from frontdesk.domain.errors import BusyError, FrontDeskError
from frontdesk.domain.scheduling import ACTIVE_STATUSES
from frontdesk.services.kernel import context as context_module
from frontdesk.services.kernel.context import retry_when_busy
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.services.scheduling import booking, calendars
from frontdesk.services.scheduling.data import BookingForm
from tests.conftest import make_actor
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKERS = 8


def _active_between(clinic: Practice, provider_id: int, start, end) -> list[Appointment]:  # type: ignore[no-untyped-def]
    with clinic.context.reading(None) as session:
        return list(
            session.scalars(
                select(Appointment).where(
                    Appointment.provider_id == provider_id,
                    Appointment.status.in_([status.value for status in ACTIVE_STATUSES]),
                    Appointment.starts_at < end,
                    Appointment.ends_at > start,
                )
            )
        )


@pytest.mark.slow
def test_eight_workstations_booking_one_time_at_once_exactly_one_wins(
    database_url: str, tmp_path: Path
) -> None:
    database = open_database(database_url)
    try:
        clinic = make_practice(make_context(database, make_actor()), patient_count=4)
        base = at(next_weekday(3), 9)
        consultation = clinic.type_id("New consultation")  # 45 minutes
        go = tmp_path / "go"
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.scheduling.booking_worker",
                    database_url,
                    str(go),
                    str(clinic.patients[index % len(clinic.patients)].id),
                    str(clinic.okafor),
                    str(consultation),
                    # 09:00, 09:05 … 09:35: every one overlaps every other.
                    (base + timedelta(minutes=5 * index)).isoformat(),
                ],
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for index in range(WORKERS)
        ]
        try:
            for worker in workers:
                assert worker.stdout is not None
                line = worker.stdout.readline().strip()
                if line != "ready":
                    _out, err = worker.communicate(timeout=60)
                    pytest.fail(f"a worker did not get ready: {line!r} {err}")
            go.touch()  # the same moment for all of them
            finished = [worker.communicate(timeout=120) for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
        codes = [worker.returncode for worker in workers]
        assert codes == [0] * WORKERS, [err for _out, err in finished]
        results = [json.loads(out.strip().splitlines()[-1]) for out, _err in finished]
        booked = [result for result in results if result["result"] == "booked"]
        refused = [result for result in results if result["result"] == "refused"]
        assert len(booked) == 1, results
        assert len(refused) == WORKERS - 1, results
        for result in refused:
            assert result["error"] == "SlotTakenError", result
            assert "just booked" in result["message"], result
            assert "locked" not in result["message"].lower(), result
            assert "Traceback" not in result["message"], result
        active = _active_between(clinic, clinic.okafor, base, base + timedelta(minutes=80))
        assert [row.id for row in active] == [booked[0]["id"]]
        # The calendar, read again, shows the one booking in that hour.
        day = calendars.day_appointments(clinic.context, base.date())
        assert [appointment.id for appointment in day] == [booked[0]["id"]]
    finally:
        database.dispose()


def test_retry_repeats_a_busy_unit_of_work_then_gives_a_calm_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(context_module, "time", SimpleNamespace(sleep=pauses.append))
    attempts: list[int] = []

    def busy_twice() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise BusyError("Another workstation is busy saving; nothing was saved.")
        return "saved"

    assert retry_when_busy(busy_twice) == "saved"
    assert len(attempts) == 3 and pauses == [0.05, 0.1]

    def always_busy() -> str:
        attempts.append(1)
        raise BusyError("Another workstation is busy saving; nothing was saved.")

    attempts.clear()
    with pytest.raises(BusyError) as error:
        retry_when_busy(always_busy)
    # Bounded, and what reaches the person is a FrontDeskError with a sentence, not a crash.
    assert len(attempts) == 4
    assert isinstance(error.value, FrontDeskError) and "nothing was saved" in str(error.value)


class _Blocker:
    """Another workstation holding the database at the worst moment: on SQLite the write
    lock, on PostgreSQL an uncommitted overlapping booking the exclusion constraint waits on."""

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self.sqlite: sqlite3.Connection | None = None
        self.pg: object | None = None

    def hold(self, clinic: Practice, start, end) -> None:  # type: ignore[no-untyped-def]
        if self.url.get_backend_name() == "sqlite":
            self.sqlite = sqlite3.connect(self.url.database or "", isolation_level=None)
            self.sqlite.execute("BEGIN IMMEDIATE")
            return
        engine = create_engine(self.url)
        connection = engine.connect()
        transaction = connection.begin()
        connection.execute(
            text(
                "INSERT INTO appointments (patient_id, provider_id, location_id, type_id, "
                "starts_at, ends_at, reason, notes, status, status_changed_at, cancel_reason, "
                "overbooked, version, created_at, created_by, updated_at, updated_by) VALUES "
                "(:patient, :provider, :location, :kind, :start, :end, '', '', 'booked', now(), "
                "'', false, 1, now(), 'blocker', now(), 'blocker')"
            ),
            {
                "patient": clinic.patients[1].id,
                "provider": clinic.okafor,
                "location": clinic.main_office,
                "kind": clinic.type_id("Follow-up"),
                "start": start,
                "end": end,
            },
        )
        self.pg = (engine, connection, transaction)

    def release(self) -> None:
        if self.sqlite is not None:
            self.sqlite.execute("ROLLBACK")
            self.sqlite.close()
            self.sqlite = None
        if self.pg is not None:
            engine, connection, transaction = self.pg  # type: ignore[misc]
            transaction.rollback()
            connection.close()
            engine.dispose()
            self.pg = None


def test_a_momentarily_busy_database_is_retried_and_the_booking_saved(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short waits so the first try fails at once instead of after the usual 30 s; the
    # failure itself is real: the driver's "database is locked" / PostgreSQL's lock timeout.
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=200")
    database = open_database(database_url)
    blocker = _Blocker(database_url)
    retries: list[float] = []

    def pause(seconds: float) -> None:
        retries.append(seconds)
        blocker.release()  # the other workstation finishes while this one waits

    try:
        clinic = make_practice(make_context(database, make_actor()), patient_count=2)
        start = at(next_weekday(3), 9)
        blocker.hold(clinic, start, start + timedelta(minutes=15))
        monkeypatch.setattr(context_module, "time", SimpleNamespace(sleep=pause))
        booked = booking.book(
            clinic.context,
            BookingForm(
                patient_id=clinic.patients[0].id,
                provider_id=clinic.okafor,
                type_id=clinic.type_id("New consultation"),
                start=start,
            ),
        )
        assert retries, "the first try should have met the busy database"
        assert len(retries) < 4
        active = _active_between(clinic, clinic.okafor, start, start + timedelta(hours=1))
        assert [row.id for row in active] == [booked.id]
    finally:
        blocker.release()
        database.dispose()
