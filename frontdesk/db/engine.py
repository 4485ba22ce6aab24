"""The one place that creates database engines and sessions."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.db.filesystems import is_network_path
from frontdesk.domain.errors import DatabaseUnavailableError
from frontdesk.private_files import create_private, make_private

SQLITE_BUSY_TIMEOUT_S = 30
SQLITE_HEADER = b"SQLite format 3\x00"
# How psycopg and PostgreSQL say that an open connection went away mid-call.
CONNECTION_LOST_SIGNS = (
    "terminating connection",
    "server closed the connection",
    "consuming input failed",
    "the connection is lost",
    "connection is closed",
    "ssl syscall error",
    "could not receive data from server",
    "could not send data to server",
)


@dataclass(frozen=True)
class Database:
    """An open database: its engine and a factory for sessions.

    ``write_sessions`` begin with BEGIN IMMEDIATE on SQLite, so two writers queue on the
    busy timeout instead of one failing with "database is locked" when it upgrades a read
    lock; ``read_sessions`` use a plain deferred BEGIN so readers never wait for writers.
    """

    url: URL
    engine: Engine
    write_engine: Engine
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    def describe(self) -> str:
        """Where the data lives, for the status bar: never a password."""
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        host = self.url.host or "local socket"
        port = f":{self.url.port}" if self.url.port else ""
        return f"{self.url.get_backend_name()}://{host}{port}/{self.url.database or ''}"

    def dispose(self) -> None:
        self.engine.dispose()


def normalize_url(raw: str) -> URL:
    """Parse a database URL; a bare postgresql:// URL uses psycopg 3."""
    try:
        url = make_url(raw)
    except ArgumentError as error:
        raise DatabaseUnavailableError(f"'{raw}' is not a database URL") from error
    backend = url.get_backend_name()
    if backend == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise DatabaseUnavailableError(
            f"Front Desk works with SQLite files and PostgreSQL servers, not '{backend}'"
        )
    return url


def check_sqlite_file(path: Path) -> None:
    """Refuse files SQLite must not open: not SQLite at all, or on a network share."""
    if is_network_path(path):
        raise DatabaseUnavailableError(
            f"{path} is on a network drive, where SQLite's locking is not safe and the file "
            "would corrupt. For a database shared by several computers, use a PostgreSQL server."
        )
    if path.exists():
        if path.is_dir():
            raise DatabaseUnavailableError(f"{path} is a folder, not a database file")
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        if header and header != SQLITE_HEADER:
            raise DatabaseUnavailableError(f"{path} is not a Front Desk (SQLite) database file")
    elif not path.parent.exists():
        raise DatabaseUnavailableError(f"The folder {path.parent} does not exist")


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's begin event decide how transactions begin (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def open_database(raw_url: str, *, create: bool = True, echo: bool = False) -> Database:
    """Create the engine for ``raw_url`` and check that the database answers."""
    url = normalize_url(raw_url)
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            path = Path(os.path.expanduser(url.database)).absolute()
            check_sqlite_file(path)
            if not create and not path.exists():
                raise DatabaseUnavailableError(f"There is no database file at {path}")
            create_private(path)
            for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                make_private(part)
            url = url.set(database=str(path))
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 5, "application_name": "frontdesk"}
    engine = create_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        _install_sqlite_pragmas(engine)
        write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    else:
        write_engine = engine
    database = Database(
        url=url,
        engine=engine,
        write_engine=write_engine,
        read_sessions=sessionmaker(engine, expire_on_commit=False),
        write_sessions=sessionmaker(write_engine, expire_on_commit=False),
    )
    ping(database)
    return database


def ping(database: Database) -> None:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        database.dispose()
        raise DatabaseUnavailableError(describe_connection_error(database, error)) from error
    except sqlite3.DatabaseError as error:  # pragma: no cover - raised wrapped normally
        database.dispose()
        raise DatabaseUnavailableError(f"{database.describe()}: {error}") from error


def is_connection_lost(error: BaseException) -> bool:
    """Whether ``error`` says an open connection went away mid-call (not a refused one)."""
    if getattr(error, "connection_invalidated", False):
        return True
    detail = str(getattr(error, "orig", None) or error).lower()
    return any(sign in detail for sign in CONNECTION_LOST_SIGNS)


def describe_connection_error(database: Database, error: Exception) -> str:
    """One plain sentence for why the database could not be reached."""
    detail = str(getattr(error, "orig", error)).strip().splitlines()
    first = detail[0] if detail else type(error).__name__
    lowered = first.lower()
    where = database.describe()
    if "password authentication failed" in lowered:
        return f"The server at {where} refused the user name or password"
    if "does not exist" in lowered and "database" in lowered:
        return f"The database {where} does not exist on the server"
    if any(sign in lowered for sign in CONNECTION_LOST_SIGNS):
        # The server went away in the middle of a call (restart, network, killed backend):
        # the transaction was rolled back, and the pool reconnects on the next call. A loss
        # during COMMIT itself is settled by the unit of work before this is said (it asks
        # the server whether the commit happened: services.kernel.context).
        return (
            f"The connection to the database server at {where} was lost, so nothing was "
            "saved; try again in a moment"
        )
    if "not currently accepting connections" in lowered:  # ALLOW_CONNECTIONS false
        return (
            f"The database {where} is not accepting connections right now (maintenance on "
            "the server), so nothing was changed; try again in a moment"
        )
    if "the database system is" in lowered:  # starting up, shutting down, in recovery
        return f"The database server at {where} is restarting; try again in a moment"
    if "connection refused" in lowered or "could not connect" in lowered or "timeout" in lowered:
        return f"Cannot reach the database server at {where}: is it running and reachable?"
    if "file is not a database" in lowered or "file is encrypted" in lowered:
        return f"{where} is not a Front Desk (SQLite) database file"
    if "unable to open database file" in lowered:
        return f"Cannot open the database file {where}: check the folder and its permissions"
    return f"Cannot open the database {where}: {first}"
