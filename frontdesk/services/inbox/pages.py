"""A fax's pages: turned for reading, or split into the several documents it holds.

The arrived file is never edited. A turn is how the page is shown (and OCR'd again); a
split makes each part a document of its own, cut from the original's pages, which stays
on record as "split" with its parts pointing back to it.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence

from PIL import Image
from pypdf import PdfReader, PdfWriter
from sqlalchemy.exc import IntegrityError

from frontdesk.db.models_inbox import InboxDocument
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.names import fold
from frontdesk.domain.permissions import Permission
from frontdesk.services.inbox import listing
from frontdesk.services.inbox.data import InboxRow
from frontdesk.services.inbox.filing import _unfiled
from frontdesk.services.inbox.reading import PAGE_BREAK
from frontdesk.services.inbox.suggestions import suggest, to_json
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext

PDF = "application/pdf"


def rotate_page(
    context: ServiceContext,
    document_id: int,
    page: int,
    quarter_turns: int,
    *,
    expected_version: int | None = None,
) -> InboxRow:
    """Turn one page (1-based) by quarter turns clockwise; returns the document's row (its
    new version and every page's turns)."""
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        row = _unfiled(uow.session, document_id, expected_version)
        if not 1 <= page <= row.page_count:
            raise ValidationError({"page": f"the document has pages 1 to {row.page_count}"})
        turns = {int(key): value for key, value in json.loads(row.rotations or "{}").items()}
        turns[page] = (turns.get(page, 0) + quarter_turns) % 4
        turns = {key: value for key, value in turns.items() if value}
        row.rotations = json.dumps(turns, sort_keys=True)
        uow.stamp(row, new=False)
        uow.commit()
    return listing.one(context, document_id)[0]


def page_turns(row: InboxRow) -> dict[int, int]:
    """Quarter turns by 1-based page number."""
    return {int(page): turns for page, turns in json.loads(row.rotations or "{}").items()}


def parse_ranges(text: str, page_count: int) -> list[tuple[int, int]]:
    """ "1-4, 5-9" -> [(1, 4), (5, 9)]: parts in order, every page in exactly one part."""
    parts: list[tuple[int, int]] = []
    for chunk in text.replace(";", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        first, _, last = chunk.partition("-")
        try:
            start, end = int(first), int(last or first)
        except ValueError:
            raise ValidationError({"pages": f"{chunk!r} is not a page range like 1-4"}) from None
        parts.append((start, end))
    _check_ranges(parts, page_count)
    return parts


def _check_ranges(parts: Sequence[tuple[int, int]], page_count: int) -> None:
    if len(parts) < 2:
        raise ValidationError({"pages": "give at least two parts, such as 1-4, 5-9"})
    expected = 1
    for start, end in parts:
        if start != expected or end < start:
            raise ValidationError(
                {
                    "pages": f"parts must follow each other from page 1 to {page_count}: "
                    f"the next part starts at page {expected}"
                }
            )
        expected = end + 1
    if expected != page_count + 1:
        raise ValidationError({"pages": f"the parts must end at the last page, {page_count}"})


def _cut(data: bytes, mime: str, start: int, end: int) -> bytes:
    out = io.BytesIO()
    if mime == PDF:
        reader = PdfReader(io.BytesIO(data))
        writer = PdfWriter()
        for index in range(start - 1, end):
            writer.add_page(reader.pages[index])
        writer.write(out)
    else:
        with Image.open(io.BytesIO(data)) as image:
            frames = []
            for index in range(start - 1, end):
                image.seek(index)
                frames.append(image.copy())
        options = {"compression": "group4"} if all(f.mode == "1" for f in frames) else {}
        frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], **options)
    return out.getvalue()


def split(
    context: ServiceContext,
    document_id: int,
    parts: Sequence[tuple[int, int]],
    *,
    expected_version: int | None = None,
) -> list[int]:
    """Split a fax into documents by page ranges (1-based, inclusive); returns their ids.
    Each part keeps the pages' text already read and gets its own suggestions."""
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        session = uow.session
        row = _unfiled(session, document_id, expected_version)
        _check_ranges(parts, row.page_count)
        data = bytes(row.content)
        texts = row.text.split(PAGE_BREAK) if row.text else []
        mime = row.mime_type if row.mime_type == PDF else "image/tiff"
        suffix = ".pdf" if mime == PDF else ".tif"
        stem = row.file_name.rsplit(".", 1)[0]
        today = practice_today(session)
        now = utcnow()
        ids: list[int] = []
        for number, (start, end) in enumerate(parts, start=1):
            piece = _cut(data, row.mime_type, start, end)
            text = PAGE_BREAK.join(texts[start - 1 : end]) if len(texts) >= end else ""
            found = suggest(session, text, today) if text else None
            best = found.patient if found else None
            part = InboxDocument(
                sha256=hashlib.sha256(piece).hexdigest(),
                file_name=f"{stem} part {number} (pages {start}-{end}){suffix}",
                mime_type=mime,
                size_bytes=len(piece),
                page_count=end - start + 1,
                source="split",
                origin=f"split from {row.file_name}",
                received_at=row.received_at,
                received_by=uow.actor.username,
                last_arrived_at=now,
                content=piece,
                parent_id=row.id,
                first_page=start,
                last_page=end,
                text=text,
                words=fold(text),
                pages_read=(end - start + 1) if text else 0,
                reading="done" if text else "waiting",
                suggested_patient_id=best.patient_id if best else None,
                suggested_kind=found.kind if found else "",
                suggestion_score=best.score if best else 0,
                suggestion=json.dumps(to_json(found), ensure_ascii=False) if found else "{}",
            )
            uow.stamp(part, new=True)
            session.add(part)
            try:
                session.flush()
            except IntegrityError:
                raise ConflictError(
                    f"Part {number} (pages {start}-{end}) is the same file as a document "
                    "already in the inbox; nothing was split"
                ) from None
            ids.append(part.id)
        row.state = "split"
        row.filed_at = now
        row.filed_by = uow.actor.username
        row.filed_to = ", ".join(f"pages {a}-{b}" for a, b in parts)
        uow.stamp(row, new=False)
        uow.record(
            "split",
            "inbox_documents",
            row.id,
            details={"parts": [f"{a}-{b}" for a, b in parts], "documents": ids},
        )
        uow.commit()
    return ids
