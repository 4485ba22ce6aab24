"""patients: charts, search keys and counts, MRN counter, referring providers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _folded(length: int) -> sa.types.TypeEngine:
    # Byte-order collation on PostgreSQL: prefix ranges and ORDER BY share one index order.
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _edited() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "referrers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("credentials", sa.String(length=60), nullable=False),
        sa.Column("specialty", sa.String(length=120), nullable=False),
        sa.Column("practice_name", sa.String(length=200), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("fax", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_key", _folded(120), nullable=False),
        *_edited(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrers")),
        sa.UniqueConstraint("npi", name=op.f("uq_referrers_npi")),
    )
    with op.batch_alter_table("referrers", schema=None) as batch_op:
        batch_op.create_index("ix_referrers_sort_key", ["sort_key"], unique=False)

    op.create_table(
        "mrn_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrn_counter")),
    )
    op.execute("INSERT INTO mrn_counter (id, next_value) VALUES (1, 1)")

    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=16), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("preferred_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=20), nullable=False),
        sa.Column("mobile_phone", sa.String(length=32), nullable=False),
        sa.Column("home_phone", sa.String(length=32), nullable=False),
        sa.Column("work_phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address_line1", sa.String(length=200), nullable=False),
        sa.Column("address_line2", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=60), nullable=False),
        sa.Column("postal_code", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=60), nullable=False),
        sa.Column("preferred_language", sa.String(length=60), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("preferred_contact", sa.String(length=20), nullable=False),
        sa.Column("insurance_payer", sa.String(length=120), nullable=False),
        sa.Column("insurance_plan", sa.String(length=120), nullable=False),
        sa.Column("insurance_member_id", sa.String(length=60), nullable=False),
        sa.Column("insurance_group_number", sa.String(length=60), nullable=False),
        sa.Column("subscriber_name", sa.String(length=200), nullable=False),
        sa.Column("subscriber_relationship", sa.String(length=40), nullable=False),
        sa.Column("subscriber_date_of_birth", sa.Date(), nullable=True),
        sa.Column("primary_care_id", sa.Integer(), nullable=True),
        sa.Column("referring_id", sa.Integer(), nullable=True),
        sa.Column("emergency_contact_name", sa.String(length=200), nullable=False),
        sa.Column("emergency_contact_relationship", sa.String(length=60), nullable=False),
        sa.Column("emergency_contact_phone", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("sort_key", _folded(120), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=True),
        *_edited(),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["patients.id"], name=op.f("fk_patients_merged_into_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["primary_care_id"],
            ["referrers.id"],
            name=op.f("fk_patients_primary_care_id_referrers"),
        ),
        sa.ForeignKeyConstraint(
            ["referring_id"], ["referrers.id"], name=op.f("fk_patients_referring_id_referrers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patients_mrn")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patients_birth_date_sort", ["date_of_birth", "sort_key", "id"], unique=False
        )
        batch_op.create_index("ix_patients_primary_care_id", ["primary_care_id"], unique=False)
        batch_op.create_index("ix_patients_referring_id", ["referring_id"], unique=False)
        batch_op.create_index("ix_patients_merged_into_id", ["merged_into_id"], unique=False)

    op.create_table(
        "patient_search_keys",
        sa.Column("key", _folded(60), nullable=False),
        sa.Column("sort_key", _folded(120), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.String(length=600), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_search_keys_patient_id_patients"),
            ondelete="CASCADE",
        ),
    )
    with op.batch_alter_table("patient_search_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_search_keys_lookup",
            ["key", "sort_key", "patient_id", "tokens"],
            unique=False,
        )
        batch_op.create_index("ix_patient_search_keys_patient_id", ["patient_id"], unique=False)
    op.create_table(
        "patient_search_counts",
        sa.Column("term", _folded(61), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_patient_search_counts")),
    )


def downgrade() -> None:
    op.drop_table("patient_search_counts")
    with op.batch_alter_table("patient_search_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_search_keys_patient_id")
        batch_op.drop_index("ix_patient_search_keys_lookup")
    op.drop_table("patient_search_keys")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index("ix_patients_merged_into_id")
        batch_op.drop_index("ix_patients_referring_id")
        batch_op.drop_index("ix_patients_primary_care_id")
        batch_op.drop_index("ix_patients_birth_date_sort")
    op.drop_table("patients")
    op.drop_table("mrn_counter")
    with op.batch_alter_table("referrers", schema=None) as batch_op:
        batch_op.drop_index("ix_referrers_sort_key")
    op.drop_table("referrers")
