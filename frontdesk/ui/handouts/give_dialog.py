"""'Give handouts' for one patient: suggestions in their language, tick, preview, print or save."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import FrontDeskError
from frontdesk.domain.handout_format import LANGUAGE_NAMES, language_code
from frontdesk.domain.names import printed_name
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.services.handouts import handout_prints, packet_visit
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts.handout_prints import PrintRecord, RenderedHandout, Suggestion
from frontdesk.services.handouts.library import HandoutLibrary
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.clock import today_in
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.scheduling import data
from frontdesk.ui.connection_monitor import (
    refused_while_paused,
    saving_allowed,
    watch_saving_gate,
)
from frontdesk.ui.handouts.giving import HandoutGiving, RenderCall, given_sentence
from frontdesk.ui.handouts.options import PersonalOptions
from frontdesk.ui.handouts.preview import LivePreview, PreviewCall, still_there
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.page_view import PageView
from frontdesk.ui.widgets.screen_fit import fit_to_screen

if TYPE_CHECKING:  # ReportLab loads only when something is rendered
    from frontdesk.documents.handout_pdf import AppointmentDetails

SUGGESTION_ROLE = Qt.ItemDataRole.UserRole + 1
# The library, the suggestions, the appointment to print and why it cannot be ("" if it can).
Suggested = tuple[HandoutLibrary, list[Suggestion], "AppointmentDetails | None", str]


def suggestion_text(suggestion: Suggestion, preferred_language: str) -> str:
    """ "Estenosis espinal — Spanish" / "Your MRI or CT scan — English (no Vietnamese one)"."""
    text = f"{suggestion.handout.title} — {suggestion.handout.language_name}"
    if suggestion.fallback:
        text += f" (no {preferred_language.strip()} version)"
    if suggestion.matches_category:
        text += " · suggested"
    return text


def appointment_sentence(appointment: AppointmentDetails) -> str:
    """ "Each handout shows the appointment: Monday, June 8, 2026, 9:00 AM with Adaeze
    Okafor, MD, Main office." (the practice's wall clock, in the words the handout prints,
    not the desk's 24-hour time: the sentence quotes the page)."""
    from frontdesk.documents.handout_pdf import appointment_time  # ReportLab, as the preview

    when = appointment_time(appointment.starts_at, "en")
    where = ", ".join(part for part in (appointment.provider, appointment.location) if part)
    return f"Each handout shows the appointment: {when}" + (f" with {where}." if where else ".")


