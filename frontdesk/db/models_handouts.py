"""The handout print log and the exact text of every handout version that was ever given."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from frontdesk.db.models import Base
from frontdesk.db.types import UTCDateTime


class HandoutVersion(Base):
    """The file text of a handout as it was when first given, keyed by its SHA-256.

    Written the first time a version is printed or saved and never changed, so a reprint
    gives the patient the very words they were given, even after the file was edited or
    removed from the library.
    """

    __tablename__ = "handout_versions"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    handout_id: Mapped[str] = mapped_column(String(100), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    version: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    # The whole content file; lists never load it.
    text: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    first_given_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_handout_versions_handout_id", "handout_id", "language"),)


class HandoutPrint(Base):
    """One handout given to a patient: printed, or saved as a PDF file.

    Rows are only ever added (by services.handouts.handout_prints.record_given, which also
    writes the disclosure to the audit trail), so the table itself is not audited row by row; a
    chart merge moves them to the kept chart like every other patient record.
    """

    __tablename__ = "handout_prints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    handout_id: Mapped[str] = mapped_column(String(100), nullable=False)
    version: Mapped[str] = mapped_column(String(30), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    handout_sha256: Mapped[str] = mapped_column(
        ForeignKey("handout_versions.sha256"), nullable=False
    )
    # SHA-256 over the handout text's hash and every personal detail printed on it (see
    # services.handouts.handout_prints.content_hash): the same inputs always give the same hash.
    content_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    # The personal details as printed (a reprint prints them again).
    patient_name: Mapped[str] = mapped_column(String(300), nullable=False)
    printed_on: Mapped[date] = mapped_column(Date, nullable=False)
    appointment: Mapped[str] = mapped_column(Text, nullable=False, default="")  # JSON or ""
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    large_print: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    page_size: Mapped[str] = mapped_column(String(10), nullable=False)
    # "printer: NAME" or "saved: FILE NAME" (the file's name only, never its folder).
    destination: Mapped[str] = mapped_column(String(300), nullable=False)
    reprint_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("handout_prints.id"), nullable=True
    )
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    given_by: Mapped[str] = mapped_column(String(120), nullable=False)
    given_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    __table_args__ = (
        CheckConstraint("page_size IN ('letter', 'a4')", name="page_size_code"),
        Index("ix_handout_prints_patient_given", "patient_id", "given_at"),
        Index("ix_handout_prints_handout_sha256", "handout_sha256"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id


class HandoutReview(Base):
    """A clinician's review of one version of a handout's text (by its SHA-256).

    Recorded in Admin → Handout reviews with who reviewed it, on what day, and the evidence
    they used. A new version of the text needs a review of its own; a review grows old after
    the practice's review period (Admin → Practice rules). Rows are only added; the audit
    trail records each one.
    """

    __tablename__ = "handout_reviews"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handout_id: Mapped[str] = mapped_column(String(100), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    version: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    handout_sha256: Mapped[str] = mapped_column(
        ForeignKey("handout_versions.sha256"), nullable=False
    )
    reviewed_on: Mapped[date] = mapped_column(Date, nullable=False)
    reviewer: Mapped[str] = mapped_column(String(200), nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(120), nullable=False)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    __table_args__ = (
        Index("ix_handout_reviews_handout", "handout_id", "language", "handout_sha256"),
    )
