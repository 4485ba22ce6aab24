"""checklist records on history: a checklist item tied to a surgery or imaging study stores
no received state of its own

Until now a checklist item and the history entry it documents each kept a received date, and
the two drifted apart (all items ticked, the chart still saying "report missing"). From here
the history entry's flag is the one stored fact. The upgrade carries both sides over: an item
already received marks its surgery's or study's report (or images) received, if that was not
yet recorded (with the item's day and receiver); a history entry already received is then
what its items show. Links that cannot hold (an operative report on an imaging study, a
referral letter on a surgery) are dropped first, the item keeping its own state. Two CHECK
constraints keep it so. The downgrade copies the history state back onto the items.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLE = "request_checklist_items"
# Frozen here (not imported from the models) so later model changes cannot rewrite history.
FITS_KIND = "ck_request_checklist_items_record_fits_kind"
STORED_ONCE = "ck_request_checklist_items_received_stored_once"
FITS_KIND_SQL = (
    "(surgery_id IS NULL OR imaging_id IS NULL)"
    " AND (surgery_id IS NULL OR kind = 'operative_report')"
    " AND (imaging_id IS NULL OR kind IN ('imaging_report', 'imaging_files'))"
)
STORED_ONCE_SQL = (
    "(surgery_id IS NULL AND imaging_id IS NULL) OR (received_on IS NULL AND received_by = '')"
)

# (item kind, history table, item link column, history date column, history by column)
_TARGETS = (
    (
        "operative_report",
        "prior_surgeries",
        "surgery_id",
        "report_received_on",
        "report_received_by",
    ),
    ("imaging_report", "imaging_studies", "imaging_id", "report_received_on", "report_received_by"),
    ("imaging_files", "imaging_studies", "imaging_id", "images_received_on", "images_received_by"),
)


def _drop_impossible_links() -> None:
    op.execute(
        f"UPDATE {TABLE} SET surgery_id = NULL "
        "WHERE surgery_id IS NOT NULL AND kind <> 'operative_report'"
    )
    op.execute(
        f"UPDATE {TABLE} SET imaging_id = NULL "
        "WHERE imaging_id IS NOT NULL AND kind NOT IN ('imaging_report', 'imaging_files')"
    )


def _items_to_history() -> None:
    """Each received item marks its history entry, the earliest item first, unless the entry
    already says when it was received."""
    bind = op.get_bind()
    for kind, table, link, day, by in _TARGETS:
        rows = bind.execute(
            sa.text(
                f"SELECT i.{link}, i.received_on, i.received_by FROM {TABLE} i "
                f"JOIN {table} h ON h.id = i.{link} "
                f"WHERE i.kind = :kind AND i.received_on IS NOT NULL AND h.{day} IS NULL "
                "ORDER BY i.received_on DESC, i.id DESC"
            ),
            {"kind": kind},
        ).all()
        # Later rows overwrite earlier ones in the dict: the earliest receipt wins.
        first = {entry: (on, who) for entry, on, who in rows}
        if first:
            bind.execute(
                sa.text(f"UPDATE {table} SET {day} = :on, {by} = :by WHERE id = :id"),
                [{"id": entry, "on": on, "by": who} for entry, (on, who) in first.items()],
            )
    op.execute(
        f"UPDATE {TABLE} SET received_on = NULL, received_by = '' "
        "WHERE surgery_id IS NOT NULL OR imaging_id IS NOT NULL"
    )


def _history_to_items() -> None:
    for kind, table, link, day, by in _TARGETS:
        op.execute(
            f"UPDATE {TABLE} SET "
            f"received_on = (SELECT h.{day} FROM {table} h WHERE h.id = {TABLE}.{link}), "
            f"received_by = COALESCE((SELECT h.{by} FROM {table} h "
            f"WHERE h.id = {TABLE}.{link} AND h.{day} IS NOT NULL), '') "
            f"WHERE kind = '{kind}' AND {link} IS NOT NULL"
        )


def upgrade() -> None:
    _drop_impossible_links()
    _items_to_history()
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a CHECK only by rebuilding the table (nothing references this one).
        with op.batch_alter_table(TABLE, recreate="always") as batch:
            batch.create_check_constraint(op.f(FITS_KIND), sa.text(FITS_KIND_SQL))
            batch.create_check_constraint(op.f(STORED_ONCE), sa.text(STORED_ONCE_SQL))
    else:
        op.create_check_constraint(op.f(FITS_KIND), TABLE, sa.text(FITS_KIND_SQL))
        op.create_check_constraint(op.f(STORED_ONCE), TABLE, sa.text(STORED_ONCE_SQL))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(TABLE, recreate="always") as batch:
            batch.drop_constraint(op.f(STORED_ONCE), type_="check")
            batch.drop_constraint(op.f(FITS_KIND), type_="check")
    else:
        op.drop_constraint(op.f(STORED_ONCE), TABLE, type_="check")
        op.drop_constraint(op.f(FITS_KIND), TABLE, type_="check")
    _history_to_items()
