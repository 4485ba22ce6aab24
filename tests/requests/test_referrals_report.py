"""The referrals report: counts per physician, category and month; CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from frontdesk.domain.request_states import RequestState
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.referrers import ReferrerData
from frontdesk.services.requests import intake, report, states
from frontdesk.ui.requests.report import ReferralsReportDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.requests.conftest import maria_intake


def _fill(context: ServiceContext, patel: ReferrerData) -> None:
    october = datetime(2026, 10, 5, 15, tzinfo=UTC)
    november = datetime(2026, 11, 3, 15, tzinfo=UTC)
    made = []
    for when, referrer, category in (
        (october, patel.id, "failed_back"),
        (october, patel.id, "failed_back"),
        (october, None, "neck_pain"),
        (november, patel.id, "failed_back"),
    ):
        made.append(
            intake.create_request(
                context,
                maria_intake(referrer_id=referrer, category=category),
                allow_duplicates=True,
                received_at=when,
            )
        )
    for state in (RequestState.READY_TO_SCHEDULE, RequestState.SCHEDULED):
        states.transition(context, made[0].id, state, override_reason="records at the visit")
    states.transition(context, made[1].id, RequestState.CLOSED, closed_reason="declined")


def test_counts_per_physician_category_and_month(
    context: ServiceContext, patel: ReferrerData
) -> None:
    _fill(context, patel)
    rows = report.referrals_report(context)
    summary = [
        (r.month, r.referrer, r.category.value, r.requests, r.booked, r.closed) for r in rows
    ]
    assert summary == [
        ("2026-11", "Dr. Anil Patel", "failed_back", 1, 0, 0),
        ("2026-10", "Dr. Anil Patel", "failed_back", 2, 1, 1),
        ("2026-10", "", "neck_pain", 1, 0, 0),
    ]
    only_november = report.referrals_report(context, received_from=datetime(2026, 11, 1).date())
    assert [r.month for r in only_november] == ["2026-11"]
    table = list(csv.reader(io.StringIO(report.referrals_csv(rows))))
    assert table[0][:3] == ["Month", "Referring physician", "Category"]
    assert table[3][1] == "(no referring physician)"


def test_the_report_shows_and_exports_csv(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    patel: ReferrerData,
    tmp_path: Path,
) -> None:
    _fill(context, patel)
    dialog = ReferralsReportDialog(screen)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=10_000)
    assert dialog.table.item(0, 1).text() == "Dr. Anil Patel"
    target = tmp_path / "referrals.csv"
    dialog.export_to(target)
    qtbot.waitUntil(lambda: "Exported 3 rows" in dialog.banner.text, timeout=10_000)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 4 and rows[2][3:6] == ["2", "1", "1"]
