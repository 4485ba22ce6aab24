"""The practice's locations: listed, added and corrected, each name once (Admin)."""

from __future__ import annotations

from sqlalchemy import func, select

from frontdesk.db.models import Location
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import LocationData, LocationForm
from frontdesk.services.practice.rows import (
    _add,
    _get,
    _location_data,
    _save_over,
    _validated_location,
)


def list_locations(
    context: ServiceContext, *, include_inactive: bool = False
) -> list[LocationData]:
    with context.reading(Permission.VIEW_PRACTICE) as session:
        query = select(Location).order_by(Location.name)
        if not include_inactive:
            query = query.where(Location.active.is_(True))
        return [_location_data(row) for row in session.scalars(query)]


def save_location(
    context: ServiceContext,
    form: LocationForm,
    location_id: int | None = None,
    expected_version: int | None = None,
) -> LocationData:
    values = _validated_location(form)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        clash = uow.session.scalar(
            select(Location.id).where(func.lower(Location.name) == str(values["name"]).lower())
        )
        if clash is not None and clash != location_id:
            raise ValidationError({"name": "another location already has this name"})
        if location_id is None:
            row = _add(uow, Location(**values))
        else:
            row = _get(uow.session, Location, location_id, "location")
            _save_over(uow, row, values, expected_version, "location")
        uow.commit()
        return _location_data(row)
