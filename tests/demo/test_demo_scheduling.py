"""The demo's schedule: every status with its history, no overlaps, on the wall-clock grid,
linked to requests, a waitlist led by Seán O'Connor; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from frontdesk.cli.main import run
from frontdesk.db import migrate
from frontdesk.db.engine import open_database
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.db.models_scheduling import Appointment, AppointmentEvent, WaitlistEntry
from frontdesk.demo import generator as demo
from frontdesk.domain.errors import SlotTakenError
from frontdesk.domain.request_states import RequestState
from frontdesk.domain.scheduling import (
    AppointmentStatus,
    WaitlistUrgency,
    local_moment,
    open_times_on,
)
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import availability, booking, find, time_away, waitlist
from frontdesk.services.scheduling import freed as scheduling_freed
from frontdesk.services.scheduling.data import BookingForm, SlotSearch
from tests.conftest import PreparedContext

CHICAGO = ZoneInfo("America/Chicago")
# A Thursday, with a daylight-saving change on each side inside the demo's year.
TODAY = date(2026, 11, 19)
NOW = local_moment(TODAY, time(12), CHICAGO)


def _appointments(context: ServiceContext) -> list[Appointment]:
    with context.reading(None) as session:
        return list(
            session.scalars(
                select(Appointment).order_by(
                    Appointment.starts_at, Appointment.provider_id, Appointment.id
                )
            )
        )


def _events(context: ServiceContext) -> dict[int, list[AppointmentEvent]]:
    with context.reading(None) as session:
        rows = session.scalars(
            select(AppointmentEvent).order_by(AppointmentEvent.at, AppointmentEvent.id)
        )
        found: dict[int, list[AppointmentEvent]] = defaultdict(list)
        for row in rows:
            found[row.appointment_id].append(row)
        return found


def _demo(context: ServiceContext) -> None:
    demo.generate(context, patients=200, seed=7, today=TODAY)


@pytest.fixture
def demo_context(prepared_context: PreparedContext) -> ServiceContext:
    """One demo practice, generated once per session and backend and shared: read only."""
    return prepared_context("demo-200-seed-7", _demo)


def _every_status_appears_where_it_belongs(demo_context: ServiceContext) -> None:
    rows = _appointments(demo_context)
    statuses = Counter(AppointmentStatus(row.status) for row in rows)
    assert set(statuses) == set(AppointmentStatus), statuses
    for row in rows:
        status = AppointmentStatus(row.status)
        if row.starts_at > NOW:
            assert status in {
                AppointmentStatus.BOOKED,
                AppointmentStatus.CONFIRMED,
                AppointmentStatus.CANCELLED,
            }
        elif row.starts_at.astimezone(CHICAGO).date() < TODAY:
            assert status in {
                AppointmentStatus.COMPLETED,
                AppointmentStatus.NO_SHOW,
                AppointmentStatus.CANCELLED,
            }
        if status is AppointmentStatus.CHECKED_IN:
            assert row.starts_at.astimezone(CHICAGO).date() == TODAY
        if status is AppointmentStatus.CANCELLED:
            assert row.cancel_reason and row.cancelled_at is not None
    assert {row.cancelled_by for row in rows if row.cancelled_by} == {"patient", "practice"}
    # About six months either side, 10–14 a day while the past was fully booked.
    days = [row.starts_at.astimezone(CHICAGO).date() for row in rows]
    assert min(days) <= TODAY - timedelta(days=170) and max(days) >= TODAY + timedelta(days=170)
    past_days = Counter(
        (row.provider_id, day)
        for row, day in zip(rows, days, strict=True)
        if day < TODAY and row.status != AppointmentStatus.CANCELLED.value
    )
    per_day = sum(past_days.values()) / len(past_days)
    assert 10 <= per_day <= 15, per_day


def _no_two_active_appointments_of_a_provider_overlap(demo_context: ServiceContext) -> None:
    last_end: dict[int, datetime] = {}
    active = [
        row for row in _appointments(demo_context) if AppointmentStatus(row.status).holds_time
    ]
    for row in active:
        previous = last_end.get(row.provider_id)
        assert previous is None or row.starts_at >= previous, row.id
        last_end[row.provider_id] = row.ends_at


def _times_sit_on_the_wall_clock_grid_inside_availability(
    demo_context: ServiceContext,
) -> None:
    rows = _appointments(demo_context)
    with demo_context.reading(None) as session:
        blocks = availability.availability_rows(session)
        away = time_away.exception_rows(session)
    outside = 0
    for row in rows:
        local_start, local_end = row.starts_at.astimezone(CHICAGO), row.ends_at.astimezone(CHICAGO)
        assert local_start.minute % 5 == 0 and local_start.second == 0, local_start
        assert local_end.minute % 5 == 0 and local_end.second == 0, local_end
        assert time(8) <= local_start.time() and local_end.time() <= time(17), local_start
        opens = open_times_on(local_start.date(), row.provider_id, blocks, away, CHICAGO)
        inside = any(
            o.start <= row.starts_at and row.ends_at <= o.end and o.location_id == row.location_id
            for o in opens
        )
        if not inside:
            outside += 1
            assert row.overbooked, (row.id, local_start)
    assert 0 < outside < len(rows) * 0.02
    # The days around both daylight-saving changes keep 08:00 at 08:00.
    for day in (date(2026, 11, 2), date(2027, 3, 15)):
        starts = [
            r.starts_at.astimezone(CHICAGO).time()
            for r in rows
            if r.starts_at.astimezone(CHICAGO).date() == day
        ]
        assert starts and min(starts) >= time(8), (day, starts[:3])


def _every_appointment_has_its_history(demo_context: ServiceContext) -> None:
    rows = _appointments(demo_context)
    events = _events(demo_context)
    kinds: Counter[str] = Counter()
    for row in rows:
        history = events[row.id]
        assert history[0].kind == "booked" and history[0].at <= row.starts_at
        assert all(event.at <= NOW for event in history)
        kinds.update(event.kind for event in history)
        status = AppointmentStatus(row.status)
        if status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
            freeing = history[-1]
            assert (freeing.freed_start, freeing.freed_end) == (row.starts_at, row.ends_at)
            assert freeing.freed_provider_id == row.provider_id
        if status is AppointmentStatus.COMPLETED:
            assert history[-1].description == "Checked in → Completed"
    assert kinds["moved"] > 0 and kinds["call"] > 0 and kinds["cancelled"] > 0
    # Future cancellations nobody rebooked are the Today area's freed times.
    freed = scheduling_freed.freed_times(demo_context, now=NOW, days_ahead=14)
    assert freed and all(item.start >= NOW for item in freed)


def _requests_are_linked_where_it_fits(demo_context: ServiceContext) -> None:
    with demo_context.reading(None) as session:
        requests = {
            row.id: row
            for row in session.scalars(
                select(ConsultationRequest).where(
                    ConsultationRequest.state.in_(("scheduled", "seen"))
                )
            )
        }
        linked = session.scalars(select(Appointment).where(Appointment.request_id.is_not(None)))
        by_request = {row.request_id: row for row in linked}
    scheduled = [r for r in requests.values() if r.state == RequestState.SCHEDULED.value]
    assert scheduled and all(r.id in by_request for r in scheduled)
    assert any(r.id in by_request for r in requests.values() if r.state == "seen")
    for request_id, row in by_request.items():
        request = requests[request_id]
        assert row.patient_id == request.patient_id and row.starts_at >= request.received_at
        expected = "seen" if row.status == AppointmentStatus.COMPLETED.value else "scheduled"
        assert request.state == expected
        assert row.status in ("completed", "booked", "confirmed")


def _the_waitlist_puts_sean_first_and_he_fits_a_freed_time(
    demo_context: ServiceContext,
) -> None:
    entries = waitlist.list_waitlist(demo_context)
    assert len(entries) >= 5
    assert {entry.urgency for entry in entries} == set(WaitlistUrgency)
    sean = entries[0]
    assert sean.patient_name == "O'Connor, Seán Patrick" and sean.urgency is WaitlistUrgency.URGENT
    assert sean.short_notice and sean.days_waiting(NOW) == 21
    assert sean.appointment_start is not None and sean.appointment_start > NOW + timedelta(42)
    assert sean.request_id is not None
    with demo_context.reading(None) as session:
        resolved = session.scalar(
            select(func.count())
            .select_from(WaitlistEntry)
            .where(WaitlistEntry.is_waiting.is_(False))
        )
        scenario_bookings = session.scalar(
            select(func.count())
            .select_from(Appointment)
            .join(Patient, Patient.id == Appointment.patient_id)
            .where(Patient.last_name.in_(("Núñez-García", "Nunez")))
        )
    assert resolved == 1 and scenario_bookings == 0
    # A freed new-consultation-length time with any provider fits him first.
    long_enough = [
        item
        for item in waitlist.freed_times_with_waitlist(demo_context, now=NOW)
        if item.freed.minutes >= 45
    ]
    assert long_enough and long_enough[0].matches[0].entry.id == sean.id


def test_a_year_in_every_status_without_overlaps_on_the_grid(
    demo_context: ServiceContext,
) -> None:
    _every_status_appears_where_it_belongs(demo_context)
    _no_two_active_appointments_of_a_provider_overlap(demo_context)
    _times_sit_on_the_wall_clock_grid_inside_availability(demo_context)


def test_history_request_links_and_the_waitlist(demo_context: ServiceContext) -> None:
    _every_appointment_has_its_history(demo_context)
    _requests_are_linked_where_it_fits(demo_context)
    _the_waitlist_puts_sean_first_and_he_fits_a_freed_time(demo_context)


def test_the_app_books_around_demo_appointments(context: ServiceContext) -> None:
    """Demo rows are stored exactly as the app stores its own: its overlap check and the
    database's see them, and back to back is not an overlap."""
    demo.generate(context, patients=200, seed=7)
    now = datetime.now(CHICAGO) + timedelta(days=1)
    active = [r for r in _appointments(context) if AppointmentStatus(r.status).holds_time]
    ends = {(r.provider_id, r.ends_at) for r in active}
    # The first coming appointment with free time just before it.
    target = next(
        r
        for r in active
        if r.starts_at > now
        and not any(
            (r.provider_id, r.starts_at - timedelta(minutes=m)) in ends for m in range(0, 6)
        )
    )
    with context.reading(None) as session:
        patient_id = session.scalar(select(Patient.id).order_by(Patient.id.desc()).limit(1))
    assert patient_id is not None

    def form(start: datetime, end: datetime) -> BookingForm:
        return BookingForm(
            patient_id=patient_id,
            provider_id=target.provider_id,
            type_id=target.type_id,
            start=start,
            end=end,
            location_id=target.location_id,
            allow_outside_availability=True,
        )

    with pytest.raises(SlotTakenError, match="just booked"):
        booking.book(context, form(target.starts_at + timedelta(minutes=5), target.ends_at))
    before = booking.book(context, form(target.starts_at - timedelta(minutes=5), target.starts_at))
    assert before.end == target.starts_at
    assert find.find_slots(context, SlotSearch(type_id=target.type_id, limit=3))