class GiveHandoutsDialog(QDialog):
    """``given(list[PrintRecord])`` fires after the ticked handouts are printed or saved.

    With ``appointment`` (its details, or an appointment id read off the UI thread and
    refused if it is another patient's or no longer holds its time) every handout shows the
    appointment block, and the print log keeps it.
    """

    given = Signal(list)
    suggestions_shown = Signal()
    preview_shown = Signal(object)

    def __init__(
        self,
        screen: ScreenContext,
        patient: PatientData,
        parent: QWidget | None = None,
        *,
        category: RequestCategory | None = None,
        appointment: AppointmentDetails | int | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.services = screen.services
        self.patient = patient
        self.category = category
        # An id is read with the library (and again when appointments change elsewhere), so
        # a handout never prints a time the appointment no longer has.
        self.appointment_id = appointment if isinstance(appointment, int) else None
        self.appointment = None if isinstance(appointment, int) else appointment
        self.appointment_problem = ""
        self.library: HandoutLibrary | None = None
        self.can_print = self.services.actor.can(Permission.PRINT_HANDOUTS)
        self.setWindowTitle(f"Give handouts — {patient.display_name}")
        self.setAccessibleName("Give handouts")

        preference = patient.preferred_language.strip()
        code = language_code(preference)
        if not preference:
            language_words = "No preferred language recorded: handouts are offered in English."
        elif code in LANGUAGE_NAMES:
            language_words = f"Prefers {preference}: handouts are offered in {preference}."
        else:
            language_words = (
                f"Prefers {preference}: no handout comes in it yet, so English is offered (marked)."
            )
        if category is not None:
            language_words += f" Suggested for “{category.label}” first."
        heading = plain_label(f"Handouts for {patient.display_name} ({patient.mrn})", "pageTitle")
        heading.setWordWrap(True)
        self.language_note = plain_label(language_words, "hint", wrap=True)
        self.appointment_note = plain_label("", "hint", wrap=True)
        self.appointment_note.setAccessibleName("Appointment on the handouts")
        self._show_appointment()

        self.list = QListWidget()
        self.list.setAccessibleName("Handouts to give")
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentRowChanged.connect(lambda _row: self.update_preview())
        self.list.itemChanged.connect(lambda _item: self._update_actions())
        self.options = PersonalOptions()
        self.options.follow_chart(patient.large_print)
        self.options.changed.connect(self.update_preview)
        self.banner = Banner()
        self.action_hint = plain_label("", "hint", wrap=True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 8, 0)
        left_layout.addWidget(plain_label("Tick the handouts to give:", "sectionTitle"))
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.options)
        left_layout.addWidget(self.action_hint)
        left.setMinimumWidth(420)
        self.pages = PageView(screen.runner)
        self.preview = LivePreview(screen.runner, self.pages, self)
        self.preview.shown.connect(self.preview_shown)
        self.pages.show_message("Loading the handouts…")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([470, 580])

        self.print_button = mark_primary(QPushButton("Print…"))
        self.print_button.setToolTip("Print the ticked handouts (Ctrl+P)")
        self.print_button.clicked.connect(self.print_ticked)
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setToolTip("Save the ticked handouts as PDF files (Ctrl+S)")
        self.save_button.clicked.connect(self.save_ticked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        for keys, slot in (("Ctrl+P", self.print_ticked), ("Ctrl+S", self.save_ticked)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.language_note)
        layout.addWidget(self.appointment_note)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(buttons)
        layout.addLayout(bottom)

        self.giving = HandoutGiving(self.services, screen.runner, self)
        self.giving.given.connect(self._given)
        self.giving.failed.connect(lambda message: self.banner.show_message("error", message))
        self.giving.busy_changed.connect(lambda _busy: self._update_actions())
        watch_saving_gate(self, lambda _allowed: self._update_actions())
        self._update_actions()
        fit_to_screen(self, QSize(1080, 760))
        if self.appointment_id is not None and screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        screen.runner.run(self._suggest, self._show_suggestions, self._load_failed)

    # The appointment ---------------------------------------------------------------------

    def _read_appointment(self) -> AppointmentDetails | None:
        """Runs off the UI thread."""
        if self.appointment_id is None:
            return self.appointment
        return packet_visit.appointment_for_handout(
            self.services, self.appointment_id, self.patient.id
        )

    def _show_appointment(self) -> None:
        if self.appointment_problem:
            self.appointment_note.setText(self.appointment_problem)
        elif self.appointment is not None:
            self.appointment_note.setText(appointment_sentence(self.appointment))
        self.appointment_note.setVisible(
            self.appointment is not None or bool(self.appointment_problem)
        )

    def _on_changed(self, tables: frozenset[str]) -> None:
        if self.isVisible() and touches(tables, data.TABLES):
            self.screen.runner.run(
                self._read_appointment, self._appointment_read, self._appointment_refused
            )

    def _appointment_read(self, appointment: AppointmentDetails | None) -> None:
        if not still_there(self):
            return
        moved = appointment != self.appointment
        self.appointment, self.appointment_problem = appointment, ""
        self._show_appointment()
        self._update_actions()
        if moved:
            self.banner.show_message("info", "The appointment changed: the handouts show it now.")
            self.update_preview()

    def _appointment_refused(self, message: str) -> None:
        """Cancelled or moved to another chart meanwhile: nothing is given with a stale
        appointment on it."""
        if not still_there(self):
            return
        self.appointment_problem = f"Not printed on the handouts: {message}"
        self._show_appointment()
        self._update_actions()

    # Suggestions -------------------------------------------------------------------------

    def _suggest(self) -> Suggested:
        try:
            appointment, problem = self._read_appointment(), ""
        except FrontDeskError as error:  # the handouts still show; giving waits (see why)
            appointment, problem = None, f"Not printed on the handouts: {error}"
        library = handouts.load_library()
        suggestions = handout_prints.suggest_handouts(
            library, self.patient.preferred_language, self.category
        )
        return library, suggestions, appointment, problem

    def _show_suggestions(self, result: Suggested) -> None:
        if not still_there(self):
            return
        self.library, suggestions, self.appointment, self.appointment_problem = result
        self._show_appointment()
        self.list.blockSignals(True)
        self.list.clear()
        for suggestion in suggestions:
            item = QListWidgetItem(suggestion_text(suggestion, self.patient.preferred_language))
            item.setData(SUGGESTION_ROLE, suggestion)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = suggestion.matches_category
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            item.setToolTip(suggestion.handout.summary)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if suggestions:
            self.list.setCurrentRow(0)
        else:
            self.pages.show_message("There are no handouts in the library yet.")
        self._update_actions()
        self.suggestions_shown.emit()

    def _load_failed(self, message: str) -> None:
        if not still_there(self):
            return
        self.pages.show_message("The handouts could not be loaded.")
        self.banner.show_message("error", message)

    def suggestions(self) -> list[Suggestion]:
        return [self.list.item(row).data(SUGGESTION_ROLE) for row in range(self.list.count())]

    def tick(self, handout_id: str, ticked: bool = True) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(SUGGESTION_ROLE).id == handout_id:
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def ticked(self) -> list[Suggestion]:
        return [
            self.list.item(row).data(SUGGESTION_ROLE)
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]

    # Preview, print, save ----------------------------------------------------------------

    def _render_call(self, suggestion: Suggestion) -> PreviewCall:
        """The render of one handout with the choices as they are now (read here, on the UI
        thread; the call itself runs on a worker)."""
        library = self.library
        services = self.services
        patient_id = self.patient.id
        note = self.options.note_text()
        large_print = self.options.is_large_print()
        page_size = self.options.page_size()
        appointment = self.appointment

        def render() -> RenderedHandout:
            return handout_prints.prepare(
                services,
                suggestion.handout.id,
                suggestion.handout.language,
                patient_id,
                appointment=appointment,
                note=note,
                large_print=large_print,
                page_size=page_size,
                library=library,
            )

        return render

    def update_preview(self) -> None:
        item = self.list.currentItem()
        if item is None or self.library is None:
            self.preview.show(None, "Choose a handout to see it as the patient will.")
            return
        self.preview.show(self._render_call(item.data(SUGGESTION_ROLE)))

    def _gives(self) -> RenderCall | None:
        calls = [self._render_call(suggestion) for suggestion in self.ticked()]
        if not calls or self.appointment_problem:  # never a stale appointment on paper
            return None
        return lambda: [call() for call in calls]

    def _update_actions(self) -> None:
        count = len(self.ticked()) if self.list.count() else 0
        # A handout given is recorded in the chart: paused while the server is unreachable.
        ready = self.can_print and count > 0 and not self.giving.busy and saving_allowed()
        ready = ready and not self.appointment_problem
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)
        self.print_button.setText(f"Print {count}…" if count > 1 else "Print…")
        if self.appointment_problem:
            step = "Close and give the handouts again from the chart or the appointment."
        elif count == 0:
            step = "Tick at least one handout to print or save it."
        else:
            step = "Each handout printed or saved is recorded in the chart."
        self.action_hint.setText(self.giving.why_not(self.can_print) or step)

    def print_ticked(self) -> bool:
        return self.giving.print_chosen(
            self.banner, self._gives, self.print_button, self.options.page_size()
        )

    def print_to(self, printer: QPrinter) -> bool:
        gives = self._gives()
        if gives is None:
            return False
        self.giving.print_to(printer, gives)
        return True

    def save_ticked(self) -> bool:
        if refused_while_paused(self.banner):
            return False
        gives = self._gives()
        if gives is None or not self.save_button.isEnabled():
            return False
        name = printed_name(self.patient.first_name, self.patient.last_name)
        names = [
            handout_prints.suggested_file_name(s.handout.id, name, today_in(self.patient.zone))
            for s in self.ticked()
        ]
        self.giving.save_dialog(gives, names)
        return True

    def save_to(self, path: Path) -> bool:
        """One ticked handout: save it to ``path``; several: into the folder ``path``."""
        gives = self._gives()
        if gives is None:
            return False
        if len(self.ticked()) == 1:
            self.giving.save_file(path, gives)
        else:
            self.giving.save_into_folder(path, gives)
        return True

    def _given(self, records: list[PrintRecord]) -> None:
        self.banner.show_message("success", given_sentence(records))
        self.given.emit(records)
