"""Scheduling: appointment types, availability, appointments and their history, the waitlist.

The database itself refuses two active appointments of one provider that overlap: an
exclusion constraint on PostgreSQL, triggers on SQLite (migration 0006).
"""

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
from frontdesk.domain.scheduling import ALL_STATUS_SQL

# Named so the service can tell this refusal from any other (both backends use it).
OVERLAP_CONSTRAINT = "appointments_no_overlap"


class AppointmentType(Edited, Base):
    __tablename__ = "appointment_types"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    # What Spanish documents print instead of the name ("" prints the name).
    spanish_name: Mapped[str] = mapped_column(
        String(80), nullable=False, default="", server_default=""
    )
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    colour: Mapped[str] = mapped_column(String(7), nullable=False, default="#4A90D9")
    # The type "Schedule" on a consultation request starts with.
    is_new_consultation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    __table_args__ = (CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration_range"),)


class AvailabilityBlock(Edited, Base):
    """A weekly stretch of a provider's time at a location, on the practice's wall clock."""

    __tablename__ = "availability_blocks"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), nullable=False)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), nullable=False)
    weekday: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 0 Monday … 6 Sunday
    start_minute: Mapped[int] = mapped_column(Integer, nullable=False)  # after local midnight
    end_minute: Mapped[int] = mapped_column(Integer, nullable=False)
    # Appointment type ids this block takes, as a JSON list; '[]' takes every type.
    type_ids: Mapped[str] = mapped_column(String(200), nullable=False, default="[]")
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute",
            name="minutes_order",
        ),
        Index("ix_availability_blocks_provider", "provider_id", "weekday"),
    )


class AvailabilityException(Edited, Base):
    """Time a provider is away (vacation, surgery day, conference): whole days, or part of
    each day when the minutes are set."""

    __tablename__ = "availability_exceptions"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)  # inclusive
    start_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_order"),
        CheckConstraint(
            "(start_minute IS NULL AND end_minute IS NULL) OR "
            "(start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute)",
            name="minutes_order",
        ),
        Index("ix_availability_exceptions_provider", "provider_id", "ends_on"),
    )


class Appointment(Edited, Base):
    __tablename__ = "appointments"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), nullable=False)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), nullable=False)
    type_id: Mapped[int] = mapped_column(ForeignKey("appointment_types.id"), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="SET NULL"), nullable=True
    )
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    cancelled_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Booked outside the provider's availability on purpose (the booker confirmed it).
    overbooked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    last_call_outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"status IN ({ALL_STATUS_SQL})", name="status_code"),
        CheckConstraint(
            "(status = 'cancelled' AND cancelled_by IN ('patient', 'practice')) OR "
            "(status <> 'cancelled' AND cancelled_by IS NULL)",
            name="cancelled_with_who",
        ),
        Index("ix_appointments_provider_starts", "provider_id", "starts_at"),
        Index("ix_appointments_starts", "starts_at"),
        Index("ix_appointments_patient_starts", "patient_id", "starts_at"),
        Index("ix_appointments_request", "request_id"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id


class AppointmentEvent(Edited, Base):
    """One thing that happened to an appointment: booked, moved, a status, a call. Only added.

    ``freed_*`` is the time the event gave back (a cancellation, a no-show, a move away
    from it): the Today area lists those that nobody has filled yet.
    """

    __tablename__ = "appointment_events"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), nullable=False
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    by: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    freed_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), nullable=True)
    freed_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), nullable=True)
    freed_start: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    freed_end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_appointment_events_appointment", "appointment_id", "at"),
        Index("ix_appointment_events_freed", "freed_start"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id


class WaitlistEntry(Edited, Base):
    """A patient who wants an earlier time, and when they can come at short notice."""

    __tablename__ = "waitlist_entries"
    __audited__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), nullable=False)
    type_id: Mapped[int] = mapped_column(ForeignKey("appointment_types.id"), nullable=False)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), nullable=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), nullable=True)
    urgency: Mapped[str] = mapped_column(String(10), nullable=False)
    urgency_rank: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    weekdays: Mapped[str] = mapped_column(String(40), nullable=False, default="[]")
    earliest_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latest_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    short_notice: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The later appointment the patient holds, moved to the earlier time when one is found.
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="SET NULL"), nullable=True
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_requests.id", ondelete="SET NULL"), nullable=True
    )
    is_waiting: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    __table_args__ = (
        Index("ix_waitlist_entries_waiting", "is_waiting", "urgency_rank", "added_at"),
        Index("ix_waitlist_entries_patient", "patient_id"),
    )

    @property
    def audit_patient_id(self) -> int | None:
        return self.patient_id
