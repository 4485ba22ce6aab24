"""Give handouts from a request's pane: its category's handouts, in the patient's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from pytestqt.qtbot import QtBot

from frontdesk.domain.request_categories import RequestCategory
from frontdesk.services.handouts import library as handouts
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake
from frontdesk.ui.handouts.give_dialog import GiveHandoutsDialog
from frontdesk.ui.requests.detail import RequestDetailPanel
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.handouts import FAILED_BACK_HANDOUTS
from tests.requests.conftest import maria_intake

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)

# The shipped handouts whose categories name failed back (or "all").
NECK_ES = """id: own-neck-care
title: Cuidado del cuello
language: es
version: 1
last reviewed: 2026-11-25
reviewer: Dr. Ana Lindqvist
review due: 2027-05-25
categories: Neck pain
---
# Cada día
Camine un poco cada día. Llame a {practice_name} al {phones} si le duele más.
"""


@pytest.fixture
def screen(front_desk: ServiceContext, home: Path, profile: None) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(front_desk, runner)
    runner.wait_for_idle()
    QCoreApplication.processEvents()


def open_request(qtbot: QtBot, screen: ScreenContext, request_id: int) -> RequestDetailPanel:
    panel = RequestDetailPanel(screen)
    qtbot.addWidget(panel)
    panel.resize(700, 900)
    panel.show()
    panel.load(request_id)
    qtbot.waitUntil(lambda: panel.detail is not None, timeout=10_000)
    return panel


def give_handouts(qtbot: QtBot, panel: RequestDetailPanel) -> GiveHandoutsDialog:
    assert panel.handouts_button.isVisible()
    qtbot.mouseClick(panel.handouts_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.handouts_dialog is not None, timeout=10_000)
    dialog = panel.handouts_dialog
    assert isinstance(dialog, GiveHandoutsDialog)
    qtbot.waitUntil(lambda: dialog.list.count() > 0, timeout=15_000)
    return dialog


def test_a_failed_back_request_ticks_the_failed_back_handouts_in_spanish(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    # The practice's own handout for another category is offered, but not ticked.
    (handouts.create_practice_folder() / "own-neck-care.es.txt").write_text(
        NECK_ES, encoding="utf-8"
    )
    request = intake.create_request(context, maria_intake())  # Spanish, failed back
    panel = open_request(qtbot, screen, request.id)
    dialog = give_handouts(qtbot, panel)
    assert dialog.category is RequestCategory.FAILED_BACK
    assert dialog.patient.id == request.patient_id
    ticked = {(s.handout.id, s.handout.language) for s in dialog.ticked()}
    assert ("failed-back-syndrome", "es") in ticked
    assert ticked == {(handout_id, "es") for handout_id in FAILED_BACK_HANDOUTS}
    # The ticked ones lead the list; the rest can still be added, unticked.
    suggestions = dialog.suggestions()
    assert {s.handout.id for s in suggestions[:6]} == FAILED_BACK_HANDOUTS
    assert [(s.handout.id, s.matches_category) for s in suggestions[6:]] == [
        ("own-neck-care", False)
    ]
    assert "Failed back / failed fusion syndrome" in dialog.language_note.text()
    assert "Prefers Spanish" in dialog.language_note.text()

    # A second click brings the same dialog forward instead of opening another.
    qtbot.mouseClick(panel.handouts_button, Qt.MouseButton.LeftButton)
    assert panel.handouts_dialog is dialog
    dialog.reject()
    qtbot.waitUntil(lambda: panel.handouts_dialog is None)


def test_an_english_speaker_with_stenosis_gets_the_english_stenosis_handout(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    request = intake.create_request(
        context,
        maria_intake(
            first_name="Sean",
            last_name="OConnor",
            date_of_birth="9/17/1958",
            category="spinal_stenosis",
            language="",
            interpreter_needed=False,
        ),
    )
    panel = open_request(qtbot, screen, request.id)
    dialog = give_handouts(qtbot, panel)
    ticked = {(s.handout.id, s.handout.language) for s in dialog.ticked()}
    assert ("spinal-stenosis", "en") in ticked
    assert all(language == "en" for _id, language in ticked)
    assert ("failed-back-syndrome", "en") not in ticked  # not written for stenosis
