"""The records chase: the checklist of records to ask for, asked for, received or attached."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_history import ReceivedDocument
from frontdesk.db.models_requests import (
    RequestChecklistItem,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_states import (
    ChecklistKind,
)
from frontdesk.services.history import records
from frontdesk.services.history.entry_rows import entry_description
from frontdesk.services.history.received_documents import (
    MAX_DOCUMENT_BYTES,
    FileCheck,
    check_file,
    clean_file_name,
)
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.requests._rows import _get, _item, _item_data
from frontdesk.services.requests.data import ChecklistItemData, RequestAttachResult


def add_checklist_item(
    context: ServiceContext,
    request_id: int,
    kind: ChecklistKind | str,
    description: str = "",
    source: str = "",
    *,
    surgery_id: int | None = None,
    imaging_id: int | None = None,
) -> ChecklistItemData:
    """Add a record to ask for; tied to a surgery or imaging study of the chart, it is that
    entry's report or images (received there is received here)."""
    what = ChecklistKind(kind)
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        request = _get(uow.session, request_id)
        records.check_link(uow.session, request.patient_id, what, surgery_id, imaging_id)
        item = RequestChecklistItem(
            request_id=request.id,
            patient_id=request.patient_id,
            kind=what.value,
            description=clean_text(description)[:200],
            source=clean_text(source)[:200],
            surgery_id=surgery_id,
            imaging_id=imaging_id,
        )
        uow.stamp(item, new=True)
        uow.session.add(item)
        uow.session.flush()
        data = _item_data(item, uow.session)
        uow.commit()
        return data


def mark_requested(
    context: ServiceContext, item_ids: Sequence[int], on: date | None = None
) -> list[ChecklistItemData]:
    """Log that these records were asked for (a letter was printed or a call made)."""
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        day = on or practice_today(uow.session)
        result = []
        for item_id in item_ids:
            item = _item(uow.session, item_id)
            item.requested_on = day
            item.requested_by = uow.actor.username
            uow.stamp(item, new=False)
            result.append(item)
        uow.session.flush()
        data = [_item_data(item, uow.session) for item in result]
        uow.commit()
        return data


def mark_received(
    context: ServiceContext,
    item_id: int,
    on: date | None = None,
    *,
    received: bool = True,
    expected_version: int | None = None,
) -> ChecklistItemData:
    """Tick (or untick) one checklist item as received, stamped with the acting user."""
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        item = _item(uow.session, item_id)
        check_version(item, expected_version, "checklist item")
        records.set_item_received(
            uow, item, (on or practice_today(uow.session)) if received else None
        )
        uow.stamp(item, new=False)
        uow.session.flush()
        data = _item_data(item, uow.session)
        uow.commit()
        return data


_DOCUMENT_KIND = {
    ChecklistKind.IMAGING_REPORT: "imaging_report",
    ChecklistKind.IMAGING_FILES: "other",
    ChecklistKind.OPERATIVE_REPORT: "operative_report",
    ChecklistKind.REFERRAL_LETTER: "referral_letter",
    ChecklistKind.INSURANCE_AUTHORIZATION: "insurance_authorization",
}


def attach_document(
    context: ServiceContext,
    request_id: int,
    data: bytes,
    file_name: str,
    kind: ChecklistKind | str,
    *,
    item_id: int | None = None,
) -> RequestAttachResult:
    """Attach a received file (a referral letter, a report) to the request; it ticks the
    named checklist item, or the first missing item of the same kind."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": "the file is larger than 50 MB"})
    name = clean_file_name(file_name)
    check = check_file(data, name)
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        result = attach_in(uow, request_id, data, name, check, kind, item_id=item_id)
        if not result.already_attached:
            uow.commit()
        return result


def _ticked_text(session: Session, item: RequestChecklistItem) -> str:
    """'imaging report: MRI lumbar May 2024': the record's kind, then its entry as the chart
    names it (the item's own words are not lower-cased: 'mri lumbar' read wrong)."""
    what = ChecklistKind(item.kind).label.lower()
    described = entry_description(session, surgery_id=item.surgery_id, imaging_id=item.imaging_id)
    description = described or item.description
    return f"{what}: {description}" if description else what


def attach_in(
    uow: UnitOfWork,
    request_id: int,
    data: bytes,
    name: str,
    check: FileCheck,
    kind: ChecklistKind | str,
    *,
    item_id: int | None = None,
) -> RequestAttachResult:
    """attach_document() inside a unit of work the caller commits (the inbox files a
    document and marks it filed in one transaction). ``check`` is check_file()'s answer."""
    uow.context.require(Permission.EDIT_REQUESTS)
    what = ChecklistKind(kind)
    digest = hashlib.sha256(data).hexdigest()
    session = uow.session
    request = _get(session, request_id, for_update=True)
    existing = session.scalar(
        select(ReceivedDocument.id).where(
            ReceivedDocument.request_id == request_id, ReceivedDocument.sha256 == digest
        )
    )
    if existing is not None:
        return RequestAttachResult(existing, already_attached=True, ticked="")
    document = ReceivedDocument(
        patient_id=request.patient_id,
        request_id=request.id,
        kind=_DOCUMENT_KIND[what],
        file_name=name,
        mime_type=check.mime_type,
        size_bytes=len(data),
        sha256=digest,
        page_count=check.page_count,
        received_at=utcnow(),
        received_by=uow.actor.username,
        content=data,
    )
    session.add(document)
    session.flush()
    query = select(RequestChecklistItem).where(RequestChecklistItem.request_id == request_id)
    if item_id is not None:
        item = session.scalars(query.where(RequestChecklistItem.id == item_id)).first()
    else:
        candidates = session.scalars(
            query.where(RequestChecklistItem.kind == what.value).order_by(RequestChecklistItem.id)
        )
        item = next((c for c in candidates if not records.item_received(session, c).received), None)
    ticked = ""
    if item is None and item_id is None:
        item = RequestChecklistItem(
            request_id=request.id, patient_id=request.patient_id, kind=what.value
        )
        uow.stamp(item, new=True)
        session.add(item)
    if item is not None:
        item.document_id = document.id
        uow.stamp(item, new=False)
        records.set_item_received(uow, item, practice_today(session))
        ticked = _ticked_text(session, item)
    session.flush()
    return RequestAttachResult(document.id, already_attached=False, ticked=ticked)
