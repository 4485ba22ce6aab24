"""Scheduling setup (Admin): appointment types, weekly availability and its exceptions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.db.models import Location, Provider
from frontdesk.db.models_scheduling import (
    AppointmentType,
    AvailabilityBlock,
    AvailabilityException,
)
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import NotFoundError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    ExceptionKind,
    Weekday,
    check_colour,
    format_clock,
    parse_clock,
)
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.kernel.versions import check_version

SETUP_TABLES = frozenset({"appointment_types", "availability_blocks", "availability_exceptions"})

# What a new practice starts with (Admin edits them).
DEFAULT_TYPES: tuple[tuple[str, int, str, bool], ...] = (
    ("New consultation", 45, "#2E7D32", True),
    ("Follow-up", 15, "#1565C0", False),
    ("Post-op visit", 20, "#6A1B9A", False),
    ("Imaging review", 20, "#EF6C00", False),
    ("Telehealth", 30, "#00838F", False),
)


# --- plain data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentTypeForm:
    name: str
    duration_minutes: int | str
    colour: str = "#4A90D9"
    is_new_consultation: bool = False
    active: bool = True


@dataclass(frozen=True)
class AppointmentTypeData:
    id: int
    name: str
    duration_minutes: int
    colour: str
    is_new_consultation: bool
    active: bool
    version: int


@dataclass(frozen=True)
class AvailabilityForm:
    """A weekly block. Times are on the practice's wall clock ("8:00", "13:30") or minutes
    after midnight; ``type_ids`` empty takes every appointment type."""

    provider_id: int
    location_id: int
    weekday: int
    start: str | int
    end: str | int
    type_ids: tuple[int, ...] = ()
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class AvailabilityData:
    id: int
    provider_id: int
    provider_name: str
    location_id: int
    location_name: str
    weekday: Weekday
    start_minute: int
    end_minute: int
    type_ids: tuple[int, ...]
    valid_from: date | None
    valid_until: date | None
    version: int

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or day <= self.valid_until)
        )

    def takes(self, type_id: int) -> bool:
        return not self.type_ids or type_id in self.type_ids

    @property
    def description(self) -> str:
        text = (
            f"{self.weekday.label} {format_clock(self.start_minute)}–"
            f"{format_clock(self.end_minute)} at {self.location_name}"
        )
        if self.valid_from and self.valid_until:
            text += f" ({self.valid_from:%m/%d/%Y}–{self.valid_until:%m/%d/%Y})"
        elif self.valid_from:
            text += f" (from {self.valid_from:%m/%d/%Y})"
        elif self.valid_until:
            text += f" (until {self.valid_until:%m/%d/%Y})"
        return text


@dataclass(frozen=True)
class ExceptionForm:
    """Time away: whole days from ``starts_on`` to ``ends_on``, or only start–end of each."""

    provider_id: int
    starts_on: date | None
    ends_on: date | None
    kind: str = ExceptionKind.VACATION.value
    start: str | int | None = None
    end: str | int | None = None
    note: str = ""


@dataclass(frozen=True)
class ExceptionData:
    id: int
    provider_id: int
    provider_name: str
    starts_on: date
    ends_on: date
    start_minute: int | None
    end_minute: int | None
    kind: ExceptionKind
    note: str
    version: int

    @property
    def whole_days(self) -> bool:
        return self.start_minute is None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def description(self) -> str:
        days = (
            f"{self.starts_on:%m/%d/%Y}"
            if self.starts_on == self.ends_on
            else f"{self.starts_on:%m/%d/%Y}–{self.ends_on:%m/%d/%Y}"
        )
        if self.start_minute is not None and self.end_minute is not None:
            days += f", {format_clock(self.start_minute)}–{format_clock(self.end_minute)}"
        text = f"{self.kind.label}: {days}"
        return f"{text} ({self.note})" if self.note else text


# --- helpers ------------------------------------------------------------------------------


def provider_label(row: Provider) -> str:
    name = f"{row.first_name} {row.last_name}".strip()
    return f"{name}, {row.credentials}" if row.credentials else name


def _minute(errors: dict[str, str], name: str, value: str | int | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int):
        if not 0 <= value <= 24 * 60:
            errors[name] = "a time between 00:00 and 24:00"
            return None
        return value
    try:
        return parse_clock(value)
    except ValueError as error:
        errors[name] = str(error)
        return None


def _type_data(row: AppointmentType) -> AppointmentTypeData:
    return AppointmentTypeData(
        id=row.id,
        name=row.name,
        duration_minutes=row.duration_minutes,
        colour=row.colour,
        is_new_consultation=row.is_new_consultation,
        active=row.active,
        version=row.version,
    )


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


def provider_names(session: Session) -> dict[int, str]:
    return {row.id: provider_label(row) for row in session.scalars(select(Provider))}


def location_names(session: Session) -> dict[int, str]:
    return {row.id: row.name for row in session.scalars(select(Location))}


# --- appointment types ----------------------------------------------------------------------


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
    }


def ensure_default_types(uow: UnitOfWork) -> None:
    """Give a practice without appointment types the usual five (first run, demo)."""
    if uow.session.scalar(select(func.count()).select_from(AppointmentType)):
        return
    for name, minutes, colour, is_new in DEFAULT_TYPES:
        row = AppointmentType(
            name=name, duration_minutes=minutes, colour=colour, is_new_consultation=is_new
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
        if type_id is None:
            row = AppointmentType(**values)
            uow.stamp(row, new=True)
            uow.session.add(row)
        else:
            row = _get(uow.session, AppointmentType, type_id, "appointment type")
            check_version(row, expected_version, "appointment type")
            for key, value in values.items():
                setattr(row, key, value)
            if uow.session.is_modified(row):
                uow.stamp(row, new=False)
        uow.commit()
        return _type_data(row)


# --- availability ---------------------------------------------------------------------------


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
        if block_id is None:
            row = AvailabilityBlock(**values)
            uow.stamp(row, new=True)
            uow.session.add(row)
        else:
            row = _get(uow.session, AvailabilityBlock, block_id, "availability block")
            check_version(row, expected_version, "availability block")
            for key, value in values.items():
                setattr(row, key, value)
            if uow.session.is_modified(row):
                uow.stamp(row, new=False)
        uow.session.flush()
        data = _block_data(row, provider_names(uow.session), location_names(uow.session))
        uow.commit()
        return data


def delete_availability(context: ServiceContext, block_id: int) -> None:
    """Remove a weekly block. Appointments already booked in it stay booked."""
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        row = _get(uow.session, AvailabilityBlock, block_id, "availability block")
        uow.session.delete(row)
        uow.commit()


# --- exceptions -----------------------------------------------------------------------------


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
        if exception_id is None:
            row = AvailabilityException(**values)
            uow.stamp(row, new=True)
            uow.session.add(row)
        else:
            row = _get(uow.session, AvailabilityException, exception_id, "time away")
            check_version(row, expected_version, "time away")
            for key, value in values.items():
                setattr(row, key, value)
            if uow.session.is_modified(row):
                uow.stamp(row, new=False)
        uow.session.flush()
        data = _exception_data(row, provider_names(uow.session))
        uow.commit()
        return data


def delete_exception(context: ServiceContext, exception_id: int) -> None:
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        row = _get(uow.session, AvailabilityException, exception_id, "time away")
        uow.session.delete(row)
        uow.commit()


def _get(session: Session, model: type, record_id: int, what: str):  # type: ignore[no-untyped-def]
    row = session.get(model, record_id)
    if row is None:
        raise NotFoundError(f"There is no {what} with id {record_id}")
    return row
