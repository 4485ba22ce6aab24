"""The service context and unit of work: one user action, one transaction, checked and audited."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from frontdesk.db.engine import Database, describe_connection_error
from frontdesk.db.models_scheduling import OVERLAP_CONSTRAINT
from frontdesk.db.types import utcnow
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import (
    BusyError,
    ConflictError,
    DatabaseUnavailableError,
    FrontDeskError,
    PermissionDeniedError,
    RefusedError,
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
# PostgreSQL's "try again" states: serialization failure, deadlock, lock not available.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


@dataclass
class ServiceContext:
    """What every service call needs: the database, who is acting, where changes are announced."""

    database: Database
    actor: Actor
    changes: ChangeBus = field(default_factory=ChangeBus)

    def as_actor(self, actor: Actor) -> ServiceContext:
        return ServiceContext(self.database, actor, self.changes)

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
        with translate_errors(self.database), self.database.read_sessions() as session:
            yield session

    @contextmanager
    def writing(self, permission: Permission | None) -> Iterator[UnitOfWork]:
        """A unit of work that commits only when told (``uow.commit()``), else rolls back."""
        if permission is not None:
            self.require(permission)
        with translate_errors(self.database), self.database.write_sessions() as session:
            session.info["actor"] = self.actor
            uow = UnitOfWork(self, session)
            try:
                yield uow
            finally:
                if not uow.committed:
                    session.rollback()
        if uow.committed:
            self.changes.publish(frozenset(uow.changed_tables))


class UnitOfWork:
    def __init__(self, context: ServiceContext, session: Session) -> None:
        self.context = context
        self.session = session
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

    def commit(self) -> None:
        self.session.flush()
        tables: set[str] = self.session.info.get("changed_tables", set())
        if (
            tables
            and self.session.bind is not None
            and self.session.bind.dialect.name == "postgresql"
        ):
            # Delivered to the other workstations only if, and when, the transaction commits.
            self.session.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {
                    "channel": NOTIFY_CHANNEL,
                    "payload": f"{PROCESS_TOKEN}|{','.join(sorted(tables))}",
                },
            )
        self.session.commit()
        self.changed_tables = set(tables)
        self.committed = True


def retry_when_busy(action: Callable[[], _T], *, attempts: int = 4) -> _T:
    """Run a whole unit of work again when the database was momentarily busy (a lock, a
    serialization failure): each try rolled back completely, so repeating it is safe."""
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


@contextmanager
def translate_errors(database: Database) -> Iterator[None]:
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
