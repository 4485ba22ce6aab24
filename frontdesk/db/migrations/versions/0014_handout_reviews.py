"""handout reviews: who reviewed which version of a handout's text, when, on what evidence;
and the Spanish names of appointment types and locations, printed on Spanish documents

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.db.migrations.audit_triggers import add_row_trigger, drop_row_trigger

import frontdesk.db.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handout_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handout_id", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("handout_sha256", sa.String(length=64), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("recorded_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["handout_sha256"],
            ["handout_versions.sha256"],
            name=op.f("fk_handout_reviews_handout_sha256_handout_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_handout_reviews_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handout_reviews")),
    )
    for table, length in (("appointment_types", 80), ("locations", 120)):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "spanish_name", sa.String(length=length), nullable=False, server_default=""
                )
            )
    op.create_index(
        "ix_handout_reviews_handout",
        "handout_reviews",
        ["handout_id", "language", "handout_sha256"],
    )

    add_row_trigger("handout_reviews")


def downgrade() -> None:
    drop_row_trigger("handout_reviews")
    for table in ("appointment_types", "locations"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("spanish_name")
    op.drop_index("ix_handout_reviews_handout", table_name="handout_reviews")
    op.drop_table("handout_reviews")
