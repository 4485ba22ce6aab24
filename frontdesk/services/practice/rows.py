"""Practice rows shared inside the area: forms checked (the logo too), rows written and read."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TypeVar

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from frontdesk.db.models import Location, PracticeProfile, Provider
from frontdesk.domain.contact import (
    InvalidValue,
    clean_text,
    normalize_phone,
    normalize_website,
    text_problem,
)
from frontdesk.domain.errors import NotFoundError, ValidationError
from frontdesk.domain.scheduling import check_zone_name
from frontdesk.services.kernel.context import UnitOfWork
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.practice.forms import (
    LocationData,
    LocationForm,
    PracticeProfileData,
    PracticeProfileForm,
    ProviderData,
    ProviderForm,
)

_T = TypeVar("_T")


PROFILE_ID = 1


MAX_LOGO_BYTES = 2 * 1024 * 1024


MAX_LOGO_PIXELS = 4000


LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


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


def _validated_location(form: LocationForm, prefix: str = "") -> dict[str, object]:
    errors = _Errors()
    values: dict[str, object] = {
        "name": errors.required(f"{prefix}name", form.name, 120),
        "address": errors.optional(f"{prefix}address", form.address, 1000),
        "phone": errors.phone(f"{prefix}phone", form.phone),
        "active": form.active,
        "spanish_name": errors.optional("spanish_name", form.spanish_name, 120),
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
        spanish_name=row.spanish_name,
    )


def _write_profile(
    uow: UnitOfWork, form: PracticeProfileForm, expected_version: int | None
) -> PracticeProfile:
    values = _validated_profile(form)
    row = uow.session.get(PracticeProfile, PROFILE_ID)
    if row is None:
        return _add(uow, PracticeProfile(id=PROFILE_ID, **values))
    _save_over(uow, row, values, expected_version, "practice profile")
    return row


def _add_provider(uow: UnitOfWork, form: ProviderForm) -> Provider:
    return _add(uow, Provider(**_validated_provider(form)))


def _add(uow: UnitOfWork, row: _T) -> _T:
    """A new record, stamped with who created it."""
    uow.stamp(row, new=True)
    uow.session.add(row)
    return row


def _save_over(
    uow: UnitOfWork,
    row: object,
    values: dict[str, object],
    expected_version: int | None,
    what: str,
) -> None:
    """Checked values saved over a record opened at ``expected_version``; stamped only when
    something changed, so an unchanged save leaves who-changed-it as it was."""
    check_version(row, expected_version, what)
    for key, value in values.items():
        setattr(row, key, value)
    if uow.session.is_modified(row):
        uow.stamp(row, new=False)


def _get(session: Session, model: type[_T], record_id: int, what: str) -> _T:
    row = session.get(model, record_id)
    if row is None:
        raise NotFoundError(f"There is no {what} with id {record_id}")
    return row
