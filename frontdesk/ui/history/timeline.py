"""A patient's timeline: surgeries, imaging (and later requests, appointments) in date order."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QListView,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.history_records import HISTORY_TABLES, TimelineEvent
from frontdesk.services.history import timeline
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.runner import Runner
from frontdesk.ui.style import ACCENT, ERROR_INK, INK, MUTED
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.plain_text import plain_tooltip

AnyIndex = QModelIndex | QPersistentModelIndex
EVENT_ROLE = Qt.ItemDataRole.UserRole + 1

KIND_WORDS = {
    "surgery": "Surgery",
    "imaging": "Imaging",
    "request": "Request",
    "appointment": "Appointment",
    "call": "Phone call",
}
# Each kind has its own dot colour; the kind is always written next to it too.
KIND_COLOURS = {
    "surgery": ACCENT,
    "imaging": "#2a7f62",
    "request": "#8a5a00",
    "appointment": "#6b4c9a",
    "call": "#1f6f8b",
}


# The tables of the other areas' events (the requests', appointments' and calls').
OTHER_SOURCES = frozenset({"consultation_requests", "appointments", "phone_notes"})


def event_text(event: TimelineEvent) -> str:
    """The event in words, for screen readers and copying."""
    parts = [event.date_text, KIND_WORDS.get(event.kind, event.kind.capitalize()), event.title]
    if event.detail:
        parts.append(event.detail)
    if event.flags:
        parts.append("; ".join(event.flags))
    return " — ".join(parts)


class TimelineModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.events: list[TimelineEvent] = []

    def set_events(self, events: list[TimelineEvent]) -> None:
        self.beginResetModel()
        self.events = list(events)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.events)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.events):
            return None
        event = self.events[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return event_text(event)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(event_text(event))
        if role == EVENT_ROLE:
            return event
        return None


class TimelineDelegate(QStyledItemDelegate):
    """Draws a rail with a dot per event: date and kind, then what it was, then flags."""

    RAIL_X = 18
    TEXT_X = 40
    PADDING = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(400, metrics.lineSpacing() * 2 + self.PADDING * 2 + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        event: TimelineEvent | None = index.data(EVENT_ROLE)
        if event is None:
            return
        painter.save()
        rect = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, option.palette.highlight().color().lighter(185))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rail = QColor("#c5ced6")
        painter.setPen(QPen(rail, 2))
        painter.drawLine(
            rect.left() + self.RAIL_X, rect.top(), rect.left() + self.RAIL_X, rect.bottom()
        )
        colour = QColor(KIND_COLOURS.get(event.kind, MUTED))
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(colour)
        middle = rect.top() + self.PADDING + QFontMetrics(option.font).lineSpacing() // 2
        painter.drawEllipse(rect.left() + self.RAIL_X - 6, middle - 6, 12, 12)

        metrics = QFontMetrics(option.font)
        line = metrics.lineSpacing()
        left = rect.left() + self.TEXT_X
        width = rect.width() - self.TEXT_X - self.PADDING
        top = rect.top() + self.PADDING
        bold = QFont(option.font)
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        heading = f"{event.date_text}"
        painter.setFont(bold)
        painter.setPen(QColor(INK))
        painter.drawText(QRect(left, top, width, line), Qt.AlignmentFlag.AlignLeft, heading)
        kind_left = left + bold_metrics.horizontalAdvance(heading) + 10
        painter.setPen(colour)
        kind = KIND_WORDS.get(event.kind, event.kind.capitalize())
        painter.drawText(QRect(kind_left, top, 140, line), Qt.AlignmentFlag.AlignLeft, kind)
        title_left = kind_left + bold_metrics.horizontalAdvance(kind) + 12
        painter.setPen(QColor(INK))
        painter.drawText(
            QRect(title_left, top, max(0, left + width - title_left), line),
            Qt.AlignmentFlag.AlignLeft,
            bold_metrics.elidedText(
                event.title, Qt.TextElideMode.ElideRight, max(0, left + width - title_left)
            ),
        )
        painter.setFont(option.font)
        second = top + line
        detail = event.detail
        painter.setPen(QColor(MUTED))
        detail_width = metrics.horizontalAdvance(detail) if detail else 0
        painter.drawText(QRect(left, second, width, line), Qt.AlignmentFlag.AlignLeft, detail)
        if event.flags:
            flags_left = left + detail_width + (14 if detail else 0)
            painter.setPen(QColor(ERROR_INK))
            flags = "; ".join(event.flags)
            painter.drawText(
                QRect(flags_left, second, max(0, left + width - flags_left), line),
                Qt.AlignmentFlag.AlignLeft,
                metrics.elidedText(
                    flags, Qt.TextElideMode.ElideRight, max(0, left + width - flags_left)
                ),
            )
        painter.restore()


class TimelineWidget(QWidget):
    """A chart's timeline (surgeries, imaging, requests, appointments), oldest first."""

    def __init__(
        self,
        context: ServiceContext,
        runner: Runner,
        patient_id: int,
        changes: QObject | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.patient_id = patient_id
        self.model = TimelineModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(TimelineDelegate(self.view))
        self.view.setAccessibleName("Timeline")
        self.view.setUniformItemSizes(True)
        self.view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.banner = Banner()
        self.empty = EmptyState(
            "Nothing on the timeline yet",
            "Surgeries, imaging, requests, appointments and phone calls appear here in date "
            "order as they are recorded.",
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self.view)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(plain_label("Timeline", "sectionTitle"))
        layout.addWidget(
            plain_label(
                "Oldest first. A year-only date comes before the exact dates of that year.",
                "hint",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        self.loaded = False
        if changes is not None:
            changes.changed.connect(self._on_changed)  # type: ignore[attr-defined]
        self.refresh()

    def refresh(self) -> None:
        def show(events: list[TimelineEvent]) -> None:
            self.model.set_events(events)
            self.pages.setCurrentWidget(self.view if events else self.empty)
            self.loaded = True
            self.banner.clear()

        def fail(message: str) -> None:
            self.banner.show_message("error", f"Could not load the timeline. {message}")

        call = partial(timeline.patient_timeline, self.context, self.patient_id)
        self.runner.run(call, show, fail)

    def _on_changed(self, tables: frozenset[str]) -> None:
        # Other areas' events come from their own tables; "*" and history tables cover ours.
        if touches(tables, HISTORY_TABLES | OTHER_SOURCES):
            self.refresh()
