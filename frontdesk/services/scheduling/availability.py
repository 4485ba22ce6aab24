"""Admin's weekly availability: the blocks of hours each provider works, where and for what."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import Location, Provider
from frontdesk.db.models_scheduling import (
    AppointmentType,
    AvailabilityBlock,
)
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import (
    Weekday,
)
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling._rows import _minute, _saved_setup_row, _setup_row
from frontdesk.services.scheduling.data import AvailabilityData, AvailabilityForm
from frontdesk.services.scheduling.names import location_names, provider_names


def _block_data(row: AvailabilityBlock, providers: dict[int, str], locations: dict[int, str]):
    return AvailabilityData(
        id=row.id,
        provider_id=row.provider_id,
        provider_name=providers.get(row.provider_id, ""),
        location_id=row.location_id,
        location_name=locations.get(row.location_id, ""),
        weekday=Weekday(row.weekday),
        start_minute=row.start_minute,
        end_minute=row.end_minute,
        type_ids=tuple(json.loads(row.type_ids or "[]")),
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        version=row.version,
    )


def _validated_block(session: Session, form: AvailabilityForm) -> dict[str, object]:
    errors: dict[str, str] = {}
    provider = session.get(Provider, form.provider_id)
    if provider is None:
        errors["provider"] = "choose a provider"
    location = session.get(Location, form.location_id)
    if location is None:
        errors["location"] = "choose a location"
    try:
        weekday = Weekday(int(form.weekday))
    except (TypeError, ValueError):
        errors["weekday"] = "choose a day of the week"
        weekday = Weekday.MONDAY
    start = _minute(errors, "start", form.start)
    end = _minute(errors, "end", form.end)
    if start is None and "start" not in errors:
        errors["start"] = "required"
    if end is None and "end" not in errors:
        errors["end"] = "required"
    if start is not None and end is not None and end <= start:
        errors["end"] = "the block must end after it starts"
    if form.valid_from and form.valid_until and form.valid_until < form.valid_from:
        errors["valid_until"] = "the last day is before the first"
    type_ids = tuple(sorted(set(form.type_ids)))
    if type_ids:
        known = set(
            session.scalars(select(AppointmentType.id).where(AppointmentType.id.in_(type_ids)))
        )
        if known != set(type_ids):
            errors["types"] = "one of the chosen appointment types does not exist"
    if errors:
        raise ValidationError(errors)
    return {
        "provider_id": form.provider_id,
        "location_id": form.location_id,
        "weekday": int(weekday),
        "start_minute": start,
        "end_minute": end,
        "type_ids": json.dumps(list(type_ids)),
        "valid_from": form.valid_from,
        "valid_until": form.valid_until,
    }


def _overlapping_block(session: Session, values: dict[str, object], block_id: int | None) -> bool:
    """A provider cannot be in two places at once: the same weekday's blocks may not overlap
    where their date ranges meet."""
    query = select(AvailabilityBlock).where(
        AvailabilityBlock.provider_id == values["provider_id"],
        AvailabilityBlock.weekday == values["weekday"],
        AvailabilityBlock.start_minute < values["end_minute"],
        AvailabilityBlock.end_minute > values["start_minute"],
    )
    valid_from: date | None = values["valid_from"]  # type: ignore[assignment]
    valid_until: date | None = values["valid_until"]  # type: ignore[assignment]
    for other in session.scalars(query):
        if other.id == block_id:
            continue
        starts_before_other_ends = (
            valid_from is None or other.valid_until is None or valid_from <= other.valid_until
        )
        ends_after_other_starts = (
            valid_until is None or other.valid_from is None or other.valid_from <= valid_until
        )
        if starts_before_other_ends and ends_after_other_starts:
            return True
    return False


def list_availability(
    context: ServiceContext, provider_ids: Sequence[int] | None = None
) -> list[AvailabilityData]:
    with context.reading(Permission.VIEW_PRACTICE) as session:
        return availability_rows(session, provider_ids)


def availability_rows(
    session: Session, provider_ids: Sequence[int] | None = None
) -> list[AvailabilityData]:
    query = select(AvailabilityBlock).order_by(
        AvailabilityBlock.provider_id, AvailabilityBlock.weekday, AvailabilityBlock.start_minute
    )
    if provider_ids is not None:
        query = query.where(AvailabilityBlock.provider_id.in_(list(provider_ids)))
    providers, locations = provider_names(session), location_names(session)
    return [_block_data(row, providers, locations) for row in session.scalars(query)]


def save_availability(
    context: ServiceContext,
    form: AvailabilityForm,
    block_id: int | None = None,
    expected_version: int | None = None,
) -> AvailabilityData:
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        values = _validated_block(uow.session, form)
        if _overlapping_block(uow.session, values, block_id):
            raise ValidationError(
                {"start": "this provider already has availability that overlaps these hours"}
            )
        row = _saved_setup_row(
            uow, AvailabilityBlock, values, block_id, expected_version, "availability block"
        )
        uow.session.flush()
        data = _block_data(row, provider_names(uow.session), location_names(uow.session))
        uow.commit()
        return data


def delete_availability(context: ServiceContext, block_id: int) -> None:
    """Remove a weekly block. Appointments already booked in it stay booked."""
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        row = _setup_row(uow.session, AvailabilityBlock, block_id, "availability block")
        uow.session.delete(row)
        uow.commit()
