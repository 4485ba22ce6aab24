"""The Audit area (admins): filter the trail by user, patient, action and dates; see an
entry's details; a patient's access report; export as CSV; verify the hash chain; save a
signed checkpoint of it and verify against one."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime, time, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from frontdesk.domain.progress import ProgressCallback
from frontdesk.domain.scheduling import local_moment
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientSummary
from frontdesk.services.patients.lookup import summaries_for
from frontdesk.services.patients.search import search
from frontdesk.services.platform import audit_checkpoint, audit_trail
from frontdesk.services.platform.audit_checkpoint import (
    CHECKPOINT_EXTENSION,
    CheckpointReport,
    SavedCheckpoint,
)
from frontdesk.services.platform.audit_trail import AuditCursor, AuditFilter, ChainReport
from frontdesk.ui.audit.dialogs import AccessReportDialog, EntryDetailsDialog
from frontdesk.ui.audit.display import ACTIONS, patient_text
from frontdesk.ui.audit.model import (
    ACTION,
    DETAILS,
    NUMBER,
    RECORD,
    USER,
    WHEN,
    WORKSTATION,
    AuditRows,
    AuditTableModel,
)
from frontdesk.ui.runner import Task
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, open_file_name, save_file_name
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.list_table import list_table

PAGE_SIZE = 200
TABLES = frozenset({"audit_entries"})
# The actions offered in the filter, most asked-about first.
FILTER_ACTIONS = (
    "view",
    "update",
    "create",
    "delete",
    "print",
    "export",
    "merge",
    "sign_in",
    "sign_in_failed",
    "password_reset",
    "password_change",
    "backup",
    "checkpoint",
    "restore",
)


def fetch_rows(
    context: ServiceContext, where: AuditFilter, cursor: AuditCursor | None
) -> AuditRows:
    """A page of entries and the charts they name (worker thread)."""
    page = audit_trail.list_entries(context, where, after=cursor, limit=PAGE_SIZE)
    ids = sorted({entry.patient_id for entry in page.entries if entry.patient_id is not None})
    found: dict[int, PatientSummary] = {}
    # Without the right to see charts the numbers still show.
    with suppress(PermissionDeniedError):
        if ids:
            found = {summary.id: summary for summary in summaries_for(context, ids)}
    return AuditRows(page, found)


def find_patients(context: ServiceContext, text: str) -> list[PatientSummary]:
    """Charts matching what was typed: a chart number, an MRN, or a name search."""
    try:
        patient_id = audit_trail.resolve_patient(context, text)
    except (NotFoundError, ValidationError):
        patient_id = None
    if patient_id is not None:
        found = summaries_for(context, [patient_id])
        if found:
            return found
    if not text.strip():
        return []
    return list(search(context, text, limit=20).items)


def practice_day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight starting ``day`` on the practice's clock: the filter's days are the practice's."""
    return local_moment(day, time.min, zone)


