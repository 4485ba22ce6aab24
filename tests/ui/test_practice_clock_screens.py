"""Every screen shows times on the practice's clock (Admin → Practice profile → Time zone),
never the computer's: a desk whose own zone differs still reads the 11:04 the schedule shows.

The computer's zone is set to Tokyo for these tests (the test machine's own is usually UTC,
which would hide the defect); the practice is in Chicago; the moment is 17:04 UTC on
12/07/2026, which is 11:04 in Chicago and 02:04 the next day in Tokyo.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from frontdesk.db.models_patients import Patient, PhoneNote
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.domain.phone_notes import PhoneNoteForm
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.clock import today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.phone_notes import log_call
from frontdesk.services.requests.intake import create_request
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.requests.detail import RequestDetailPanel
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.calls_panel import CallsToReturnPanel
from tests.helpers.screens import open_screen
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import Practice, make_practice

WAIT_MS = 10_000
MOMENT = datetime(2026, 12, 7, 17, 4, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)


@pytest.fixture
def desk_in_tokyo() -> Iterator[None]:
    """The computer's own zone is Tokyo for the test (TZ, read again with tzset)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    try:
        assert MOMENT.astimezone().strftime("%H:%M") == "02:04"  # the computer's clock
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture
def clinic(context: ServiceContext, desk_in_tokyo: None) -> Practice:
    return make_practice(context, patient_count=1)  # the practice is in America/Chicago


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    with open_screen(context) as screen:
        yield screen


def test_the_practice_clock_writes_the_practice_time_not_the_computers(
    desk_in_tokyo: None,
) -> None:
    assert practice_clock.clock_text(MOMENT, CHICAGO) == "12/07/2026 11:04"
    assert practice_clock.clock_text(MOMENT, CHICAGO, practice_clock.STAMP) == "2026-12-07 11:04"


def test_calls_to_return_say_when_the_call_came_on_the_practice_clock(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    context = clinic.context
    note = log_call(
        context,
        clinic.patients[0].id,
        PhoneNoteForm("Daughter", "MRI question", follow_up_on=today(context)),
    )
    with context.writing(None) as uow:
        row = uow.session.get(PhoneNote, note.id)
        assert row is not None
        row.called_at = MOMENT
        uow.commit()

    panel = CallsToReturnPanel(screen)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=WAIT_MS)
    line = panel.list.item(0).text()
    assert "Daughter called 12/07 11:04: MRI question" in line, line


def test_a_red_flag_request_shows_when_the_instruction_was_given_on_the_practice_clock(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    context = clinic.context
    request = create_request(
        context, maria_intake(patient_id=clinic.patients[0].id, red_flags=("bladder_bowel",))
    )
    with context.writing(None) as uow:
        row = uow.session.get(ConsultationRequest, request.id)
        assert row is not None
        row.instruction_given_at = MOMENT
        row.red_flags_asked_at = MOMENT
        row.received_at = MOMENT
        uow.commit()

    panel = RequestDetailPanel(screen)
    qtbot.addWidget(panel)
    panel.load(request.id)
    qtbot.waitUntil(lambda: "Given" in panel.red_flag.text(), timeout=WAIT_MS)
    assert "Given 12/07/2026 11:04 by" in panel.red_flag.text(), panel.red_flag.text()
    intake = panel.intake.text()
    assert "Received 12/07/2026 11:04" in intake, intake
    assert "12/07/2026 11:04)" in intake  # who asked the red-flag questions, and when


def test_the_chart_says_when_it_was_last_changed_on_the_practice_clock(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    context = clinic.context
    patient_id = clinic.patients[0].id
    with context.writing(None) as uow:
        row = uow.session.get(Patient, patient_id)
        assert row is not None
        row.created_at = MOMENT
        row.updated_at = MOMENT
        uow.commit()

    chart = PatientChart(screen, patient_id)
    qtbot.addWidget(chart)
    with qtbot.waitSignal(chart.loaded, timeout=WAIT_MS):
        chart.show()
    text = chart.demographics.last_change.text()
    assert "Chart created 2026-12-07 by" in text, text
    assert "last changed 2026-12-07 11:04 by" in text, text
