"""The merge tool (administrators): two charts of one person side by side, then one chart."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.clock import clock_text, today_in
from frontdesk.services.patients.forms import MergeResult, PatientData
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.patients.merge import merge_patients
from frontdesk.services.patients.search import search
from frontdesk.ui.patients.comparison import ComparisonModel
from frontdesk.ui.patients.display import (
    age_text,
    birth_date_text,
    language_text,
    phone_text,
)
from frontdesk.ui.patients.search_model import (
    AGE,
    BIRTH_DATE,
    MRN,
    NAME,
    PATIENT_ID_ROLE,
    PatientSearchModel,
)
from frontdesk.ui.practice_day import PracticeDay
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen

PICKER_PAGE = 20
ROWS = (
    "MRN",
    "Name",
    "Preferred name",
    "Date of birth",
    "Sex",
    "Phones",
    "E-mail",
    "Address",
    "Language",
    "Insurance",
    "Referred by",
    "Primary care",
    "Chart created",
)
# What a merge moves, in words (the service moves every record that points at the chart).
MOVES = "consultation requests, appointments, surgery history, imaging studies and handouts given"


def chart_column(patient: PatientData) -> list[str]:
    phones = [
        f"{label} {phone_text(value)}"
        for label, value in (
            ("mobile", patient.mobile_phone),
            ("home", patient.home_phone),
            ("work", patient.work_phone),
        )
        if value
    ]
    address = ", ".join(
        part
        for part in (
            patient.address_line1,
            patient.address_line2,
            patient.city,
            patient.state,
            patient.postal_code,
        )
        if part
    )
    insurance = " · ".join(
        part for part in (patient.insurance_payer, patient.insurance_member_id) if part
    )
    return [
        patient.mrn,
        patient.display_name,
        patient.preferred_name,
        f"{birth_date_text(patient.date_of_birth)} "
        f"(age {age_text(patient.date_of_birth, today_in(patient.zone))})",
        patient.sex.capitalize(),
        "\n".join(phones),
        patient.email,
        address,
        language_text(patient.preferred_language, patient.interpreter_needed),
        insurance,
        patient.referring_name,
        patient.primary_care_name,
        f"{clock_text(patient.created_at, patient.zone, '%Y-%m-%d')} by {patient.created_by}",
    ]


def describe_moves(result: MergeResult) -> str:
    moved = {name: count for name, count in result.moved.items() if count}
    if not moved:
        return "No other records pointed at it."
    parts = [
        f"{count} {name.split('.')[0].replace('_', ' ')}" for name, count in sorted(moved.items())
    ]
    return "Moved: " + ", ".join(parts) + "."


class ChartPicker(QWidget):
    """Find a chart by typing; the highlighted result is the one picked."""

    picked = Signal(object)  # PatientData or None

    def __init__(self, screen: ScreenContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.patient: PatientData | None = None
        context = screen.services
        self.searches = LatestOnly(screen.runner)
        self.loads = LatestOnly(screen.runner)
        self.model = PatientSearchModel(
            lambda text, cursor: search(context, text, limit=PICKER_PAGE, cursor=cursor),
            screen.runner,
            self,
            today=PracticeDay(context),
        )
        self.search_box = QLineEdit()
        self.search_box.setAccessibleName(f"Find the {title.lower()}")
        self.search_box.setPlaceholderText("Name, date of birth, phone or MRN")
        self.search_box.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(f"Charts found for the {title.lower()}")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        for column in range(self.model.columnCount()):
            self.table.setColumnHidden(column, column not in (NAME, BIRTH_DATE, AGE, MRN))
        self.table.horizontalHeader().setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        self.table.selectionModel().currentRowChanged.connect(self._highlighted)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._search)
        self.search_box.textChanged.connect(lambda _text: self._timer.start())
        self.search_box.returnPressed.connect(self._first)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plain_label(title, "sectionTitle"))
        layout.addWidget(self.search_box)
        layout.addWidget(self.table)

    def _search(self) -> None:
        text = self.search_box.text()
        context = self.screen.services
        self.searches.run(
            lambda: search(context, text, limit=PICKER_PAGE),
            lambda page: self.model.show_page(text, page),
        )

    def _first(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _highlighted(self, current: QModelIndex, _previous: QModelIndex) -> None:
        value = current.siblingAtColumn(NAME).data(PATIENT_ID_ROLE) if current.isValid() else None
        if value is None:
            return
        self.load(int(value))

    def load(self, patient_id: int) -> None:
        # Looking at the whole chart to compare it is a view, recorded like any other.
        self.loads.run(
            partial(get_patient, self.screen.services, patient_id),
            self.set_patient,
        )

    def set_patient(self, patient: PatientData | None) -> None:
        self.patient = patient
        self.picked.emit(patient)


class MergeDialog(QDialog):
    """Pick the chart to keep and the one to merge into it, compare, confirm, merge."""

    merged = Signal(object)  # MergeResult

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.setWindowTitle("Merge two charts")
        self.setAccessibleName("Merge two charts")
        self.allowed = screen.services.actor.can(Permission.MERGE_PATIENTS)
        self.running = False
        self.question: QMessageBox | None = None
        self.keep = ChartPicker(screen, "Chart to keep")
        self.gone = ChartPicker(screen, "Chart to merge into it")
        self.keep.picked.connect(lambda _p: self._compare())
        self.gone.picked.connect(lambda _p: self._compare())
        self.comparison = ComparisonModel(ROWS, self)
        self.table = QTableView()
        self.table.setModel(self.comparison)
        self.table.setAccessibleName("The two charts side by side")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.setStyleSheet("QTableView::item { padding: 3px 4px; }")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.banner = Banner()
        self.swap_button = QPushButton("Swap")
        self.swap_button.setToolTip("Keep the other chart instead")
        self.swap_button.clicked.connect(self.swap)
        self.merge_button = mark_primary(QPushButton("Merge…"))
        self.merge_button.setToolTip("Review what will move, then merge")
        self.merge_button.clicked.connect(self.confirm)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.buttons.addButton(self.swap_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.ActionRole)

        pickers = QHBoxLayout()
        pickers.setSpacing(16)
        pickers.addWidget(self.keep, 1)
        pickers.addWidget(self.gone, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                "Merge two charts of the same person. Everything recorded on the second "
                "chart moves to the first; the second stops appearing in search, and its MRN "
                "leads to the kept chart.",
                "hint",
                wrap=True,
            )
        )
        layout.addLayout(pickers)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        fit_to_screen(self, QSize(1000, 760))
        if not self.allowed:
            self.banner.show_message("error", "Only an administrator can merge charts.")
        self._compare()

    def _compare(self) -> None:
        keep, gone = self.keep.patient, self.gone.patient
        titles, columns = [], []
        if keep is not None:
            titles.append(f"Keep: {keep.mrn}")
            columns.append(chart_column(keep))
        if gone is not None:
            titles.append(f"Merge into it: {gone.mrn}")
            columns.append(chart_column(gone))
        self.comparison.set_columns(titles, columns)
        ready = keep is not None and gone is not None and keep.id != gone.id
        self.merge_button.setEnabled(ready and self.allowed and not self.running)
        self.swap_button.setEnabled(keep is not None or gone is not None)
        if keep is not None and gone is not None and keep.id == gone.id:
            self.banner.show_message("info", "Pick two different charts.")
        elif self.banner.kind == "info":
            self.banner.clear()

    def swap(self) -> None:
        keep, gone = self.keep.patient, self.gone.patient
        self.keep.patient, self.gone.patient = gone, keep
        self._compare()

    def confirm(self) -> QMessageBox | None:
        keep, gone = self.keep.patient, self.gone.patient
        if keep is None or gone is None or keep.id == gone.id or not self.allowed:
            return None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Merge these charts?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"Merge chart {gone.mrn} ({gone.display_name}, born "
            f"{birth_date_text(gone.date_of_birth)}) into chart {keep.mrn} "
            f"({keep.display_name}, born {birth_date_text(keep.date_of_birth)})?"
        )
        box.setInformativeText(
            f"All {MOVES} of {gone.mrn} move to {keep.mrn}. Empty fields of {keep.mrn} are "
            f"filled in from {gone.mrn} and its notes are added. {gone.mrn} then no longer "
            f"appears in search; its MRN leads to {keep.mrn}. This cannot be undone."
        )
        go = box.addButton(f"Merge {gone.mrn} into {keep.mrn}", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        self.question = box

        def answered() -> None:
            self.question = None
            if box.clickedButton() is go:
                self.merge(keep, gone)

        box.finished.connect(answered)
        box.open()
        return box

    def merge(self, keep: PatientData, gone: PatientData) -> None:
        self.running = True
        self.merge_button.setEnabled(False)
        self.banner.show_message("info", "Merging…")
        call = partial(
            merge_patients,
            self.screen.services,
            keep.id,
            gone.id,
            keep_version=keep.version,
            merge_version=gone.version,
        )
        self.screen.runner.run(call, self._merged, self._failed)

    def _merged(self, result: Any) -> None:
        self.running = False
        assert isinstance(result, MergeResult)
        self.banner.show_message(
            "success",
            f"Merged {result.merged_mrn} into {result.kept.mrn}. {describe_moves(result)}",
        )
        self.merged.emit(result)
        self.keep.set_patient(result.kept)
        self.gone.set_patient(None)

    def _failed(self, message: str) -> None:
        self.running = False
        self._compare()
        self.banner.show_message("error", f"Not merged. {message}")
