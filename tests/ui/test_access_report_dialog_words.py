"""The access report on screen says what happened in the printed report's words: an
appointment's move and cancellation, where a packet went, never field names."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import booking, status
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.ui.audit.dialogs import AccessReportDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.screens import QT_NOISE
from tests.scheduling.conftest import at, make_practice, next_weekday

pytestmark = QT_NOISE


def test_the_dialog_says_appointment_changes_as_the_printed_report_does(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    clinic = make_practice(context)  # in Chicago, with Dr. Okafor and Dr. Lindqvist
    patient = clinic.patients[0]
    thursday = next_weekday(3)
    friday = thursday + timedelta(days=1)
    booked = booking.book(
        context,
        BookingForm(
            patient.id, clinic.okafor, clinic.type_id("New consultation"), at(thursday, 9, 0)
        ),
    )
    moved = booking.reschedule(
        context, booked.id, start=at(friday, 10, 30), provider_id=clinic.lindqvist
    )
    status.cancel(context, moved.id, by="patient", reason="her sister's wedding")
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        uow.record(
            "export",
            "appointments",
            booked.id,
            patient_id=patient.id,
            details={"document": "pre-visit packet", "destination": "saved: packet.pdf"},
        )
        uow.commit()

    dialog = AccessReportDialog(screen, patient.id, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    table = dialog.entries
    rows = [
        tuple(table.item(row, column).text() for column in range(table.columnCount()))
        for row in range(table.rowCount())
    ]
    details = [row[5] for row in rows]
    thu, fri = f"{thursday:%a %m/%d/%Y}", f"{friday:%a %m/%d/%Y}"
    assert f"Booked for {thu} 09:00 with Adaeze Okafor, MD" in details
    assert any(
        text.startswith(f"Moved from {thu} 09:00 with Adaeze Okafor, MD to {fri} 10:30")
        for text in details
    ), details
    assert any(text.startswith("Cancelled by the patient") for text in details), details
    for text in details:
        for listed in ("starts at", "provider id", "cancel reason", "Destination"):
            assert listed not in text, (listed, text)
    packet = next(row for row in rows if row[3] == "Exported")
    assert packet[4].startswith("Pre-visit packet") and packet[5] == "Saved as file packet.pdf"
