"""Prior spine surgeries: add, correct, delete, operative report status; timeline events."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_history import PriorSurgery
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.history_records import (
    UNCONFIRMED_SURGERY,
    DeletedEntry,
    SurgeryData,
    SurgeryForm,
    TimelineEvent,
)
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.partial_dates import PartialDate
from frontdesk.domain.permissions import Permission
from frontdesk.domain.spinal_levels import LevelSet
from frontdesk.services.history.checks import _certainly_not_before, _Checks, _surgery_values
from frontdesk.services.history.entry_rows import (
    SURGERY_TRACKING_FIELDS,
    _changed_columns,
    _delete_entry,
    _patient,
    _require_entry_change,
    _require_entry_delete,
    _surgery_data,
    _surgery_row,
    may_change_entry,
    stored_date,
)
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.kernel.versions import check_version


def add_surgery_draft_in(
    uow: UnitOfWork,
    patient_id: int,
    *,
    procedure: Procedure,
    levels: LevelSet,
    year: int | None,
    notes: str,
) -> PriorSurgery:
    """A surgery as a caller described it (intake), stored in the caller's unit of work as an
    unconfirmed draft: structured (procedure, levels, year) so staff check it rather than type
    it again, and marked so nobody takes it for a checked record."""
    row = PriorSurgery(patient_id=patient_id, procedure=procedure.value, unconfirmed=True)
    _apply_surgery(
        row,
        {
            "date": PartialDate.of_year(year) if year else None,
            "levels": levels,
            "procedure_label": "",
            "notes": notes,
        },
    )
    uow.stamp(row, new=True)
    uow.session.add(row)
    return row


def _apply_surgery(row: PriorSurgery, values: Mapping[str, Any]) -> None:
    day: PartialDate | None = values["date"]
    levels: LevelSet = values["levels"]
    row.date_earliest = day.earliest_day() if day else None
    row.date_precision = day.precision.value if day else None
    row.levels = json.dumps(levels.codes())
    row.level_top = levels.levels[0].sort_position if levels else None
    row.level_bottom = levels.levels[-1].sort_position if levels else None
    for name, value in values.items():
        if name not in ("date", "levels"):
            setattr(row, name, value)


def _check_revision_link(
    session: Session,
    checks: _Checks,
    patient_id: int,
    surgery_id: int | None,
    revises_id: int | None,
    day: PartialDate | None,
) -> None:
    """The revised surgery is another, earlier surgery of the same patient, and the links
    never loop; surgeries that revise this one must stay later than its (new) date."""
    if revises_id is not None:
        target = session.get(PriorSurgery, revises_id)
        if target is None or target.patient_id != patient_id:
            checks.fail("revises_id", "pick an earlier surgery of this patient")
        elif revises_id == surgery_id:
            checks.fail("revises_id", "a surgery cannot revise itself")
        else:
            target_day = stored_date(target.date_earliest, target.date_precision)
            if _certainly_not_before(target_day, day):
                described = _surgery_data(target).description
                checks.fail(
                    "revises_id",
                    f"the revised surgery ({described}) must be earlier than this one",
                )
            seen: set[int] = set()
            step: PriorSurgery | None = target
            while step is not None and step.revises_id is not None and step.id not in seen:
                seen.add(step.id)
                if step.revises_id == surgery_id:
                    checks.fail("revises_id", "these surgeries would revise each other")
                    break
                step = session.get(PriorSurgery, step.revises_id)
    if surgery_id is not None and day is not None:
        for later in session.scalars(
            select(PriorSurgery).where(PriorSurgery.revises_id == surgery_id)
        ):
            later_day = stored_date(later.date_earliest, later.date_precision)
            if _certainly_not_before(day, later_day):
                checks.fail(
                    "date",
                    f"{_surgery_data(later).description} revises this surgery, "
                    "so this one must be earlier",
                )


def add_surgery(context: ServiceContext, patient_id: int, form: SurgeryForm) -> SurgeryData:
    """Record a prior surgery (front desk and up)."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        patient = _patient(session, patient_id, for_change=True)
        checks = _Checks(practice_today(session), patient.date_of_birth)
        values = _surgery_values(form, checks)
        _check_revision_link(session, checks, patient_id, None, form.revises_id, values["date"])
        checks.raise_if_any()
        row = PriorSurgery(patient_id=patient_id)
        _apply_surgery(row, values)
        if row.report_received_on is not None:
            row.report_received_by = uow.actor.username
        uow.stamp(row, new=True)
        session.add(row)
        uow.commit()
        return _surgery_data(row)


