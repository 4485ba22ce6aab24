"""Give handouts from an appointment: the request's category ticked, the appointment printed
on every handout and kept in the print log, with real widgets on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.db.models_handouts import HandoutPrint
from frontdesk.domain.permissions import ROLE_PERMISSIONS, Permission, Role
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.scheduling import CancelledBy
from frontdesk.services.handouts import handout_prints
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import booking, data, lookup, status
from frontdesk.ui.handouts.give_dialog import GiveHandoutsDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
from frontdesk.ui.screen_context import ChangeRelay, ScreenContext
from tests.conftest import make_actor
from tests.documents.pdfs import all_text
from tests.handouts.packet_fixtures import PacketDay, make_packet_day
from tests.helpers.handouts import FAILED_BACK_HANDOUTS, pdf_printer
from tests.scheduling.conftest import at

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

WAIT = 15_000


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


@pytest.fixture
def relay() -> ChangeRelay:
    return ChangeRelay()


@pytest.fixture
def screen(
    qtbot: QtBot,
    front_desk: ServiceContext,
    packet_day: PacketDay,
    relay: ChangeRelay,
    without_pdftoppm: None,
) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(front_desk, runner, relay)
    runner.wait_for_idle()
    QCoreApplication.processEvents()


def long_day(packet_day: PacketDay) -> str:
    day = packet_day.day
    return f"{day:%A, %B} {day.day}, {day.year}"


def open_appointment(qtbot: QtBot, screen: ScreenContext, appointment_id: int) -> AppointmentDialog:
    dialog = AppointmentDialog(screen, appointment_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    return dialog


def give_handouts(qtbot: QtBot, dialog: AppointmentDialog) -> GiveHandoutsDialog:
    assert dialog.handouts_button.isVisible() and dialog.handouts_button.isEnabled()
    qtbot.mouseClick(dialog.handouts_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.handouts_dialog is not None, timeout=WAIT)
    give = dialog.handouts_dialog
    assert isinstance(give, GiveHandoutsDialog)
    qtbot.waitUntil(lambda: give.list.count() > 0, timeout=WAIT)
    return give


def tick_only(dialog: GiveHandoutsDialog, handout_id: str) -> None:
    for suggestion in dialog.suggestions():
        dialog.tick(suggestion.id, suggestion.id == handout_id)


def logged_appointment(context: ServiceContext, print_id: int) -> dict[str, Any]:
    with context.database.read_sessions() as session:
        stored = session.scalar(select(HandoutPrint.appointment).where(HandoutPrint.id == print_id))
    assert stored
    return dict(json.loads(stored))


def test_giving_from_an_appointment_ticks_its_category_and_prints_the_appointment(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    tmp_path: Path,
) -> None:
    visit = packet_day.hostile  # Okafor, 9:00, Main office; from a failed-back request
    appointment = open_appointment(qtbot, screen, visit.id)
    give = give_handouts(qtbot, appointment)
    assert give.patient.id == visit.patient_id
    assert give.category is RequestCategory.FAILED_BACK
    ticked = {(s.handout.id, s.handout.language) for s in give.ticked()}
    assert ticked == {(handout_id, "en") for handout_id in FAILED_BACK_HANDOUTS}
    note = give.appointment_note.text()
    assert give.appointment_note.isVisibleTo(give)
    assert f"{long_day(packet_day)}, 9:00 AM with Adaeze Okafor, MD, Main office" in note

    # The preview already shows the appointment block.
    tick_only(give, "failed-back-syndrome")
    row = next(i for i, s in enumerate(give.suggestions()) if s.id == "failed-back-syndrome")
    with qtbot.waitSignal(give.preview_shown, timeout=WAIT) as shown:
        give.list.setCurrentRow(row)
    assert "9:00 AM with Adaeze Okafor, MD" in " ".join(all_text(shown.args[0].pdf).split())

    out = tmp_path / "failed-back.pdf"
    with qtbot.waitSignal(give.given, timeout=WAIT) as given:
        assert give.save_to(out)
    (record,) = given.args[0]
    text = " ".join(all_text(out.read_bytes()).split())
    assert "Your appointment:" in text
    assert f"{long_day(packet_day)}, 9:00 AM with Adaeze Okafor, MD" in text
    assert "Main office" in text
    assert logged_appointment(context, record.id) == {
        "starts_at": at(packet_day.day, 9).replace(tzinfo=None).isoformat(),
        "provider": "Adaeze Okafor, MD",
        "location": "Main office",
        "address": "",
    }
    # A reprint from the chart's log prints the same appointment again.
    again = handout_prints.reprint(context, record.id)
    assert again.appointment == give.appointment

    # A second click brings the same dialog forward.
    qtbot.mouseClick(appointment.handouts_button, Qt.MouseButton.LeftButton)
    assert appointment.handouts_dialog is give
    give.reject()
    qtbot.waitUntil(lambda: appointment.handouts_dialog is None)


def test_printing_from_an_appointment_without_a_request_logs_the_appointment(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    tmp_path: Path,
) -> None:
    visit = packet_day.other_provider  # Lindqvist, 10:00, no request
    give = give_handouts(qtbot, open_appointment(qtbot, screen, visit.id))
    assert give.category is None and give.ticked() == []
    assert "10:00 AM with Erik Lindqvist, MD, Main office" in give.appointment_note.text()
    give.tick("spinal-stenosis")
    with qtbot.waitSignal(give.given, timeout=20_000) as given:
        assert give.print_to(pdf_printer(tmp_path / "printed.pdf"))
    (record,) = given.args[0]
    assert record.destination == "printer: PDF file"
    logged = logged_appointment(context, record.id)
    assert logged["provider"] == "Erik Lindqvist, MD"
    assert logged["starts_at"] == at(packet_day.day, 10).replace(tzinfo=None).isoformat()


def test_a_rescheduled_or_cancelled_appointment_is_never_printed_stale(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    relay: ChangeRelay,
    tmp_path: Path,
) -> None:
    visit = packet_day.hostile
    give = give_handouts(qtbot, open_appointment(qtbot, screen, visit.id))
    tick_only(give, "spinal-stenosis")

    # Another workstation moves it: the dialog follows, and so does the saved handout.
    booking.reschedule(context, visit.id, start=at(packet_day.day, 11))
    relay.changed.emit(data.TABLES)
    qtbot.waitUntil(lambda: "11:00 AM" in give.appointment_note.text(), timeout=WAIT)
    out = tmp_path / "moved.pdf"
    with qtbot.waitSignal(give.given, timeout=WAIT):
        assert give.save_to(out)
    assert "11:00 AM with Adaeze Okafor, MD" in " ".join(all_text(out.read_bytes()).split())

    # Then cancels it: nothing more is given with it on.
    moved = lookup.get_appointment(context, visit.id).appointment
    status.cancel(
        context,
        visit.id,
        by=CancelledBy.PATIENT,
        reason="Feels better",
        expected_version=moved.version,
    )
    relay.changed.emit(data.TABLES)
    qtbot.waitUntil(lambda: "Not printed" in give.appointment_note.text(), timeout=WAIT)
    assert "cancelled" in give.appointment_note.text()
    assert not give.save_button.isEnabled() and not give.print_button.isEnabled()
    assert give.save_to(tmp_path / "stale.pdf") is False
    assert not (tmp_path / "stale.pdf").exists()
    assert len(handout_prints.prints_for_patient(context, visit.patient_id)) == 1

    # Opened again from the cancelled appointment, the handouts go without it.
    again = give_handouts(qtbot, open_appointment(qtbot, screen, visit.id))
    assert again.appointment is None and again.appointment_id is None
    assert not again.appointment_note.isVisibleTo(again)


def test_another_patients_appointment_is_refused_and_a_role_without_printing_has_no_button(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from frontdesk.services.patients.lookup import get_patient

    someone_else = get_patient(context, packet_day.spanish.patient_id, record_view=False)
    give = GiveHandoutsDialog(screen, someone_else, appointment=packet_day.hostile.id)
    qtbot.addWidget(give)
    give.show()
    qtbot.waitUntil(lambda: give.list.count() > 0, timeout=WAIT)
    assert "belongs to another patient" in give.appointment_note.text()
    give.tick("spinal-stenosis")
    assert not give.save_button.isEnabled()
    assert "give the handouts again" in give.action_hint.text()

    reduced = ROLE_PERMISSIONS[Role.FRONT_DESK] - {Permission.PRINT_HANDOUTS}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.FRONT_DESK, reduced)
    limited = screen.for_actor(make_actor(Role.FRONT_DESK, "desk.bo"))
    appointment = open_appointment(qtbot, limited, packet_day.hostile.id)
    assert not appointment.handouts_button.isVisible()
    appointment.give_handouts()
    assert appointment.handouts_dialog is None
