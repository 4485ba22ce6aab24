"""The surgeon's summary's opening lines: the visit, who referred, the language, never a
guess where nothing was recorded."""

from __future__ import annotations

import dataclasses

from frontdesk.documents.history_summary_pdf import render
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.domain.history_records import VisitContext
from tests.documents.pdfs import all_text
from tests.documents.test_every_name_prints import _history


def _text(visit: VisitContext, practice: PracticeDetails) -> str:
    history = dataclasses.replace(_history("王小明"), visit=visit)
    return " ".join(all_text(render(history, practice)).split())


def test_nothing_recorded_is_said_so(practice: PracticeDetails) -> None:
    text = _text(VisitContext(), practice)
    assert "Reason for visit: not recorded" in text
    assert "Referred by: not recorded" in text
    assert "Language: not recorded; no interpreter asked for" in text
    assert "English" not in text


def test_the_visit_prints_as_typed(practice: PracticeDetails) -> None:
    visit = VisitContext(
        reason="Pain <worse> & numb",
        referring_physician="Dr. Anil Patel, MD (Riverside)",
        language="Arabic",
        interpreter_needed=True,
    )
    text = _text(visit, practice)
    assert "Reason for visit: Pain <worse> & numb" in text
    assert "Referred by: Dr. Anil Patel, MD (Riverside)" in text
    assert "Language: Arabic, interpreter needed" in text
    assert "English, no interpreter needed" in _text(VisitContext(language="English"), practice)
