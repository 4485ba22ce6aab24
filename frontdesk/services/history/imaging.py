"""Imaging studies: add, correct, delete, reports and images received; their timeline events."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_history import ImagingStudy
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.history_records import DeletedEntry, ImagingData, ImagingForm, TimelineEvent
from frontdesk.domain.history_summary import DEFAULT_IMAGING_AGE_RULE
from frontdesk.domain.history_vocab import ImagesMedium
from frontdesk.domain.partial_dates import PartialDate
from frontdesk.domain.permissions import Permission
from frontdesk.services.history.checks import _Checks, _imaging_values
from frontdesk.services.history.entry_rows import (
    IMAGING_TRACKING_FIELDS,
    _changed_columns,
    _delete_entry,
    _imaging_data,
    _imaging_row,
    _patient,
    _require_entry_change,
    _require_entry_delete,
    imaging_age_rule,
)
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.kernel.versions import check_version


def _apply_imaging(row: ImagingStudy, values: Mapping[str, Any]) -> None:
    day: PartialDate | None = values["date"]
    row.date_earliest = day.earliest_day() if day else None
    row.date_precision = day.precision.value if day else None
    row.regions = json.dumps([region.value for region in values["regions"]])
    for name, value in values.items():
        if name not in ("date", "regions"):
            setattr(row, name, value)


def _receivers(
    uow: UnitOfWork, row: ImagingStudy, report_before: date | None, images_before: date | None
) -> None:
    if row.report_received_on != report_before:
        row.report_received_by = uow.actor.username if row.report_received_on else ""
    if row.images_received_on != images_before:
        row.images_received_by = uow.actor.username if row.images_received_on else ""


def add_imaging(context: ServiceContext, patient_id: int, form: ImagingForm) -> ImagingData:
    """Record an imaging study (front desk and up)."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        patient = _patient(session, patient_id, for_change=True)
        today = practice_today(session)
        checks = _Checks(today, patient.date_of_birth)
        values = _imaging_values(form, checks)
        checks.raise_if_any()
        row = ImagingStudy(patient_id=patient_id)
        _apply_imaging(row, values)
        _receivers(uow, row, None, None)
        uow.stamp(row, new=True)
        session.add(row)
        uow.commit()
        return _imaging_data(row, today, imaging_age_rule(session))


def update_imaging(
    context: ServiceContext,
    imaging_id: int,
    form: ImagingForm,
    expected_version: int | None,
) -> ImagingData:
    """Save edits to an imaging study opened at ``expected_version``."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        row = _imaging_row(session, imaging_id)
        check_version(row, expected_version, "imaging study")
        patient = _patient(session, row.patient_id, for_change=True)
        today = practice_today(session)
        checks = _Checks(today, patient.date_of_birth)
        values = _imaging_values(form, checks)
        checks.raise_if_any()
        report_before, images_before = row.report_received_on, row.images_received_on
        _apply_imaging(row, values)
        changed = _changed_columns(row)
        _require_entry_change(uow.actor, row, "imaging study", changed, IMAGING_TRACKING_FIELDS)
        _receivers(uow, row, report_before, images_before)
        if session.is_modified(row):
            uow.stamp(row, new=False)
        uow.commit()
        return _imaging_data(row, today, imaging_age_rule(session))


def delete_imaging(
    context: ServiceContext, imaging_id: int, expected_version: int | None
) -> DeletedEntry:
    """Delete an imaging study with its attached documents (recorded in the audit trail)."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        row = _imaging_row(session, imaging_id)
        check_version(row, expected_version, "imaging study")
        _require_entry_delete(uow.actor, row, "imaging study")
        today = practice_today(session)
        description = _imaging_data(row, today, DEFAULT_IMAGING_AGE_RULE).description
        documents = _delete_entry(uow, row, "imaging_id", description)
        uow.commit()
        return DeletedEntry(imaging_id, description, documents, 0)


def set_imaging_records_status(
    context: ServiceContext,
    imaging_id: int,
    *,
    report_received_on: date | str | None,
    images_received_on: date | str | None,
    images_medium: ImagesMedium | str | None,
    disc_location: str,
    expected_version: int | None,
) -> ImagingData:
    """Record the report and images received, and where the disc is kept (front desk may do
    this on any entry)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        row = session.get(ImagingStudy, imaging_id)
        if row is None:
            raise NotFoundError(f"There is no imaging study with id {imaging_id}")
        current = _imaging_data(row, practice_today(session), DEFAULT_IMAGING_AGE_RULE)
    form = replace(
        current.form(),
        report_received_on=report_received_on,
        images_received_on=images_received_on,
        images_medium=images_medium,
        disc_location=disc_location,
    )
    return update_imaging(context, imaging_id, form, expected_version)


def imaging_events(session: Session, patient_id: int, today: date) -> Iterable[TimelineEvent]:
    rule = imaging_age_rule(session)
    for row in session.scalars(select(ImagingStudy).where(ImagingStudy.patient_id == patient_id)):
        data = _imaging_data(row, today, rule)
        title = f"{data.modality_text} {'/'.join(r.value for r in data.regions)}".strip()
        flags: list[str] = []
        if data.flags.report_missing:
            flags.append("report missing")
        if data.flags.images_missing:
            flags.append("images missing")
        if data.flags.too_old:
            flags.append(f"older than {rule.max_age_months} months")
        elif data.flags.possibly_too_old:
            flags.append(f"may be older than {rule.max_age_months} months")
        yield TimelineEvent("imaging", data.date, title, data.facility, data.id, flags=tuple(flags))
