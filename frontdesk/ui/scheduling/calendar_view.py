"""The calendar drawn with Qt: a time axis, one column per provider (day) or per day (week),
open time, time away and appointments; click, drag and keyboard on it.

The view only shows what it was given (``set_data``) and says what the person asked for
through signals; the Schedule area runs the service calls, confirmations and dialogs.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QFrame, QMenu, QScrollArea, QToolTip, QWidget

from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.scheduling.data import AppointmentData, CalendarData
from frontdesk.ui.scheduling.calendar_geometry import (
    DAY_MINUTES,
    RESIZE_GRIP,
    SNAP_MINUTES,
    AppointmentBox,
    CalendarLayout,
    ProviderDay,
    floor_to,
    snap,
)
from frontdesk.ui.scheduling.calendar_moves import FreeStretch, FreeTimeChoice, MoveRequest
from frontdesk.ui.scheduling.calendar_paint import (
    Ghost,
    PaintState,
    paint_calendar,
    paint_header,
    status_text,
    time_range,
)

HEADER_HEIGHT = 44
MOVABLE = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
KEYS_HELP = (
    "Up/Down: 15 minutes · Ctrl+Left/Right: next column · Enter: book or open · "
    "Left/Right or Page Up/Down: previous/next day or week · T or Home: today · "
    "Menu key: more"
)


class _Drag:
    """A press on an appointment that may become a move or a change of length."""

    def __init__(self, box: AppointmentBox, press: QPointF, resize: bool) -> None:
        self.box = box
        self.press = press
        self.resize = resize
        self.active = False
        self.grab_offset = press.y()  # replaced once the layout is known
        self.target: tuple[ProviderDay, int, int] | None = None


class CalendarCanvas(QWidget):
    """The painted body of the calendar (inside a scroll area).

    Signals: ``free_time_chosen(FreeTimeChoice)``, ``appointment_opened(int)``,
    ``move_requested(MoveRequest)``, ``waitlist_requested(FreeStretch)``,
    ``navigate(int)`` (-1/+1 day or week), ``today_requested()``,
    ``reveal(QRectF)`` (scroll this into view).
    """

    free_time_chosen = Signal(object)
    appointment_opened = Signal(int)
    move_requested = Signal(object)
    waitlist_requested = Signal(object)
    navigate = Signal(int)
    today_requested = Signal()
    reveal = Signal(QRectF)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Calendar")
        self.setToolTip("")
        self.data: CalendarData | None = None
        self.layout_: CalendarLayout | None = None
        self.show_cancelled = False
        self.editable = True
        self.selected_id: int | None = None
        self.cursor: tuple[int, int] | None = None
        self._drag: _Drag | None = None
        self._press_free: QPointF | None = None
        self.now = datetime.now(UTC)
        self._viewport_width = 800

    # Data ------------------------------------------------------------------------------

    def set_data(self, data: CalendarData, *, show_cancelled: bool | None = None) -> None:
        if show_cancelled is not None:
            self.show_cancelled = show_cancelled
        same_view = self.data is not None and (
            self.data.first_day,
            self.data.days,
            self.data.provider_ids,
        ) == (data.first_day, data.days, data.provider_ids)
        self.data = data
        self.now = datetime.now(UTC)
        drag = self._drag
        self._relayout()
        if drag is not None:
            self._drag = self._carry_drag(drag)
        if not same_view or self.cursor is None:
            self.cursor = self._first_cursor()
        self._describe_cursor()

    def _carry_drag(self, drag: _Drag) -> _Drag | None:
        """A refresh in the middle of a drag (another desk saved) keeps the drag going when
        the dragged appointment is as it was; otherwise the drag ends there."""
        box = self.layout_.box_for(drag.box.appointment.id) if self.layout_ else None
        if box is None or box.appointment != drag.box.appointment:
            return None
        drag.box = box
        return drag

    def set_show_cancelled(self, show: bool) -> None:
        self.show_cancelled = show
        self._relayout()

    def set_viewport_width(self, width: int) -> None:
        """Columns share the visible width (never narrower than readable)."""
        if width != self._viewport_width:
            self._viewport_width = width
            self._relayout()

    def _relayout(self) -> None:
        if self.data is None:
            self.layout_ = None
            return
        self.layout_ = CalendarLayout(
            self.data, self._viewport_width, show_cancelled=self.show_cancelled
        )
        size = QSize(int(self.layout_.width), int(self.layout_.height))
        self.setMinimumSize(size)
        self.resize(max(size.width(), self._viewport_width), size.height())
        if self.cursor is not None and self.cursor[0] >= len(self.layout_.columns):
            self.cursor = self._first_cursor()
        self.update()

    def sizeHint(self) -> QSize:
        if self.layout_ is None:
            return QSize(600, 400)
        return QSize(int(self.layout_.width), int(self.layout_.height))

    # Queries (also what the tests use) -------------------------------------------------------

    def appointment_at(self, point: QPointF | QPoint) -> int | None:
        box = self._box_at(QPointF(point))
        return box.appointment.id if box is not None else None

    def appointment_rect(self, appointment_id: int) -> QRectF | None:
        box = self.layout_.box_for(appointment_id) if self.layout_ is not None else None
        return QRectF(box.rect) if box is not None else None

    def point_for(self, column_index: int, minute: int) -> QPointF:
        """The middle of the 15 minutes at ``minute`` in a column (for tests and the cursor)."""
        assert self.layout_ is not None
        column = self.layout_.columns[column_index]
        x = self.layout_.column_x(column) + self.layout_.column_width / 2
        return QPointF(x, self.layout_.y_of(minute + SNAP_MINUTES / 2))

    def first_open_y(self) -> float:
        """Where the working day starts on screen (the view opens scrolled there)."""
        if self.layout_ is None:
            return 0.0
        tops = [shaded.rect.top() for shaded in self.layout_.open_times]
        tops += [box.rect.top() for box in self.layout_.boxes]
        return min(tops) if tops else self.layout_.y_of(8 * 60)

    def _box_at(self, point: QPointF) -> AppointmentBox | None:
        return self.layout_.box_at(point) if self.layout_ is not None else None

    def _slot_at(self, point: QPointF) -> tuple[ProviderDay, int] | None:
        if self.layout_ is None:
            return None
        column = self.layout_.column_at(point.x())
        if column is None:
            return None
        minute = floor_to(self.layout_.minute_at(point.y()))
        minute = max(
            self.layout_.first_minute, min(self.layout_.last_minute - SNAP_MINUTES, minute)
        )
        return column, minute

    def _choice(self, column: ProviderDay, minute: int) -> FreeTimeChoice:
        assert self.layout_ is not None
        start = self.layout_.moment(column, minute)
        open_time = self.layout_.open_time_at(column, start)
        return FreeTimeChoice(
            provider_id=column.provider_id,
            start=start,
            location_id=open_time.location_id if open_time is not None else None,
            type_ids=open_time.type_ids if open_time is not None else (),
        )

    # Painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setClipRect(event.rect())
        if self.layout_ is None:
            painter.end()
            return
        ghost = None
        dragged_id = None
        if self._drag is not None and self._drag.active and self._drag.target is not None:
            column, start, end = self._drag.target
            dragged_id = self._drag.box.appointment.id
            clashes = any(
                box.appointment.holds_time
                and box.appointment.id != dragged_id
                and box.start_minute < end
                and start < box.end_minute
                for box in self.layout_.boxes
                if box.column == column
            )
            label = self._ghost_label(column, start, end)
            ghost = Ghost(column, start, end, label + (" · taken" if clashes else ""), clashes)
        paint_calendar(
            painter,
            self.layout_,
            PaintState(
                now=self.now,
                selected_id=self.selected_id,
                cursor=self.cursor,
                cursor_visible=self.hasFocus(),
                ghost=ghost,
                dragged_id=dragged_id,
            ),
        )
        painter.end()

    def _ghost_label(self, column: ProviderDay, start: int, end: int) -> str:
        assert self.layout_ is not None
        begin = self.layout_.moment(column, start).astimezone(self.layout_.zone)
        finish = self.layout_.moment(column, end).astimezone(self.layout_.zone)
        return f"{begin:%H:%M}–{finish:%H:%M} ({end - start} min)"

    # Mouse -------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.layout_ is None:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        point = event.position()
        box = self._box_at(point)
        slot = self._slot_at(point)
        if slot is not None:
            self.cursor = (slot[0].index, slot[1])
        if box is None:
            self._press_free = point
            self._drag = None
        else:
            self._press_free = None
            self.selected_id = box.appointment.id
            resize = point.y() >= box.rect.bottom() - RESIZE_GRIP
            self._drag = _Drag(box, point, resize)
            self._drag.grab_offset = self.layout_.minute_at(point.y()) - box.start_minute
        self._describe_cursor()
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position()
        drag = self._drag
        if drag is None:
            self._hover_cursor(point)
            return
        if not drag.active:
            distance = (point - drag.press).manhattanLength()
            if distance < QApplication.startDragDistance():
                return
            if not self.editable or drag.box.appointment.status not in MOVABLE:
                return
            drag.active = True
        drag.target = self._drag_target(drag, point)
        self.reveal.emit(QRectF(point.x() - 1, point.y() - 40, 2, 80))
        self.update()

    def _hover_cursor(self, point: QPointF) -> None:
        box = self._box_at(point)
        if (
            box is not None
            and self.editable
            and box.appointment.status in MOVABLE
            and point.y() >= box.rect.bottom() - RESIZE_GRIP
        ):
            self.setCursor(Qt.CursorShape.SizeVerCursor)
        elif box is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()

    def _drag_target(self, drag: _Drag, point: QPointF) -> tuple[ProviderDay, int, int]:
        assert self.layout_ is not None
        box = drag.box
        length = box.end_minute - box.start_minute
        minute = self.layout_.minute_at(point.y())
        if drag.resize:
            end = max(box.start_minute + SNAP_MINUTES, snap(minute))
            end = min(end, DAY_MINUTES)
            return box.column, box.start_minute, end
        column = self.layout_.column_at(point.x()) or box.column
        start = snap(minute - drag.grab_offset)
        start = max(0, min(DAY_MINUTES - length, start))
        return column, start, start + length

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.layout_ is None:
            super().mouseReleaseEvent(event)
            return
        drag, self._drag = self._drag, None
        free_press, self._press_free = self._press_free, None
        if drag is not None and drag.active and drag.target is not None:
            self.update()
            move = self._move_for(drag.box.appointment, *drag.target)
            if move.changes_anything:
                self.move_requested.emit(move)
            return
        if drag is None and free_press is not None:
            slot = self._slot_at(free_press)
            if slot is not None and self._box_at(event.position()) is None:
                self.free_time_chosen.emit(self._choice(*slot))
        self.update()

    def _move_for(
        self, item: AppointmentData, column: ProviderDay, start: int, end: int
    ) -> MoveRequest:
        assert self.layout_ is not None
        return MoveRequest(
            appointment=item,
            provider_id=column.provider_id,
            provider_name=self.layout_.data.provider_names.get(column.provider_id, ""),
            start=self.layout_.moment(column, start),
            end=self.layout_.moment(column, end),
            known_at=self.layout_.data.read_at,
        )

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        box = self._box_at(event.position())
        if box is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag = None
            self.appointment_opened.emit(box.appointment.id)
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        point = QPointF(event.pos())
        if event.reason() == QContextMenuEvent.Reason.Keyboard and self.cursor is not None:
            point = self.point_for(*self.cursor)
        self.menu_at(point).popup(self.mapToGlobal(point.toPoint()))

    def menu_at(self, point: QPointF) -> QMenu:
        """What right-click offers at ``point`` (built fresh; tests read its actions)."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box = self._box_at(point)
        slot = self._slot_at(point)
        if box is not None:
            item_id = box.appointment.id
            action = menu.addAction("Open appointment…")
            action.triggered.connect(lambda: self.appointment_opened.emit(item_id))
            return menu
        if slot is None or self.layout_ is None:
            return menu
        choice = self._choice(*slot)
        local = choice.start.astimezone(self.layout_.zone)
        book = menu.addAction(f"Book at {local:%H:%M}…")
        book.triggered.connect(lambda: self.free_time_chosen.emit(choice))
        free = self.layout_.free_interval_at(slot[0], choice.start)
        waitlist = menu.addAction("Who on the waitlist fits this time?")
        if free is None:
            waitlist.setEnabled(False)
        else:
            interval, location_id = free
            stretch = FreeStretch(slot[0].provider_id, location_id, interval.start, interval.end)
            waitlist.triggered.connect(lambda: self.waitlist_requested.emit(stretch))
        return menu

    # Tooltips ----------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip_at(self, point: QPointF) -> str:
        """The details of the appointment at ``point`` (escaped rich text), or what the free
        time there is."""
        if self.layout_ is None:
            return ""
        box = self._box_at(point)
        if box is not None:
            return appointment_tooltip(box.appointment, self.layout_)
        slot = self._slot_at(point)
        if slot is None:
            return ""
        return html.escape(self._slot_text(*slot))

    def _slot_text(self, column: ProviderDay, minute: int) -> str:
        assert self.layout_ is not None
        moment = self.layout_.moment(column, minute)
        local = moment.astimezone(self.layout_.zone)
        name = self.layout_.data.provider_names.get(column.provider_id, "")
        when = f"{name}, {local:%a %m/%d %H:%M}"
        boxes = self.layout_.boxes_at(column, minute)
        active = [box for box in boxes if box.appointment.holds_time]
        if active:
            item = active[0].appointment
            return (
                f"{when}: {item.patient_name}, {item.type_name} "
                f"{time_range(item, self.layout_)}, {status_text(item.status)}"
            )
        away = self.layout_.away_at(column, moment)
        if away is not None:
            return f"{when}: away ({away.label}). Click to book as an overbook."
        open_time = self.layout_.open_time_at(column, moment)
        if open_time is None:
            return f"{when}: outside hours. Click to book as an overbook."
        return f"{when}: free at {open_time.location_name}. Click or press Enter to book."

    # Keyboard ----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_Escape and self._drag is not None:
            # Esc lets go of a drag without moving anything.
            self._drag = None
            self.update()
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and ctrl:
            self._move_cursor(columns=-1 if key == Qt.Key.Key_Left else 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp):
            self.navigate.emit(-1)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown):
            self.navigate.emit(1)
        elif key in (Qt.Key.Key_T, Qt.Key.Key_Home) and not ctrl:
            self.today_requested.emit()
        elif key == Qt.Key.Key_Up:
            self._move_cursor(minutes=-SNAP_MINUTES)
        elif key == Qt.Key.Key_Down:
            self._move_cursor(minutes=SNAP_MINUTES)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activate_cursor()
        else:
            super().keyPressEvent(event)

    def activate_cursor(self) -> None:
        """Enter on the focused time: open the appointment there, or book the free time."""
        if self.layout_ is None or self.cursor is None:
            return
        column = self.layout_.columns[self.cursor[0]]
        minute = self.cursor[1]
        boxes = self.layout_.boxes_at(column, minute)
        active = [box for box in boxes if box.appointment.holds_time] or boxes
        if active:
            self.selected_id = active[0].appointment.id
            self.update()
            self.appointment_opened.emit(active[0].appointment.id)
        else:
            self.free_time_chosen.emit(self._choice(column, minute))

    def free_choice_at_cursor(self) -> FreeTimeChoice | None:
        """The focused time to book when it is free and inside the provider's hours;
        None when an appointment is there (or outside hours, or no cursor)."""
        if self.layout_ is None or self.cursor is None or not self.layout_.columns:
            return None
        column = self.layout_.columns[min(self.cursor[0], len(self.layout_.columns) - 1)]
        minute = self.cursor[1]
        if self.layout_.boxes_at(column, minute):
            return None
        choice = self._choice(column, minute)
        return choice if choice.location_id is not None else None

    def cursor_provider_id(self) -> int | None:
        """The provider of the focused column (None without a cursor)."""
        if self.layout_ is None or self.cursor is None or not self.layout_.columns:
            return None
        return self.layout_.columns[min(self.cursor[0], len(self.layout_.columns) - 1)].provider_id

    def _first_cursor(self) -> tuple[int, int] | None:
        if self.layout_ is None or not self.layout_.columns:
            return None
        return 0, floor_to(self.layout_.minute_at(self.first_open_y()))

    def _move_cursor(self, *, minutes: int = 0, columns: int = 0) -> None:
        if self.layout_ is None or not self.layout_.columns:
            return
        index, minute = self.cursor or (0, self.layout_.first_minute)
        index = max(0, min(len(self.layout_.columns) - 1, index + columns))
        minute = max(
            self.layout_.first_minute,
            min(self.layout_.last_minute - SNAP_MINUTES, minute + minutes),
        )
        self.cursor = (index, minute)
        point = self.point_for(index, minute)
        self.reveal.emit(QRectF(point.x() - 1, point.y() - 30, 2, 60))
        self._describe_cursor()
        self.update()

    def _describe_cursor(self) -> None:
        """Screen readers read the focused time and what is there."""
        if self.layout_ is None or self.cursor is None or not self.layout_.columns:
            self.setAccessibleDescription(KEYS_HELP)
            return
        column = self.layout_.columns[min(self.cursor[0], len(self.layout_.columns) - 1)]
        self.setAccessibleDescription(f"{self._slot_text(column, self.cursor[1])} {KEYS_HELP}")

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()


