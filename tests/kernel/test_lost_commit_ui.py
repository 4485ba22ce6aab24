"""What the booking dialog and the intake say when a save's connection dropped at COMMIT.

The real cut is staged on PostgreSQL in test_lost_commit.py; here (SQLite, real widgets) the
service really saves and then raises the outcome the unit of work would have found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.domain.errors import SavedAfterAll, SaveOutcomeUnknownError
from frontdesk.services.kernel.context import SAVED_AFTER_ALL_MESSAGE, ServiceContext
from frontdesk.services.requests import intake, work_queue
from frontdesk.services.scheduling import booking, data, lookup, waitlist
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.scheduling.book_dialog import BookDialog
from frontdesk.ui.scheduling.waitlist_dialogs import AddToWaitlistDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.intake import type_call
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)
WAIT = 10_000
UNKNOWN = (
    "The connection to the database server dropped while saving, so whether it was saved is "
    "not known yet. Once the connection is back, check whether it is there before entering "
    "it again"
)


class Questions:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, _parent: Any, _title: str, text: str, *_rest: Any) -> Any:
        self.asked.append(text)
        return QMessageBox.StandardButton.Cancel


@pytest.fixture(autouse=True)
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    recorder = Questions()
    monkeypatch.setattr(QMessageBox, "question", recorder)
    return recorder


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    return make_practice(context)


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()
    QCoreApplication.processEvents()


def cut_at_commit(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, outcome: str
) -> list[object]:
    """``module.name`` saves for real, then reports ``outcome`` as the unit of work does."""
    real: Callable[..., Any] = getattr(module, name)
    calls: list[object] = []

    def cut(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls.append(result)
        if outcome == "saved":
            raise SavedAfterAll(SAVED_AFTER_ALL_MESSAGE, result)
        raise SaveOutcomeUnknownError(UNKNOWN)

    monkeypatch.setattr(module, name, cut)
    return calls


def open_booking(qtbot: QtBot, screen: ScreenContext, clinic: Practice) -> BookDialog:
    dialog = BookDialog(
        screen,
        start=at(next_weekday(3), 9),
        provider_id=clinic.okafor,
        patient_id=clinic.patients[0].id,
        type_id=clinic.type_id("New consultation"),
        reason="Second opinion",
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT)
    return dialog


def appointments_of(clinic: Practice) -> list[data.AppointmentData]:
    return lookup.appointments_for_patient(clinic.context, clinic.patients[0].id)


def test_a_booking_saved_as_the_connection_dropped_says_booked_and_cannot_book_twice(
    qtbot: QtBot,
    screen: ScreenContext,
    clinic: Practice,
    monkeypatch: pytest.MonkeyPatch,
    questions: Questions,
) -> None:
    calls = cut_at_commit(monkeypatch, booking, "book", "saved")
    dialog = open_booking(qtbot, screen, clinic)
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.banner.text.startswith("Booked."), timeout=WAIT)
    assert "found the appointment saved" in dialog.banner.text
    assert "Do not book it again" in dialog.banner.text
    assert "Not booked" not in dialog.banner.text
    assert dialog.isVisible()
    # Enter again books nothing: the form is done, its Book button off.
    assert not dialog.book_button.isEnabled()
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert len(calls) == 1
    assert len(appointments_of(clinic)) == 1
    # Esc closes without asking (nothing unsaved); the screen then hears what was booked.
    assert dialog.cancel_button.text() == "Close"
    with qtbot.waitSignal(dialog.booked, timeout=WAIT) as booked:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert questions.asked == []
    assert not dialog.isVisible()
    assert booked.args[0] == calls[0]


def test_a_booking_whose_outcome_is_unknown_says_to_look_before_booking_again(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_at_commit(monkeypatch, booking, "book", "unknown")
    dialog = open_booking(qtbot, screen, clinic)
    dialog.save()
    qtbot.waitUntil(lambda: "not known yet" in dialog.banner.text, timeout=WAIT)
    assert "look for it in the calendar before booking it again" in dialog.banner.text
    assert "Not booked" not in dialog.banner.text
    assert "nothing was saved" not in dialog.banner.text
    assert dialog.isVisible() and dialog.reason_edit.text() == "Second opinion"
    # It had in fact been booked: booking again (for real now) is refused, and says why.
    monkeypatch.undo()
    qtbot.waitUntil(dialog.book_button.isEnabled, timeout=WAIT)
    dialog.save()
    qtbot.waitUntil(lambda: "probably by this very booking" in dialog.banner.text, timeout=WAIT)
    assert len(appointments_of(clinic)) == 1


def open_intake(qtbot: QtBot, screen: ScreenContext) -> IntakeDialog:
    dialog = IntakeDialog(screen)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_call(qtbot, dialog)
    return dialog


def test_a_request_saved_as_the_connection_dropped_says_recorded_and_is_not_saved_twice(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    monkeypatch: pytest.MonkeyPatch,
    questions: Questions,
) -> None:
    calls = cut_at_commit(monkeypatch, intake, "create_request", "saved")
    dialog = open_intake(qtbot, screen)
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.banner.text.startswith("Request recorded."), timeout=WAIT)
    assert "found it saved" in dialog.banner.text
    assert "Not saved" not in dialog.banner.text
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    assert len(calls) == 1
    assert len(work_queue.queue(context).rows) == 1
    assert dialog.cancel_button.text() == "Close"
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert questions.asked == []
    assert saved.args[0] == calls[0]


def test_a_request_whose_outcome_is_unknown_keeps_the_typing_and_says_to_look_first(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_at_commit(monkeypatch, intake, "create_request", "unknown")
    dialog = open_intake(qtbot, screen)
    dialog.save()
    qtbot.waitUntil(lambda: "not known yet" in dialog.banner.text, timeout=WAIT)
    assert "look for it in the work queue before saving it again" in dialog.banner.text
    assert "Not saved" not in dialog.banner.text
    assert dialog.isVisible() and dialog.last_name.text() == "Nunez-Garcia"
    assert dialog.save_button.isEnabled()


@pytest.mark.parametrize("outcome", ["saved", "unknown"])
def test_any_other_form_says_saved_after_all_or_not_known_never_not_saved(
    qtbot: QtBot,
    screen: ScreenContext,
    clinic: Practice,
    monkeypatch: pytest.MonkeyPatch,
    outcome: str,
) -> None:
    """The path every form's save shares (SavingForm.save_error), here the waitlist's."""
    calls = cut_at_commit(monkeypatch, waitlist, "add_to_waitlist", outcome)
    dialog = AddToWaitlistDialog(screen, patient_id=clinic.patients[1].id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.show()
    dialog.save()
    qtbot.waitUntil(lambda: bool(calls) and not dialog.saving, timeout=WAIT)
    assert "Not saved" not in dialog.banner.text
    if outcome == "saved":
        assert dialog.banner.text.startswith("It was saved")
        assert not dialog.save_button.isEnabled()
        dialog.save()  # Enter again: nothing more
        assert len(calls) == 1
    else:
        assert "whether it was saved is not known yet" in dialog.banner.text
        assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert len(waitlist.list_waitlist(clinic.context)) == 1
