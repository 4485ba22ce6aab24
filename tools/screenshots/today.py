"""Screenshots of the Today area: the day with a freed time and who fits it, the waitlist,
and the waitlist dialogs.

``render(screen, folder)`` is the hook the app's screenshot command calls with its demo
database (a cancellation is made through the services when the demo has no freed time
with a waitlisted patient who fits); it also renders ``today@150%.png`` in a child
process. ``python -m tools.screenshots.today FOLDER [--scaled]`` builds a small
demo database itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from frontdesk.demo import generator as demo
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import FrontDeskError
from frontdesk.domain.permissions import Role
from frontdesk.domain.scheduling import AppointmentStatus, CancelledBy
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.lookup import summaries_for
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import (
    appointment_types,
    availability,
    booking,
    calendars,
    find,
    status,
    waitlist,
)
from frontdesk.services.scheduling.data import (
    AvailabilityForm,
    BookingForm,
    SlotSearch,
    WaitlistForm,
)
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.runner import Runner
from frontdesk.ui.scheduling.waitlist_dialogs import AddToWaitlistDialog, WaitlistMatchesDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import apply_style
from frontdesk.ui.today.area import FREED_DAYS_AHEAD, TodayArea
from tools.screenshots.capture import main_window, save_grab, wait_until

SCALED = "1.5"


_wait = partial(wait_until, timeout=30.0)


def _quietly(call: Callable[[], object]) -> object:
    """A demo step that may clash with the demo's own bookings: skipped when refused."""
    try:
        return call()
    except FrontDeskError:
        return None


def _story_patients(context: ServiceContext) -> list[int]:
    people = [
        ("Seán", "O'Connor", "7/12/1958", "(217) 555-0142"),
        ("Hoa", "Nguyễn Thị", "11/30/1975", "(217) 555-0177"),
        ("Zoë", "Adams", "1/2/1990", "(217) 555-0199"),
    ]
    return [
        create_patient(
            context,
            PatientForm(first_name=first, last_name=last, date_of_birth=dob, mobile_phone=phone),
            allow_duplicates=True,
        ).id
        for first, last, dob, phone in people
    ]


def _ensure_availability(context: ServiceContext) -> None:
    appointment_types.install_default_types(context)
    if availability.list_availability(context):
        return
    locations = list_locations(context)
    if not locations:
        return
    for provider in list_providers(context):
        for weekday in range(5):
            availability.save_availability(
                context, AvailabilityForm(provider.id, locations[0].id, weekday, "8:00", "17:00")
            )


def prepare(context: ServiceContext) -> None:
    """Make sure Today has something to show: appointments today, and a freed time with a
    waitlisted patient who fits it (booked and cancelled here when the demo has none)."""
    zone = practice_clock.practice_zone(context)
    freed = waitlist.freed_times_with_waitlist(context, days_ahead=FREED_DAYS_AHEAD)
    today = datetime.now(zone).date()
    have_today = bool(calendars.day_appointments(context, today))
    if any(item.matches for item in freed) and have_today:
        return
    _ensure_availability(context)
    follow_up = next(
        t for t in appointment_types.list_appointment_types(context) if t.name == "Follow-up"
    )
    locations = list_locations(context)
    if not locations:
        return
    sean, hoa, zoe = _story_patients(context)
    if not have_today:
        provider = list_providers(context)[0]
        for offset, patient in enumerate((sean, hoa, zoe)):
            start = datetime.combine(today, datetime.min.time(), zone) + timedelta(
                hours=8, minutes=30 * offset
            )
            data = _quietly(
                lambda p=patient, s=start: booking.book(
                    context,
                    BookingForm(
                        patient_id=p,
                        provider_id=provider.id,
                        type_id=follow_up.id,
                        start=s,
                        location_id=locations[0].id,
                        allow_outside_availability=True,
                        reason="Check after injection",
                    ),
                )
            )
            if data is not None and offset == 0:
                _quietly(
                    lambda d=data: status.set_status(context, d.id, AppointmentStatus.CHECKED_IN)
                )
    if any(item.matches for item in freed):
        return
    slots = find.find_slots(
        context,
        SlotSearch(
            type_id=follow_up.id,
            after=datetime.now(zone) + timedelta(days=2),
            limit=1,
        ),
    )
    later = find.find_slots(
        context,
        SlotSearch(type_id=follow_up.id, after=datetime.now(zone) + timedelta(days=21), limit=1),
    )
    if not slots or not later:
        return
    slot = slots[0]
    cancelled = booking.book(
        context,
        BookingForm(
            patient_id=zoe,
            provider_id=slot.provider_id,
            type_id=follow_up.id,
            start=slot.start,
            location_id=slot.location_id,
        ),
    )
    held = booking.book(
        context,
        BookingForm(
            patient_id=sean,
            provider_id=later[0].provider_id,
            type_id=follow_up.id,
            start=later[0].start,
            location_id=later[0].location_id,
        ),
    )
    waitlist.add_to_waitlist(
        context,
        WaitlistForm(
            patient_id=sean,
            type_id=follow_up.id,
            urgency="urgent",
            appointment_id=held.id,
            note="Numbness worse; can come at short notice",
        ),
    )
    _quietly(
        lambda: waitlist.add_to_waitlist(
            context, WaitlistForm(patient_id=hoa, type_id=follow_up.id, note="Mornings only")
        )
    )
    status.cancel(context, cancelled.id, by=CancelledBy.PATIENT, reason="Work trip")


