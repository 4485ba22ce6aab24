"""Fixtures for the scheduling tests: a practice in Chicago with two surgeons, two offices,
the default appointment types and weekly availability, and a few patients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from frontdesk.db.models_scheduling import WaitlistEntry
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.practice.forms import LocationForm, PracticeProfileForm, ProviderForm
from frontdesk.services.practice.locations import save_location
from frontdesk.services.practice.profile import save_profile
from frontdesk.services.practice.providers import save_provider
from frontdesk.services.scheduling import appointment_types, availability, booking, waitlist
from frontdesk.services.scheduling.data import (
    AppointmentData,
    AppointmentTypeData,
    AvailabilityForm,
    BookingForm,
    WaitlistEntryData,
    WaitlistForm,
)

CHICAGO = ZoneInfo("America/Chicago")


@dataclass(frozen=True)
class Practice:
    context: ServiceContext
    okafor: int
    lindqvist: int
    main_office: int
    second_office: int
    types: dict[str, AppointmentTypeData]
    patients: list[PatientData]

    def type_id(self, name: str) -> int:
        return self.types[name].id


def next_weekday(weekday: int, *, after: date | None = None) -> date:
    """The first ``weekday`` (0 Monday) at least 7 days after ``after`` (default today), so
    tests never book into the past whatever day they run."""
    start = (after or datetime.now(CHICAGO).date()) + timedelta(days=7)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)


def make_practice(context: ServiceContext, patient_count: int = 3) -> Practice:
    save_profile(
        context,
        PracticeProfileForm(
            name="Prairie Spine Center", main_phone="(217) 555-0100", time_zone="America/Chicago"
        ),
        None,
    )
    okafor = save_provider(
        context, ProviderForm(first_name="Adaeze", last_name="Okafor", credentials="MD")
    )
    lindqvist = save_provider(
        context, ProviderForm(first_name="Erik", last_name="Lindqvist", credentials="MD")
    )
    main = save_location(context, LocationForm(name="Main office"))
    second = save_location(context, LocationForm(name="Second office"))
    appointment_types.install_default_types(context)
    types = {row.name: row for row in appointment_types.list_appointment_types(context)}
    # Okafor: Monday and Thursday mornings at the main office, Thursday afternoon at the
    # second. Lindqvist: Monday to Friday 9-17 at the main office.
    blocks = [
        AvailabilityForm(okafor.id, main.id, 0, "8:00", "12:00"),
        AvailabilityForm(okafor.id, main.id, 3, "8:00", "12:00"),
        AvailabilityForm(okafor.id, second.id, 3, "13:00", "17:00"),
    ] + [AvailabilityForm(lindqvist.id, main.id, day, "9:00", "17:00") for day in range(5)]
    for block in blocks:
        availability.save_availability(context, block)
    people = [
        create_patient(
            context,
            PatientForm(
                first_name=first,
                last_name=last,
                date_of_birth=dob,
                mobile_phone=phone,
            ),
            allow_duplicates=True,
        )
        for first, last, dob, phone in [
            ("María José", "Núñez-García", "3/4/1961", "(217) 555-0188"),
            ("Seán", "O'Connor", "7/12/1958", "(217) 555-0142"),
            ("Hoa", "Nguyễn Thị", "11/30/1975", "(217) 555-0177"),
            ("Zoë", "Adams", "1/2/1990", "(217) 555-0199"),
        ][:patient_count]
    ]
    return Practice(
        context=context,
        okafor=okafor.id,
        lindqvist=lindqvist.id,
        main_office=main.id,
        second_office=second.id,
        types=types,
        patients=people,
    )


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    return make_practice(context, patient_count=4)


def book(
    clinic: Practice, patient: int, start: datetime, kind: str = "Follow-up", **changes: Any
) -> AppointmentData:
    """``clinic.patients[patient]`` booked at ``start``, with Dr. Okafor unless ``changes``
    name another ``provider_id``."""
    form: dict[str, Any] = {
        "patient_id": clinic.patients[patient].id,
        "provider_id": clinic.okafor,
        "type_id": clinic.type_id(kind),
        "start": start,
    }
    return booking.book(clinic.context, BookingForm(**(form | changes)))


def wait(
    clinic: Practice, patient: int, kind: str = "Follow-up", **changes: Any
) -> WaitlistEntryData:
    """``clinic.patients[patient]`` put on the waitlist for a ``kind`` appointment."""
    form = WaitlistForm(
        patient_id=clinic.patients[patient].id, type_id=clinic.type_id(kind), **changes
    )
    return waitlist.add_to_waitlist(clinic.context, form)


def backdate_waitlist_entry(clinic: Practice, entry_id: int, days: int) -> None:
    """The entry added ``days`` earlier: it has waited that much longer."""
    with clinic.context.writing(None) as uow:
        row = uow.session.get(WaitlistEntry, entry_id)
        assert row is not None
        row.added_at = row.added_at - timedelta(days=days)
        uow.commit()