def appointment_tooltip(item: AppointmentData, layout: CalendarLayout) -> str:
    """An appointment's details for its tooltip: every value escaped (names are typed in)."""
    local = item.start.astimezone(layout.zone)
    rows = [
        f"<b>{html.escape(item.patient_name)}</b> · MRN {html.escape(item.mrn)}",
        f"Born {item.date_of_birth:%m/%d/%Y}"
        + (f" · {html.escape(item.phone)}" if item.phone else ""),
        f"{html.escape(item.type_name)}, {local:%a %m/%d/%Y} {time_range(item, layout)}",
        f"{html.escape(item.provider_name)} at {html.escape(item.location_name)}",
        f"Status: {html.escape(status_text(item.status))}",
    ]
    if item.reason:
        rows.append(f"Reason: {html.escape(item.reason)}")
    if item.overbooked:
        rows.append("⚠ Overbooked on purpose (outside the provider's hours)")
    if item.cancel_reason and not item.holds_time:
        rows.append(f"Cancelled: {html.escape(item.cancel_reason)}")
    if item.status in MOVABLE:
        rows.append("<i>Double-click to open · drag to move · drag the lower edge to resize</i>")
    return "<p style='white-space:pre'>" + "<br>".join(rows) + "</p>"


class CalendarHeader(QWidget):
    """The column titles, kept in place while the body scrolls up and down.

    ``column_clicked(ProviderDay)``: a click on a title (a day in the week view opens that day).
    """

    column_clicked = Signal(object)

    def __init__(self, canvas: CalendarCanvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.offset = 0
        self.setFixedHeight(HEADER_HEIGHT)
        self.setAccessibleName("Calendar columns")

    def paintEvent(self, event: QPaintEvent) -> None:
        layout = self.canvas.layout_
        if layout is None:
            return
        painter = QPainter(self)
        today = datetime.now(layout.zone).date()
        paint_header(painter, layout, self.offset, self.height(), today)
        painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        layout = self.canvas.layout_
        if layout is not None and event.button() == Qt.MouseButton.LeftButton:
            column = layout.column_at(event.position().x() + self.offset)
            if column is not None:
                self.column_clicked.emit(column)
        super().mouseReleaseEvent(event)

    def column_titles(self) -> list[str]:
        layout = self.canvas.layout_
        return [column.title for column in layout.columns] if layout is not None else []


class CalendarView(QScrollArea):
    """The canvas in a scroll area with the column header fixed above it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.canvas = CalendarCanvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setViewportMargins(0, HEADER_HEIGHT, 0, 0)
        self.header = CalendarHeader(self.canvas, self)
        self.horizontalScrollBar().valueChanged.connect(self._scrolled)
        self.canvas.reveal.connect(self._reveal)
        self.setAccessibleName("Calendar")
        self._pending_scroll = True

    def set_data(self, data: CalendarData, *, show_cancelled: bool, scroll_to_start: bool) -> None:
        self.canvas.set_viewport_width(self.viewport().width())
        self.canvas.set_data(data, show_cancelled=show_cancelled)
        if scroll_to_start or self._pending_scroll:
            self._pending_scroll = False
            self.verticalScrollBar().setValue(max(0, int(self.canvas.first_open_y()) - 24))
        self.header.update()

    def _carry_drag(self, drag: _Drag) -> _Drag | None:
        """A refresh in the middle of a drag (another desk saved) keeps the drag going when
        the dragged appointment is as it was; otherwise the drag ends there."""
        box = self.layout_.box_for(drag.box.appointment.id) if self.layout_ else None
        if box is None or box.appointment != drag.box.appointment:
            return None
        drag.box = box
        return drag

    def set_show_cancelled(self, show: bool) -> None:
        self.canvas.set_show_cancelled(show)
        self.header.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        frame = self.frameWidth()
        self.header.setGeometry(frame, frame, self.viewport().width(), HEADER_HEIGHT)
        self.canvas.set_viewport_width(self.viewport().width())
        self.header.update()

    def _scrolled(self, value: int) -> None:
        self.header.offset = value
        self.header.update()

    def _reveal(self, rect: QRectF) -> None:
        self.ensureVisible(
            int(rect.center().x()), int(rect.center().y()), 10, int(rect.height() / 2)
        )
