"""Received documents: check that a file is what its name says, store it, mark the item received.

A received fax, scan or PDF report (up to 50 MB) is attached to a prior surgery (its
operative report) or an imaging study (its report). The bytes live in the database on both
backends with their SHA-256; the same file attached twice to one record is recognized and
stored once. A file that is not what its name claims (a renamed program, a corrupt PDF) is
refused with the reason. Requests attach their documents here too once they exist
(``request_id``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_history import ImagingStudy, PriorSurgery, ReceivedDocument
from frontdesk.db.types import utcnow
from frontdesk.documents.page_images import ImagePages, PageSource, PdfPages
from frontdesk.domain.errors import (
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from frontdesk.domain.history_records import DocumentInfo
from frontdesk.domain.permissions import Permission
from frontdesk.services.history.entry_rows import (
    chart_for_change,
    describe_entry,
    document_info,
    documents_of_patient,
    may_change_entry,
)
from frontdesk.services.kernel.clock import DATE, clock_text, practice_today, zone_of
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_FILE_NAME = 255

PDF = "application/pdf"
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "TIFF": "image/tiff"}
# What a file name claims, by its extension.
CLAIMS = {
    ".pdf": PDF,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
ACCEPTED = "PDF, PNG, JPEG or TIFF"

# Recognizable starts of files that are not documents, so the refusal can say what it is.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\xcf\xfa\xed\xfe", "a Mac program"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"<!DOCTYPE html", "a web page"),
    (b"<html", "a web page"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"GIF8", "a GIF image"),
    (b"DICM", "a DICOM file"),
)


class DocumentKind(StrEnum):
    OPERATIVE_REPORT = "operative_report"
    IMAGING_REPORT = "imaging_report"
    REFERRAL_LETTER = "referral_letter"
    INSURANCE_AUTHORIZATION = "insurance_authorization"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class FileCheck:
    """What a file turned out to be."""

    mime_type: str
    page_count: int


@dataclass(frozen=True)
class AttachResult:
    document: DocumentInfo
    # True when this very file was already attached to the record: nothing new was stored.
    already_attached: bool
    # What attaching marked received ("operative report received 11/27/2026"), or "".
    marked_received: str
    # Other entries of the same chart that already hold the same file (their descriptions).
    also_attached_to: tuple[str, ...] = ()
    # When this file was first attached, on the practice's clock ("11/27/2026"), or "".
    attached_on: str = ""

    @property
    def message(self) -> str:
        name = self.document.file_name
        if self.already_attached:
            return (
                f"{name} was already attached on {self.attached_on} by "
                f"{self.document.received_by}; nothing new was stored."
            )
        text = f"Attached {name}."
        if self.marked_received:
            text += f" Marked {self.marked_received}."
        if self.also_attached_to:
            text += " The same file is also attached to " + "; ".join(self.also_attached_to) + "."
        return text


@dataclass(frozen=True)
class DocumentContent:
    info: DocumentInfo
    data: bytes


def _what_it_is(data: bytes) -> str:
    head = data[:16]
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    if data[:1024].lstrip().startswith(b"<"):
        return "a text or web file"
    return "not a file type we recognize"


def clean_file_name(name: str) -> str:
    """The file's own name without any folder, control characters or odd Unicode forms."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > MAX_FILE_NAME:
        stem, dot, extension = base.rpartition(".")
        if dot and len(extension) <= 10:
            base = stem[: MAX_FILE_NAME - len(extension) - 1] + "." + extension
        else:
            base = base[:MAX_FILE_NAME]
    return base or "document"


def _too_big(size: int) -> ValidationError:
    return ValidationError(
        {
            "file": f"the file is {size / (1024 * 1024):.1f} MB; the limit is "
            f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB. Ask the sender for a smaller copy "
            "or scan fewer pages per file"
        }
    )


def check_file(data: bytes, file_name: str) -> FileCheck:
    """Refuse a file that is not the PDF or image its name says it is, naming the reason."""
    name = clean_file_name(file_name)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _too_big(len(data))
    if not data:
        raise ValidationError({"file": f"{name} is empty"})
    claimed = CLAIMS.get(os.path.splitext(name)[1].lower())
    if claimed is None:
        raise ValidationError(
            {"file": f"{name} is not a document we can attach: use a {ACCEPTED} file"}
        )
    if claimed == PDF:
        return _check_pdf(data, name)
    return _check_image(data, name, claimed)


