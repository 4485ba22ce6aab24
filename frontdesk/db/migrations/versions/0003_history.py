"""history: prior spine surgeries, imaging studies, procedure labels, received documents

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_PRECISIONS = "'circa_year', 'year', 'month', 'day'"


def _edited() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
    ]


def _partial_date(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("date_earliest", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=12), nullable=True),
        sa.CheckConstraint(
            "(date_earliest IS NULL AND date_precision IS NULL) OR "
            "(date_earliest IS NOT NULL AND date_precision IS NOT NULL)",
            name=op.f(f"ck_{table}_date_pair"),
        ),
        sa.CheckConstraint(
            f"date_precision IS NULL OR date_precision IN ({_PRECISIONS})",
            name=op.f(f"ck_{table}_date_precision_code"),
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "prior_surgeries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        *_partial_date("prior_surgeries"),
        sa.Column("procedure", sa.String(length=40), nullable=False),
        sa.Column("procedure_label", sa.String(length=120), nullable=False),
        sa.Column("fusion_approach", sa.String(length=20), nullable=True),
        sa.Column("levels", sa.String(length=400), nullable=False),
        sa.Column("level_top", sa.Integer(), nullable=True),
        sa.Column("level_bottom", sa.Integer(), nullable=True),
        sa.Column("levels_note", sa.String(length=300), nullable=False),
        sa.Column("approach", sa.String(length=20), nullable=True),
        sa.Column("surgeon", sa.String(length=200), nullable=False),
        sa.Column("facility", sa.String(length=200), nullable=False),
        sa.Column("instrumentation", sa.Boolean(), nullable=True),
        sa.Column("instrumentation_description", sa.Text(), nullable=False),
        sa.Column("bone_graft", sa.String(length=200), nullable=False),
        sa.Column("revises_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("complications", sa.Text(), nullable=False),
        sa.Column("fusion_status", sa.String(length=20), nullable=True),
        sa.Column("report_requested_on", sa.Date(), nullable=True),
        sa.Column("report_received_on", sa.Date(), nullable=True),
        sa.Column("report_received_by", sa.String(length=120), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_edited(),
        sa.CheckConstraint(
            "revises_id IS NULL OR revises_id <> id",
            name=op.f("ck_prior_surgeries_not_self_revision"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_prior_surgeries_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["revises_id"],
            ["prior_surgeries.id"],
            name=op.f("fk_prior_surgeries_revises_id_prior_surgeries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prior_surgeries")),
    )
    with op.batch_alter_table("prior_surgeries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_prior_surgeries_patient_date", ["patient_id", "date_earliest"], unique=False
        )
        batch_op.create_index("ix_prior_surgeries_revises_id", ["revises_id"], unique=False)
        batch_op.create_index(
            "ix_prior_surgeries_levels_span", ["level_top", "level_bottom"], unique=False
        )

    op.create_table(
        "imaging_studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("modality", sa.String(length=30), nullable=False),
        sa.Column("modality_label", sa.String(length=120), nullable=False),
        sa.Column("regions", sa.String(length=80), nullable=False),
        sa.Column("contrast", sa.String(length=20), nullable=True),
        *_partial_date("imaging_studies"),
        sa.Column("facility", sa.String(length=200), nullable=False),
        sa.Column("ordering_physician", sa.String(length=200), nullable=False),
        sa.Column("report_received_on", sa.Date(), nullable=True),
        sa.Column("report_received_by", sa.String(length=120), nullable=False),
        sa.Column("images_medium", sa.String(length=20), nullable=True),
        sa.Column("images_received_on", sa.Date(), nullable=True),
        sa.Column("images_received_by", sa.String(length=120), nullable=False),
        sa.Column("disc_location", sa.String(length=200), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_edited(),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_imaging_studies_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_studies")),
    )
    with op.batch_alter_table("imaging_studies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_imaging_studies_patient_date", ["patient_id", "date_earliest"], unique=False
        )

    op.create_table(
        "procedure_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_edited(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_labels")),
        sa.UniqueConstraint("label", name=op.f("uq_procedure_labels_label")),
    )

    op.create_table(
        "received_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        # The requests table comes later; its foreign key is added with it.
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("surgery_id", sa.Integer(), nullable=True),
        sa.Column("imaging_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("received_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN request_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN surgery_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN imaging_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_received_documents_attached_to_one"),
        ),
        sa.CheckConstraint(
            "size_bytes >= 0", name=op.f("ck_received_documents_size_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_received_documents_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["surgery_id"],
            ["prior_surgeries.id"],
            name=op.f("fk_received_documents_surgery_id_prior_surgeries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["imaging_id"],
            ["imaging_studies.id"],
            name=op.f("fk_received_documents_imaging_id_imaging_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_documents")),
        sa.UniqueConstraint(
            "surgery_id", "sha256", name=op.f("uq_received_documents_surgery_sha256")
        ),
        sa.UniqueConstraint(
            "imaging_id", "sha256", name=op.f("uq_received_documents_imaging_sha256")
        ),
        sa.UniqueConstraint(
            "request_id", "sha256", name=op.f("uq_received_documents_request_sha256")
        ),
    )
    with op.batch_alter_table("received_documents", schema=None) as batch_op:
        batch_op.create_index("ix_received_documents_patient_id", ["patient_id"], unique=False)
        batch_op.create_index("ix_received_documents_sha256", ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("received_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_received_documents_sha256")
        batch_op.drop_index("ix_received_documents_patient_id")
    op.drop_table("received_documents")
    op.drop_table("procedure_labels")
    with op.batch_alter_table("imaging_studies", schema=None) as batch_op:
        batch_op.drop_index("ix_imaging_studies_patient_date")
    op.drop_table("imaging_studies")
    with op.batch_alter_table("prior_surgeries", schema=None) as batch_op:
        batch_op.drop_index("ix_prior_surgeries_levels_span")
        batch_op.drop_index("ix_prior_surgeries_revises_id")
        batch_op.drop_index("ix_prior_surgeries_patient_date")
    op.drop_table("prior_surgeries")
