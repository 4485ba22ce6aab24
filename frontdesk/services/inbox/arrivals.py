"""Files arrive in the inbox: checked, stored once per SHA-256, each arrival audited."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from frontdesk.db.models_inbox import InboxDocument
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.history.received_documents import (
    MAX_DOCUMENT_BYTES,
    check_file,
    clean_file_name,
)
from frontdesk.services.inbox.data import Arrival
from frontdesk.services.kernel.context import ServiceContext

SOURCES = ("folder", "email", "hand", "split")


def _refusal(error: ValidationError) -> str:
    return "; ".join(str(message) for message in error.fields.values())


def receive(
    context: ServiceContext, data: bytes, file_name: str, *, source: str, origin: str = ""
) -> Arrival:
    """Store one arrived file as an unfiled document, or count a second arrival of it.

    A file that is not a readable PDF, PNG, JPEG or TIFF, is empty or over 50 MB is refused
    with the reason (nothing is stored). Two workstations receiving the same file at once
    store it once: the unique SHA-256 decides, and the loser counts an arrival.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    name = clean_file_name(file_name)
    try:
        check = check_file(data, name)
    except ValidationError as error:
        return Arrival(name, None, "refused", _refusal(error))
    digest = hashlib.sha256(data).hexdigest()
    try:
        with context.writing(Permission.EDIT_REQUESTS) as uow:
            now = utcnow()
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
            uow.session.add(document)
            uow.session.flush()
            document_id = document.id
            uow.commit()
        return Arrival(name, document_id, "new", f"{name} arrived in the inbox")
    except IntegrityError:
        return _arrived_again(context, digest, name, source, origin)


def _arrived_again(
    context: ServiceContext, digest: str, name: str, source: str, origin: str
) -> Arrival:
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        row = uow.session.scalar(select(InboxDocument).where(InboxDocument.sha256 == digest))
        if row is None:  # removed between the two statements: try again as new
            raise ValidationError({"file": f"{name} could not be stored; import it again"})
        # One statement, so two arrivals at once both count (no lost update).
        uow.session.execute(
            update(InboxDocument)
            .where(InboxDocument.id == row.id)
            .values(arrivals=InboxDocument.arrivals + 1, last_arrived_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        uow.record(
            "arrived again",
            "inbox_documents",
            row.id,
            patient_id=row.patient_id,
            details={"file": name, "source": source, "origin": origin[:200]},
        )
        first = row.received_at
        document_id = row.id
        state = row.state
        uow.commit()
    where = "still in the inbox" if state == "unfiled" else f"already {state}"
    return Arrival(
        name,
        document_id,
        "again",
        f"{name} came before (first on {first:%m/%d/%Y %H:%M} UTC); it is one document, {where}",
    )


def receive_file(context: ServiceContext, path: Path, *, source: str, origin: str = "") -> Arrival:
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
    return receive(context, data, path.name, source=source, origin=origin or str(path.parent))
