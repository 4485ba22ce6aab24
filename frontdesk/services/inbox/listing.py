"""The inbox list: unfiled documents, oldest first, a page at a time, never their bytes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, tuple_

from frontdesk.db.models_inbox import InboxDocument
from frontdesk.db.models_patients import Patient
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.names import fold, listed_name
from frontdesk.domain.permissions import Permission
from frontdesk.services.inbox.data import InboxRow, Suggestions
from frontdesk.services.inbox.suggestions import from_json
from frontdesk.services.kernel.context import ServiceContext

PAGE_SIZE = 200

# Named as InboxRow's fields, so a row is built by name.
_DOCUMENT_COLUMNS = (
    InboxDocument.id,
    InboxDocument.version,
    InboxDocument.file_name,
    InboxDocument.source,
    InboxDocument.origin,
    InboxDocument.received_at,
    InboxDocument.arrivals,
    InboxDocument.page_count,
    InboxDocument.state,
    InboxDocument.reading,
    InboxDocument.pages_read,
    InboxDocument.suggested_patient_id,
    InboxDocument.suggested_kind,
    InboxDocument.suggestion_score,
    InboxDocument.parent_id,
    InboxDocument.first_page,
    InboxDocument.last_page,
    InboxDocument.rotations,
    InboxDocument.filed_as,
    InboxDocument.filed_to,
    InboxDocument.filed_at,
    InboxDocument.filed_by,
)


def _listed(*extra: ColumnElement[Any]) -> Select[Any]:
    """The list's columns (and ``extra`` ones after them), with the suggested patient's."""
    patient = (Patient.last_name, Patient.first_name, Patient.middle_name, Patient.mrn)
    return select(*_DOCUMENT_COLUMNS, *patient, *extra).outerjoin(
        Patient, Patient.id == InboxDocument.suggested_patient_id
    )


def _row(values: Sequence[Any]) -> InboxRow:
    """An InboxRow from the values of ``_listed()``'s columns."""
    *document, last, first, middle, mrn = values
    fields = {column.key: value for column, value in zip(_DOCUMENT_COLUMNS, document, strict=True)}
    patient = listed_name(last, first, middle) if fields["suggested_patient_id"] is not None else ""
    return InboxRow(**fields, suggested_patient=patient, suggested_mrn=mrn or "")


def unfiled(
    context: ServiceContext, *, limit: int = PAGE_SIZE, after: tuple[str, int] | None = None
) -> list[InboxRow]:
    """Unfiled documents, oldest first; ``after`` (received_at ISO, id) continues a page."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        query = (
            _listed()
            .where(InboxDocument.state == "unfiled")
            .order_by(InboxDocument.received_at, InboxDocument.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(
                tuple_(InboxDocument.received_at, InboxDocument.id) > tuple_(*after)
            )
        return [_row(tuple(values)) for values in session.execute(query)]


def unfiled_count(context: ServiceContext) -> int:
    with context.reading(Permission.VIEW_PATIENTS) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(InboxDocument)
                .where(InboxDocument.state == "unfiled")
            )
            or 0
        )


def one(context: ServiceContext, document_id: int) -> tuple[InboxRow, Suggestions]:
    """One document's row and its suggestions (with their evidence)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        values = session.execute(
            _listed(InboxDocument.suggestion).where(InboxDocument.id == document_id)
        ).first()
        if values is None:
            raise NotFoundError(f"There is no inbox document with id {document_id}")
        *columns, suggestion = tuple(values)
        return _row(tuple(columns)), from_json(json.loads(suggestion or "{}"))


def document_bytes(context: ServiceContext, document_id: int) -> tuple[str, bytes]:
    """The file to show; opening it is recorded like opening a chart's document."""
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        row = uow.session.get(InboxDocument, document_id)
        if row is None:
            raise NotFoundError(f"There is no inbox document with id {document_id}")
        data = bytes(row.content)
        uow.record("view", "inbox_documents", document_id, patient_id=row.patient_id)
        uow.commit()
        return row.mime_type, data


MAX_FOUND = 100


def filed_for_patient(context: ServiceContext, patient_id: int, words: str = "") -> list[InboxRow]:
    """The documents filed to one chart from the inbox, newest first; with ``words``, those
    whose pages have them."""
    if words.strip():
        return [row for row in search_text(context, words, patient_id=patient_id)]
    with context.reading(Permission.VIEW_PATIENTS) as session:
        query = (
            _listed()
            .where(InboxDocument.patient_id == patient_id, InboxDocument.state == "filed")
            .order_by(InboxDocument.filed_at.desc(), InboxDocument.id.desc())
            .limit(MAX_FOUND)
        )
        return [_row(tuple(values)) for values in session.execute(query)]


def search_text(
    context: ServiceContext, words: str, *, patient_id: int | None = None
) -> list[InboxRow]:
    """Documents whose read text has every word ("L4-5 fusion", "Patel"), filed or not,
    newest first; only one chart's with ``patient_id``. Words are folded like names, so
    "nunez" finds "Núñez"."""
    wanted = [word for word in fold(words).split() if len(word) >= 2][:8]
    if not wanted:
        return []
    with context.reading(Permission.VIEW_PATIENTS) as session:
        query = (
            _listed()
            .where(InboxDocument.state != "split")
            .order_by(InboxDocument.received_at.desc(), InboxDocument.id.desc())
            .limit(MAX_FOUND)
        )
        for word in wanted:
            # Whole words at the start: " l4 5 " is in " ... l4 5 disc ...".
            query = query.where((" " + InboxDocument.words + " ").contains(f" {word}"))
        if patient_id is not None:
            query = query.where(InboxDocument.patient_id == patient_id)
        return [_row(tuple(values)) for values in session.execute(query)]
