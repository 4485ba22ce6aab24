"""The audit trail: recorded centrally at flush time, hash-chained, append-only."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect, select, text
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
    """The columns a link covers, the same way when writing and when verifying."""
    at = row.at if isinstance(row.at, str) else row.at.isoformat(timespec="microseconds")
    return {
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
            details = {}
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
    """Append entries to the chain inside the session's transaction."""
    if not entries:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_AUDIT_LOCK})
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


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("actor") is None:
        return
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
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
