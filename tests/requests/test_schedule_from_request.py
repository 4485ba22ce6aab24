"""A consultation request scheduled from its detail pane, and what the request shows of its
appointments: service tests and the whole flow with real widgets, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from frontdesk.db.engine import Database
from frontdesk.domain.request_states import RequestState
from frontdesk.domain.scheduling import AppointmentStatus, CancelledBy, Weekday
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake as requests_intake
from frontdesk.services.requests import reading, states, work_queue
from frontdesk.services.requests.data import QueueFilter
from frontdesk.services.scheduling import booking, lookup, status
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.requests.detail import RequestDetailPanel
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.intake import type_call
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import CHICAGO, Practice, at, make_practice, next_weekday

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

WAIT = 15_000


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    # No charts yet: the intake creates the patient (a seeded María would be a duplicate).
    return make_practice(context, patient_count=0)


def ready_request(context: ServiceContext, **changes: object) -> int:
    data = requests_intake.create_request(context, maria_intake(**changes), allow_duplicates=True)
    states.transition(
        context, data.id, RequestState.READY_TO_SCHEDULE, override_reason="films at the visit"
    )
    return data.id


def book_for(clinic: Practice, request_id: int, start: datetime) -> Any:
    request = reading.get_request(clinic.context, request_id).request
    return booking.book(
        clinic.context,
        BookingForm(
            patient_id=request.patient_id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("New consultation"),
            start=start,
            request_id=request_id,
        ),
    )


# --- the services -------------------------------------------------------------------------


def test_a_request_lists_its_appointments_in_time_order(clinic: Practice) -> None:
    request_id = ready_request(clinic.context)
    thursday = next_weekday(3)
    first = book_for(clinic, request_id, at(thursday, 9))
    status.cancel(clinic.context, first.id, by=CancelledBy.PATIENT, reason="Flu")
    second = book_for(clinic, request_id, at(thursday + timedelta(days=7), 8))
    other = ready_request(clinic.context)
    book_for(clinic, other, at(thursday, 10))
    listed = lookup.appointments_for_request(clinic.context, request_id)
    assert [item.id for item in listed] == [first.id, second.id]
    assert [item.status for item in listed] == [
        AppointmentStatus.CANCELLED,
        AppointmentStatus.BOOKED,
    ]
    assert lookup.appointments_for_request(clinic.context, 999_999) == []


def test_the_queue_names_the_visit_of_a_scheduled_request(clinic: Practice) -> None:
    request_id = ready_request(clinic.context)
    thursday = next_weekday(3)
    booked = book_for(clinic, request_id, at(thursday, 9, 15))
    row = work_queue.queue(clinic.context, QueueFilter(state=RequestState.SCHEDULED)).rows[0]
    assert row.id == request_id
    assert row.next_action == f"Visit {thursday:%a %m/%d} 09:15"  # the practice's wall clock
    # Moved: the new time. Cancelled: back to ready, and its own next step.
    booking.reschedule(clinic.context, booked.id, start=at(thursday, 10))
    row = work_queue.queue(clinic.context, QueueFilter(state=RequestState.SCHEDULED)).rows[0]
    assert row.next_action == f"Visit {thursday:%a %m/%d} 10:00"
    status.cancel(clinic.context, booked.id, by=CancelledBy.PRACTICE, reason="Surgeon ill")
    row = work_queue.queue(clinic.context, QueueFilter(state=RequestState.READY_TO_SCHEDULE)).rows[
        0
    ]
    assert row.id == request_id and row.next_action == "Schedule the consultation"


def _statements(database: Database, action: Any) -> int:
    count = 0

    def counted(*_args: Any) -> None:
        nonlocal count
        count += 1

    engines = {database.engine, database.write_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", counted)
    try:
        action()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", counted)
    return count


def test_the_visit_dates_cost_one_query_per_page_not_one_per_row(
    clinic: Practice, database: Database
) -> None:
    thursday = next_weekday(3)
    request_id = ready_request(clinic.context)
    book_for(clinic, request_id, at(thursday, 8))

    def read() -> None:
        work_queue.queue(clinic.context, QueueFilter(state=RequestState.SCHEDULED))

    one = _statements(database, read)
    for hour in (9, 10, 11):
        book_for(clinic, ready_request(clinic.context), at(thursday, hour))
    rows = work_queue.queue(clinic.context, QueueFilter(state=RequestState.SCHEDULED)).rows
    assert len(rows) == 4 and all(row.next_action.startswith("Visit ") for row in rows)
    assert _statements(database, read) == one


# --- the whole flow with real widgets -----------------------------------------------------


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    hub = ChangeHub(context, watch_other_workstations=False)
    hub.start()
    yield ScreenContext(context, runner, hub)
    runner.wait_for_idle()
    hub.stop()
    QCoreApplication.processEvents()


def _state(panel: RequestDetailPanel) -> RequestState | None:
    return panel.detail.request.state if panel.detail is not None else None


def test_a_call_is_taken_made_ready_scheduled_and_cancelled_back_to_ready(
    qtbot: QtBot,
    screen: ScreenContext,
    clinic: Practice,
    context: ServiceContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from frontdesk.ui.scheduling import find_dialog

    # The one "Book this time?" question is answered Yes.
    monkeypatch.setattr(find_dialog, "confirm", lambda *_args, **_options: True)
    area = RequestsArea(screen)
    qtbot.addWidget(area)
    area.resize(1280, 800)
    area.show()
    qtbot.waitUntil(lambda: area.counts != {}, timeout=WAIT)

    # The call: typed during the phone call, with when the caller can come.
    assert area.new_item()
    intake = area.intake
    assert intake is not None
    type_call(qtbot, intake)
    qtbot.keyClicks(intake.preferred_days, "Thursdays")
    qtbot.keyClicks(intake.preferred_times, "mornings")
    with qtbot.waitSignal(intake.saved, timeout=WAIT):
        qtbot.keyClick(intake.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=WAIT)
    panel = area.detail
    area.table.selectRow(0)
    qtbot.waitUntil(lambda: _state(panel) is RequestState.NEW, timeout=WAIT)
    request_id = panel.detail.request.id  # type: ignore[union-attr]
    assert panel.schedule_button.isHidden()  # not before the request is ready
    qtbot.waitUntil(lambda: panel.appointments.list.count() == 1, timeout=WAIT)
    assert panel.appointments.list.item(0).text().startswith("None booked yet")

    # Records in: ready to schedule, and Schedule… is the step offered.
    panel.state_buttons[RequestState.READY_TO_SCHEDULE].click()
    qtbot.waitUntil(lambda: _state(panel) is RequestState.READY_TO_SCHEDULE, timeout=WAIT)
    assert not panel.schedule_button.isHidden()
    assert panel.schedule_hint.text() == (
        "Schedule… searches: Thu · until 12:00 (the caller said “Thursdays mornings”)."
    )

    # Schedule…: the search opens filled in and lists the times that suit the caller.
    panel.schedule_button.click()
    qtbot.waitUntil(lambda: panel.find_dialog is not None, timeout=WAIT)
    dialog = panel.find_dialog
    assert isinstance(dialog, find_dialog.FindSlotDialog)
    qtbot.waitUntil(lambda: bool(dialog.slots), timeout=WAIT)
    assert dialog.patient_id == panel.detail.request.patient_id  # type: ignore[union-attr]
    assert dialog.request_id == request_id
    assert dialog.type_combo.currentData() == clinic.type_id("New consultation")
    assert [day for day, box in dialog.day_boxes.items() if box.isChecked()] == [Weekday.THURSDAY]
    assert dialog.latest.text() == "12:00"
    for slot in dialog.slots:
        local_start, local_end = slot.start.astimezone(CHICAGO), slot.end.astimezone(CHICAGO)
        assert local_start.weekday() == Weekday.THURSDAY
        assert (local_end.hour, local_end.minute) <= (12, 0)
    chosen = dialog.slots[0]

    # Enter books the highlighted time; the request is then scheduled.
    with qtbot.waitSignal(dialog.booked, timeout=WAIT) as booked:
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    appointment = booked.args[0]
    assert (appointment.start, appointment.request_id) == (chosen.start, request_id)
    qtbot.waitUntil(lambda: _state(panel) is RequestState.SCHEDULED, timeout=WAIT)
    assert "Booked New consultation" in panel.banner.text
    qtbot.waitUntil(lambda: len(panel.appointments.items) == 1, timeout=WAIT)
    line = panel.appointments.list.item(0).text()
    local = chosen.start.astimezone(CHICAGO)
    assert line.startswith(f"{local:%a %m/%d/%Y %H:%M}") and line.endswith("· Booked")
    assert chosen.provider_name in line
    qtbot.waitUntil(
        lambda: (
            area.model.rowCount() == 1
            and area.model.rows[0].next_action == f"Visit {local:%a %m/%d %H:%M}"
        ),
        timeout=WAIT,
    )
    assert panel.schedule_button.isHidden()

    # The patient cancels: the appointment opened from the request, cancelled with a reason.
    opened = panel.appointments.open_selected()
    assert opened is not None
    qtbot.waitUntil(lambda: opened.detail is not None, timeout=WAIT)  # type: ignore[attr-defined]
    cancel = opened.cancel_appointment()  # type: ignore[attr-defined]
    assert cancel is not None
    qtbot.keyClicks(cancel.reason, "Feeling better")
    with qtbot.waitSignal(cancel.cancelled, timeout=WAIT):
        cancel.confirm_button.click()

    # Back to ready to schedule, the cancelled visit kept in the list, Schedule… offered again.
    qtbot.waitUntil(lambda: _state(panel) is RequestState.READY_TO_SCHEDULE, timeout=WAIT)
    qtbot.waitUntil(
        lambda: (
            panel.appointments.list.item(0)
            .text()
            .endswith("Cancelled by the patient: Feeling better")
        ),
        timeout=WAIT,
    )
    assert not panel.schedule_button.isHidden()
    history = [panel.history.item(row).text() for row in range(panel.history.count())]
    assert any("Ready to schedule → Scheduled" in text for text in history)
    assert any("Scheduled → Ready to schedule" in text for text in history)
    qtbot.waitUntil(
        lambda: area.model.rows[0].next_action == "Schedule the consultation", timeout=WAIT
    )
    stored = reading.get_request(context, request_id).request
    assert stored.state is RequestState.READY_TO_SCHEDULE
    opened.reject()  # type: ignore[attr-defined]


def test_a_booking_made_elsewhere_shows_in_the_open_request(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, context: ServiceContext
) -> None:
    """Another screen (or workstation) books the request: the pane follows the change hub."""
    request_id = ready_request(context)
    panel = RequestDetailPanel(screen)
    qtbot.addWidget(panel)
    panel.show()
    panel.load(request_id)
    qtbot.waitUntil(lambda: _state(panel) is RequestState.READY_TO_SCHEDULE, timeout=WAIT)
    booked = book_for(clinic, request_id, at(next_weekday(3), 9))
    qtbot.waitUntil(lambda: len(panel.appointments.items) == 1, timeout=WAIT)
    assert panel.appointments.items[0].id == booked.id
    # A move touches only the appointments: the list follows all the same.
    booking.reschedule(context, booked.id, start=at(next_weekday(3), 10))
    qtbot.waitUntil(
        lambda: panel.appointments.items[0].start == at(next_weekday(3), 10), timeout=WAIT
    )


def test_schedule_waits_while_saving_is_paused(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, context: ServiceContext
) -> None:
    from frontdesk.ui.connection_monitor import PAUSED_REASON, saving_gate

    request_id = ready_request(context)
    panel = RequestDetailPanel(screen)
    qtbot.addWidget(panel)
    panel.show()
    panel.load(request_id)
    qtbot.waitUntil(lambda: _state(panel) is RequestState.READY_TO_SCHEDULE, timeout=WAIT)
    saving_gate().set_allowed(False, PAUSED_REASON)
    try:
        assert not panel.schedule_button.isEnabled()
        panel.schedule()  # Alt+U reaches it even so
        assert "Saving is paused" in panel.banner.text
    finally:
        saving_gate().set_allowed(True)
    assert panel.find_dialog is None
    assert panel.schedule_button.isEnabled()


def test_a_narrow_request_pane_wraps_its_buttons_instead_of_scrolling_sideways(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, context: ServiceContext
) -> None:
    """At 150% on a 1080p monitor the pane is about 300 logical pixels wide."""
    request_id = ready_request(context)
    panel = RequestDetailPanel(screen)
    qtbot.addWidget(panel)
    panel.resize(320, 700)
    panel.show()
    panel.load(request_id)
    qtbot.waitUntil(lambda: _state(panel) is RequestState.READY_TO_SCHEDULE, timeout=WAIT)
    QCoreApplication.processEvents()
    assert not panel.scroll.horizontalScrollBar().isVisible()
    assert panel.close_button.geometry().right() <= panel.scroll.viewport().width()
