"""What the practice's record tabs share: a table of records and an editor dialog."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.changes import touches
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
)
from frontdesk.ui.widgets.record_table import Column, RecordTableModel
from frontdesk.ui.widgets.saving_form import FormDialog

AnyIndex = QModelIndex | QPersistentModelIndex


def one_line(text: str) -> str:
    return ", ".join(part.strip() for part in text.splitlines() if part.strip())


def status_text(active: bool) -> str:
    return "Active" if active else "Inactive"


SPANISH_NAME_HINT = "Printed on Spanish letters and handouts; left empty, they print the name."


class RecordDialog(FormDialog):
    """An editor for one record: Enter saves, Esc asks before discarding, errors stay in place.

    Subclasses add their fields to ``self.form`` / ``self.fields`` and implement
    ``save_call()`` (the service call) and ``snapshot()`` (what the user typed, to detect edits).
    """

    saved = Signal(object)

    def __init__(self, screen: ScreenContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.fields = FormFields()
        self.banner = Banner()
        self.form = form_layout()
        self.buttons = self.save_cancel_buttons()
        layout = QVBoxLayout(self)
        heading = plain_label(title, "sectionTitle")
        layout.addWidget(heading)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.conflicted = False
        # Paused while the practice server is unreachable; the typing stays in the form.
        self.follow_gate(self.buttons.button(QDialogButtonBox.StandardButton.Save))

    def save_call(self) -> Callable[[], Any]:
        raise NotImplementedError

    # Rows and calls several kinds of record share ------------------------------------------

    def add_spanish_name_row(self, what: str, example: str, max_length: int) -> QLineEdit:
        """The optional name that Spanish letters and handouts print (``what``: "Location")."""
        edit = line_edit(f"{what} name in Spanish", f"e.g. {example}", max_length)
        add_form_row(
            self.form, self.fields, "spanish_name", "Name in Spanis&h", edit, hint=SPANISH_NAME_HINT
        )
        return edit

    def add_active_row(self, text: str, accessible_name: str) -> QCheckBox:
        """The Status row: whether the record is still in use, ticked for a new one."""
        active = QCheckBox(text)
        active.setAccessibleName(accessible_name)
        active.setChecked(True)
        add_form_row(self.form, self.fields, "active", "Status", active)
        return active

    def record_save_call(
        self, save: Callable[..., Any], form: object, record: Any | None
    ) -> Callable[[], Any]:
        """The call of ``save(context, form, id, version)``: a new record (no id), or
        ``record`` at the version this dialog read (a conflict if someone saved since)."""
        return partial(
            save,
            self.screen.services,
            form,
            None if record is None else record.id,
            None if record is None else record.version,
        )

    def save(self) -> None:
        if self.save_refused():
            return
        self.begin_save()
        self.screen.runner.run(self.save_call(), self._on_result, failure=self._on_error)

    def _on_result(self, result: Any) -> None:
        self.end_save()
        self.fields.clear_messages()
        self.banner.clear()
        self.mark_clean()
        self.saved.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _on_error(self, error: Exception) -> None:
        self.conflicted = isinstance(error, ConflictError)
        self.save_error(error)


class RecordsPanel(QWidget):
    """A titled table of records with New and Edit; an empty state while there are none."""

    TABLES: frozenset[str] = frozenset()
    NOUN = "record"

    def __init__(
        self,
        screen: ScreenContext,
        title: str,
        hint: str,
        columns: Sequence[Column],
        empty: tuple[str, str],
        is_inactive: Callable[[Any], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.can_edit = screen.services.actor.can(Permission.EDIT_PRACTICE)
        self.model = RecordTableModel(columns, is_inactive=is_inactive, parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(title)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(90)
        for index, column in enumerate(columns):
            if column.stretch:
                header.setSectionResizeMode(index, QHeaderView.ResizeMode.Stretch)
        # activated covers Enter and double-click (doubleClicked as well would open two).
        self.table.activated.connect(lambda _index: self.edit_selected())

        self.banner = Banner()
        self.new_button = QPushButton(f"New {self.NOUN}…")
        self.new_button.setToolTip(f"Add a {self.NOUN} (Ctrl+N)")
        self.new_button.clicked.connect(self.new_record)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip(f"Change the selected {self.NOUN} (Enter)")
        self.edit_button.clicked.connect(self.edit_selected)
        self.new_button.setVisible(self.can_edit)
        self.edit_button.setVisible(self.can_edit)

        self.empty = EmptyState(
            empty[0],
            empty[1],
            (f"Add a {self.NOUN}…", self.new_record) if self.can_edit else None,
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)

        heading = QHBoxLayout()
        heading.addWidget(plain_label(title, "sectionTitle"))
        heading.addStretch(1)
        heading.addWidget(self.edit_button)
        heading.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addLayout(heading)
        layout.addWidget(plain_label(hint, "hint", wrap=True))
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        if not self.can_edit:
            self.banner.show_message(
                "info", f"Only an administrator can add or change {self.NOUN}s."
            )
        self.loaded = False
        self._select_id: int | None = None
        self.dialog: RecordDialog | None = None
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self.refresh()

    # What each kind of record supplies ---------------------------------------------------

    def load_call(self) -> Callable[[], list[Any]]:
        raise NotImplementedError

    def make_dialog(self, record: Any | None) -> RecordDialog:
        raise NotImplementedError

    # Behaviour ----------------------------------------------------------------------------

    def refresh(self, select_id: int | None = None) -> None:
        if select_id is None:
            current = self.selected()
            select_id = current.id if current is not None else None
        self._select_id = select_id
        # Bound methods, not closures: Qt drops the delivery if this panel is gone by then.
        self.screen.runner.run(self.load_call(), self._show_records, self._load_failed)

    def _show_records(self, records: list[Any]) -> None:
        self.model.set_records(records)
        self.loaded = True
        self.pages.setCurrentWidget(self.table if records else self.empty)
        self.edit_button.setEnabled(bool(records))
        select_id = self._select_id
        row = self.model.row_of(select_id) if select_id is not None else -1
        if row < 0 and records:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self.table.resizeColumnsToContents()

    def _load_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not load the {self.NOUN}s. {message}")

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, self.TABLES):
            self.refresh()

    def selected(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.record(rows[0].row()) if rows else None

    def new_record(self) -> None:
        if self.can_edit:
            self.open_dialog(None)

    def edit_selected(self) -> None:
        record = self.selected()
        if record is not None and self.can_edit:
            self.open_dialog(record)

    def open_dialog(self, record: Any | None) -> RecordDialog:
        dialog = self.make_dialog(record)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_saved(self, record: Any) -> None:
        self.banner.show_message("success", f"Saved {self.describe(record)}.")
        self.refresh(select_id=record.id)

    def describe(self, record: Any) -> str:
        return str(record.id)