def _check_pdf(data: bytes, name: str) -> FileCheck:
    # PDF readers accept the header anywhere in the first kilobyte.
    if b"%PDF-" not in data[:1024]:
        raise ValidationError({"file": f"{name} is not a PDF: it looks like {_what_it_is(data)}"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise ValidationError(
                    {
                        "file": f"{name} is protected by a password; ask the sender for an "
                        "unprotected copy"
                    }
                )
            pages = len(reader.pages)
            for page in reader.pages:
                # Reading each page's box and content stream finds cut-off and broken files.
                _ = page.mediabox
                page.get_contents()
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        log.info("PDF refused: %s", type(error).__name__)
        raise ValidationError(
            {
                "file": f"{name} is a damaged PDF and cannot be read ({_reason(error)}); ask "
                "the sender to send it again"
            }
        ) from None
    if pages == 0:
        raise ValidationError({"file": f"{name} is a PDF without any page"})
    return FileCheck(PDF, pages)


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]


def _check_image(data: bytes, name: str, claimed: str) -> FileCheck:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found = IMAGE_TYPES.get(image.format or "")
                frames = int(getattr(image, "n_frames", 1) or 1)
                image.verify()
            # verify() checks structure only; decoding every frame finds cut-off data.
            with Image.open(io.BytesIO(data)) as image:
                for frame in range(frames):
                    image.seek(frame)
                    image.load()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(
            {"file": f"{name} is not an image we can show: it looks like {_what_it_is(data)}"}
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(
            {"file": f"{name} is a damaged image and cannot be shown ({_reason(error)})"}
        ) from None
    if found is None:
        raise ValidationError({"file": f"{name} is not a {ACCEPTED} file"})
    if found != claimed:
        raise ValidationError(
            {
                "file": f"{name} is really a {found.split('/')[1].upper()} image; rename it and "
                "attach it again"
            }
        )
    return FileCheck(found, frames)


def _target(
    session: Session, surgery_id: int | None, imaging_id: int | None
) -> PriorSurgery | ImagingStudy:
    if (surgery_id is None) == (imaging_id is None):
        raise ValidationError({"": "attach the document to one surgery or one imaging study"})
    if surgery_id is not None:
        surgery = session.get(PriorSurgery, surgery_id, with_for_update=True)
        if surgery is None:
            raise NotFoundError(f"There is no prior surgery with id {surgery_id}")
        return surgery
    assert imaging_id is not None
    study = session.get(ImagingStudy, imaging_id, with_for_update=True)
    if study is None:
        raise NotFoundError(f"There is no imaging study with id {imaging_id}")
    return study


def _mark_received(uow: UnitOfWork, target: PriorSurgery | ImagingStudy, today: date) -> str:
    if target.report_received_on is not None:
        return ""
    target.report_received_on = today
    target.report_received_by = uow.actor.username
    target.updated_at = utcnow()
    target.updated_by = uow.actor.username
    what = "operative report" if isinstance(target, PriorSurgery) else "report"
    return f"{what} received {today:%m/%d/%Y}"


def attach_document(
    context: ServiceContext,
    data: bytes,
    file_name: str,
    *,
    surgery_id: int | None = None,
    imaging_id: int | None = None,
) -> AttachResult:
    """Attach a received file to a surgery (operative report) or an imaging study (report)
    and mark that report received today by the acting user, unless it already was."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _too_big(len(data))
    name = clean_file_name(file_name)
    check = check_file(data, name)
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        result = attach_in(uow, data, name, check, surgery_id=surgery_id, imaging_id=imaging_id)
        if not result.already_attached:
            uow.commit()
    return result


def attach_in(
    uow: UnitOfWork,
    data: bytes,
    name: str,
    check: FileCheck,
    *,
    surgery_id: int | None = None,
    imaging_id: int | None = None,
) -> AttachResult:
    """attach_document() inside a unit of work the caller commits (the inbox files a
    document and marks it filed in one transaction). ``check`` is check_file()'s answer."""
    uow.context.require(Permission.EDIT_HISTORY_BASIC)
    digest = hashlib.sha256(data).hexdigest()
    session = uow.session
    target = _target(session, surgery_id, imaging_id)
    chart_for_change(session, target.patient_id)
    same_record = (
        ReceivedDocument.surgery_id == surgery_id
        if surgery_id is not None
        else ReceivedDocument.imaging_id == imaging_id
    )
    existing = session.scalar(
        select(ReceivedDocument).where(same_record, ReceivedDocument.sha256 == digest)
    )
    if existing is not None:
        return AttachResult(
            document_info(existing),
            already_attached=True,
            marked_received="",
            attached_on=clock_text(existing.received_at, zone_of(session), DATE),
        )
    elsewhere = session.scalars(
        select(ReceivedDocument).where(
            ReceivedDocument.patient_id == target.patient_id,
            ReceivedDocument.sha256 == digest,
        )
    ).all()
    also = tuple(
        dict.fromkeys(
            describe_entry(session, surgery_id=other.surgery_id, imaging_id=other.imaging_id)
            for other in elsewhere
        )
    )
    kind = (
        DocumentKind.OPERATIVE_REPORT
        if isinstance(target, PriorSurgery)
        else DocumentKind.IMAGING_REPORT
    )
    document = ReceivedDocument(
        patient_id=target.patient_id,
        surgery_id=surgery_id,
        imaging_id=imaging_id,
        kind=kind.value,
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
    marked = _mark_received(uow, target, practice_today(session))
    session.flush()
    info = document_info(document)
    return AttachResult(info, already_attached=False, marked_received=marked, also_attached_to=also)


def attach_file(
    context: ServiceContext,
    path: Path,
    *,
    surgery_id: int | None = None,
    imaging_id: int | None = None,
) -> AttachResult:
    """attach_document() for a file on disk; a file over the limit is refused unread."""
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise _too_big(size)
        data = path.read_bytes()
    except OSError as error:
        raise ValidationError({"file": f"{path.name} cannot be read: {error.strerror}"}) from None
    return attach_document(context, data, path.name, surgery_id=surgery_id, imaging_id=imaging_id)


def list_documents(context: ServiceContext, patient_id: int) -> list[DocumentInfo]:
    with context.reading(Permission.VIEW_PATIENTS) as session:
        return documents_of_patient(session, patient_id)


def document_content(context: ServiceContext, document_id: int) -> DocumentContent:
    """The document's bytes for the viewer; opening it is recorded like opening a chart."""
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        row = uow.session.get(ReceivedDocument, document_id)
        if row is None:
            raise NotFoundError(f"There is no received document with id {document_id}")
        content = DocumentContent(document_info(row), bytes(row.content))
        uow.record("view", "received_documents", document_id, patient_id=row.patient_id)
        uow.commit()
    return content


@dataclass(frozen=True)
class DocumentPages:
    """A document opened for the viewer: its pages are drawn one at a time, on demand, in
    memory (never on disk). Whoever shows it closes ``pages`` when done."""

    info: DocumentInfo
    pages: PageSource

    @property
    def total_pages(self) -> int:
        return self.pages.page_count


def document_pages(context: ServiceContext, document_id: int) -> DocumentPages:
    """The document opened for the viewer (opening it is recorded); no page is drawn yet."""
    content = document_content(context, document_id)
    info = content.info
    pages = PdfPages(content.data) if info.mime_type == PDF else ImagePages(content.data)
    return DocumentPages(info, pages)


def remove_document(context: ServiceContext, document_id: int) -> DocumentInfo:
    """Remove a document attached by mistake (whoever attached it, clinical staff, admins).
    The report stays marked received: correct the entry if that was wrong too."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        row = uow.session.get(ReceivedDocument, document_id)
        if row is None:
            raise NotFoundError(f"There is no received document with id {document_id}")
        if not may_change_entry(uow.actor, row.received_by):
            raise PermissionDeniedError(
                f"{row.file_name} was attached by {row.received_by}: removing it needs "
                "clinical staff or an administrator"
            )
        info = document_info(row)
        uow.session.delete(row)
        uow.commit()
    return info


__all__ = [
    "ACCEPTED",
    "MAX_DOCUMENT_BYTES",
    "AttachResult",
    "DocumentContent",
    "DocumentKind",
    "DocumentPages",
    "FileCheck",
    "attach_document",
    "attach_file",
    "check_file",
    "clean_file_name",
    "document_content",
    "document_pages",
    "list_documents",
    "remove_document",
]
