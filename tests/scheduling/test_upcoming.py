"""Each chart's next visit, for the quick search, on both databases: the first one still to
come, never a cancelled or past one, and one read for several charts."""

from __future__ import annotations

from datetime import timedelta

from frontdesk.domain.scheduling import CancelledBy
from frontdesk.services.scheduling import booking, status
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.services.scheduling.upcoming import next_appointments
from tests.scheduling.conftest import Practice, at, next_weekday


def test_the_next_visit_still_to_come_of_each_chart(clinic: Practice) -> None:
    maria, sean, hoa = (patient.id for patient in clinic.patients[:3])
    monday = next_weekday(0)

    def book(patient: int, day_offset: int, hour: int) -> int:
        return booking.book(
            clinic.context,
            BookingForm(
                patient_id=patient,
                provider_id=clinic.lindqvist,
                type_id=clinic.type_id("Follow-up"),
                start=at(monday + timedelta(days=day_offset), hour),
            ),
        ).id

    later = book(maria, 7, 10)
    first = book(maria, 0, 9)
    cancelled = book(sean, 0, 11)
    status.cancel(clinic.context, cancelled, by=CancelledBy.PATIENT, reason="Feeling better")
    sean_next = book(sean, 1, 11)

    found = next_appointments(clinic.context, [maria, sean, hoa, maria])
    assert {patient: item.id for patient, item in found.items()} == {
        maria: first,
        sean: sean_next,
    }
    assert found[maria].provider_name and found[maria].type_name == "Follow-up"
    assert later != first
    assert next_appointments(clinic.context, []) == {}
