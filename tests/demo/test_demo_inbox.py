"""The demo practice's Wednesday inbox: faxes waiting, the story patient's MRI suggested."""

from __future__ import annotations

from frontdesk.demo import generator as demo
from frontdesk.demo.inbox import fill_inbox
from frontdesk.services.inbox import listing
from frontdesk.services.kernel.context import ServiceContext


def test_the_demo_inbox_holds_the_weeks_faxes_with_the_story_patients_report(
    context: ServiceContext,
) -> None:
    demo.generate(context, patients=40, seed=2)
    assert fill_inbox(context, documents=12, seed=2) == 12
    rows = listing.unfiled(context)
    assert len(rows) == 12
    first = rows[0]
    assert first.source == "email" and first.suggested_kind == "imaging-report"
    assert first.suggested_mrn  # the story patient, found by name and birth date
    kinds = {row.suggested_kind for row in rows if row.reading == "done"}
    assert {"referral", "operative-report", "imaging-report", "other"} <= kinds
    assert any(row.page_count == 9 for row in rows)  # the hospital fax to split
    assert any(row.reading == "waiting" for row in rows)  # scanned: read by the app
