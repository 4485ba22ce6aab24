"""Scenario 8, next month: the office manager imports the old system's patients (the preview
lists the bad rows by line and reason; she maps "DOB" herself), then moves the practice to a
PostgreSQL server with the copy tool, where another desk finds the imported patients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.db.engine import open_database
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.search import search
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.ui.patients.import_wizard import (
    CONFIRM_STEP,
    MAPPING_STEP,
    PREVIEW_STEP,
    RESULT_STEP,
    ImportWizard,
)
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor
from tests.helpers.cli import frontdesk
from tests.helpers.screens import QT_NOISE

pytestmark = QT_NOISE
GOOD_ROWS = 57
BAD = {  # line number in the file: why it is refused
    5: "not a real date",
    20: "Last name is missing",
    41: "not a real date",
}


def old_system_csv(path: Path) -> Path:
    lines = ["Chart #,Last Name,First Name,DOB,Cell"]
    for number in range(1, GOOD_ROWS + len(BAD) + 1):
        line = number + 1
        last = "" if BAD.get(line) == "Last name is missing" else f"Patient{number:03d}"
        born = (
            "1961-02-30"
            if BAD.get(line) == "not a real date"
            else f"{number // 28 + 1}/{number % 28 + 1}/1960"
        )
        lines.append(f"A{number},{last},Ann,{born},217-555-{number:04d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wait_for_step(qtbot: QtBot, wizard: ImportWizard, step: int) -> None:
    qtbot.waitUntil(lambda: wizard.step == step and wizard.task is None, timeout=30_000)


def test_scenario_8_import_with_bad_rows_then_move_to_postgresql(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    database_url: str,
    scratch_postgres: Callable[[], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wizard = ImportWizard(screen.services, screen.runner)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.path_edit.setFocus()
    qtbot.keyClicks(wizard.path_edit, str(old_system_csv(tmp_path / "old.csv")))
    qtbot.keyClick(wizard.path_edit, Qt.Key.Key_Return)
    wait_for_step(qtbot, wizard, MAPPING_STEP)
    # "DOB" is not recognized: she maps it to the date of birth.
    if wizard.mapping()[3] != "date_of_birth":
        wizard.set_field(3, "date_of_birth")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    wait_for_step(qtbot, wizard, PREVIEW_STEP)
    assert wizard.count_labels["errors"].text() == str(len(BAD))
    model = wizard.problems_model
    listed = {
        int(model.data(model.index(row, 0))): str(model.data(model.index(row, 3)))
        for row in range(model.rowCount())
        if str(model.data(model.index(row, 2))).startswith("Error")
    }
    assert set(listed) == set(BAD)
    for line, why in BAD.items():
        assert why in listed[line]
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step == CONFIRM_STEP
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    wait_for_step(qtbot, wizard, RESULT_STEP)
    assert wizard.result is not None
    imported = wizard.result.imported  # possible duplicates left out unless asked for
    assert 0 < imported <= GOOD_ROWS

    # The move to the server: `frontdesk db copy`, verified; another desk there finds them.
    server = scratch_postgres()
    copied = frontdesk("db", "copy", "--from", database_url, "--to", server, capsys=capsys)
    assert copied.code == 0, copied.err
    assert "every table has the same rows" in copied.out
    database = open_database(server)
    try:
        desk = make_context(database, make_actor(Role.FRONT_DESK, "desk.new"))
        assert search(desk, "Patient001").items[0].last_name == "Patient001"
    finally:
        database.dispose()
