"""request documents: received_documents.request_id becomes a foreign key to its request

0003 made the column a plain integer because the requests table did not exist yet. A
document whose request no longer exists cannot simply lose the link (every document must be
attached to exactly one record, by a CHECK constraint), and deleting a received record
silently is not ours to decide: such documents stop the upgrade with their ids, the
database untouched (on SQLite a copy was also made before). No code path writes one; only
a hand-edited database can hold one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types
from frontdesk.domain.errors import RefusedError

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FK_NAME = "fk_received_documents_request_id_consultation_requests"


def _documents(with_request_fk: bool) -> sa.Table:
    """The table as 0003 made it (frozen here, so later model changes cannot rewrite this
    migration), with or without the new key: SQLite rebuilds the table from it, and a
    reflected copy would drop the CHECK constraints on older Alembic versions."""
    request_id = (
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("consultation_requests.id", name=FK_NAME, ondelete="CASCADE"),
            nullable=True,
        )
        if with_request_fk
        else sa.Column("request_id", sa.Integer(), nullable=True)
    )
    metadata = sa.MetaData()
    sa.Table("consultation_requests", metadata, sa.Column("id", sa.Integer(), primary_key=True))
    sa.Table("patients", metadata, sa.Column("id", sa.Integer(), primary_key=True))
    sa.Table("prior_surgeries", metadata, sa.Column("id", sa.Integer(), primary_key=True))
    sa.Table("imaging_studies", metadata, sa.Column("id", sa.Integer(), primary_key=True))
    return sa.Table(
        "received_documents",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "patient_id",
            sa.Integer(),
            sa.ForeignKey("patients.id", name="fk_received_documents_patient_id_patients"),
            nullable=False,
        ),
        request_id,
        sa.Column(
            "surgery_id",
            sa.Integer(),
            sa.ForeignKey(
                "prior_surgeries.id",
                name="fk_received_documents_surgery_id_prior_surgeries",
                ondelete="CASCADE",
            ),
            nullable=True,
        ),
        sa.Column(
            "imaging_id",
            sa.Integer(),
            sa.ForeignKey(
                "imaging_studies.id",
                name="fk_received_documents_imaging_id_imaging_studies",
                ondelete="CASCADE",
            ),
            nullable=True,
        ),
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
            name="ck_received_documents_attached_to_one",
        ),
        sa.CheckConstraint("size_bytes >= 0", name="ck_received_documents_size_not_negative"),
        sa.PrimaryKeyConstraint("id", name="pk_received_documents"),
        sa.UniqueConstraint("surgery_id", "sha256", name="uq_received_documents_surgery_sha256"),
        sa.UniqueConstraint("imaging_id", "sha256", name="uq_received_documents_imaging_sha256"),
        sa.UniqueConstraint("request_id", "sha256", name="uq_received_documents_request_sha256"),
        sa.Index("ix_received_documents_patient_id", "patient_id"),
        sa.Index("ix_received_documents_sha256", "sha256"),
    )


def _refuse_dangling() -> None:
    bind = op.get_bind()
    dangling = bind.execute(
        sa.text(
            "SELECT d.id FROM received_documents d WHERE d.request_id IS NOT NULL AND NOT "
            "EXISTS (SELECT 1 FROM consultation_requests r WHERE r.id = d.request_id) "
            "ORDER BY d.id"
        )
    ).scalars()
    ids = [str(value) for value in dangling]
    if ids:
        shown = ", ".join(ids[:20]) + (" …" if len(ids) > 20 else "")
        # A FrontDeskError: the app and the command line show it as a calm sentence.
        raise RefusedError(
            f"{len(ids)} received document(s) belong to consultation requests that no longer "
            f"exist (document ids {shown}). Nothing was changed. Restore the missing requests "
            "from a backup, or ask your support contact to move these documents, then start "
            "Front Desk again."
        )


def _rebuild_sqlite(with_request_fk: bool) -> None:
    """SQLite cannot add a foreign key in place: the table is rebuilt. Dropping the old
    table runs an implicit DELETE whose ON DELETE SET NULL would unlink every checklist
    item from its document, so the links are kept aside and put back."""
    bind = op.get_bind()
    links = bind.execute(
        sa.text("SELECT id, document_id FROM request_checklist_items WHERE document_id IS NOT NULL")
    ).all()
    with op.batch_alter_table(
        "received_documents", copy_from=_documents(with_request_fk), recreate="always"
    ):
        pass
    if links:
        bind.execute(
            sa.text("UPDATE request_checklist_items SET document_id = :document WHERE id = :item"),
            [{"document": document, "item": item} for item, document in links],
        )


def upgrade() -> None:
    _refuse_dangling()
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(with_request_fk=True)
    else:
        op.create_foreign_key(
            FK_NAME,
            "received_documents",
            "consultation_requests",
            ["request_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(with_request_fk=False)
    else:
        op.drop_constraint(FK_NAME, "received_documents", type_="foreignkey")
