"""The small list models not covered elsewhere pass pytest-qt's model tester with real data."""

from __future__ import annotations

from typing import Any

from frontdesk.domain.partial_dates import parse_partial_date
from frontdesk.services.handouts import library as handouts
from frontdesk.services.history.chart_history import TimelineEvent
from frontdesk.ui.handouts.table_models import library_model
from frontdesk.ui.history.timeline import TimelineModel


def test_the_handout_library_model_is_a_valid_qt_model(qtmodeltester: Any) -> None:
    model = library_model()
    summaries = handouts.list_handouts(handouts.load_library(include_practice=False))
    model.set_records(summaries)
    assert model.rowCount() == len(summaries) >= 12
    qtmodeltester.check(model)
    model.set_records(summaries[:3])
    qtmodeltester.check(model)


def test_the_timeline_model_is_a_valid_qt_model(qtmodeltester: Any) -> None:
    model = TimelineModel()
    model.set_events(
        [
            TimelineEvent("surgery", parse_partial_date("2019"), "TLIF L4–L5", "Riverside"),
            TimelineEvent("imaging", parse_partial_date("May 2024"), "MRI lumbar"),
            TimelineEvent("request", None, "Consultation request"),
        ]
    )
    assert model.rowCount() == 3
    assert "TLIF L4–L5" in model.index(0, 0).data()
    qtmodeltester.check(model)
