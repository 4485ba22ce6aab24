"""Scheduling with a year of bookings for five providers, on SQLite and PostgreSQL: find the
next free slots (goal < 50 ms), the day and week calendars, and booking itself.

The demo practice (five providers, their weekly availability and time away, about six
months of past and six of coming appointments) on 5,000 charts. One provider's coming new
consultations are then booked solid for five weeks, so one search has to look weeks ahead.
Baseline: the raw query for one provider's booked times in one week. PostgreSQL: a
throwaway database on FRONTDESK_BENCH_PG_URL, dropped afterwards.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from itertools import count

from sqlalchemy import func, select, text

from bench.harness import Bench
from bench.scratch import on_sqlite_and_postgres
from frontdesk.db.models import Provider
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_scheduling import Appointment
from frontdesk.demo import generator as demo
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import SlotTakenError
from frontdesk.domain.permissions import Role
from frontdesk.domain.scheduling import TimePreference, Weekday, day_bounds
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.scheduling import appointment_types, booking, calendars, find
from frontdesk.services.scheduling.bookability import ACTIVE_VALUES
from frontdesk.services.scheduling.data import BookingForm, SlotSearch

ACTOR = Actor(username="bench", role=Role.ADMIN, workstation="bench")
PATIENTS = 5_000
SOLID_WEEKS = 5
BASELINE = "scheduling {label}: raw query, one provider's booked week"


def _fill(context: ServiceContext) -> None:
    demo.generate(context, patients=PATIENTS, seed=5)
    statement = "ANALYZE" if context.database.is_sqlite else "VACUUM ANALYZE"
    with context.database.write_engine.connect().execution_options(
        isolation_level="AUTOCOMMIT"
    ) as connection:
        connection.execute(text(statement))


def _book_solid(context: ServiceContext, provider_id: int, type_id: int, patients: list[int]):  # type: ignore[no-untyped-def]
    """Book every coming slot of this type with the provider for SOLID_WEEKS weeks."""
    horizon = datetime.now().astimezone() + timedelta(weeks=SOLID_WEEKS)
    search = SlotSearch(type_id=type_id, provider_id=provider_id, limit=1)
    patient = count()
    while True:
        slots = find.find_slots(context, search)
        if not slots or slots[0].start >= horizon:
            return
        try:
            booking.book(
                context,
                BookingForm(
                    patient_id=patients[next(patient) % len(patients)],
                    provider_id=provider_id,
                    type_id=type_id,
                    start=slots[0].start,
                    location_id=slots[0].location_id,
                    reason="Bench filler",
                ),
            )
        except SlotTakenError:  # pragma: no cover - nothing else books here
            continue


def _measure(bench: Bench, label: str, context: ServiceContext) -> None:
    started = time.perf_counter()
    _fill(context)
    bench.record(f"scheduling {label}: build the demo year", time.perf_counter() - started, "s")
    with context.reading(None) as session:
        appointments = session.scalar(select(func.count()).select_from(Appointment)) or 0
        providers = list(session.scalars(select(Provider.id).order_by(Provider.id)))
        patients = list(session.scalars(select(Patient.id).order_by(Patient.id).limit(500)))
        zone = practice_clock.zone_of(session)
    bench.record(f"scheduling {label}: appointments in the database", appointments, "rows")
    types = {row.name: row.id for row in appointment_types.list_appointment_types(context)}
    consult, follow_up = types["New consultation"], types["Follow-up"]
    solid = providers[0]
    _book_solid(context, solid, consult, patients[100:])

    baseline = BASELINE.format(label=label)
    week_start, _ = day_bounds(datetime.now(zone).date() + timedelta(days=7), zone)
    week_end = week_start + timedelta(days=7)

    def raw_week() -> object:
        with context.database.engine.connect() as connection:
            return connection.execute(
                select(Appointment.starts_at, Appointment.ends_at).where(
                    Appointment.provider_id == solid,
                    Appointment.status.in_(ACTIVE_VALUES),
                    Appointment.starts_at >= week_start,
                    Appointment.starts_at < week_end,
                )
            ).all()

    bench.measure(baseline, raw_week, repeat=40, warmup=3)
    searches = {
        "any provider, new consultation": SlotSearch(type_id=consult),
        "any provider, follow-up": SlotSearch(type_id=follow_up),
        "one provider": SlotSearch(type_id=follow_up, provider_id=providers[2]),
        "Tue/Thu afternoons": SlotSearch(
            type_id=follow_up,
            preference=TimePreference(
                weekdays=(Weekday.TUESDAY, Weekday.THURSDAY), earliest=13 * 60
            ),
        ),
        "one provider, Mon 8-10 only": SlotSearch(
            type_id=consult,
            provider_id=providers[0],
            preference=TimePreference(weekdays=(Weekday.MONDAY,), latest=10 * 60),
        ),
        f"booked solid {SOLID_WEEKS} weeks": SlotSearch(type_id=consult, provider_id=solid),
    }
    for name, search in searches.items():
        bench.measure(
            f"scheduling {label}: find_slots, {name} (goal < 50 ms)",
            lambda s=search: find.find_slots(context, s),
            repeat=25,
            warmup=2,
            baseline=baseline,
        )
    first = find.find_slots(context, searches[f"booked solid {SOLID_WEEKS} weeks"])
    if first:
        ahead = (first[0].start - datetime.now(zone)).total_seconds() / 86400
        bench.record(f"scheduling {label}: booked solid, first slot ahead", round(ahead, 1), "days")
    monday = datetime.now(zone).date() + timedelta(days=7 - datetime.now(zone).weekday())
    bench.measure(
        f"scheduling {label}: calendar, day view of 5 providers",
        lambda: calendars.calendar(context, monday, 1, providers),
        repeat=25,
        warmup=2,
        baseline=baseline,
    )
    bench.measure(
        f"scheduling {label}: calendar, week view of one provider",
        lambda: calendars.calendar(context, monday, 7, [providers[1]]),
        repeat=25,
        warmup=2,
        baseline=baseline,
    )
    # Distinct free times far enough ahead that nothing else competes for them.
    free = find.find_slots(
        context,
        SlotSearch(
            type_id=follow_up,
            after=datetime.now(zone) + timedelta(days=120),
            limit=60,
        ),
    )
    slots = iter(free)
    patient = count()

    def book_one() -> object:
        slot = next(slots)
        return booking.book(
            context,
            BookingForm(
                patient_id=patients[next(patient) % len(patients)],
                provider_id=slot.provider_id,
                type_id=slot.type_id,
                start=slot.start,
                location_id=slot.location_id,
            ),
        )

    bench.measure(
        f"scheduling {label}: book one appointment",
        book_one,
        repeat=min(30, len(free) - 2),
        warmup=2,
        baseline=baseline,
    )


def _run(bench: Bench, label: str, url: str) -> None:
    database, _copy = open_for_use(url)
    try:
        _measure(bench, label, make_context(database, ACTOR))
    finally:
        database.dispose()


def run(bench: Bench) -> None:
    on_sqlite_and_postgres(bench, "frontdesk-bench-scheduling-", _run)
