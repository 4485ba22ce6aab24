"""Finding the next free time, and booking across a daylight-saving change, on both backends."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from frontdesk.domain.errors import RefusedError
from frontdesk.domain.scheduling import TimePreference, Weekday
from frontdesk.services.practice.forms import ProviderForm
from frontdesk.services.practice.providers import save_provider
from frontdesk.services.scheduling import availability, booking, calendars, find, time_away
from frontdesk.services.scheduling.data import (
    AvailabilityForm,
    BookingForm,
    ExceptionForm,
    SlotSearch,
)
from tests.scheduling.conftest import CHICAGO, Practice, at, next_weekday


def _book(clinic: Practice, patient: int, start: datetime, kind: str = "New consultation"):  # type: ignore[no-untyped-def]
    return booking.book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[patient].id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id(kind),
            start=start,
        ),
    )


def test_scenario_3_find_next_offers_the_time_after_the_booking(clinic: Practice) -> None:
    thursday = next_weekday(3)
    _book(clinic, 0, at(thursday, 8))
    _book(clinic, 1, at(thursday, 9))
    slots = find.find_slots(
        clinic.context,
        SlotSearch(
            type_id=clinic.type_id("New consultation"),
            provider_id=clinic.okafor,
            after=at(thursday, 8),
            limit=3,
        ),
    )
    # 8:00-8:45 and 9:00-9:45 are taken: 8:45 is too short, 9:45 is next.
    assert [slot.start for slot in slots] == [
        at(thursday, 9, 45),
        at(thursday, 10),
        at(thursday, 10, 15),
    ]
    assert all(slot.location_name == "Main office" for slot in slots)
    booked = booking.book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[2].id,
            provider_id=slots[0].provider_id,
            type_id=slots[0].type_id,
            start=slots[0].start,
            location_id=slots[0].location_id,
        ),
    )
    assert booked.start == at(thursday, 9, 45)


def test_any_provider_merges_both_calendars_in_time_order(clinic: Practice) -> None:
    monday = next_weekday(0)
    slots = find.find_slots(
        clinic.context,
        SlotSearch(type_id=clinic.type_id("Follow-up"), after=at(monday, 8), limit=4),
    )
    starts = [(slot.start, slot.provider_name) for slot in slots]
    assert starts == sorted(starts)
    assert {slot.provider_id for slot in slots} == {clinic.okafor}  # Lindqvist starts at 9
    later = find.find_slots(
        clinic.context,
        SlotSearch(type_id=clinic.type_id("Follow-up"), after=at(monday, 9), limit=2),
    )
    assert {slot.provider_id for slot in later} == {clinic.okafor, clinic.lindqvist}


def test_preferences_days_times_and_location(clinic: Practice) -> None:
    slots = find.find_slots(
        clinic.context,
        SlotSearch(
            type_id=clinic.type_id("Follow-up"),
            provider_id=clinic.okafor,
            preference=TimePreference(weekdays=(Weekday.THURSDAY,), earliest=14 * 60),
            limit=3,
        ),
    )
    assert slots
    for slot in slots:
        local = slot.start.astimezone(CHICAGO)
        assert local.weekday() == 3 and local.hour >= 14
        assert slot.location_name == "Second office"
    second_only = find.find_slots(
        clinic.context,
        SlotSearch(type_id=clinic.type_id("Follow-up"), location_id=clinic.second_office, limit=5),
    )
    assert {slot.location_id for slot in second_only} == {clinic.second_office}


def test_time_away_and_type_restricted_blocks_are_skipped(clinic: Practice) -> None:
    thursday = next_weekday(3)
    time_away.save_exception(
        clinic.context,
        ExceptionForm(
            provider_id=clinic.okafor,
            starts_on=thursday,
            ends_on=thursday,
            kind="surgery_day",
        ),
    )
    slots = find.find_slots(
        clinic.context,
        SlotSearch(
            type_id=clinic.type_id("Follow-up"),
            provider_id=clinic.okafor,
            after=at(thursday, 0),
            limit=1,
        ),
    )
    assert slots[0].start.astimezone(CHICAGO).date() > thursday
    # A block for follow-ups only does not offer new consultations.
    newcomer = save_provider(
        clinic.context, ProviderForm(first_name="Priya", last_name="Raman", credentials="PA")
    )
    availability.save_availability(
        clinic.context,
        AvailabilityForm(
            newcomer.id,
            clinic.main_office,
            2,
            "8:00",
            "12:00",
            type_ids=(clinic.type_id("Follow-up"),),
        ),
    )
    consults = find.find_slots(
        clinic.context,
        SlotSearch(type_id=clinic.type_id("New consultation"), provider_id=newcomer.id),
    )
    assert consults == []
    follow_ups = find.find_slots(
        clinic.context,
        SlotSearch(type_id=clinic.type_id("Follow-up"), provider_id=newcomer.id, limit=2),
    )
    assert len(follow_ups) == 2


def test_an_inactive_provider_is_refused_in_the_search(clinic: Practice) -> None:
    provider = save_provider(
        clinic.context, ProviderForm(first_name="Old", last_name="Timer", active=False)
    )
    with pytest.raises(RefusedError, match="no longer active"):
        find.find_slots(
            clinic.context,
            SlotSearch(type_id=clinic.type_id("Follow-up"), provider_id=provider.id),
        )


def _next_dst_change(after: date) -> date:
    """The next Sunday in Chicago when the clocks change (March or November)."""
    day = after
    while True:
        noon_before = datetime.combine(day - timedelta(days=1), time(12), tzinfo=CHICAGO)
        noon = datetime.combine(day, time(12), tzinfo=CHICAGO)
        if noon_before.utcoffset() != noon.utcoffset():
            return day
        day += timedelta(days=1)


def test_a_week_across_a_daylight_saving_change_books_at_wall_clock_times(
    clinic: Practice,
) -> None:
    change = _next_dst_change(datetime.now(CHICAGO).date() + timedelta(days=8))
    before = change - timedelta(days=3)  # Thursday before the change
    after = change + timedelta(days=4)  # Thursday after
    first = _book(clinic, 0, at(before, 9))
    second = _book(clinic, 1, at(after, 9))
    # Both at 09:00 on the wall clock, so an hour apart in UTC from a week's worth of hours.
    assert first.start.astimezone(CHICAGO).hour == second.start.astimezone(CHICAGO).hour == 9
    assert second.start - first.start == timedelta(days=7, hours=-1 if change.month == 3 else 1)
    week = calendars.calendar(clinic.context, change - timedelta(days=6), 14, [clinic.okafor])
    opens = sorted(
        (o.start.astimezone(CHICAGO).date(), o.start.astimezone(CHICAGO).hour)
        for o in week.open_times
    )
    assert all(hour in (8, 13) for _, hour in opens)
    assert {a.id for a in week.appointments} == {first.id, second.id}
    slots = find.find_slots(
        clinic.context,
        SlotSearch(
            type_id=clinic.type_id("New consultation"),
            provider_id=clinic.okafor,
            after=at(after, 8),
            limit=2,
        ),
    )
    assert [slot.start.astimezone(CHICAGO).time() for slot in slots] == [time(8), time(8, 15)]
