"""requests: consultation requests, their state history, records checklist, contact attempts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consultation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("received_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("caller_name", sa.String(length=200), nullable=False),
        sa.Column("caller_relationship", sa.String(length=60), nullable=False),
        sa.Column("contact_phone", sa.String(length=32), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("referrer_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("body_regions", sa.String(length=80), nullable=False),
        sa.Column("prior_surgery", sa.Boolean(), nullable=True),
        sa.Column("prior_surgery_count", sa.Integer(), nullable=True),
        sa.Column("prior_surgery_last_year", sa.Integer(), nullable=True),
        sa.Column("imaging_modality", sa.String(length=30), nullable=False),
        sa.Column("imaging_when", sa.String(length=60), nullable=False),
        sa.Column("imaging_where", sa.String(length=200), nullable=False),
        sa.Column("insurance_note", sa.String(length=300), nullable=False),
        sa.Column("preferred_days", sa.String(length=120), nullable=False),
        sa.Column("preferred_times", sa.String(length=120), nullable=False),
        sa.Column("language", sa.String(length=60), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("urgency_rank", sa.SmallInteger(), nullable=False),
        sa.Column("red_flags", sa.String(length=200), nullable=False),
        sa.Column("red_flag_instruction", sa.Text(), nullable=False),
        sa.Column(
            "instruction_given_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("instruction_given_by", sa.String(length=120), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column(
            "state_changed_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("closed_reason", sa.String(length=30), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.CheckConstraint(
            "(state = 'closed' AND closed_reason IN ('declined', 'unreachable', "
            "'referred_elsewhere', 'insurance_denied', 'duplicate')) OR "
            "(state <> 'closed' AND closed_reason IS NULL)",
            name=op.f("ck_consultation_requests_closed_with_reason"),
        ),
        sa.CheckConstraint(
            "(urgency = 'urgent' AND urgency_rank = 0) OR "
            "(urgency = 'routine' AND urgency_rank = 1)",
            name=op.f("ck_consultation_requests_urgency_rank_matches"),
        ),
        sa.CheckConstraint(
            "contact_phone <> '' OR contact_email <> ''",
            name=op.f("ck_consultation_requests_reachable"),
        ),
        sa.CheckConstraint(
            "state IN ('new', 'awaiting_records', 'ready_to_schedule', 'scheduled', "
            "'seen', 'closed')",
            name=op.f("ck_consultation_requests_state_code"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_consultation_requests_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_consultation_requests_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["referrer_id"],
            ["referrers.id"],
            name=op.f("fk_consultation_requests_referrer_id_referrers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_requests")),
    )
    op.create_index(
        "ix_consultation_requests_assignee_queue",
        "consultation_requests",
        ["assignee_id", "urgency_rank", "received_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_consultation_requests_category_queue",
        "consultation_requests",
        ["category", "urgency_rank", "received_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_consultation_requests_open_queue",
        "consultation_requests",
        ["is_open", "urgency_rank", "received_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_consultation_requests_patient_id", "consultation_requests", ["patient_id"], unique=False
    )
    op.create_index(
        "ix_consultation_requests_queue",
        "consultation_requests",
        ["urgency_rank", "received_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_consultation_requests_category_state",
        "consultation_requests",
        ["category", "state"],
        unique=False,
    )
    op.create_index(
        "ix_consultation_requests_assignee_state",
        "consultation_requests",
        ["assignee_id", "state"],
        unique=False,
    )
    op.create_index(
        "ix_consultation_requests_received_at",
        "consultation_requests",
        ["received_at"],
        unique=False,
    )
    op.create_index(
        "ix_consultation_requests_referrer_queue",
        "consultation_requests",
        ["referrer_id", "urgency_rank", "received_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_consultation_requests_state_queue",
        "consultation_requests",
        ["state", "urgency_rank", "received_at", "id"],
        unique=False,
    )
    op.create_table(
        "request_contact_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_request_contact_attempts_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["consultation_requests.id"],
            name=op.f("fk_request_contact_attempts_request_id_consultation_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_contact_attempts")),
    )
    op.create_index(
        "ix_request_contact_attempts_request_at",
        "request_contact_attempts",
        ["request_id", "at"],
        unique=False,
    )
    op.create_table(
        "request_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("closed_reason", sa.String(length=30), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_request_transitions_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["consultation_requests.id"],
            name=op.f("fk_request_transitions_request_id_consultation_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_transitions")),
    )
    op.create_index(
        "ix_request_transitions_request_at",
        "request_transitions",
        ["request_id", "at"],
        unique=False,
    )
    op.create_table(
        "request_checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=True),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("surgery_id", sa.Integer(), nullable=True),
        sa.Column("imaging_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["surgery_id"],
            ["prior_surgeries.id"],
            name=op.f("fk_request_checklist_items_surgery_id_prior_surgeries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["imaging_id"],
            ["imaging_studies.id"],
            name=op.f("fk_request_checklist_items_imaging_id_imaging_studies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["received_documents.id"],
            name=op.f("fk_request_checklist_items_document_id_received_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_request_checklist_items_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["consultation_requests.id"],
            name=op.f("fk_request_checklist_items_request_id_consultation_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_checklist_items")),
    )
    op.create_index(
        "ix_request_checklist_items_request_id",
        "request_checklist_items",
        ["request_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_request_checklist_items_request_id", table_name="request_checklist_items")
    op.drop_table("request_checklist_items")
    op.drop_index("ix_request_transitions_request_at", table_name="request_transitions")
    op.drop_table("request_transitions")
    op.drop_index("ix_request_contact_attempts_request_at", table_name="request_contact_attempts")
    op.drop_table("request_contact_attempts")
    op.drop_index("ix_consultation_requests_state_queue", table_name="consultation_requests")
    op.drop_index("ix_consultation_requests_referrer_queue", table_name="consultation_requests")
    op.drop_index("ix_consultation_requests_received_at", table_name="consultation_requests")
    op.drop_index("ix_consultation_requests_assignee_state", table_name="consultation_requests")
    op.drop_index("ix_consultation_requests_category_state", table_name="consultation_requests")
    op.drop_index("ix_consultation_requests_queue", table_name="consultation_requests")
    op.drop_index("ix_consultation_requests_patient_id", table_name="consultation_requests")
    op.drop_index("ix_consultation_requests_open_queue", table_name="consultation_requests")
    op.drop_index("ix_consultation_requests_category_queue", table_name="consultation_requests")
    op.drop_index("ix_consultation_requests_assignee_queue", table_name="consultation_requests")
    op.drop_table("consultation_requests")
