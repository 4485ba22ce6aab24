"""The import wizard: choose a CSV file, fix the column mapping, review problems, import.

Nothing is written until the last step's Import button. Reading the file, the preview and
the import run off the UI thread (Runner); the preview and the import show a progress dialog
whose Cancel stops them (a cancelled import leaves no chart from the file).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import format_phone
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.progress import ProgressCallback
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import import_write
from frontdesk.services.patients.import_mapping import (
    IGNORE,
    IMPORT_FIELDS,
    check_mapping,
    column_letter,
    column_name,
    guess_mapping,
)
from frontdesk.services.patients.import_preview import (
    PROGRESS_STEPS,
    ImportPreview,
    ProblemKind,
    RowProblem,
    preview_import,
)
from frontdesk.services.patients.import_reading import CsvTable, read_csv_file
from frontdesk.services.patients.import_write import ImportResult
from frontdesk.ui.runner import Runner, Task
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, open_file_name
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.plain_text import plain_tooltip
from frontdesk.ui.widgets.screen_fit import fit_to_screen
from frontdesk.ui.widgets.table_columns import FittedColumns

AnyIndex = QModelIndex | QPersistentModelIndex

FILE_STEP, MAPPING_STEP, PREVIEW_STEP, CONFIRM_STEP, RESULT_STEP = range(5)
STEP_TITLES = (
    "1 of 4 · Choose the file",
    "2 of 4 · Check the columns",
    "3 of 4 · Review the problems",
    "4 of 4 · Confirm",
    "Done",
)
ENCODING_CHOICES = (
    ("auto", "Detect (UTF-8; else Windows-1252, with a warning)"),
    ("utf-8", "UTF-8"),
    ("cp1252", "Windows-1252 (older Windows programs)"),
)
PROBLEM_FILTERS = (
    ("All problems", None),
    ("Errors (not imported)", {ProblemKind.ERROR}),
    (
        "Possible duplicates",
        {ProblemKind.DUPLICATE_IN_FILE, ProblemKind.DUPLICATE_IN_DATABASE},
    ),
    ("Notes and skipped rows", {ProblemKind.NOTE, ProblemKind.SKIPPED}),
)
MAX_EXAMPLE_LENGTH = 40


class ProblemsModel(QAbstractTableModel):
    """The preview's problems by line: Line, Column, Kind, Problem (a filterable list)."""

    HEADERS = ("Line", "Column", "Kind", "Problem")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.all: tuple[RowProblem, ...] = ()
        self.shown: list[RowProblem] = []
        self.kinds: set[ProblemKind] | None = None

    def set_problems(self, problems: tuple[RowProblem, ...]) -> None:
        self.all = problems
        self._refilter()

    def set_filter(self, kinds: set[ProblemKind] | None) -> None:
        self.kinds = kinds
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        kinds = self.kinds
        self.shown = [p for p in self.all if kinds is None or p.kind in kinds]
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.shown):
            return None
        problem = self.shown[index.row()]
        reason = problem.reason[:1].upper() + problem.reason[1:]
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(problem.line), problem.column, problem.kind.label, reason)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            # The whole row: a narrow list hides the Column column (FittedColumns).
            column = f", column {problem.column}" if problem.column else ""
            where = f"Line {problem.line}{column}"
            return plain_tooltip(f"{where} · {problem.kind.label}\n{reason}")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None


def _page(title: str, text: str) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    heading = plain_label(title, "sectionTitle")
    layout.addWidget(heading)
    if text:
        layout.addWidget(plain_label(text, "hint", wrap=True))
    return page, layout


def _middle_of_cell(widget: QWidget) -> QWidget:
    """``widget`` at its own height in the middle of a table cell that may be taller (a row
    whose text wraps), instead of stretched to the cell's height."""
    cell = QWidget()
    box = QVBoxLayout(cell)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
    return cell


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= MAX_EXAMPLE_LENGTH else value[: MAX_EXAMPLE_LENGTH - 1] + "…"


