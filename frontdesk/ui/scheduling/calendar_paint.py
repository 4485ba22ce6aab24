"""Drawing a calendar layout with QPainter: hours, open time, time away, appointment boxes.

Status always travels in words as well as colour ("✓ Confirmed", "✗ Cancelled"), and text on
a type's colour is dark or white, whichever reads better on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from frontdesk.domain.plurals import counted
from frontdesk.domain.scheduling import AppointmentStatus, OpenTime, format_clock
from frontdesk.services.scheduling.data import AppointmentData, AwayTime
from frontdesk.ui.scheduling.calendar_geometry import (
    AXIS_WIDTH,
    AppointmentBox,
    CalendarLayout,
    ProviderDay,
    wall_minute,
)
from frontdesk.ui.style import ACCENT, ERROR_INK, INK, MUTED

OUTSIDE_HOURS = QColor("#e4e7eb")
OPEN_TIME = QColor("#ffffff")
HOUR_LINE = QColor("#c9d0d8")
HALF_HOUR_LINE = QColor("#e3e7ec")
COLUMN_LINE = QColor("#b8c0c8")
AWAY_FILL = QColor("#f3e1e1")
AWAY_HATCH = QColor("#c99a9a")
NOW_LINE = QColor("#c62828")
DARK_TEXT = QColor(INK)
LIGHT_TEXT = QColor("#ffffff")

STATUS_MARKS = {
    AppointmentStatus.BOOKED: "",
    AppointmentStatus.CONFIRMED: "✓",
    AppointmentStatus.CHECKED_IN: "➜",
    AppointmentStatus.COMPLETED: "☑",
    AppointmentStatus.CANCELLED: "✗",
    AppointmentStatus.NO_SHOW: "✗",
}


def status_text(status: AppointmentStatus) -> str:
    """ "✓ Confirmed", "Booked": the words a box shows for its status."""
    mark = STATUS_MARKS[status]
    return f"{mark} {status.label}" if mark else status.label


def time_range(item: AppointmentData, layout: CalendarLayout) -> str:
    start = item.start.astimezone(layout.zone)
    end = item.end.astimezone(layout.zone)
    return f"{start:%H:%M}–{end:%H:%M}"


def readable_on(colour: QColor) -> QColor:
    """Dark ink on light colours, white on dark ones (relative luminance, WCAG-style)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )
    # Contrast against white vs. against the dark ink (luminance about 0.015).
    return LIGHT_TEXT if (1.05 / (luminance + 0.05)) > ((luminance + 0.05) / 0.065) else DARK_TEXT


def box_fill(item: AppointmentData) -> QColor:
    colour = QColor(item.colour)
    if not colour.isValid():
        colour = QColor("#888888")
    if not item.holds_time:
        # Faded towards white: still findable, clearly not holding the time.
        faded = QColor(colour)
        faded.setRed(int(colour.red() * 0.3 + 255 * 0.7))
        faded.setGreen(int(colour.green() * 0.3 + 255 * 0.7))
        faded.setBlue(int(colour.blue() * 0.3 + 255 * 0.7))
        return faded
    return colour


def box_lines(item: AppointmentData, layout: CalendarLayout, lines: int) -> list[str]:
    """The text of a box with room for ``lines`` lines, most important first."""
    when = time_range(item, layout)
    status = status_text(item.status)
    flag = " · ⚠ Overbooked" if item.overbooked else ""
    detail = " · ".join(part for part in (item.type_name, item.reason) if part)
    if lines >= 3:
        return [f"{when}  {status}{flag}", item.patient_name, detail]
    if lines == 2:
        return [f"{when}  {status}{flag}", f"{item.patient_name} · {detail}"]
    mark = STATUS_MARKS[item.status]
    start = item.start.astimezone(layout.zone)
    prefix = f"{start:%H:%M} {mark}" if mark else f"{start:%H:%M}"
    if item.overbooked:
        prefix += " ⚠"
    return [f"{prefix} {item.patient_name} · {detail}"]


@dataclass(frozen=True)
class Ghost:
    """Where a dragged appointment would go, drawn as an outline with its new time."""

    column: ProviderDay
    start_minute: int
    end_minute: int
    label: str
    # Over someone else's booking: drawn in red (the move would be refused).
    clashes: bool = False


@dataclass(frozen=True)
class PaintState:
    now: datetime
    selected_id: int | None = None
    cursor: tuple[int, int] | None = None  # column index, minute
    cursor_visible: bool = False
    ghost: Ghost | None = None
    dragged_id: int | None = None


