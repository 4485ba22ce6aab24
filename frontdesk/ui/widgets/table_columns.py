"""One rule for a table's column widths: every row reads without scrolling sideways.

At 150% on a 1080p monitor a table beside a detail panel gets about 600 logical pixels; sized
to their contents, the columns of the request queue or of the waitlist matches needed twice
that, and the receptionist scrolled sideways to read a row. Here the columns share the view's
width instead: the key columns keep their text (wrapping onto a second line when they must),
one column takes what is left and wraps, and the less important columns give way first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

AnyIndex = QModelIndex | QPersistentModelIndex
# A column sized to its text stops at this width; longer text wraps (key columns) or is
# elided with the whole text in the cell's tooltip (columns that give way).
WIDEST_COLUMN = 230
# The wrapping column never gets less than this: two or three words a line.
WRAP_MINIMUM = 160
# Above and below a wrapped row's text, as a one-line row has.
ROW_AIR = 8
# Rows read beyond those in view to size columns and rows: the cost of a fit stays the same
# however many rows a lazy list has fetched.
MEASURED_ROWS = 30
# While a window or splitter is being dragged, fit once it pauses.
RESIZE_PAUSE_MS = 30


def fit_record_columns(
    table: QTableView, columns: Sequence[Any], *, wrap_minimum: int = WRAP_MINIMUM
) -> FittedColumns | None:
    """``FittedColumns`` for a table of ``record_table.Column``s: the ``stretch`` column wraps,
    the others give way by their ``give_way`` number, highest first (None: no stretch column)."""
    wrap = next((number for number, column in enumerate(columns) if column.stretch), None)
    if wrap is None:
        return None
    ranked = sorted(
        (number for number, column in enumerate(columns) if column.give_way > 0),
        key=lambda number: -columns[number].give_way,
    )
    return FittedColumns(table, wrap=wrap, give_way=ranked, wrap_minimum=wrap_minimum)


def fit_columns(table: QTableView) -> None:
    """Columns as wide as what they show, none wider than WIDEST_COLUMN (the tooltip has the
    rest): for a table that has the room, the last column stretching."""
    table.resizeColumnsToContents()
    model = table.model()
    for column in range(model.columnCount() if model is not None else 0):
        if table.columnWidth(column) > WIDEST_COLUMN:
            table.setColumnWidth(column, WIDEST_COLUMN)


class OneLineDelegate(QStyledItemDelegate):
    """Cells on one line, elided when narrow: a column that gives way must not make rows
    taller (its tooltip has the whole text)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        super().initStyleOption(option, index)
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText  # type: ignore[assignment]


def share_width(
    available: int,
    wanted: Sequence[int],
    floors: Sequence[int],
    wrap: int,
    wrap_minimum: int,
    give_way: Sequence[int],
) -> tuple[list[int], set[int]]:
    """Widths for the columns and which ones to hide, so that they add up to ``available``.

    ``wanted`` is each column's width for its whole text; ``floors`` the least a column can
    have (its header). The ``wrap`` column gets what the others leave, at least
    ``wrap_minimum``. While that is too little, the ``give_way`` columns, in order, narrow to
    their floors, then are hidden (what that frees goes back to the narrowed ones); then the
    other columns narrow alike (their text wraps).
    """
    widths = list(wanted)
    hidden: set[int] = set()

    def others() -> int:
        return sum(w for column, w in enumerate(widths) if column != wrap and column not in hidden)

    def deficit() -> int:
        return others() + wrap_minimum - available

    for column in give_way:
        if deficit() <= 0:
            break
        widths[column] = max(floors[column], widths[column] - deficit())
    for column in give_way:
        if deficit() <= 0:
            break
        hidden.add(column)
    # What a hidden column left over goes back to the narrowed ones, most needed first.
    for column in reversed(give_way):
        if column not in hidden and deficit() < 0:
            widths[column] = min(wanted[column], widths[column] - deficit())
    if deficit() > 0:
        keys = [c for c in range(len(widths)) if c != wrap and c not in hidden]
        room = sum(widths[c] - floors[c] for c in keys)
        if room > 0:
            share = min(1.0, deficit() / room)
            for column in keys:
                widths[column] -= int((widths[column] - floors[column]) * share + 0.999)
    widths[wrap] = max(wrap_minimum, available - others())
    return widths, hidden


