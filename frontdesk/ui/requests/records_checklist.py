"""The request pane's records checklist: its table, and marking, adding and attaching records."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.requests import checklist
from frontdesk.services.requests.data import ChecklistItemData, RequestDetail
from frontdesk.ui.connection_monitor import refused_while_paused
from frontdesk.ui.patients.flow_layout import FlowLayout
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.file_dialogs import FileKind, open_file_name
from frontdesk.ui.widgets.form import Banner, line_edit, show_whole_placeholder
from frontdesk.ui.widgets.table_columns import FittedColumns

# The records checklist grows with its rows up to this many (one-line) rows, then scrolls.
CHECKLIST_MOST = 9


def checklist_status(item: ChecklistItemData) -> str:
    """The checklist's short status, so the record beside it keeps the pane's width: who did
    it, and "missing", are in the cell's tooltip."""
    if item.received_on is not None:
        return f"✓ Received {item.received_on:%m/%d/%Y}"
    if item.requested_on is not None:
        return f"✗ Requested {item.requested_on:%m/%d/%Y}"
    return "✗ Not requested"


class RecordsChecklist:
    """The "Records checklist" box of ``RequestDetailPanel`` and what its buttons do (mixed
    into the panel, not used alone)."""

    # The panel's (RequestDetailPanel), which this section is mixed into.
    screen: ScreenContext
    banner: Banner
    detail: RequestDetail | None
    changed: SignalInstance
    _run: Callable[[Callable[[], Any], str], None]
    load: Callable[[int | None], None]
    letter_requested: SignalInstance

    def _build_checklist(self) -> QGroupBox:
        self.checklist = QTableWidget(0, 2)
        self.checklist.setAccessibleName("Records checklist")
        self.checklist.setHorizontalHeaderLabels(["Record", "Status"])
        self.checklist.verticalHeader().hide()
        self.checklist.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.checklist.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.checklist.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The record wraps and the short status keeps its line, within the pane's width; the
        # table is as tall as its rows (up to CHECKLIST_MOST), never two rows and a scroll bar.
        self.checklist_columns = FittedColumns(self.checklist, wrap=0)
        self.checklist_columns.fitted.connect(self._fit_checklist_height)
        self.received_button = QPushButton("Mark recei&ved")
        self.received_button.clicked.connect(self.mark_selected_received)
        self.requested_button = QPushButton("Mark re&quested")
        self.requested_button.clicked.connect(self.mark_selected_requested)
        self.attach_button = QPushButton("A&ttach file…")
        self.attach_button.setToolTip("Attach a received file; it ticks the selected item")
        self.attach_button.clicked.connect(self.choose_file)
        self.letter_button = QPushButton("Records-request &letter…")
        self.letter_button.setToolTip("Print or save a letter asking for the missing records")
        self.letter_button.clicked.connect(self._letter)
        self.new_kind = QComboBox()
        self.new_kind.setAccessibleName("Kind of record to add")
        self.new_kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.new_kind.setMinimumContentsLength(8)
        for kind in ChecklistKind:
            self.new_kind.addItem(kind.label, kind.value)
        self.new_description = line_edit("Which record", "which one (optional)")
        self.add_item_button = QPushButton("Add")
        self.add_item_button.clicked.connect(self.add_item)
        checklist_buttons_box = QWidget()
        checklist_buttons = FlowLayout(checklist_buttons_box, spacing=6)
        for button in (self.received_button, self.requested_button, self.attach_button):
            checklist_buttons.addWidget(button)
        letter_row = QHBoxLayout()
        letter_row.addWidget(self.letter_button)
        letter_row.addStretch(1)
        # The kind on its own line: beside it in a narrow pane "which one (optional)" was cut.
        add_row = QHBoxLayout()
        add_row.addWidget(show_whole_placeholder(self.new_description), 1)
        add_row.addWidget(self.add_item_button)
        checklist_box = QGroupBox("Records checklist")
        checklist_column = QVBoxLayout(checklist_box)
        checklist_column.addWidget(self.checklist)
        checklist_column.addWidget(checklist_buttons_box)
        checklist_column.addLayout(letter_row)
        checklist_column.addWidget(self.new_kind)
        checklist_column.addLayout(add_row)
        return checklist_box

    def _show_checklist(self, detail: RequestDetail) -> None:
        self.checklist.setRowCount(len(detail.checklist))
        for row, item in enumerate(detail.checklist):
            label = QTableWidgetItem(item.label + (f" — {item.source}" if item.source else ""))
            label.setData(Qt.ItemDataRole.UserRole, item.id)
            label.setToolTip(label.text())
            status = QTableWidgetItem(checklist_status(item))
            status.setToolTip(item.status)
            self.checklist.setItem(row, 0, label)
            self.checklist.setItem(row, 1, status)

    def _fit_checklist_height(self) -> None:
        table = self.checklist
        one_row = table.verticalHeader().defaultSectionSize()
        rows = sum(table.rowHeight(row) for row in range(table.rowCount()))
        chrome = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height = chrome + min(max(rows, one_row), CHECKLIST_MOST * one_row)
        if table.minimumHeight() != height or table.maximumHeight() != height:
            table.setFixedHeight(height)

    def selected_item_id(self) -> int | None:
        row = self.checklist.currentRow()
        item = self.checklist.item(row, 0) if row >= 0 else None
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def mark_selected_received(self) -> None:
        if refused_while_paused(self.banner):
            return
        item_id = self.selected_item_id()
        if item_id is not None:
            self._run(
                partial(checklist.mark_received, self.screen.services, item_id), "Marked received."
            )

    def mark_selected_requested(self) -> None:
        if refused_while_paused(self.banner):
            return
        item_id = self.selected_item_id()
        if item_id is not None:
            self._run(
                partial(checklist.mark_requested, self.screen.services, [item_id]),
                "Marked requested today.",
            )

    def add_item(self) -> None:
        if refused_while_paused(self.banner):  # what was typed stays for later
            return
        if self.detail is None:
            return
        call = partial(
            checklist.add_checklist_item,
            self.screen.services,
            self.detail.request.id,
            ChecklistKind(self.new_kind.currentData()),
            self.new_description.text(),
        )
        self.new_description.clear()
        self._run(call, "Added to the checklist.")

    def choose_file(self) -> None:
        if refused_while_paused(self.banner):
            return
        path = open_file_name(
            self,
            FileKind.RECEIVED_DOCUMENT,
            "Attach a received file",
            "PDF or image (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)",
        )
        if path:
            self.attach_path(Path(path))

    def attach_path(self, path: Path) -> None:
        """Attach ``path`` to the selected checklist item (or a referral letter)."""
        if refused_while_paused(self.banner):  # what was typed stays for later
            return
        if self.detail is None:
            return
        item_id = self.selected_item_id()
        kind = ChecklistKind.REFERRAL_LETTER
        for item in self.detail.checklist:
            if item.id == item_id:
                kind = item.kind
        request_id = self.detail.request.id

        def attach() -> Any:
            return checklist.attach_document(
                self.screen.services,
                request_id,
                path.read_bytes(),
                path.name,
                kind,
                item_id=item_id,
            )

        self.screen.runner.run(
            attach,
            lambda result: (
                self.load(request_id),
                self.banner.show_message("success", result.message),
                self.changed.emit(),
            ),
            lambda message: self.banner.show_message("error", message),
        )

    def _letter(self) -> None:
        if self.detail is not None:
            self.letter_requested.emit(self.detail)