def paint_calendar(painter: QPainter, layout: CalendarLayout, state: PaintState) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    height = layout.height
    painter.fillRect(QRectF(0, 0, layout.width, height), OUTSIDE_HOURS)
    painter.fillRect(QRectF(0, 0, AXIS_WIDTH, height), QColor("#f5f6f8"))
    for shaded in layout.open_times:
        painter.fillRect(shaded.rect, OPEN_TIME)
    _paint_hour_lines(painter, layout)
    _paint_open_labels(painter, layout)
    _paint_away(painter, layout)
    _paint_column_lines(painter, layout)
    _paint_now(painter, layout, state.now)
    for box in layout.boxes:
        _paint_box(painter, layout, box, state)
    if state.cursor_visible and state.cursor is not None and state.ghost is None:
        _paint_cursor(painter, layout, state.cursor)
    if state.ghost is not None:
        _paint_ghost(painter, layout, state.ghost)


def _paint_hour_lines(painter: QPainter, layout: CalendarLayout) -> None:
    font = QFont(painter.font())
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    for minute in range(layout.first_minute, layout.last_minute + 1, 30):
        y = layout.y_of(minute)
        on_hour = minute % 60 == 0
        painter.setPen(QPen(HOUR_LINE if on_hour else HALF_HOUR_LINE, 1))
        painter.drawLine(QPointF(AXIS_WIDTH - (6 if on_hour else 0), y), QPointF(layout.width, y))
        if on_hour and minute < layout.last_minute:
            painter.setPen(QColor(MUTED))
            text_rect = QRectF(0, y + 1, AXIS_WIDTH - 8, metrics.height())
            painter.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                format_clock(minute),
            )


def _small_font(painter: QPainter) -> QFont:
    font = QFont(painter.font())
    font.setPointSizeF(max(8.5, font.pointSizeF() * 0.9))
    return font


def _paint_open_labels(painter: QPainter, layout: CalendarLayout) -> None:
    """Each stretch of open time names its location at its top right (appointments cover
    it where booked)."""
    font = _small_font(painter)
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    painter.setPen(QColor("#7b8794"))
    for shaded in layout.open_times:
        item = shaded.item
        assert isinstance(item, OpenTime)
        rect = shaded.rect.adjusted(6, 2, -6, 0)
        if rect.height() < metrics.height():
            continue
        text = metrics.elidedText(item.location_name, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, text)


def _paint_away(painter: QPainter, layout: CalendarLayout) -> None:
    font = _small_font(painter)
    font.setBold(True)
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    for shaded in layout.away:
        item = shaded.item
        assert isinstance(item, AwayTime)
        painter.fillRect(shaded.rect, AWAY_FILL)
        painter.fillRect(shaded.rect, QBrush(AWAY_HATCH, Qt.BrushStyle.BDiagPattern))
        label_rect = shaded.rect.adjusted(6, 4, -6, 0)
        text = metrics.elidedText(item.label, Qt.TextElideMode.ElideRight, label_rect.width())
        background = QRectF(
            label_rect.left() - 3,
            label_rect.top() - 1,
            metrics.horizontalAdvance(text) + 6,
            metrics.height() + 2,
        )
        painter.fillRect(background, AWAY_FILL)
        painter.setPen(QColor("#7a2e2e"))
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text)


def _paint_column_lines(painter: QPainter, layout: CalendarLayout) -> None:
    painter.setPen(QPen(COLUMN_LINE, 1))
    for column in layout.columns:
        x = layout.column_x(column)
        painter.drawLine(QPointF(x, 0), QPointF(x, layout.height))
    painter.drawLine(QPointF(layout.width - 1, 0), QPointF(layout.width - 1, layout.height))


def _paint_now(painter: QPainter, layout: CalendarLayout, now: datetime) -> None:
    today = now.astimezone(layout.zone).date()
    for column in layout.columns:
        if column.day != today:
            continue
        minute = wall_minute(now, column.day, layout.zone)
        if not layout.first_minute <= minute <= layout.last_minute:
            continue
        y = layout.y_of(minute)
        x = layout.column_x(column)
        painter.setPen(QPen(NOW_LINE, 2))
        painter.drawLine(QPointF(x, y), QPointF(x + layout.column_width, y))


