"""The referrals report: requests per referring physician, category and month."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from frontdesk.db.models_patients import Referrer
from frontdesk.db.models_requests import (
    ConsultationRequest,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import (
    RequestState,
)
from frontdesk.services.kernel.clock import clock_text, zone_of
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests._rows import _filtered, _referrer_label
from frontdesk.services.requests.data import QueueFilter, ReferralReportRow

REPORT_COLUMNS = (
    "Month",
    "Referring physician",
    "Category",
    "Requests",
    "Booked",
    "Closed",
    "Open",
)


def referrals_report(
    context: ServiceContext, *, received_from: date | None = None, received_to: date | None = None
) -> list[ReferralReportRow]:
    """Requests per referring physician and category per month, with booked-vs-closed counts
    (months newest first, then the physician, then the category)."""
    table = ConsultationRequest
    query = _filtered(
        select(table.received_at, table.referrer_id, table.category, table.state),
        QueueFilter(received_from=received_from, received_to=received_to),
    )
    counts: dict[tuple[str, int | None, str], list[int]] = {}
    with context.reading(Permission.VIEW_PATIENTS) as session:
        zone = zone_of(session)  # a request received 12/31 at 20:00 in Chicago is December's
        for row in session.execute(query):
            key = (clock_text(row.received_at, zone, "%Y-%m"), row.referrer_id, row.category)
            tally = counts.setdefault(key, [0, 0, 0, 0])
            tally[0] += 1
            state = RequestState(row.state)
            if state in (RequestState.SCHEDULED, RequestState.SEEN):
                tally[1] += 1
            elif state is RequestState.CLOSED:
                tally[2] += 1
            else:
                tally[3] += 1
        referrer_ids = {key[1] for key in counts if key[1] is not None}
        names = {
            r.id: _referrer_label(r)
            for r in session.scalars(select(Referrer).where(Referrer.id.in_(referrer_ids)))
        }
    rows = [
        ReferralReportRow(
            month,
            names.get(referrer_id, "") if referrer_id else "",
            RequestCategory(category),
            *tally,
        )
        for (month, referrer_id, category), tally in counts.items()
    ]
    order = list(RequestCategory)
    rows.sort(key=lambda r: (r.referrer == "", r.referrer, order.index(r.category)))
    rows.sort(key=lambda r: r.month, reverse=True)
    return rows


def referrals_csv(rows: Sequence[ReferralReportRow]) -> str:
    """The report as CSV text (cells that could run as spreadsheet formulas neutralized)."""
    import csv
    import io

    from frontdesk.domain.csv_safety import neutralize_row

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for row in rows:
        writer.writerow(
            neutralize_row(
                [
                    row.month,
                    row.referrer or "(no referring physician)",
                    row.category.label,
                    str(row.requests),
                    str(row.booked),
                    str(row.closed),
                    str(row.open),
                ]
            )
        )
    return buffer.getvalue()
