"""Scenario 6, Thursday 11:20: a wife calls; her husband, operated three weeks ago, has groin
numbness and cannot control his bladder. Ticking those red flags puts the practice's
instruction on screen, where it stays; the request is urgent, the record and the audit trail
say the instruction was given, when and by whom, and the queue shows it urgent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.domain.request_states import RedFlag, Urgency
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import reading
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.screens import QT_NOISE
from tests.scenarios.conftest import WAIT_MS

pytestmark = QT_NOISE
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot: QtBot, screen: ScreenContext, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    main = MainWindow(screen, settings)
    qtbot.addWidget(main)
    main.resize(1280, 720)
    main.show()
    qtbot.waitExposed(main)
    yield main


@pytest.mark.ui_postgresql
def test_scenario_6_red_flags_keep_the_instruction_on_screen_and_record_it(
    qtbot: QtBot, window: MainWindow, context: ServiceContext
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    area = window.current_area()
    assert isinstance(area, RequestsArea)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    dialog = area.intake
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.last_name, "Kowalski")
    qtbot.keyClicks(dialog.first_name, "Piotr")
    qtbot.keyClicks(dialog.date_of_birth, "05/11/1957")
    qtbot.keyClicks(dialog.phone, "217 555 0161")
    qtbot.keyClicks(dialog.caller_name, "Anna Kowalski")
    qtbot.keyClicks(dialog.caller_relationship, "wife")
    qtbot.keyClicks(dialog.reason, "Operated 3 weeks ago; groin numbness, bladder since last night")
    dialog.category.setFocus()
    qtbot.keyClicks(dialog.category, "O")  # Other: a problem after surgery
    qtbot.keyClick(dialog.regions_box("lumbar"), Qt.Key.Key_Space)
    panel = dialog.red_flags
    assert not panel.instruction_frame.isVisible()
    for flag in (RedFlag.SADDLE_NUMBNESS, RedFlag.BLADDER_BOWEL):
        panel.boxes[flag].setFocus()
        qtbot.keyClick(panel.boxes[flag], Qt.Key.Key_Space)
    assert panel.instruction_frame.isVisible()
    assert "emergency department" in panel.instruction.text()
    assert dialog.urgent.isChecked() and not dialog.urgent.isEnabled()
    # It stays while the rest of the call is typed, even if a box is unticked by mistake.
    qtbot.keyClick(panel.boxes[RedFlag.SADDLE_NUMBNESS], Qt.Key.Key_Space)
    qtbot.keyClick(panel.boxes[RedFlag.SADDLE_NUMBNESS], Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.notes, "Told her to go to the emergency department now")
    assert panel.instruction_frame.isVisible()

    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS, raising=False) as saved:
        qtbot.keyClick(dialog.phone, Qt.Key.Key_S, CTRL)
    assert saved.signal_triggered, dialog.banner.text
    data = saved.args[0]
    stored = reading.get_request(context, data.id).request
    assert stored.urgency is Urgency.URGENT
    assert set(stored.red_flags) == {RedFlag.SADDLE_NUMBNESS, RedFlag.BLADDER_BOWEL}
    assert "emergency" in stored.red_flag_instruction
    assert stored.instruction_given_by == "test.admin"
    assert stored.instruction_given_at is not None

    # The queue shows it urgent; the audit trail has the request with its red flags.
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=WAIT_MS)
    assert area.model.rows[0].urgency is Urgency.URGENT
    with context.reading(None) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.patient_id == stored.patient_id)
        ).all()
    assert any("instruction" in str(entry.details) for entry in entries)
