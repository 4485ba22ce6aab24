"""Waitlist dialogs: put a patient on the waitlist (or change their entry), and the patients
who fit a free time, one of whom is booked into it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import SlotTakenError
from frontdesk.domain.plurals import counted
from frontdesk.domain.scheduling import (
    AppointmentStatus,
    WaitlistUrgency,
    Weekday,
    format_clock,
)
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.patients.forms import PatientSummary
from frontdesk.services.patients.lookup import summaries_for
from frontdesk.services.practice.forms import LocationData, ProviderData
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import appointment_types, lookup, waitlist
from frontdesk.services.scheduling.booking import OutsideAvailabilityError
from frontdesk.services.scheduling.data import (
    AppointmentData,
    AppointmentTypeData,
    WaitlistEntryData,
    WaitlistForm,
    WaitlistMatch,
)
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
)
from frontdesk.ui.runner import user_message
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    multiline_edit,
    plain_label,
)
from frontdesk.ui.widgets.plain_text import plain_tooltip
from frontdesk.ui.widgets.saving_form import FormDialog
from frontdesk.ui.widgets.screen_fit import fit_to_screen
from frontdesk.ui.widgets.table_columns import FittedColumns

NO_APPOINTMENT = "None (a new appointment is booked)"

# --- how waitlist facts read ------------------------------------------------------------


def when_text(start: datetime, end: datetime, zone: tzinfo) -> str:
    """ "Thu 03/12/2026 10:00–10:15" on the practice's clock."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return f"{local_start:%a %m/%d/%Y %H:%M}–{local_end:%H:%M}"


def moment_text(moment: datetime, zone: tzinfo) -> str:
    return f"{moment.astimezone(zone):%a %m/%d/%Y %H:%M}"


def waiting_text(entry: WaitlistEntryData) -> str:
    days = entry.days_waiting()
    if days == 0:
        return "since today"
    return counted(days, "day")


def can_come_text(entry: WaitlistEntryData) -> str:
    text = entry.preference.description
    return text + (" · short notice" if entry.short_notice else " · 48 h notice")


# --- booking a match ------------------------------------------------------------------------


