"""The chart's "Surgery history" and "Imaging" tabs and the one-line history summary."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.history_records import (
    HISTORY_TABLES,
    DeletedEntry,
    ImagingData,
    PatientHistory,
    ProcedureChoice,
    SurgeryData,
)
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.services.history import received_documents
from frontdesk.services.history.entry_rows import may_change_entry
from frontdesk.services.history.imaging import delete_imaging
from frontdesk.services.history.procedures import procedure_choices
from frontdesk.services.history.received_documents import AttachResult
from frontdesk.services.history.summary import get_history, surgeon_summary_pdf
from frontdesk.services.history.surgeries import delete_surgery
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.history.dialogs import EntryDialog, ImagingDialog, SurgeryDialog
from frontdesk.ui.history.table_models import (
    IMAGING_COLUMNS,
    SURGERY_COLUMNS,
    entry_model,
)
from frontdesk.ui.history.viewer import DocumentViewer
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.file_dialogs import FileKind, file_dialog
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.record_table import Column
from frontdesk.ui.widgets.table_columns import fit_record_columns

FILE_FILTER = "Received documents (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)"


class DropTableView(QTableView):
    """A table that takes files dropped on a row: ``files_dropped(row, paths)``."""

    files_dropped = Signal(int, list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(True)

    @staticmethod
    def _paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[str]:
        data = event.mimeData()
        if not data.hasUrls():
            return []
        return [url.toLocalFile() for url in data.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if self._paths(event) and index.isValid():
            self.selectRow(index.row())
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._paths(event)
        index = self.indexAt(event.position().toPoint())
        if not paths or not index.isValid():
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(index.row(), paths)


def _shortcut(widget: QWidget, keys: str, slot: Callable[[], object]) -> None:
    shortcut = QShortcut(QKeySequence(keys), widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)


class HistoryEntriesTab(QWidget):
    """A sortable table of one kind of history entry with Add, Edit, Delete, Attach, View.

    Keyboard: Ctrl+N (or Insert) adds, Enter edits, Delete deletes (after asking),
    Ctrl+Shift+A attaches a received document, Ctrl+Shift+O opens the entry's documents.
    A file dropped on a row is attached to that entry.
    """

    NOUN = "entry"
    TITLE = ""
    HINT = ""
    EMPTY: tuple[str, str] = ("", "")
    COLUMNS: Sequence[Column] = ()

    # Emitted after each load with the whole history (the chart header shows its summary).
    history_loaded = Signal(object)

    def __init__(
        self,
        context: ServiceContext,
        runner: Runner,
        patient_id: int,
        changes: QObject | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.patient_id = patient_id
        self.history: PatientHistory | None = None
        self.dialog: EntryDialog | None = None
        self.confirmation: QMessageBox | None = None
        self.viewer: DocumentViewer | None = None
        self.can_add = context.actor.can(Permission.EDIT_HISTORY_BASIC)
        self.loaded = False

        self.model = entry_model(self.COLUMNS, self)
        self.table = DropTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.TITLE)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(70)
        # A long procedure wraps onto a second line rather than ending in "…"; the less
        # needed columns give way on a narrow chart.
        self.columns = fit_record_columns(self.table, self.COLUMNS)
        self.table.activated.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.files_dropped.connect(self._files_dropped)

        self.banner = Banner()
        self.add_button = QPushButton(f"&Add {self.NOUN}…")
        self.add_button.setToolTip(f"Add a {self.NOUN} (Ctrl+N)")
        self.add_button.clicked.connect(self.add_entry)
        self.add_button.setVisible(self.can_add)
        self.edit_button = QPushButton("&Edit…")
        self.edit_button.setToolTip(f"Change the selected {self.NOUN} (Enter)")
        self.edit_button.clicked.connect(self.edit_selected)
        # Alt+D, Alt+T and Alt+P are the chart's Demographics, Timeline and Appointments tabs.
        self.delete_button = QPushButton("De&lete…")
        self.delete_button.setToolTip(f"Delete the selected {self.NOUN} (Delete); asks first")
        self.delete_button.clicked.connect(self.delete_selected)
        self.attach_button = QPushButton("Attach d&ocument…")
        self.attach_button.setToolTip(
            "Attach a received PDF or scan to the selected entry (Ctrl+Shift+A); "
            "or drop the file on the entry"
        )
        self.attach_button.clicked.connect(self.choose_file)
        self.view_button = QPushButton("&View documents")
        self.view_button.setToolTip("Open the selected entry's documents (Ctrl+Shift+O)")
        self.view_button.clicked.connect(self.view_documents)

        self.empty = EmptyState(
            self.EMPTY[0],
            self.EMPTY[1],
            (f"Add a {self.NOUN}…", self.add_entry) if self.can_add else None,
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)

        buttons = QHBoxLayout()
        buttons.addWidget(plain_label(self.TITLE, "sectionTitle"))
        buttons.addStretch(1)
        for button in self._toolbar_buttons():
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(buttons)
        layout.addWidget(plain_label(self.HINT, "hint", wrap=True))
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)

        _shortcut(self, "Ctrl+N", self.add_entry)
        _shortcut(self, "Insert", self.add_entry)
        _shortcut(self.table, "Delete", self.delete_selected)
        _shortcut(self, "Ctrl+Shift+A", self.choose_file)
        _shortcut(self, "Ctrl+Shift+O", self.view_documents)
        if changes is not None:
            changes.changed.connect(self._on_changed)  # type: ignore[attr-defined]
        self._update_buttons()
        self.refresh()

    def _toolbar_buttons(self) -> list[QPushButton]:
        return [
            self.view_button,
            self.attach_button,
            self.delete_button,
            self.edit_button,
            self.add_button,
        ]

    # What each kind supplies --------------------------------------------------------------

    def entries(self, shown: PatientHistory) -> Sequence[Any]:
        raise NotImplementedError

    def make_dialog(self, entry: Any | None) -> EntryDialog:
        raise NotImplementedError

    def delete_call(self, entry: Any) -> Callable[[], DeletedEntry]:
        raise NotImplementedError

    def attach_target(self, entry: Any) -> dict[str, int]:
        raise NotImplementedError

    def delete_question(self, entry: Any) -> str:
        raise NotImplementedError

    # Loading ----------------------------------------------------------------------------

    def refresh(self, select_id: int | None = None) -> None:
        if select_id is None:
            current = self.selected()
            select_id = current.id if current is not None else None

        def show(shown: PatientHistory) -> None:
            self.history = shown
            entries = self.entries(shown)
            self.model.set_records(entries)
            self.loaded = True
            self.pages.setCurrentWidget(self.table if entries else self.empty)
            row = self.model.row_of(select_id) if select_id is not None else -1
            if row < 0 and entries:
                row = 0
            if row >= 0:
                self.table.selectRow(row)
            self._update_buttons()
            self.history_loaded.emit(shown)

        def fail(message: str) -> None:
            self.banner.show_message("error", f"Could not load the history. {message}")

        self.runner.run(partial(get_history, self.context, self.patient_id), show, fail)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, HISTORY_TABLES):
            self.refresh()

    def selected(self) -> Any | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return self.model.record(rows[0].row()) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        entry = self.selected() if self.loaded else None
        self.edit_button.setEnabled(entry is not None)
        self.view_button.setEnabled(entry is not None and bool(entry.documents))
        self.attach_button.setEnabled(entry is not None and self.can_add)
        self.delete_button.setEnabled(
            entry is not None and may_change_entry(self.context.actor, entry.created_by)
        )

    # Add and edit -----------------------------------------------------------------------

    def add_entry(self) -> EntryDialog | None:
        if not self.can_add or self.history is None:
            return None
        return self._open_dialog(None)

    def edit_selected(self) -> EntryDialog | None:
        entry = self.selected()
        if entry is None or not self.can_add:
            return None
        return self._open_dialog(entry)

    def _open_dialog(self, entry: Any | None) -> EntryDialog:
        dialog = self.make_dialog(entry)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._saved)
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, entry: Any) -> None:
        self.banner.show_message("success", f"Saved {entry.description or 'the entry'}.")
        self.refresh(select_id=entry.id)

    # Delete -----------------------------------------------------------------------------

    def delete_selected(self) -> QMessageBox | None:
        entry = self.selected()
        if entry is None:
            return None
        if not may_change_entry(self.context.actor, entry.created_by):
            self.banner.show_message(
                "error",
                f"This {self.NOUN} was entered by {entry.created_by}: deleting it needs "
                "clinical staff or an administrator.",
            )
            return None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(f"Delete this {self.NOUN}?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.delete_question(entry))
        box.setInformativeText("The deletion is recorded in the audit trail.")
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_code: int) -> None:
            self.confirmation = None
            if box.clickedButton() is delete:
                self.runner.run(self.delete_call(entry), self._deleted, self._delete_failed)

        box.finished.connect(answered)
        self.confirmation = box
        box.open()
        return box

    def _deleted(self, result: DeletedEntry) -> None:
        extra = ""
        if result.documents_deleted:
            count = result.documents_deleted
            extra = f" with its {counted(count, 'document')}"
        self.banner.show_message("success", f"Deleted {result.description}{extra}.")
        self.refresh()

    def _delete_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Not deleted. {message}")

    # Documents --------------------------------------------------------------------------

    def choose_file(self) -> QFileDialog | None:
        entry = self.selected()
        if entry is None or not self.can_add:
            return None
        dialog = file_dialog(
            self, FileKind.RECEIVED_DOCUMENT, f"Attach a received document to {entry.description}"
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(FILE_FILTER)
        dialog.fileSelected.connect(lambda path: self.attach_path(entry, Path(path)))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _files_dropped(self, row: int, paths: list[str]) -> None:
        if not self.can_add:
            return
        entry = self.model.record(row)
        for path in paths:
            self.attach_path(entry, Path(path))

    def attach_path(self, entry: Any, path: Path) -> None:
        """Attach a file to ``entry`` off the UI thread; the banner says what happened."""
        self.banner.show_message("info", f"Attaching {path.name}…")
        call = partial(
            received_documents.attach_file, self.context, path, **self.attach_target(entry)
        )
        self.runner.run(call, partial(self._attached, entry.id), self._attach_failed)

    def _attached(self, entry_id: int, result: AttachResult) -> None:
        self.banner.show_message("success", result.message)
        self.refresh(select_id=entry_id)

    def _attach_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Not attached. {message}")

    def view_documents(self) -> DocumentViewer | None:
        entry = self.selected()
        if entry is None or not entry.documents:
            return None
        viewer = DocumentViewer(
            self.context, self.runner, entry.documents, f"Documents: {entry.description}", self
        )
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.finished.connect(lambda _code: setattr(self, "viewer", None))
        self.viewer = viewer
        viewer.show()
        return viewer


class SurgeryHistoryTab(HistoryEntriesTab):
    NOUN = "surgery"
    TITLE = "Prior spine surgeries"
    HINT = (
        "Type levels as text (L4-S1, L4–L5, L5–S1, C5-6) and dates as the patient remembers "
        "them (2019, about 2019, May 2019, 5/17/2019). Drop a received operative report on "
        "its surgery to attach it."
    )
    EMPTY = (
        "No prior spine surgery recorded",
        "Add each operation the patient has had: the year is enough if that is all they "
        "remember. Operative reports can be attached when they arrive.",
    )
    COLUMNS = SURGERY_COLUMNS

    def __init__(
        self,
        context: ServiceContext,
        runner: Runner,
        patient_id: int,
        changes: QObject | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, patient_id, changes, parent)
        self.procedures: list[ProcedureChoice] = []
        runner.run(partial(procedure_choices, context), self._procedures_loaded)

    def _toolbar_buttons(self) -> list[QPushButton]:
        self.summary_button = QPushButton("Su&mmary PDF…")
        self.summary_button.setToolTip(
            'Save the "history summary for the surgeon" as a PDF (recorded as a print)'
        )
        self.summary_button.clicked.connect(self.choose_summary_file)
        return [self.summary_button, *super()._toolbar_buttons()]

    def _procedures_loaded(self, choices: list[ProcedureChoice]) -> None:
        self.procedures = choices

    def entries(self, shown: PatientHistory) -> Sequence[SurgeryData]:
        return shown.surgeries

    def make_dialog(self, entry: SurgeryData | None) -> EntryDialog:
        procedures = self.procedures or [ProcedureChoice(p, p.label) for p in Procedure]
        assert self.history is not None, "a dialog opens only once the history is shown"
        return SurgeryDialog(
            self.context,
            self.runner,
            self.patient_id,
            self.history.zone,
            entry,
            self.history.surgeries,
            procedures,
            self,
        )

    def delete_call(self, entry: SurgeryData) -> Callable[[], DeletedEntry]:
        return partial(delete_surgery, self.context, entry.id, entry.version)

    def attach_target(self, entry: SurgeryData) -> dict[str, int]:
        return {"surgery_id": entry.id}

    def delete_question(self, entry: SurgeryData) -> str:
        text = f"Delete the surgery “{entry.description}” from this patient's history?"
        text += _attached_documents_go_too(
            sum(1 for document in entry.documents if document.surgery_id == entry.id)
        )
        if self.history is not None:
            revising = [s for s in self.history.surgeries if s.revises_id == entry.id]
            if revising:
                text += (
                    f" “{revising[0].description}” revises it and will no longer be linked to it."
                )
        return text

    def choose_summary_file(self) -> QFileDialog | None:
        if self.history is None:
            return None
        dialog = file_dialog(
            self, FileKind.HISTORY_SUMMARY, "Save the history summary for the surgeon"
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.setNameFilter("PDF (*.pdf)")
        dialog.selectFile(f"history summary {self.history.mrn}.pdf")
        dialog.fileSelected.connect(lambda path: self.save_summary(Path(path)))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def save_summary(self, path: Path) -> None:
        def write() -> Path:
            pdf = surgeon_summary_pdf(self.context, self.patient_id)
            handle, temporary = tempfile.mkstemp(prefix=".frontdesk-", dir=path.parent)
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(pdf)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            return path

        self.runner.run(
            write,
            lambda saved: self.banner.show_message("success", f"Saved the summary to {saved}."),
            lambda message: self.banner.show_message("error", f"Not saved. {message}"),
        )


class ImagingTab(HistoryEntriesTab):
    NOUN = "imaging study"
    TITLE = "Imaging"
    HINT = (
        "MRI, CT, X-rays and nerve tests, and whether the report and the images are in hand. "
        "Drop a faxed report on its study to attach it and mark the report received."
    )
    EMPTY = (
        "No imaging recorded",
        "Add the patient's scans and nerve tests: the surgeon needs recent MRI reports and "
        "images before a new consultation.",
    )
    COLUMNS = IMAGING_COLUMNS

    def entries(self, shown: PatientHistory) -> Sequence[ImagingData]:
        return shown.imaging

    def make_dialog(self, entry: ImagingData | None) -> EntryDialog:
        assert self.history is not None, "a dialog opens only once the history is shown"
        return ImagingDialog(
            self.context, self.runner, self.patient_id, self.history.zone, entry, self
        )

    def delete_call(self, entry: ImagingData) -> Callable[[], DeletedEntry]:
        return partial(delete_imaging, self.context, entry.id, entry.version)

    def attach_target(self, entry: ImagingData) -> dict[str, int]:
        return {"imaging_id": entry.id}

    def delete_question(self, entry: ImagingData) -> str:
        text = f"Delete the imaging study “{entry.description}” from this patient's history?"
        text += _attached_documents_go_too(
            sum(1 for document in entry.documents if document.imaging_id == entry.id)
        )
        return text


def _attached_documents_go_too(count: int) -> str:
    """The delete question's words for the documents attached to the entry, if any (one
    filed to a request's checklist item about the entry stays with the request)."""
    if not count:
        return ""
    verb = "is" if count == 1 else "are"
    return f" Its {counted(count, 'attached document')} {verb} deleted with it."


class HistorySummaryLine(QLabel):
    """The one-line history summary for the chart header ("3 prior spine surgeries, …").

    Fed by a tab's ``history_loaded`` signal, so it costs no query of its own."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setObjectName("historySummary")
        self.setAccessibleName("History summary")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_history(self, shown: PatientHistory) -> None:
        self.setText(shown.summary_line)
        self.setToolTip(
            "\n".join(record.text for record in shown.summary.missing) or "No records missing"
        )


__all__ = ["HistoryEntriesTab", "HistorySummaryLine", "ImagingTab", "SurgeryHistoryTab"]
