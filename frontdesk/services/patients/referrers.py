"""The referring-providers directory: physicians who refer patients or are their family doctor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import Referrer
from frontdesk.domain.contact import (
    InvalidValue,
    clean_text,
    normalize_email,
    normalize_phone,
    text_problem,
)
from frontdesk.domain.errors import NotFoundError, ValidationError
from frontdesk.domain.names import prefix_successor, query_words, sort_key
from frontdesk.domain.npi import normalize_npi
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.kernel.versions import check_version


@dataclass(frozen=True)
class ReferrerForm:
    last_name: str
    first_name: str = ""
    credentials: str = ""
    specialty: str = ""
    practice_name: str = ""
    npi: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    address: str = ""
    active: bool = True


@dataclass(frozen=True)
class ReferrerData:
    id: int
    first_name: str
    last_name: str
    credentials: str
    specialty: str
    practice_name: str
    npi: str
    phone: str
    fax: str
    email: str
    address: str
    active: bool
    version: int

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        name = f"{name}, {self.credentials}" if self.credentials else name
        return f"{name} ({self.practice_name})" if self.practice_name else name


def _validated(form: ReferrerForm) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for name, length, required in (
        ("first_name", 100, False),
        ("last_name", 100, True),
        ("credentials", 60, False),
        ("specialty", 120, False),
        ("practice_name", 200, False),
        ("address", 1000, False),
    ):
        value = clean_text(getattr(form, name))
        problem = text_problem(value, one_line=name != "address")
        if required and not value:
            errors[name] = "required"
        elif len(value) > length:
            errors[name] = f"at most {length} characters"
        elif problem:
            errors[name] = problem
        values[name] = value
    for name in ("phone", "fax"):
        try:
            values[name] = normalize_phone(getattr(form, name))
        except InvalidValue as error:
            errors[name] = str(error)
    try:
        values["email"] = normalize_email(form.email)
    except InvalidValue as error:
        errors["email"] = str(error)
    try:
        values["npi"] = normalize_npi(form.npi) or None
    except InvalidValue as error:
        errors["npi"] = str(error)
    values["active"] = bool(form.active)
    if errors:
        raise ValidationError(errors)
    return values


def _data(row: Referrer) -> ReferrerData:
    return ReferrerData(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        credentials=row.credentials,
        specialty=row.specialty,
        practice_name=row.practice_name,
        npi=row.npi or "",
        phone=row.phone,
        fax=row.fax,
        email=row.email,
        address=row.address,
        active=row.active,
        version=row.version,
    )


def _check_npi_free(session: Session, npi: object, referrer_id: int | None) -> None:
    if npi is None:
        return
    owner = session.scalar(select(Referrer.id).where(Referrer.npi == npi))
    if owner is not None and owner != referrer_id:
        raise ValidationError({"npi": "another physician in the directory has this NPI"})


def save_referrer(
    context: ServiceContext,
    form: ReferrerForm,
    referrer_id: int | None = None,
    expected_version: int | None = None,
) -> ReferrerData:
    """Add a physician to the directory, or save edits (refused over a newer save)."""
    values = _validated(form)
    with context.writing(Permission.EDIT_PATIENTS) as uow:
        _check_npi_free(uow.session, values["npi"], referrer_id)
        if referrer_id is None:
            row = Referrer(**values)
            uow.stamp(row, new=True)
            uow.session.add(row)
        else:
            row = _get(uow.session, referrer_id)
            check_version(row, expected_version, "physician")
            for name, value in values.items():
                setattr(row, name, value)
        row.sort_key = sort_key(row.last_name, row.first_name)
        if referrer_id is not None and uow.session.is_modified(row):
            uow.stamp(row, new=False)
        uow.commit()
        return _data(row)


def _get(session: Session, referrer_id: int) -> Referrer:
    row = session.get(Referrer, referrer_id)
    if row is None:
        raise NotFoundError(f"There is no physician with id {referrer_id} in the directory")
    return row


def get_referrer(context: ServiceContext, referrer_id: int) -> ReferrerData:
    with context.reading(Permission.VIEW_PATIENTS) as session:
        return _data(_get(session, referrer_id))


def find_referrers(
    context: ServiceContext, text: str = "", *, include_inactive: bool = False, limit: int = 50
) -> list[ReferrerData]:
    """Physicians whose last name starts with the first word typed (all when empty), by name.

    Further words must start the first name, practice or specialty ("patel anil").
    """
    words = query_words(text)
    with context.reading(Permission.VIEW_PATIENTS) as session:
        query = select(Referrer).order_by(Referrer.sort_key, Referrer.id)
        if words:
            first = words[0]
            query = query.where(
                Referrer.sort_key >= first, Referrer.sort_key < prefix_successor(first)
            )
        if not include_inactive:
            query = query.where(Referrer.active.is_(True))
        results = []
        # The directory is small (hundreds); the remaining words are checked here.
        for row in session.scalars(query):
            if len(words) > 1:
                haystack = query_words(
                    f"{row.first_name} {row.practice_name} {row.specialty} {row.credentials}"
                )
                if not all(any(h.startswith(w) for h in haystack) for w in words[1:]):
                    continue
            results.append(_data(row))
            if len(results) >= limit:
                break
        return results
