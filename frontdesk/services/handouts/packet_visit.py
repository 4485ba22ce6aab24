"""The visits a packet is for: the day's appointments, and what each patient's packet
says of the visit (the appointment block, the address, the language, what to bring and
the history)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from frontdesk.domain.errors import RefusedError
from frontdesk.domain.handout_format import language_code
from frontdesk.domain.history_records import PatientHistory, VisitAppointment
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.what_to_bring import ChecklistEntry, StudyOnRecord, WhatToBring, what_to_bring
from frontdesk.services.history.summary import get_history
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.practice.forms import LocationData
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.requests import reading
from frontdesk.services.scheduling import calendars, lookup
from frontdesk.services.scheduling.data import AppointmentData

if TYPE_CHECKING:  # ReportLab loads only when packets are rendered
    from frontdesk.documents.handout_pdf import AppointmentDetails


PACKET_LANGUAGES = ("en", "es")


def packet_appointments(
    context: ServiceContext, day: dt.date, provider_ids: Sequence[int] | None = None
) -> list[AppointmentData]:
    """The day's appointments that still hold their time (not cancelled, not a no-show)."""
    return [
        row
        for row in calendars.day_appointments(
            context, day, list(provider_ids) if provider_ids else None, include_inactive=False
        )
        if row.holds_time
    ]


def patient_address(patient: PatientData) -> str:
    """The mailing address as lines ("12 Oak St\\nSpringfield, IL 62701")."""
    city = " ".join(
        part
        for part in (
            f"{patient.city}," if patient.city and patient.state else patient.city,
            patient.state,
            patient.postal_code,
        )
        if part
    )
    lines = [patient.address_line1, patient.address_line2, city]
    return "\n".join(line.strip() for line in lines if line.strip())


def appointment_details(
    appointment: AppointmentData, zone: dt.tzinfo, locations: Mapping[int, LocationData]
) -> AppointmentDetails:
    from frontdesk.documents.handout_pdf import AppointmentDetails

    location = locations.get(appointment.location_id)
    return AppointmentDetails(
        starts_at=appointment.start.astimezone(zone).replace(tzinfo=None),
        provider=appointment.provider_name,
        location=appointment.location_name,
        address=location.address if location is not None else "",
        spanish_location=location.spanish_name if location is not None else "",
    )


def appointment_for_handout(
    context: ServiceContext, appointment_id: int, patient_id: int | None = None
) -> AppointmentDetails:
    """The appointment block printed on a handout (date, time, provider, location), on the
    practice's wall clock. With ``patient_id``, an appointment of someone else is refused."""
    appointment = lookup.get_appointment(context, appointment_id).appointment
    if patient_id is not None and appointment.patient_id != patient_id:
        raise RefusedError(f"Appointment {appointment_id} belongs to another patient")
    if not appointment.holds_time:
        raise RefusedError(
            f"Appointment {appointment_id} is {appointment.status.label.lower()}: "
            "it cannot be printed on a handout"
        )
    locations = {row.id: row for row in list_locations(context, include_inactive=True)}
    return appointment_details(appointment, practice_clock.practice_zone(context), locations)


def packet_language(preferred: str) -> tuple[str, bool]:
    code = language_code(preferred)
    if code in PACKET_LANGUAGES:
        return code, False
    return "en", bool(preferred.strip()) and code != "en"


def gather_what_to_bring(
    context: ServiceContext, patient_id: int, request_id: int | None, language: str, today: dt.date
) -> tuple[WhatToBring, PatientHistory, RequestCategory | None]:
    chart = get_history(context, patient_id, today=today)
    checklist: list[ChecklistEntry] = []
    category: RequestCategory | None = None
    if request_id is not None:
        detail = reading.get_request(context, request_id)
        category = detail.request.category
        checklist = [
            ChecklistEntry(item.kind, item.description, item.received) for item in detail.checklist
        ]
    listing = what_to_bring(
        surgeries=[surgery.facts for surgery in chart.surgeries],
        imaging=[StudyOnRecord(study.facts, study.flags.too_old) for study in chart.imaging],
        checklist=checklist,
        language=language,
    )
    return listing, chart, category


def history_for_visit(
    chart: PatientHistory, appointment: AppointmentData, starts_at: dt.datetime
) -> PatientHistory:
    """The chart's summary as printed for this appointment: its time, type and provider,
    and its own reason when it has one (the chart's is the next appointment's)."""
    visit = replace(
        chart.visit,
        reason=appointment.reason.strip() or chart.visit.reason,
        appointment=VisitAppointment(
            starts_at=starts_at,
            type_name=appointment.type_name,
            provider=appointment.provider_name,
        ),
    )
    return replace(chart, visit=visit)
