"""A save whose COMMIT loses its connection: the app finds out whether it happened.

On the real PostgreSQL server, through a relay in this test that cuts the connection at the
COMMIT message: after passing it on (the server commits, its reply never arrives) or before
(the server never sees it). SQLite needs none of this: its COMMIT is a call into a local
file, which returns or raises, so nothing there is ever "unknown".
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from frontdesk.db.engine import Database, open_database
from frontdesk.db.models import CommittedUnit
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.db.models_scheduling import Appointment
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import (
    DatabaseUnavailableError,
    SavedAfterAll,
    SaveOutcomeUnknownError,
    SlotTakenError,
)
from frontdesk.services.kernel import context as kernel_context
from frontdesk.services.kernel.context import ServiceContext, retry_when_busy
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.services.requests import intake
from frontdesk.services.requests.data import RequestData
from frontdesk.services.scheduling import booking as scheduling_booking
from frontdesk.services.scheduling.data import AppointmentData, BookingForm
from tests.conftest import make_actor
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

COMMIT_MESSAGE = b"COMMIT\x00"  # the simple-query message psycopg sends to commit
UNIT_ID_TABLE = b"committed_units"  # a save writes its unit id there just before COMMIT


class CommitCutter:
    """A TCP relay to the server that can cut one connection at its next COMMIT: ``after``
    passes the COMMIT on and drops the server's reply, ``before`` never passes it on, and
    ``hold`` never passes it on but keeps the server's side open (the server has not noticed
    the client went: its transaction stays open until ``close()``). ``refuse()`` turns new
    connections away, as a server still out of reach does."""

    def __init__(self, server: tuple[str, int], port: int = 0) -> None:
        self.server = server
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self.mode: str | None = None
        self.then_refuse = False
        self.cuts = 0
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, mode: str, *, then_refuse: bool = False) -> None:
        self.mode = mode
        self.then_refuse = then_refuse

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.server)
            with self.lock:
                self.sockets += [client, server]
            muted = threading.Event()  # set: the server's replies no longer reach the client
            threading.Thread(
                target=self._to_server, args=(client, server, muted), daemon=True
            ).start()
            threading.Thread(
                target=self._to_client, args=(server, client, muted), daemon=True
            ).start()

    def _to_server(
        self, client: socket.socket, server: socket.socket, muted: threading.Event
    ) -> None:
        # Only the COMMIT of a save is cut (one that wrote its unit id), never a read's.
        saving = False
        try:
            while data := client.recv(65536):
                saving = saving or UNIT_ID_TABLE in data
                with self.lock:
                    mode = self.mode if saving and COMMIT_MESSAGE in data else None
                    if mode:
                        self.mode, self.cuts = None, self.cuts + 1
                if COMMIT_MESSAGE in data:
                    saving = False
                if mode:
                    muted.set()  # before the COMMIT goes on: its reply must never get back
                if mode == "after":
                    server.sendall(data)
                if mode:
                    if self.then_refuse:
                        self.refuse(keeping=(client, server))
                    if mode == "hold":
                        self._close(client)
                        return
                    break
                server.sendall(data)
        except OSError:
            pass
        self._close(client, server)

    def _to_client(
        self, server: socket.socket, client: socket.socket, muted: threading.Event
    ) -> None:
        try:
            while (data := server.recv(65536)) and not muted.is_set():
                client.sendall(data)
        except OSError:
            pass
        self._close(client)

    @staticmethod
    def _close(*ends: socket.socket) -> None:
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                end.close()

    def refuse(self, keeping: tuple[socket.socket, ...] = ()) -> None:
        """The server is out of reach: no new connection, and the pool's idle ones are gone
        too (a check must not get through on a connection opened before the outage)."""
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            others = [end for end in self.sockets if end not in keeping]
        self._close(*others)

    def close(self) -> None:
        self.refuse()
        with self.lock:
            self._close(*self.sockets)


@dataclass
class Desk:
    """The practice seen directly (to check what the server holds) and through the relay."""

    direct: ServiceContext
    relayed: ServiceContext
    relay: CommitCutter
    practice: Practice

    def count(self, model: type, *conditions: object) -> int:
        with self.direct.reading(None) as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*conditions)))

    def booking(self) -> BookingForm:
        day = next_weekday(0)
        return BookingForm(
            patient_id=self.practice.patients[0].id,
            provider_id=self.practice.okafor,
            type_id=self.practice.type_id("New consultation"),
            start=at(day, 9),
            location_id=self.practice.main_office,
            reason="Neck pain",
        )


@pytest.fixture
def desk(database: Database) -> Iterator[Desk]:
    direct = make_context(database, make_actor())
    practice = make_practice(direct)
    url = make_url(str(database.url))
    relay = CommitCutter((url.host or "127.0.0.1", url.port or 5432))
    relayed_database = open_database(
        url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    )
    yield Desk(direct, make_context(relayed_database, make_actor()), relay, practice)
    relay.close()
    relayed_database.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_booking_whose_commit_reply_is_lost_is_reported_saved_and_not_booked_twice(
    desk: Desk,
) -> None:
    desk.relay.arm("after")
    with pytest.raises(SavedAfterAll) as caught:
        scheduling_booking.book(desk.relayed, desk.booking())
    assert desk.relay.cuts == 1
    # It is there, once, and the app says so (with the booking it made), not "nothing saved".
    assert desk.count(Appointment) == 1
    assert "It was saved" in str(caught.value)
    assert "nothing was saved" not in str(caught.value)
    booked = caught.value.result
    assert isinstance(booked, AppointmentData)
    with desk.direct.reading(None) as session:
        assert session.scalar(select(Appointment.id)) == booked.id
    # Entering it again books nothing twice: the time is the patient's own appointment now.
    with pytest.raises(SlotTakenError):
        scheduling_booking.book(desk.relayed, desk.booking())
    assert desk.count(Appointment) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_booking_cut_before_its_commit_reached_the_server_says_nothing_was_saved(
    desk: Desk,
) -> None:
    desk.relay.arm("before")
    with pytest.raises(DatabaseUnavailableError) as caught:
        scheduling_booking.book(desk.relayed, desk.booking())
    assert desk.relay.cuts == 1
    assert not isinstance(caught.value, SaveOutcomeUnknownError)
    assert "was lost, so nothing was saved; try again" in str(caught.value)
    assert desk.count(Appointment) == 0
    # And it was true: trying again books it, once.
    scheduling_booking.book(desk.relayed, desk.booking())
    assert desk.count(Appointment) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_commit_cut_while_the_server_stays_out_of_reach_is_unknown_and_never_repeated(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kernel_context, "OUTCOME_CHECK_DELAYS_S", (0.0,))
    calls = 0

    def book() -> AppointmentData:
        nonlocal calls
        calls += 1
        desk.relay.arm("after", then_refuse=True)
        return scheduling_booking.book(desk.relayed, desk.booking())

    with pytest.raises(SaveOutcomeUnknownError) as caught:
        retry_when_busy(book)
    message = str(caught.value)
    assert "whether it was saved is not known yet" in message
    assert "check whether it is there before entering it again" in message
    assert "nothing was saved" not in message
    # Never repeated by itself: it was in fact saved, once (the server may still be
    # finishing that COMMIT when the app gives up asking, so look for a moment).
    assert calls == 1
    deadline = time.monotonic() + 10
    while desk.count(Appointment) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert desk.count(Appointment) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_commit_lost_while_the_server_still_holds_the_transaction_is_unknown_not_unsaved(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server has not noticed the client went, so the transaction could still commit:
    "nothing was saved" would be a guess. The check waits a moment for it, then says so."""
    monkeypatch.setattr(kernel_context, "OUTCOME_CHECK_DELAYS_S", (0.0,))
    monkeypatch.setattr(kernel_context, "OUTCOME_LOCK_TIMEOUT", "300ms")
    desk.relay.arm("hold")
    with pytest.raises(SaveOutcomeUnknownError, match="not known yet"):
        scheduling_booking.book(desk.relayed, desk.booking())
    assert desk.count(Appointment) == 0
    # Once the server lets the old transaction go, booking again books it once.
    desk.relay.close()
    desk.relay = CommitCutter(desk.relay.server, port=desk.relay.port)
    scheduling_booking.book(desk.relayed, desk.booking())
    assert desk.count(Appointment) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_new_request_whose_commit_reply_is_lost_is_reported_saved_with_the_request(
    desk: Desk,
) -> None:
    desk.relay.arm("after")
    with pytest.raises(SavedAfterAll) as caught:
        intake.create_request(desk.relayed, maria_intake(patient_id=desk.practice.patients[0].id))
    saved = caught.value.result
    assert isinstance(saved, RequestData)
    assert desk.count(ConsultationRequest) == 1
    assert desk.count(ConsultationRequest, ConsultationRequest.id == saved.id) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_every_save_on_the_server_leaves_its_id_and_old_ids_are_pruned(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = desk.count(CommittedUnit)
    assert before > 0  # the practice's set-up saves
    with desk.direct.writing(None) as uow:
        uow.session.add(CommittedUnit(id=uuid.uuid4(), committed_at=utcnow() - timedelta(days=2)))
        uow.commit()
    assert desk.count(CommittedUnit) == before + 2
    monkeypatch.setattr(kernel_context, "_last_prune", {})  # an hour went by
    scheduling_booking.book(desk.direct, desk.booking())
    assert desk.count(CommittedUnit) == before + 2  # one more, the old one gone
    assert desk.count(CommittedUnit, CommittedUnit.committed_at < utcnow() - timedelta(days=1)) == 0


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_saves_write_no_unit_ids(context: ServiceContext) -> None:
    """A local file's COMMIT returns or raises: there is nothing to settle afterwards."""
    make_practice(context)
    with context.reading(None) as session:
        assert session.scalar(select(func.count()).select_from(CommittedUnit)) == 0
