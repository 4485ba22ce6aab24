"""Scenario 4, Wednesday 16:30: tomorrow's pre-visit packets for the surgeon's patients are
saved with progress; María José's is in Spanish with what to bring and a personal note of her
own; the chart's "Handouts given" records what was printed, which version, when and by whom."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.services.handouts import handout_prints
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.handouts.packets_dialog import PacketsDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.documents.pdfs import page_texts
from tests.handouts.conftest import home
from tests.handouts.packet_fixtures import PacketDay, make_packet_day
from tests.helpers.screens import QT_NOISE

pytestmark = QT_NOISE
__all__ = ["home"]  # a data folder of this test's own
# Typed key by key (QTest types ASCII only).
PERSONAL_NOTE = "Traiga su andador, por favor; la rampa queda a la izquierda de la entrada."


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


def test_scenario_4_packets_for_tomorrow_in_her_language_recorded_on_the_chart(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    packet_day: PacketDay,
    tmp_path: Path,
) -> None:
    dialog = PacketsDialog(screen, packet_day.day, packet_day.clinic.okafor)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.providers_shown, timeout=10_000):
        dialog.show()
    # Before saving, María José gets a personal note of her own, in her language.
    qtbot.waitUntil(lambda: dialog.patients.rowCount() == 2, timeout=10_000)
    row = dialog.patients.row_of(packet_day.spanish.id)
    assert dialog.patients.index(row, 2).data().startswith("Spanish")
    dialog.patient_table.setFocus()
    dialog.patient_table.selectRow(row)
    qtbot.keyClick(dialog.patient_table, Qt.Key.Key_Return)
    editor = dialog.note_editor
    assert editor is not None
    qtbot.keyClicks(editor.note, PERSONAL_NOTE)
    qtbot.keyClick(editor.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.note_editor is None)
    assert PERSONAL_NOTE[:20] in dialog.patients.index(row, 3).data()

    with qtbot.waitSignal(dialog.finished_work, timeout=60_000) as finished:
        assert dialog.save_to(tmp_path / "out") is not None
        assert dialog.progress is not None  # the progress bar (with Cancel) while it works
    kind, text = finished.args
    assert kind == "saved" and "Saved 2 packets" in text, text

    packet_files = [p for p in sorted((tmp_path / "out").iterdir()) if "History" not in p.name]
    texts = [" ".join("\n".join(page_texts(p.read_bytes())).split()) for p in packet_files]
    (hers,) = [text for text in texts if "Núñez-García" in text]
    # Her note is in her letter, as typed, under the Spanish heading; no one else's has it.
    assert f"Una nota para usted: {PERSONAL_NOTE}" in hers
    others = [text for text in texts if text is not hers]
    assert others and not any(PERSONAL_NOTE[:20] in text for text in others)

    prints = handout_prints.prints_for_patient(context, packet_day.spanish.patient_id)
    assert prints and all(p.version and p.given_by == "test.admin" for p in prints)
    assert all(p.given_at is not None for p in prints)
    assert any(p.language.startswith("es") for p in prints)  # her packet is in Spanish
