"""The chart's "Handouts given" tab: what was printed or saved, which version, when, by whom;
Give handouts… and Reprint (the very same version) from here."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.permissions import Permission
from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts.handout_prints import PrintRecord
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.patients.lookup import get_patient
from frontdesk.ui.handouts.give_dialog import GiveHandoutsDialog
from frontdesk.ui.handouts.giving import HandoutGiving, RenderCall, given_sentence
from frontdesk.ui.handouts.preview import still_there
from frontdesk.ui.handouts.table_models import given_model
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner


def _read_prints(context: ServiceContext, patient_id: int) -> tuple[list[PrintRecord], dt.tzinfo]:
    """Runs off the UI thread: the handouts given and the practice's zone to show them in."""
    return (
        handout_prints.prints_for_patient(context, patient_id),
        practice_clock.practice_zone(context),
    )


TABLES = frozenset({"handout_prints", "patients"})


class HandoutsGivenTab(QWidget):
    """``loaded(list[PrintRecord])`` fires each time the list is on screen."""

    loaded = Signal(list)
    dialog_opened = Signal(object)  # GiveHandoutsDialog

    def __init__(
        self, screen: ScreenContext, patient_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.services = screen.services
        self.patient_id = patient_id
        self.can_print = self.services.actor.can(Permission.PRINT_HANDOUTS)
        self.dialog: GiveHandoutsDialog | None = None
        self.records: list[PrintRecord] = []

        self.give_button = QPushButton("&Give handouts…")
        self.give_button.setToolTip("Choose handouts for this patient, preview, print or save")
        self.give_button.clicked.connect(self.give_handouts)
        self.reprint_button = QPushButton("R&eprint…")
        self.reprint_button.setToolTip("Print the selected handout again, the same version")
        self.reprint_button.clicked.connect(self.reprint_selected)
        # Not Alt+C: the chart's "Log a call…" has it.
        self.save_copy_button = QPushButton("Save a cop&y as PDF…")
        self.save_copy_button.setToolTip("Save the selected handout again, the same version")
        self.save_copy_button.clicked.connect(self.save_copy_of_selected)
        for button in (self.give_button, self.reprint_button, self.save_copy_button):
            button.setVisible(self.can_print)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.give_button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.reprint_button)
        toolbar.addWidget(self.save_copy_button)

        # Replaced by the practice's zone with each read, before any row is shown.
        self.zone: dt.tzinfo = dt.UTC
        self.model = given_model(lambda: self.zone, self)
        self.table = QTableView()
        self.table.setAccessibleName("Handouts given")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.doubleClicked.connect(lambda _index: self.reprint_selected())

        self.empty = EmptyState(
            "No handouts given yet",
            "Handouts printed or saved for this patient are listed here: which version, "
            "in which language, when and by whom, and each can be printed again.",
            ("Give handouts…", self.give_handouts) if self.can_print else None,
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.banner = Banner()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)

        self.giving = HandoutGiving(self.services, screen.runner, self)
        self.giving.given.connect(self._given)
        self.giving.failed.connect(lambda message: self.banner.show_message("error", message))
        self.giving.busy_changed.connect(lambda _busy: self._update_buttons())
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._update_buttons()
        self.refresh()

    # The list ----------------------------------------------------------------------------

    def refresh(self) -> None:
        call = partial(_read_prints, self.services, self.patient_id)
        self.screen.runner.run(call, self._show_read, self._load_failed)

    def _show_read(self, read: tuple[list[PrintRecord], dt.tzinfo]) -> None:
        records, self.zone = read
        self._show(records)

    def _show(self, records: list[PrintRecord]) -> None:
        if not still_there(self):
            return
        selected = self.selected()
        self.records = records
        self.model.set_records(records)
        self.stack.setCurrentWidget(self.table if records else self.empty)
        ids = [record.id for record in records]
        if selected is not None and selected.id in ids:
            self.table.selectRow(ids.index(selected.id))
        elif records:
            self.table.selectRow(0)
        self._update_buttons()
        self.loaded.emit(records)

    def _load_failed(self, message: str) -> None:
        if not still_there(self):
            return
        self.banner.show_message("error", message)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES):
            self.refresh()

    def selected(self) -> PrintRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.model.records):
            return None
        record: PrintRecord = self.model.record(rows[0].row())
        return record

    def _update_buttons(self) -> None:
        ready = self.can_print and self.selected() is not None and not self.giving.busy
        self.reprint_button.setEnabled(ready)
        self.save_copy_button.setEnabled(ready)

    # Actions -----------------------------------------------------------------------------

    def give_handouts(self) -> None:
        """Open "Give handouts" for this chart (the chart is read first, off the UI thread)."""
        if not self.can_print:
            return
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        call = partial(get_patient, self.services, self.patient_id, record_view=False)
        self.screen.runner.run(call, self._open_dialog, self._load_failed)

    def _open_dialog(self, patient: PatientData) -> None:
        if not still_there(self):
            return
        dialog = GiveHandoutsDialog(self.screen, patient, self)
        dialog.given.connect(lambda _records: self.refresh())
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _reprint_call(self) -> tuple[PrintRecord, RenderCall] | None:
        record = self.selected()
        if record is None or not self.reprint_button.isEnabled():
            return None
        services, print_id = self.services, record.id
        return record, lambda: [handout_prints.reprint(services, print_id)]

    def reprint_selected(self) -> bool:
        """The system print dialog for the same version, personal details and paper."""
        chosen = self._reprint_call()
        if chosen is None:
            return False
        record, render = chosen
        self.giving.print_dialog(render, record.page_size)
        return True

    def save_copy_of_selected(self) -> bool:
        chosen = self._reprint_call()
        if chosen is None:
            return False
        record, render = chosen
        name = handout_prints.suggested_file_name(
            record.handout_id, record.patient_name, practice_clock.today_in(self.zone)
        )
        self.giving.save_dialog(render, [name])
        return True

    def reprint_to(self, printer: QPrinter) -> bool:
        """Reprint the selected handout on ``printer`` (what the print dialog does)."""
        chosen = self._reprint_call()
        if chosen is None:
            return False
        self.giving.print_to(printer, chosen[1])
        return True

    def save_copy_to(self, path: Path) -> bool:
        chosen = self._reprint_call()
        if chosen is None:
            return False
        self.giving.save_file(path, chosen[1])
        return True

    def _given(self, records: list[PrintRecord]) -> None:
        self.banner.show_message("success", given_sentence(records))
        self.refresh()
