"""The patients area's forms and the plain data it returns: chart form, chart data, summaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any

from frontdesk.domain.contact import format_phone
from frontdesk.domain.dates import age_on
from frontdesk.domain.duplicates import Person
from frontdesk.domain.errors import RefusedError, ValidationError
from frontdesk.domain.names import listed_name
from frontdesk.domain.search_query import QueryKind


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ContactMethod(StrEnum):
    NONE = ""
    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"
    MAIL = "mail"

    @property
    def label(self) -> str:
        return {
            "": "No preference",
            "phone": "Phone call",
            "text": "Text message",
            "email": "E-mail",
            "mail": "Letter",
        }[self.value]


@dataclass(frozen=True)
class PatientForm:
    """What a person typed for a chart. Dates may be ``date`` objects or text (3/4/1961)."""

    first_name: str
    last_name: str
    date_of_birth: date | str | None
    middle_name: str = ""
    preferred_name: str = ""
    sex: str = "unknown"
    mobile_phone: str = ""
    home_phone: str = ""
    work_phone: str = ""
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    preferred_language: str = ""
    interpreter_needed: bool = False
    large_print: bool = False
    preferred_contact: str = ""
    insurance_payer: str = ""
    insurance_plan: str = ""
    insurance_member_id: str = ""
    insurance_group_number: str = ""
    subscriber_name: str = ""
    subscriber_relationship: str = ""
    subscriber_date_of_birth: date | str | None = None
    primary_care_id: int | None = None
    referring_id: int | None = None
    emergency_contact_name: str = ""
    emergency_contact_relationship: str = ""
    emergency_contact_phone: str = ""
    notes: str = ""


FORM_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(PatientForm))


@dataclass(frozen=True)
class PatientData:
    """A whole chart as plain data (what the chart window and `patients show` display)."""

    id: int
    mrn: str
    first_name: str
    middle_name: str
    last_name: str
    preferred_name: str
    date_of_birth: date
    sex: str
    mobile_phone: str
    home_phone: str
    work_phone: str
    email: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    country: str
    preferred_language: str
    interpreter_needed: bool
    large_print: bool
    preferred_contact: str
    insurance_payer: str
    insurance_plan: str
    insurance_member_id: str
    insurance_group_number: str
    subscriber_name: str
    subscriber_relationship: str
    subscriber_date_of_birth: date | None
    primary_care_id: int | None
    primary_care_name: str
    referring_id: int | None
    referring_name: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    notes: str
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    merged_into_id: int | None
    merged_into_mrn: str
    # The practice's zone, read with the chart: when it was created and changed is shown in it.
    zone: tzinfo

    @property
    def display_name(self) -> str:
        return listed_name(self.last_name, self.first_name, self.middle_name)

    @property
    def phone(self) -> str:
        return self.mobile_phone or self.home_phone or self.work_phone

    def age(self, on: date) -> int:
        """Age in whole years on ``on``: the practice's day (``today_in(self.zone)``)."""
        return age_on(self.date_of_birth, on)

    def form(self) -> PatientForm:
        """The chart as a form, to edit it or re-apply one's changes after a conflict."""
        return PatientForm(**{name: getattr(self, name) for name in FORM_FIELDS})

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for item in fields(self):
            if item.name == "zone":
                continue  # how the chart is shown, not part of it
            value = getattr(self, item.name)
            result[item.name] = value.isoformat() if isinstance(value, date | datetime) else value
        return result


@dataclass(frozen=True)
class PatientSummary:
    """One line of a search result or a duplicate warning."""

    id: int
    mrn: str
    first_name: str
    middle_name: str
    last_name: str
    preferred_name: str
    date_of_birth: date
    phone: str  # E.164; phone_display formats it (only for the rows actually shown)
    # For the search list's language column (the caller may need an interpreter).
    preferred_language: str = ""
    interpreter_needed: bool = False
    # Handouts for this patient default to large print (the chart says so).
    large_print: bool = False
    # Every phone of the chart (E.164), for duplicate checks.
    phones: frozenset[str] = frozenset()

    @property
    def display_name(self) -> str:
        return listed_name(self.last_name, self.first_name, self.middle_name)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def person(self) -> Person:
        """This chart as the duplicate rule sees it."""
        return Person(
            self.first_name,
            self.last_name,
            self.preferred_name,
            self.date_of_birth,
            self.phones,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mrn": self.mrn,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "preferred_name": self.preferred_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "phone": self.phone,
        }


@dataclass(frozen=True)
class SearchPage:
    """One page of search results; pass ``next_cursor`` back to get the next page."""

    items: tuple[PatientSummary, ...]
    next_cursor: str | None
    # What the text was understood as ("born 1961-03-04"), or why it finds nothing.
    interpretation: str
    kind: QueryKind


@dataclass(frozen=True)
class DuplicateCandidate:
    patient: PatientSummary
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MergeResult:
    kept: PatientData
    merged_mrn: str
    # "table.column" -> how many rows now point at the kept chart.
    moved: dict[str, int]
    filled_fields: tuple[str, ...]


class PossibleDuplicatesError(RefusedError):
    """Creating the chart was held back: these existing charts may be the same person."""

    def __init__(self, candidates: Sequence[DuplicateCandidate]) -> None:
        self.candidates = tuple(candidates)
        names = "; ".join(
            f"{c.patient.display_name} ({c.patient.mrn}, born "
            f"{c.patient.date_of_birth.isoformat()}: {', '.join(c.reasons)})"
            for c in self.candidates[:3]
        )
        more = f" and {len(self.candidates) - 3} more" if len(self.candidates) > 3 else ""
        super().__init__(
            f"This may be a patient who already has a chart: {names}{more}. "
            "Open that chart, or confirm that this is a different person."
        )


class AgeConfirmationNeeded(ValidationError):
    """The birth date makes the patient older than 120: save again with confirm_age=True."""

    def __init__(self, age: int) -> None:
        super().__init__(
            {"date_of_birth": f"this makes the patient {age} years old; confirm the date"}
        )
        self.age = age
