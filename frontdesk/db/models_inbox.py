"""The inbox: documents that arrived by fax, scan or e-mail and wait to be filed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from frontdesk.db.models import Base, Edited
from frontdesk.db.types import UTCDateTime

INBOX_STATES = ("unfiled", "filed", "discarded", "split")


class InboxDocument(Edited, Base):
    """One arrived file (or one part of a split fax), stored as it came and never edited.

    The SHA-256 is unique: the same file arriving twice, or two workstations importing one
    file from a shared folder at once, is one document (the database decides, not timing);
    a second arrival only counts up ``arrivals``. The text (from the PDF's text layer or OCR)
    and the suggestions are derived data, read again whenever needed.
    """

    __tablename__ = "inbox_documents"
    __audited__ = True
    __audit_redact__ = ("content", "text", "words")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    mime_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    page_count: Mapped[int] = mapped_column(Integer, nullable=False)
    # Where it came from: folder, email, hand (Import… or the command line), split.
    source: Mapped[str] = mapped_column(String(12), nullable=False)
    # The folder, the e-mail's sender and subject, or who imported it.
    origin: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    received_by: Mapped[str] = mapped_column(String(120), nullable=False)
    arrivals: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    last_arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    # A part of a split fax: the document it was cut from and its pages there (1-based).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_documents.id"), nullable=True)
    first_page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Quarter turns per page shown ("{"2": 1}": page 2 turned 90° clockwise), JSON.
    rotations: Mapped[str] = mapped_column(String(400), nullable=False, default="{}")
    state: Mapped[str] = mapped_column(String(12), nullable=False, default="unfiled")
    # Reading: waiting, done (every page read), no_ocr (scanned pages, no OCR here), failed.
    reading: Mapped[str] = mapped_column(String(12), nullable=False, default="waiting")
    pages_read: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # When a workstation last saved a page: a reading untouched for minutes was abandoned
    # (the app closed) and another workstation may take it over.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    text: Mapped[str] = deferred(mapped_column(Text, nullable=False, default=""))
    # The text folded like names (lower-case ASCII words), for finding a fax by its words.
    words: Mapped[str] = deferred(mapped_column(Text, nullable=False, default=""))
    # What the reading suggests (JSON: patient, kind, referrer, evidence, intake draft).
    suggested_patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id"), nullable=True
    )
    suggested_kind: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    suggestion_score: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    suggestion: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    # Filed: to whom, as what, where (a received document of the chart), by whom.
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), nullable=True)
    filed_as: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    filed_to: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    received_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("received_documents.id", ondelete="SET NULL"), nullable=True
    )
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    filed_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    discard_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # A discarded file is kept until then (the practice's retention period).
    keep_until: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        CheckConstraint("state IN ('unfiled', 'filed', 'discarded', 'split')", name="state_known"),
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint("page_count > 0", name="has_pages"),
        Index("ix_inbox_documents_state_received", "state", "received_at"),
        Index("ix_inbox_documents_patient_id", "patient_id"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id


class InboxArrival(Base):
    """One arrival of a document: when, from where. ``source_key`` names one file in one
    place (folder, name, size, time; or an e-mail's message id and attachment), unique, so
    a file that two workstations take from a shared folder at once counts as one arrival."""

    __tablename__ = "inbox_arrivals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_documents.id", ondelete="CASCADE"), nullable=False
    )
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    source: Mapped[str] = mapped_column(String(12), nullable=False)
    origin: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    by: Mapped[str] = mapped_column(String(120), nullable=False)
    source_key: Mapped[str | None] = mapped_column(String(700), nullable=True, unique=True)

    __table_args__ = (Index("ix_inbox_arrivals_document_id", "document_id"),)