def book_match(
    screen: ScreenContext,
    parent: QWidget,
    match: WaitlistMatch,
    *,
    provider_id: int,
    on_booked: Callable[[AppointmentData], None],
    on_refused: Callable[[str, bool], None],
) -> None:
    """Book the waitlisted patient into the match's time, off the UI thread.

    ``on_refused(message, taken)``: ``taken`` is True when the time was just booked by
    someone else (the caller refreshes what it shows). A time outside the provider's hours
    asks first and is then booked as a deliberate overbook.
    """

    def call(overbook: bool) -> AppointmentData:
        return waitlist.book_from_waitlist(
            screen.services,
            match.entry.id,
            provider_id=provider_id,
            start=match.start,
            location_id=match.location_id,
            allow_outside_availability=overbook,
        )

    def failed(error: Exception) -> None:
        if isinstance(error, OutsideAvailabilityError):
            answer = QMessageBox.question(
                parent,
                "Book outside hours?",
                str(error),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Yes:
                screen.runner.run(partial(call, True), on_booked, failure=failed)
            else:
                on_refused("Not booked: the time is outside the provider's hours.", False)
            return
        on_refused(user_message(error), isinstance(error, SlotTakenError))

    screen.runner.run(partial(call, False), on_booked, failure=failed)


def booked_text(data: AppointmentData, match: WaitlistMatch, zone: tzinfo) -> str:
    text = (
        f"Booked {data.patient_name} ({data.type_name}) {moment_text(data.start, zone)} "
        f"with {data.provider_name}; taken off the waitlist."
    )
    if match.entry.appointment_start is not None:
        text += (
            f" Their appointment of {moment_text(match.entry.appointment_start, zone)} moved "
            "to this time, so that time is free now."
        )
    return text


class MatchesTable(QTableWidget):
    """Waitlisted patients who fit a free time, most urgent and longest waiting first.

    ``book_requested`` fires on Enter: the screen books the highlighted patient.
    """

    book_requested = Signal()
    HEADERS = ("Patient", "Phone", "Urgency", "Waiting", "Can come", "Holds now", "Note")

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setAccessibleName(accessible_name)
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.matches: list[WaitlistMatch] = []
        # Beside the freed times the table has about 600 pixels at 150% on 1080p: the note
        # takes what is left and wraps; when and how they can come give way first (everyone
        # listed can come at this time).
        self.columns = FittedColumns(
            self,
            wrap=self.HEADERS.index("Note"),
            give_way=(self.HEADERS.index("Can come"), self.HEADERS.index("Holds now")),
        )

    def show_matches(
        self, matches: Sequence[WaitlistMatch], zone: tzinfo, *, keep_selection: bool = True
    ) -> None:
        selected = self.selected() if keep_selection else None
        self.matches = list(matches)
        self.setRowCount(len(self.matches))
        for row, match in enumerate(self.matches):
            entry = match.entry
            holds = moment_text(entry.appointment_start, zone) if entry.appointment_start else "—"
            cells = (
                entry.patient_name,
                entry.phone or "no phone on file",
                entry.urgency.label,
                waiting_text(entry),
                can_come_text(entry),
                holds,
                entry.note,
            )
            # The whole row in every cell's tooltip: a column that gave way is still there.
            tooltip = plain_tooltip(
                "\n".join(
                    f"{title}: {text}" for title, text in zip(self.HEADERS, cells, strict=True)
                )
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tooltip)
                self.setItem(row, column, item)
        self.columns.fit()
        if self.matches:
            keep = next(
                (
                    row
                    for row, match in enumerate(self.matches)
                    if selected is not None and match.entry.id == selected.entry.id
                ),
                0,
            )
            self.selectRow(keep)

    def selected(self) -> WaitlistMatch | None:
        row = self.currentRow()
        return self.matches[row] if 0 <= row < len(self.matches) else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected():
            self.book_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


# --- putting a patient on the waitlist ------------------------------------------------------


@dataclass(frozen=True)
class WaitlistChoices:
    """What the form offers: types, providers, locations, and the patient's booked visits."""

    zone: tzinfo
    types: list[AppointmentTypeData]
    providers: list[ProviderData]
    locations: list[LocationData]
    patient: PatientSummary | None
    appointments: list[AppointmentData]


def movable_appointments(
    context: Any, patient_id: int, now: datetime | None = None
) -> list[AppointmentData]:
    """The patient's coming appointments an earlier time could replace, soonest first."""
    moment = now or datetime.now(UTC)
    rows = lookup.appointments_for_patient(context, patient_id)
    movable = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
    return sorted(
        (row for row in rows if row.status in movable and row.start > moment),
        key=lambda row: row.start,
    )


def load_choices(
    context: Any, patient_id: int | None, appointment_id: int | None
) -> WaitlistChoices:
    if patient_id is None and appointment_id is not None:
        patient_id = lookup.get_appointment(context, appointment_id).appointment.patient_id
    patient = None
    appointments: list[AppointmentData] = []
    if patient_id is not None:
        found = summaries_for(context, [patient_id])
        patient = found[0] if found else None
        appointments = movable_appointments(context, patient_id)
    return WaitlistChoices(
        zone=practice_clock.practice_zone(context),
        types=appointment_types.list_appointment_types(context),
        providers=list_providers(context),
        locations=list_locations(context),
        patient=patient,
        appointments=appointments,
    )


def _select_data(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(0, index))


class AddToWaitlistDialog(FormDialog):
    """Put a patient on the waitlist. ``saved(WaitlistEntryData)`` fires once it is stored.

    Enter saves (Ctrl+Enter in the note), Esc asks before discarding what was typed, and the
    service's refusals show next to their fields.
    """

    saved = Signal(object)
    loaded = Signal()
    TITLE = "Add to the waitlist"
    DISCARD_TEXT = "The waitlist entry is not saved. Close this window and discard it?"
    KEPT = "What you typed is still here."

    def __init__(
        self,
        screen: ScreenContext,
        *,
        patient_id: int | None = None,
        type_id: int | None = None,
        provider_id: int | None = None,
        appointment_id: int | None = None,
        request_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.setWindowTitle(self.TITLE)
        self.setAccessibleName(self.TITLE)
        self.patient_id = patient_id
        self.request_id = request_id
        self._wanted = {"type": type_id, "provider": provider_id, "appointment": appointment_id}
        self.choices: WaitlistChoices | None = None
        self.picker: QDialog | None = None
        self.fields = FormFields()
        self.banner = Banner()

        form = form_layout()
        self.patient_label = plain_label("No patient chosen", wrap=True)
        self.patient_label.setAccessibleName("Patient")
        self.patient_button = QPushButton("C&hoose patient…")
        self.patient_button.setToolTip("Find the patient by name, date of birth, phone or MRN")
        self.patient_button.setAccessibleName("Choose the patient")
        self.patient_button.clicked.connect(self.choose_patient)
        patient_row = QWidget()
        patient_layout = QHBoxLayout(patient_row)
        patient_layout.setContentsMargins(0, 0, 0, 0)
        patient_layout.addWidget(self.patient_label, 1)
        patient_layout.addWidget(self.patient_button)
        patient_row.setFocusProxy(self.patient_button)
        add_form_row(form, self.fields, "patient", "Patient *", patient_row)

        self.type = self._combo("Appointment type")
        add_form_row(form, self.fields, "type", "T&ype *", self.type)
        self.provider = self._combo("Provider")
        add_form_row(form, self.fields, "provider", "&Provider", self.provider)
        self.location = self._combo("Location")
        add_form_row(form, self.fields, "location", "&Location", self.location)
        self.urgency = self._combo("Urgency")
        for urgency in WaitlistUrgency:
            self.urgency.addItem(urgency.label, urgency.value)
        _select_data(self.urgency, WaitlistUrgency.ROUTINE.value)
        add_form_row(form, self.fields, "urgency", "&Urgency", self.urgency)

        self.day_boxes: dict[Weekday, QCheckBox] = {}
        days_row = QWidget()
        days_layout = QHBoxLayout(days_row)
        days_layout.setContentsMargins(0, 0, 0, 0)
        for day in Weekday:
            box = QCheckBox(day.short)
            box.setAccessibleName(f"Can come on {day.label}")
            self.day_boxes[day] = box
            days_layout.addWidget(box)
        days_layout.addStretch(1)
        days_row.setFocusProxy(self.day_boxes[Weekday.MONDAY])
        add_form_row(
            form,
            self.fields,
            "weekdays",
            "&Days",
            days_row,
            "None ticked: any day the office is open",
        )
        self.earliest = line_edit("Earliest time", "e.g. 8:00", 20)
        self.latest = line_edit("Latest time", "e.g. 12:00", 20)
        add_form_row(form, self.fields, "earliest", "&Earliest", self.earliest)
        add_form_row(
            form, self.fields, "latest", "La&test", self.latest, "The visit must end by then"
        )
        self.short_notice = QCheckBox("Can come at short notice (within 48 hours)")
        self.short_notice.setChecked(True)
        self.short_notice.setAccessibleName("Can come at short notice")
        add_form_row(form, self.fields, "short_notice", "", self.short_notice)
        self.appointment = self._combo("Their current appointment")
        add_form_row(
            form,
            self.fields,
            "appointment",
            "Current &appointment",
            self.appointment,
            "The later visit they hold now: it moves to the earlier time when one is booked",
        )
        self.note = multiline_edit("Note", 3)
        add_form_row(form, self.fields, "note", "&Note", self.note)
        self.fields.add("request", self.patient_label, self.fields.message("patient"))

        self.buttons = self.save_cancel_buttons(
            "Save (Enter, or Ctrl+Enter in the note)", save_text="&Save"
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.follow_gate(self.save_button)

        # The form scrolls inside a short screen (150% scaling on a laptop); the banner and
        # the buttons stay in view.
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 8, 0)
        content_layout.addLayout(form)
        content_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(self.TITLE, "sectionTitle"))
        layout.addWidget(self.banner)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._fit_to_screen(content)
        self.save_button.setEnabled(False)
        self.banner.show_message("info", "Loading…")
        self.screen.runner.run(
            partial(load_choices, screen.services, patient_id, appointment_id),
            self._show_choices,
            lambda message: self.banner.show_message("error", message),
        )

    def _fit_to_screen(self, content: QWidget) -> None:
        """As tall as the whole form, where the screen allows (the rest scrolls)."""
        wanted = QSize(
            max(self.minimumWidth(), content.sizeHint().width() + 40),
            content.sizeHint().height() + 140,
        )
        fit_to_screen(self, wanted)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(16)
        return combo

    # Loading ---------------------------------------------------------------------------

    def _show_choices(self, choices: WaitlistChoices) -> None:
        self.choices = choices
        self.banner.clear()
        self.type.clear()
        for kind in choices.types:
            self.type.addItem(f"{kind.name} ({kind.duration_minutes} min)", kind.id)
        self.provider.clear()
        self.provider.addItem("Any provider", None)
        for provider in choices.providers:
            self.provider.addItem(provider.display_name, provider.id)
        self.location.clear()
        self.location.addItem("Any location", None)
        for location in choices.locations:
            self.location.addItem(location.name, location.id)
        if choices.patient is not None:
            self._set_patient(choices.patient)
        self._show_appointments(choices.appointments)
        held = next((a for a in choices.appointments if a.id == self._wanted["appointment"]), None)
        _select_data(self.type, self._wanted["type"] or (held.type_id if held else None))
        _select_data(
            self.provider, self._wanted["provider"] or (held.provider_id if held else None)
        )
        self.fill_in()
        self.save_button.setEnabled(saving_allowed())
        self.mark_clean()
        self.loaded.emit()

    def fill_in(self) -> None:
        """After the choices arrive: an edit shows the entry's values here."""

    def _show_appointments(self, appointments: Sequence[AppointmentData]) -> None:
        zone = self.choices.zone if self.choices else None
        self.appointment.clear()
        self.appointment.addItem(NO_APPOINTMENT, None)
        for item in appointments:
            when = moment_text(item.start, zone) if zone else f"{item.start:%m/%d/%Y %H:%M}"
            self.appointment.addItem(f"{when} · {item.type_name} · {item.provider_name}", item.id)
        _select_data(self.appointment, self._wanted["appointment"])

    def _set_patient(self, patient: PatientSummary) -> None:
        self.patient_id = patient.id
        phone = f" · {patient.phone_display}" if patient.phone else ""
        self.patient_label.setText(
            f"{patient.display_name} · born {patient.date_of_birth:%m/%d/%Y} · {patient.mrn}"
            + phone
        )

    def choose_patient(self) -> None:
        from frontdesk.ui.handouts.patient_picker import PatientPicker

        picker = PatientPicker(self.screen, self)
        picker.chosen.connect(self.use_patient)
        self.picker = picker
        picker.open()

    def use_patient(self, patient: PatientSummary) -> None:
        """Take this patient, and offer their booked visits as the one to move."""
        self._set_patient(patient)
        self._wanted["appointment"] = None
        self.fields.message("patient").show_message("")
        self.screen.runner.run(
            partial(movable_appointments, self.screen.services, patient.id),
            self._show_appointments,
            lambda message: self.banner.show_message("error", message),
        )

    # Saving ----------------------------------------------------------------------------

    def weekdays(self) -> tuple[int, ...]:
        return tuple(int(day) for day, box in self.day_boxes.items() if box.isChecked())

    def form(self) -> WaitlistForm:
        return WaitlistForm(
            patient_id=self.patient_id or 0,
            type_id=self.type.currentData() or 0,
            provider_id=self.provider.currentData(),
            location_id=self.location.currentData(),
            urgency=str(self.urgency.currentData()),
            weekdays=self.weekdays(),
            earliest=self.earliest.text(),
            latest=self.latest.text(),
            short_notice=self.short_notice.isChecked(),
            note=self.note.toPlainText(),
            appointment_id=self.appointment.currentData(),
            request_id=self.request_id,
        )

    def snapshot(self) -> object:
        return self.form()

    def save_call(self, form: WaitlistForm) -> Callable[[], Any]:
        return partial(waitlist.add_to_waitlist, self.screen.services, form)

    def save(self) -> None:
        if self.choices is None or self.save_refused():
            return
        self.begin_save()
        self.screen.runner.run(
            self.save_call(self.form()), self._on_result, failure=self.save_error
        )

    def _on_result(self, result: Any) -> None:
        self.end_save()
        self.fields.clear_messages()
        self.banner.clear()
        self.mark_clean()
        self.saved.emit(result)
        self.done(QDialog.DialogCode.Accepted)


class EditWaitlistDialog(AddToWaitlistDialog):
    """Change a waiting entry (the patient stays; a newer save elsewhere is refused)."""

    TITLE = "Change the waitlist entry"

    def __init__(
        self, screen: ScreenContext, entry: WaitlistEntryData, parent: QWidget | None = None
    ) -> None:
        self.entry = entry
        super().__init__(
            screen,
            patient_id=entry.patient_id,
            type_id=entry.type_id,
            provider_id=entry.provider_id,
            appointment_id=entry.appointment_id,
            request_id=entry.request_id,
            parent=parent,
        )
        self.patient_button.setEnabled(False)
        self.patient_button.setToolTip("The patient of an entry stays; remove it and add anew")

    def fill_in(self) -> None:
        entry = self.entry
        _select_data(self.location, entry.location_id)
        _select_data(self.urgency, entry.urgency.value)
        for day, box in self.day_boxes.items():
            box.setChecked(day in entry.preference.weekdays)
        earliest, latest = entry.preference.earliest, entry.preference.latest
        self.earliest.setText(format_clock(earliest) if earliest is not None else "")
        self.latest.setText(format_clock(latest) if latest is not None else "")
        self.short_notice.setChecked(entry.short_notice)
        self.note.setPlainText(entry.note)

    def save_call(self, form: WaitlistForm) -> Callable[[], Any]:
        return partial(
            waitlist.update_waitlist_entry,
            self.screen.services,
            self.entry.id,
            form,
            expected_version=self.entry.version,
        )


# --- who fits a free time ---------------------------------------------------------------------


@dataclass(frozen=True)
class FreeTimeMatches:
    zone: tzinfo
    provider_name: str
    location_name: str
    matches: list[WaitlistMatch]


def load_matches(
    context: Any, provider_id: int, location_id: int | None, start: datetime, end: datetime
) -> FreeTimeMatches:
    providers = {p.id: p.display_name for p in list_providers(context)}
    locations = {loc.id: loc.name for loc in list_locations(context)}
    return FreeTimeMatches(
        zone=practice_clock.practice_zone(context),
        provider_name=providers.get(provider_id, ""),
        location_name=locations.get(location_id, "") if location_id else "",
        matches=waitlist.matches_for_time(context, provider_id=provider_id, start=start, end=end),
    )


class WaitlistMatchesDialog(QDialog):
    """Who on the waitlist fits this free time; Book (or Enter) gives it to the highlighted
    patient. ``booked(AppointmentData)`` fires after a booking; the dialog then closes."""

    booked = Signal(object)
    loaded = Signal()

    def __init__(
        self,
        screen: ScreenContext,
        *,
        provider_id: int,
        location_id: int | None,
        start: datetime,
        end: datetime,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.provider_id = provider_id
        self.location_id = location_id
        self.start, self.end = start, end
        self.data: FreeTimeMatches | None = None
        self.booking = False
        self.setWindowTitle("Waitlist patients for this time")
        self.setAccessibleName("Waitlist patients for this time")
        self.title = plain_label("Waitlist patients for this time", "sectionTitle", wrap=True)
        self.banner = Banner()
        self.table = MatchesTable("Waitlist patients who fit this time")
        self.table.book_requested.connect(self.book_selected)
        self.empty = plain_label(
            "Nobody on the waitlist fits this time (type, provider, days and times, notice). "
            "Book it from the calendar, or add a patient to the waitlist.",
            "hint",
            wrap=True,
        )
        self.empty.hide()
        self.book_button = mark_primary(QPushButton("&Book selected patient"))
        self.book_button.setToolTip(
            "Book the highlighted patient into this time (Enter in the list); their later "
            "appointment moves here"
        )
        self.book_button.setDefault(True)
        self.book_button.clicked.connect(self.book_selected)
        follow_saving_gate(self.book_button, lambda: self.booking, lambda: bool(self.table.matches))
        close_button = QPushButton("Close")
        close_button.setToolTip("Close (Esc)")
        close_button.setAutoDefault(False)
        close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close_button)
        buttons.addWidget(self.book_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(1120, 420))  # every column, Notes too, without a side scroll
        self.refresh()

    def refresh(self) -> None:
        self.book_button.setEnabled(False)
        self.screen.runner.run(
            partial(
                load_matches,
                self.screen.services,
                self.provider_id,
                self.location_id,
                self.start,
                self.end,
            ),
            self._show,
            lambda message: self.banner.show_message("error", message),
        )

    def _show(self, data: FreeTimeMatches) -> None:
        self.data = data
        minutes = int((self.end - self.start).total_seconds() // 60)
        where = f" at {data.location_name}" if data.location_name else ""
        self.title.setText(
            f"Free {when_text(self.start, self.end, data.zone)} ({minutes} min) with "
            f"{data.provider_name}{where}"
        )
        self.table.show_matches(data.matches, data.zone)
        self.empty.setVisible(not data.matches)
        self.table.setVisible(bool(data.matches))
        self.book_button.setEnabled(bool(data.matches) and saving_allowed())
        if data.matches:
            self.table.setFocus()
        self.loaded.emit()

    def book_selected(self) -> None:
        match = self.table.selected()
        if self.booking or match is None or refused_while_paused(self.banner):
            return
        self.booking = True
        self.book_button.setEnabled(False)
        self.banner.show_message("info", f"Booking {match.entry.patient_name}…")
        book_match(
            self.screen,
            self,
            match,
            provider_id=self.provider_id,
            on_booked=self._booked,
            on_refused=self._refused,
        )

    def _booked(self, data: AppointmentData) -> None:
        self.booking = False
        self.booked.emit(data)
        self.done(QDialog.DialogCode.Accepted)

    def _refused(self, message: str, taken: bool) -> None:
        self.booking = False
        self.banner.show_message("error", message)
        if taken:
            self.refresh()
        else:
            self.book_button.setEnabled(bool(self.table.matches) and saving_allowed())
