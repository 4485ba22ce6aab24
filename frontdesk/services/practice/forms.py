"""The practice area's forms and plain data: profile, providers, locations, accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontdesk.db.types import utcnow
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.permissions import Role


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
    spanish_name: str = ""  # printed on Spanish documents; "" prints the name


@dataclass(frozen=True)
class LocationData:
    id: int
    name: str
    address: str
    phone: str
    active: bool
    version: int
    spanish_name: str = ""

    def name_in(self, language: str) -> str:
        """The name a document in ``language`` prints."""
        return (self.spanish_name if language == "es" else "") or self.name


class SignInError(RefusedError):
    """Sign-in refused: wrong name or password, locked or deactivated account."""


@dataclass(frozen=True)
class NewUserForm:
    username: str
    password: str
    role: Role
    display_name: str = ""


@dataclass(frozen=True)
class UserData:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None
    failed_attempts: int
    password_changed_at: datetime | None
    created_at: datetime
    created_by: str
    version: int

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())