class ImportWizard(QDialog):
    """Five steps in one dialog: file, mapping, problems, confirm, result."""

    def __init__(
        self,
        services: ServiceContext,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.table: CsvTable | None = None
        self.preview: ImportPreview | None = None
        self.result: ImportResult | None = None
        self.task: Task | None = None
        self.progress_dialog: QProgressDialog | None = None
        self._close_when_done = False
        self._cancel_task: Callable[[], None] | None = None
        self.setWindowTitle("Import patients")
        self.setAccessibleName("Import patients from a CSV file")
        fit_to_screen(self, QSize(900, 620))

        self.step_label = plain_label("", "pageTitle")
        self.banner = Banner()
        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._preview_page())
        self.pages.addWidget(self._confirm_page())
        self.pages.addWidget(self._result_page())

        self.back_button = QPushButton("Back")
        self.back_button.setToolTip("Go back one step (Alt+B)")
        self.back_button.setShortcut("Alt+B")
        self.back_button.clicked.connect(self.go_back)
        self.next_button = mark_primary(QPushButton("Next"))
        self.next_button.setDefault(True)
        self.next_button.setToolTip("Go on to the next step (Enter)")
        self.next_button.clicked.connect(self.go_next)
        self.close_button = QPushButton("Cancel")
        self.close_button.setToolTip("Close without importing (Esc)")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.step_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        self.show_step(FILE_STEP)

    # --- pages ---------------------------------------------------------------------------

    def _file_page(self) -> QWidget:
        page, layout = _page(
            "Which file?",
            "A CSV file exported from the old system or a spreadsheet, with a header row that "
            "names the columns. Nothing is saved until the last step.",
        )
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("CSV file")
        self.path_edit.setPlaceholderText("Path of the CSV file")
        self.path_edit.textChanged.connect(lambda _text: self._update_buttons())
        self.browse_button = QPushButton("Choose file…")
        self.browse_button.setToolTip("Pick the CSV file (Alt+C)")
        self.browse_button.setShortcut("Alt+C")
        self.browse_button.clicked.connect(self.choose_file)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        encoding_row = QHBoxLayout()
        encoding_label = QLabel("Text encoding:")
        self.encoding_combo = QComboBox()
        self.encoding_combo.setAccessibleName("Text encoding of the file")
        for value, label in ENCODING_CHOICES:
            self.encoding_combo.addItem(label, value)
        encoding_label.setBuddy(self.encoding_combo)
        encoding_row.addWidget(encoding_label)
        encoding_row.addWidget(self.encoding_combo, 1)
        layout.addLayout(encoding_row)
        layout.addStretch(1)
        return page

    def _mapping_page(self) -> QWidget:
        page, layout = _page(
            "Which field does each column hold?",
            "Recognized columns are already chosen; change any that is wrong. First name, last "
            "name (or a full name) and date of birth are needed. MRNs are always new: an old "
            "chart number is kept in the notes.",
        )
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setAccessibleName("Columns of the file and the field each one holds")
        self.mapping_table.setHorizontalHeaderLabels(["Column", "Examples", "Import as"])
        self.mapping_table.verticalHeader().hide()
        self.mapping_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # The examples wrap; the file's column name stays whole (wrapping at need); the field's
        # box keeps its longest choice ("Merged into MRN (such rows are skipped)") whole.
        self.mapping_columns = FittedColumns(self.mapping_table, wrap=1, whole=(2,))
        self.mapping_combos: list[QComboBox] = []
        layout.addWidget(self.mapping_table, 1)
        self.mapping_status = plain_label("", "hint", wrap=True)
        self.mapping_status.setAccessibleName("Mapping status")
        layout.addWidget(self.mapping_status)
        return page

    def _preview_page(self) -> QWidget:
        page, layout = _page("What would be imported", "")
        self.summary_label = plain_label("", wrap=True)
        self.summary_label.setAccessibleName("Summary of the file")
        layout.addWidget(self.summary_label)
        counts = QGridLayout()
        self.count_labels: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate(
            (
                ("ready", "Ready to import"),
                ("errors", "Rows with errors"),
                ("duplicates", "Possible duplicates"),
                ("rows", "Rows in the file"),
            )
        ):
            value = plain_label("0", "sectionTitle")
            value.setAccessibleName(caption)
            counts.addWidget(value, 0, column)
            counts.addWidget(plain_label(caption, "hint"), 1, column)
            self.count_labels[key] = value
        layout.addLayout(counts)
        layout.addWidget(plain_label("How the first rows will be saved:", wrap=True))
        self.sample_table = QTableWidget(0, 5)
        self.sample_table.setAccessibleName("The first rows as they will be saved")
        self.sample_table.setHorizontalHeaderLabels(
            ["Line", "Name", "Date of birth", "Sex", "Phone"]
        )
        self.sample_table.verticalHeader().hide()
        self.sample_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        sample_header = self.sample_table.horizontalHeader()
        for column in range(4):
            sample_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        sample_header.setStretchLastSection(True)
        self.sample_table.setMaximumHeight(160)
        layout.addWidget(self.sample_table)
        filter_row = QHBoxLayout()
        filter_label = QLabel("Problems by line (the header is line 1):")
        self.problem_filter = QComboBox()
        self.problem_filter.setAccessibleName("Which problems to list")
        for label, _kinds in PROBLEM_FILTERS:
            self.problem_filter.addItem(label)
        self.problem_filter.currentIndexChanged.connect(
            lambda index: self.problems_model.set_filter(PROBLEM_FILTERS[index][1])
        )
        filter_label.setBuddy(self.problem_filter)
        filter_row.addWidget(filter_label)
        filter_row.addStretch(1)
        filter_row.addWidget(self.problem_filter)
        layout.addLayout(filter_row)
        self.problems_model = ProblemsModel(self)
        self.problems_view = QTableView()
        self.problems_view.setAccessibleName("Problems by line")
        self.problems_view.setModel(self.problems_model)
        self.problems_view.verticalHeader().hide()
        self.problems_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # The problem wraps so that why a line was refused reads whole; the line number stays
        # whole; the file's column name gives way first (the row's tooltip keeps it).
        self.problem_columns = FittedColumns(self.problems_view, wrap=3, give_way=(1,))
        layout.addWidget(self.problems_view, 1)
        return page

    def _confirm_page(self) -> QWidget:
        page, layout = _page("Ready to import", "")
        self.confirm_label = plain_label("", wrap=True)
        self.confirm_label.setAccessibleName("What the import will do")
        layout.addWidget(self.confirm_label)
        self.include_duplicates = QCheckBox("Also import the possible duplicates")
        self.include_duplicates.setToolTip(
            "Only when you have checked that they are different people: each gets a new chart"
        )
        self.include_duplicates.toggled.connect(lambda _on: self._show_confirmation())
        layout.addWidget(self.include_duplicates)
        layout.addStretch(1)
        return page

    def _result_page(self) -> QWidget:
        page, layout = _page("Import finished", "")
        self.result_label = plain_label("", wrap=True)
        self.result_label.setAccessibleName("Result of the import")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        return page

    # --- navigation ----------------------------------------------------------------------

    @property
    def step(self) -> int:
        return self.pages.currentIndex()

    def show_step(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        self.step_label.setText(STEP_TITLES[step])
        if step == CONFIRM_STEP:
            self._show_confirmation()
        self._update_buttons()
        focus = {
            FILE_STEP: self.path_edit,
            MAPPING_STEP: self.mapping_table,
            PREVIEW_STEP: self.problems_view,
            CONFIRM_STEP: self.next_button,
            RESULT_STEP: self.close_button,
        }[step]
        focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_buttons(self) -> None:
        step = self.step
        busy = self.task is not None
        self.back_button.setVisible(step not in (FILE_STEP, RESULT_STEP))
        self.back_button.setEnabled(not busy)
        self.next_button.setVisible(step != RESULT_STEP)
        self.close_button.setText("Close" if step == RESULT_STEP else "Cancel")
        enabled = not busy
        if step == FILE_STEP:
            enabled = enabled and bool(self.path_edit.text().strip())
            self.next_button.setText("Next")
        elif step == MAPPING_STEP:
            enabled = enabled and not self.mapping_problems()
            self.next_button.setText("Check rows")
        elif step == PREVIEW_STEP:
            self.next_button.setText("Next")
        elif step == CONFIRM_STEP:
            count = self.rows_to_import()
            enabled = enabled and count > 0
            self.next_button.setText(f"Import {counted(count, 'patient')}")
        self.next_button.setEnabled(enabled)

    def go_next(self) -> None:
        if self.task is not None:
            return
        self.banner.clear()
        if self.step == FILE_STEP:
            self.read_file()
        elif self.step == MAPPING_STEP:
            self.run_preview()
        elif self.step == PREVIEW_STEP:
            self.show_step(CONFIRM_STEP)
        elif self.step == CONFIRM_STEP:
            self.run_import()

    def go_back(self) -> None:
        if self.task is None and self.step not in (FILE_STEP, RESULT_STEP):
            self.banner.clear()
            self.show_step(self.step - 1)

    def choose_file(self) -> None:
        path = open_file_name(
            self,
            FileKind.PATIENT_IMPORT,
            "Choose the CSV file to import",
            "CSV files (*.csv *.txt);;All files (*)",
            self.path_edit.text(),
        )
        if path:
            self.path_edit.setText(path)

    # --- step 1: read the file -------------------------------------------------------------

    def read_file(self) -> None:
        path = Path(self.path_edit.text().strip())
        encoding = str(self.encoding_combo.currentData())
        self._start(lambda: read_csv_file(path, encoding=encoding), self._file_read)

    def _file_read(self, table: CsvTable) -> None:
        self.table = table
        self._fill_mapping(table)
        if table.notice:
            self.banner.show_message("info", table.notice)
        self.show_step(MAPPING_STEP)

    # --- step 2: mapping -------------------------------------------------------------------

    def _fill_mapping(self, table: CsvTable) -> None:
        guessed = guess_mapping(table.headers)
        self.mapping_table.setRowCount(len(table.headers))
        self.mapping_combos = []
        for index, field_name in enumerate(guessed):
            name = column_name(table.headers, index)
            column_item = QTableWidgetItem(f"{column_letter(index)}  {name}")
            self.mapping_table.setItem(index, 0, column_item)
            examples = " · ".join(_short(value) for value in table.examples(index))
            self.mapping_table.setItem(index, 1, QTableWidgetItem(examples))
            combo = QComboBox()
            combo.setAccessibleName(f"Field for column {column_letter(index)} ({name})")
            combo.addItem("(Don't import)", IGNORE)
            for item in IMPORT_FIELDS:
                combo.addItem(item.label, item.name)
            combo.setCurrentIndex(max(combo.findData(field_name), 0))
            combo.currentIndexChanged.connect(lambda _index: self._mapping_changed())
            # Chosen: back to the table on that column's row, so ↑ ↓ go to the next column
            # instead of silently re-mapping this one.
            combo.activated.connect(lambda _index, row=index: self._back_to_table(row))
            self.mapping_table.setCellWidget(index, 2, _middle_of_cell(combo))
            self.mapping_combos.append(combo)
        self._mapping_changed()

    def _back_to_table(self, row: int) -> None:
        self.mapping_table.setCurrentCell(row, 2)
        self.mapping_table.setFocus(Qt.FocusReason.OtherFocusReason)

    def mapping(self) -> tuple[str, ...]:
        return tuple(str(combo.currentData()) for combo in self.mapping_combos)

    def set_field(self, column: int, field_name: str) -> None:
        """Choose the field of a column (what the user does with the combo box)."""
        combo = self.mapping_combos[column]
        combo.setCurrentIndex(combo.findData(field_name))

    def mapping_problems(self) -> dict[str, str]:
        if self.table is None:
            return {"file": "no file"}
        return check_mapping(self.table.headers, self.mapping())

    def _mapping_changed(self) -> None:
        problems = self.mapping_problems()
        if problems:
            text = "To go on: " + "; ".join(problems.values()) + "."
        else:
            used = sum(1 for name in self.mapping() if name)
            text = f"{used} of {len(self.mapping())} columns will be imported."
        self.mapping_status.setText(text)
        self.mapping_status.setAccessibleDescription(text)
        self.preview = None  # a new mapping needs a new check
        self._update_buttons()

    # --- step 3: preview -------------------------------------------------------------------

    def run_preview(self) -> None:
        table, mapping = self.table, self.mapping()
        if table is None:
            return
        services = self.services
        self._start_with_progress(
            "Checking every row…",
            lambda progress: preview_import(services, table, mapping, progress=progress),
            self._previewed,
            cancelled_text="Checking was cancelled; nothing was imported.",
        )

    def _previewed(self, preview: ImportPreview) -> None:
        self.preview = preview
        self.summary_label.setText(preview.summary() + ".")
        self.count_labels["ready"].setText(f"{preview.to_import():,}")
        self.count_labels["errors"].setText(f"{preview.error_rows:,}")
        self.count_labels["duplicates"].setText(f"{preview.duplicate_rows:,}")
        self.count_labels["rows"].setText(f"{preview.rows_in_file:,}")
        sample = preview.sample()
        self.sample_table.setRowCount(len(sample))
        for row, values in enumerate(sample):
            values = {**values, "phone": format_phone(values["phone"])}
            for column, key in enumerate(("line", "name", "date_of_birth", "sex", "phone")):
                self.sample_table.setItem(row, column, QTableWidgetItem(values[key]))
        self.problems_model.set_problems(preview.problems)
        self.problem_filter.setCurrentIndex(0)
        if preview.notice:
            self.banner.show_message("info", preview.notice)
        self.include_duplicates.setChecked(False)
        self.show_step(PREVIEW_STEP)

    # --- step 4: confirm and import --------------------------------------------------------

    def rows_to_import(self) -> int:
        if self.preview is None:
            return 0
        return self.preview.to_import(include_duplicates=self.include_duplicates.isChecked())

    def _show_confirmation(self) -> None:
        preview = self.preview
        if preview is None:
            return
        count = self.rows_to_import()
        lines = [
            f"{counted(count, 'new chart')} will be created from "
            f"{preview.file_name}, each with a new MRN, in one step: if anything goes wrong or "
            "you cancel, none of them is saved."
        ]
        if preview.error_rows:
            lines.append(f"{counted(preview.error_rows, 'row')} with errors will be left out.")
        if preview.duplicate_rows:
            if self.include_duplicates.isChecked():
                lines.append(
                    f"{counted(preview.duplicate_rows, 'possible duplicate')} will be imported too."
                )
            else:
                lines.append(
                    f"{counted(preview.duplicate_rows, 'possible duplicate')} will be left "
                    "out; tick the box below only if you have checked that they are different "
                    "people."
                )
        if not count:
            lines.append("There is nothing to import: go back and fix the file or the columns.")
        lines.append("The import is recorded in the audit trail.")
        self.confirm_label.setText("\n\n".join(lines))
        self.include_duplicates.setVisible(preview.duplicate_rows > 0)
        self.include_duplicates.setText(
            f"Also import {'it' if preview.duplicate_rows == 1 else 'them'} "
            f"({counted(preview.duplicate_rows, 'possible duplicate')})"
        )
        self._update_buttons()

    def run_import(self) -> None:
        preview = self.preview
        if preview is None or not self.rows_to_import():
            return
        include = self.include_duplicates.isChecked()
        services = self.services
        self._start_with_progress(
            "Importing patients…",
            lambda progress: import_write.import_patients(
                services, preview, include_duplicates=include, progress=progress
            ),
            self._imported,
            cancelled_text="The import was cancelled: no patient from the file was saved.",
        )

    def _imported(self, result: ImportResult) -> None:
        self.result = result
        text = result.summary()
        if result.imported:
            text += (
                "\n\nFind the new patients with the search box. The audit trail has one "
                "entry for this import."
            )
        self.result_label.setText(text)
        self.banner.show_message("success", result.summary())
        self.show_step(RESULT_STEP)

    # --- running calls ---------------------------------------------------------------------

    def _start(self, call: Callable[[], Any], on_result: Callable[[Any], None]) -> None:
        self.task = self.runner.run(call, on_result, self._failed)
        self.task.done.connect(self._finished)
        self._update_buttons()

    def _start_with_progress(
        self,
        label: str,
        call: Callable[[ProgressCallback], Any],
        on_result: Callable[[Any], None],
        *,
        cancelled_text: str,
    ) -> None:
        dialog = QProgressDialog(label, "Cancel", 0, PROGRESS_STEPS, self)
        dialog.setWindowTitle("Import patients")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        self.progress_dialog = dialog
        # The call's outcome as the worker saw it: Cancel may be pressed after the import
        # committed (the runner then reports "cancelled"); the result says what happened.
        outcome: dict[str, Any] = {}

        def work(progress: ProgressCallback) -> Any:
            value = call(progress)
            outcome["result"] = value
            return value

        task = self.runner.run_with_progress(work, on_result, self._failed)
        self.task = task
        task.progressed.connect(lambda done, _total: dialog.setValue(done))

        def cancelled() -> None:
            if "result" in outcome:
                on_result(outcome["result"])
            else:
                self.banner.show_message("info", cancelled_text)

        task.cancelled.connect(cancelled)
        task.done.connect(self._finished)

        def cancel() -> None:
            dialog.setLabelText("Cancelling…")
            task.cancel()

        self._cancel_task = cancel
        dialog.canceled.connect(cancel)
        dialog.show()
        self._update_buttons()

    def cancel_running(self) -> None:
        """What Cancel in the progress dialog does (closing the wizard meanwhile does too)."""
        if self._cancel_task is not None:
            self._cancel_task()

    def _failed(self, message: str) -> None:
        self.banner.show_message("error", message)

    def _finished(self) -> None:
        self.task = None
        self._cancel_task = None
        if self.progress_dialog is not None:
            self.progress_dialog.hide()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        self._update_buttons()
        if self._close_when_done:
            self._close_when_done = False
            super().reject()

    def reject(self) -> None:
        if self.task is not None:
            # Closes once the running call has stopped (a cancelled import saves nothing).
            self._close_when_done = True
            self.cancel_running()
            return
        super().reject()


def open_import_wizard(
    parent: QWidget | None, context: ServiceContext | ScreenContext, runner: Runner | None = None
) -> ImportWizard | None:
    """Open the import wizard over ``parent`` (administrators only); returns it, shown."""
    services = context.services if isinstance(context, ScreenContext) else context
    if runner is None:
        if not isinstance(context, ScreenContext):
            raise ValueError("a runner is needed")
        runner = context.runner
    if not services.actor.can(Permission.IMPORT_EXPORT):
        return None
    wizard = ImportWizard(services, runner, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.open()
    return wizard
