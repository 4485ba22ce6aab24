"""handout prints: the print log and the text of every handout version given

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handout_versions",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("handout_id", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("first_given_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_handout_versions")),
    )
    op.create_index(
        "ix_handout_versions_handout_id", "handout_versions", ["handout_id", "language"]
    )
    op.create_table(
        "handout_prints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("handout_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=30), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("handout_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("patient_name", sa.String(length=300), nullable=False),
        sa.Column("printed_on", sa.Date(), nullable=False),
        sa.Column("appointment", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("large_print", sa.Boolean(), nullable=False),
        sa.Column("page_size", sa.String(length=10), nullable=False),
        sa.Column("destination", sa.String(length=300), nullable=False),
        sa.Column("reprint_of_id", sa.Integer(), nullable=True),
        sa.Column("given_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("given_by", sa.String(length=120), nullable=False),
        sa.Column("given_by_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "page_size IN ('letter', 'a4')", name=op.f("ck_handout_prints_page_size_code")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_handout_prints_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["handout_sha256"],
            ["handout_versions.sha256"],
            name=op.f("fk_handout_prints_handout_sha256_handout_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["reprint_of_id"],
            ["handout_prints.id"],
            name=op.f("fk_handout_prints_reprint_of_id_handout_prints"),
        ),
        sa.ForeignKeyConstraint(
            ["given_by_user_id"],
            ["users.id"],
            name=op.f("fk_handout_prints_given_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handout_prints")),
    )
    op.create_index("ix_handout_prints_patient_given", "handout_prints", ["patient_id", "given_at"])
    op.create_index("ix_handout_prints_handout_sha256", "handout_prints", ["handout_sha256"])


def downgrade() -> None:
    op.drop_index("ix_handout_prints_handout_sha256", table_name="handout_prints")
    op.drop_index("ix_handout_prints_patient_given", table_name="handout_prints")
    op.drop_table("handout_prints")
    op.drop_index("ix_handout_versions_handout_id", table_name="handout_versions")
    op.drop_table("handout_versions")
