"""Names typed as HTML show as typed: every list and table on every screen, tooltips included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSettings, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QAbstractItemView, QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from frontdesk.db.models_patients import Patient
from frontdesk.demo import generator as demo
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.plain_text import plain_tooltip

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HOSTILE_FIRST = "<font size=6 color=red>DECEASED</font>"
HOSTILE_LAST = "<img src='/etc/hostname'>"


@pytest.fixture
def screen(context: ServiceContext) -> Iterator[ScreenContext]:
    demo.generate(context, patients=60, seed=3)
    with context.database.write_sessions() as session:
        session.execute(update(Patient).values(first_name=HOSTILE_FIRST, last_name=HOSTILE_LAST))
        session.commit()
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()


def _strings(model: QAbstractItemModel, parent: QModelIndex, depth: int = 0) -> Iterator[str]:
    try:
        columns = model.columnCount(parent)
    except TypeError:  # a list model keeps columnCount private: it has one column
        columns = 1
    for row in range(min(model.rowCount(parent), 100)):
        for column in range(columns):
            index = model.index(row, column, parent)
            value = model.data(index, Qt.ItemDataRole.ToolTipRole)
            if isinstance(value, str):
                yield value
            if depth < 2 and columns > 1 and model.rowCount(index) > 0:
                yield from _strings(model, index, depth + 1)


def test_plain_tooltip_escapes_markup_and_keeps_the_words() -> None:
    shown = plain_tooltip(f"{HOSTILE_FIRST} & co\nline two")
    assert shown is not None and GuiQt.mightBeRichText(shown)
    assert "<font" not in shown and "<img" not in shown
    assert "&lt;font size=6 color=red&gt;DECEASED&lt;/font&gt; &amp; co<br>line two" in shown
    assert plain_tooltip("") is None and plain_tooltip(None) is None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_screen_shows_a_typed_name_as_html(
    qtbot: QtBot, screen: ScreenContext, tmp_path: Path
) -> None:
    window = MainWindow(screen, QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    tooltips: list[str] = []
    for key in window.area_keys():
        window.show_area(key)
        screen.runner.wait_for_idle()
        QApplication.processEvents()
        for view in window.findChildren(QAbstractItemView):
            model = view.model()
            if model is not None:
                tooltips.extend(_strings(model, QModelIndex()))
    named = [text for text in tooltips if "DECEASED" in text]
    assert named, "no tooltip showed a patient's name: the walk reached no patient list"
    for text in tooltips:
        if GuiQt.mightBeRichText(text):
            assert "<font" not in text and "<img" not in text, text
