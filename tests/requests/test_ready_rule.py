"""Issue #16 finding 4: Ready to schedule with records missing warns with the list, and goes
ahead only with a reason, recorded on the request and in the audit trail. Services on SQLite
and PostgreSQL; the warning and the Admin rule with real widgets."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.domain.request_states import ChecklistKind, RequestState
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice import settings
from frontdesk.services.practice.settings import READY_NEEDS_IMAGES
from frontdesk.services.requests import checklist, intake, reading, states
from frontdesk.services.requests.states import RecordsMissingError
from frontdesk.ui.admin.practice_rules import PracticeRulesPanel
from frontdesk.ui.screen_context import ScreenContext
from tests.requests.conftest import maria_intake, open_the_only_request

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)
WAIT = 10_000
FOUR_MISSING = (
    "Operative report: surgery 1 of 2",
    "Operative report: last surgery (2021)",
    "Imaging report: MRI May 2024",
    "Imaging disc or files: MRI May 2024",
)


def _state(context: ServiceContext, request_id: int) -> RequestState:
    return reading.get_request(context, request_id).request.state


def test_ready_with_records_missing_is_refused_naming_them(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake(channel="referral_fax"))
    with pytest.raises(RecordsMissingError) as refused:
        states.transition(context, data.id, RequestState.READY_TO_SCHEDULE)
    # The referral letter is missing too, but the practice rule does not ask for it.
    assert refused.value.missing == FOUR_MISSING
    assert "Records still missing: Operative report: surgery 1 of 2;" in str(refused.value)
    assert _state(context, data.id) is RequestState.NEW
    assert len(reading.get_request(context, data.id).transitions) == 1


def test_an_override_records_what_was_missing_and_why(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake())
    with pytest.raises(RecordsMissingError):
        states.transition(context, data.id, RequestState.READY_TO_SCHEDULE, override_reason="   ")
    detail = states.transition(
        context,
        data.id,
        RequestState.READY_TO_SCHEDULE,
        "called the patient",
        override_reason="Dr. Okafor reviews the films at the visit",
    )
    assert detail.request.state is RequestState.READY_TO_SCHEDULE
    note = detail.transitions[-1].note
    assert note.startswith("Ready without Operative report: surgery 1 of 2;")
    assert "Reason: Dr. Okafor reviews the films at the visit." in note
    assert note.endswith("called the patient")
    with context.database.read_sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "override").order_by(AuditEntry.id)
        ).one()
        assert entry.patient_id == data.patient_id
        details = json.loads(entry.details)
    assert details["missing"] == list(FOUR_MISSING)
    assert details["reason"] == "Dr. Okafor reviews the films at the visit"


def test_the_rule_asks_only_for_what_admin_ticked(context: ServiceContext) -> None:
    settings.set_setting(context, READY_NEEDS_IMAGES, False)
    data = intake.create_request(context, maria_intake())
    for item in reading.get_request(context, data.id).checklist:
        if item.kind is not ChecklistKind.IMAGING_FILES:
            checklist.mark_received(context, item.id)
    # Only the images are missing, and this practice does not wait for them.
    states.transition(context, data.id, RequestState.READY_TO_SCHEDULE)
    assert _state(context, data.id) is RequestState.READY_TO_SCHEDULE


# --- with real widgets ---------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_ready_button_warns_and_asks_for_a_reason(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    data = intake.create_request(context, maria_intake())
    area = open_the_only_request(qtbot, screen)
    panel = area.detail
    panel.state_buttons[RequestState.READY_TO_SCHEDULE].click()
    qtbot.waitUntil(lambda: panel.override_dialog is not None, timeout=WAIT)
    dialog = panel.override_dialog
    assert dialog is not None
    listed = [dialog.missing.item(i).text() for i in range(dialog.missing.count())]
    assert tuple(listed) == FOUR_MISSING
    assert "Records still missing" in panel.banner.text
    assert _state(context, data.id) is RequestState.NEW

    dialog.ready_button.click()  # no reason: refused next to the field, nothing moves
    assert dialog.isVisible() and dialog.message.text().startswith("Say why")
    qtbot.keyClicks(dialog.reason, "Surgeon reviews films at visit")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            panel.detail is not None
            and panel.detail.request.state is RequestState.READY_TO_SCHEDULE
        ),
        timeout=WAIT,
    )
    shown = [panel.history.item(i).text() for i in range(panel.history.count())]
    assert "Reason: Surgeon reviews films at visit." in shown[-1]
    assert "Ready without Operative report: surgery 1 of 2" in shown[-1]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_admin_chooses_which_records_must_be_in(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    panel = PracticeRulesPanel(screen)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.loaded, timeout=WAIT)
    images = panel.settings[READY_NEEDS_IMAGES.key].editor
    assert isinstance(images, QCheckBox) and images.isChecked()
    assert images.text() == "Must be in"
    images.setChecked(False)
    panel.save()
    qtbot.waitUntil(lambda: not panel.saving and panel.banner.kind == "success", timeout=WAIT)
    assert settings.get_setting(context, READY_NEEDS_IMAGES) is False