def update_surgery(
    context: ServiceContext,
    surgery_id: int,
    form: SurgeryForm,
    expected_version: int | None,
    *,
    confirm: bool = True,
) -> SurgeryData:
    """Save edits to a surgery opened at ``expected_version`` (see the module docstring for
    who may change what). A save over someone else's newer save is refused, naming them.

    Saving a draft from intake confirms it (``confirm``), when the person may change its
    details: they have checked what the caller said."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        row = _surgery_row(session, surgery_id)
        check_version(row, expected_version, "surgery")
        patient = _patient(session, row.patient_id, for_change=True)
        checks = _Checks(practice_today(session), patient.date_of_birth)
        values = _surgery_values(form, checks)
        _check_revision_link(
            session, checks, row.patient_id, row.id, form.revises_id, values["date"]
        )
        checks.raise_if_any()
        received_before = row.report_received_on
        _apply_surgery(row, values)
        changed = _changed_columns(row)
        _require_entry_change(uow.actor, row, "surgery", changed, SURGERY_TRACKING_FIELDS)
        if confirm and row.unconfirmed and may_change_entry(uow.actor, row.created_by):
            row.unconfirmed = False
        if row.report_received_on != received_before:
            row.report_received_by = uow.actor.username if row.report_received_on else ""
        if session.is_modified(row):
            uow.stamp(row, new=False)
        uow.commit()
        return _surgery_data(row)


def delete_surgery(
    context: ServiceContext, surgery_id: int, expected_version: int | None
) -> DeletedEntry:
    """Delete a surgery with its attached documents; later surgeries that revised it lose
    the link. Recorded in the audit trail with what the entry said."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        row = _surgery_row(session, surgery_id)
        check_version(row, expected_version, "surgery")
        _require_entry_delete(uow.actor, row, "surgery")
        description = _surgery_data(row).description
        unlinked = 0
        for later in session.scalars(
            select(PriorSurgery).where(PriorSurgery.revises_id == surgery_id)
        ):
            later.revises_id = None
            uow.stamp(later, new=False)
            unlinked += 1
        documents = _delete_entry(
            uow, row, "surgery_id", description, {"revisions_unlinked": unlinked}
        )
        uow.commit()
        return DeletedEntry(surgery_id, description, documents, unlinked)


def set_operative_report_status(
    context: ServiceContext,
    surgery_id: int,
    *,
    requested_on: date | str | None,
    received_on: date | str | None,
    expected_version: int | None,
) -> SurgeryData:
    """Record when the operative report was requested and received (front desk may do this
    on any entry)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        row = session.get(PriorSurgery, surgery_id)
        if row is None:
            raise NotFoundError(f"There is no prior surgery with id {surgery_id}")
        current = _surgery_data(row)
    form = replace(current.form(), report_requested_on=requested_on, report_received_on=received_on)
    # Noting a report is not checking the draft: it stays unconfirmed.
    return update_surgery(context, surgery_id, form, expected_version, confirm=False)


def surgery_events(session: Session, patient_id: int, today: date) -> Iterable[TimelineEvent]:
    for row in session.scalars(select(PriorSurgery).where(PriorSurgery.patient_id == patient_id)):
        data = _surgery_data(row)
        detail = ", ".join(part for part in (data.surgeon, data.facility) if part)
        flags: tuple[str, ...] = () if data.report_received else ("operative report missing",)
        if data.unconfirmed:
            flags += (UNCONFIRMED_SURGERY,)
        levels = data.levels.text()
        title = f"{data.procedure_text} {levels}".strip()
        yield TimelineEvent("surgery", data.date, title, detail, data.id, flags=flags)
