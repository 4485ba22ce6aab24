"""Screenshots of the main window and the main dialogs on a 1080p monitor at 150% scaling.

``render(screen, folder)`` runs in ``make screenshots``' child process whose one screen is
1920x1080 pixels at QT_SCALE_FACTOR=1.5: 1280x720 logical pixels, the smallest common
desk set-up. Each window opens at the size it picks for itself, so the pictures show what a
receptionist sees: the form body scrolls, Save and Cancel stay in view.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings

from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.patients.search import search
from frontdesk.services.requests import linking
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.scheduling.calendars import day_appointments
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.patients.phone_note_dialog import PhoneNoteDialog
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.requests.linked_chart import LinkedChartDialog
from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
from frontdesk.ui.scheduling.book_dialog import BookDialog
from frontdesk.ui.screen_context import ScreenContext
from tools.screenshots import handouts, schedule
from tools.screenshots.capture import save_grab, wait_until

STORY_PATIENT = "nunez maria jose"  # scenario 1's caller, in every demo database


def _desk_calls(
    screen: ScreenContext, window: MainWindow, chart: PatientChart, folder: Path
) -> list[Path]:
    """Log a call, Ctrl+K's quick find, and a call on a chart with an open request."""
    written: list[Path] = []
    note = chart.log_call()
    assert isinstance(note, PhoneNoteDialog)
    note.caller.setText("Spouse")
    note.subject.setText("Asks if the surgery date can move")
    note.follow_up.setText("+2")
    wait_until()
    written.append(save_grab(note, folder / "phone-note.png"))
    note.mark_clean()
    note.reject()

    finder = window.open_quick_find()
    finder.query.setText("nun")
    shown: list[bool] = []
    finder.shown.connect(lambda: shown.append(True))
    finder.search_now()
    wait_until(lambda: bool(shown))
    written.append(save_grab(finder, folder / "quick-find.png"))
    finder.reject()

    assert chart.patient is not None
    patient_id = chart.patient.id
    call = IntakeForm(patient_id=patient_id, phone="(217) 555-0199", reason="Did my MRI arrive?")
    question = LinkedChartDialog(
        linking.check_link(screen.services, patient_id, call), "Núñez-García, María José", window
    )
    question.show()
    wait_until()
    written.append(save_grab(question, folder / "request-linked-chart.png"))
    question.close()
    return written


def _handout_review(window: MainWindow, folder: Path) -> list[Path]:
    """Admin → Handout reviews (every Admin tab title whole) and its Record a review dialog."""
    window.show_area("admin")
    admin = window.current_area()
    assert isinstance(admin, AdminArea)
    panel = admin.handout_reviews
    admin.tabs.setCurrentWidget(panel)
    wait_until(lambda: panel.loaded and panel.model.rowCount() > 0)
    written = [save_grab(window, folder / "admin-handout-reviews.png")]
    dialog = panel.record_selected()
    assert dialog is not None
    dialog.reviewer.setText("Dr. Ana Lindqvist, MD")
    dialog.evidence.setPlainText(
        "NASS patient education guidance (2024); the practice's own page on this condition; "
        "checked line by line against the current text."
    )
    wait_until()
    written.append(save_grab(dialog, folder / "admin-handout-review-record.png"))
    dialog.mark_clean()
    dialog.done(0)
    return written


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """Write main-window, requests-queue, intake, patient-editor, patient-chart (and its
    surgeries tab), phone-note, quick-find, request-linked-chart, book, appointment,
    pre-visit packets and Admin → Handout reviews PNGs."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    settings_file = Path(tempfile.mkdtemp(prefix="frontdesk-shots-")) / "desk.ini"
    # No saved geometry: the window's first-start size on this screen.
    window = MainWindow(screen, QSettings(str(settings_file), QSettings.Format.IniFormat))
    window.show()
    window.show_area("today")
    wait_until()
    screen.runner.wait_for_idle()
    wait_until()
    written.append(save_grab(window, folder / "main-window.png"))
    # The work queue beside an open request: the narrowest table of the main window.
    window.show_area("requests")
    requests_area = window.current_area()
    assert isinstance(requests_area, RequestsArea)
    wait_until(lambda: requests_area.model.rowCount() > 0 and bool(requests_area.counts))
    requests_area.table.selectRow(0)
    wait_until(lambda: requests_area.detail.detail is not None)
    written.append(save_grab(window, folder / "requests-queue.png"))
    window.show_area("today")

    intake = IntakeDialog(screen, window)
    intake.show()
    intake.last_name.setText("Núñez-García")
    intake.first_name.setText("María José")
    intake.date_of_birth.setText("03/04/1961")
    intake.phone.setText("(217) 555-0188")
    intake.reason.setPlainText("Pain worse than before the second operation; cannot sit long")
    wait_until()
    written.append(save_grab(intake, folder / "request-intake.png"))
    intake.mark_clean()  # nothing to ask about when it closes
    intake.close()

    found = search(screen.services, STORY_PATIENT, limit=1).items
    patient_id = found[0].id
    chart = PatientChart(screen, patient_id)
    chart.show()
    wait_until(lambda: chart.patient is not None)
    written.append(save_grab(chart, folder / "patient-chart.png"))
    chart.tabs.setCurrentWidget(chart.surgery_history)
    wait_until(lambda: chart.surgery_history.loaded)
    written.append(save_grab(chart, folder / "patient-chart-surgeries.png"))
    chart.tabs.setCurrentIndex(0)
    assert chart.patient is not None
    editor = PatientEditor(screen, chart.patient)
    editor.show()
    wait_until()
    written.append(save_grab(editor, folder / "patient-form.png"))
    editor.close()
    written.extend(_desk_calls(screen, window, chart, folder))
    chart.close()

    day, provider_ids = schedule.prepare(screen.services)
    zone = practice_clock.practice_zone(screen.services)
    book = BookDialog(
        screen,
        start=datetime.combine(day, clock_time(16, 30), tzinfo=zone),
        provider_id=provider_ids[0],
        patient_id=patient_id,
    )
    book.show()
    wait_until(lambda: book.ready)
    written.append(save_grab(book, folder / "schedule-book.png"))
    book.mark_clean()
    book.close()

    booked = day_appointments(screen.services, day, provider_ids)
    appointment = AppointmentDialog(screen, booked[0].id)
    appointment.show()
    wait_until(lambda: appointment.detail is not None)
    written.append(save_grab(appointment, folder / "schedule-appointment.png"))
    appointment.mark_clean()
    appointment.close()

    packets = handouts.packets_dialog(screen)
    written.append(save_grab(packets, folder / "handouts-packets.png"))
    handouts.close_packets_dialog(packets)
    written.extend(_handout_review(window, folder))
    window.close()
    screen.runner.wait_for_idle()
    QCoreApplication.processEvents()
    return written
