"""The practice profile, its locations and providers; first-run setup."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.db.models import Location, PracticeProfile, Provider
from frontdesk.domain.contact import (
    InvalidValue,
    clean_text,
    normalize_phone,
    normalize_website,
    text_problem,
)
from frontdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import check_zone_name
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork

_T = TypeVar("_T")

PROFILE_ID = 1
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 4000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True)
class PracticeProfileForm:
    name: str
    address: str = ""
    main_phone: str = ""
    toll_free_phone: str = ""
    fax: str = ""
    website: str = ""
    logo: bytes | None = None
    time_zone: str = ""


@dataclass(frozen=True)
class PracticeProfileData:
    name: str
    address: str
    main_phone: str
    toll_free_phone: str
    fax: str
    website: str
    logo: bytes | None
    logo_mime: str
    time_zone: str
    version: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class ProviderForm:
    first_name: str
    last_name: str
    credentials: str = ""
    specialty: str = ""
    active: bool = True


@dataclass(frozen=True)
class ProviderData:
    id: int
    first_name: str
    last_name: str
    credentials: str
    specialty: str
    active: bool
    version: int

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name}, {self.credentials}" if self.credentials else name


@dataclass(frozen=True)
class LocationForm:
    name: str
    address: str = ""
    phone: str = ""
    active: bool = True


@dataclass(frozen=True)
class LocationData:
    id: int
    name: str
    address: str
    phone: str
    active: bool
    version: int


@dataclass
class _Errors:
    fields: dict[str, str] = field(default_factory=dict)

    def phone(self, name: str, value: str, *, required: bool = False) -> str:
        try:
            result = normalize_phone(value)
        except InvalidValue as error:
            self.fields[name] = str(error)
            return ""
        if required and not result:
            self.fields[name] = "required"
        return result

    def required(self, name: str, value: str, max_length: int) -> str:
        value = self.optional(name, value, max_length)
        if not value:
            self.fields[name] = "required"
        return value

    def optional(self, name: str, value: str, max_length: int) -> str:
        value = clean_text(value)
        problem = text_problem(value, one_line="address" not in name)
        if len(value) > max_length:
            self.fields[name] = f"at most {max_length} characters"
        elif problem:
            self.fields[name] = problem
        return value

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationError(self.fields)


def check_logo(data: bytes) -> str:
    """The logo's MIME type, or InvalidValue when it is not a sane PNG or JPEG image."""
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidValue(f"the logo must be under {MAX_LOGO_BYTES // (1024 * 1024)} MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise InvalidValue("the logo is not a readable PNG or JPEG image") from error
    if kind not in LOGO_FORMATS:
        raise InvalidValue("the logo must be a PNG or JPEG image")
    if width > MAX_LOGO_PIXELS or height > MAX_LOGO_PIXELS or width < 16 or height < 16:
        raise InvalidValue(f"the logo must be between 16 and {MAX_LOGO_PIXELS} pixels a side")
    return LOGO_FORMATS[kind]


def _validated_profile(form: PracticeProfileForm) -> dict[str, object]:
    errors = _Errors()
    values: dict[str, object] = {
        "name": errors.required("name", form.name, 200),
        "address": errors.optional("address", form.address, 1000),
        "main_phone": errors.phone("main_phone", form.main_phone, required=True),
        "toll_free_phone": errors.phone("toll_free_phone", form.toll_free_phone),
        "fax": errors.phone("fax", form.fax),
    }
    try:
        values["time_zone"] = check_zone_name(form.time_zone)
    except ValueError as error:
        errors.fields["time_zone"] = str(error)
    try:
        values["website"] = normalize_website(form.website)
    except InvalidValue as error:
        errors.fields["website"] = str(error)
    values["logo"], values["logo_mime"] = form.logo, ""
    if form.logo:
        try:
            values["logo_mime"] = check_logo(form.logo)
        except InvalidValue as error:
            errors.fields["logo"] = str(error)
    else:
        values["logo"] = None
    errors.raise_if_any()
    return values


def _validated_provider(form: ProviderForm, prefix: str = "") -> dict[str, object]:
    errors = _Errors()
    values: dict[str, object] = {
        "first_name": errors.required(f"{prefix}first_name", form.first_name, 100),
        "last_name": errors.required(f"{prefix}last_name", form.last_name, 100),
        "credentials": errors.optional(f"{prefix}credentials", form.credentials, 60),
        "specialty": errors.optional(f"{prefix}specialty", form.specialty, 120),
        "active": form.active,
    }
    errors.raise_if_any()
    return values


def _validated_location(form: LocationForm) -> dict[str, object]:
    errors = _Errors()
    values: dict[str, object] = {
        "name": errors.required("name", form.name, 120),
        "address": errors.optional("address", form.address, 1000),
        "phone": errors.phone("phone", form.phone),
        "active": form.active,
    }
    errors.raise_if_any()
    return values


def _profile_data(row: PracticeProfile) -> PracticeProfileData:
    return PracticeProfileData(
        name=row.name,
        address=row.address,
        main_phone=row.main_phone,
        toll_free_phone=row.toll_free_phone,
        fax=row.fax,
        website=row.website,
        logo=row.logo,
        logo_mime=row.logo_mime,
        time_zone=row.time_zone,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _provider_data(row: Provider) -> ProviderData:
    return ProviderData(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        credentials=row.credentials,
        specialty=row.specialty,
        active=row.active,
        version=row.version,
    )


def _location_data(row: Location) -> LocationData:
    return LocationData(
        id=row.id,
        name=row.name,
        address=row.address,
        phone=row.phone,
        active=row.active,
        version=row.version,
    )


def check_version(record: object, expected_version: int | None, what: str) -> None:
    """Refuse a save made over someone else's newer save, naming who and when."""
    version = record.version
    if expected_version is not None and version != expected_version:
        when = record.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
        raise ConflictError(
            f"{record.updated_by or 'Someone'} changed this {what} at {when}, after "
            "you opened it. Review their version and apply your changes again."
        )


def needs_first_run(context: ServiceContext) -> bool:
    """True while the practice has no profile or no provider yet."""
    with context.reading(None) as session:
        has_profile = session.get(PracticeProfile, PROFILE_ID) is not None
        providers = session.scalar(select(func.count()).select_from(Provider)) or 0
    return not has_profile or providers == 0


def get_profile(context: ServiceContext) -> PracticeProfileData | None:
    with context.reading(Permission.VIEW_PRACTICE) as session:
        row = session.get(PracticeProfile, PROFILE_ID)
        return _profile_data(row) if row else None


def _write_profile(
    uow: UnitOfWork, form: PracticeProfileForm, expected_version: int | None
) -> PracticeProfile:
    values = _validated_profile(form)
    row = uow.session.get(PracticeProfile, PROFILE_ID)
    if row is None:
        row = PracticeProfile(id=PROFILE_ID, **values)
        uow.stamp(row, new=True)
        uow.session.add(row)
    else:
        check_version(row, expected_version, "practice profile")
        for key, value in values.items():
            setattr(row, key, value)
        if uow.session.is_modified(row):
            uow.stamp(row, new=False)
    return row


def save_profile(
    context: ServiceContext, form: PracticeProfileForm, expected_version: int | None
) -> PracticeProfileData:
    """Create or update the practice profile (Admin)."""
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        row = _write_profile(uow, form, expected_version)
        uow.commit()
        return _profile_data(row)


def first_run_problems(
    profile: PracticeProfileForm, providers: list[ProviderForm]
) -> dict[str, str]:
    """Every message for the first-run forms at once (provider fields as "provider0.name")."""
    if not providers:
        return {"providers": "add at least one provider"}
    errors: dict[str, str] = {}
    try:
        _validated_profile(profile)
    except ValidationError as error:
        errors.update(error.fields)
    for index, provider in enumerate(providers):
        try:
            _validated_provider(provider, prefix=f"provider{index}.")
        except ValidationError as error:
            errors.update(error.fields)
    return errors


def write_first_run(
    uow: UnitOfWork, profile: PracticeProfileForm, providers: list[ProviderForm]
) -> PracticeProfileData:
    """The profile and providers inside a caller's unit of work (first run with its admin)."""
    # Imported here: scheduling setup builds on this module (check_version).
    from frontdesk.services.scheduling.setup import ensure_default_types

    row = _write_profile(uow, profile, None)
    for provider in providers:
        _add_provider(uow, provider)
    ensure_default_types(uow)
    uow.session.flush()
    return _profile_data(row)


def complete_first_run(
    context: ServiceContext, profile: PracticeProfileForm, providers: list[ProviderForm]
) -> PracticeProfileData:
    """Save the profile and the first providers together: all or nothing."""
    errors = first_run_problems(profile, providers)
    if errors:
        raise ValidationError(errors)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        data = write_first_run(uow, profile, providers)
        uow.commit()
        return data


def _add_provider(uow: UnitOfWork, form: ProviderForm) -> Provider:
    row = Provider(**_validated_provider(form))
    uow.stamp(row, new=True)
    uow.session.add(row)
    return row


def list_providers(
    context: ServiceContext, *, include_inactive: bool = False
) -> list[ProviderData]:
    with context.reading(Permission.VIEW_PRACTICE) as session:
        query = select(Provider).order_by(Provider.last_name, Provider.first_name)
        if not include_inactive:
            query = query.where(Provider.active.is_(True))
        return [_provider_data(row) for row in session.scalars(query)]


def save_provider(
    context: ServiceContext,
    form: ProviderForm,
    provider_id: int | None = None,
    expected_version: int | None = None,
) -> ProviderData:
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        if provider_id is None:
            row = _add_provider(uow, form)
        else:
            row = _get(uow.session, Provider, provider_id, "provider")
            check_version(row, expected_version, "provider")
            for key, value in _validated_provider(form).items():
                setattr(row, key, value)
            if uow.session.is_modified(row):
                uow.stamp(row, new=False)
        uow.commit()
        return _provider_data(row)


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
            row = Location(**values)
            uow.stamp(row, new=True)
            uow.session.add(row)
        else:
            row = _get(uow.session, Location, location_id, "location")
            check_version(row, expected_version, "location")
            for key, value in values.items():
                setattr(row, key, value)
            if uow.session.is_modified(row):
                uow.stamp(row, new=False)
        uow.commit()
        return _location_data(row)


def _get(session: Session, model: type[_T], record_id: int, what: str) -> _T:
    row = session.get(model, record_id)
    if row is None:
        raise NotFoundError(f"There is no {what} with id {record_id}")
    return row
