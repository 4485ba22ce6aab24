"""The page view: a document's pages one under the other, fitted, sharp at any screen scale."""

from __future__ import annotations

from collections.abc import Mapping

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from frontdesk.documents.page_images import PageImage, PageSource
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.form import plain_label

PAGE_GAP = 14
MARGIN = 16
BORDER = 1
MIN_PAGE_WIDTH = 120
MAX_PAGE_WIDTH = 900  # wider than this a page is only bigger, not clearer
# Pages kept drawn beyond the visible ones: scrolling a little shows them at once, and a long
# document never holds every page's pixels.
KEEP_AROUND = 2


def page_qimage(image: PageImage) -> QImage:
    """A QImage sharing the page's pixels: use it while ``image`` is still referenced."""
    return QImage(
        image.pixels, image.width, image.height, image.stride, QImage.Format.Format_RGBX8888
    )


def fitted_size(source: PageSource, index: int, width: int) -> tuple[int, int]:
    """The page's size in logical pixels when it is ``width`` wide."""
    page_width, page_height = source.page_size(index)
    return width, max(1, round(width * page_height / page_width))


def draw_page(source: PageSource, index: int, width: int, height: int, ratio: float) -> QImage:
    """The page for ``width`` x ``height`` logical pixels on a screen of device pixel ratio
    ``ratio``: drawn at the physical size so it is sharp at 150 %. Safe on a worker thread."""
    image = page_qimage(
        source.render(index, max(1, round(width * ratio)), max(1, round(height * ratio)))
    ).copy()  # owns its pixels, which the page image does not outlive
    image.setDevicePixelRatio(ratio)
    return image


