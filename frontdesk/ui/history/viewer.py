"""A simple viewer for received documents: PDF pages and images, rendered in memory."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.history import received_documents
from frontdesk.services.history.chart_history import DocumentInfo
from frontdesk.services.history.received_documents import DocumentPages
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.form import Banner, plain_label


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def document_caption(info: DocumentInfo) -> str:
    """'op report.pdf · PDF, 3 pages, 45 KB · received 11/25/2026 by desk.anna'."""
    kind = (
        "PDF" if info.mime_type == received_documents.PDF else info.mime_type.split("/")[-1].upper()
    )
    pages = info.page_count or 1
    return (
        f"{info.file_name} · {kind}, {pages} page{'s' if pages != 1 else ''}, "
        f"{size_text(info.size_bytes)} · received {info.received_at.astimezone():%m/%d/%Y} "
        f"by {info.received_by}"
    )


class DocumentViewer(QDialog):
    """The documents of one entry: pick one on the left, read its pages on the right.

    Pages arrive as PNG images from the service (pdftoppm through pipes, Pillow for images)
    and are kept only as pixmaps in this window: nothing is written to disk.
    """

    def __init__(
        self,
        context: ServiceContext,
        runner: Runner,
        items: Sequence[DocumentInfo],
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.documents = list(items)
        self.pixmaps: list[QPixmap] = []
        self.page_labels: list[QLabel] = []
        self.shown: DocumentPages | None = None

        self.list = QListWidget()
        self.list.setAccessibleName("Documents")
        for info in self.documents:
            item = QListWidgetItem(info.file_name)
            item.setToolTip(document_caption(info))
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            self.list.addItem(item)
        self.list.setMaximumWidth(240)
        self.list.setVisible(len(self.documents) > 1)
        self.caption = plain_label("", "hint", wrap=True)
        self.banner = Banner()
        self.pages = QWidget()
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setSpacing(12)
        self.pages_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.pages)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAccessibleName("Pages")
        self.scroll.setBackgroundRole(self.scroll.backgroundRole())

        right = QVBoxLayout()
        right.addWidget(self.caption)
        right.addWidget(self.banner)
        right.addWidget(self.scroll, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(right, 1)
        self.list.currentRowChanged.connect(self._show_row)
        for keys in ("Esc", "Ctrl+W"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.close)
        self.resize(900, 860)
        if self.documents:
            self.list.setCurrentRow(0)

    def _show_row(self, row: int) -> None:
        if not 0 <= row < len(self.documents):
            return
        info = self.documents[row]
        self.caption.setText(document_caption(info))
        self.banner.show_message("info", "Opening the document…")
        call = partial(received_documents.document_pages, self.context, info.id)
        self.runner.run(call, self._show_pages, self._failed)

    def _failed(self, message: str) -> None:
        self.banner.show_message("error", message)

    def _show_pages(self, result: DocumentPages) -> None:
        self.shown = result
        for label in self.page_labels:
            self.pages_layout.removeWidget(label)
            label.deleteLater()
        self.page_labels = []
        self.pixmaps = []
        for number, png in enumerate(result.pages, start=1):
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            self.pixmaps.append(pixmap)
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setAccessibleName(f"Page {number} of {result.total_pages}")
            self.page_labels.append(label)
            self.pages_layout.insertWidget(self.pages_layout.count() - 1, label)
        self._fit_pages()
        if result.shown_all:
            self.banner.clear()
        else:
            self.banner.show_message(
                "info",
                f"Showing the first {len(result.pages)} of {result.total_pages} pages.",
            )

    def _fit_pages(self) -> None:
        margins = self.pages_layout.contentsMargins()
        width = max(200, self.scroll.viewport().width() - margins.left() - margins.right())
        for pixmap, label in zip(self.pixmaps, self.page_labels, strict=True):
            if pixmap.width() > width:
                label.setPixmap(
                    pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
                )
            else:
                label.setPixmap(pixmap)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_pages()