def test_the_same_seed_gives_the_same_schedule(
    demo_context: ServiceContext, tmp_path: Path
) -> None:
    other = open_database(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    try:
        migrate.upgrade(other)
        demo.generate(other, patients=200, seed=7, today=TODAY)

        def shape(rows: list[Appointment]) -> list[tuple[object, ...]]:
            return [
                (r.provider_id, r.starts_at, r.ends_at, r.status, r.patient_id, r.type_id, r.reason)
                for r in rows
            ]

        again = _appointments(ServiceContext(other, demo_context.actor))
        assert shape(again) == shape(_appointments(demo_context))
    finally:
        other.dispose()


def test_a_second_load_adds_patients_but_books_nothing_over_the_first(
    prepared_context: PreparedContext,
) -> None:
    demo_context = prepared_context("demo-200-seed-7", _demo, writes=True)
    before = len(_appointments(demo_context))
    summary = demo.generate(demo_context, patients=50, seed=8, today=TODAY)
    assert summary.patients == 50
    assert len(_appointments(demo_context)) == before
    with demo_context.reading(None) as session:
        blocks = availability.availability_rows(session)
    assert len(blocks) == len({(b.provider_id, b.weekday, b.start_minute) for b in blocks})


def test_frontdesk_demo_with_200_patients(database_url: str) -> None:
    assert run(["--database", database_url, "demo", "--patients", "200"]) == 0
    database = open_database(database_url)
    try:
        with database.engine.connect() as connection:
            count = connection.scalar(select(func.count()).select_from(Appointment))
            waiting = connection.scalar(select(func.count()).select_from(WaitlistEntry))
    finally:
        database.dispose()
    assert count and count > 5_000 and waiting
