"""A day of appointments for the packet tests: hostile names, Spanish, history, requests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.request_states import RequestState
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.requests import intake, states
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.data import AppointmentData, BookingForm
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

HOSTILE_FIRST = "O'Connor & Sons <b>"
HOSTILE_LAST = "Zoë Nguyễn Thị"
SPANISH_FIRST = "María José"
SPANISH_LAST = "Núñez-García"


@dataclass(frozen=True)
class PacketDay:
    clinic: Practice
    day: date
    spanish: AppointmentData  # new consultation, lumbar MRI report only, 2021 surgery
    hostile: AppointmentData  # follow-up, failed-back request from intake
    other_provider: AppointmentData  # Lindqvist, no request


def make_packet_day(context: ServiceContext) -> PacketDay:
    clinic = make_practice(context, patient_count=4)
    day = next_weekday(0)  # Monday: both surgeons work
    maria = create_patient(
        context,
        PatientForm(
            first_name=SPANISH_FIRST,
            last_name=SPANISH_LAST,
            date_of_birth="3/4/1961",
            preferred_language="Spanish",
            address_line1="12 Calle Luna",
            city="Springfield",
            state="IL",
            postal_code="62701",
        ),
        allow_duplicates=True,
    )
    add_imaging(
        context,
        maria.id,
        ImagingForm(
            modality="mri",
            regions=("lumbar",),
            date="May 2024",
            report_received_on=date(2024, 6, 1),
        ),
    )
    add_surgery(context, maria.id, SurgeryForm(procedure="laminectomy", date="2021"))
    hostile = create_patient(
        context,
        PatientForm(first_name=HOSTILE_FIRST, last_name=HOSTILE_LAST, date_of_birth="1/2/1970"),
        allow_duplicates=True,
    )
    request = intake.create_request(
        context,
        IntakeForm(
            patient_id=hostile.id,
            phone="(217) 555-0123",
            reason="Pain after fusion",
            category="failed_back",
            prior_surgery=True,
            prior_surgery_count=1,
            prior_surgery_last_year=2019,
        ),
    )
    states.transition(
        context, request.id, RequestState.READY_TO_SCHEDULE, override_reason="report at the visit"
    )
    new = clinic.type_id("New consultation")
    spanish = booking.book(
        context, BookingForm(maria.id, clinic.okafor, new, at(day, 8, 0), reason="Back pain")
    )
    follow_up = clinic.type_id("Follow-up")
    hostile_appointment = booking.book(
        context,
        BookingForm(hostile.id, clinic.okafor, follow_up, at(day, 9, 0), request_id=request.id),
    )
    other = booking.book(
        context,
        BookingForm(clinic.patients[0].id, clinic.lindqvist, follow_up, at(day, 10, 0)),
    )
    return PacketDay(clinic, day, spanish, hostile_appointment, other)


def change_chart(context: ServiceContext, patient_id: int, **changes: Any) -> PatientData:
    """The patient's chart saved again with ``changes`` (``large_print=True``…)."""
    chart = get_patient(context, patient_id, record_view=False)
    return update_patient(context, patient_id, replace(chart.form(), **changes), chart.version)
