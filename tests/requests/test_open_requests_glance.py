"""A few charts' open requests at a glance (the quick search's line), on both databases:
counted, the newest one's state, a red flag on any open one; closed requests left out."""

from __future__ import annotations

from frontdesk.domain.request_states import ClosedReason, RequestState
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.requests import intake, states
from frontdesk.services.requests.reading import open_requests_for
from tests.requests.conftest import maria_intake


def test_open_requests_are_counted_with_any_red_flag(context: ServiceContext) -> None:
    quiet = intake.create_request(context, maria_intake())
    maria = quiet.patient_id
    flagged = intake.create_request(
        context, maria_intake(patient_id=maria, red_flags=("bladder_bowel",))
    )
    other = create_patient(context, PatientForm("Ana", "Lindqvist", "1980-05-05"))
    closed = intake.create_request(context, maria_intake(patient_id=other.id))
    states.transition(context, closed.id, RequestState.CLOSED, closed_reason=ClosedReason.DECLINED)

    found = open_requests_for(context, [maria, other.id])
    assert set(found) == {maria}
    assert found[maria].count == 2
    assert found[maria].red_flag
    assert found[maria].newest_state is RequestState.NEW

    states.transition(
        context, flagged.id, RequestState.CLOSED, closed_reason=ClosedReason.DUPLICATE
    )
    again = open_requests_for(context, [maria])
    assert again[maria].count == 1 and not again[maria].red_flag
    assert open_requests_for(context, []) == {}


def test_each_open_state_is_told_not_only_the_newest(context: ServiceContext) -> None:
    # Issue #16: María José showed "2 open requests (New)" though one was Awaiting records.
    older = intake.create_request(context, maria_intake())
    maria = older.patient_id
    intake.create_request(context, maria_intake(patient_id=maria))
    states.transition(context, older.id, RequestState.AWAITING_RECORDS)
    found = open_requests_for(context, [maria])[maria]
    assert found.states == (RequestState.NEW, RequestState.AWAITING_RECORDS)
    assert found.states_text() == "New, Awaiting records"
    intake.create_request(context, maria_intake(patient_id=maria))
    assert open_requests_for(context, [maria])[maria].states_text() == "2 New, Awaiting records"
