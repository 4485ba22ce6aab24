"""The audit trail: hash-chained, append-only, written by the server where there is one.

On PostgreSQL the database writes every entry (migration 0010): triggers on the audited
tables record each row change, ``frontdesk_audit_record`` records views, prints and exports,
and a trigger on ``audit_entries`` computes the chain, each entry stamped with the server's
clock and ``session_user`` (``db_user``). The app only states, per transaction, which Front
Desk user it acts for (``claim_actor``); entries show that as their user, the claim beside
the login the server saw. There is no second, app-written entry for a row change: the
trigger's is the one record of it, whoever made the change.

On SQLite there is no server: the flush hooks below record row changes and the app computes
the same chain; signed checkpoints are that trail's protection.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, event, insert, inspect, select, text
from sqlalchemy.orm import Session

from frontdesk.db.models import AuditEntry, Base
from frontdesk.db.types import utcnow
from frontdesk.domain.actor import Actor

GENESIS_HASH = "0" * 64
PG_AUDIT_LOCK = 7_262_001  # advisory lock key that serializes appends to the chain
REDACTED = "(redacted)"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The chain link: SHA-256 over the previous hash and the entry's canonical JSON."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def hashed_fields(row: Any) -> dict[str, Any]:
    """The columns a link covers, the same way when writing and when verifying.

    PostgreSQL's ``frontdesk_audit_chain`` builds this very text; change both or neither.
    ``db_user`` is covered only when set, so entries from before it existed keep their hash.
    """
    at = row.at if isinstance(row.at, str) else row.at.isoformat(timespec="microseconds")
    db_user = getattr(row, "db_user", None)
    return {
        **({"db_user": db_user} if db_user is not None else {}),
        "at": at,
        "username": row.username,
        "user_id": row.user_id,
        "workstation": row.workstation,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "patient_id": row.patient_id,
        "details": row.details,
    }


@dataclass(frozen=True)
class PendingEntry:
    action: str
    entity: str
    entity_id: str
    patient_id: int | None
    details: dict[str, Any]


def _patient_id_of(obj: Any) -> int | None:
    getter = getattr(obj, "audit_patient_id", None)
    return getter if isinstance(getter, int) else None


def _identity(obj: Any) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key if part is not None)


def _changes(obj: Any, redact: frozenset[str]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in ("version", "updated_at", "updated_by"):
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        if attr.key in redact:
            changed[attr.key] = {"old": REDACTED, "new": REDACTED}
        else:
            changed[attr.key] = {"old": _plain(old), "new": _plain(new)}
    return changed


def _snapshot(obj: Any, redact: frozenset[str]) -> dict[str, Any]:
    state = inspect(obj)
    return {
        attr.key: REDACTED if attr.key in redact else _plain(getattr(obj, attr.key))
        for attr in state.mapper.column_attrs
        if attr.key not in ("version", "created_at", "created_by", "updated_at", "updated_by")
        # A deferred column never loaded (a document's bytes) is not read just to be listed.
        and not (attr.deferred and attr.key in state.unloaded)
    }


def pending_entries(session: Session) -> list[PendingEntry]:
    """What this flush changes in audited tables, with old and new values for updates."""
    entries: list[PendingEntry] = []
    for obj, action in (
        *((o, "create") for o in session.new),
        *((o, "update") for o in session.dirty),
        *((o, "delete") for o in session.deleted),
    ):
        if not isinstance(obj, Base) or not type(obj).__audited__:
            continue
        redact = frozenset(getattr(type(obj), "__audit_redact__", ()))
        if action == "update":
            if not session.is_modified(obj, include_collections=False):
                continue
            details: dict[str, Any] = {"changes": _changes(obj, redact)}
            if not details["changes"]:
                continue
        elif action == "create":
            details = {"values": _snapshot(obj, redact)}
        else:
            details = {"values": _snapshot(obj, redact)}
        entries.append(
            PendingEntry(
                action=action,
                entity=type(obj).__tablename__,
                entity_id="",
                patient_id=_patient_id_of(obj),
                details=details,
            )
        )
        session.info.setdefault("audit_objects", []).append(obj)
    return entries


def append_entries(session: Session, actor: Actor, entries: list[PendingEntry]) -> None:
    """Append entries to the chain inside the session's transaction.

    On PostgreSQL through ``frontdesk_audit_record``, which stamps the time and the login and
    chains the entry; the actor is the one claimed for the transaction (``claim_actor``).
    """
    if not entries:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        claimed: Actor | None = session.info.get("actor")  # claimed when the transaction began
        if claimed != actor:
            claim_actor(connection, actor)
        for entry in entries:
            connection.execute(
                text(
                    "SELECT frontdesk_audit_record("
                    ":action, :entity, :entity_id, :patient, :details)"
                ),
                {
                    "action": entry.action,
                    "entity": entry.entity,
                    "entity_id": entry.entity_id,
                    "patient": entry.patient_id,
                    "details": json.dumps(entry.details, sort_keys=True, ensure_ascii=False),
                },
            )
        if claimed is not None and claimed != actor:
            claim_actor(connection, claimed)
        return
    prev = connection.execute(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one_or_none()
    prev_hash = prev or GENESIS_HASH
    rows = []
    for entry in entries:
        at = utcnow()
        row = {
            "at": at,
            "username": actor.username,
            "user_id": actor.user_id,
            "workstation": actor.workstation,
            "action": entry.action,
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "patient_id": entry.patient_id,
            "details": json.dumps(entry.details, sort_keys=True, ensure_ascii=False),
        }
        link = entry_hash(prev_hash, hashed_fields(_Row(**row)))
        rows.append({**row, "prev_hash": prev_hash, "hash": link})
        prev_hash = link
    connection.execute(insert(AuditEntry), rows)


@dataclass
class _Row:
    at: datetime
    username: str
    user_id: int | None
    workstation: str
    action: str
    entity: str
    entity_id: str
    patient_id: int | None
    details: str


def _on_server(session: Session) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "postgresql"


def claim_actor(connection: Connection, actor: Actor) -> None:
    """Tell the server, for this transaction, which Front Desk user the entries are for."""
    connection.execute(
        text(
            "SELECT set_config('frontdesk.username', :username, true), "
            "set_config('frontdesk.user_id', :user_id, true), "
            "set_config('frontdesk.workstation', :workstation, true)"
        ),
        {
            "username": actor.username,
            "user_id": "" if actor.user_id is None else str(actor.user_id),
            "workstation": actor.workstation,
        },
    )


def _after_begin(session: Session, _transaction: Any, connection: Connection) -> None:
    actor: Actor | None = session.info.get("actor")
    if actor is not None and connection.dialect.name == "postgresql":
        claim_actor(connection, actor)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("actor") is None:
        return
    if not _on_server(session):  # on a server, the triggers record the changes
        session.info.setdefault("pending_audit", []).extend(pending_entries(session))
    tables = session.info.setdefault("changed_tables", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Base):
            tables.add(type(obj).__tablename__)


def _created_values(obj: Any) -> dict[str, Any]:
    # Taken after the INSERT, so generated ids and defaults are in the record.
    return {"values": _snapshot(obj, frozenset(getattr(type(obj), "__audit_redact__", ())))}


def _after_flush(session: Session, _context: Any) -> None:
    actor: Actor | None = session.info.get("actor")
    pending: list[PendingEntry] = session.info.pop("pending_audit", [])
    objects: list[Any] = session.info.pop("audit_objects", [])
    if actor is None or not pending:
        return
    # Ids of new rows exist only now, after the INSERTs.
    resolved = [
        PendingEntry(
            e.action,
            e.entity,
            _identity(obj),
            e.patient_id if e.patient_id is not None else _patient_id_of(obj),
            _created_values(obj) if e.action == "create" else e.details,
        )
        for e, obj in zip(pending, objects, strict=True)
    ]
    append_entries(session, actor, resolved)


def install() -> None:
    """Hook the audit trail into every ORM session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "after_begin", _after_begin)
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
