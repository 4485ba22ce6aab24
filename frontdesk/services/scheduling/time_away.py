"""Time away: the exceptions to a provider's weekly availability (vacation, surgery days)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import Provider
from frontdesk.db.models_scheduling import (
    AvailabilityException,
)
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import (
    ExceptionKind,
)
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling._rows import _minute, _saved_setup_row, _setup_row
from frontdesk.services.scheduling.data import ExceptionData, ExceptionForm
from frontdesk.services.scheduling.names import provider_names


def _exception_data(row: AvailabilityException, providers: dict[int, str]) -> ExceptionData:
    return ExceptionData(
        id=row.id,
        provider_id=row.provider_id,
        provider_name=providers.get(row.provider_id, ""),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        start_minute=row.start_minute,
        end_minute=row.end_minute,
        kind=ExceptionKind(row.kind),
        note=row.note,
        version=row.version,
    )


def _validated_exception(session: Session, form: ExceptionForm) -> dict[str, object]:
    errors: dict[str, str] = {}
    if session.get(Provider, form.provider_id) is None:
        errors["provider"] = "choose a provider"
    if form.starts_on is None:
        errors["starts_on"] = "required"
    ends_on = form.ends_on or form.starts_on
    if form.starts_on and ends_on and ends_on < form.starts_on:
        errors["ends_on"] = "the last day is before the first"
    try:
        kind = ExceptionKind(form.kind)
    except ValueError:
        errors["kind"] = "choose vacation, surgery day, conference or other"
        kind = ExceptionKind.OTHER
    start = _minute(errors, "start", form.start)
    end = _minute(errors, "end", form.end)
    if (start is None) != (end is None) and not errors.get("start") and not errors.get("end"):
        errors["end" if end is None else "start"] = "give both times, or neither for whole days"
    if start is not None and end is not None and end <= start:
        errors["end"] = "the time away must end after it starts"
    note = clean_text(form.note)
    if len(note) > 300:
        errors["note"] = "at most 300 characters"
    if errors:
        raise ValidationError(errors)
    return {
        "provider_id": form.provider_id,
        "starts_on": form.starts_on,
        "ends_on": ends_on,
        "start_minute": start,
        "end_minute": end,
        "kind": kind.value,
        "note": note,
    }


def list_exceptions(
    context: ServiceContext,
    provider_ids: Sequence[int] | None = None,
    *,
    since: date | None = None,
) -> list[ExceptionData]:
    with context.reading(Permission.VIEW_PRACTICE) as session:
        return exception_rows(session, provider_ids, since=since)


def exception_rows(
    session: Session,
    provider_ids: Sequence[int] | None = None,
    *,
    since: date | None = None,
    until: date | None = None,
) -> list[ExceptionData]:
    query = select(AvailabilityException).order_by(
        AvailabilityException.starts_on, AvailabilityException.id
    )
    if provider_ids is not None:
        query = query.where(AvailabilityException.provider_id.in_(list(provider_ids)))
    if since is not None:
        query = query.where(AvailabilityException.ends_on >= since)
    if until is not None:
        query = query.where(AvailabilityException.starts_on <= until)
    providers = provider_names(session)
    return [_exception_data(row, providers) for row in session.scalars(query)]


def save_exception(
    context: ServiceContext,
    form: ExceptionForm,
    exception_id: int | None = None,
    expected_version: int | None = None,
) -> ExceptionData:
    """Record time away. Appointments already booked then stay booked: the calendar shows
    them over the time away so the desk can move them."""
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        values = _validated_exception(uow.session, form)
        row = _saved_setup_row(
            uow, AvailabilityException, values, exception_id, expected_version, "time away"
        )
        uow.session.flush()
        data = _exception_data(row, provider_names(uow.session))
        uow.commit()
        return data


def delete_exception(context: ServiceContext, exception_id: int) -> None:
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        row = _setup_row(uow.session, AvailabilityException, exception_id, "time away")
        uow.session.delete(row)
        uow.commit()
