"""Booking, moving, cancelling and statuses through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from frontdesk.db.models_scheduling import Appointment
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import (
    PermissionDeniedError,
    RefusedError,
    SlotTakenError,
    ValidationError,
)
from frontdesk.domain.permissions import Role
from frontdesk.domain.scheduling import AppointmentStatus, CallOutcome, CancelledBy
from frontdesk.services.practice.forms import ProviderForm
from frontdesk.services.practice.providers import list_providers, save_provider
from frontdesk.services.scheduling import (
    appointment_types,
    booking,
    calendars,
    lookup,
    status,
    time_away,
)
from frontdesk.services.scheduling import freed as scheduling_freed
from frontdesk.services.scheduling.booking import OutsideAvailabilityError
from frontdesk.services.scheduling.data import AppointmentTypeForm, BookingForm, ExceptionForm
from tests.conftest import make_actor
from tests.scheduling.conftest import Practice, at, next_weekday


def consult(clinic: Practice, patient: int, start, **changes) -> BookingForm:  # type: ignore[no-untyped-def]
    values = {
        "patient_id": clinic.patients[patient].id,
        "provider_id": clinic.okafor,
        "type_id": clinic.type_id("New consultation"),
        "start": start,
        "reason": "Failed fusion, second opinion",
    }
    values.update(changes)
    return BookingForm(**values)  # type: ignore[arg-type]


def test_booking_takes_the_type_length_and_the_block_location(clinic: Practice) -> None:
    thursday = next_weekday(3)
    booked = booking.book(clinic.context, consult(clinic, 0, at(thursday, 9)))
    assert booked.end - booked.start == timedelta(minutes=45)
    assert booked.location_id == clinic.main_office
    assert booked.status is AppointmentStatus.BOOKED
    assert booked.patient_name == "Núñez-García, María José"
    afternoon = booking.book(clinic.context, consult(clinic, 1, at(thursday, 14)))
    assert afternoon.location_name == "Second office"
    detail = lookup.get_appointment(clinic.context, booked.id)
    assert "Booked New consultation with Adaeze Okafor, MD" in detail.events[0].description


def test_an_overlapping_booking_is_refused_and_cancelling_frees_the_time(clinic: Practice) -> None:
    thursday = next_weekday(3)
    first = booking.book(clinic.context, consult(clinic, 0, at(thursday, 9)))
    with pytest.raises(SlotTakenError, match="just booked"):
        booking.book(clinic.context, consult(clinic, 1, at(thursday, 9, 30)))
    # The same time with the other surgeon is fine.
    booking.book(
        clinic.context,
        consult(clinic, 1, at(thursday, 9, 30), provider_id=clinic.lindqvist),
    )
    status.cancel(clinic.context, first.id, by=CancelledBy.PATIENT, reason="Feeling better")
    again = booking.book(clinic.context, consult(clinic, 1, at(thursday, 9, 30)))
    assert again.start == at(thursday, 9, 30)
    # Back to back is not an overlap.
    booking.book(clinic.context, consult(clinic, 2, at(thursday, 10, 15)))


def test_the_database_itself_refuses_an_overlap_that_skips_the_service_check(
    clinic: Practice,
) -> None:
    thursday = next_weekday(3)
    first = booking.book(clinic.context, consult(clinic, 0, at(thursday, 9)))
    with pytest.raises(SlotTakenError, match="just booked"), clinic.context.writing(None) as uow:
        row = uow.session.get(Appointment, first.id)
        assert row is not None
        clone = Appointment(
            patient_id=clinic.patients[1].id,
            provider_id=row.provider_id,
            location_id=row.location_id,
            type_id=row.type_id,
            starts_at=row.starts_at + timedelta(minutes=10),
            ends_at=row.ends_at + timedelta(minutes=10),
            status="booked",
            status_changed_at=row.status_changed_at,
        )
        uow.session.add(clone)
        uow.commit()
    day = calendars.day_appointments(clinic.context, thursday)
    assert [a.id for a in day] == [first.id]


def test_outside_availability_asks_then_books_as_an_overbook(clinic: Practice) -> None:
    tuesday = next_weekday(1)  # Okafor has no Tuesday hours
    with pytest.raises(OutsideAvailabilityError, match="no availability"):
        booking.book(clinic.context, consult(clinic, 0, at(tuesday, 9)))
    with pytest.raises(ValidationError, match="location"):
        booking.book(
            clinic.context, consult(clinic, 0, at(tuesday, 9), allow_outside_availability=True)
        )
    booked = booking.book(
        clinic.context,
        consult(
            clinic,
            0,
            at(tuesday, 9),
            allow_outside_availability=True,
            location_id=clinic.main_office,
        ),
    )
    assert booked.overbooked
    events = lookup.get_appointment(clinic.context, booked.id).events
    assert "overbooked on purpose" in events[0].description


def test_bad_times_are_refused_next_to_the_field(clinic: Practice) -> None:
    thursday = next_weekday(3)
    with pytest.raises(ValidationError) as error:
        booking.book(clinic.context, consult(clinic, 0, at(thursday, 9), end=at(thursday, 8, 30)))
    assert "end" in error.value.fields
    with pytest.raises(ValidationError) as error:
        booking.book(clinic.context, consult(clinic, 0, at(thursday, 9), end=at(thursday, 9)))
    assert "end" in error.value.fields
    far = thursday.replace(year=thursday.year + 30)
    with pytest.raises(ValidationError) as error:
        booking.book(clinic.context, consult(clinic, 0, at(far, 9)))
    assert "years ahead" in error.value.fields["start"]
    past = thursday - timedelta(days=28)
    with pytest.raises(ValidationError) as error:
        booking.book(clinic.context, consult(clinic, 0, at(past, 9)))
    assert "passed" in error.value.fields["start"]


def test_an_inactive_provider_cannot_be_booked(clinic: Practice) -> None:
    provider = next(p for p in list_providers(clinic.context) if p.id == clinic.okafor)
    save_provider(
        clinic.context,
        ProviderForm(first_name=provider.first_name, last_name=provider.last_name, active=False),
        provider.id,
    )
    with pytest.raises(RefusedError, match="no longer active"):
        booking.book(clinic.context, consult(clinic, 0, at(next_weekday(3), 9)))


def test_moving_keeps_the_history_and_frees_the_old_time(clinic: Practice) -> None:
    thursday = next_weekday(3)
    booked = booking.book(clinic.context, consult(clinic, 0, at(thursday, 9)))
    moved = booking.reschedule(
        clinic.context, booked.id, start=at(thursday, 10), expected_version=booked.version
    )
    assert (moved.start, moved.end) == (at(thursday, 10), at(thursday, 10, 45))
    longer = booking.reschedule(clinic.context, booked.id, start=moved.start, end=at(thursday, 11))
    assert longer.minutes == 60
    kinds = [e.description for e in lookup.get_appointment(clinic.context, booked.id).events]
    assert kinds[1].startswith("Moved from Adaeze Okafor, MD")
    assert kinds[2] == "Length changed to 60 min"
    freed = scheduling_freed.freed_times(clinic.context, days_ahead=60)
    assert [(f.start, f.end) for f in freed] == [(at(thursday, 9), at(thursday, 9, 45))]
    # Someone books a short visit in the freed time: only the rest is listed.
    booking.book(
        clinic.context, consult(clinic, 1, at(thursday, 9), type_id=clinic.type_id("Follow-up"))
    )
    assert [
        (f.start, f.end) for f in scheduling_freed.freed_times(clinic.context, days_ahead=60)
    ] == [(at(thursday, 9, 15), at(thursday, 9, 45))]
    with pytest.raises(SlotTakenError):
        booking.reschedule(clinic.context, booked.id, start=at(thursday, 9))


def test_statuses_follow_the_rules(clinic: Practice) -> None:
    today_plus = next_weekday(3)
    booked = booking.book(clinic.context, consult(clinic, 0, at(today_plus, 9)))
    confirmed = status.record_call(clinic.context, booked.id, CallOutcome.CONFIRMED)
    assert confirmed.status is AppointmentStatus.CONFIRMED
    assert confirmed.last_call_outcome is CallOutcome.CONFIRMED
    with pytest.raises(RefusedError, match="no-show yet"):
        status.set_status(clinic.context, booked.id, AppointmentStatus.NO_SHOW)
    checked_in = status.set_status(clinic.context, booked.id, AppointmentStatus.CHECKED_IN)
    with pytest.raises(RefusedError, match="checked in appointment cannot be marked"):
        status.set_status(clinic.context, booked.id, AppointmentStatus.NO_SHOW)
    done = status.set_status(
        clinic.context, booked.id, AppointmentStatus.COMPLETED, expected_version=checked_in.version
    )
    assert done.status is AppointmentStatus.COMPLETED
    with pytest.raises(RefusedError, match="cannot change any more"):
        status.cancel(clinic.context, booked.id, by="patient", reason="too late")
    with pytest.raises(RefusedError, match="cannot be moved"):
        booking.reschedule(clinic.context, booked.id, start=at(today_plus, 10))


def test_a_reminder_call_that_cancels_frees_the_time(clinic: Practice) -> None:
    thursday = next_weekday(3)
    booked = booking.book(clinic.context, consult(clinic, 0, at(thursday, 9)))
    cancelled = status.record_call(clinic.context, booked.id, CallOutcome.CANCELLED)
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert cancelled.cancelled_by is CancelledBy.PATIENT
    booking.book(clinic.context, consult(clinic, 1, at(thursday, 9)))


def test_clinical_and_front_desk_book_but_cannot_edit_setup(clinic: Practice) -> None:

    desk = clinic.context.as_actor(make_actor(Role.FRONT_DESK, "desk.anna"))
    booked = booking.book(desk, consult(clinic, 0, at(next_weekday(3), 9)))
    assert booked.id
    with pytest.raises(PermissionDeniedError):
        appointment_types.save_appointment_type(desk, AppointmentTypeForm("Injection", 30))


def test_cancel_needs_a_reason(clinic: Practice) -> None:
    booked = booking.book(clinic.context, consult(clinic, 0, at(next_weekday(3), 9)))
    with pytest.raises(ValidationError) as error:
        status.cancel(clinic.context, booked.id, by="practice", reason="  ")
    assert "reason" in error.value.fields


def test_a_patient_timeline_shows_appointments(clinic: Practice) -> None:
    from frontdesk.services.history import timeline

    booked = booking.book(clinic.context, consult(clinic, 0, at(next_weekday(3), 9)))
    events = timeline.patient_timeline(clinic.context, clinic.patients[0].id)
    appointment = [e for e in events if e.kind == "appointment"]
    assert appointment and appointment[0].record_id == booked.id
    assert "New consultation with Adaeze Okafor, MD" in appointment[0].title
    listed = lookup.appointments_for_patient(clinic.context, clinic.patients[0].id)
    assert [a.id for a in listed] == [booked.id]


def test_the_database_refuses_an_overlap_with_the_longest_appointment(clinic: Practice) -> None:
    thursday = next_weekday(3)
    long_day = booking.book(
        clinic.context,
        consult(
            clinic,
            0,
            at(thursday, 8),
            end=at(thursday, 16),
            allow_outside_availability=True,
            location_id=clinic.main_office,
        ),
    )
    with pytest.raises(SlotTakenError), clinic.context.writing(None) as uow:
        uow.session.add(
            Appointment(
                patient_id=clinic.patients[1].id,
                provider_id=long_day.provider_id,
                location_id=long_day.location_id,
                type_id=long_day.type_id,
                starts_at=long_day.start + timedelta(hours=7, minutes=45),
                ends_at=long_day.start + timedelta(hours=8, minutes=30),
                status="booked",
                status_changed_at=long_day.start,
            )
        )
        uow.commit()


def test_booking_in_time_away_names_it(clinic: Practice) -> None:

    thursday = next_weekday(3)
    time_away.save_exception(
        clinic.context,
        ExceptionForm(
            provider_id=clinic.okafor,
            starts_on=thursday,
            ends_on=thursday,
            kind="conference",
            start="8:00",
            end="10:00",
            note="NASS",
        ),
    )
    with pytest.raises(OutsideAvailabilityError, match=r"away then \(Conference: .*NASS\)"):
        booking.book(clinic.context, consult(clinic, 0, at(thursday, 9)))
    booked = booking.book(clinic.context, consult(clinic, 0, at(thursday, 10)))
    assert not booked.overbooked


def test_a_time_that_simply_does_not_fit_names_the_visit_it_would_overlap(
    clinic: Practice,
) -> None:
    """Booked from a schedule that already showed the 09:15 visit, a 45-minute visit at
    08:45 does not fit: said next to the time it runs into, not "someone else booked it"."""
    thursday = next_weekday(3)
    booking.book(
        clinic.context,
        consult(clinic, 1, at(thursday, 9, 15), type_id=clinic.type_id("Follow-up")),
    )
    seen = utcnow()
    with pytest.raises(ValidationError) as refused:
        booking.book(clinic.context, consult(clinic, 0, at(thursday, 8, 45), known_at=seen))
    assert refused.value.fields == {
        "end": "This 45-minute visit would overlap O'Connor's 09:15 appointment with "
        "Adaeze Okafor, MD; shorten it or choose another time"
    }
    # A visit already running at the start time is named next to the start.
    with pytest.raises(ValidationError) as refused:
        booking.book(clinic.context, consult(clinic, 0, at(thursday, 9, 20), known_at=seen))
    assert "O'Connor's 09:15 appointment" in refused.value.fields["start"]


def test_a_time_booked_after_the_schedule_was_seen_is_just_booked(clinic: Practice) -> None:
    thursday = next_weekday(3)
    seen = utcnow()
    booking.book(clinic.context, consult(clinic, 1, at(thursday, 9, 15)))
    with pytest.raises(SlotTakenError, match="just booked"):
        booking.book(clinic.context, consult(clinic, 0, at(thursday, 8, 45), known_at=seen))


def test_a_move_onto_a_visit_already_on_the_schedule_names_it(clinic: Practice) -> None:
    """Issue #16: dropped on a visit the calendar already showed, the move said "just booked
    by someone else". It is refused as a booking is: by field, naming the visit it meets."""
    thursday = next_weekday(3)
    moving = booking.book(clinic.context, consult(clinic, 0, at(thursday, 9)))
    booking.book(
        clinic.context,
        consult(clinic, 1, at(thursday, 9, 45), type_id=clinic.type_id("Follow-up")),
    )
    seen = utcnow()
    # 09:15 overlaps its own old time too: that is no collision, the 09:45 visit is.
    with pytest.raises(ValidationError) as refused:
        booking.reschedule(clinic.context, moving.id, start=at(thursday, 9, 15), known_at=seen)
    assert refused.value.fields == {
        "end": "This 45-minute visit would overlap O'Connor's 09:45 appointment with "
        "Adaeze Okafor, MD; shorten it or choose another time"
    }
    with pytest.raises(ValidationError) as refused:
        booking.reschedule(clinic.context, moving.id, start=at(thursday, 9, 50), known_at=seen)
    assert "O'Connor's 09:45 appointment" in refused.value.fields["start"]
    assert lookup.get_appointment(clinic.context, moving.id).appointment.start == at(thursday, 9)


def test_a_move_onto_a_time_taken_after_the_schedule_was_seen_is_just_booked(
    clinic: Practice,
) -> None:
    thursday = next_weekday(3)
    moving = booking.book(clinic.context, consult(clinic, 0, at(thursday, 9)))
    other = booking.book(clinic.context, consult(clinic, 1, at(thursday, 14)))
    seen = utcnow()
    # Another desk moves its visit onto 10:15 after this schedule was read.
    booking.reschedule(clinic.context, other.id, start=at(thursday, 10, 15))
    with pytest.raises(SlotTakenError, match="just booked"):
        booking.reschedule(clinic.context, moving.id, start=at(thursday, 9, 45), known_at=seen)