class FittedColumns(QObject):
    """Keeps ``table``'s columns inside its view, fitted again when the view or rows change.

    Each column is as wide as its header and text, up to ``widest``. The ``wrap`` column takes
    what is left and wraps its text. When that leaves it less than ``wrap_minimum``, the
    ``give_way`` columns make room in their order (see ``share_width``); they come back when
    the view widens. The ``whole`` columns are not held to ``widest`` (a combo box in each
    cell must show its longest choice). Rows are as tall as their wrapped text. ``fitted``
    fires after each fit and each measure of rows (a table as tall as its rows sets its height
    then).

    The work does not grow with a long list (the request queue fetches page after page): the
    widths are measured on the rows in view and ``MEASURED_ROWS`` around them, and a row's
    height when it scrolls into view.
    """

    fitted = Signal()

    def __init__(
        self,
        table: QTableView,
        *,
        wrap: int,
        give_way: Sequence[int] = (),
        widest: int = WIDEST_COLUMN,
        wrap_minimum: int = WRAP_MINIMUM,
        whole: Sequence[int] = (),
    ) -> None:
        super().__init__(table)
        self.table = table
        self.wrap = wrap
        self.give_way = tuple(give_way)
        self.widest = widest
        self.wrap_minimum = wrap_minimum
        self.whole = frozenset(whole)
        self.hidden: set[int] = set()
        self._widths: list[int] = []
        self._measured: set[int] = set()
        self._fitting = False
        # A burst of changes (a page of rows, a table refilled, a splitter dragged) is one fit.
        self._pending_fit = self._timer(RESIZE_PAUSE_MS, self.fit)
        self._pending_rows = self._timer(0, self.measure_rows_in_view)
        self._one_line = OneLineDelegate(table)
        table.setWordWrap(True)
        for column in self.give_way:
            table.setItemDelegateForColumn(column, self._one_line)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # sizeHintForColumn reads this many rows, those in view first.
        header.setResizeContentsPrecision(MEASURED_ROWS)
        table.viewport().installEventFilter(self)
        table.verticalScrollBar().valueChanged.connect(self._pending_rows.start)
        model = table.model()
        if model is not None:
            for signal in (
                model.modelReset,
                model.rowsInserted,
                model.rowsRemoved,
                model.dataChanged,
                model.layoutChanged,
                model.headerDataChanged,
            ):
                signal.connect(self._rows_changed)
        self.fit()

    def _timer(self, interval: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        return timer

    def _rows_changed(self, *_args: object) -> None:
        self._measured.clear()
        self._pending_fit.start(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._pending_fit.start(RESIZE_PAUSE_MS)
        return False

    def fit(self) -> None:
        """Share the view's width among the columns now (a screen that just filled the table
        calls this; changes and resizes call it by themselves)."""
        if self._fitting:
            return
        self._fitting = True
        try:
            self._fit()
        finally:
            self._fitting = False

    def _fit(self) -> None:
        table, header = self.table, self.table.horizontalHeader()
        model = table.model()
        count = model.columnCount() if model is not None else 0
        if not 0 <= self.wrap < count:
            return
        for column in self.hidden:
            table.setColumnHidden(column, False)
        floors = [
            max(header.minimumSectionSize(), header.sectionSizeFromContents(c).width())
            for c in range(count)
        ]
        wanted = []
        for column in range(count):
            text = max(floors[column], table.sizeHintForColumn(column))
            uncapped = column == self.wrap or column in self.whole
            widest = text if uncapped else max(self.widest, floors[column])
            wanted.append(min(text, widest))
        widths, self.hidden = share_width(
            table.viewport().width(),
            wanted,
            floors,
            self.wrap,
            self.wrap_minimum,
            self.give_way,
        )
        for column, width in enumerate(widths):
            table.setColumnHidden(column, column in self.hidden)
            if column not in self.hidden:
                table.setColumnWidth(column, width)
        if widths != self._widths:
            self._widths = widths
            self._measured.clear()
        self.measure_rows_in_view()

    def measure_rows_in_view(self) -> None:
        """Rows in view (and a page below) as tall as their wrapped text; a row of one line
        keeps the table's usual height, a wrapped one gets some air."""
        table = self.table
        model = table.model()
        count = model.rowCount() if model is not None else 0
        usual = table.verticalHeader().defaultSectionSize()
        row = max(0, table.rowAt(0))
        bottom = table.viewport().height()
        y, after = 0, MEASURED_ROWS
        while row < count and (y < bottom or after > 0):
            if row not in self._measured:
                needed = table.sizeHintForRow(row)
                table.setRowHeight(row, usual if needed <= usual else needed + ROW_AIR)
                self._measured.add(row)
            if y >= bottom:
                after -= 1
            y += table.rowHeight(row)
            row += 1
        self.fitted.emit()
