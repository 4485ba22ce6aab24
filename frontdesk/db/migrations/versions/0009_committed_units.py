"""committed units: each save on a server leaves its id, to settle a COMMIT whose reply was lost

When the connection drops during COMMIT the app cannot tell whether the server committed.
Each unit of work writes a random id into this table inside its transaction; after
reconnecting, the app looks for that id. Rows older than a day are pruned by the app. The
table exists on SQLite too (one schema) but stays empty there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committed_units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("committed_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committed_units")),
    )
    op.create_index(
        op.f("ix_committed_units_committed_at"), "committed_units", ["committed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_committed_units_committed_at"), table_name="committed_units")
    op.drop_table("committed_units")
