"""inbox: documents that arrived by fax, scan or e-mail, read and waiting to be filed

The SHA-256 is unique, so a file that two workstations import from one shared folder at
once, or that arrives twice, is stored once (the second insert fails and is counted as a
second arrival).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from frontdesk.db.migrations.audit_triggers import add_row_trigger, drop_row_trigger

import frontdesk.db.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = frontdesk.db.types.UTCDateTime(timezone=True)
    op.create_table(
        "inbox_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("origin", sa.String(length=400), nullable=False),
        sa.Column("received_at", when, nullable=False),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.Column("arrivals", sa.Integer(), nullable=False),
        sa.Column("last_arrived_at", when, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("first_page", sa.Integer(), nullable=True),
        sa.Column("last_page", sa.Integer(), nullable=True),
        sa.Column("rotations", sa.String(length=400), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reading", sa.String(length=12), nullable=False),
        sa.Column("pages_read", sa.Integer(), nullable=False),
        sa.Column("read_at", when, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("suggested_patient_id", sa.Integer(), nullable=True),
        sa.Column("suggested_kind", sa.String(length=30), nullable=False),
        sa.Column("suggestion_score", sa.Integer(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("filed_as", sa.String(length=30), nullable=False),
        sa.Column("filed_to", sa.String(length=300), nullable=False),
        sa.Column("received_document_id", sa.Integer(), nullable=True),
        sa.Column("filed_at", when, nullable=True),
        sa.Column("filed_by", sa.String(length=120), nullable=False),
        sa.Column("discard_reason", sa.Text(), nullable=False),
        sa.Column("keep_until", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.CheckConstraint(
            "state IN ('unfiled', 'filed', 'discarded', 'split')",
            name=op.f("ck_inbox_documents_state_known"),
        ),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_inbox_documents_not_empty")),
        sa.CheckConstraint("page_count > 0", name=op.f("ck_inbox_documents_has_pages")),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["inbox_documents.id"],
            name=op.f("fk_inbox_documents_parent_id_inbox_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["suggested_patient_id"],
            ["patients.id"],
            name=op.f("fk_inbox_documents_suggested_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_inbox_documents_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["received_document_id"],
            ["received_documents.id"],
            name=op.f("fk_inbox_documents_received_document_id_received_documents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_documents")),
        sa.UniqueConstraint("sha256", name=op.f("uq_inbox_documents_sha256")),
    )
    op.create_index(
        "ix_inbox_documents_state_received", "inbox_documents", ["state", "received_at"]
    )
    op.create_index("ix_inbox_documents_patient_id", "inbox_documents", ["patient_id"])
    op.create_table(
        "inbox_arrivals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("arrived_at", when, nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("origin", sa.String(length=400), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("source_key", sa.String(length=700), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["inbox_documents.id"],
            name=op.f("fk_inbox_arrivals_document_id_inbox_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_arrivals")),
        sa.UniqueConstraint("source_key", name=op.f("uq_inbox_arrivals_source_key")),
    )
    op.create_index("ix_inbox_arrivals_document_id", "inbox_arrivals", ["document_id"])

    add_row_trigger(
        "inbox_documents", patient="patient_id", redacted=("content", "text", "words")
    )


def downgrade() -> None:
    drop_row_trigger("inbox_documents")
    op.drop_index("ix_inbox_arrivals_document_id", table_name="inbox_arrivals")
    op.drop_table("inbox_arrivals")
    op.drop_index("ix_inbox_documents_patient_id", table_name="inbox_documents")
    op.drop_index("ix_inbox_documents_state_received", table_name="inbox_documents")
    op.drop_table("inbox_documents")
