"""What a receptionist sees of a table's cells and a field's hint: whether a row reads without
scrolling sideways, whether a cell shows its whole text (wrapped if need be) rather than ending
in "…", whether a placeholder shows whole."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLineEdit, QStyle, QStyleOptionFrame, QTableView


def scrolls_sideways(table: QTableView) -> bool:
    """The columns shown are wider than the view: the row needs the horizontal scroll bar."""
    return table.horizontalHeader().length() > table.viewport().width()


def reads_whole(table: QTableView, row: int, column: int) -> bool:
    """The cell's text fits its column and row, on one line or wrapped at spaces."""
    if table.isColumnHidden(column):
        return False
    index = table.model().index(row, column)
    text = str(index.data() or "")
    font = index.data(Qt.ItemDataRole.FontRole)
    metrics = QFontMetrics(font if isinstance(font, QFont) else table.font())
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    room = table.columnWidth(column) - 2 * margin
    if not table.wordWrap():
        return metrics.horizontalAdvance(text) <= room
    needed = metrics.boundingRect(QRect(0, 0, room, 100_000), Qt.TextFlag.TextWordWrap, text)
    return needed.width() <= room and needed.height() <= table.rowHeight(row)


def shows_whole_placeholder(edit: QLineEdit) -> bool:
    """The line edit's placeholder fits its text area (Qt elides it otherwise)."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    contents = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    margins = edit.textMargins()
    room = contents.width() - margins.left() - margins.right() - 2 * 2  # QLineEdit's own
    return edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= room