def _paint_box(
    painter: QPainter, layout: CalendarLayout, box: AppointmentBox, state: PaintState
) -> None:
    item = box.appointment
    rect = box.rect
    fill = box_fill(item)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    border = QColor(fill).darker(140)
    pen = QPen(border, 1)
    if not item.holds_time:
        pen.setStyle(Qt.PenStyle.DashLine)
    if item.overbooked:
        pen = QPen(QColor(ERROR_INK), 2)
    if state.selected_id == item.id:
        pen = QPen(QColor(ACCENT), 3)
    if state.dragged_id == item.id:
        fill.setAlpha(110)
    painter.setPen(pen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, 4, 4)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    if item.overbooked:
        # A red strip down the left edge: an overbook is visible at a glance, and says so.
        painter.fillRect(
            QRectF(rect.left() + 1, rect.top() + 1, 4, rect.height() - 2), QColor(ERROR_INK)
        )
    font = QFont(painter.font())
    metrics = QFontMetricsF(font)
    line_height = metrics.height()
    inner = rect.adjusted(8 if item.overbooked else 5, 2, -4, -1)
    lines = max(1, int(inner.height() // line_height))
    text_colour = readable_on(fill) if item.holds_time else DARK_TEXT
    painter.setPen(text_colour)
    painter.save()
    painter.setClipRect(rect.adjusted(1, 1, -1, -1))
    for index, line in enumerate(box_lines(item, layout, lines)[:lines]):
        line_font = QFont(font)
        line_font.setBold(index == 1 and lines >= 2)
        line_font.setStrikeOut(not item.holds_time and index == (1 if lines >= 2 else 0))
        painter.setFont(line_font)
        line_metrics = QFontMetricsF(line_font)
        text = line_metrics.elidedText(line, Qt.TextElideMode.ElideRight, inner.width())
        top = inner.top() + index * line_height
        if lines == 1:
            top = rect.center().y() - line_height / 2
        painter.drawText(
            QRectF(inner.left(), top, inner.width(), line_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
    painter.restore()


def _paint_cursor(painter: QPainter, layout: CalendarLayout, cursor: tuple[int, int]) -> None:
    """The keyboard's place: around the appointment there, else around its 15 minutes."""
    index, minute = cursor
    if not 0 <= index < len(layout.columns):
        return
    column = layout.columns[index]
    boxes = layout.boxes_at(column, minute)
    if boxes:
        rect = boxes[-1].rect.adjusted(-2, -2, 2, 2)
    else:
        rect = QRectF(
            layout.column_x(column) + 1,
            layout.y_of(minute),
            layout.column_width - 2,
            layout.y_of(minute + 15) - layout.y_of(minute),
        )
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(QColor(ACCENT), 2, Qt.PenStyle.DotLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect, 4, 4)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)


def _paint_ghost(painter: QPainter, layout: CalendarLayout, ghost: Ghost) -> None:
    top = layout.y_of(ghost.start_minute)
    bottom = layout.y_of(ghost.end_minute)
    x = layout.column_x(ghost.column)
    rect = QRectF(x + 3, top + 1, layout.column_width - 6, max(8.0, bottom - top - 2))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    ink = QColor(ERROR_INK if ghost.clashes else ACCENT)
    painter.setBrush(QColor(255, 255, 255, 215))
    painter.setPen(QPen(ink, 2, Qt.PenStyle.DashLine))
    painter.drawRoundedRect(rect, 4, 4)
    font = QFont(painter.font())
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(ink)
    painter.drawText(
        rect.adjusted(6, 0, -4, 0),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
        QFontMetricsF(font).elidedText(ghost.label, Qt.TextElideMode.ElideRight, rect.width() - 10),
    )
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)


def paint_header(
    painter: QPainter, layout: CalendarLayout, offset: float, height: float, today: object
) -> None:
    """Column titles over the canvas, shifted by the horizontal scroll ``offset``."""
    painter.fillRect(QRectF(0, 0, painter.device().width(), height), QColor("#f5f6f8"))
    font = QFont(painter.font())
    font.setBold(True)
    metrics = QFontMetricsF(font)
    small = _small_font(painter)
    small_metrics = QFontMetricsF(small)
    for column in layout.columns:
        x = layout.column_x(column) - offset
        rect = QRectF(x, 0, layout.column_width, height)
        is_today = column.day == today
        if is_today:
            painter.fillRect(rect, QColor("#e1ecf5"))
        painter.setPen(QPen(COLUMN_LINE, 1))
        painter.drawLine(QPointF(x, 0), QPointF(x, height))
        count = sum(
            1 for box in layout.boxes if box.column == column and box.appointment.holds_time
        )
        title = column.title + (" · Today" if is_today and layout.data.days > 1 else "")
        painter.setFont(font)
        painter.setPen(QColor(ACCENT if is_today else INK))
        text_rect = rect.adjusted(8, 3, -6, 0)
        painter.drawText(
            QRectF(text_rect.left(), text_rect.top(), text_rect.width(), metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(title, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        painter.setFont(small)
        painter.setPen(QColor(MUTED))
        summary = counted(count, "appointment") if count else "No appointments"
        painter.drawText(
            QRectF(
                text_rect.left(),
                text_rect.top() + metrics.height(),
                text_rect.width(),
                small_metrics.height(),
            ),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            small_metrics.elidedText(summary, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
    painter.setPen(QPen(COLUMN_LINE, 1))
    painter.drawLine(QPointF(0, height - 1), QPointF(painter.device().width(), height - 1))
