"""One answer to "can this time be booked?": find next available, the waitlist, Today's freed
times and booking agree (hours and the types a block takes, time away, other bookings, the
booking horizon); on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from frontdesk.cli.main import run
from frontdesk.domain.request_states import RequestState
from frontdesk.domain.scheduling import MAX_DAYS_AHEAD, CancelledBy
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake, reading, states
from frontdesk.services.scheduling import availability, booking, find, lookup, status, waitlist
from frontdesk.services.scheduling.data import (
    AvailabilityForm,
    BookingForm,
    SlotSearch,
    WaitlistForm,
)
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import CHICAGO, Practice, at, next_weekday


def _book(clinic: Practice, patient_id: int, start: datetime, kind: str, **changes: object):  # type: ignore[no-untyped-def]
    return booking.book(
        clinic.context,
        BookingForm(
            patient_id=patient_id,
            provider_id=changes.pop("provider_id", clinic.okafor),  # type: ignore[arg-type]
            type_id=clinic.type_id(kind),
            start=start,
            **changes,  # type: ignore[arg-type]
        ),
    )


def _wait(clinic: Practice, patient_id: int, kind: str, **changes: object) -> int:
    form = WaitlistForm(patient_id=patient_id, type_id=clinic.type_id(kind), **changes)  # type: ignore[arg-type]
    return waitlist.add_to_waitlist(clinic.context, form).id


# --- the booking horizon ------------------------------------------------------------------


def test_find_offers_nothing_further_ahead_than_booking_accepts(clinic: Practice) -> None:
    today = datetime.now(CHICAGO).date()
    three_years = at(today + timedelta(days=3 * 365), 0)
    search = SlotSearch(type_id=clinic.type_id("Follow-up"), after=three_years)
    assert find.find_slots(clinic.context, search) == []

    # Near the horizon every slot offered books, the last one included.
    last_day = today + timedelta(days=MAX_DAYS_AHEAD)
    near = SlotSearch(
        type_id=clinic.type_id("Follow-up"),
        provider_id=clinic.lindqvist,
        after=at(last_day - timedelta(days=6), 0),
        limit=200,
    )
    slots = find.find_slots(clinic.context, near)
    assert slots, "the last week before the horizon has free time"
    assert max(slot.start.astimezone(CHICAGO).date() for slot in slots) <= last_day
    booked = _book(
        clinic, clinic.patients[0].id, slots[-1].start, "Follow-up", provider_id=clinic.lindqvist
    )
    assert booked.start == slots[-1].start and not booked.overbooked


def test_the_find_command_offers_only_times_the_book_command_takes(
    database_url: str, clinic: Practice, capsys: pytest.CaptureFixture[str]
) -> None:
    after = at(datetime.now(CHICAGO).date() + timedelta(days=MAX_DAYS_AHEAD - 3), 0)
    code = run(
        [
            *("--database", database_url, "appointments", "find", "--type", "Follow-up"),
            *("--provider", "lindqvist", "--after", after.isoformat(), "--limit", "200"),
            "--json",
        ]
    )
    slots = json.loads(capsys.readouterr().out)
    assert code == 0
    last = slots[-1]
    code = run(
        [
            *("--database", database_url, "appointments", "book"),
            *("--patient", clinic.patients[0].mrn, "--provider", last["provider"]),
            *("--type", "Follow-up", "--start", last["start"]),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err


# --- the types a block takes ----------------------------------------------------------------


def test_the_waitlist_is_offered_only_types_the_freed_block_takes(clinic: Practice) -> None:
    wednesday = next_weekday(2)
    new_only = (clinic.type_id("New consultation"),)
    availability.save_availability(
        clinic.context,
        AvailabilityForm(clinic.okafor, clinic.main_office, 2, "8:00", "12:00", new_only),
    )
    first = _book(clinic, clinic.patients[0].id, at(wednesday, 9), "New consultation")
    follow_up = _wait(clinic, clinic.patients[1].id, "Follow-up")
    new = _wait(clinic, clinic.patients[2].id, "New consultation")
    status.cancel(clinic.context, first.id, by=CancelledBy.PATIENT, reason="Flu")

    freed = waitlist.freed_times_with_waitlist(clinic.context, days_ahead=30)
    assert [item.freed.start for item in freed] == [at(wednesday, 9)]
    assert [match.entry.id for match in freed[0].matches] == [new]
    found = waitlist.matches_for_time(
        clinic.context, provider_id=clinic.okafor, start=at(wednesday, 9), end=at(wednesday, 10)
    )
    assert follow_up not in [match.entry.id for match in found]

    # What is offered books inside hours, without the overbook question.
    match = freed[0].matches[0]
    booked = waitlist.book_from_waitlist(
        clinic.context,
        match.entry.id,
        provider_id=clinic.okafor,
        start=match.start,
        location_id=match.location_id,
    )
    assert booked.start == at(wednesday, 9) and not booked.overbooked


# --- a time just filled ------------------------------------------------------------------------


def test_a_time_filled_from_the_waitlist_is_no_longer_matched(clinic: Practice) -> None:
    thursday = next_weekday(3)
    first = _book(clinic, clinic.patients[0].id, at(thursday, 10), "Follow-up")
    status.cancel(clinic.context, first.id, by=CancelledBy.PATIENT, reason="Work trip")
    _wait(clinic, clinic.patients[1].id, "Follow-up", urgency="urgent")
    _wait(clinic, clinic.patients[2].id, "Follow-up")
    span = {"provider_id": clinic.okafor, "start": at(thursday, 10), "end": at(thursday, 10, 15)}
    before = waitlist.matches_for_time(clinic.context, **span)
    assert [match.entry.patient_id for match in before] == [
        clinic.patients[1].id,
        clinic.patients[2].id,
    ]
    waitlist.book_from_waitlist(
        clinic.context,
        before[0].entry.id,
        provider_id=clinic.okafor,
        start=before[0].start,
        location_id=before[0].location_id,
    )
    # The same stretch asked again (the appointment window's banner keeps it): nobody fits.
    assert waitlist.matches_for_time(clinic.context, **span) == []


# --- the request follows the booking ----------------------------------------------------------


def test_a_waitlist_move_schedules_the_request_as_a_booking_does(
    context: ServiceContext, clinic: Practice
) -> None:
    request = intake.create_request(context, maria_intake(), allow_duplicates=True)
    states.transition(
        context,
        request.id,
        RequestState.READY_TO_SCHEDULE,
        override_reason="records come with the patient",
    )
    patient_id = request.patient_id
    thursday = next_weekday(3)
    # Booked from the calendar, not from the request: the request is still ready to schedule.
    held = _book(clinic, patient_id, at(thursday + timedelta(days=14), 9), "New consultation")
    entry = _wait(
        clinic,
        patient_id,
        "New consultation",
        appointment_id=held.id,
        request_id=request.id,
    )
    other = _book(clinic, clinic.patients[0].id, at(thursday, 9), "New consultation")
    status.cancel(clinic.context, other.id, by=CancelledBy.PATIENT, reason="Better")

    moved = waitlist.book_from_waitlist(
        clinic.context, entry, provider_id=clinic.okafor, start=at(thursday, 9)
    )
    assert moved.id == held.id and moved.request_id == request.id
    assert reading.get_request(context, request.id).request.state is RequestState.SCHEDULED
    listed = lookup.appointments_for_request(context, request.id)
    assert [item.id for item in listed] == [held.id]
    # Cancelling it sends the request back, as for any booking.
    status.cancel(context, held.id, by=CancelledBy.PATIENT, reason="Moved away")
    state = reading.get_request(context, request.id).request.state
    assert state is RequestState.READY_TO_SCHEDULE
