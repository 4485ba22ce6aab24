"""scheduling: appointment types, availability, appointments, their events, the waitlist

The database refuses overlapping active appointments of one provider: on PostgreSQL an
exclusion constraint (btree_gist for the provider's equality), on SQLite triggers (SQLite runs
writers one at a time, so the check and the write cannot interleave).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen here (not imported) so later vocabulary changes cannot rewrite this migration.
ACTIVE = "'booked', 'checked_in', 'completed', 'confirmed'"
ALL = "'booked', 'confirmed', 'checked_in', 'completed', 'cancelled', 'no_show'"
OVERLAP = "appointments_no_overlap"

UTC = frontdesk.db.types.UTCDateTime(timezone=True)


def _edited() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "appointment_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("is_new_consultation", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_edited(),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 5 AND 480",
            name=op.f("ck_appointment_types_duration_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_types")),
        sa.UniqueConstraint("name", name=op.f("uq_appointment_types_name")),
    )
    op.create_table(
        "availability_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("type_ids", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        *_edited(),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_availability_blocks_weekday_range")
        ),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute",
            name=op.f("ck_availability_blocks_minutes_order"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_availability_blocks_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_availability_blocks_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_blocks")),
    )
    op.create_index(
        "ix_availability_blocks_provider", "availability_blocks", ["provider_id", "weekday"]
    )
    op.create_table(
        "availability_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=True),
        sa.Column("end_minute", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        *_edited(),
        sa.CheckConstraint(
            "ends_on >= starts_on", name=op.f("ck_availability_exceptions_dates_order")
        ),
        sa.CheckConstraint(
            "(start_minute IS NULL AND end_minute IS NULL) OR "
            "(start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute)",
            name=op.f("ck_availability_exceptions_minutes_order"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_availability_exceptions_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_exceptions")),
    )
    op.create_index(
        "ix_availability_exceptions_provider",
        "availability_exceptions",
        ["provider_id", "ends_on"],
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("ends_at", UTC, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_changed_at", UTC, nullable=False),
        sa.Column("cancelled_by", sa.String(length=10), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("cancelled_at", UTC, nullable=True),
        sa.Column("overbooked", sa.Boolean(), nullable=False),
        sa.Column("last_call_outcome", sa.String(length=20), nullable=True),
        *_edited(),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_appointments_ends_after_start")),
        sa.CheckConstraint(f"status IN ({ALL})", name=op.f("ck_appointments_status_code")),
        sa.CheckConstraint(
            "(status = 'cancelled' AND cancelled_by IN ('patient', 'practice')) OR "
            "(status <> 'cancelled' AND cancelled_by IS NULL)",
            name=op.f("ck_appointments_cancelled_with_who"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_appointments_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_appointments_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_appointments_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["consultation_requests.id"],
            name=op.f("fk_appointments_request_id_consultation_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["appointment_types.id"],
            name=op.f("fk_appointments_type_id_appointment_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index("ix_appointments_provider_starts", "appointments", ["provider_id", "starts_at"])
    op.create_index("ix_appointments_starts", "appointments", ["starts_at"])
    op.create_index("ix_appointments_patient_starts", "appointments", ["patient_id", "starts_at"])
    op.create_index("ix_appointments_request", "appointments", ["request_id"])
    op.create_table(
        "appointment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("freed_provider_id", sa.Integer(), nullable=True),
        sa.Column("freed_location_id", sa.Integer(), nullable=True),
        sa.Column("freed_start", UTC, nullable=True),
        sa.Column("freed_end", UTC, nullable=True),
        *_edited(),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_events_appointment_id_appointments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["freed_location_id"],
            ["locations.id"],
            name=op.f("fk_appointment_events_freed_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["freed_provider_id"],
            ["providers.id"],
            name=op.f("fk_appointment_events_freed_provider_id_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_appointment_events_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_events")),
    )
    op.create_index(
        "ix_appointment_events_appointment", "appointment_events", ["appointment_id", "at"]
    )
    op.create_index("ix_appointment_events_freed", "appointment_events", ["freed_start"])
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("urgency_rank", sa.SmallInteger(), nullable=False),
        sa.Column("weekdays", sa.String(length=40), nullable=False),
        sa.Column("earliest_minute", sa.Integer(), nullable=True),
        sa.Column("latest_minute", sa.Integer(), nullable=True),
        sa.Column("short_notice", sa.Boolean(), nullable=False),
        sa.Column("added_at", UTC, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("is_waiting", sa.Boolean(), nullable=False),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("resolution", sa.String(length=200), nullable=False),
        *_edited(),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_waitlist_entries_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_waitlist_entries_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_waitlist_entries_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_waitlist_entries_provider_id_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["consultation_requests.id"],
            name=op.f("fk_waitlist_entries_request_id_consultation_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["appointment_types.id"],
            name=op.f("fk_waitlist_entries_type_id_appointment_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index(
        "ix_waitlist_entries_waiting",
        "waitlist_entries",
        ["is_waiting", "urgency_rank", "added_at"],
    )
    op.create_index("ix_waitlist_entries_patient", "waitlist_entries", ["patient_id"])

    if op.get_bind().dialect.name == "postgresql":
        # btree_gist lets one GiST index compare the provider with = and the times with &&.
        # It is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE appointments ADD CONSTRAINT {OVERLAP} EXCLUDE USING gist "
            "(provider_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            f"WHERE (status IN ({ACTIVE}))"
        )
    else:
        overlapping = (
            "SELECT 1 FROM appointments AS other WHERE other.provider_id = NEW.provider_id "
            f"AND other.status IN ({ACTIVE}) AND other.starts_at < NEW.ends_at "
            "AND other.ends_at > NEW.starts_at "
            # No appointment is longer than 8 hours: a lower bound on the start lets the
            # check read a short range of the (provider_id, starts_at) index, not the past.
            "AND other.starts_at > datetime(NEW.starts_at, '-480 minutes')"
        )
        op.execute(
            f"CREATE TRIGGER {OVERLAP}_insert BEFORE INSERT ON appointments "
            f"WHEN NEW.status IN ({ACTIVE}) BEGIN "
            f"SELECT RAISE(ABORT, '{OVERLAP}') WHERE EXISTS ({overlapping}); END"
        )
        op.execute(
            f"CREATE TRIGGER {OVERLAP}_update BEFORE UPDATE OF provider_id, starts_at, ends_at, "
            f"status ON appointments WHEN NEW.status IN ({ACTIVE}) BEGIN "
            f"SELECT RAISE(ABORT, '{OVERLAP}') WHERE EXISTS ({overlapping} "
            "AND other.id <> NEW.id); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {OVERLAP}_insert")
        op.execute(f"DROP TRIGGER IF EXISTS {OVERLAP}_update")
    op.drop_index("ix_waitlist_entries_patient", table_name="waitlist_entries")
    op.drop_index("ix_waitlist_entries_waiting", table_name="waitlist_entries")
    op.drop_table("waitlist_entries")
    op.drop_index("ix_appointment_events_freed", table_name="appointment_events")
    op.drop_index("ix_appointment_events_appointment", table_name="appointment_events")
    op.drop_table("appointment_events")
    op.drop_index("ix_appointments_request", table_name="appointments")
    op.drop_index("ix_appointments_patient_starts", table_name="appointments")
    op.drop_index("ix_appointments_starts", table_name="appointments")
    op.drop_index("ix_appointments_provider_starts", table_name="appointments")
    op.drop_table("appointments")
    op.drop_index("ix_availability_exceptions_provider", table_name="availability_exceptions")
    op.drop_table("availability_exceptions")
    op.drop_index("ix_availability_blocks_provider", table_name="availability_blocks")
    op.drop_table("availability_blocks")
    op.drop_table("appointment_types")
