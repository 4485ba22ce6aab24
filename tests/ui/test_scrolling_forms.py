"""A form taller than the window follows the keyboard: at 150% scaling Alt+R put the focus in
"Referred by" below the fold and left it unseen, and a refused Ctrl+S named a field out of
view."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import focus_target

WAIT_MS = 10_000

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()


def in_view(scroll: QScrollArea, widget: QWidget) -> bool:
    top_left = widget.mapTo(scroll.viewport(), QPoint(0, 0))
    return scroll.viewport().rect().contains(QRect(top_left, widget.size()))


def open_short_intake(qtbot: QtBot, screen: ScreenContext) -> tuple[IntakeDialog, QScrollArea]:
    dialog = IntakeDialog(screen)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    # As at 150% on a laptop: the form is taller than the window, which cannot grow.
    dialog.setMinimumSize(0, 0)
    dialog.setMaximumHeight(380)
    dialog.resize(1000, 380)
    QApplication.processEvents()
    scroll = dialog.findChild(QScrollArea)
    assert scroll is not None
    assert scroll.verticalScrollBar().maximum() > 0
    return dialog, scroll


def test_an_alt_key_scrolls_the_intake_form_to_its_field(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    dialog, scroll = open_short_intake(qtbot, screen)
    referrer = focus_target(dialog.referrer)
    assert not in_view(scroll, referrer)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(referrer.hasFocus)
    qtbot.waitUntil(lambda: in_view(scroll, referrer))


def test_a_refused_save_scrolls_to_the_first_field_it_names(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    dialog, scroll = open_short_intake(qtbot, screen)
    # A name typed at the top; the contact it lacks is further down.
    qtbot.keyClicks(dialog.last_name, "Okafor")
    qtbot.keyClicks(dialog.first_name, "Ada")
    dialog.last_name.setFocus()
    scroll.verticalScrollBar().setValue(0)
    qtbot.keyClick(dialog.last_name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.saving, timeout=WAIT_MS)
    focused = QApplication.focusWidget()
    assert focused is not None and focused is not dialog.last_name
    assert focused.accessibleDescription()  # the field the message is about
    qtbot.waitUntil(lambda: in_view(scroll, focused))
