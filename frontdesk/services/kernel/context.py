"""The service context and unit of work: one user action, one transaction, checked and audited."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from time import monotonic
from typing import Any, TypeVar

from sqlalchemy import delete, insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from frontdesk.db.engine import Database, describe_connection_error, is_connection_lost
from frontdesk.db.models import CommittedUnit
from frontdesk.db.models_scheduling import OVERLAP_CONSTRAINT
from frontdesk.db.server_roles import ServerRoleNames
from frontdesk.db.types import utcnow
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import (
    ACCESS_CHANGED_MESSAGE,
    AccessChangedError,
    BusyError,
    ConflictError,
    DatabaseUnavailableError,
    FrontDeskError,
    PermissionDeniedError,
    RefusedError,
    SavedAfterAll,
    SaveOutcomeUnknownError,
    SlotTakenError,
)
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel import audit
from frontdesk.services.kernel.audit import PendingEntry
from frontdesk.services.kernel.changes import PROCESS_TOKEN, ChangeBus

log = logging.getLogger(__name__)
_T = TypeVar("_T")

NOTIFY_CHANNEL = "frontdesk_changes"
SLOT_TAKEN_MESSAGE = (
    "That time was just booked by someone else, so nothing was saved; the calendar shows "
    "the times still free"
)
SAVED_AFTER_ALL_MESSAGE = (
    "It was saved: the connection to the server dropped just as the save finished, and a "
    "check once it was back found it in the database. Do not enter it again"
)
# How long a unit's id is kept: the question "did it commit?" is asked seconds later.
COMMITTED_UNITS_KEPT = timedelta(days=1)
PRUNE_EVERY_S = 3600.0
# How long the check waits for the lost transaction to end on the server (see below).
OUTCOME_LOCK_TIMEOUT = "3s"
OUTCOME_CHECK_DELAYS_S = (0.0, 1.0)
_last_prune: dict[str, float] = {}
_prune_lock = threading.Lock()
# PostgreSQL's "try again" states: serialization failure, deadlock, lock not available.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


@dataclass
class ServiceContext:
    """What every service call needs: the database, who is acting, where changes are announced."""

    database: Database
    actor: Actor
    changes: ChangeBus = field(default_factory=ChangeBus)
    # Per-person database roles: each signed-in person's own connection, by user id, shared
    # by every context derived from this one (a sign-in at the lock screen adds one).
    logins: dict[int, Database] = field(default_factory=dict)

    def as_actor(self, actor: Actor) -> ServiceContext:
        """Acting as ``actor``: through their own database login when they have one here."""
        database = self.database
        if actor.user_id is not None:
            database = self.logins.get(actor.user_id, database)
        return ServiceContext(database, actor, self.changes, self.logins)

    def require(self, permission: Permission) -> None:
        if not self.actor.can(permission):
            raise PermissionDeniedError(
                f"{self.actor.label} ({self.actor.role.label}) may not do this: "
                f"it needs the '{permission.value.replace('_', ' ')}' permission"
            )

    @contextmanager
    def reading(self, permission: Permission | None) -> Iterator[Session]:
        """A read-only unit of work: nothing it does is committed."""
        if permission is not None:
            self.require(permission)
        # Closing (not rolling back) ends the transaction without expiring loaded rows.
        with translate_errors(self.database, self.actor), self.database.read_sessions() as session:
            yield session

    @contextmanager
    def writing(self, permission: Permission | None) -> Iterator[UnitOfWork]:
        """A unit of work that commits only when told (``uow.commit()``), else rolls back."""
        if permission is not None:
            self.require(permission)
        uow: UnitOfWork | None = None
        try:
            with (
                translate_errors(self.database, self.actor),
                self.database.write_sessions() as session,
            ):
                session.info["actor"] = self.actor
                uow = UnitOfWork(self, session)
                try:
                    yield uow
                finally:
                    if not uow.committed:
                        session.rollback()
        finally:
            # Also when SavedAfterAll is on its way out: the other screens must refresh.
            if uow is not None and uow.committed:
                self.changes.publish(frozenset(uow.changed_tables))


class UnitOfWork:
    """One transaction. On a server each has an id (``unit_id``) written inside it, so a
    COMMIT whose reply was lost with the connection can be settled afterwards."""

    def __init__(self, context: ServiceContext, session: Session) -> None:
        self.context = context
        self.session = session
        self.unit_id = uuid.uuid4()
        self.committed = False
        self.changed_tables: set[str] = set()

    @property
    def actor(self) -> Actor:
        return self.context.actor

    def record(
        self,
        action: str,
        entity: str,
        entity_id: str | int = "",
        *,
        patient_id: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """An audit entry that is not a row change: a chart opened, a print, an export."""
        audit.append_entries(
            self.session,
            self.actor,
            [PendingEntry(action, entity, str(entity_id), patient_id, details or {})],
        )
        self.session.info.setdefault("changed_tables", set()).add("audit_entries")

    def stamp(self, row: Any, *, new: bool) -> None:
        """Who changed an edited record and when (``Edited`` columns), as the actor."""
        now = utcnow()
        if new:
            row.created_at = now
            row.created_by = self.actor.username
        row.updated_at = now
        row.updated_by = self.actor.username

    def mark_changed(self, *tables: str) -> None:
        self.session.info.setdefault("changed_tables", set()).update(tables)

    def commit(self, result: object = None) -> None:
        """Commit. ``result``: what the action returns, handed over in SavedAfterAll when the
        connection drops during COMMIT and the check afterwards finds the save done."""
        self.session.flush()
        tables: set[str] = self.session.info.get("changed_tables", set())
        # A SQLite file is local: its COMMIT either returns or raises, never leaves the
        # outcome unknown, so neither the notification nor the unit's id is written there.
        on_server = self.session.bind is not None and self.session.bind.dialect.name == "postgresql"
        if on_server:
            if tables:
                # Delivered to the other workstations only if, and when, the transaction commits.
                self.session.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {
                        "channel": NOTIFY_CHANNEL,
                        "payload": f"{PROCESS_TOKEN}|{','.join(sorted(tables))}",
                    },
                )
            self._write_unit_id()
        try:
            self.session.commit()
        except DBAPIError as error:
            if not on_server or not is_connection_lost(error):
                raise
            with contextlib.suppress(DBAPIError):
                self.session.rollback()
            self._settle_lost_commit(error, tables, result)
        self.changed_tables = set(tables)
        self.committed = True

    def _write_unit_id(self) -> None:
        now = utcnow()
        database = self.context.database
        key = str(database.url)
        with _prune_lock:
            prune = monotonic() - _last_prune.get(key, float("-inf")) >= PRUNE_EVERY_S
            if prune:
                _last_prune[key] = monotonic()
        if prune:
            self.session.execute(
                delete(CommittedUnit).where(CommittedUnit.committed_at < now - COMMITTED_UNITS_KEPT)
            )
        self.session.execute(
            insert(CommittedUnit).values(
                id=self.unit_id, committed_at=now, actor=self.actor.username[:120]
            )
        )

    def _settle_lost_commit(self, error: DBAPIError, tables: set[str], result: object) -> None:
        """The connection dropped during COMMIT: ask the server (through a new connection)
        whether this unit committed, and say which it was. Returns never."""
        database = self.context.database
        committed = unit_committed(database, self.unit_id)
        log.warning("connection lost during COMMIT; committed after all: %s", committed)
        if committed is None:
            raise SaveOutcomeUnknownError(
                f"The connection to the database server at {database.describe()} dropped while "
                "saving, so whether it was saved is not known yet. Once the connection is "
                "back, check whether it is there before entering it again"
            ) from error
        if not committed:
            raise error  # rolled back for certain: translate_errors says nothing was saved
        self.changed_tables = set(tables)
        self.committed = True
        raise SavedAfterAll(SAVED_AFTER_ALL_MESSAGE, result) from error


def unit_committed(database: Database, unit_id: uuid.UUID) -> bool | None:
    """Whether the unit of work ``unit_id`` committed on the server; None when the server
    cannot be asked (still unreachable, or the lost transaction still open there).

    A plain SELECT is not enough: the lost transaction may still be alive on the server
    (its backend has not noticed the client went), its COMMIT still to come. Inserting the
    same id waits for that transaction to end and then either collides with its committed
    row (it committed) or goes through (it rolled back, and can no longer commit). The probe
    is rolled back either way.
    """
    statement = (
        pg_insert(CommittedUnit)
        .values(id=unit_id, committed_at=utcnow(), actor="")
        .on_conflict_do_nothing()
        .returning(CommittedUnit.id)
    )
    for delay in OUTCOME_CHECK_DELAYS_S:
        time.sleep(delay)
        try:
            with database.write_engine.connect() as connection, connection.begin() as transaction:
                connection.execute(text(f"SET LOCAL lock_timeout = '{OUTCOME_LOCK_TIMEOUT}'"))
                inserted = connection.execute(statement).first()
                transaction.rollback()
                return inserted is None
        except DBAPIError as probe_error:
            log.warning("cannot check a lost COMMIT yet: %s", _first_line(probe_error))
    return None


def retry_when_busy(action: Callable[[], _T], *, attempts: int = 4) -> _T:
    """Run a whole unit of work again when the database was momentarily busy (a lock, a
    serialization failure): each try rolled back completely, so repeating it is safe.

    Never anything else: a save whose COMMIT outcome is unknown (SaveOutcomeUnknownError)
    may have happened, and repeating it could do it twice."""
    delay = 0.05
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except BusyError:
            if attempt == attempts:
                raise
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def _driver_error(error: BaseException) -> BaseException:
    return getattr(error, "orig", None) or error


def _is_disk_full(error: BaseException) -> bool:
    orig = _driver_error(error)
    if getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return True
    if getattr(orig, "sqlstate", None) == "53100":  # PostgreSQL disk_full
        return True
    message = str(orig).lower()
    return "database or disk is full" in message or "no space left" in message


def _first_line(error: BaseException) -> str:
    lines = str(_driver_error(error)).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _access_withdrawn(database: Database, actor: Actor | None) -> bool:
    """After a refusal for lack of privilege: whether this connection is a person's own
    login role that is no longer in the group of the role they signed in with (an admin
    deactivated them, or changed their role, while they were signed in)."""
    login = database.url.username or ""
    names = ServerRoleNames.for_database(str(database.url.database or ""))
    if actor is None or not login.startswith(f"{names.prefix}."):
        return False
    try:
        with database.engine.connect() as connection:
            member = connection.scalar(
                text(
                    "SELECT pg_has_role(current_user, g.oid, 'MEMBER') "
                    "FROM pg_roles g WHERE g.rolname = :group"
                ),
                {"group": names.group(actor.role)},
            )
    except DBAPIError:
        return False
    return member is not True


@contextmanager
def translate_errors(database: Database, actor: Actor | None = None) -> Iterator[None]:
    """Turn driver errors into the user-facing errors the screens and the CLI show.

    Whatever is raised, the unit of work around it rolls its transaction back, so the
    message can truthfully say that nothing was saved.
    """
    try:
        yield
    except FrontDeskError:
        raise
    except StaleDataError as error:
        raise ConflictError(
            "Someone else saved this record a moment ago; reload it to see their changes"
        ) from error
    except DBAPIError as error:
        if _is_disk_full(error):
            raise FrontDeskError(
                "The disk is full, so nothing was saved. Free some space and try again."
            ) from error
        message = _first_line(error)
        sqlstate = getattr(_driver_error(error), "sqlstate", None)
        if OVERLAP_CONSTRAINT in message:
            raise SlotTakenError(SLOT_TAKEN_MESSAGE) from error
        if sqlstate in _TRANSIENT_SQLSTATES:
            raise BusyError(
                "Another workstation was saving at the same moment; nothing was saved. "
                "Try again in a moment."
            ) from error
        if "append-only" in message:
            raise RefusedError(
                "The audit trail is append-only: its entries cannot be changed or deleted"
            ) from error
        if sqlstate == "42501":
            if _access_withdrawn(database, actor):
                raise AccessChangedError(ACCESS_CHANGED_MESSAGE) from error
            raise PermissionDeniedError(
                f"The database server refused this ({message}); nothing was saved"
            ) from error
        if isinstance(error, OperationalError):
            if database.is_sqlite and "locked" in message.lower():
                raise BusyError(
                    "Another workstation is busy saving; nothing was saved. Try again in a moment."
                ) from error
            raise DatabaseUnavailableError(describe_connection_error(database, error)) from error
        if error.connection_invalidated:
            raise DatabaseUnavailableError(describe_connection_error(database, error)) from error
        raise
    except sqlite3.OperationalError as error:  # pragma: no cover - usually wrapped above
        raise DatabaseUnavailableError(str(error)) from error
