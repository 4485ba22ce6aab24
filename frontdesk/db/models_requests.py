"""Consultation requests: intake, state history, records checklist and contact attempts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models import Base, Edited
from frontdesk.db.types import UTCDateTime

_STATES = "'new', 'awaiting_records', 'ready_to_schedule', 'scheduled', 'seen', 'closed'"
_REASONS = "'declined', 'unreachable', 'referred_elsewhere', 'insurance_denied', 'duplicate'"
# A checklist item tied to history: an operative report to a surgery, an imaging report or
# images to a study, never both; and its received state then lives on that entry only.
RECORD_FITS_KIND = (
    "(surgery_id IS NULL OR imaging_id IS NULL)"
    " AND (surgery_id IS NULL OR kind = 'operative_report')"
    " AND (imaging_id IS NULL OR kind IN ('imaging_report', 'imaging_files'))"
)
RECEIVED_STORED_ONCE = (
    "(surgery_id IS NULL AND imaging_id IS NULL) OR (received_on IS NULL AND received_by = '')"
)


class ConsultationRequest(Edited, Base):
    """One request for a consultation, from the first call until it is seen or closed."""

    __tablename__ = "consultation_requests"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    # Who called: the patient, or someone for them ("wife", "daughter", "case manager").
    caller_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    caller_relationship: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    # How to reach the person about this request (E.164 / normalized email): one is required.
    contact_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("referrers.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category: Mapped[str] = mapped_column(String(40), nullable=False)
    # BodyRegion codes as a JSON list, top to bottom: '["lumbar"]'.
    body_regions: Mapped[str] = mapped_column(String(80), nullable=False, default="[]")
    # None: not asked / not known.
    prior_surgery: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    prior_surgery_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prior_surgery_last_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Imaging as the caller described it ("MRI lumbar, May 2024, Valley Imaging").
    imaging_modality: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    imaging_when: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    imaging_where: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    insurance_note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    preferred_days: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    preferred_times: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    language: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    urgency: Mapped[str] = mapped_column(String(10), nullable=False)
    # 0 urgent, 1 routine: the queue's "urgent first" is then one ascending index order.
    urgency_rank: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    # RedFlag codes ticked at intake (JSON list) and the instruction read to the caller.
    red_flags: Mapped[str] = mapped_column(String(200), nullable=False, default="[]")
    red_flag_instruction: Mapped[str] = mapped_column(Text, nullable=False, default="")
    instruction_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    instruction_given_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    # Whether the red-flag questions were asked on the call (None: not recorded, as on requests
    # from before this was kept), by whom and when; the codes answered "no" (JSON list). A code
    # in neither list was not asked.
    red_flags_asked: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    red_flags_asked_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    red_flags_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    red_flags_denied: Mapped[str] = mapped_column(String(200), nullable=False, default="[]")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    follow_up_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    # Kept with ``state`` so the default queue (open requests) is one index range.
    is_open: Mapped[bool] = mapped_column(Boolean, nullable=False)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    closed_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)

    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES})", name="state_code"),
        CheckConstraint(
            "(urgency = 'urgent' AND urgency_rank = 0) OR "
            "(urgency = 'routine' AND urgency_rank = 1)",
            name="urgency_rank_matches",
        ),
        CheckConstraint(
            f"(state = 'closed' AND closed_reason IN ({_REASONS})) OR "
            "(state <> 'closed' AND closed_reason IS NULL)",
            name="closed_with_reason",
        ),
        CheckConstraint("contact_phone <> '' OR contact_email <> ''", name="reachable"),
        # Each index ends with the queue order (urgent first, then oldest), so every filter
        # reads its first page straight off an index instead of sorting.
        Index("ix_consultation_requests_queue", "urgency_rank", "received_at", "id"),
        Index(
            "ix_consultation_requests_open_queue", "is_open", "urgency_rank", "received_at", "id"
        ),
        Index("ix_consultation_requests_state_queue", "state", "urgency_rank", "received_at", "id"),
        Index(
            "ix_consultation_requests_category_queue",
            "category",
            "urgency_rank",
            "received_at",
            "id",
        ),
        Index(
            "ix_consultation_requests_assignee_queue",
            "assignee_id",
            "urgency_rank",
            "received_at",
            "id",
        ),
        Index(
            "ix_consultation_requests_referrer_queue",
            "referrer_id",
            "urgency_rank",
            "received_at",
            "id",
        ),
        Index("ix_consultation_requests_received_at", "received_at"),
        # Counts per state under a category or assignee filter read only these indexes.
        Index("ix_consultation_requests_category_state", "category", "state"),
        Index("ix_consultation_requests_assignee_state", "assignee_id", "state"),
        Index("ix_consultation_requests_patient_id", "patient_id"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id


class RequestTransition(Edited, Base):
    """One change of a request's state: from, to, who, when and why. Only ever added."""

    __tablename__ = "request_transitions"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="CASCADE"), nullable=False
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    # None for the request's creation.
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    by: Mapped[str] = mapped_column(String(120), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closed_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)

    __table_args__ = (Index("ix_request_transitions_request_at", "request_id", "at"),)

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id


class RequestChecklistItem(Edited, Base):
    """A record the request needs (an MRI report, an operative report…), requested and received."""

    __tablename__ = "request_checklist_items"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="CASCADE"), nullable=False
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    # Which one, when there are several ("2021 operative report", "MRI lumbar May 2024").
    description: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Who holds it: the letter is addressed there ("Valley Imaging Center").
    source: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    requested_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_by: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("received_documents.id", ondelete="SET NULL"), nullable=True
    )
    # The history entry this record is the operative report, imaging report or images of.
    # Such an item IS that entry's received flag (frontdesk.services.history.records): its own
    # received_on/received_by stay empty, so the fact is stored once.
    surgery_id: Mapped[int | None] = mapped_column(
        ForeignKey("prior_surgeries.id", ondelete="SET NULL"), nullable=True
    )
    imaging_id: Mapped[int | None] = mapped_column(
        ForeignKey("imaging_studies.id", ondelete="SET NULL"), nullable=True
    )

    __table_args__ = (
        CheckConstraint(RECORD_FITS_KIND, name="record_fits_kind"),
        CheckConstraint(RECEIVED_STORED_ONCE, name="received_stored_once"),
        Index("ix_request_checklist_items_request_id", "request_id"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id


class RequestContactAttempt(Edited, Base):
    """One try to reach the person: a call, a voicemail, an email."""

    __tablename__ = "request_contact_attempts"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="CASCADE"), nullable=False
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    by: Mapped[str] = mapped_column(String(120), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    __table_args__ = (Index("ix_request_contact_attempts_request_at", "request_id", "at"),)

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id