class PageView(QScrollArea):
    """Shows a PageSource's pages, drawing on demand only those in or near view.

    Pages are drawn off the UI thread by the Runner and kept only as pixmaps here, never on
    disk. ``page_drawn(index)`` fires when a page's pixels are on screen.
    """

    page_drawn = Signal(int)

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setObjectName("pagePreview")
        self.setAccessibleName("Preview")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always there, so the width pages are drawn for does not change when a second page
        # makes the scroll bar appear (which would clip the pages or redraw them twice).
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.source: PageSource | None = None
        self.labels: list[QLabel] = []
        self.sizes: list[tuple[int, int]] = []
        # index -> the (width, height, ratio) its pixmap was drawn for, or is being drawn for
        self.drawn: dict[int, tuple[int, int, float]] = {}
        self.asked: dict[int, tuple[int, int, float]] = {}
        self.generation = 0
        self.content = QWidget()
        self.content.setObjectName("pagePreviewContent")
        self.content.setStyleSheet("QWidget#pagePreviewContent { background: #d9dde2; }")
        self.column = QVBoxLayout(self.content)
        self.column.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        self.column.setSpacing(PAGE_GAP)
        self.message = plain_label("", "emptyStateText", wrap=True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAccessibleName("Preview message")
        self.column.addWidget(self.message, 1)
        self.column.addStretch(0)
        self.setWidget(self.content)
        self.verticalScrollBar().valueChanged.connect(self._draw_visible)
        # Closed with the widget; the slot must not hold the widget itself, Qt deletes it.
        shown = self._open = [None]
        self.destroyed.connect(lambda *_args: shown[0] is not None and shown[0].close())

    # --- what callers use -------------------------------------------------------------------

    def page_count(self) -> int:
        return len(self.labels)

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def page_pixmap(self, index: int) -> QPixmap:
        """Page ``index`` as shown (a null pixmap while it is still being drawn)."""
        return self.labels[index].pixmap()

    def target(self) -> tuple[int, float]:
        """The width pages are shown at, in logical pixels, and the screen's pixel ratio:
        a caller drawing the first pages on its own worker draws them for this."""
        available = self.viewport().width() - 2 * MARGIN - 2 * BORDER
        return max(MIN_PAGE_WIDTH, min(available, MAX_PAGE_WIDTH)), self.devicePixelRatioF()

    def show_message(self, text: str) -> None:
        """Replace the pages with a sentence (nothing chosen yet, drawing, a problem)."""
        self._set_source(None)
        self._set_page_count(0)
        self.message.setText(text)
        self.message.show()

    def show_pages(self, source: PageSource, drawn: Mapping[int, QImage] | None = None) -> None:
        """Show ``source``'s pages (the view closes it when it shows something else).

        ``drawn`` holds pages already drawn for ``target()``; the other pages in view are
        drawn now. Until then a page keeps what it showed before, so a preview redrawn
        while someone types does not flash blank.
        """
        self._set_source(source)
        self.message.hide()
        self._set_page_count(source.page_count)
        width, ratio = self.target()
        self.sizes = [fitted_size(source, index, width) for index in range(source.page_count)]
        for index, (label, (w, h)) in enumerate(zip(self.labels, self.sizes, strict=True)):
            label.setFixedSize(w + 2 * BORDER, h + 2 * BORDER)
            label.setAccessibleName(f"Page {index + 1} of {source.page_count}")
            image = (drawn or {}).get(index)
            if image is not None and image.width() == round(w * ratio):
                self._set_image(index, image, (w, h, ratio))
        self.verticalScrollBar().setValue(0)
        self._draw_visible()

    # --- drawing ------------------------------------------------------------------------------

    def _set_source(self, source: PageSource | None) -> None:
        if self.source is not None and self.source is not source:
            self.source.close()
        self.source = self._open[0] = source
        self.generation += 1
        self.drawn = {}
        self.asked = {}

    def _set_page_count(self, count: int) -> None:
        while len(self.labels) > count:
            label = self.labels.pop()
            self.column.removeWidget(label)
            label.deleteLater()
        while len(self.labels) < count:
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("background: white; border: 1px solid #b8c0c8;")
            self.labels.append(label)
            self.column.insertWidget(
                self.column.count() - 1, label, 0, Qt.AlignmentFlag.AlignHCenter
            )
        if count == 0:
            self.sizes = []

    def _page_tops(self) -> list[int]:
        tops: list[int] = []
        y = MARGIN
        for _width, height in self.sizes:
            tops.append(y)
            y += height + 2 * BORDER + PAGE_GAP
        return tops

    def current_page(self) -> int:
        """The page filling most of the view's top half (0-based; 0 when none)."""
        middle = self.verticalScrollBar().value() + self.viewport().height() // 3
        current = 0
        for index, top in enumerate(self._page_tops()):
            if top <= middle:
                current = index
        return current

    def scroll_to_page(self, index: int) -> None:
        tops = self._page_tops()
        if 0 <= index < len(tops):
            self.verticalScrollBar().setValue(max(0, tops[index] - MARGIN))

    def _visible_pages(self) -> range:
        if not self.sizes:
            return range(0)
        # From the sizes, not the labels' geometry, which the layout sets only later.
        top = self.verticalScrollBar().value()
        bottom = top + max(1, self.viewport().height())
        shown: list[int] = []
        y = MARGIN
        for index, (_width, height) in enumerate(self.sizes):
            end = y + height + 2 * BORDER
            if y < bottom and end > top:
                shown.append(index)
            elif y >= bottom:
                break
            y = end + PAGE_GAP
        if not shown:
            shown = [0]
        return range(
            max(0, shown[0] - KEEP_AROUND), min(len(self.sizes), shown[-1] + KEEP_AROUND + 1)
        )

    def _draw_visible(self) -> None:
        source = self.source
        if source is None or not self.sizes:
            return
        near = self._visible_pages()
        ratio = self.devicePixelRatioF()
        for index in list(self.drawn):
            if index not in near:  # far out of view: give its pixels back
                self.labels[index].clear()
                del self.drawn[index]
        generation = self.generation
        for index in near:
            wanted = (*self.sizes[index], ratio)
            if self.drawn.get(index) == wanted or self.asked.get(index) == wanted:
                continue
            self.asked[index] = wanted
            width, height = self.sizes[index]

            def draw(index: int = index, width: int = width, height: int = height) -> QImage:
                return draw_page(source, index, width, height, ratio)

            def deliver(
                image: QImage, index: int = index, wanted: tuple[int, int, float] = wanted
            ) -> None:
                if (
                    shiboken6.isValid(self)
                    and generation == self.generation
                    and self.asked.get(index) == wanted
                ):
                    del self.asked[index]
                    self._set_image(index, image, wanted)

            def failed(message: str, index: int = index) -> None:
                if shiboken6.isValid(self) and generation == self.generation:
                    self.asked.pop(index, None)
                    self.labels[index].setText(message)

            self.runner.run(draw, deliver, failed)

    def _set_image(self, index: int, image: QImage, size: tuple[int, int, float]) -> None:
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(size[2])
        self.labels[index].setPixmap(pixmap)
        self.drawn[index] = size
        self.page_drawn.emit(index)

    def _refit(self) -> None:
        if self.source is None or not self.labels:
            return
        width, _ratio = self.target()
        if self.sizes and self.sizes[0][0] == width:
            self._draw_visible()
            return
        self.sizes = [fitted_size(self.source, i, width) for i in range(len(self.labels))]
        for label, (w, h) in zip(self.labels, self.sizes, strict=True):
            label.setFixedSize(w + 2 * BORDER, h + 2 * BORDER)
        self._draw_visible()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width() or event.oldSize().height() < 0:
            self._refit()
        else:
            self._draw_visible()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refit()

    def event(self, event: QEvent) -> bool:
        # Moved to a screen of another scale (or the scale changed): draw for the new one.
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self._draw_visible()
        return super().event(event)
