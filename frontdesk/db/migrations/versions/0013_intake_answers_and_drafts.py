"""intake answers and drafts: the red-flag screen as asked (who, when, each answer), and prior
surgeries from a call kept as unconfirmed drafts

Until now a request stored only the red-flag boxes ticked, so "asked, all no" could not be told
from "never asked". A request now says whether the questions were asked (NULL: not recorded),
by whom and when, and which were answered no (the ticked ones, answered yes, stay in
``red_flags``). Existing requests are "not recorded whether asked", unless a box was ticked:
then the questions were asked, by whoever gave the instruction, when it was given.

Surgeries the caller mentioned become history entries marked unconfirmed until the staff check
them in the chart. Existing placeholders made at intake ("other surgery", no levels, the intake
note) were never checked by anyone, so they are marked unconfirmed too.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Frozen here (not imported from the services) so later wording cannot rewrite history.
INTAKE_NOTE_PREFIX = "Reported by the caller at intake;%"


# Plain ADD/DROP COLUMN, never a batch copy: on SQLite a batch recreates the table, and
# dropping the old one fires its children's ON DELETE (checklist links to a surgery set to
# NULL, a request's transitions deleted).
def upgrade() -> None:
    op.add_column(
        "consultation_requests", sa.Column("red_flags_asked", sa.Boolean(), nullable=True)
    )
    op.add_column(
        "consultation_requests",
        sa.Column("red_flags_asked_by", sa.String(length=120), nullable=False, server_default=""),
    )
    op.add_column(
        "consultation_requests",
        sa.Column(
            "red_flags_asked_at", frontdesk.db.types.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.add_column(
        "consultation_requests",
        sa.Column("red_flags_denied", sa.String(length=200), nullable=False, server_default="[]"),
    )
    op.execute(
        "UPDATE consultation_requests SET red_flags_asked = true, "
        "red_flags_asked_by = instruction_given_by, red_flags_asked_at = instruction_given_at "
        "WHERE red_flags <> '[]'"
    )
    op.add_column(
        "prior_surgeries",
        sa.Column("unconfirmed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        sa.text(
            "UPDATE prior_surgeries SET unconfirmed = true WHERE procedure = 'other' "
            "AND procedure_label = '' AND levels = '[]' AND notes LIKE :note"
        ).bindparams(note=INTAKE_NOTE_PREFIX)
    )


def downgrade() -> None:
    op.drop_column("prior_surgeries", "unconfirmed")
    for column in (
        "red_flags_denied",
        "red_flags_asked_at",
        "red_flags_asked_by",
        "red_flags_asked",
    ):
        op.drop_column("consultation_requests", column)
