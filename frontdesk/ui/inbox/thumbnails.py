"""A fax's pages as small pictures beside the large view: one click (or Enter) shows that
page; drawn off the UI thread, a page at a time."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

from frontdesk.documents.page_images import PageSource
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.page_view import draw_page, fitted_size

THUMB_WIDTH = 60
# More pages than this are listed without pictures (a 60-page fax draws no 60 images).
MAX_DRAWN = 40


class PageThumbnails(QListWidget):
    """``page_chosen(int)``: the person chose a page (0-based)."""

    page_chosen = Signal(int)

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setAccessibleName("Pages")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.TopToBottom)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        icon = QSize(THUMB_WIDTH, round(THUMB_WIDTH * 1.3))
        self.setIconSize(icon)
        self.setFixedWidth(THUMB_WIDTH + 34)
        self.setSpacing(4)
        # Every page gets a cell of its picture's size (plus its number) from the start: the
        # icon-mode layout is made while the pictures are still being drawn, and placed the
        # pages a text line apart, so the pictures came out stacked on top of each other.
        self.setUniformItemSizes(True)
        self.setGridSize(QSize(THUMB_WIDTH + 12, icon.height() + self.fontMetrics().height() + 12))
        self.generation = 0
        self.itemActivated.connect(lambda item: self.page_chosen.emit(self.row(item)))
        self.itemClicked.connect(lambda item: self.page_chosen.emit(self.row(item)))

    def show_source(self, source: PageSource) -> None:
        """List the pages of ``source`` and draw their pictures, first page first."""
        self.generation += 1
        generation = self.generation
        self.clear()
        ratio = self.devicePixelRatioF()
        for index in range(source.page_count):
            item = QListWidgetItem(str(index + 1))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            item.setToolTip(f"Page {index + 1}")
            self.addItem(item)
            if index >= MAX_DRAWN:
                continue
            width, height = fitted_size(source, index, THUMB_WIDTH)

            def draw(i: int = index, w: int = width, h: int = height) -> QImage:
                return draw_page(source, i, w, h, ratio)

            def show(image: QImage, i: int = index, g: int = generation) -> None:
                if g == self.generation and i < self.count():
                    self.item(i).setIcon(QIcon(QPixmap.fromImage(image)))
                    self.doItemsLayout()

            self.runner.run(draw, show, lambda _message: None)

    def clear_pages(self) -> None:
        self.generation += 1
        self.clear()
