"""The Inbox area: the unfiled documents (oldest first) beside the open one's pages and the
filing panel. Keyboard first: Enter files where the panel says, Alt+R, Alt+Y and Alt+C file
to the request, the history entry or the chart, Alt+N starts a new request from a referral,
Ctrl+R turns the page in view, Ctrl+Shift+S splits, Delete discards; after filing the next
document opens by itself. Files dropped on the area (or Import…) join the inbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.documents.page_images import ImagePages, PageSource, PdfPages, TurnedPages
from frontdesk.domain.document_reading import DocumentKind
from frontdesk.domain.plurals import counted
from frontdesk.services.inbox import arrivals, filing, listing, pages, reading
from frontdesk.services.inbox.data import Arrival, InboxRow, Suggestions
from frontdesk.services.inbox.destinations import Destination
from frontdesk.services.kernel.changes import touches
from frontdesk.ui.inbox.dialogs import DiscardDialog, SplitDialog
from frontdesk.ui.inbox.filing_panel import FilingPanel
from frontdesk.ui.inbox.thumbnails import PageThumbnails
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, file_dialog
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.page_view import PageView
from frontdesk.ui.widgets.record_table import Column, RecordTableModel, whole_row
from frontdesk.ui.widgets.table_columns import fit_record_columns

TABLES = frozenset({"inbox_documents"})
SOURCE_LABELS = {"folder": "Fax folder", "email": "E-fax", "hand": "Imported", "split": "Split"}


def age_text(received: datetime, now: datetime | None = None) -> str:
    """ "12 min", "3 h", "2 days": how long it has waited."""
    now = now or datetime.now(UTC)
    minutes = max(0, int((now - received).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def _kind_label(row: InboxRow) -> str:
    if row.state != "unfiled":
        return row.state  # found by its words: filed or discarded already
    if not row.suggested_kind:
        return "reading…" if row.reading in ("waiting", "reading") else "?"
    return DocumentKind(row.suggested_kind).label


# Beside the page the list is narrow (about 230 px at 150% on 1080p): the patient wraps, the
# kind keeps its text, and pages, source and waiting time give way in that order.
COLUMNS = (
    Column(
        "Waiting",
        lambda row: age_text(row.received_at),
        sort_key=lambda row: row.received_at,
        give_way=1,
    ),
    Column(
        "From",
        lambda row: SOURCE_LABELS.get(row.source, row.source),
        tooltip=lambda row: (
            f"{row.origin}\n{row.file_name}"
            + (f"\nArrived {row.arrivals} times" if row.arrivals > 1 else "")
        ),
        give_way=2,
    ),
    Column(
        "Pages",
        lambda row: str(row.page_count),
        sort_key=lambda row: row.page_count,
        give_way=3,
    ),
    Column(
        "Patient",
        lambda row: f"{row.suggested_patient} ({row.suggested_mrn})" if row.suggested_mrn else "—",
        stretch=True,
    ),
    Column("Kind", _kind_label),
)
# The patient wraps onto a third line sooner than the kind ("Operative report") onto a
# second one: in the narrow list the kind is the one to read at a glance.
PATIENT_MINIMUM = 110


@dataclass
class OpenDocument:
    """The document on screen: its row, suggestions and its pages (turned as recorded)."""

    row: InboxRow
    suggestions: Suggestions
    source: PageSource
    turns: dict[int, int]


def _open(screen: ScreenContext, document_id: int) -> OpenDocument:
    row, suggestions = listing.one(screen.services, document_id)
    mime, data = listing.document_bytes(screen.services, document_id)
    source: PageSource = PdfPages(data) if mime == "application/pdf" else ImagePages(data)
    return OpenDocument(row, suggestions, source, page_turns(row))


def page_turns(row: InboxRow) -> dict[int, int]:
    """Quarter turns by 0-based page index, as the page view wants them."""
    return {int(page) - 1: turns for page, turns in json.loads(row.rotations or "{}").items()}


class InboxArea(QWidget):
    """``loaded`` fires when a fresh list is on screen; ``document_shown(int)`` when a
    document's pages and suggestions are."""

    loaded = Signal()
    document_shown = Signal(int)
    filed = Signal(str)
    EMPTY_TEXT = (
        "Nothing waits to be filed. Faxes from the watched folders and the e-fax mailbox "
        "(Admin → Inbox) appear here by themselves; drop files here or use Import."
    )

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.setAcceptDrops(True)
        self.current: OpenDocument | None = None
        # Pages of documents just filed, closed once the next document shows.
        self.retired: list[PageSource] = []
        self.dialog: QWidget | None = None
        # The document asked for and not yet shown (its pages are being read).
        self.opening: int | None = None
        self.count = 0

        title = plain_label("Inbox", "pageTitle")
        self.count_label = plain_label("", "hint")
        self.import_button = QPushButton("&Import files…")
        self.import_button.setToolTip("Add faxes, scans or PDFs from this computer (Ctrl+O)")
        self.import_button.clicked.connect(self.import_files)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(self.import_button)

        self.banner = Banner()
        self.search_box = QLineEdit()
        self.search_box.setAccessibleName("Find documents by their words")
        self.search_box.setPlaceholderText("Find words in faxes (L4-5 fusion, Patel)…")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaxLength(200)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(250)
        self.search_timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(lambda _text: self.search_timer.start())
        self.model = RecordTableModel(COLUMNS, row_tooltip=whole_row(COLUMNS), parent=self)
        self.table = QTableView()
        self.table.setAccessibleName("Unfiled documents")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header_view = self.table.horizontalHeader()
        # Whose it is and what it is come first (shown in order, the model keeps its
        # columns); the other columns make room for them (see COLUMNS).
        header_view.moveSection(header_view.visualIndex(3), 0)
        header_view.moveSection(header_view.visualIndex(4), 1)
        self.columns = fit_record_columns(self.table, COLUMNS, wrap_minimum=PATIENT_MINIMUM)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.empty = plain_label(self.EMPTY_TEXT, "hint", wrap=True)
        self.empty.hide()

        self.pages = PageView(screen.runner)
        self.pages.setAccessibleName("The document's pages")
        self.turn_button = QPushButton("Turn page ↻")
        self.turn_button.setToolTip("Turn the page in view a quarter clockwise (Ctrl+R)")
        self.turn_button.clicked.connect(self.turn_page)
        self.split_button = QPushButton("&Split…")
        self.split_button.setToolTip("Cut a fax holding several documents by pages (Ctrl+Shift+S)")
        self.split_button.clicked.connect(self.split)
        self.discard_button = QPushButton("&Discard…")
        self.discard_button.setToolTip("Take it out of the inbox with a reason (Delete)")
        self.discard_button.clicked.connect(self.discard)
        tools = QHBoxLayout()
        for button in (self.turn_button, self.split_button, self.discard_button):
            tools.addWidget(button)
        tools.addStretch(1)
        viewer = QWidget()
        viewer_column = QVBoxLayout(viewer)
        viewer_column.setContentsMargins(0, 0, 0, 0)
        viewer_column.addLayout(tools)
        self.thumbnails = PageThumbnails(screen.runner)
        self.thumbnails.page_chosen.connect(self.pages.scroll_to_page)
        pages_row = QHBoxLayout()
        pages_row.setContentsMargins(0, 0, 0, 0)
        pages_row.addWidget(self.thumbnails)
        pages_row.addWidget(self.pages, 1)
        viewer_column.addLayout(pages_row, 1)

        self.panel = FilingPanel(screen)
        self.panel.file_requested.connect(self.file_to)
        self.panel.choose_patient_requested.connect(self.choose_patient)
        self.panel.new_request_requested.connect(self.new_request)
        self.panel.new_study_requested.connect(self.new_study)
        self.panel.new_surgery_requested.connect(self.new_surgery)
        mark_primary(self.panel.file_button)

        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.search_box)
        left_column.addWidget(self.table, 1)
        left_column.addWidget(self.empty)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(viewer)
        self.splitter.addWidget(self.panel)
        self.splitter.setChildrenCollapsible(False)
        left.setMinimumWidth(220)
        viewer.setMinimumWidth(360)
        self.panel.setMinimumWidth(280)
        # The page is what the person reads to decide where it goes: at 1280x720 (150%) it
        # gets the room (a page beside a list and a panel of equal width could not be read);
        # the list shows the patient and the kind, its other columns give way. Extra width
        # goes to the page too.
        self.splitter.setSizes([230, 10_000, 280])
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

        # Enter on the list (or anywhere in the area that does not use it) files: a shortcut
        # would also take the Enter meant for this area's own dialogs.
        self.table.activated.connect(lambda _index: self.panel.file_here())
        self._shortcut("Alt+R", partial(self.file_where, "request"))
        # Not Alt+H: the main window's Help menu has it (and Alt+F, Alt+E, Alt+G).
        self._shortcut("Alt+Y", self.file_to_history)
        self._shortcut("Alt+C", partial(self.file_where, "chart"))
        # Alt+N and Alt+P are the mnemonics of the panel's buttons ("&New request…", "Change
        # &patient…"): a shortcut on the same keys made both ambiguous, so neither key worked.
        self._shortcut("Ctrl+R", self.turn_page)
        self._shortcut("Ctrl+Shift+S", self.split)
        self._shortcut(Qt.Key.Key_Delete, self.discard)
        self._shortcut("Ctrl+O", self.import_files)
        self._set_actions_enabled(False)

        self.lists = LatestOnly(screen.runner)
        self.opens = LatestOnly(screen.runner)
        self.refreshes = LatestOnly(screen.runner)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self.refresh()

    def _shortcut(self, key: str | Qt.Key, slot: object) -> None:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)  # type: ignore[arg-type]

    def _set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.turn_button, self.split_button, self.discard_button):
            button.setEnabled(enabled)

    # The list ----------------------------------------------------------------------------

    def refresh(self) -> None:
        services = self.screen.services
        words = self.search_box.text().strip()

        def load() -> tuple[list[InboxRow], int]:
            count = listing.unfiled_count(services)
            if words:
                return listing.search_text(services, words), count
            return listing.unfiled(services), count

        self.lists.run(load, self._show_rows, partial(self.banner.show_message, "error"))

    def _show_rows(self, result: tuple[list[InboxRow], int]) -> None:
        rows, count = result
        shown = self.current.row.id if self.current is not None else None
        self.count = count
        self.count_label.setText(f"{count:,} to file" if count else "")
        self.model.set_records(rows)
        searching = bool(self.search_box.text().strip())
        self.empty.setText("No document has these words." if searching else self.EMPTY_TEXT)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        row = self.model.row_of(shown) if shown is not None else -1
        if row >= 0:
            self.table.selectionModel().blockSignals(True)
            self.table.selectRow(row)
            self.table.selectionModel().blockSignals(False)
            self._refresh_current(self.model.record(row))
        elif shown is not None:
            # Filed or discarded meanwhile (here or on another desk): show the next one.
            self._close_document("It was filed on another desk.")
            self.open_next()
        elif rows and self.current is None:
            # A document chosen a moment ago (the next after a filing, a click) is on its way:
            # keep it chosen rather than jump to the first row.
            opening = self.model.row_of(self.opening) if self.opening is not None else -1
            if opening >= 0:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(opening)
                self.table.selectionModel().blockSignals(False)
            else:
                self.table.selectRow(0)
        self.loaded.emit()

    def open_next(self, after: int = -1) -> None:
        if self.model.rowCount() == 0:
            self._close_document("Nothing left to file.")
            return
        self.table.selectRow(max(0, min(after, self.model.rowCount() - 1)))

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        row: InboxRow = self.model.record(current.row())
        if self.current is not None and self.current.row.id == row.id:
            return
        self.open_document(row.id)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES):
            self.refresh()

    # One document ------------------------------------------------------------------------

    def open_document(self, document_id: int) -> None:
        self.opening = document_id
        self.pages.show_message("Opening…")
        self.opens.run(partial(_open, self.screen, document_id), self._show_document, self._failed)

    def _retire_current(self) -> None:
        """The document left the list: its pages stay on screen until the next one shows."""
        if self.current is not None:
            self.retired.append(self.current.source)
        self.current = None

    def _close_retired(self, keep: PageSource | None = None) -> None:
        for source in self.retired:
            if source is not keep:
                source.close()
        self.retired = []

    def _show_document(self, opened: OpenDocument) -> None:
        self.opening = None
        previous = self.current
        self.current = opened
        # The area owns each document's pages: the views show them turned, and a turn shows
        # the same pages again, so they are closed here, once another document replaces them.
        turned = TurnedPages(opened.source, opened.turns, owns_source=False)
        self.pages.show_pages(turned)
        self.thumbnails.show_source(turned)
        if previous is not None and previous.source is not opened.source:
            previous.source.close()
        self._close_retired(keep=opened.source)
        self.panel.show_document(opened.row, opened.suggestions)
        self._set_actions_enabled(True)
        self.document_shown.emit(opened.row.id)

    def _refresh_current(self, row: InboxRow) -> None:
        """A page more was read (or the row changed): new suggestions, same pages."""
        if self.current is None or row == self.current.row:
            return
        self.refreshes.run(
            partial(listing.one, self.screen.services, row.id),
            self._show_refreshed,
            lambda _message: None,
        )

    def _show_refreshed(self, result: tuple[InboxRow, Suggestions]) -> None:
        row, suggestions = result
        if self.current is None or self.current.row.id != row.id:
            return
        self.current.row, self.current.suggestions = row, suggestions
        self.panel.show_document(row, suggestions)

    def _close_document(self, text: str) -> None:
        closing = self.current
        self.current = None
        self.pages.show_message(text)
        self.thumbnails.clear_pages()
        if closing is not None:
            closing.source.close()
        self._close_retired()
        self.panel.clear(text)
        self._set_actions_enabled(False)

    def _failed(self, message: str) -> None:
        self.banner.show_message("error", message)

    # Filing ------------------------------------------------------------------------------

    def _nothing_agrees(self) -> bool:
        """The list starts with "Choose where it goes" and it is still chosen: a shortcut
        must not file to the first surgery it finds (the one that does not agree)."""
        current = self.panel.destination.currentData()
        if not (isinstance(current, Destination) and current.where == "none"):
            return False
        why = current.label.split(": ", 1)[-1]
        self.banner.show_message("info", f"Not filed: {why}; choose where it goes in File to.")
        self.panel.destination.setFocus()
        return True

    def file_where(self, where: str) -> None:
        if self._nothing_agrees():
            return
        destination = self.panel.destination_where(where)
        if destination is None:
            self.banner.show_message("info", "There is no such place to file it for this patient.")
            return
        self.file_to(destination)

    def file_to_history(self) -> None:
        if self._nothing_agrees():
            return
        destination = self.panel.destination_where("surgery") or self.panel.destination_where(
            "study"
        )
        if destination is None:
            self.banner.show_message(
                "info", "This patient has no surgery or imaging study to file it to."
            )
            return
        self.file_to(destination)

    def file_to(self, destination: Destination) -> None:
        opened, patient_id = self.current, self.panel.patient_id
        if opened is None or patient_id is None:
            return
        services = self.screen.services
        kind = self.panel.chosen_kind
        version = opened.row.version
        if destination.where == "request":
            assert destination.request_id is not None
            call = partial(
                filing.file_to_request, services, opened.row.id, destination.request_id,
                as_kind=kind if kind in (DocumentKind.REFERRAL, DocumentKind.IMAGING_REPORT,
                                         DocumentKind.OPERATIVE_REPORT) else DocumentKind.OTHER,
                item_id=destination.item_id, patient_id=patient_id, expected_version=version,
            )  # fmt: skip
        elif destination.where in ("surgery", "study"):
            call = partial(
                filing.file_to_history, services, opened.row.id,
                surgery_id=destination.surgery_id, study_id=destination.study_id,
                patient_id=patient_id, expected_version=version,
            )  # fmt: skip
        else:
            call = partial(
                filing.file_to_chart, services, opened.row.id, patient_id, as_kind=kind,
                expected_version=version,
            )  # fmt: skip
        self.panel.file_button.setEnabled(False)
        self.screen.runner.run(call, self._filed, self._filing_failed)

    def _filed(self, result: filing.Filed) -> None:
        row = self.table.currentIndex().row()
        self.banner.show_message("success", result.message)
        self.filed.emit(result.message)
        self._retire_current()
        self.model.set_records([r for r in self.model.records if r.id != result.document_id])
        self.open_next(row)
        self.refresh()

    def _filing_failed(self, message: str) -> None:
        self.panel.file_button.setEnabled(True)
        self.banner.show_message("error", message)

    def new_request(self) -> None:
        opened = self.current
        if opened is None:
            return
        from frontdesk.ui.inbox.new_request import open_intake_from_referral

        self.dialog = open_intake_from_referral(
            self, self.screen, opened.row, opened.suggestions, self._filed, self._filing_failed
        )

    def new_study(self) -> None:
        opened, patient_id = self.current, self.panel.patient_id
        if opened is None or patient_id is None:
            return
        from frontdesk.ui.inbox.new_study import NewStudyDialog

        dialog = NewStudyDialog(self.screen, opened.row, opened.suggestions, patient_id, self)
        dialog.done.connect(self._filed)
        self.dialog = dialog
        dialog.open()

    def new_surgery(self) -> None:
        opened, patient_id = self.current, self.panel.patient_id
        if opened is None or patient_id is None:
            return
        from frontdesk.ui.inbox.new_surgery import NewSurgeryDialog

        dialog = NewSurgeryDialog(self.screen, opened.row, opened.suggestions, patient_id, self)
        dialog.done.connect(self._filed)
        self.dialog = dialog
        dialog.open()

    def choose_patient(self) -> None:
        if self.current is None:
            return
        from frontdesk.ui.handouts.patient_picker import PatientPicker, patient_line

        picker = PatientPicker(self.screen, self)
        picker.chosen.connect(
            lambda summary: self.panel.set_patient(summary.id, patient_line(summary))
        )
        self.dialog = picker
        picker.open()

    # Pages -------------------------------------------------------------------------------

    def turn_page(self) -> None:
        opened = self.current
        if opened is None:
            return
        page = self.pages.current_page()
        call = partial(
            pages.rotate_page, self.screen.services, opened.row.id, page + 1, 1,
            expected_version=opened.row.version,
        )  # fmt: skip
        self.screen.runner.run(call, partial(self._turned, page), self._failed)

    def _turned(self, page: int, row: InboxRow) -> None:
        if self.current is None or self.current.row.id != row.id:
            return
        self.current.row = row
        self.current.turns = page_turns(row)
        turned = TurnedPages(self.current.source, self.current.turns, owns_source=False)
        self.pages.show_pages(turned)
        self.thumbnails.show_source(turned)
        self.pages.scroll_to_page(page)

    def split(self) -> None:
        if self.current is None or self.current.row.page_count < 2:
            return
        dialog = SplitDialog(self.screen, self.current.row, self)
        dialog.done.connect(self._split_done)
        self.dialog = dialog
        dialog.open()

    def _split_done(self, ids: list[int]) -> None:
        self.banner.show_message("success", f"Split into {len(ids)} documents; file each one.")
        self._retire_current()
        if ids:
            # The first part is what the person files next (not the list's first row).
            self.open_document(ids[0])
        self.refresh()

    def discard(self) -> None:
        if self.current is None:
            return
        dialog = DiscardDialog(self.screen, self.current.row, self)
        dialog.done.connect(self._discarded)
        self.dialog = dialog
        dialog.open()

    def _discarded(self, document_id: int) -> None:
        row = self.table.currentIndex().row()
        self.banner.show_message("success", "Discarded; the reason is recorded.")
        self._retire_current()
        self.model.set_records([r for r in self.model.records if r.id != document_id])
        self.open_next(row)
        self.refresh()

    # Import ------------------------------------------------------------------------------

    def import_files(self) -> None:
        dialog = file_dialog(self, FileKind.INBOX_IMPORT, "Import into the inbox")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter("Faxes and scans (*.pdf *.tif *.tiff *.png *.jpg *.jpeg)")
        dialog.filesSelected.connect(
            lambda names: self.import_paths([Path(name) for name in names])
        )
        self.dialog = dialog
        dialog.open()

    def import_paths(self, paths: list[Path]) -> None:
        services = self.screen.services

        def take() -> list[Arrival]:
            taken = [
                arrivals.receive_file(
                    services, path, source="hand", origin=f"imported by {services.actor.username}"
                )
                for path in paths
            ]
            for arrival in taken:
                if arrival.outcome == "new" and arrival.document_id is not None:
                    reading.read_document(services, arrival.document_id)
            return taken

        self.banner.show_message("info", f"Importing {counted(len(paths), 'file')}…")
        self.screen.runner.run(take, self._imported, self._failed)

    def _imported(self, taken: list[Arrival]) -> None:
        refused = [arrival for arrival in taken if arrival.refused]
        added = sum(1 for arrival in taken if arrival.outcome == "new")
        text = f"{counted(added, 'new document')} in the inbox."
        again = [arrival.message for arrival in taken if arrival.outcome == "again"]
        if again:
            text += " " + " ".join(again)
        if refused:
            text += " Not imported: " + "; ".join(arrival.message for arrival in refused)
        self.banner.show_message("error" if refused else "success", text)
        self.refresh()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.import_paths(paths)
            event.acceptProposedAction()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.panel.file_here()
            event.accept()
            return
        super().keyPressEvent(event)

    # Hooks of the main window ------------------------------------------------------------

    def focus_target(self) -> QWidget:
        """Where Ctrl+digit puts the keyboard: the list (Enter, the arrows)."""
        return self.table

    def focus_search(self) -> bool:
        self.search_box.setFocus()
        self.search_box.selectAll()
        return True
