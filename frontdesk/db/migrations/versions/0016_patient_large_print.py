"""patients.large_print: the chart says whether the patient reads large print

Existing charts start at regular print (false). Handouts given in large print before this
revision are not read back into the chart: the desk ticks the box on the chart from now on.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, never a batch copy: on SQLite a batch recreates the patients table,
# and dropping the old one fires its children's ON DELETE rules (search keys deleted...).
def upgrade() -> None:
    op.add_column(
        "patients",
        sa.Column("large_print", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("patients", "large_print")
