"""Issue #16: a booking made from the Schedule for a patient with an open consultation request
is booked FOR it (Scheduled, linked, in the booking's transaction and audited) by the same rule
as from the Requests area, or, unlinked, leaves the request untouched. Services and the CLI on
SQLite and PostgreSQL; the booking form with real widgets in test_booking_for_request_ui."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import RefusedError, SlotTakenError
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import RequestState
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake, reading, states
from frontdesk.services.requests.data import RequestDetail
from frontdesk.services.requests.states import RecordsMissingError
from frontdesk.services.scheduling import booking, lookup
from frontdesk.services.scheduling.data import AppointmentData, BookingForm
from tests.helpers.cli import frontdesk
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

THURSDAY = next_weekday(3)
# María's intake names two surgeries and an MRI: the practice rule wants their reports first.
MISSING = (
    "Operative report: surgery 1 of 2",
    "Operative report: last surgery (2021)",
    "Imaging report: MRI May 2024",
    "Imaging disc or files: MRI May 2024",
)


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    # No charts yet: the intake creates María's (a seeded one would be a duplicate).
    return make_practice(context, patient_count=0)


def new_request(context: ServiceContext, **changes: object) -> int:
    return intake.create_request(context, maria_intake(**changes), allow_duplicates=True).id


def ready_request(context: ServiceContext) -> int:
    request_id = new_request(context)
    states.transition(
        context, request_id, RequestState.READY_TO_SCHEDULE, override_reason="films at the visit"
    )
    return request_id


def detail(clinic: Practice, request_id: int) -> RequestDetail:
    return reading.get_request(clinic.context, request_id)


def book(clinic: Practice, patient_id: int, start: datetime, **link: object) -> AppointmentData:
    """A new consultation booked as the Schedule's form books it."""
    return booking.book(
        clinic.context,
        BookingForm(
            patient_id=patient_id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("New consultation"),
            start=start,
            **link,  # type: ignore[arg-type]
        ),
    )


def request_audit(context: ServiceContext, request_id: int) -> list[tuple[str, dict]]:
    with context.database.read_sessions() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "consultation_requests",
                AuditEntry.entity_id == str(request_id),
            )
            .order_by(AuditEntry.id)
        ).all()
        return [(row.action, json.loads(row.details or "{}")) for row in rows]


def test_the_booking_form_is_told_of_the_charts_open_requests(clinic: Practice) -> None:
    ready = ready_request(clinic.context)
    patient_id = detail(clinic, ready).request.patient_id
    waiting = new_request(clinic.context, patient_id=patient_id, category="spinal_stenosis")
    closed = new_request(clinic.context, patient_id=patient_id)
    states.transition(clinic.context, closed, RequestState.CLOSED, closed_reason="duplicate")

    found = reading.requests_to_book(clinic.context, patient_id)

    assert [item.id for item in found] == [waiting, ready]  # open only, newest first
    newest, oldest = found
    assert newest.id == waiting and newest.state is RequestState.NEW
    assert newest.category is RequestCategory.SPINAL_STENOSIS
    assert newest.missing_before_ready == MISSING and not newest.ready
    assert oldest.state is RequestState.READY_TO_SCHEDULE and oldest.ready
    assert oldest.missing_before_ready == ()  # ready already: nothing asked
    assert newest.age_days == 0
    assert reading.requests_to_book(clinic.context, patient_id + 1000) == ()


def test_booked_for_a_ready_request_it_becomes_scheduled_linked_and_audited(
    clinic: Practice,
) -> None:
    request_id = ready_request(clinic.context)
    patient_id = detail(clinic, request_id).request.patient_id
    before = len(request_audit(clinic.context, request_id))

    booked = book(clinic, patient_id, at(THURSDAY, 9), request_id=request_id)

    after = detail(clinic, request_id)
    assert after.request.state is RequestState.SCHEDULED
    assert booked.request_id == request_id
    assert [a.id for a in lookup.appointments_for_request(clinic.context, request_id)] == [
        booked.id
    ]
    moved = after.transitions[-1]
    assert (moved.from_state, moved.to_state) == (
        RequestState.READY_TO_SCHEDULE,
        RequestState.SCHEDULED,
    )
    assert moved.note.startswith("Appointment ")
    audited = request_audit(clinic.context, request_id)[before:]
    assert [action for action, _ in audited] == ["update"]
    assert "scheduled" in json.dumps(audited[0][1])


