"""Pre-visit packets for a day: choose the day and provider, see who gets one and give any of
them a personal note, build with progress and Cancel, then save one PDF per patient (or one
combined PDF) or print them; every handout is logged.

Building (with Cancel), then printing and logging together, run on the Runner (Qt supports
painting on a QPrinter from a worker thread).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QProgressDialog,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import FrontDeskError, ValidationError
from frontdesk.domain.handout_format import LANGUAGE_NAMES, MAX_NOTE_LENGTH
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.progress import ProgressCallback
from frontdesk.services.handouts import handout_prints, packets
from frontdesk.services.handouts.packet_data import (
    PacketBatch,
    PacketOptions,
    PacketPatient,
    SavedPackets,
)
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.practice.forms import ProviderData
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.practice.settings import TWO_SIDED, get_setting
from frontdesk.ui.connection_monitor import (
    PAUSED_REASON,
    refused_while_paused,
    saving_allowed,
    watch_saving_gate,
)
from frontdesk.ui.handouts.options import PAPERS
from frontdesk.ui.handouts.preview import still_there
from frontdesk.ui.handouts.printing import make_printer, print_pdfs, printer_name
from frontdesk.ui.runner import Task
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, file_dialog
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    multiline_edit,
    plain_label,
)
from frontdesk.ui.widgets.record_table import Column, RecordTableModel
from frontdesk.ui.widgets.saving_form import ENTER_KEYS, FormDialog
from frontdesk.ui.widgets.screen_fit import fit_to_screen

ALL_PROVIDERS = 0
TITLE = "Pre-visit packets"
# A booking, a cancellation or a chart's language changed: the list of the day is read again.
PATIENT_LIST_TABLES = frozenset({"appointments", "appointment_events", "patients"})
NOTE_PREVIEW = 48  # characters of a personal note shown in its row
# Read with the dialog: providers, paper, two-sided, the practice's zone, its tomorrow.
Choices = tuple[list[ProviderData], str, bool, dt.tzinfo, dt.date]


def packet_marks(patient: PacketPatient, large_print_for_all: bool = False) -> str:
    """ "Spanish, large print" / "English (no Vietnamese packet)": what the packet will be."""
    text = LANGUAGE_NAMES.get(patient.language, patient.language)
    if patient.language_fallback and patient.preferred_language:
        text += f" (no {patient.preferred_language} packet)"
    if patient.large_print or large_print_for_all:
        text += ", large print"
    return text


def time_text(patient: PacketPatient, zone: dt.tzinfo) -> str:
    """ "08:00": the appointment's time on the practice's clock, as every screen shows it."""
    return practice_clock.clock_text(patient.starts_at, zone, practice_clock.TIME)


def note_preview(text: str) -> str:
    """A personal note's first line, shortened for its row ("" when there is none)."""
    line = " ".join(text.split())
    return line if len(line) <= NOTE_PREVIEW else line[: NOTE_PREVIEW - 1].rstrip() + "…"