def _today_window(screen: ScreenContext) -> tuple[MainWindow, TodayArea]:
    window = main_window(screen)
    window.show_area("today")
    area = window.current_area()
    assert isinstance(area, TodayArea)
    _wait(lambda: area.snapshot is not None and area.waitlist.view is not None)
    # The freed time that has the most patients fitting it shows them beside it.
    freed = area.freed.items
    best = max(range(len(freed)), key=lambda row: len(freed[row].matches), default=-1)
    if best >= 0:
        area.freed.select_time(best)
    _wait(lambda: True)
    return window, area


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """Write today.png, today-waitlist.png, waitlist-book.png, waitlist-add-message.png,
    waitlist-matches.png and (in a child process) today@150%.png."""
    folder.mkdir(parents=True, exist_ok=True)
    prepare(screen.services)
    written = render_pictures(screen, folder)
    child = subprocess.run(
        [sys.executable, "-m", "tools.screenshots.today", str(folder), "--scaled"],
        env={**os.environ, "QT_SCALE_FACTOR": SCALED, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    if child.returncode == 0:
        written.append(folder / "today@150%.png")
    return written


def render_pictures(screen: ScreenContext, folder: Path) -> list[Path]:
    written: list[Path] = []
    window, area = _today_window(screen)
    written.append(save_grab(window, folder / "today.png"))

    match_source = area.freed.current()
    area.tabs.setCurrentWidget(area.waitlist)
    _wait(lambda: area.waitlist.view is not None)
    written.append(save_grab(window, folder / "today-waitlist.png"))
    # Book on the Waitlist tab: the next times that suit the highlighted patient.
    if area.waitlist.model.rows:
        area.waitlist.table.selectRow(0)
        area.waitlist.book_selected()
        finder = area.waitlist.dialog
        if finder is not None:
            searched: list[object] = []
            finder.searched.connect(searched.append)  # type: ignore[attr-defined]
            _wait(lambda: bool(searched))
            written.append(save_grab(finder, folder / "waitlist-book.png"))
            finder.reject()
    area.tabs.setCurrentIndex(0)

    dialog = AddToWaitlistDialog(screen, parent=window)
    dialog.show()
    _wait(lambda: dialog.choices is not None)
    rows = area.waitlist.model.rows
    if rows:
        found = summaries_for(screen.services, [rows[0].patient_id])
        if found:
            dialog.use_patient(found[0])
    dialog.urgency.setCurrentIndex(dialog.urgency.findData("soon"))
    dialog.day_boxes[next(iter(dialog.day_boxes))].setChecked(True)
    dialog.earliest.setText("7:30")
    dialog.latest.setText("25:00")
    dialog.note.setPlainText("Prefers the main office")
    dialog.save()
    _wait(lambda: dialog.fields.message("latest").isVisible())
    written.append(save_grab(dialog, folder / "waitlist-add-message.png"))
    dialog.mark_clean()  # nothing to ask about when it closes
    dialog.reject()

    if match_source is not None:
        freed = match_source.freed
        matches = WaitlistMatchesDialog(
            screen,
            provider_id=freed.provider_id,
            location_id=freed.location_id or None,
            start=freed.start,
            end=freed.end,
            parent=window,
        )
        matches.show()
        _wait(lambda: matches.data is not None)
        written.append(save_grab(matches, folder / "waitlist-matches.png"))
        matches.reject()
    window.close()
    return written


def _render_scaled(screen: ScreenContext, folder: Path) -> list[Path]:
    """A 1280x800 display at 150%: the window gets the whole (853x533 logical) screen."""
    window, _area = _today_window(screen)
    display = QGuiApplication.primaryScreen()
    if display is not None:
        window.setGeometry(display.availableGeometry())
    _wait(lambda: True)
    path = save_grab(window, folder / "today@150%.png")
    window.close()
    return [path]


def main(argv: list[str]) -> int:
    scaled = "--scaled" in argv
    args = [arg for arg in argv if arg != "--scaled"]
    folder = Path(args[0] if args else "docs/screenshots").absolute()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="frontdesk-today-shots-") as home:
        os.environ["FRONTDESK_HOME"] = home
        if scaled:
            _offscreen_display(Path(home))
        app = QApplication.instance() or QApplication(sys.argv[:1])
        apply_style(app)  # type: ignore[arg-type]
        database, _copy = open_for_use(f"sqlite:///{Path(home) / 'demo.sqlite3'}")
        actor = Actor(username="demo", role=Role.ADMIN, workstation="screenshots")
        context = make_context(database, actor)
        demo.generate(context, patients=2_000, seed=1)
        prepare(context)
        runner = Runner()
        try:
            screen = ScreenContext(context, runner)
            paths = _render_scaled(screen, folder) if scaled else render_pictures(screen, folder)
            for path in paths:
                print(path)
        finally:
            runner.wait_for_idle()
            database.dispose()
        del app
    return 0


def _offscreen_display(home: Path) -> None:
    """A 1280x800 offscreen display (before Qt starts), as the app's screenshots use."""
    from tools.screenshots.render_all import _configure_platform

    _configure_platform(home, 1280, 800)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
