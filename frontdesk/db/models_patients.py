"""Patient charts, their search keys, the MRN counter and the referring-providers directory."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models import Base, Edited
from frontdesk.db.types import UTCDateTime


def folded_text(length: int) -> String:
    """A folded (lower-case ASCII) search column that sorts byte by byte on both backends.

    On PostgreSQL the "C" collation makes range predicates and ORDER BY use the same B-tree
    order; in another collation the index could filter but every match would be sorted again.
    SQLite's default BINARY collation already is byte order.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Referrer(Edited, Base):
    """A referring or primary-care physician in the practice's directory."""

    __tablename__ = "referrers"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    credentials: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    specialty: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    practice_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # NULL when unknown, so several referrers without one do not clash on the unique index.
    npi: Mapped[str | None] = mapped_column(String(10), nullable=True, unique=True)
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    fax: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    sort_key: Mapped[str] = mapped_column(folded_text(120), nullable=False, default="")

    __table_args__ = (Index("ix_referrers_sort_key", "sort_key"),)


class MrnCounter(Base):
    """The next medical record number: a counter, so a deleted chart's MRN is never reused."""

    __tablename__ = "mrn_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer, nullable=False)


class Patient(Edited, Base):
    """A patient chart. Names are stored exactly as typed; search uses patient_search_keys."""

    __tablename__ = "patients"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mrn: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    middle_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    preferred_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    date_of_birth: Mapped[date] = mapped_column(Date, nullable=False)
    sex: Mapped[str] = mapped_column(String(20), nullable=False, default="unknown")
    mobile_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    home_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    work_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    address_line1: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    address_line2: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    city: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    state: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    postal_code: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    country: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    preferred_language: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Handouts and packets for this patient print at 16 pt (the chart is the one home for it).
    large_print: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    preferred_contact: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    insurance_payer: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    insurance_plan: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    insurance_member_id: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    insurance_group_number: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    subscriber_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    subscriber_relationship: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    subscriber_date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    primary_care_id: Mapped[int | None] = mapped_column(ForeignKey("referrers.id"), nullable=True)
    referring_id: Mapped[int | None] = mapped_column(ForeignKey("referrers.id"), nullable=True)
    emergency_contact_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    emergency_contact_relationship: Mapped[str] = mapped_column(
        String(60), nullable=False, default=""
    )
    emergency_contact_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Folded "last first middle", maintained by the service; orders lists and DOB matches.
    sort_key: Mapped[str] = mapped_column(folded_text(120), nullable=False, default="")
    # A chart merged into another keeps its row (its MRN is never reused) and points on.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), nullable=True)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_patients_birth_date_sort", "date_of_birth", "sort_key", "id"),
        Index("ix_patients_primary_care_id", "primary_care_id"),
        Index("ix_patients_referring_id", "referring_id"),
        Index("ix_patients_merged_into_id", "merged_into_id"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.id


# One row per search key of a chart: each folded name token ("nunez", "garcia", "maria"),
# and each phone number's digits reversed behind "#" (so "last four digits" is a prefix).
# `tokens` repeats all of the chart's keys so multi-word filters and de-duplication read the
# index alone. Derived data, rewritten by the service whenever a chart's names or phones change.
patient_search_keys = Table(
    "patient_search_keys",
    Base.metadata,
    Column("key", folded_text(60), nullable=False),
    Column("sort_key", folded_text(120), nullable=False),
    Column(
        "patient_id",
        Integer,
        ForeignKey("patients.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("tokens", String(600), nullable=False),
    Index("ix_patient_search_keys_lookup", "key", "sort_key", "patient_id", "tokens"),
    Index("ix_patient_search_keys_patient_id", "patient_id"),
)


# How many search keys each name token has, and how many start with each prefix of up to
# three letters ("ma*"): so a multi-word search scans the range of its rarest word. Kept up
# to date by the service in the same transaction as the keys.
patient_search_counts = Table(
    "patient_search_counts",
    Base.metadata,
    Column("term", folded_text(61), primary_key=True),
    Column("entries", Integer, nullable=False),
)


class PhoneNote(Edited, Base):
    """One call about a patient: who called, about what, what was promised, when to call back.

    ``to_return`` is true while a call-back date is set and the call is not returned yet, so
    Today's "calls to return" is one index range (to_return, follow_up_on) whatever the
    number of notes kept over the years.
    """

    __tablename__ = "phone_notes"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    caller: Mapped[str] = mapped_column(String(200), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    promised: Mapped[str] = mapped_column(Text, nullable=False, default="")
    follow_up_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    to_return: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    returned_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")

    __table_args__ = (
        CheckConstraint(
            "NOT to_return OR (follow_up_on IS NOT NULL AND returned_at IS NULL)",
            name="to_return_has_date",
        ),
        Index("ix_phone_notes_patient_called", "patient_id", "called_at"),
        Index("ix_phone_notes_to_return", "to_return", "follow_up_on", "id"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id
