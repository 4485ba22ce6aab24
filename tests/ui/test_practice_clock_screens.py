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
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from frontdesk.cli.main import run
from frontdesk.db.models_inbox import InboxDocument
from frontdesk.db.models_patients import Patient, PhoneNote
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.demo.faxes import mri_lines, text_pdf
from frontdesk.domain.phone_notes import PhoneNoteForm
from frontdesk.services.inbox import arrivals, filing, reading
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.clock import today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.phone_notes import log_call
from frontdesk.services.requests.intake import create_request
from frontdesk.services.requests.report import referrals_report
from frontdesk.ui.inbox.chart_faxes import ChartFaxesTab
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.phone_note_dialog import PhoneNoteDialog
from frontdesk.ui.requests.detail import RequestDetailPanel
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.calls_panel import CallsToReturnPanel
from tests.helpers.screens import open_screen
from tests.inbox.conftest import MARIA
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import Practice, make_practice

WAIT_MS = 10_000
MOMENT = datetime(2026, 12, 7, 17, 4, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")

# Near midnight: 02:30 UTC on 12/08 is still 20:30 on 12/07 in Chicago; 05:30 UTC on 12/08 is
# 23:30 on 12/07 in Chicago (and already 14:30 on 12/08 in Tokyo).
EVENING = datetime(2026, 12, 8, 2, 30, tzinfo=UTC)
LATE_EVENING = datetime(2026, 12, 8, 5, 30, tzinfo=UTC)

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


class _LateEvening(datetime):
    """``datetime`` whose now is 23:30 on 12/07 in Chicago (05:30 UTC on 12/08)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _LateEvening:  # type: ignore[override]
        moment = LATE_EVENING.astimezone(tz or UTC)
        return cls.fromtimestamp(moment.timestamp(), moment.tzinfo)


def _filed_fax(clinic: Practice) -> int:
    context = clinic.context
    arrival = arrivals.receive(context, text_pdf(mri_lines(MARIA)), "mri.pdf", source="folder")
    assert arrival.document_id is not None
    reading.read_document(context, arrival.document_id)
    return arrival.document_id


def _set_times(context: ServiceContext, document_id: int, **times: datetime) -> None:
    with context.writing(None) as uow:
        row = uow.session.get(InboxDocument, document_id)
        assert row is not None
        for name, value in times.items():
            setattr(row, name, value)
        uow.commit()


def test_a_phone_notes_tomorrow_is_the_practices_tomorrow_late_in_the_evening(
    qtbot: QtBot,
    screen: ScreenContext,
    clinic: Practice,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(practice_clock, "datetime", _LateEvening)
    patient = clinic.patients[0]
    dialog = PhoneNoteDialog(screen, patient.id, patient.display_name, patient.zone)
    qtbot.addWidget(dialog)
    dialog.follow_up.setText("tomorrow")
    # 23:30 on Monday 12/07 at the practice: tomorrow is Tuesday 12/08, whatever the
    # computer's own day.
    assert dialog.follow_up_day.text() == "Call back on Tue 12/08/2026"
    dialog.follow_up.setText("+2")
    assert dialog.follow_up_day.text() == "Call back on Wed 12/09/2026"


def test_the_chart_faxes_filed_day_is_the_practices_day(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    patient = clinic.patients[0]
    document_id = _filed_fax(clinic)
    filing.file_to_chart(clinic.context, document_id, patient.id, as_kind="imaging-report")
    _set_times(clinic.context, document_id, filed_at=EVENING)

    tab = ChartFaxesTab(screen, patient.id)
    qtbot.addWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT_MS):
        tab.show()
    assert tab.model.rowCount() == 1
    assert tab.model.index(0, 0).data() == "12/07/2026"  # not the UTC (or Tokyo) 12/08


def test_inbox_list_prints_the_arrival_on_the_practice_clock(
    database_url: str, clinic: Practice, capsys: pytest.CaptureFixture[str]
) -> None:
    document_id = _filed_fax(clinic)
    _set_times(clinic.context, document_id, received_at=EVENING)

    assert run(["--database", database_url, "inbox", "list"]) == 0
    out = capsys.readouterr().out
    assert f"#{document_id:<5} 12/07/2026 20:30" in out, out


def test_a_fax_that_came_before_says_when_on_the_practice_clock(clinic: Practice) -> None:
    context = clinic.context
    document_id = _filed_fax(clinic)
    _set_times(context, document_id, received_at=EVENING)
    again = arrivals.receive(context, text_pdf(mri_lines(MARIA)), "mri.pdf", source="folder")
    assert again.outcome == "again"
    assert "first on 12/07/2026 20:30)" in again.message, again.message


def test_the_referrals_report_counts_a_new_years_eve_request_in_december(
    clinic: Practice,
) -> None:
    context = clinic.context
    request = create_request(context, maria_intake(patient_id=clinic.patients[0].id))
    with context.writing(None) as uow:
        row = uow.session.get(ConsultationRequest, request.id)
        assert row is not None
        row.received_at = datetime(2027, 1, 1, 2, 30, tzinfo=UTC)  # 12/31 20:30 in Chicago
        uow.commit()
    assert [row.month for row in referrals_report(context)] == ["2026-12"]
