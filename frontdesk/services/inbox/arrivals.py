"""Files arrive in the inbox: checked, stored once per SHA-256, each arrival recorded.

The database decides what is new: the SHA-256 is unique (one document per file, however
often it comes), and so is each arrival's ``source_key`` (one file in one place), so two
workstations taking the same file from a shared folder at the same moment store one
document with one arrival, whichever commits first.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from frontdesk.db.models_inbox import InboxArrival, InboxDocument
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import BusyError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.history.received_documents import (
    MAX_DOCUMENT_BYTES,
    FileCheck,
    check_file,
    clean_file_name,
)
from frontdesk.services.inbox.data import Arrival
from frontdesk.services.kernel.clock import clock_text, zone_of
from frontdesk.services.kernel.context import ServiceContext

SOURCES = ("folder", "email", "hand", "split")
# A unique-key clash means another workstation committed the same file a moment ago: the
# next attempt sees its row.
_ATTEMPTS = 4


def _refusal(error: ValidationError) -> str:
    return "; ".join(str(message) for message in error.fields.values())


def receive(
    context: ServiceContext,
    data: bytes,
    file_name: str,
    *,
    source: str,
    origin: str = "",
    source_key: str | None = None,
) -> Arrival:
    """Store one arrived file as an unfiled document, or record another arrival of it.

    A file that is not a readable PDF, PNG, JPEG or TIFF, is empty or over 50 MB is refused
    with the reason (nothing is stored). ``source_key`` names this very file in its place
    (folder, name, size, time): a second import of it is "taken" and changes nothing.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    name = clean_file_name(file_name)
    try:
        check = check_file(data, name)
    except ValidationError as error:
        return Arrival(name, None, "refused", _refusal(error))
    digest = hashlib.sha256(data).hexdigest()
    for _attempt in range(_ATTEMPTS):
        try:
            return _store(context, data, name, check, digest, source, origin, source_key)
        except IntegrityError:
            continue
    raise BusyError(f"{name} could not be stored while other workstations stored it; try again")


def _store(
    context: ServiceContext,
    data: bytes,
    name: str,
    check: FileCheck,
    digest: str,
    source: str,
    origin: str,
    source_key: str | None,
) -> Arrival:
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        session = uow.session
        if source_key is not None:
            taken = session.scalar(
                select(InboxArrival.document_id).where(InboxArrival.source_key == source_key)
            )
            if taken is not None:
                return Arrival(name, taken, "taken", f"{name} was already taken in")
        existing = session.scalar(select(InboxDocument).where(InboxDocument.sha256 == digest))
        now = utcnow()
        if existing is None:
            document = InboxDocument(
                sha256=digest,
                file_name=name,
                mime_type=check.mime_type,
                size_bytes=len(data),
                page_count=check.page_count,
                source=source,
                origin=origin[:400],
                received_at=now,
                received_by=uow.actor.username,
                last_arrived_at=now,
                content=data,
            )
            uow.stamp(document, new=True)
            session.add(document)
            session.flush()
            document_id, outcome = document.id, "new"
            message = f"{name} arrived in the inbox"
        else:
            document_id, outcome = existing.id, "again"
            # One statement, so two arrivals at once both count (no lost update).
            session.execute(
                update(InboxDocument)
                .where(InboxDocument.id == existing.id)
                .values(arrivals=InboxDocument.arrivals + 1, last_arrived_at=now)
                .execution_options(synchronize_session=False)
            )
            uow.record(
                "arrived again",
                "inbox_documents",
                existing.id,
                patient_id=existing.patient_id,
                details={"file": name, "source": source, "origin": origin[:200]},
            )
            where = "still in the inbox" if existing.state == "unfiled" else existing.state
            message = (
                f"{name} came before (first on "
                f"{clock_text(existing.received_at, zone_of(session))}); "
                f"it is one document, {where}"
            )
        session.add(
            InboxArrival(
                document_id=document_id,
                arrived_at=now,
                source=source,
                origin=origin[:400],
                file_name=name,
                by=uow.actor.username,
                source_key=source_key[:700] if source_key else None,
            )
        )
        uow.mark_changed("inbox_documents")
        uow.commit()
    return Arrival(name, document_id, outcome, message)


def receive_file(
    context: ServiceContext,
    path: Path,
    *,
    source: str,
    origin: str = "",
    source_key: str | None = None,
) -> Arrival:
    """receive() for a file on disk; one over the limit is refused unread."""
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            return Arrival(
                path.name,
                None,
                "refused",
                f"{path.name} is {size / (1024 * 1024):.1f} MB; the limit is "
                f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB",
            )
        data = path.read_bytes()
    except OSError as error:
        return Arrival(path.name, None, "refused", f"{path.name} cannot be read: {error.strerror}")
    return receive(
        context,
        data,
        path.name,
        source=source,
        origin=origin or str(path.parent),
        source_key=source_key,
    )
