"""Merging two charts of one person: every reference moved to the kept chart, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from frontdesk.db.models import Base
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import RefusedError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.patients.chart_store import (
    KEYS,
    PATIENTS,
    _get,
    _patient_data,
    _write_search_keys,
)
from frontdesk.services.patients.forms import MergeResult

# Fields copied from the merged chart when the kept chart has them empty.
_FILLABLE = (
    "middle_name",
    "preferred_name",
    "mobile_phone",
    "home_phone",
    "work_phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "preferred_language",
    "preferred_contact",
    "insurance_payer",
    "insurance_plan",
    "insurance_member_id",
    "insurance_group_number",
    "subscriber_name",
    "subscriber_relationship",
    "subscriber_date_of_birth",
    "primary_care_id",
    "referring_id",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
)


def _patient_references() -> list[tuple[Any, Any]]:
    """Every (table, column) that points at a patient chart, including later areas' tables."""
    references = []
    for table in Base.metadata.sorted_tables:
        if table is KEYS:
            continue  # derived; rewritten below
        for fk in table.foreign_keys:
            if fk.column.table is PATIENTS and fk.column.name == "id":
                references.append((table, fk.parent))
    return references


def merge_patients(
    context: ServiceContext,
    keep_id: int,
    merge_id: int,
    *,
    keep_version: int | None = None,
    merge_version: int | None = None,
) -> MergeResult:
    """Merge chart ``merge_id`` into ``keep_id`` (Admin), all in one transaction.

    Every record that points at the merged chart is moved to the kept one; the kept chart's
    empty fields are filled from the merged one; the merged chart stays (its MRN is never
    reused) marked as merged, and disappears from search. Both charts' audit trails say so.
    """
    if keep_id == merge_id:
        raise ValidationError({"": "pick two different charts to merge"})
    with context.writing(Permission.MERGE_PATIENTS) as uow:
        session = uow.session
        keep = _get(session, keep_id, for_update=True)
        gone = _get(session, merge_id, for_update=True)
        for row in (keep, gone):
            if row.merged_into_id is not None:
                raise RefusedError(f"Chart {row.mrn} was already merged into another chart")
        check_version(keep, keep_version, "chart")
        check_version(gone, merge_version, "chart")
        moved: dict[str, int] = {}
        for table, column in _patient_references():
            result = session.execute(
                update(table).where(column == merge_id).values({column.name: keep_id})
            )
            moved[f"{table.name}.{column.name}"] = int(result.rowcount or 0)
        filled = []
        for name in _FILLABLE:
            if getattr(keep, name) in ("", None) and getattr(gone, name) not in ("", None):
                setattr(keep, name, getattr(gone, name))
                filled.append(name)
        if gone.notes:
            note = f"[From merged chart {gone.mrn}]\n{gone.notes}"
            keep.notes = f"{keep.notes}\n\n{note}" if keep.notes else note
            filled.append("notes")
        # A need either chart records is kept (yes/no fields have no "empty" to fill).
        for name in ("interpreter_needed", "large_print"):
            if getattr(gone, name) and not getattr(keep, name):
                setattr(keep, name, True)
                filled.append(name)
        now = utcnow()
        gone.merged_into_id = keep.id
        gone.merged_at = now
        uow.stamp(keep, new=False)
        uow.stamp(gone, new=False)
        session.flush()
        _write_search_keys(session, None, gone.id)
        _write_search_keys(session, keep, keep.id)
        details = {
            "kept_mrn": keep.mrn,
            "merged_mrn": gone.mrn,
            "moved": moved,
            "filled_fields": filled,
        }
        uow.record("merge", "patients", keep.id, patient_id=keep.id, details=details)
        uow.record("merged_into", "patients", gone.id, patient_id=gone.id, details=details)
        uow.commit()
        return MergeResult(
            kept=_patient_data(session, keep),
            merged_mrn=gone.mrn,
            moved=moved,
            filled_fields=tuple(filled),
        )
