"""One patient reads the same in every list: Patients search, Today and the Schedule, the
waitlist, requests and their queue, calls to return, the inbox and the history summary."""

from __future__ import annotations

from frontdesk.demo.faxes import mri_lines, text_pdf
from frontdesk.domain.phone_notes import PhoneNoteForm
from frontdesk.services.history.summary import get_history
from frontdesk.services.inbox import arrivals, listing, reading
from frontdesk.services.kernel.clock import today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.phone_notes import calls_to_return, log_call
from frontdesk.services.patients.search import search
from frontdesk.services.requests import intake, work_queue
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.services.scheduling.waitlist import WaitlistForm, add_to_waitlist
from tests.inbox.conftest import MARIA
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import at, make_practice, next_weekday

LISTED = "Núñez-García, María José Luisa"


def test_a_middle_name_is_in_every_list_as_in_the_patients_search(
    context: ServiceContext,
) -> None:
    clinic = make_practice(context, patient_count=0)
    chart = create_patient(
        context,
        PatientForm(
            first_name=MARIA.first,
            middle_name="Luisa",
            last_name=MARIA.last,
            date_of_birth=MARIA.born,
            mobile_phone=MARIA.phone,
        ),
    )
    assert [item.display_name for item in search(context, "Núñez").items] == [LISTED]

    consultation = clinic.type_id("New consultation")
    booked = booking.book(
        context,
        BookingForm(
            patient_id=chart.id,
            provider_id=clinic.okafor,
            type_id=consultation,
            start=at(next_weekday(3), 9),
            reason="Failed fusion",
        ),
    )
    waiting = add_to_waitlist(context, WaitlistForm(patient_id=chart.id, type_id=consultation))
    request = intake.create_request(context, maria_intake(patient_id=chart.id))
    queued = work_queue.queue(context).rows
    log_call(context, chart.id, PhoneNoteForm("Patient", "Results", follow_up_on=today(context)))
    called = calls_to_return(context).items
    arrival = arrivals.receive(context, text_pdf(mri_lines(MARIA)), "mri.pdf", source="hand")
    assert arrival.document_id is not None
    reading.read_document(context, arrival.document_id)
    row, suggestions = listing.one(context, arrival.document_id)
    assert suggestions.patient is not None

    assert booked.patient_name == LISTED
    assert waiting.patient_name == LISTED
    assert request.patient_name == LISTED
    assert [item.patient_name for item in queued] == [LISTED]
    assert [item.patient_name for item in called] == [LISTED]
    assert row.suggested_patient == LISTED
    assert suggestions.patient.name == LISTED
    assert get_history(context, chart.id).patient_name == LISTED
