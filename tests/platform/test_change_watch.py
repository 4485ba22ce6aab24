"""Other workstations' commits reach this one: PostgreSQL LISTEN/NOTIFY, SQLite data_version."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.db.engine import Database, open_database
from frontdesk.services.kernel.changes import EVERYTHING, PROCESS_TOKEN
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.change_watch import (
    WATCHER_APPLICATION_NAME,
    ChangeWatcher,
    parse_notification,
    watch_changes,
)
from frontdesk.services.practice.forms import LocationForm
from frontdesk.services.practice.locations import save_location
from tests.platform.workstation import OtherWorkstation

DEADLINE_S = 10.0


class Inbox:
    """What a watcher delivered, safe to read from the test thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self.deliveries: list[frozenset[str]] = []
        self.threads: set[str] = set()

    def __call__(self, tables: frozenset[str]) -> None:
        with self._arrived:
            self.deliveries.append(tables)
            self.threads.add(threading.current_thread().name)
            self._arrived.notify_all()

    def wait_for(self, condition: Callable[[list[frozenset[str]]], bool]) -> bool:
        """Wait until ``condition(deliveries)`` holds, or give up at the deadline."""
        deadline = time.monotonic() + DEADLINE_S
        with self._arrived:
            while not condition(self.deliveries):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._arrived.wait(remaining)
            return True

    def clear(self) -> None:
        with self._lock:
            self.deliveries.clear()


def mentions(table: str) -> Callable[[list[frozenset[str]]], bool]:
    return lambda deliveries: any(table in tables or "*" in tables for tables in deliveries)


@pytest.fixture
def other_workstation(database_url: str) -> OtherWorkstation:
    return OtherWorkstation(database_url)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def watcher(database: Database, inbox: Inbox) -> Iterator[ChangeWatcher]:
    started = watch_changes(database, inbox)
    assert started.wait_until_watching(DEADLINE_S), "the watcher never started watching"
    yield started
    started.stop()


def test_another_workstations_commit_is_reported(
    watcher: ChangeWatcher, inbox: Inbox, other_workstation: OtherWorkstation, backend: str
) -> None:
    other_workstation.save_location("North Clinic")

    assert inbox.wait_for(mentions("locations")), "the other workstation's save was not seen"
    if backend == "postgresql":
        # PostgreSQL says which tables changed, so only the views showing them refresh.
        assert inbox.deliveries[0] >= {"locations"}
        assert "*" not in inbox.deliveries[0]
    else:
        assert inbox.deliveries[0] == EVERYTHING
    assert threading.main_thread().name not in inbox.threads, "callbacks run on the watcher"


def test_every_later_commit_is_reported_too(
    watcher: ChangeWatcher, inbox: Inbox, other_workstation: OtherWorkstation
) -> None:
    other_workstation.save_location("North Clinic")
    assert inbox.wait_for(mentions("locations"))
    inbox.clear()

    other_workstation.save_location("South Clinic")

    assert inbox.wait_for(mentions("locations")), "a second change went unnoticed"


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_own_commits_are_not_echoed_back_on_postgresql(
    watcher: ChangeWatcher,
    inbox: Inbox,
    context: ServiceContext,
    other_workstation: OtherWorkstation,
) -> None:
    save_location(context, LocationForm(name="Own Clinic"))
    # A later change from elsewhere is the marker: notifications arrive in commit order,
    # so once it is here, any echo of our own commit would already have arrived.
    other_workstation.save_provider("Ana", "Lindqvist")

    assert inbox.wait_for(mentions("providers"))
    assert not any("locations" in tables for tables in inbox.deliveries), inbox.deliveries


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_watcher_reconnects_after_losing_its_connection(
    watcher: ChangeWatcher, inbox: Inbox, database_url: str, other_workstation: OtherWorkstation
) -> None:
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": WATCHER_APPLICATION_NAME},
        ).scalar_one()
    admin.dispose()
    assert killed >= 1

    # Whatever changed while it was deaf is unknown, so it reports everything on return.
    assert inbox.wait_for(lambda deliveries: EVERYTHING in deliveries), "it did not come back"
    assert watcher.is_running
    inbox.clear()
    other_workstation.save_location("After The Outage")
    assert inbox.wait_for(lambda deliveries: any("locations" in t for t in deliveries))


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_password_with_spaces_still_lets_the_watcher_listen(
    database_url: str, inbox: Inbox, other_workstation: OtherWorkstation
) -> None:
    # The sign-in suggests "a short sentence" for a password: the watcher's connection must
    # take one (the local server trusts 127.0.0.1, so only the client refuses it, if at all).
    url = make_url(database_url).set(password="a short sentence & 100% mine")
    database = open_database(url.render_as_string(hide_password=False))
    watcher = watch_changes(database, inbox)
    try:
        assert watcher.wait_until_watching(DEADLINE_S), "the watcher never started watching"
        other_workstation.save_location("Seen Despite Spaces")
        assert inbox.wait_for(mentions("locations"))
    finally:
        watcher.stop()
        database.dispose()


def test_a_failing_callback_does_not_stop_the_watching(
    database: Database, inbox: Inbox, other_workstation: OtherWorkstation
) -> None:
    def broken(tables: frozenset[str]) -> None:
        inbox(tables)
        if len(inbox.deliveries) == 1:
            raise RuntimeError("a view blew up while refreshing")

    watcher = watch_changes(database, broken)
    try:
        assert watcher.wait_until_watching(DEADLINE_S)
        other_workstation.save_location("First")
        assert inbox.wait_for(mentions("locations"))
        other_workstation.save_location("Second")
        assert inbox.wait_for(lambda deliveries: len(deliveries) >= 2), "it died with the callback"
    finally:
        watcher.stop()


def test_stop_ends_the_thread_and_nothing_arrives_after(
    database: Database, inbox: Inbox, other_workstation: OtherWorkstation
) -> None:
    stopped = watch_changes(database, inbox)
    control = Inbox()
    still_watching = watch_changes(database, control)
    try:
        assert stopped.wait_until_watching(DEADLINE_S)
        assert still_watching.wait_until_watching(DEADLINE_S)
        stopped.stop()
        assert not stopped.is_running

        other_workstation.save_location("Unwatched")
        # Once a running watcher has seen it, the stopped one would have too.
        assert control.wait_for(mentions("locations"))
        assert inbox.deliveries == []
    finally:
        still_watching.stop()


def test_notification_payloads() -> None:
    assert parse_notification(f"{PROCESS_TOKEN}|locations") is None
    assert parse_notification("someoneelse1|locations,providers") == {"locations", "providers"}
    assert parse_notification("someoneelse1|") == EVERYTHING
    assert parse_notification("not our format") == EVERYTHING
