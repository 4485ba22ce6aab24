"""A preview of rendered pages inside the app: page images, one under the other, fitted."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from frontdesk.ui.widgets.form import plain_label

PAGE_GAP = 14
MARGIN = 16
MAX_PAGE_WIDTH = 900  # wider than this a page is only bigger, not clearer


class PagePreview(QScrollArea):
    """Shows PNG page images (drawn off the UI thread) kept in memory only, never on disk."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pagePreview")
        self.setAccessibleName("Preview")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.images: list[QImage] = []
        self.labels: list[QLabel] = []
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

    def page_count(self) -> int:
        return len(self.images)

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def show_message(self, text: str) -> None:
        """Replace the pages with a sentence (nothing chosen yet, drawing, a problem)."""
        self._clear_pages()
        self.message.setText(text)
        self.message.show()

    def show_pages(self, pages: Sequence[bytes]) -> None:
        self._clear_pages()
        self.message.hide()
        for number, png in enumerate(pages, start=1):
            image = QImage.fromData(png)
            if image.isNull():
                continue
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setAccessibleName(f"Page {number} of {len(pages)}")
            label.setStyleSheet("background: white; border: 1px solid #b8c0c8;")
            self.images.append(image)
            self.labels.append(label)
            self.column.insertWidget(
                self.column.count() - 1, label, 0, Qt.AlignmentFlag.AlignHCenter
            )
        self._fit()
        self.verticalScrollBar().setValue(0)

    def page_pixmap(self, index: int) -> QPixmap:
        return self.labels[index].pixmap()

    def _clear_pages(self) -> None:
        for label in self.labels:
            self.column.removeWidget(label)
            label.deleteLater()
        self.labels = []
        self.images = []

    def _fit(self) -> None:
        width = min(self.viewport().width() - 2 * MARGIN - 2, MAX_PAGE_WIDTH)
        width = max(width, 120)
        for image, label in zip(self.images, self.labels, strict=True):
            scaled = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            label.setPixmap(QPixmap.fromImage(scaled))
            label.setFixedSize(scaled.width() + 2, scaled.height() + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.images and event.oldSize().width() != event.size().width():
            self._fit()
