"""Admin's appointment types, and the usual five a new practice starts with."""

from __future__ import annotations

from sqlalchemy import func, select

from frontdesk.db.models_scheduling import (
    AppointmentType,
)
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    check_colour,
)
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.scheduling._rows import _saved_setup_row
from frontdesk.services.scheduling.data import AppointmentTypeData, AppointmentTypeForm

# What a new practice starts with (Admin edits them). The Spanish name is what a Spanish
# letter or handout prints (without one, a Spanish letter said "New consultation").
DEFAULT_TYPES: tuple[tuple[str, int, str, bool, str], ...] = (
    ("New consultation", 45, "#2E7D32", True, "Primera consulta"),
    ("Follow-up", 15, "#1565C0", False, "Cita de seguimiento"),
    ("Post-op visit", 20, "#6A1B9A", False, "Visita después de la cirugía"),
    ("Imaging review", 20, "#EF6C00", False, "Revisión de sus estudios de imagen"),
    ("Telehealth", 30, "#00838F", False, "Cita por video (telemedicina)"),
)


def _type_data(row: AppointmentType) -> AppointmentTypeData:
    return AppointmentTypeData(
        id=row.id,
        name=row.name,
        duration_minutes=row.duration_minutes,
        colour=row.colour,
        is_new_consultation=row.is_new_consultation,
        active=row.active,
        version=row.version,
        spanish_name=row.spanish_name,
    )


def _validated_type(form: AppointmentTypeForm) -> dict[str, object]:
    errors: dict[str, str] = {}
    name = clean_text(form.name)
    if not name:
        errors["name"] = "required"
    elif len(name) > 80:
        errors["name"] = "at most 80 characters"
    try:
        duration = int(str(form.duration_minutes).strip())
        if not MIN_DURATION_MINUTES <= duration <= MAX_DURATION_MINUTES:
            errors["duration_minutes"] = (
                f"between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES} minutes"
            )
    except ValueError:
        duration = 0
        errors["duration_minutes"] = "a whole number of minutes"
    spanish_name = clean_text(form.spanish_name)
    if len(spanish_name) > 80:
        errors["spanish_name"] = "at most 80 characters"
    try:
        colour = check_colour(form.colour)
    except ValueError as error:
        colour = ""
        errors["colour"] = str(error)
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "duration_minutes": duration,
        "colour": colour,
        "is_new_consultation": bool(form.is_new_consultation),
        "active": bool(form.active),
        "spanish_name": spanish_name,
    }


def ensure_default_types(uow: UnitOfWork) -> None:
    """Give a practice without appointment types the usual five (first run, demo)."""
    if uow.session.scalar(select(func.count()).select_from(AppointmentType)):
        return
    for name, minutes, colour, is_new, spanish_name in DEFAULT_TYPES:
        row = AppointmentType(
            name=name,
            duration_minutes=minutes,
            colour=colour,
            is_new_consultation=is_new,
            spanish_name=spanish_name,
        )
        uow.stamp(row, new=True)
        uow.session.add(row)
    uow.session.flush()


def install_default_types(context: ServiceContext) -> list[AppointmentTypeData]:
    """The usual five appointment types, for a practice that has none yet."""
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        ensure_default_types(uow)
        rows = uow.session.scalars(select(AppointmentType).order_by(AppointmentType.name))
        data = [_type_data(row) for row in rows]
        uow.commit()
        return data


def list_appointment_types(
    context: ServiceContext, *, include_inactive: bool = False
) -> list[AppointmentTypeData]:
    with context.reading(Permission.VIEW_PRACTICE) as session:
        query = select(AppointmentType).order_by(AppointmentType.name)
        if not include_inactive:
            query = query.where(AppointmentType.active.is_(True))
        return [_type_data(row) for row in session.scalars(query)]


def save_appointment_type(
    context: ServiceContext,
    form: AppointmentTypeForm,
    type_id: int | None = None,
    expected_version: int | None = None,
) -> AppointmentTypeData:
    values = _validated_type(form)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        clash = uow.session.scalar(
            select(AppointmentType.id).where(
                func.lower(AppointmentType.name) == str(values["name"]).lower()
            )
        )
        if clash is not None and clash != type_id:
            raise ValidationError({"name": "another appointment type already has this name"})
        row = _saved_setup_row(
            uow, AppointmentType, values, type_id, expected_version, "appointment type"
        )
        uow.commit()
        return _type_data(row)
