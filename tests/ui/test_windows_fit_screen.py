"""Every window and dialog fits a 1280x720 screen (1080p at 150%) with its buttons in view."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QRect, QSettings, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QPushButton,
    QScrollArea,
    QWidget,
)
from pytestqt.qtbot import QtBot

from frontdesk.demo.faxes import text_pdf
from frontdesk.domain.permissions import Role
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.services.handouts import library as handouts
from frontdesk.services.history.procedures import procedure_choices
from frontdesk.services.inbox import arrivals, listing
from frontdesk.services.inbox.data import InboxRow
from frontdesk.services.kernel.clock import practice_zone, today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.duplicates import find_duplicates
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.practice.forms import NewUserForm, UserData
from frontdesk.services.practice.users import create_user
from frontdesk.services.requests.intake import create_request
from frontdesk.services.requests.linking import check_link
from frontdesk.services.requests.reading import get_request
from frontdesk.services.scheduling.booking import book
from frontdesk.services.scheduling.data import (
    AppointmentData,
    BookingForm,
    WaitlistEntryData,
    WaitlistForm,
)
from frontdesk.services.scheduling.waitlist import add_to_waitlist
from frontdesk.ui.admin.handout_reviews import RecordReviewDialog
from frontdesk.ui.admin.locations import LocationDialog
from frontdesk.ui.admin.providers import ProviderDialog
from frontdesk.ui.admin.scheduling_availability import AvailabilityDialog
from frontdesk.ui.admin.scheduling_away import TimeAwayDialog
from frontdesk.ui.admin.scheduling_choices import SchedulingChoices, load_choices
from frontdesk.ui.admin.scheduling_types import AppointmentTypeDialog
from frontdesk.ui.first_run import FirstRunDialog
from frontdesk.ui.handouts.give_dialog import GiveHandoutsDialog
from frontdesk.ui.handouts.packets_dialog import PacketsDialog
from frontdesk.ui.handouts.patient_picker import PatientPicker
from frontdesk.ui.history.dialogs import ImagingDialog, SurgeryDialog
from frontdesk.ui.history.viewer import DocumentViewer
from frontdesk.ui.inbox.dialogs import DiscardDialog, SplitDialog
from frontdesk.ui.main_window import AboutDialog, MainWindow
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.duplicates import DuplicatesDialog
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.patients.import_wizard import ImportWizard
from frontdesk.ui.patients.merge import MergeDialog
from frontdesk.ui.patients.phone_note_dialog import PhoneNoteDialog
from frontdesk.ui.patients.referrer_picker import AddReferrerDialog
from frontdesk.ui.quick_find.dialog import QuickFindDialog
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.requests.letter import RecordsLetterDialog
from frontdesk.ui.requests.linked_chart import LinkedChartDialog
from frontdesk.ui.requests.ready_override import ReadyWithoutRecordsDialog
from frontdesk.ui.requests.report import ReferralsReportDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
from frontdesk.ui.scheduling.book_dialog import BookDialog
from frontdesk.ui.scheduling.call_list import CallListDialog
from frontdesk.ui.scheduling.day_sheet import DaySheetDialog
from frontdesk.ui.scheduling.dialog_cancel import CancelAppointmentDialog
from frontdesk.ui.scheduling.dialog_reschedule import RescheduleDialog
from frontdesk.ui.scheduling.find_dialog import FindSlotDialog
from frontdesk.ui.scheduling.ics_dialog import IcsExportDialog
from frontdesk.ui.scheduling.waitlist_dialogs import (
    AddToWaitlistDialog,
    EditWaitlistDialog,
    WaitlistMatchesDialog,
)
from frontdesk.ui.scheduling.waitlist_panel import RemoveFromWaitlistDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.password_dialog import ChangePasswordDialog, ResetPasswordDialog
from frontdesk.ui.security.sign_in import FirstAdminDialog, SignInDialog
from frontdesk.ui.security.users_panel import EditUserDialog, NewUserDialog
from frontdesk.ui.welcome import WelcomeDialog
from frontdesk.ui.widgets import screen_fit
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

# 1920x1080 at 150%: what a 1080p monitor leaves for windows, in logical pixels.
SCREEN = QSize(1280, 720)

Build = Callable[[ScreenContext, Practice], QWidget]


def _appointment(clinic: Practice) -> AppointmentData:
    return book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[0].id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("New consultation"),
            start=at(next_weekday(3), 9),
            reason="Failed fusion, second opinion",
        ),
    )


def _entry(clinic: Practice) -> WaitlistEntryData:
    return add_to_waitlist(
        clinic.context,
        WaitlistForm(patient_id=clinic.patients[1].id, type_id=clinic.type_id("Follow-up")),
    )


def _maria() -> PatientForm:
    return PatientForm(first_name="María José", last_name="Núñez-García", date_of_birth="3/4/1961")


def _desk_settings() -> QSettings:
    """This workstation's settings in the tests' own home (none saved yet: the default size)."""
    path = Path(os.environ["FRONTDESK_HOME"]) / f"fit-{uuid.uuid4().hex}.ini"
    return QSettings(str(path), QSettings.Format.IniFormat)


def _inbox_row(screen: ScreenContext) -> InboxRow:
    """A two-page fax waiting in the inbox."""
    arrival = arrivals.receive(
        screen.services, text_pdf(["Page one"], ["Page two"]), "fax.pdf", source="folder"
    )
    assert arrival.document_id is not None
    return listing.one(screen.services, arrival.document_id)[0]


def _build_table() -> list[tuple[str, Build]]:
    monday = next_weekday(0)

    def choices(screen: ScreenContext) -> SchedulingChoices:
        return load_choices(screen.services)

    def patient(clinic: Practice) -> PatientData:
        return clinic.patients[0]

    def new_user(screen: ScreenContext) -> UserData:
        return create_user(
            screen.services, NewUserForm("john", "a long pass phrase 42", Role.FRONT_DESK)
        )

    return [
        ("MainWindow", lambda s, c: MainWindow(s, _desk_settings())),
        ("AboutDialog", lambda s, c: AboutDialog(s)),
        ("FirstRunDialog", lambda s, c: FirstRunDialog(s)),
        ("FirstRunDialog+admin", lambda s, c: FirstRunDialog(s, create_admin=True)),
        ("WelcomeDialog", lambda s, c: WelcomeDialog(s)),
        ("MainWindow(demo)", lambda s, c: MainWindow(replace(s, demo=True), _desk_settings())),
        ("IntakeDialog", lambda s, c: IntakeDialog(s)),
        ("PatientEditor(new)", lambda s, c: PatientEditor(s, None)),
        ("PatientEditor(edit)", lambda s, c: PatientEditor(s, patient(c))),
        ("PatientChart", lambda s, c: PatientChart(s, patient(c).id)),
        ("MergeDialog", lambda s, c: MergeDialog(s)),
        ("ImportWizard", lambda s, c: ImportWizard(s.services, s.runner)),
        ("AddReferrerDialog", lambda s, c: AddReferrerDialog(s, "Dr Smith")),
        (
            "SurgeryDialog",
            lambda s, c: SurgeryDialog(
                s.services,
                s.runner,
                patient(c).id,
                practice_zone(s.services),
                None,
                [],
                procedure_choices(s.services),
            ),
        ),
        (
            "ImagingDialog",
            lambda s, c: ImagingDialog(
                s.services, s.runner, patient(c).id, practice_zone(s.services), None
            ),
        ),
        (
            "RecordsLetterDialog",
            lambda s, c: RecordsLetterDialog(
                s,
                get_request(
                    s.services,
                    create_request(s.services, maria_intake(patient_id=patient(c).id)).id,
                ),
            ),
        ),
        (
            "DuplicatesDialog",
            lambda s, c: DuplicatesDialog(
                _maria(), find_duplicates(s.services, _maria()), today(s.services)
            ),
        ),
        (
            "LinkedChartDialog",
            lambda s, c: LinkedChartDialog(
                check_link(
                    s.services,
                    create_request(
                        s.services, maria_intake(patient_id=patient(c).id, phone="217-555-0199")
                    ).patient_id,
                    maria_intake(phone="217-555-0142", email="maria@example.org"),
                ),
                "Núñez-García, María José",
            ),
        ),
        ("DocumentViewer", lambda s, c: DocumentViewer(s.services, s.runner, [], "Documents")),
        (
            "ReadyWithoutRecordsDialog",
            lambda s, c: ReadyWithoutRecordsDialog(
                ["MRI report", "Operative note", "Referral letter"]
            ),
        ),
        ("ReferralsReportDialog", lambda s, c: ReferralsReportDialog(s)),
        (
            "BookDialog",
            lambda s, c: BookDialog(s, start=at(next_weekday(3), 9), provider_id=c.okafor),
        ),
        ("AppointmentDialog", lambda s, c: AppointmentDialog(s, _appointment(c).id)),
        (
            "CancelAppointmentDialog",
            lambda s, c: CancelAppointmentDialog(s, _appointment(c), "Thursday 9:00"),
        ),
        ("RescheduleDialog", lambda s, c: RescheduleDialog(s, _appointment(c))),
        ("FindSlotDialog", lambda s, c: FindSlotDialog(s, patient_id=patient(c).id)),
        ("IcsExportDialog", lambda s, c: IcsExportDialog(s, c.okafor, today=today(s.services))),
        ("CallListDialog", lambda s, c: CallListDialog(s, monday)),
        ("DaySheetDialog", lambda s, c: DaySheetDialog(s, monday, None)),
        ("AddToWaitlistDialog", lambda s, c: AddToWaitlistDialog(s, patient_id=patient(c).id)),
        ("EditWaitlistDialog", lambda s, c: EditWaitlistDialog(s, _entry(c))),
        ("RemoveFromWaitlistDialog", lambda s, c: RemoveFromWaitlistDialog(s, _entry(c))),
        (
            "WaitlistMatchesDialog",
            lambda s, c: WaitlistMatchesDialog(
                s,
                provider_id=c.okafor,
                location_id=c.main_office,
                start=at(monday, 9),
                end=at(monday, 9) + timedelta(hours=1),
            ),
        ),
        ("PacketsDialog", lambda s, c: PacketsDialog(s, monday, c.okafor)),
        ("PatientPicker", lambda s, c: PatientPicker(s)),
        (
            "GiveHandoutsDialog",
            lambda s, c: GiveHandoutsDialog(s, patient(c), category=RequestCategory.FAILED_BACK),
        ),
        ("LocationDialog", lambda s, c: LocationDialog(s, None)),
        ("ProviderDialog", lambda s, c: ProviderDialog(s, None)),
        ("AppointmentTypeDialog", lambda s, c: AppointmentTypeDialog(s, None)),
        (
            "RecordReviewDialog",
            lambda s, c: RecordReviewDialog(
                s,
                handouts.load_library().get("failed-back-syndrome", "es"),
                today=today(s.services),
            ),
        ),
        ("AvailabilityDialog", lambda s, c: AvailabilityDialog(s, None, choices(s))),
        ("TimeAwayDialog", lambda s, c: TimeAwayDialog(s, None, choices(s))),
        ("SignInDialog", lambda s, c: SignInDialog(s)),
        ("FirstAdminDialog", lambda s, c: FirstAdminDialog(s)),
        ("ChangePasswordDialog", lambda s, c: ChangePasswordDialog(s)),
        ("ResetPasswordDialog", lambda s, c: ResetPasswordDialog(s, new_user(s))),
        ("NewUserDialog", lambda s, c: NewUserDialog(s)),
        ("EditUserDialog", lambda s, c: EditUserDialog(s, new_user(s))),
        ("QuickFindDialog", lambda s, c: QuickFindDialog(s)),
        (
            "PhoneNoteDialog",
            lambda s, c: PhoneNoteDialog(
                s, patient(c).id, patient(c).display_name, patient(c).zone
            ),
        ),
        ("SplitDialog", lambda s, c: SplitDialog(s, _inbox_row(s))),
        ("DiscardDialog", lambda s, c: DiscardDialog(s, _inbox_row(s))),
    ]


DIALOGS = _build_table()
# Buttons that close a window or save its form: the row that must stay in view.
CLOSING = re.compile(
    r"^(save|cancel|close|ok|book|next|finish|done|sign in|create|set up|explore)\b", re.I
)
# Windows closed by their title bar or Esc alone (the report's Show and Export sit above it).
WITHOUT_BUTTON_ROW = {"PatientChart", "DocumentViewer", "ReferralsReportDialog"}


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()
    QCoreApplication.processEvents()


@pytest.fixture
def full_hd_at_150(monkeypatch: pytest.MonkeyPatch) -> QSize:
    """Every window asks for the room of a 1920x1080 monitor at 150% (the offscreen platform's
    one screen cannot be resized once the application runs)."""
    monkeypatch.setattr(screen_fit, "available_size", lambda _widget: QSize(SCREEN))
    return SCREEN


def fits(size: QSize, screen: QSize) -> bool:
    return size.width() <= screen.width() and size.height() <= screen.height()


def button_row(window: QWidget) -> list[QAbstractButton]:
    """Save, Cancel, Close and the like, wherever the window puts them."""
    found: list[QAbstractButton] = []
    for box in window.findChildren(QDialogButtonBox):
        found.extend(box.buttons())
    save = getattr(window, "save_button", None)
    if isinstance(save, QAbstractButton):
        found.append(save)
    for button in window.findChildren(QPushButton):
        if CLOSING.match(button.text().replace("&", "")):
            found.append(button)
    return [button for button in dict.fromkeys(found) if button.isVisibleTo(window)]


def in_view(window: QWidget, button: QWidget) -> bool:
    """The whole button shows: inside the window and inside every viewport on the way."""
    shown = QRect(button.mapTo(window, button.rect().topLeft()), button.size())
    visible = QRect(shown)
    parent = button.parentWidget()
    while parent is not None and parent is not window:
        visible &= QRect(parent.mapTo(window, parent.rect().topLeft()), parent.size())
        parent = parent.parentWidget()
    return visible == shown and window.rect().contains(shown)


def inside_scroll_area(window: QWidget, widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


@pytest.mark.parametrize(("name", "build"), DIALOGS, ids=[name for name, _build in DIALOGS])
def test_every_window_fits_a_1080p_screen_at_150_percent_with_its_buttons_in_view(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    full_hd_at_150: QSize,
    name: str,
    build: Build,
) -> None:
    window = build(screen, make_practice(context, patient_count=4))
    qtbot.addWidget(window)
    # The size it picked for itself, before anything on screen could move it.
    opened = window.size()
    assert fits(opened, full_hd_at_150), f"{name} opens at {opened.width()}x{opened.height()}"
    window.show()
    qtbot.waitExposed(window)
    screen.runner.wait_for_idle()
    QCoreApplication.processEvents()  # loaded: what it shows now is as big as it gets

    needed = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert fits(needed, full_hd_at_150), f"{name} needs {needed.width()}x{needed.height()}"
    window.resize(window.size().boundedTo(full_hd_at_150))
    QCoreApplication.processEvents()
    assert fits(window.size(), full_hd_at_150)
    row = button_row(window)
    assert row or name in WITHOUT_BUTTON_ROW, f"{name}: no Save, Cancel or Close found"
    for button in row:
        label = button.text().replace("&", "")
        assert not inside_scroll_area(window, button), f"{name}: {label} scrolls away"
        assert in_view(window, button), f"{name}: {label} is cut off"


def test_a_window_keeps_its_preferred_size_where_it_fits_and_shrinks_where_not() -> None:
    assert screen_fit.fitted_size(QSize(620, 560), SCREEN) == QSize(620, 560)
    # The intake's old size: both ways past 90% of the screen, so both shrink to it.
    assert screen_fit.fitted_size(QSize(1160, 780), SCREEN) == QSize(1152, 648)
    assert screen_fit.fitted_size(QSize(1160, 780), None) == QSize(1160, 780)
