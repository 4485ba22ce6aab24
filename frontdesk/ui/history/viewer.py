"""A simple viewer for received documents: PDF pages and images, rendered in memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from functools import partial

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.history_records import DocumentInfo
from frontdesk.domain.plurals import counted
from frontdesk.services.history import received_documents
from frontdesk.services.history.received_documents import DocumentPages
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.clock import DATE, clock_text
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.runner import LatestOnly, Runner
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.page_view import PageView
from frontdesk.ui.widgets.plain_text import plain_tooltip
from frontdesk.ui.widgets.screen_fit import fit_to_screen


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def document_caption(info: DocumentInfo, zone: tzinfo) -> str:
    """'op report.pdf · PDF, 3 pages, 45 KB · received 11/25/2026 by desk.anna'."""
    kind = (
        "PDF" if info.mime_type == received_documents.PDF else info.mime_type.split("/")[-1].upper()
    )
    pages = info.page_count or 1
    return (
        f"{info.file_name} · {kind}, {counted(pages, 'page')}, "
        f"{size_text(info.size_bytes)} · received {clock_text(info.received_at, zone, DATE)} "
        f"by {info.received_by}"
    )


class DocumentViewer(QDialog):
    """The documents of one entry: pick one on the left, read its pages on the right.

    Only the pages in view are drawn (off the UI thread) and kept as pixmaps in this window:
    nothing is written to disk.
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
        self.shown: DocumentPages | None = None
        self.latest = LatestOnly(runner)
        self.zone = practice_clock.practice_zone(context)

        self.list = QListWidget()
        self.list.setAccessibleName("Documents")
        for info in self.documents:
            item = QListWidgetItem(info.file_name)
            item.setToolTip(plain_tooltip(document_caption(info, self.zone)))
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            self.list.addItem(item)
        self.list.setMaximumWidth(240)
        self.list.setVisible(len(self.documents) > 1)
        self.caption = plain_label("", "hint", wrap=True)
        self.banner = Banner()
        self.pages = PageView(runner)
        self.pages.setAccessibleName("Pages")

        right = QVBoxLayout()
        right.addWidget(self.caption)
        right.addWidget(self.banner)
        right.addWidget(self.pages, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(right, 1)
        self.list.currentRowChanged.connect(self._show_row)
        for keys in ("Esc", "Ctrl+W"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.close)
        fit_to_screen(self, QSize(900, 860))
        if self.documents:
            self.list.setCurrentRow(0)

    def _show_row(self, row: int) -> None:
        if not 0 <= row < len(self.documents):
            return
        info = self.documents[row]
        self.caption.setText(document_caption(info, self.zone))
        self.banner.show_message("info", "Opening the document…")
        call = partial(received_documents.document_pages, self.context, info.id)
        self.latest.run(call, self._show_pages, self._failed)

    def _failed(self, message: str) -> None:
        self.banner.show_message("error", message)
        self.pages.show_message("")

    def _show_pages(self, result: DocumentPages) -> None:
        self.shown = result
        self.banner.clear()
        self.pages.show_pages(result.pages)