def test_booked_without_the_link_the_request_is_untouched(clinic: Practice) -> None:
    request_id = ready_request(clinic.context)
    patient_id = detail(clinic, request_id).request.patient_id
    waiting = new_request(clinic.context, patient_id=patient_id)
    before = {rid: detail(clinic, rid) for rid in (request_id, waiting)}
    audited = {rid: request_audit(clinic.context, rid) for rid in (request_id, waiting)}

    booked = book(clinic, patient_id, at(THURSDAY, 9))

    assert booked.request_id is None
    for rid in (request_id, waiting):
        after = detail(clinic, rid)
        assert after.request.state is before[rid].request.state
        assert after.request.version == before[rid].request.version
        assert after.transitions == before[rid].transitions
        assert request_audit(clinic.context, rid) == audited[rid]
        assert lookup.appointments_for_request(clinic.context, rid) == []


def test_a_request_not_ready_is_made_ready_by_the_requests_rule_when_asked(
    clinic: Practice,
) -> None:
    request_id = new_request(clinic.context)
    patient_id = detail(clinic, request_id).request.patient_id

    # Not asked: refused as before, nothing booked.
    with pytest.raises(RefusedError, match="mark it ready to schedule first"):
        book(clinic, patient_id, at(THURSDAY, 9), request_id=request_id)
    # Asked, but the records the practice wants are missing and no reason given: the
    # Requests area's warning, naming them; nothing booked, the request untouched.
    with pytest.raises(RecordsMissingError) as refused:
        book(clinic, patient_id, at(THURSDAY, 9), request_id=request_id, make_request_ready=True)
    assert refused.value.missing == MISSING
    assert lookup.appointments_for_patient(clinic.context, patient_id) == []
    assert detail(clinic, request_id).request.state is RequestState.NEW

    booked = book(
        clinic,
        patient_id,
        at(THURSDAY, 9),
        request_id=request_id,
        make_request_ready=True,
        ready_override_reason="Dr. Okafor reviews the films at the visit",
    )

    after = detail(clinic, request_id)
    assert after.request.state is RequestState.SCHEDULED and booked.request_id == request_id
    ready, scheduled = after.transitions[-2:]
    assert (ready.from_state, ready.to_state) == (
        RequestState.NEW,
        RequestState.READY_TO_SCHEDULE,
    )
    assert ready.note.startswith("Ready without Operative report: surgery 1 of 2;")
    assert "Reason: Dr. Okafor reviews the films at the visit." in ready.note
    assert scheduled.to_state is RequestState.SCHEDULED
    overrides = [
        d for action, d in request_audit(clinic.context, request_id) if action == "override"
    ]
    assert overrides == [
        {
            "rule": "records before ready",
            "missing": list(MISSING),
            "reason": "Dr. Okafor reviews the films at the visit",
        }
    ]


def test_a_refused_booking_leaves_the_request_as_it_was(clinic: Practice) -> None:
    """The Ready move rides in the booking's transaction: a time already taken undoes it."""
    request_id = new_request(clinic.context)
    patient_id = detail(clinic, request_id).request.patient_id
    other = ready_request(clinic.context)
    book(clinic, detail(clinic, other).request.patient_id, at(THURSDAY, 9), request_id=other)

    with pytest.raises(SlotTakenError):
        book(
            clinic,
            patient_id,
            at(THURSDAY, 9),
            request_id=request_id,
            make_request_ready=True,
            ready_override_reason="films at the visit",
        )

    after = detail(clinic, request_id)
    assert after.request.state is RequestState.NEW
    assert len(after.transitions) == 1


def test_the_cli_books_for_a_request_the_same_way(
    clinic: Practice, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = new_request(clinic.context)
    mrn = detail(clinic, request_id).request.mrn
    args = (
        *("appointments", "book", "--patient", mrn, "--provider", "okafor"),
        *("--type", "new consultation", "--start", at(THURSDAY, 9).isoformat()),
        *("--request", str(request_id), "--make-ready"),
    )

    code, _out, err = frontdesk(*args, database=database_url, capsys=capsys)
    assert code == 1 and "Records still missing: Operative report" in err
    assert detail(clinic, request_id).request.state is RequestState.NEW

    code, out, _err = frontdesk(
        *args, "--ready-reason", "films at the visit", database=database_url, capsys=capsys
    )
    assert code == 0 and out.startswith("Booked appointment ")
    after = detail(clinic, request_id)
    assert after.request.state is RequestState.SCHEDULED
    assert len(lookup.appointments_for_request(clinic.context, request_id)) == 1
