"""phone notes: calls logged on a chart, with a call-back date for Today's calls to return

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.db.migrations.audit_triggers import add_row_trigger, drop_row_trigger

import frontdesk.db.types

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phone_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("called_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("caller", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("promised", sa.Text(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("to_return", sa.Boolean(), nullable=False),
        sa.Column("returned_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("returned_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.CheckConstraint(
            "NOT to_return OR (follow_up_on IS NOT NULL AND returned_at IS NULL)",
            name=op.f("ck_phone_notes_to_return_has_date"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_phone_notes_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_notes")),
    )
    op.create_index(
        "ix_phone_notes_patient_called",
        "phone_notes",
        ["patient_id", "called_at"],
        unique=False,
    )
    op.create_index(
        "ix_phone_notes_to_return",
        "phone_notes",
        ["to_return", "follow_up_on", "id"],
        unique=False,
    )

    add_row_trigger("phone_notes", patient="patient_id")


def downgrade() -> None:
    drop_row_trigger("phone_notes")
    op.drop_index("ix_phone_notes_to_return", table_name="phone_notes")
    op.drop_index("ix_phone_notes_patient_called", table_name="phone_notes")
    op.drop_table("phone_notes")