class AuditArea(QWidget):
    """Newest first; filters apply at once; Enter on a row shows its details."""

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.where = AuditFilter()
        self.patient: PatientSummary | None = None
        self.matches: list[PatientSummary] = []
        self.details: EntryDetailsDialog | None = None
        self.report: AccessReportDialog | None = None
        self.verify_task: Task | None = None
        self.last_report: ChainReport | CheckpointReport | None = None
        self.checkpoint_saving = False
        self.count: int | None = None

        # Filters ------------------------------------------------------------------------------
        self.user_filter = QComboBox()
        self.user_filter.setAccessibleName("Filter by user")
        self.user_filter.addItem("Anyone", "")
        self.user_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.action_filter = QComboBox()
        self.action_filter.setAccessibleName("Filter by action")
        self.action_filter.addItem("Any action", "")
        for code in FILTER_ACTIONS:
            self.action_filter.addItem(ACTIONS[code], code)
        self.action_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.patient_box = QLineEdit()
        self.patient_box.setAccessibleName("Filter by patient")
        self.patient_box.setPlaceholderText("MRN or name, then Enter")
        self.patient_box.setToolTip("Type an MRN or a name and press Enter (Ctrl+F)")
        self.patient_box.setClearButtonEnabled(True)
        self.patient_box.setMaxLength(200)
        self.patient_box.returnPressed.connect(self.look_up_patient)
        self.patient_box.textChanged.connect(self._patient_text_changed)
        self.patient_choice = QComboBox()
        self.patient_choice.setAccessibleName("Choose the patient")
        self.patient_choice.activated.connect(self._patient_chosen)
        self.patient_choice.hide()
        self.since_box = QCheckBox("From")
        self.since = QDateEdit(QDate.currentDate().addDays(-30))
        self.until_box = QCheckBox("To")
        self.until = QDateEdit(QDate.currentDate())
        for check, edit, name in (
            (self.since_box, self.since, "From date"),
            (self.until_box, self.until, "To date"),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(lambda _on: self.apply_filters())
            edit.dateChanged.connect(lambda _d: self.apply_filters())
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)

        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        filters.addWidget(plain_label("User"), 0, 0)
        filters.addWidget(self.user_filter, 0, 1)
        filters.addWidget(plain_label("Action"), 0, 2)
        filters.addWidget(self.action_filter, 0, 3)
        dates = QHBoxLayout()
        dates.addWidget(self.since_box)
        dates.addWidget(self.since)
        dates.addSpacing(8)
        dates.addWidget(self.until_box)
        dates.addWidget(self.until)
        dates.addStretch(1)
        filters.addLayout(dates, 0, 4)
        filters.addWidget(plain_label("Patient"), 1, 0)
        patient_row = QHBoxLayout()
        patient_row.addWidget(self.patient_box, 2)
        patient_row.addWidget(self.patient_choice, 3)
        filters.addLayout(patient_row, 1, 1, 1, 3)
        filters.addWidget(self.clear_button, 1, 4, Qt.AlignmentFlag.AlignLeft)
        filters.setColumnStretch(1, 1)
        filters.setColumnStretch(3, 1)
        filters.setColumnStretch(4, 1)

        # Actions ------------------------------------------------------------------------------
        self.report_button = mark_primary(QPushButton("Access report…"))
        self.report_button.setToolTip(
            "Who opened or changed the chosen patient's chart; print it or save it (Ctrl+P)"
        )
        self.report_button.clicked.connect(self.open_access_report)
        self.report_button.setEnabled(False)
        self.export_button = QPushButton("Save as CSV…")
        self.export_button.setToolTip("Save the entries that match the filters as a CSV file")
        self.export_button.clicked.connect(self.choose_export_file)
        self.verify_button = QPushButton("Verify the trail")
        self.verify_button.setToolTip(
            "Check every entry's seal: shows the first one edited, deleted or inserted"
        )
        self.verify_button.clicked.connect(self.verify)
        self.save_checkpoint_button = QPushButton("Save checkpoint…")
        self.save_checkpoint_button.setToolTip(
            "Save the trail's current head, signed by this computer, to a file to keep "
            "elsewhere (a USB stick, an e-mail to the owner)"
        )
        self.save_checkpoint_button.clicked.connect(self.choose_checkpoint_file)
        self.verify_checkpoint_button = QPushButton("Verify against a checkpoint…")
        self.verify_checkpoint_button.setToolTip(
            "Check that the trail still matches a checkpoint saved earlier: catches a trail "
            "rewritten by someone who can edit the database"
        )
        self.verify_checkpoint_button.clicked.connect(self.choose_checkpoint_to_verify)
        self.verify_progress = QProgressBar()
        self.verify_progress.setAccessibleName("Verification progress")
        self.verify_progress.setMaximumWidth(200)
        self.verify_progress.hide()

        heading = QHBoxLayout()
        heading.addWidget(plain_label("Audit", "pageTitle"), 1)
        heading.addWidget(self.verify_progress)
        heading.addWidget(self.verify_button)
        heading.addWidget(self.verify_checkpoint_button)
        heading.addWidget(self.save_checkpoint_button)
        heading.addWidget(self.export_button)
        heading.addWidget(self.report_button)

        # The table ----------------------------------------------------------------------------
        self.model = AuditTableModel(
            screen.runner, practice_clock.practice_zone(screen.services), self
        )
        self.model.page_appended.connect(lambda _n: self._loaded())
        self.model.fetch_failed.connect(self._load_failed)
        self.table = list_table(self.model, "Audit entries")
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        metrics = self.table.fontMetrics()
        # Sized to typical contents so Details (the stretching column) keeps its room.
        for column, sample in (
            (WHEN, "2026-03-01 12:30:45"),
            (USER, "maria.lopez_"),
            (ACTION, "Sign-in refused"),
            (RECORD, "Chart: Garcia-Lopez, Maria (M0001234)"),
            (WORKSTATION, "front-desk-1"),
            (NUMBER, "100000"),
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 18)
        header.setMinimumSectionSize(48)
        header.setSectionResizeMode(DETAILS, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self.show_details)

        self.status = plain_label("", "hint")
        self.status.setAccessibleName("Entries shown")
        self.banner = Banner()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(heading)
        layout.addWidget(
            plain_label(
                "Every opening and change of a chart, sign-in, print and export, newest first. "
                "Enter on a row shows what changed.",
                "hint",
                wrap=True,
            )
        )
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

        QWidget.setTabOrder(self.user_filter, self.action_filter)
        QWidget.setTabOrder(self.action_filter, self.since_box)
        QWidget.setTabOrder(self.since_box, self.since)
        QWidget.setTabOrder(self.since, self.until_box)
        QWidget.setTabOrder(self.until_box, self.until)
        QWidget.setTabOrder(self.until, self.patient_box)
        QWidget.setTabOrder(self.patient_box, self.patient_choice)
        QWidget.setTabOrder(self.patient_choice, self.clear_button)
        QWidget.setTabOrder(self.clear_button, self.table)
        self.setFocusProxy(self.patient_box)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._load_usernames()
        self.apply_filters()

    # Main window hooks ---------------------------------------------------------------------

    def focus_search(self) -> bool:
        self.patient_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.patient_box.selectAll()
        return True

    def print_current(self) -> bool:
        if self.patient is None:
            return False
        self.open_access_report()
        return True

    # Filters ---------------------------------------------------------------------------------

    def _load_usernames(self) -> None:
        self.screen.runner.run(
            partial(audit_trail.audit_usernames, self.screen.services), self._show_usernames
        )

    def _show_usernames(self, names: list[str]) -> None:
        current = self.user_filter.currentData()
        self.user_filter.blockSignals(True)
        self.user_filter.clear()
        self.user_filter.addItem("Anyone", "")
        for name in names:
            self.user_filter.addItem(name, name)
        index = self.user_filter.findData(current)
        self.user_filter.setCurrentIndex(max(index, 0))
        self.user_filter.blockSignals(False)

    def current_filter(self) -> AuditFilter:
        since = (
            practice_day_start(self.since.date().toPython(), self.model.zone)
            if self.since_box.isChecked()
            else None
        )
        until = (
            practice_day_start(self.until.date().toPython() + timedelta(days=1), self.model.zone)
            if self.until_box.isChecked()
            else None
        )
        return AuditFilter(
            username=self.user_filter.currentData() or None,
            patient_id=self.patient.id if self.patient is not None else None,
            action=self.action_filter.currentData() or None,
            since=since,
            until=until,
        )

    def apply_filters(self) -> None:
        # The zone is read again: an administrator may have changed it since.
        self.model.zone = practice_clock.practice_zone(self.screen.services)
        where = self.current_filter()
        if where.since is not None and where.until is not None and where.since >= where.until:
            self.banner.show_message("error", "The “To” date must not be before the “From” date.")
            return
        self.banner.clear()
        self.where = where
        self.status.setText("Reading the trail…")
        context = self.screen.services
        self.model.show(lambda cursor: fetch_rows(context, where, cursor))
        self.count = None
        self.screen.runner.run(
            partial(audit_trail.count_entries, context, where),
            lambda count: self._counted(where, count),
        )
        self.report_button.setEnabled(self.patient is not None)

    def _counted(self, where: AuditFilter, count: int) -> None:
        if where == self.where:
            self.count = count
            self._loaded()

    def set_filter(
        self,
        *,
        username: str | None = None,
        action: str | None = None,
        patient: PatientSummary | None = None,
    ) -> None:
        """Set several filters at once, then read once (tests, links from other areas)."""
        for combo, value in ((self.user_filter, username), (self.action_filter, action)):
            if value is not None:
                combo.blockSignals(True)
                index = combo.findData(value)
                if index < 0:
                    combo.addItem(value, value)
                    index = combo.count() - 1
                combo.setCurrentIndex(index)
                combo.blockSignals(False)
        if patient is not None:
            self._use_patient(patient, apply=False)
        self.apply_filters()

    def clear_filters(self) -> None:
        for widget in (self.user_filter, self.action_filter):
            widget.blockSignals(True)
            widget.setCurrentIndex(0)
            widget.blockSignals(False)
        for box in (self.since_box, self.until_box):
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        self.since.setEnabled(False)
        self.until.setEnabled(False)
        self.patient = None
        self.patient_box.blockSignals(True)
        self.patient_box.clear()
        self.patient_box.blockSignals(False)
        self.patient_choice.hide()
        self.apply_filters()

    # The patient filter ------------------------------------------------------------------------

    def look_up_patient(self) -> None:
        text = self.patient_box.text().strip()
        if not text:
            self._use_patient(None)
            return
        self.status.setText("Looking for the patient…")
        call = partial(find_patients, self.screen.services, text)
        self.screen.runner.run(
            call, lambda found: self._patients_found(text, found), self._lookup_failed
        )

    def _patients_found(self, text: str, found: list[PatientSummary]) -> None:
        if text != self.patient_box.text().strip():
            return  # typed on since
        self.matches = found
        if not found:
            self.patient_choice.hide()
            self.banner.show_message(
                "error", f"No patient matches “{text}”. Check the MRN or the spelling."
            )
            self._loaded()
            return
        if len(found) == 1:
            self._use_patient(found[0])
            return
        self.patient_choice.clear()
        self.patient_choice.addItem(f"{len(found)} patients match: choose one…", None)
        for summary in found:
            born = summary.date_of_birth.isoformat()
            self.patient_choice.addItem(
                f"{summary.display_name} — {summary.mrn} — born {born}", summary.id
            )
        self.patient_choice.show()
        self.patient_choice.setFocus(Qt.FocusReason.OtherFocusReason)
        self.patient_choice.showPopup()
        self._loaded()

    def _patient_chosen(self, index: int) -> None:
        patient_id = self.patient_choice.itemData(index)
        chosen = next((p for p in self.matches if p.id == patient_id), None)
        if chosen is not None:
            self._use_patient(chosen)

    def _use_patient(self, patient: PatientSummary | None, *, apply: bool = True) -> None:
        self.patient = patient
        self.patient_choice.hide()
        self.patient_box.blockSignals(True)
        self.patient_box.setText(patient_text(patient, patient.id) if patient is not None else "")
        self.patient_box.blockSignals(False)
        self.banner.clear()
        if apply:
            self.apply_filters()

    def _patient_text_changed(self, text: str) -> None:
        # Typing again means a new search; emptying the box drops the patient filter.
        self.patient_choice.hide()
        if not text.strip() and self.patient is not None:
            self._use_patient(None)

    def _lookup_failed(self, message: str) -> None:
        self.banner.show_message("error", message)
        self._loaded()

    # The table ---------------------------------------------------------------------------------

    def _loaded(self) -> None:
        shown = self.model.rowCount()
        if self.model.is_fetching and not self.model.loaded_once:
            self.status.setText("Reading the trail…")
            return
        if shown == 0:
            self.status.setText("No entry matches these filters.")
            return
        total = f" of {self.count:,}" if self.count is not None else ""
        more = " — scroll down for more" if self.model.has_more else ""
        self.status.setText(f"Showing {shown:,}{total} entries, newest first{more}.")

    def _load_failed(self, message: str) -> None:
        self.banner.show_message("error", f"The trail could not be read. {message}")
        self.status.setText("")

    def _on_changed(self, tables: frozenset[str]) -> None:
        # New entries arrive all the time; refresh only when the top of the list is shown.
        if touches(tables, TABLES) and self.table.verticalScrollBar().value() == 0:
            self.apply_filters()

    def selected_row(self) -> int:
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        return rows[0].row() if rows else -1

    def show_details(self, index: Any = None) -> EntryDetailsDialog | None:
        row = index.row() if index is not None and index.isValid() else self.selected_row()
        if not 0 <= row < self.model.rowCount():
            return None
        entry = self.model.entry(row)
        dialog = EntryDetailsDialog(
            entry, self.model.patient(entry.patient_id), self.model.zone, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details = dialog
        dialog.open()
        return dialog

    # Access report, export, verification ---------------------------------------------------------

    def open_access_report(self) -> AccessReportDialog | None:
        if self.patient is None:
            self.banner.show_message("info", "Choose a patient first: type an MRN or a name.")
            self.patient_box.setFocus()
            return None
        dialog = AccessReportDialog(self.screen, self.patient.id, self.patient, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report = dialog
        dialog.open()
        return dialog

    def choose_export_file(self) -> None:
        name = save_file_name(
            self,
            FileKind.AUDIT_EXPORT,
            "Save the audit entries",
            "audit-entries.csv",
            "CSV files (*.csv)",
        )
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> None:
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        where = self.where
        self.banner.show_message("info", "Saving…")
        call = partial(audit_trail.export_csv, self.screen.services, where, path)
        self.screen.runner.run(
            call,
            lambda rows: self.banner.show_message(
                "success",
                f"Saved {rows:,} entries to {path}. The export is recorded in the trail.",
            ),
            lambda message: self.banner.show_message("error", f"Not saved. {message}"),
        )

    def verify(self) -> None:
        self._start_verifying(
            "Checking every entry of the trail…",
            partial(audit_trail.verify_chain, self.screen.services),
        )

    def choose_checkpoint_to_verify(self) -> None:
        name = open_file_name(
            self,
            FileKind.AUDIT_CHECKPOINT,
            "Verify the trail against a checkpoint",
            f"Audit checkpoints (*{CHECKPOINT_EXTENSION});;All files (*)",
        )
        if name:
            self.verify_against(Path(name))

    def verify_against(self, path: Path) -> None:
        self._start_verifying(
            f"Checking the trail against {path.name}…",
            partial(audit_checkpoint.verify_against_checkpoint, self.screen.services, path),
        )

    def _start_verifying(
        self, message: str, call: Callable[[ProgressCallback], ChainReport | CheckpointReport]
    ) -> None:
        if self.verify_task is not None:
            return
        self.verify_button.setEnabled(False)
        self.verify_checkpoint_button.setEnabled(False)
        self.verify_progress.setRange(0, 0)
        self.verify_progress.show()
        self.banner.show_message("info", message)
        task = self.screen.runner.run_with_progress(
            lambda progress: call(progress), self._verified, self._verify_failed
        )
        task.progressed.connect(self._verify_progressed)
        self.verify_task = task

    def _verify_progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.verify_progress.setRange(0, total)
            self.verify_progress.setValue(min(done, total))

    def _verified(self, report: ChainReport | CheckpointReport) -> None:
        self._verify_done()
        self.last_report = report
        if report.intact:
            self.banner.show_message("success", report.describe() + ".")
        else:
            self.banner.show_message(
                "error",
                report.describe()
                + ". Someone changed the database outside Front Desk: keep this computer "
                "as it is and tell whoever looks after your data.",
            )

    def _verify_failed(self, message: str) -> None:
        self._verify_done()
        self.banner.show_message("error", f"The check could not finish. {message}")

    def _verify_done(self) -> None:
        self.verify_task = None
        self.verify_button.setEnabled(True)
        self.verify_checkpoint_button.setEnabled(True)
        self.verify_progress.hide()

    # Checkpoints -------------------------------------------------------------------------------

    def choose_checkpoint_file(self) -> None:
        day = practice_clock.today_in(self.model.zone)
        suggested = f"audit-{day.isoformat()}{CHECKPOINT_EXTENSION}"
        name = save_file_name(
            self,
            FileKind.AUDIT_CHECKPOINT,
            "Save an audit checkpoint",
            suggested,
            f"Audit checkpoints (*{CHECKPOINT_EXTENSION})",
        )
        if name:
            self.save_checkpoint_to(Path(name))

    def save_checkpoint_to(self, path: Path) -> None:
        if self.checkpoint_saving:
            return
        if path.suffix.lower() != CHECKPOINT_EXTENSION:
            path = path.with_name(path.name + CHECKPOINT_EXTENSION)
        self.checkpoint_saving = True
        self.save_checkpoint_button.setEnabled(False)
        self.banner.show_message("info", "Saving the checkpoint…")
        self.screen.runner.run(
            partial(audit_checkpoint.write_checkpoint, self.screen.services, path),
            self._checkpoint_saved,
            self._checkpoint_failed,
        )

    def _checkpoint_saved(self, saved: SavedCheckpoint) -> None:
        self._checkpoint_done()
        checkpoint = saved.checkpoint
        self.banner.show_message(
            "success",
            f"Checkpoint saved to {saved.path}: {checkpoint.entries:,} entries, up to "
            f"#{checkpoint.last_entry_id}, signed by this workstation's key "
            f"({checkpoint.key_fingerprint}). Keep it away from this computer and the server: "
            "a USB stick, or an e-mail to the practice's owner.",
        )

    def _checkpoint_failed(self, message: str) -> None:
        self._checkpoint_done()
        self.banner.show_message("error", f"No checkpoint was saved. {message}")

    def _checkpoint_done(self) -> None:
        self.checkpoint_saving = False
        self.save_checkpoint_button.setEnabled(True)
