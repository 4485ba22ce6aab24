"""For migrations that add an audited table: its row trigger on PostgreSQL (revision 0010
made the server write the audit trail; each audited table needs this trigger, and a test
checks every audited model has it with the masks its model names)."""

from __future__ import annotations

from alembic import op

ROW_TRIGGER = "frontdesk_audit_row"


def add_row_trigger(
    table: str, *, patient: str = "", redacted: tuple[str, ...] = (), sizes: tuple[str, ...] = ()
) -> None:
    """Record every change to ``table``: ``patient`` is the column holding the patient's id;
    ``redacted`` columns show as "(redacted)", ``sizes`` (bytes) as their size."""
    if op.get_bind().dialect.name != "postgresql":
        return
    arguments = ["id", patient, *(f"redact:{c}" for c in redacted), *(f"bytes:{c}" for c in sizes)]
    quoted = ", ".join(f"'{argument}'" for argument in arguments)
    op.execute(
        f"CREATE TRIGGER {ROW_TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION frontdesk_audit_row_change({quoted})"
    )


def drop_row_trigger(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {ROW_TRIGGER} ON {table}")