class PatientTable(QTableView):
    """The day's patients; Enter on a row asks for its personal note (and never also presses
    the dialog's default button)."""

    note_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ENTER_KEYS and self.currentIndex().isValid():
            self.note_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class PersonalNoteDialog(FormDialog):
    """A note for one patient's confirmation letter, kept in the packets dialog for the run.

    ``note_kept(appointment_id, text)``: OK with the text ("" takes the note away).
    """

    note_kept = Signal(int, str)
    NOT_DONE = "Not kept"
    DISCARD_TEXT = "Close without keeping the changes to this personal note?"

    def __init__(
        self,
        patient: PacketPatient,
        text: str,
        zone: dt.tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.patient = patient
        title = f"Personal note for {patient.patient_name}"
        self.setWindowTitle(title)
        self.setAccessibleName("Personal note")
        self.banner = Banner()
        self.fields = FormFields()
        self.note = multiline_edit("Personal note", rows=6)
        self.note.setPlainText(text)
        self.note.setPlaceholderText("Printed in this patient's confirmation letter only")
        self.note.setToolTip(f"Up to {MAX_NOTE_LENGTH} characters; empty takes the note away")
        language = LANGUAGE_NAMES.get(patient.language, patient.language)
        when = time_text(patient, zone)
        about = plain_label(
            f"{when}, {patient.patient_name}. The packet is in {language}: type the note in "
            f"{language}. It is printed as typed, in this patient's confirmation letter only.",
            "hint",
            wrap=True,
        )
        form = form_layout()
        add_form_row(form, self.fields, "personal_note", "&Note:", self.note)
        buttons = self.save_cancel_buttons(
            "Keep this note for the packet (Ctrl+Enter)", save_text="&OK"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.mark_clean()
        fit_to_screen(self, QSize(560, 280))

    def snapshot(self) -> object:
        return self.note.toPlainText().strip()

    def save(self) -> None:
        text = self.note.toPlainText().strip()
        self.fields.clear_messages()
        try:
            packets.check_personal_note(text)
        except ValidationError as error:
            self.show_refusal(error)
            return
        self.mark_clean()
        self.note_kept.emit(self.patient.id, text)
        self.accept()


class PacketsDialog(FormDialog):
    """``finished_work(kind, text)``: kind is "saved", "printed", "cancelled" or "error".

    Its unsaved work is what was typed (the note for everyone and the personal notes) until
    a run saves or prints it: closing asks first, like every form, and so do the workstation
    lock and Quit.
    """

    finished_work = Signal(str, str)
    providers_shown = Signal()
    patients_shown = Signal()
    DISCARD_TEXT = (
        "Close without making the packets? The note and the personal notes you typed are lost."
    )

    def __init__(
        self,
        screen: ScreenContext,
        day: dt.date | None = None,
        provider_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.services = screen.services
        self.can_print = self.services.actor.can(Permission.PRINT_HANDOUTS)
        self.task: Task | None = None
        self.progress: QProgressDialog | None = None
        self.result: SavedPackets | None = None
        # Typed for one patient each, by appointment id; kept when the list shows another
        # day (they come back with it) but printed only for the patients listed.
        self.personal_notes: dict[int, str] = {}
        self.note_editor: PersonalNoteDialog | None = None
        self._choices_shown = False
        self._patients_loading = False
        self._patients_wanted: tuple[dt.date, list[int] | None] | None = None
        self._selected_appointment: int | None = None
        self.printer: QPrinter | None = None
        self.print_dialog: QPrintDialog | None = None
        self.folder_dialog: QFileDialog | None = None
        self._wanted_provider = provider_id
        # Appointment times are shown on the practice's clock (read with the choices, before
        # any patient is listed).
        self.zone: dt.tzinfo = dt.UTC
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)

        # Without a day, the practice's tomorrow, read with the choices (off the UI thread):
        # the computer's own day is another one near midnight or in another zone.
        self._day_known = day is not None
        self.day_edit = QDateEdit()
        if day is not None:
            self.day_edit.setDate(QDate(day.year, day.month, day.day))
        self.day_edit.setEnabled(self._day_known)
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("ddd MM/dd/yyyy")
        self.day_edit.setAccessibleName("Day of the appointments")
        self.provider_box = QComboBox()
        self.provider_box.setAccessibleName("Provider")
        self.provider_box.addItem("All providers", ALL_PROVIDERS)
        self.combined = QCheckBox("&One combined PDF for the printer")
        self.combined.setToolTip("Otherwise one PDF per patient, in the folder you choose")
        self.large_print = QCheckBox("&Large print (16 pt) for every packet")
        self.large_print.setToolTip(
            "Without it, a packet is in large print when the patient's chart says so "
            "(“Prints in large print” on the patient form)"
        )
        self.summary = QCheckBox("Also the surgeon's &history summaries")
        self.summary.setToolTip(
            "The history summaries of the new consultations, for the surgeon, in appointment "
            "order: a file of their own, never put in a patient's packet"
        )
        self.summary.setChecked(True)
        self.two_sided = QCheckBox("T&wo-sided (each patient on a new sheet)")
        self.two_sided.setToolTip(
            "A page marked “intentionally left blank” ends a patient's part on the back of a "
            "sheet, so no sheet carries two patients (default: the practice's setting in Admin)"
        )
        self.two_sided.setChecked(True)
        self.paper = QComboBox()
        self.paper.setAccessibleName("Paper size")
        for label, code in PAPERS:
            self.paper.addItem(label, code)
        self.note = multiline_edit("Note in every letter", rows=2)
        self.note.setPlaceholderText("Optional: printed in every confirmation letter")
        self.note.setToolTip(f"Up to {MAX_NOTE_LENGTH} characters")

        self.fields = FormFields()
        form = form_layout()
        add_form_row(form, self.fields, "day", "&Day:", self.day_edit)
        add_form_row(form, self.fields, "provider", "P&rovider:", self.provider_box)
        form.addRow("", self.combined)
        form.addRow("", self.large_print)
        form.addRow("", self.summary)
        add_form_row(form, self.fields, "page_size", "&Paper:", self.paper)
        form.addRow("", self.two_sided)
        add_form_row(form, self.fields, "note", "&Note:", self.note)

        self.patients = RecordTableModel(
            (
                Column("Time", lambda p: time_text(p, self.zone)),
                Column("Patient", lambda p: p.listed_name, lambda p: p.provider_name),
                Column("Packet", lambda p: packet_marks(p, self.large_print.isChecked())),
                Column(
                    "Personal note",
                    lambda p: note_preview(self.personal_notes.get(p.id, "")),
                    lambda p: self.personal_notes.get(p.id, "") or "No personal note",
                    stretch=True,
                ),
            ),
            parent=self,
        )
        self.patient_table = PatientTable()
        self.patient_table.setAccessibleName("Patients of the day")
        self.patient_table.setModel(self.patients)
        self.patient_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.patient_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.patient_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.patient_table.setTabKeyNavigation(False)
        self.patient_table.setWordWrap(False)
        self.patient_table.verticalHeader().hide()
        header = self.patient_table.horizontalHeader()
        for column in range(self.patients.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.patient_table.setToolTip("Enter or double-click: a personal note for this patient")
        self.patient_table.note_requested.connect(lambda: self.edit_personal_note())
        self.patient_table.doubleClicked.connect(lambda index: self.edit_personal_note(index.row()))
        self.patient_table.selectionModel().currentRowChanged.connect(
            lambda *_: self._update_note_button()
        )
        self.note_button = QPushButton("Personal no&te…")
        self.note_button.setToolTip(
            "A note printed in the selected patient's letter only, in their language (Alt+T)"
        )
        self.note_button.clicked.connect(lambda: self.edit_personal_note())
        self.patients_status = plain_label("Loading the day's patients…", "hint", wrap=True)
        self.large_print.toggled.connect(lambda _on: self._refresh_rows())
        self.day_edit.dateChanged.connect(lambda _date: self.load_patients())
        self.provider_box.currentIndexChanged.connect(lambda _index: self.load_patients())

        self.banner = Banner()
        self.hint = plain_label(
            "Each packet: a confirmation letter, “Preparing for your spine consultation” with "
            "the patient's own list of what to bring, and the handouts for their request, in "
            "their language where one exists, in large print when the chart says so. Every "
            "handout is recorded in the chart.",
            "hint",
            wrap=True,
        )
        self.save_button = mark_primary(QPushButton("&Save packets…"))
        self.save_button.setToolTip("Build the packets and save them as PDF files (Ctrl+S)")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.clicked.connect(self.choose_folder)
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Build the packets and print them (Ctrl+P)")
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.clicked.connect(self.print_packets)
        self.open_button = QPushButton("Open &folder")
        self.open_button.setVisible(False)
        self.open_button.clicked.connect(self.open_result)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setVisible(False)  # until there is something to open
        buttons.rejected.connect(self.reject)
        self.action_hint = plain_label("", "hint", wrap=True)

        patients_box = QGroupBox("Patients of the day")
        patients_layout = QVBoxLayout(patients_box)
        patients_layout.addWidget(self.patient_table, 1)
        patients_layout.addWidget(self.patients_status)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note_button)
        note_row.addStretch(1)
        patients_layout.addLayout(note_row)
        options_box = QWidget()
        options_layout = QVBoxLayout(options_box)
        options_layout.setContentsMargins(0, 0, 0, 0)
        options_layout.addLayout(form)
        options_layout.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(options_box, 2)
        body.addWidget(patients_box, 3)

        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(TITLE, "pageTitle"))
        layout.addWidget(self.hint)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        layout.addWidget(self.action_hint)
        layout.addWidget(buttons)
        watch_saving_gate(self, lambda _allowed: self._update_actions())
        self._update_actions()
        self._update_note_button()
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self.mark_clean()  # nothing typed yet
        fit_to_screen(self, QSize(1120, 600))
        screen.runner.run(self._load_choices, self._show_choices, self._load_failed)

    # Choices ------------------------------------------------------------------------------

    def _load_choices(self) -> Choices:
        """Runs off the UI thread: the providers, the paper, two-sided printing, the
        practice's zone and its tomorrow (the day shown when none was given)."""
        zone = practice_clock.practice_zone(self.services)
        return (
            list_providers(self.services),
            handout_prints.practice_page_size(self.services),
            get_setting(self.services, TWO_SIDED),
            zone,
            practice_clock.today_in(zone) + dt.timedelta(days=1),
        )

    def _show_choices(self, result: Choices) -> None:
        if not still_there(self):
            return
        providers, paper, two_sided, self.zone, tomorrow = result
        if not self._day_known:
            self.day_edit.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
            self.day_edit.setEnabled(True)
            self._day_known = True
            self._update_actions()
        self.two_sided.setChecked(two_sided)
        for provider in providers:
            self.provider_box.addItem(provider.display_name, provider.id)
        if self._wanted_provider is not None:
            index = self.provider_box.findData(self._wanted_provider)
            if index >= 0:
                self.provider_box.setCurrentIndex(index)
        index = self.paper.findData(paper)
        if index >= 0:
            self.paper.setCurrentIndex(index)
        self._choices_shown = True
        self.load_patients()
        self.providers_shown.emit()

    # The day's patients and their personal notes ------------------------------------------

    def load_patients(self) -> None:
        """List who gets a packet for the chosen day and provider, off the UI thread."""
        if not self._choices_shown or not self.can_print:
            if not self.can_print:
                self.patients_status.setText("Your role may not print handouts.")
            return
        wanted = (self.day(), self.provider_ids())
        self._patients_wanted = wanted
        self._patients_loading = True
        current = self.patient_table.currentIndex().row()
        if 0 <= current < self.patients.rowCount():
            self._selected_appointment = self.patients.record(current).id
        self.patients.set_records([])
        self.patients_status.setText("Loading the day's patients…")
        self.patients_status.setVisible(True)
        self._update_note_button()
        services = self.services
        self.screen.runner.run(
            lambda: packets.packet_patients(services, *wanted),
            lambda rows: self._show_patients(wanted, rows),
            lambda message: self._patients_failed(wanted, message),
        )

    def _show_patients(
        self, wanted: tuple[dt.date, list[int] | None], rows: list[PacketPatient]
    ) -> None:
        if not still_there(self) or wanted != self._patients_wanted:
            return  # closed, or another day was chosen meanwhile
        self._patients_loading = False
        self.patients.set_records(rows)
        if rows:
            # The patient selected before a refresh stays selected.
            row = self.patients.row_of(self._selected_appointment or 0)
            self.patient_table.selectRow(max(row, 0))
        self._update_patients_status()
        self._update_note_button()
        self.patients_shown.emit()

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, PATIENT_LIST_TABLES) and still_there(self):
            self.load_patients()

    def _patients_failed(self, wanted: tuple[dt.date, list[int] | None], message: str) -> None:
        if still_there(self) and wanted == self._patients_wanted:
            self._patients_loading = False
            self.patients_status.setText(f"The day's patients could not be listed: {message}")

    def listed_notes(self) -> dict[int, str]:
        """The personal notes of the patients listed now: the ones this run prints."""
        return {
            patient.id: self.personal_notes[patient.id]
            for patient in self.patients.records
            if self.personal_notes.get(patient.id)
        }

    def _update_patients_status(self) -> None:
        count = self.patients.rowCount()
        if not count:
            text = (
                f"No appointments on {self.day():%m/%d/%Y} for this choice: choose another "
                "day or provider."
            )
        else:
            notes = len(self.listed_notes())
            text = counted(count, "patient")
            if notes:
                text += f"; {notes} with a personal note"
            text += ". Select a patient and press Enter to write a note for them alone."
        self.patients_status.setText(text)

    def _refresh_rows(self) -> None:
        if self.patients.rowCount():
            last = self.patients.index(self.patients.rowCount() - 1, 3)
            self.patients.dataChanged.emit(self.patients.index(0, 0), last)

    def _update_note_button(self) -> None:
        row = self.patient_table.currentIndex().row()
        has_row = 0 <= row < self.patients.rowCount()
        self.note_button.setEnabled(has_row and self.can_print)
        if has_row and self.personal_notes.get(self.patients.record(row).id):
            self.note_button.setText("Edit personal no&te…")
        else:
            self.note_button.setText("Personal no&te…")

    def edit_personal_note(self, row: int | None = None) -> PersonalNoteDialog | None:
        """The small editor of one patient's personal note (the selected row by default)."""
        if row is None:
            row = self.patient_table.currentIndex().row()
        if not 0 <= row < self.patients.rowCount() or not self.can_print:
            return None
        if self.note_editor is not None and still_there(self.note_editor):
            self.note_editor.raise_()
            return self.note_editor
        patient: PacketPatient = self.patients.record(row)
        editor = PersonalNoteDialog(
            patient, self.personal_notes.get(patient.id, ""), self.zone, self
        )
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.note_kept.connect(self.set_personal_note)
        editor.finished.connect(lambda _code: self._editor_closed(editor))
        self.note_editor = editor
        editor.open()
        return editor

    def _editor_closed(self, editor: PersonalNoteDialog) -> None:
        if self.note_editor is editor:
            self.note_editor = None
        if still_there(self):
            self.patient_table.setFocus()

    def set_personal_note(self, appointment_id: int, text: str) -> None:
        """Keep (or, empty, take away) the personal note of one appointment's packet."""
        text = text.strip()
        if text:
            self.personal_notes[appointment_id] = text
        else:
            self.personal_notes.pop(appointment_id, None)
        row = self.patients.row_of(appointment_id)
        if row >= 0:
            self.patients.dataChanged.emit(self.patients.index(row, 0), self.patients.index(row, 3))
        self._update_patients_status()
        self._update_note_button()

    def _load_failed(self, message: str) -> None:
        if still_there(self):
            self.banner.show_message("error", message)

    def day(self) -> dt.date:
        value = self.day_edit.date()
        return dt.date(value.year(), value.month(), value.day())

    def provider_ids(self) -> list[int] | None:
        provider = int(self.provider_box.currentData() or ALL_PROVIDERS)
        return None if provider == ALL_PROVIDERS else [provider]

    def options(self, *, combined: bool | None = None) -> PacketOptions:
        return PacketOptions(
            combined=self.combined.isChecked() if combined is None else combined,
            large_print=self.large_print.isChecked(),
            note=self.note.toPlainText().strip(),
            personal_notes=self.listed_notes(),
            page_size=str(self.paper.currentData()),
            include_summary=self.summary.isChecked(),
            two_sided=self.two_sided.isChecked(),
        )

    # Actions ------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.task is not None

    def snapshot(self) -> object:
        """What was typed: the note for everyone and each personal note."""
        notes = tuple(sorted((key, text) for key, text in self.personal_notes.items() if text))
        return self.note.toPlainText().strip(), notes

    def save(self) -> None:
        """Enter (Ctrl+Enter in a note): choose the folder and save, like Save packets…."""
        self.choose_folder()

    def _update_actions(self) -> None:
        ready = self.can_print and self._day_known and not self.busy and saving_allowed()
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready)
        if not self.can_print:
            hint = "Your role may not print handouts; ask an administrator."
        elif not saving_allowed():
            hint = PAUSED_REASON  # every packet is recorded in the charts
        else:
            hint = ""
        self.action_hint.setText(hint)
        self.action_hint.setVisible(bool(hint))

    def choose_folder(self) -> QFileDialog | None:
        if refused_while_paused(self.banner) or not self.save_button.isEnabled():
            return None
        dialog = file_dialog(self, FileKind.HANDOUT, "Choose a folder for the packets")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda path: self.save_to(Path(path)))
        self.folder_dialog = dialog
        dialog.open()
        return dialog

    def _checked_options(self, *, combined: bool | None = None) -> PacketOptions | None:
        """The options, or None with the message next to the field that is wrong."""
        if self._patients_loading and self.personal_notes:
            # The notes go with the patients listed: wait for the list of this choice.
            self.banner.show_message(
                "info", "The day's patients are still loading: try again in a moment."
            )
            return None
        options = self.options(combined=combined)
        self.fields.clear_messages()
        try:
            packets.check_options(options, options.page_size or "letter")
        except ValidationError as error:
            unplaced = self.fields.show_messages(error.fields)
            if unplaced:
                said = (
                    f"{key.replace('_', ' ').capitalize()}: {text}"
                    for key, text in unplaced.items()
                )
                self.banner.show_message("error", "; ".join(said))
            return None
        return options

    def save_to(self, folder: Path) -> Task | None:
        """Build and save into ``folder`` off the UI thread, with progress and Cancel."""
        if refused_while_paused(self.banner) or self.busy:
            return None
        options = self._checked_options()
        if options is None:
            return None
        services, day, providers = self.services, self.day(), self.provider_ids()

        def work(progress: ProgressCallback) -> SavedPackets:
            batch = packets.build_packets(services, day, providers, options, progress=progress)
            if batch.empty:
                raise FrontDeskError(f"There are no appointments on {day:%m/%d/%Y}.")
            return packets.save_packets(services, batch, folder)

        return self._start(work, self._saved, "Preparing the packets…")

    def print_packets(self) -> QPrintDialog | None:
        """The system print dialog; the packets are built and printed once it is accepted."""
        if refused_while_paused(self.banner) or not self.print_button.isEnabled():
            return None
        self.printer = printer = self.make_packet_printer()
        printer.setDocName(TITLE)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print pre-visit packets")
        dialog.accepted.connect(lambda: self.print_to(printer))
        self.print_dialog = dialog
        QDialog.open(dialog)
        return dialog

    def make_packet_printer(self) -> QPrinter:
        """A printer on the chosen paper; two-sided when the packets are laid out for it
        (the blank pages only keep patients apart if the printer prints both sides)."""
        printer = make_printer(str(self.paper.currentData()))
        if self.two_sided.isChecked():
            printer.setDuplex(QPrinter.DuplexMode.DuplexLongSide)
        return printer

    def print_to(self, printer: QPrinter) -> Task | None:
        if refused_while_paused(self.banner) or self.busy:
            return None
        options = self._checked_options(combined=True)
        if options is None:
            return None
        services, day, providers = self.services, self.day(), self.provider_ids()

        def work(progress: ProgressCallback) -> PacketBatch:
            batch = packets.build_packets(services, day, providers, options, progress=progress)
            if batch.empty or batch.combined_pdf is None:
                raise FrontDeskError(f"There are no appointments on {day:%m/%d/%Y}.")
            return batch

        return self._start(work, partial(self._drawn, printer), "Preparing the packets…")

    def _start(
        self,
        work: Callable[[ProgressCallback], Any],
        on_result: Callable[[Any], None],
        label: str,
    ) -> Task:
        self.banner.hide()
        self.progress = progress = QProgressDialog(label, "Cancel", 0, 100, self)
        progress.setWindowTitle(TITLE)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setValue(0)
        task = self.screen.runner.run_with_progress(work, on_result, self._failed)
        task.progressed.connect(self._progressed)
        task.cancelled.connect(self._cancelled)
        progress.canceled.connect(self.cancel)
        progress.show()
        self.task = task
        self._update_actions()
        return task

    def cancel(self) -> None:
        if self.task is not None:
            if self.progress is not None:
                self.progress.setLabelText("Cancelling…")
            self.task.cancel()

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None and still_there(self):
            self.progress.setValue(int(done * 100 / total) if total else 100)
            self.progress.setLabelText(f"Preparing packet {done} of {total}…")

    def _end(self) -> None:
        self.task = None
        if self.progress is not None:
            self.progress.hide()
            self.progress.deleteLater()
            self.progress = None
        self._update_actions()

    def _saved(self, saved: SavedPackets) -> None:
        if not still_there(self):
            return
        self._end()
        self.result = saved
        self.mark_clean()  # the notes are in the packets now
        self.open_button.setText("Open &PDF" if len(saved.files) == 1 else "Open &folder")
        self.open_button.setVisible(True)
        text = " ".join(filter(None, (saved.summary() + ".", saved.language_note())))
        self.banner.show_message("success", text)
        self.finished_work.emit("saved", text)

    def _drawn(self, printer: QPrinter, batch: PacketBatch) -> None:
        if not still_there(self):
            return  # closed before printing: nothing printed, nothing logged
        if self.progress is not None:
            self.progress.setLabelText("Sending the packets to the printer…")
            self.progress.setCancelButton(None)  # pages already sent cannot be called back
        where = printer_name(printer)
        services, pdf = self.services, batch.combined_pdf
        assert pdf is not None
        # The surgeon's summaries follow as their own stack (the packets end on whole
        # sheets when the practice prints two-sided), never inside a patient's packet.
        files = [pdf] if batch.summaries_pdf is None else [pdf, batch.summaries_pdf]

        def print_and_log() -> int:
            print_pdfs(printer, files)
            # Logged in the same call as the printing: closing the window meanwhile cannot
            # leave printed packets that the charts do not list.
            return packets.record_printed(services, batch, where)

        self.screen.runner.run(
            print_and_log,
            lambda logged: self._printed(len(batch.packets), logged, where),
            self._failed,
        )

    def _printed(self, count: int, logged: int, where: str) -> None:
        if not still_there(self):
            return
        self._end()
        self.mark_clean()  # the notes are in the packets now
        text = (
            f"Printed {counted(count, 'packet')} on {where}; {logged} handouts "
            "recorded in the charts."
        )
        self.banner.show_message("success", text)
        self.finished_work.emit("printed", text)

    def _cancelled(self) -> None:
        if not still_there(self):
            return
        self._end()
        text = "Cancelled: no packet was saved or printed, and nothing was recorded."
        self.banner.show_message("info", text)
        self.finished_work.emit("cancelled", text)

    def _failed(self, message: str) -> None:
        if not still_there(self):
            return
        self._end()
        self.banner.show_message("error", message)
        self.finished_work.emit("error", message)

    def open_result(self) -> None:
        if self.result is None:
            return
        files = self.result.files
        target = files[0] if len(files) == 1 else files[0].parent
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def reject(self) -> None:
        """Esc or Close: a running build is cancelled; typed notes are not lost unasked."""
        if self.busy:
            self.cancel()
            return
        super().reject()
