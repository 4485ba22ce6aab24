"""Screenshots of the Schedule area: the day view with several providers, the week view, and
an appointment being dragged to a new time.

``render(screen, folder)`` is the hook the app's screenshot command calls with its demo
database. It asks nothing of the demo: where the demo has no weekly hours or no bookings on
the day shown, it adds them through the services first.
``python -m tools.screenshots.schedule FOLDER`` builds a small demo database itself.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import FrontDeskError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.search import search
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import (
    appointment_types,
    availability,
    booking,
    calendars,
    find,
    status,
)
from frontdesk.services.scheduling.data import AvailabilityForm, BookingForm, SlotSearch
from frontdesk.ui.scheduling.area import ScheduleArea
from frontdesk.ui.screen_context import ScreenContext
from tools.screenshots.capture import main_window, run_alone, save_grab, wait_until

PROVIDERS_SHOWN = 3
REASONS = (
    "Low back pain, 6 months",
    "Neck pain radiating to the right arm",
    "Second opinion on fusion",
    "MRI results",
    "Post-op check, L4-L5",
    "Sciatica, left leg",
)


_wait = partial(wait_until, timeout=30.0)


def _next_workday(zone: object) -> date:
    day = datetime.now(zone).date() + timedelta(days=1)  # type: ignore[arg-type]
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def prepare(context: ServiceContext) -> tuple[date, list[int]]:
    """A working day a week or so ahead with bookings for a few providers (the ones with
    hours first); adds hours and bookings where the demo has none."""
    providers = list_providers(context)
    blocks = availability.list_availability(context)
    with_hours = {block.provider_id for block in blocks}
    ordered = [p.id for p in providers if p.id in with_hours]
    ordered += [p.id for p in providers if p.id not in with_hours]
    provider_ids = ordered[:PROVIDERS_SHOWN]
    locations = list_locations(context)
    for index, provider_id in enumerate(provider_ids):
        if provider_id in with_hours or not locations:
            continue
        location = locations[index % len(locations)].id
        for weekday in range(5):
            for start, end in (("8:00", "12:00"), ("13:00", "17:00")):
                availability.save_availability(
                    context, AvailabilityForm(provider_id, location, weekday, start, end)
                )
    if not appointment_types.list_appointment_types(context):
        appointment_types.install_default_types(context)
    zone = practice_clock.practice_zone(context)
    candidates = []
    day = _next_workday(zone) + timedelta(days=7)
    while len(candidates) < 10:
        if day.weekday() < 5:
            candidates.append(day)
        day += timedelta(days=1)

    def busy_providers(candidate: date) -> int:
        booked = calendars.day_appointments(
            context, candidate, provider_ids, include_inactive=False
        )
        return len({item.provider_id for item in booked})

    best = max(candidates, key=busy_providers)
    if busy_providers(best) < len(provider_ids):
        _book_some(context, best, provider_ids, zone)
    return best, provider_ids


def _book_some(context: ServiceContext, day: date, provider_ids: list[int], zone: object) -> None:
    types = appointment_types.list_appointment_types(context)
    people = search(context, "a", limit=40).items
    start_of_day = datetime.combine(day, datetime.min.time(), tzinfo=zone)  # type: ignore[arg-type]
    person = 0
    for provider_id in provider_ids:
        after = start_of_day
        for slot_number in range(7):
            kind = types[slot_number % len(types)]
            slots = find.find_slots(
                context, SlotSearch(type_id=kind.id, provider_id=provider_id, after=after, limit=1)
            )
            if not slots or slots[0].start.astimezone(zone).date() != day:  # type: ignore[arg-type]
                break
            slot = slots[0]
            try:
                booked = booking.book(
                    context,
                    BookingForm(
                        patient_id=people[person % len(people)].id,
                        provider_id=provider_id,
                        type_id=kind.id,
                        start=slot.start,
                        location_id=slot.location_id,
                        reason=REASONS[person % len(REASONS)],
                    ),
                )
            except FrontDeskError:
                break
            person += 1
            # Leave a gap now and then: free time is part of the picture.
            after = booked.end + timedelta(minutes=30 if slot_number % 3 == 1 else 0)
            if slot_number == 2:
                status.set_status(context, booked.id, "confirmed")


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """Write schedule-day.png, schedule-week.png and schedule-drag.png."""
    folder.mkdir(parents=True, exist_ok=True)
    day, provider_ids = prepare(screen.services)
    written: list[Path] = []
    window = main_window(screen)
    window.show_area("schedule")
    area = window.current_area()
    assert isinstance(area, ScheduleArea)
    _wait(lambda: area.data is not None)
    area.set_day_providers(provider_ids)
    area.show_day(day)
    _wait(
        lambda: (
            area.data is not None
            and area.data.first_day == day
            and set(area.data.provider_ids) == set(provider_ids)
        )
    )
    written.append(save_grab(window, folder / "schedule-day.png"))

    # Dragging the first appointment an hour later, caught mid-drag (the outline and its time).
    canvas = area.canvas
    layout = canvas.layout_
    box = None
    if layout is not None:
        box = next((b for b in layout.boxes if b.appointment.status.value == "booked"), None)
    if layout is not None and box is not None:
        grab = QPointF(box.rect.center().x(), box.rect.top() + 5).toPoint()
        target = QPoint(grab.x(), grab.y() + int(layout.y_of(60) - layout.y_of(0)) + 6)
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
        QTest.mouseMove(canvas, QPoint(grab.x(), grab.y() + 20))
        QTest.mouseMove(canvas, target)
        _wait(lambda: True)
        written.append(save_grab(window, folder / "schedule-drag.png"))
        canvas._drag = None  # let go without asking anything
        QTest.mouseRelease(
            canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target
        )
        canvas.update()

    area.week_provider.setCurrentIndex(area.week_provider.findData(provider_ids[0]))
    area.set_mode("week")
    _wait(lambda: area.data is not None and area.data.days == 7)
    written.append(save_grab(window, folder / "schedule-week.png"))
    window.close()
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/screenshots").absolute()
    actor = Actor(username="demo", role=Role.ADMIN, workstation="screenshots")
    return run_alone(folder, render, actor, 2_000, "frontdesk-schedule-shots-")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
