"""The waitlist fills freed times (scenario 5), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontdesk.domain.errors import RefusedError, SlotTakenError, ValidationError
from frontdesk.domain.scheduling import AppointmentStatus, CancelledBy
from frontdesk.services.scheduling import availability, lookup, status, waitlist
from frontdesk.services.scheduling import freed as scheduling_freed
from frontdesk.services.scheduling.data import AvailabilityForm
from tests.scheduling.conftest import (
    CHICAGO,
    Practice,
    at,
    backdate_waitlist_entry,
    book,
    next_weekday,
    wait,
)


def test_a_cancellation_offers_the_most_urgent_longest_waiting_first(clinic: Practice) -> None:
    thursday = next_weekday(3)
    later = next_weekday(3, after=thursday + timedelta(days=14))
    cancelled = book(clinic, 0, at(thursday, 10))
    sean_later = book(clinic, 1, at(later, 9))
    routine = wait(clinic, 2)
    sean = wait(
        clinic, 1, urgency="urgent", appointment_id=sean_later.id, note="Can come at short notice"
    )
    backdate_waitlist_entry(clinic, sean.id, 21)
    # Wants Tuesdays only: does not fit a Thursday.
    wait(clinic, 3, urgency="urgent", weekdays=("tue",))
    status.cancel(clinic.context, cancelled.id, by=CancelledBy.PATIENT, reason="Work trip")

    overview = waitlist.freed_times_with_waitlist(clinic.context, days_ahead=60)
    assert len(overview) == 1
    freed = overview[0]
    assert (freed.freed.start, freed.freed.end) == (at(thursday, 10), at(thursday, 10, 15))
    names = [match.entry.patient_name for match in freed.matches]
    assert names == ["O'Connor, Seán", "Nguyễn Thị, Hoa"]
    top = freed.matches[0]
    assert top.entry.days_waiting() >= 21 and top.entry.phone == "(217) 555-0142"
    assert routine.id == freed.matches[1].entry.id

    booked = waitlist.book_from_waitlist(
        clinic.context, sean.id, provider_id=freed.freed.provider_id, start=top.start
    )
    # His later appointment moved (history kept), and its old time is now freed in turn.
    assert booked.id == sean_later.id and booked.start == at(thursday, 10)
    history = lookup.get_appointment(clinic.context, booked.id).events
    assert history[-1].note == "Moved to an earlier time from the waitlist"
    remaining = waitlist.list_waitlist(clinic.context)
    assert sean.id not in [entry.id for entry in remaining]
    freed_now = [
        (f.start, f.end) for f in scheduling_freed.freed_times(clinic.context, days_ahead=60)
    ]
    assert freed_now == [(at(later, 9), at(later, 9, 15))]


def test_booking_from_the_waitlist_a_time_just_taken_changes_nothing(clinic: Practice) -> None:
    thursday = next_weekday(3)
    entry = wait(clinic, 1)
    book(clinic, 0, at(thursday, 10))
    with pytest.raises(SlotTakenError):
        waitlist.book_from_waitlist(
            clinic.context, entry.id, provider_id=clinic.okafor, start=at(thursday, 10)
        )
    assert [e.id for e in waitlist.list_waitlist(clinic.context)] == [entry.id]


def test_no_short_notice_and_time_windows_are_respected(clinic: Practice) -> None:
    thursday = next_weekday(3)
    wait(clinic, 1, earliest="10:30")
    early = waitlist.matches_for_time(
        clinic.context,
        provider_id=clinic.okafor,
        start=at(thursday, 9),
        end=at(thursday, 9, 30),
    )
    assert early == []
    late = waitlist.matches_for_time(
        clinic.context,
        provider_id=clinic.okafor,
        start=at(thursday, 10, 30),
        end=at(thursday, 11),
    )
    assert [m.entry.patient_id for m in late] == [clinic.patients[1].id]
    # Too short for a new consultation.
    wait(clinic, 2, "New consultation")
    assert all(m.entry.patient_id != clinic.patients[2].id for m in late)


def test_bad_waitlist_input_is_refused_by_field(clinic: Practice) -> None:
    with pytest.raises(ValidationError) as error:
        wait(clinic, 0, weekdays=("someday",), earliest="14:00", latest="9:00", urgency="whenever")
    assert set(error.value.fields) == {"weekdays", "latest", "urgency"}
    # Minutes after midnight are checked like the weekly hours' times: no 25 o'clock.
    with pytest.raises(ValidationError) as error:
        wait(clinic, 0, earliest=8 * 60, latest=25 * 60)
    assert error.value.fields == {"latest": "a time between 00:00 and 24:00"}
    entry = wait(clinic, 0)
    with pytest.raises(RefusedError, match="already on the waitlist"):
        wait(clinic, 0)
    with pytest.raises(ValidationError):
        waitlist.remove_from_waitlist(clinic.context, entry.id, "")
    removed = waitlist.remove_from_waitlist(clinic.context, entry.id, "Found another practice")
    assert not removed.is_waiting and removed.resolution.startswith("Removed")


def test_a_no_show_frees_its_time_too(clinic: Practice) -> None:
    from datetime import datetime

    from frontdesk.services.practice.forms import ProviderForm
    from frontdesk.services.practice.providers import save_provider

    now = datetime.now(CHICAGO)
    start = (now + timedelta(minutes=30)).replace(second=0, microsecond=0)
    if start.date() != now.date():
        pytest.skip("too close to midnight in Chicago for a same-day no-show")
    # Whatever the hour the test runs, it is inside this provider's hours today.
    night = save_provider(clinic.context, ProviderForm(first_name="Ana", last_name="Ruiz"))
    availability.save_availability(
        clinic.context,
        AvailabilityForm(night.id, clinic.main_office, now.weekday(), "0:00", "24:00"),
    )
    booked = book(clinic, 0, start, provider_id=night.id)
    marked = status.set_status(clinic.context, booked.id, AppointmentStatus.NO_SHOW)
    assert marked.status is AppointmentStatus.NO_SHOW
    freed = scheduling_freed.freed_times(clinic.context)
    assert [(f.start, f.description) for f in freed] == [(booked.start, "Booked → No-show")]


def test_an_overbooks_time_is_not_offered_when_it_frees(clinic: Practice) -> None:
    """Outside the provider's hours a freed time cannot be booked without an overbook, so
    Today does not offer it to the waitlist (booking it asked "Book outside hours?")."""
    sunday = next_weekday(6)
    overbook = book(
        clinic, 0, at(sunday, 10), allow_outside_availability=True, location_id=clinic.main_office
    )
    wait(clinic, 1)
    status.cancel(clinic.context, overbook.id, by=CancelledBy.PRACTICE, reason="Sick")

    assert scheduling_freed.freed_times(clinic.context, days_ahead=30) == []
    assert waitlist.freed_times_with_waitlist(clinic.context, days_ahead=30) == []


def test_new_weekly_hours_are_offered_to_the_waitlist(clinic: Practice) -> None:
    from frontdesk.db.models_scheduling import AvailabilityBlock

    # The practice's hours were entered at setup: nothing is "freed" by them.
    assert scheduling_freed.freed_times(clinic.context, days_ahead=14) == []
    with clinic.context.writing(None) as uow:  # setup happened two days ago
        for row in uow.session.query(AvailabilityBlock):
            row.created_at = row.created_at - timedelta(days=2)
        uow.commit()
    wait(clinic, 1, provider_id=clinic.okafor, weekdays=("wed",))
    availability.save_availability(
        clinic.context, AvailabilityForm(clinic.okafor, clinic.second_office, 2, "8:00", "10:00")
    )
    overview = waitlist.freed_times_with_waitlist(clinic.context, days_ahead=14)
    assert overview, "the added Wednesday hours are freed time"
    for item in overview:
        local = item.freed.start.astimezone(CHICAGO)
        assert local.weekday() == 2 and local.hour == 8
        assert item.freed.description.startswith("New hours: Wednesday 08:00–10:00")
        assert [m.entry.patient_id for m in item.matches] == [clinic.patients[1].id]
    wednesday = overview[0].freed.start
    book(clinic, 0, wednesday + timedelta(minutes=60), location_id=clinic.second_office)
    after = scheduling_freed.freed_times(clinic.context, days_ahead=14)
    assert (wednesday, wednesday + timedelta(hours=1)) in [(f.start, f.end) for f in after]
    assert all(not (f.start <= wednesday + timedelta(minutes=70) < f.end) for f in after)
