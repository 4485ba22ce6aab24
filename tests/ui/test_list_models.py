"""The small list models not covered elsewhere pass pytest-qt's model tester with real data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from PySide6.QtCore import QPersistentModelIndex, Qt

from frontdesk.domain.history_records import TimelineEvent
from frontdesk.domain.partial_dates import parse_partial_date
from frontdesk.services.handouts import library as handouts
from frontdesk.ui.handouts.table_models import library_model
from frontdesk.ui.history.timeline import TimelineModel
from frontdesk.ui.widgets.plain_text import plain_tooltip
from frontdesk.ui.widgets.record_table import RECORD_ROLE, Column, RecordTableModel


def test_the_handout_library_model_is_a_valid_qt_model(qtmodeltester: Any) -> None:
    model = library_model(lambda: UTC)
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


@dataclass(frozen=True)
class Visit:
    id: int
    name: str
    when: int
    active: bool = True


def test_one_record_table_mutes_warns_and_sorts_keeping_the_selected_record(
    qtmodeltester: Any,
) -> None:
    # The admin lists, handouts and chart history all use this one model.
    model = RecordTableModel(
        (
            Column("Name", lambda v: v.name),
            Column(
                "When",
                lambda v: str(v.when),
                sort_key=lambda v: v.when,
                warning=lambda v: v.when < 0,
            ),
        ),
        is_inactive=lambda v: not v.active,
        row_tooltip=lambda v: f"visit {v.id}",
        sort_by=(1, Qt.SortOrder.DescendingOrder),
    )
    model.set_records([Visit(1, "b", 5), Visit(2, "a", -1, active=False), Visit(3, "c", 10)])
    qtmodeltester.check(model)
    assert [model.index(row, 0).data() for row in range(3)] == ["c", "b", "a"]  # numbers, not text
    assert model.index(2, 1).data(Qt.ItemDataRole.ForegroundRole) is not None  # warning
    assert model.index(2, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # inactive
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == plain_tooltip("visit 3")
    assert model.index(0, 0).data(RECORD_ROLE) == Visit(3, "c", 10)
    selected = QPersistentModelIndex(model.index(0, 0))
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.index(row, 0).data() for row in range(3)] == ["a", "b", "c"]
    assert selected.row() == 2 and model.row_of(3) == 2
