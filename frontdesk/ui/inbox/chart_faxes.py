"""A chart's "Faxes" tab: what the inbox filed to this patient, found by the words on the
pages ("L4-5", "Patel"), with the pages shown beside the list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, tzinfo
from functools import partial

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.documents.page_images import ImagePages, PageSource, PdfPages, TurnedPages
from frontdesk.domain.document_reading import DocumentKind
from frontdesk.services.inbox import listing
from frontdesk.services.inbox.data import InboxRow
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.inbox.area import page_turns
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import plain_label
from frontdesk.ui.widgets.page_view import PageView
from frontdesk.ui.widgets.record_table import Column, RecordTableModel

TABLES = frozenset({"inbox_documents"})


def _kind(row: InboxRow) -> str:
    try:
        return DocumentKind(row.filed_as).label
    except ValueError:
        return row.filed_as


def _columns(zone: Callable[[], tzinfo]) -> tuple[Column, ...]:
    """``zone`` gives the practice's zone as last read: a fax filed at 20:30 in Chicago is
    filed that day, not the next UTC day."""
    return (
        Column(
            "Filed",
            lambda row: (
                practice_clock.clock_text(row.filed_at, zone(), practice_clock.DATE)
                if row.filed_at
                else ""
            ),
            sort_key=lambda row: row.filed_at,
        ),
        Column("What", _kind),
        Column("Where", lambda row: row.filed_to, stretch=True),
        Column("Pages", lambda row: str(row.page_count)),
    )


def _read_filed(
    context: ServiceContext, patient_id: int, words: str
) -> tuple[list[InboxRow], tzinfo]:
    """Runs off the UI thread: the documents filed to the chart and the practice's zone."""
    return (
        listing.filed_for_patient(context, patient_id, words),
        practice_clock.practice_zone(context),
    )


def _open(screen: ScreenContext, row: InboxRow) -> PageSource:
    mime, data = listing.document_bytes(screen.services, row.id)
    source: PageSource = PdfPages(data) if mime == "application/pdf" else ImagePages(data)
    return TurnedPages(source, page_turns(row))


class ChartFaxesTab(QWidget):
    """``loaded`` fires when the list is on screen."""

    loaded = Signal()

    def __init__(
        self, screen: ScreenContext, patient_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.patient_id = patient_id
        self.search_box = QLineEdit()
        self.search_box.setAccessibleName("Find this patient's faxes by their words")
        self.search_box.setPlaceholderText("Words on the pages: L4-5 fusion, Patel…")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaxLength(200)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(lambda _text: self.timer.start())
        # Replaced by the practice's zone with each read, before any row is shown.
        self.zone: tzinfo = UTC
        self.model = RecordTableModel(_columns(lambda: self.zone), parent=self)
        self.table = QTableView()
        self.table.setAccessibleName("Faxes filed to this chart")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.empty = plain_label(
            "No fax or scan has been filed to this chart from the inbox.", "hint", wrap=True
        )
        self.pages = PageView(screen.runner)
        self.pages.setAccessibleName("The filed document's pages")
        self.pages.show_message("Choose a document to see its pages.")
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search_box)
        column.addWidget(self.table, 1)
        column.addWidget(self.empty)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.pages)
        splitter.setSizes([420, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.loads = LatestOnly(screen.runner)
        self.opens = LatestOnly(screen.runner)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self.refresh()

    def refresh(self) -> None:
        call = partial(
            _read_filed,
            self.screen.services,
            self.patient_id,
            self.search_box.text(),
        )
        self.loads.run(call, self._show, lambda message: self.empty.setText(message))

    def _show(self, read: tuple[list[InboxRow], tzinfo]) -> None:
        rows, self.zone = read
        self.model.set_records(rows)
        searching = bool(self.search_box.text().strip())
        self.empty.setText(
            "No filed document has these words."
            if searching
            else "No fax or scan has been filed to this chart from the inbox."
        )
        self.empty.setVisible(not rows)
        self.loaded.emit()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            row: InboxRow = self.model.record(current.row())
            self.pages.show_message("Opening…")
            self.opens.run(
                partial(_open, self.screen, row), self.pages.show_pages, self.pages.show_message
            )

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES):
            self.refresh()
