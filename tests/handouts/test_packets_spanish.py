"""Spanish packets print the practice's own names in Spanish and greet by the chart's sex;
their handouts carry the draft mark until reviewed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts import packets, reviews
from frontdesk.services.handouts.chosen_handouts import PREPARING_ID
from frontdesk.services.handouts.reviews import ReviewForm
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import update_patient
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.practice.forms import LocationForm
from frontdesk.services.practice.locations import list_locations, save_location
from frontdesk.services.scheduling import appointment_types
from frontdesk.services.scheduling.data import AppointmentTypeForm
from tests.documents.pdfs import all_text
from tests.handouts.packet_fixtures import SPANISH_FIRST, SPANISH_LAST, PacketDay, make_packet_day


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


def flat(text: str) -> str:
    return " ".join(text.split())


def spanish_packet_text(context: ServiceContext, day: PacketDay) -> str:
    batch = packets.build_packets(context, day.day)
    packet = next(p for p in batch.packets if p.appointment_id == day.spanish.id)
    return flat(all_text(packet.pdf))


def name_the_type_and_location_in_spanish(context: ServiceContext, day: PacketDay) -> None:
    kind = next(
        t for t in appointment_types.list_appointment_types(context) if t.id == day.spanish.type_id
    )
    appointment_types.save_appointment_type(
        context,
        AppointmentTypeForm(
            name=kind.name,
            duration_minutes=kind.duration_minutes,
            colour=kind.colour,
            is_new_consultation=kind.is_new_consultation,
            spanish_name="Consulta nueva",
        ),
        kind.id,
        kind.version,
    )
    place = next(p for p in list_locations(context) if p.id == day.spanish.location_id)
    save_location(
        context,
        LocationForm(
            name=place.name,
            address=place.address,
            phone=place.phone,
            spanish_name="Oficina principal",
        ),
        place.id,
        place.version,
    )


def test_the_practices_own_names_print_in_spanish_from_the_label_it_entered(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    before = spanish_packet_text(context, packet_day)
    # A new practice's types come with a Spanish name; the practice's own label replaces it.
    assert "Tipo de cita Primera consulta" in before
    name_the_type_and_location_in_spanish(context, packet_day)
    text = spanish_packet_text(context, packet_day)
    assert "Tipo de cita Consulta nueva" in text
    assert "New consultation" not in text
    assert "Oficina principal" in text and "Main office" not in text
    # English documents keep the names as they are.
    hostile = next(
        p
        for p in packets.build_packets(context, packet_day.day).packets
        if p.appointment_id == packet_day.hostile.id
    )
    assert "Consulta nueva" not in all_text(hostile.pdf)


@pytest.mark.parametrize(
    ("sex", "greeting"),
    [("unknown", "Estimado(a)"), ("female", "Estimada"), ("male", "Estimado")],
)
def test_the_spanish_letter_greets_by_the_charts_sex_when_known(
    packet_day: PacketDay, context: ServiceContext, sex: str, greeting: str
) -> None:
    chart = get_patient(context, packet_day.spanish.patient_id, record_view=False)
    if sex != chart.sex:
        update_patient(context, chart.id, dataclasses.replace(chart.form(), sex=sex), chart.version)
    text = spanish_packet_text(context, packet_day)
    assert f"{greeting} {SPANISH_FIRST} {SPANISH_LAST}:" in text


def test_packet_handouts_carry_the_draft_mark_until_reviewed(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    assert "Borrador: todavía sin revisar" in spanish_packet_text(context, packet_day)
    preparing = handouts.load_library().get(PREPARING_ID, "es")
    reviews.record_review(
        context,
        preparing,
        ReviewForm("Dra. Elena Ruiz", dt.date.today() - dt.timedelta(days=2), "NASS 2024"),
    )
    text = spanish_packet_text(context, packet_day)
    assert "Borrador" not in text
