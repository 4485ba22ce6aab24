"""The patient chart: a header with who this is, and tabs for everything about them."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.permissions import Permission
from frontdesk.domain.phone_notes import PhoneNoteData
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.clock import STAMP, clock_text, today_in
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import ContactMethod, PatientData, Sex
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.requests.data import OpenRequests
from frontdesk.services.requests.reading import open_requests_for
from frontdesk.ui.handouts.given_tab import HandoutsGivenTab
from frontdesk.ui.history.tabs import HistorySummaryLine, ImagingTab, SurgeryHistoryTab
from frontdesk.ui.history.timeline import TimelineWidget
from frontdesk.ui.inbox.chart_faxes import ChartFaxesTab
from frontdesk.ui.patients.display import (
    age_text,
    birth_date_text,
    language_text,
    name_with_preferred,
    phone_text,
)
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.patients.flow_layout import FlowLayout
from frontdesk.ui.patients.phone_note_dialog import LOG_CALL_KEYS, PhoneNoteDialog
from frontdesk.ui.requests.chart_tab import PatientRequestsTab
from frontdesk.ui.scheduling.chart_tab import PatientAppointmentsTab
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import MUTED
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner, form_layout, plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen, lay_out_now

# The open requests too: a red flag ticked at intake shows on the chart at once.
TABLES = frozenset({"patients", "referrers", "consultation_requests"})
RED_FLAG_ALERT = "Red flag on an open request"
NOT_RECORDED = "—"

# Tabs that later parts of Front Desk fill: (title, empty-state title, what will be there).
LATER_TABS: tuple[tuple[str, str, str], ...] = (
    (
        "&Requests",
        "No consultation requests to show yet",
        "Consultation requests for this patient, with the records each still needs, will be "
        "listed here once requests are part of Front Desk.",
    ),
    (
        "A&ppointments",
        "No appointments to show yet",
        "Past and upcoming visits will be listed here once scheduling is part of Front Desk.",
    ),
    (
        "&Surgery history",
        "No surgery history to show yet",
        "Prior spine surgeries (procedure, levels, year) will be recorded here once the "
        "history part of Front Desk is available.",
    ),
    (
        "&Imaging",
        "No imaging studies to show yet",
        "MRI, CT and X-ray studies, with their reports and whether the images arrived, will "
        "be listed here once imaging records are part of Front Desk.",
    ),
    (
        "&Handouts given",
        "No handouts to show yet",
        "Every handout and packet printed for this patient (which version, when, by whom) "
        "will be listed here once handouts are part of Front Desk.",
    ),
)

CHART_STYLE = f"""
QLabel#chartAlert {{
    background: #fff4ce;
    color: #5c4400;
    border: 1px solid #e5c76b;
    border-radius: 3px;
    padding: 3px 8px;
}}
QLabel#factCaption {{
    color: {MUTED};
}}
QLabel#factValue {{
    font-weight: 600;
}}
"""


def alerts_for(patient: PatientData, open_requests: OpenRequests | None = None) -> list[str]:
    """What the desk must notice before speaking to or booking this patient (``open_requests``:
    the chart's open requests at a glance, None when it has none)."""
    alerts = []
    if patient.merged_into_id is not None:
        alerts.append(f"Merged into chart {patient.merged_into_mrn}: use that chart")
    if patient.interpreter_needed:
        language = patient.preferred_language or "language not recorded"
        alerts.append(f"Interpreter needed ({language})")
    if not patient.phone:
        alerts.append("No phone number on file")
    if open_requests is not None and open_requests.red_flag:
        alerts.append(RED_FLAG_ALERT)
    return alerts


def read_chart(
    services: ServiceContext, patient_id: int, *, record_view: bool
) -> tuple[PatientData, OpenRequests | None]:
    """The chart and its open requests at a glance, read together off the UI thread."""
    patient = get_patient(services, patient_id, record_view=record_view)
    return patient, open_requests_for(services, [patient_id]).get(patient_id)


def _or_dash(text: str) -> str:
    return text if text.strip() else NOT_RECORDED


class DemographicsTab(QWidget):
    """Everything on the chart, read-only; Edit (Ctrl+E) opens the form."""

    edit_requested = Signal()

    def __init__(self, can_edit: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict[str, QLabel] = {}
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Change this patient's details (Ctrl+E)")
        self.edit_button.setAccessibleName("Edit patient")
        self.edit_button.clicked.connect(self.edit_requested)
        self.edit_button.setVisible(can_edit)
        self.last_change = plain_label("", "hint")

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        sections: list[tuple[str, list[tuple[str, str]]]] = [
            (
                "Name and birth",
                [
                    ("legal_name", "Legal name"),
                    ("preferred_name", "Preferred name"),
                    ("date_of_birth", "Date of birth"),
                    ("sex", "Sex"),
                ],
            ),
            (
                "Contact",
                [
                    ("mobile_phone", "Mobile phone"),
                    ("home_phone", "Home phone"),
                    ("work_phone", "Work phone"),
                    ("email", "E-mail"),
                    ("preferred_contact", "Preferred contact"),
                    ("language", "Language"),
                    ("print_size", "Print size"),
                ],
            ),
            ("Address", [("address", "Address")]),
            (
                "Physicians",
                [("referring", "Referred by"), ("primary_care", "Primary care")],
            ),
            (
                "Insurance",
                [
                    ("insurance_payer", "Payer"),
                    ("insurance_plan", "Plan"),
                    ("insurance_member_id", "Member ID"),
                    ("insurance_group_number", "Group number"),
                    ("subscriber", "Subscriber"),
                ],
            ),
            (
                "Emergency contact",
                [("emergency_contact", "Name"), ("emergency_contact_phone", "Phone")],
            ),
        ]
        captions_by_column: dict[int, list[QLabel]] = {}
        for number, (title, rows) in enumerate(sections):
            box = QGroupBox(title)
            layout = form_layout()
            layout.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            for key, caption in rows:
                value = plain_label("", wrap=True)
                value.setAccessibleName(caption)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.values[key] = value
                caption_label = plain_label(caption, "factCaption")
                layout.addRow(caption_label, value)
                captions_by_column.setdefault(number % 2, []).append(caption_label)
            box.setLayout(layout)
            grid.addWidget(box, number // 2, number % 2)
        # One caption width per column, so the values of every section line up.
        for captions in captions_by_column.values():
            width = max(caption.sizeHint().width() for caption in captions)
            for caption in captions:
                caption.setMinimumWidth(width)
        notes_box = QGroupBox("Notes")
        notes_layout = QVBoxLayout(notes_box)
        notes = plain_label("", wrap=True)
        notes.setAccessibleName("Notes")
        notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notes.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.values["notes"] = notes
        notes_layout.addWidget(notes)
        grid.addWidget(notes_box, (len(sections) + 1) // 2, 0, 1, 2)

        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(12, 12, 12, 12)
        inner.addLayout(grid)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        # The tab page's own background shows through, as on the other tabs.
        scroll.viewport().setAutoFillBackground(False)
        content.setAutoFillBackground(False)

        top = QHBoxLayout()
        top.addWidget(self.last_change, 1)
        top.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

    def value(self, key: str) -> str:
        return self.values[key].text()

    def show_patient(self, patient: PatientData) -> None:
        given = " ".join(p for p in (patient.first_name, patient.middle_name) if p)
        address = "\n".join(
            line
            for line in (
                patient.address_line1,
                patient.address_line2,
                " ".join(
                    part
                    for part in (
                        f"{patient.city}," if patient.city and patient.state else patient.city,
                        patient.state,
                        patient.postal_code,
                    )
                    if part
                ),
                patient.country,
            )
            if line
        )
        subscriber = ""
        if patient.subscriber_name:
            subscriber = patient.subscriber_name
            if patient.subscriber_relationship:
                subscriber += f" ({patient.subscriber_relationship})"
            if patient.subscriber_date_of_birth:
                subscriber += f", born {birth_date_text(patient.subscriber_date_of_birth)}"
        emergency = patient.emergency_contact_name
        if emergency and patient.emergency_contact_relationship:
            emergency += f" ({patient.emergency_contact_relationship})"
        try:
            sex = Sex(patient.sex).label
        except ValueError:
            sex = patient.sex
        try:
            contact = ContactMethod(patient.preferred_contact).label
        except ValueError:
            contact = patient.preferred_contact
        texts = {
            "legal_name": f"{given} {patient.last_name}".strip(),
            "preferred_name": patient.preferred_name,
            "date_of_birth": f"{birth_date_text(patient.date_of_birth)} "
            f"(age {age_text(patient.date_of_birth, today_in(patient.zone))})",
            "sex": sex,
            "mobile_phone": phone_text(patient.mobile_phone),
            "home_phone": phone_text(patient.home_phone),
            "work_phone": phone_text(patient.work_phone),
            "email": patient.email,
            "preferred_contact": contact,
            "language": language_text(patient.preferred_language, patient.interpreter_needed),
            "print_size": "Large print (16 pt)" if patient.large_print else "Regular",
            "address": address,
            "referring": patient.referring_name,
            "primary_care": patient.primary_care_name,
            "insurance_payer": patient.insurance_payer,
            "insurance_plan": patient.insurance_plan,
            "insurance_member_id": patient.insurance_member_id,
            "insurance_group_number": patient.insurance_group_number,
            "subscriber": subscriber or "The patient",
            "emergency_contact": emergency,
            "emergency_contact_phone": phone_text(patient.emergency_contact_phone),
            "notes": patient.notes,
        }
        for key, text in texts.items():
            self.values[key].setText(_or_dash(text))
        when = clock_text(patient.updated_at, patient.zone, STAMP)
        created = clock_text(patient.created_at, patient.zone, "%Y-%m-%d")
        self.last_change.setText(
            f"Chart created {created} by {patient.created_by}; "
            f"last changed {when} by {patient.updated_by}"
        )


class PatientChart(QWidget):
    """One patient's chart in its own window. Opening it is recorded in the audit trail."""

    loaded = Signal(object)  # PatientData
    open_chart_requested = Signal(int)

    def __init__(
        self, screen: ScreenContext, patient_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.screen = screen
        self.patient_id = patient_id
        self.patient: PatientData | None = None
        self.open_requests: OpenRequests | None = None
        self.editor: PatientEditor | None = None
        self.can_edit = screen.services.actor.can(Permission.EDIT_PATIENTS)
        self.setWindowTitle("Patient chart")
        self.setAccessibleName("Patient chart")
        self.setStyleSheet(CHART_STYLE)

        self.name = plain_label("Opening the chart…", "pageTitle", wrap=True)
        self.name.setAccessibleName("Patient name")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts: dict[str, QLabel] = {}
        # Facts and alerts flow onto a second line in a narrow window rather than widen it.
        self.facts_box = QWidget()
        facts_row = FlowLayout(self.facts_box, spacing=18)
        for key, caption in (
            ("age", "Age"),
            ("date_of_birth", "DOB"),
            ("mrn", "MRN"),
            ("phone", "Phone"),
            ("language", "Language"),
        ):
            pair_box = QWidget()
            pair = QHBoxLayout(pair_box)
            pair.setContentsMargins(0, 0, 0, 0)
            pair.setSpacing(5)
            pair.addWidget(plain_label(caption, "factCaption"))
            value = plain_label("", "factValue")
            value.setAccessibleName(caption)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = value
            pair.addWidget(value)
            facts_row.addWidget(pair_box)
        self.alerts_box = QWidget()
        self.alerts_row = FlowLayout(self.alerts_box, spacing=8)
        self.alert_labels: list[QLabel] = []
        self.banner = Banner()

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Chart sections")
        self.demographics = DemographicsTab(self.can_edit)
        self.demographics.edit_requested.connect(self.edit)
        self.tabs.addTab(self.demographics, "&Demographics")
        # The history part fills its two tabs, a timeline and the summary line in the header.
        services, runner, changes = screen.services, screen.runner, screen.changes
        self.surgery_history = SurgeryHistoryTab(services, runner, patient_id, changes)
        self.imaging = ImagingTab(services, runner, patient_id, changes)
        self.history_summary = HistorySummaryLine()
        self.surgery_history.history_loaded.connect(self.history_summary.show_history)
        filled = {"&Surgery history": self.surgery_history, "&Imaging": self.imaging}
        self.handouts_given = HandoutsGivenTab(screen, patient_id)
        filled["&Handouts given"] = self.handouts_given
        self.requests_tab = PatientRequestsTab(screen, patient_id)
        filled["&Requests"] = self.requests_tab
        self.appointments_tab = PatientAppointmentsTab(screen, patient_id)
        filled["A&ppointments"] = self.appointments_tab
        for title, empty_title, text in LATER_TABS:
            self.tabs.addTab(
                filled[title] if title in filled else EmptyState(empty_title, text), title
            )
        self.timeline = TimelineWidget(services, runner, patient_id, changes)
        self.tabs.addTab(self.timeline, "&Timeline")
        self.faxes = ChartFaxesTab(screen, patient_id)
        self.tabs.addTab(self.faxes, "&Faxes")

        self.phone_note_dialog: PhoneNoteDialog | None = None
        self.call_button = QPushButton("Log a &call…")
        self.call_button.setToolTip(
            f"Note a phone call: who, about what, what was promised, when to call back "
            f"({LOG_CALL_KEYS})"
        )
        self.call_button.setAccessibleName("Log a call")
        self.call_button.clicked.connect(self.log_call)
        self.call_button.setEnabled(False)
        self.call_button.setVisible(self.can_edit)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.call_button, 0, Qt.AlignmentFlag.AlignTop)
        header = QVBoxLayout()
        header.setSpacing(6)
        header.addLayout(name_row)
        header.addWidget(self.facts_box)
        header.addWidget(self.history_summary)
        header.addWidget(self.alerts_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.tabs.setEnabled(False)

        edit_shortcut = QShortcut(QKeySequence("Ctrl+E"), self)
        edit_shortcut.activated.connect(self.edit)
        call_shortcut = QShortcut(QKeySequence(LOG_CALL_KEYS), self)
        call_shortcut.activated.connect(self.log_call)
        for keys in ("Esc", "Ctrl+W"):
            close_shortcut = QShortcut(QKeySequence(keys), self)
            close_shortcut.activated.connect(self.close)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        fit_to_screen(self, QSize(1040, 760))
        self.load(record_view=True)

    # Loading -----------------------------------------------------------------------------

    def load(self, *, record_view: bool = False) -> None:
        """Read the chart (the first time, the service records that it was opened)."""
        call = partial(read_chart, self.screen.services, self.patient_id, record_view=record_view)
        self.screen.runner.run(call, self._read, self._load_failed)

    def _read(self, read: tuple[PatientData, OpenRequests | None]) -> None:
        patient, self.open_requests = read
        self.show_patient(patient)

    def _load_failed(self, message: str) -> None:
        if self.patient is None:
            self.name.setText("The chart could not be opened")
        self.banner.show_message("error", message)

    def show_patient(self, patient: PatientData) -> None:
        self.patient = patient
        self.setWindowTitle(f"{patient.display_name} ({patient.mrn}) — Patient chart")
        self.name.setText(name_with_preferred(patient.display_name, patient.preferred_name))
        self.facts["age"].setText(age_text(patient.date_of_birth, today_in(patient.zone)))
        self.facts["date_of_birth"].setText(birth_date_text(patient.date_of_birth))
        self.facts["mrn"].setText(patient.mrn)
        self.facts["phone"].setText(_or_dash(phone_text(patient.phone)))
        self.facts["language"].setText(
            _or_dash(language_text(patient.preferred_language, patient.interpreter_needed))
        )
        for label in self.alert_labels:
            self.alerts_row.removeWidget(label)
            label.deleteLater()
        self.alert_labels = []
        for text in alerts_for(patient, self.open_requests):
            label = plain_label(text, "chartAlert")
            label.setAccessibleName("Alert")
            self.alerts_row.addWidget(label)
            self.alert_labels.append(label)
        if patient.merged_into_id is not None:
            target = patient.merged_into_id
            self.banner.show_message(
                "info",
                f"This chart was merged into {patient.merged_into_mrn}; that chart holds "
                "everything now.",
                ("Open that chart", lambda: self.open_chart_requested.emit(target)),
            )
        self.demographics.edit_button.setVisible(self.can_edit and patient.merged_into_id is None)
        self.call_button.setEnabled(self.can_edit and patient.merged_into_id is None)
        self.demographics.show_patient(patient)
        self.tabs.setEnabled(True)
        # Measured while empty, the header read "Ag 65 DO 03 MR…" until later passes caught up.
        lay_out_now(self)
        self.loaded.emit(patient)

    def alerts(self) -> list[str]:
        return [label.text() for label in self.alert_labels]

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES) and self.patient is not None:
            self.load(record_view=False)

    # Editing -----------------------------------------------------------------------------

    def edit(self) -> PatientEditor | None:
        if self.patient is None or self.demographics.edit_button.isHidden():
            return None
        if self.editor is not None:
            self.editor.raise_()
            self.editor.activateWindow()
            return self.editor
        # Kept until the chart closes, like every dialog a window owns (see ReferrerPicker).
        editor = PatientEditor(self.screen, self.patient, self)
        editor.saved.connect(self.show_patient)
        editor.finished.connect(lambda _code: setattr(self, "editor", None))
        self.editor = editor
        editor.open()
        return editor

    # Phone calls --------------------------------------------------------------------------

    def log_call(self) -> PhoneNoteDialog | None:
        """Ctrl+Shift+C: note a call on this chart (it then shows on the timeline)."""
        if self.patient is None or not self.call_button.isEnabled():
            return None
        if self.phone_note_dialog is not None:
            self.phone_note_dialog.raise_()
            self.phone_note_dialog.activateWindow()
            return self.phone_note_dialog
        dialog = PhoneNoteDialog(
            self.screen, self.patient.id, self.patient.display_name, self.patient.zone, self
        )
        dialog.saved.connect(self._call_logged)
        dialog.finished.connect(lambda _code: setattr(self, "phone_note_dialog", None))
        self.phone_note_dialog = dialog
        dialog.open()
        return dialog

    def _call_logged(self, note: PhoneNoteData) -> None:
        when = f"; call back by {note.follow_up_on:%m/%d/%Y}" if note.follow_up_on else ""
        self.banner.show_message("success", f"Call from {note.caller} logged{when}.")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.phone_note_dialog is not None:
            self.phone_note_dialog.reject()
            if self.phone_note_dialog is not None and self.phone_note_dialog.isVisible():
                event.ignore()
                return
        if self.editor is not None:
            # The form decides (it asks before discarding typed changes).
            self.editor.reject()
            if self.editor is not None and self.editor.isVisible():
                event.ignore()
                return
        super().closeEvent(event)
