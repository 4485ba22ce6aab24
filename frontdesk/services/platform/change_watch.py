"""Learning of changes other workstations committed: PostgreSQL LISTEN, SQLite data_version.

Every commit made through a :class:`~frontdesk.services.kernel.context.UnitOfWork` is announced
inside this process by the :class:`~frontdesk.services.kernel.changes.ChangeBus`. Commits made by
another process (another workstation, the command line) are found here, on a daemon thread
of their own, and handed to a callback as a frozenset of table names:

* PostgreSQL: the unit of work sends ``NOTIFY frontdesk_changes, 'TOKEN|table1,table2'`` in
  the committing transaction; a dedicated autocommit connection LISTENs on the channel and
  drops notifications that carry this process's own ``PROCESS_TOKEN`` (the bus already told
  this process). If the server goes away the watcher reconnects with backoff and then sends
  ``EVERYTHING``, since changes made while it was deaf are unknown.
* SQLite: there is no notification, but ``PRAGMA data_version`` on a connection changes
  whenever any *other* connection committed. A dedicated connection polls it about once a
  second and sends ``EVERYTHING`` when it moves. SQLite cannot say which connection wrote, so
  this process's own commits are reported too (one extra refresh a second after a save).

The callback runs on the watcher's thread; the UI's ``ChangeHub`` moves it to the UI thread.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from frontdesk.db.engine import SQLITE_BUSY_TIMEOUT_S, Database
from frontdesk.services.kernel.changes import EVERYTHING, PROCESS_TOKEN, ChangeListener
from frontdesk.services.kernel.context import NOTIFY_CHANNEL

log = logging.getLogger(__name__)

SQLITE_POLL_INTERVAL_S = 1.0
# How long one wait for notifications lasts: the longest stop() waits for the thread.
LISTEN_WAIT_S = 0.25
# A connection that answers nothing for this long is checked with a query, so a server
# that vanished without closing the socket (a pulled cable) is noticed too.
LISTEN_PING_INTERVAL_S = 30.0
RECONNECT_FIRST_DELAY_S = 0.5
RECONNECT_MAX_DELAY_S = 30.0
WATCHER_APPLICATION_NAME = "frontdesk-change-watch"


def parse_notification(payload: str) -> frozenset[str] | None:
    """The tables a notification names, or None when it is this process's own echo.

    A payload that does not follow ``TOKEN|table1,table2`` (an older or newer app, a manual
    NOTIFY) still means something changed, so it becomes ``EVERYTHING``.
    """
    token, separator, tables = payload.partition("|")
    if not separator:
        return EVERYTHING
    if token == PROCESS_TOKEN:
        return None
    named = frozenset(name.strip() for name in tables.split(",") if name.strip())
    return named or EVERYTHING


class ChangeWatcher:
    """Calls ``callback(tables)`` from its own daemon thread when another process committed.

    ``start()`` starts the thread (once); ``stop()`` ends it and waits briefly for it.
    ``wait_until_watching()`` blocks until changes committed from then on will be seen.
    """

    def __init__(self, callback: ChangeListener, *, name: str) -> None:
        self.callback = callback
        self._name = name
        self._stopping = threading.Event()
        self._watching = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run_safely, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait_until_watching(self, timeout: float | None = None) -> bool:
        """True once the watcher listens (PostgreSQL) or has its first data_version (SQLite)."""
        return self._watching.wait(timeout)

    def _deliver(self, tables: frozenset[str]) -> None:
        if not tables or self._stopping.is_set():
            return
        try:
            self.callback(tables)
        except Exception:  # a broken listener must not stop the watching
            log.exception("change callback failed")

    def _run_safely(self) -> None:
        try:
            self._run()
        except Exception:  # pragma: no cover - _run handles its own errors; this is the net
            log.exception("change watcher stopped unexpectedly")
        finally:
            self._watching.clear()

    def _run(self) -> None:
        raise NotImplementedError

    def _wait_to_retry(self, delay: float) -> float:
        """Sleep ``delay`` unless stopped; return the next, longer delay."""
        self._stopping.wait(delay)
        return min(delay * 2, RECONNECT_MAX_DELAY_S)


class PostgresChangeWatcher(ChangeWatcher):
    """LISTENs on ``frontdesk_changes`` over its own autocommit connection."""

    def __init__(self, conninfo: str, callback: ChangeListener) -> None:
        super().__init__(callback, name="frontdesk-change-watch-pg")
        self._conninfo = conninfo

    def _connect(self) -> psycopg.Connection:
        connection = psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=5,
            application_name=WATCHER_APPLICATION_NAME,
            # The kernel notices a dead peer even while we only wait for notifications.
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
        )
        connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        return connection

    def _run(self) -> None:
        delay = RECONNECT_FIRST_DELAY_S
        missed_changes = False
        while not self._stopping.is_set():
            try:
                connection = self._connect()
            except psycopg.Error as error:
                if not missed_changes:
                    log.warning("cannot listen for other workstations' changes: %s", error)
                missed_changes = True
                delay = self._wait_to_retry(delay)
                continue
            try:
                if missed_changes:
                    log.info("listening for other workstations' changes again")
                    self._deliver(EVERYTHING)
                    missed_changes = False
                delay = RECONNECT_FIRST_DELAY_S
                self._watching.set()
                self._listen(connection)
            except psycopg.Error as error:
                self._watching.clear()
                log.warning("lost the connection that listens for changes: %s", error)
                missed_changes = True
                delay = self._wait_to_retry(delay)
            finally:
                connection.close()

    def _listen(self, connection: psycopg.Connection) -> None:
        last_heard = time.monotonic()
        while not self._stopping.is_set():
            changed: set[str] = set()
            for notification in connection.notifies(timeout=LISTEN_WAIT_S):
                tables = parse_notification(notification.payload)
                if tables is not None:
                    changed |= tables
            now = time.monotonic()
            if changed:
                last_heard = now
                self._deliver(frozenset(changed))
            elif now - last_heard > LISTEN_PING_INTERVAL_S:
                connection.execute("SELECT 1")
                last_heard = now


class SqliteChangeWatcher(ChangeWatcher):
    """Polls ``PRAGMA data_version`` on its own connection to the database file."""

    def __init__(
        self,
        path: Path,
        callback: ChangeListener,
        *,
        interval: float = SQLITE_POLL_INTERVAL_S,
    ) -> None:
        super().__init__(callback, name="frontdesk-change-watch-sqlite")
        self._path = path
        self._interval = interval

    def _connect(self) -> sqlite3.Connection:
        # mode=rw: never create a file that is not there (a moved or deleted database).
        connection = sqlite3.connect(
            f"{self._path.as_uri()}?mode=rw", uri=True, timeout=SQLITE_BUSY_TIMEOUT_S
        )
        connection.isolation_level = None  # no implicit transaction that would pin a snapshot
        return connection

    def _run(self) -> None:
        delay = RECONNECT_FIRST_DELAY_S
        last_version: int | None = None
        while not self._stopping.is_set():
            try:
                connection = self._connect()
            except sqlite3.Error as error:
                log.warning("cannot watch %s for changes: %s", self._path, error)
                delay = self._wait_to_retry(delay)
                continue
            try:
                # data_version is only comparable on one connection: a new connection
                # starts a new count, so after reopening assume something changed.
                if last_version is not None:
                    self._deliver(EVERYTHING)
                last_version = self._version(connection)
                delay = RECONNECT_FIRST_DELAY_S
                self._watching.set()
                while not self._stopping.wait(self._interval):
                    version = self._version(connection)
                    if version != last_version:
                        last_version = version
                        self._deliver(EVERYTHING)
            except sqlite3.Error as error:
                self._watching.clear()
                log.warning("watching %s for changes failed: %s", self._path, error)
                delay = self._wait_to_retry(delay)
            finally:
                connection.close()

    @staticmethod
    def _version(connection: sqlite3.Connection) -> int:
        row = connection.execute("PRAGMA data_version").fetchone()
        return int(row[0])


class _DeafWatcher(ChangeWatcher):
    """For a private in-memory database: no other process can change it."""

    def _run(self) -> None:
        self._watching.set()
        self._stopping.wait()


def postgres_conninfo(database: Database) -> str:
    """A libpq connection string for the database's URL (password included).

    Keywords, not a URI: SQLAlchemy leaves a space in a password unescaped and libpq refuses
    such a URI, while the sign-in itself suggests a short sentence for a password.
    """
    url = database.url
    keywords: dict[str, object] = {
        "host": url.host,
        "port": url.port,
        "dbname": url.database,
        "user": url.username,
        "password": url.password,
        **url.query,  # sslmode, sslrootcert...
    }
    return make_conninfo(**{key: value for key, value in keywords.items() if value is not None})


def make_watcher(database: Database, callback: Callable[[frozenset[str]], None]) -> ChangeWatcher:
    """A watcher for ``database``'s backend, not yet started."""
    if database.is_sqlite:
        path = database.sqlite_path
        if path is None:
            return _DeafWatcher(callback, name="frontdesk-change-watch-memory")
        return SqliteChangeWatcher(path, callback)
    return PostgresChangeWatcher(postgres_conninfo(database), callback)


def watch_changes(database: Database, callback: Callable[[frozenset[str]], None]) -> ChangeWatcher:
    """Start watching ``database`` for other processes' commits; ``stop()`` the result."""
    watcher = make_watcher(database, callback)
    watcher.start()
    return watcher
