"""Prior spine surgeries, imaging studies, practice-added procedures and received documents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from frontdesk.db.models import Base, Edited
from frontdesk.db.types import UTCDateTime

# A partial date is two columns: the first day it can be, and how much of it is known
# (frontdesk.domain.partial_dates.Precision). Sorting by (day, precision rank) puts "2019"
# before "May 2019" before "May 17, 2019"; both are NULL when the date is unknown.
_PRECISIONS = "'circa_year', 'year', 'month', 'day'"


def _date_checks() -> tuple[CheckConstraint, CheckConstraint]:
    return (
        CheckConstraint(
            "(date_earliest IS NULL AND date_precision IS NULL) OR "
            "(date_earliest IS NOT NULL AND date_precision IS NOT NULL)",
            name="date_pair",
        ),
        CheckConstraint(
            f"date_precision IS NULL OR date_precision IN ({_PRECISIONS})",
            name="date_precision_code",
        ),
    )


class PriorSurgery(Edited, Base):
    """One spine operation the patient had before coming here."""

    __tablename__ = "prior_surgeries"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    date_earliest: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_precision: Mapped[str | None] = mapped_column(String(12), nullable=True)
    # frontdesk.domain.history_vocab.Procedure code; staff-added procedures are "other" with
    # their own words in procedure_label.
    procedure: Mapped[str] = mapped_column(String(40), nullable=False)
    procedure_label: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    fusion_approach: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # The canonical list form, '["L4-L5", "L5-S1"]', top to bottom; level_top/level_bottom
    # are the sort positions of its first and last level (NULL when no level is recorded),
    # so "surgeries touching L3-L5" is a range query.
    levels: Mapped[str] = mapped_column(String(400), nullable=False, default="[]")
    level_top: Mapped[int | None] = mapped_column(Integer, nullable=True)
    level_bottom: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Free text for transitional anatomy ("6 lumbar vertebrae; levels counted from S1").
    levels_note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    approach: Mapped[str | None] = mapped_column(String(20), nullable=True)
    surgeon: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    facility: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # None: not known whether hardware was placed.
    instrumentation: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    instrumentation_description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    bone_graft: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    revises_id: Mapped[int | None] = mapped_column(
        ForeignKey("prior_surgeries.id", ondelete="SET NULL"), nullable=True
    )
    outcome: Mapped[str | None] = mapped_column(String(10), nullable=True)
    complications: Mapped[str] = mapped_column(Text, nullable=False, default="")
    fusion_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    report_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    report_received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    report_received_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # A draft from what a caller said at intake, until the staff check it in the chart.
    unconfirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (
        *_date_checks(),
        CheckConstraint("revises_id IS NULL OR revises_id <> id", name="not_self_revision"),
        Index("ix_prior_surgeries_patient_date", "patient_id", "date_earliest"),
        Index("ix_prior_surgeries_revises_id", "revises_id"),
        Index("ix_prior_surgeries_levels_span", "level_top", "level_bottom"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id


class ImagingStudy(Edited, Base):
    """One imaging study or nerve test, and whether its report and images are in hand."""

    __tablename__ = "imaging_studies"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    modality: Mapped[str] = mapped_column(String(30), nullable=False)
    modality_label: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    # BodyRegion codes as a JSON list, top to bottom: '["cervical", "lumbar"]'.
    regions: Mapped[str] = mapped_column(String(80), nullable=False, default="[]")
    contrast: Mapped[str | None] = mapped_column(String(20), nullable=True)
    date_earliest: Mapped[date | None] = mapped_column(Date, nullable=True)
    date_precision: Mapped[str | None] = mapped_column(String(12), nullable=True)
    facility: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    ordering_physician: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    report_received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    report_received_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    # frontdesk.domain.history_vocab.ImagesMedium code; images count as received when
    # images_received_on is set.
    images_medium: Mapped[str | None] = mapped_column(String(20), nullable=True)
    images_received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    images_received_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    disc_location: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    findings: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")

    __table_args__ = (
        *_date_checks(),
        Index("ix_imaging_studies_patient_date", "patient_id", "date_earliest"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id


class ProcedureLabel(Edited, Base):
    """A procedure the practice added to the curated list (stored on surgeries as "other"
    plus this label, so the built-in codes never change)."""

    __tablename__ = "procedure_labels"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class ReceivedDocument(Base):
    """A received file (fax, scan, PDF report), stored in the database on both backends.

    Attached to exactly one thing: a consultation request (a referral letter, records sent
    for it), a prior surgery (its operative report) or an imaging study (its report);
    deleting that entry deletes its documents. Never edited: a wrong file is removed and the
    right one attached.
    """

    __tablename__ = "received_documents"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="CASCADE"), nullable=True
    )
    surgery_id: Mapped[int | None] = mapped_column(
        ForeignKey("prior_surgeries.id", ondelete="CASCADE"), nullable=True
    )
    imaging_id: Mapped[int | None] = mapped_column(
        ForeignKey("imaging_studies.id", ondelete="CASCADE"), nullable=True
    )
    # What the file is: operative_report, imaging_report, referral_letter, ...
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    mime_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    page_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    received_by: Mapped[str] = mapped_column(String(120), nullable=False)
    # Up to 50 MB (BLOB on SQLite, bytea on PostgreSQL). Deferred: lists never load it.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))

    __table_args__ = (
        # The same file twice on one record is one document (NULLs never clash).
        UniqueConstraint("surgery_id", "sha256", name="uq_received_documents_surgery_sha256"),
        UniqueConstraint("imaging_id", "sha256", name="uq_received_documents_imaging_sha256"),
        UniqueConstraint("request_id", "sha256", name="uq_received_documents_request_sha256"),
        CheckConstraint(
            "(CASE WHEN request_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN surgery_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN imaging_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="attached_to_one",
        ),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        Index("ix_received_documents_patient_id", "patient_id"),
        Index("ix_received_documents_sha256", "sha256"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id
