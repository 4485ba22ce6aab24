"""A receptionist typing scenario 1's call into the intake form."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.ui.requests.intake import IntakeDialog


def type_call(qtbot: QtBot, dialog: IntakeDialog, *, phone: str = "217 555 0188") -> None:
    """A receptionist's keystrokes: Tab order, typed text, arrow keys in the lists."""
    # QTest types ASCII only; accented names are covered by the service tests.
    qtbot.keyClicks(dialog.last_name, "Nunez-Garcia")
    qtbot.keyClicks(dialog.first_name, "Maria Jose")
    qtbot.keyClicks(dialog.date_of_birth, "03/04/1961")
    qtbot.keyClicks(dialog.phone, phone)
    qtbot.keyClicks(dialog.reason, "Pain worse since the second operation")
    dialog.category.setFocus()
    qtbot.keyClicks(dialog.category, "F")  # first category starting with F: Failed back
    qtbot.keyClick(dialog.regions_box("lumbar"), Qt.Key.Key_Space)
