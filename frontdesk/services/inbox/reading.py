"""Reading an arrived document a page at a time: its text and, after each page, suggestions.

Each page read is committed on its own, so the first page's suggestions show while the
rest is still being read (the screens run this off the UI thread). The text and the
suggestions are derived data: writing them changes neither the document's version nor the
audit trail, and a reading killed half-way simply continues from the last page saved.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from frontdesk.db.models_inbox import InboxDocument
from frontdesk.db.types import utcnow
from frontdesk.documents.page_images import ImagePages, PageImageError, PageSource, PdfPages
from frontdesk.documents.page_text import has_text, ocr, ocr_status, page_image, text_layer
from frontdesk.domain.document_reading import looks_spanish
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.names import fold
from frontdesk.domain.permissions import Permission
from frontdesk.services.inbox.suggestions import suggest, to_json
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext

PAGE_BREAK = "\f"
ENGLISH = ("eng",)
SPANISH = ("spa", "eng")


@dataclass(frozen=True)
class ReadProgress:
    document_id: int
    pages_read: int
    page_count: int
    reading: str


def _source(data: bytes, mime_type: str) -> PageSource:
    return PdfPages(data) if mime_type == "application/pdf" else ImagePages(data)


def read_document(
    context: ServiceContext,
    document_id: int,
    *,
    progress: Callable[[ReadProgress], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ReadProgress:
    """Read the pages not read yet; save text and suggestions after each page."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        row = session.get(InboxDocument, document_id)
        if row is None:
            raise NotFoundError(f"There is no inbox document with id {document_id}")
        data, mime, count = bytes(row.content), row.mime_type, row.page_count
        start, text = row.pages_read, row.text
    pages = text.split(PAGE_BREAK) if start else []
    layer = text_layer(data) if mime == "application/pdf" else []
    needs_ocr = any(not has_text(layer[i]) for i in range(start, count)) if layer else True
    status = ocr_status()
    source = _source(data, mime) if needs_ocr and status.available else None
    state = "reading"
    languages = SPANISH if looks_spanish(" ".join(pages)) else ENGLISH
    try:
        for index in range(start, count):
            if cancelled():
                break
            page = layer[index] if index < len(layer) else ""
            if not has_text(page) and source is not None:
                image = page_image(source, index)
                page = ocr(image, languages)
                if languages == ENGLISH and looks_spanish(page):
                    languages = SPANISH
                    page = ocr(image, languages)
            pages.append(page)
            last = index == count - 1
            state = "done" if last else "reading"
            if last and needs_ocr and not status.available:
                state = "no_ocr"
            # A page read by OCR is saved at once (its suggestions show while the next page
            # is read); a text layer is read in no time, so it is saved once, at the end.
            if source is not None or last:
                _save(context, document_id, pages, state)
            if progress is not None:
                progress(ReadProgress(document_id, index + 1, count, state))
    except PageImageError:
        state = "failed"
        _save(context, document_id, pages, state)
    finally:
        if source is not None:
            source.close()
    return ReadProgress(document_id, len(pages), count, state)


def _save(context: ServiceContext, document_id: int, pages: list[str], state: str) -> None:
    text = PAGE_BREAK.join(pages)
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        found = suggest(uow.session, text, practice_today(uow.session))
        best = found.patient
        uow.session.execute(
            update(InboxDocument)
            .where(InboxDocument.id == document_id)
            .values(
                text=text,
                words=fold(text),
                pages_read=len(pages),
                reading=state,
                read_at=utcnow(),
                suggested_patient_id=best.patient_id if best else None,
                suggested_kind=found.kind,
                suggestion_score=best.score if best else 0,
                suggestion=json.dumps(to_json(found), ensure_ascii=False),
            )
            .execution_options(synchronize_session=False)
        )
        uow.mark_changed("inbox_documents")
        uow.commit()


# A reading with no page saved for this long was abandoned (its workstation closed).
ABANDONED_AFTER = timedelta(minutes=3)


def claim_next(context: ServiceContext) -> int | None:
    """The oldest document nobody is reading, claimed for this workstation (or None).

    The claim is one conditional UPDATE: of several workstations asking at once, one gets
    each document, so a fax is read once however many desks are open."""
    for _attempt in range(5):
        with context.writing(Permission.VIEW_PATIENTS) as uow:
            now = utcnow()
            free = or_(
                InboxDocument.reading == "waiting",
                and_(
                    InboxDocument.reading == "reading",
                    or_(
                        InboxDocument.read_at.is_(None),
                        InboxDocument.read_at < now - ABANDONED_AFTER,
                    ),
                ),
            )
            candidate = uow.session.scalar(
                select(InboxDocument.id)
                .where(InboxDocument.state == "unfiled", free)
                .order_by(InboxDocument.received_at, InboxDocument.id)
                .limit(1)
            )
            if candidate is None:
                return None
            claimed = uow.session.execute(
                update(InboxDocument)
                .where(InboxDocument.id == candidate, free)
                .values(reading="reading", read_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                uow.commit()
                return candidate
    return None
