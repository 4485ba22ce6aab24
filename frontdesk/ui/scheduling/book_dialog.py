"""Book one appointment from the keyboard: who, what, with whom, where, when, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import SavedAfterAll, SaveOutcomeUnknownError, SlotTakenError
from frontdesk.domain.plurals import counted
from frontdesk.domain.request_states import RequestState
from frontdesk.domain.scheduling import format_clock
from frontdesk.services.kernel.clock import DATE, clock_text
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientSummary
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.requests import reading
from frontdesk.services.requests.data import RequestToBook
from frontdesk.services.requests.states import RecordsMissingError
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.booking import OutsideAvailabilityError
from frontdesk.services.scheduling.data import AppointmentData, BookingForm
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    saving_allowed,
)
from frontdesk.ui.patients.display import birth_date_text
from frontdesk.ui.requests.ready_override import ReadyWithoutRecordsDialog
from frontdesk.ui.scheduling.dialog_fields import (
    Choices,
    clock_edit,
    date_at_time,
    date_edit,
    date_of,
    day_and_minutes,
    fill_combo,
    load_choices,
    location_items,
    moment,
    offer_overbook,
    parse_minutes,
    provider_items,
    select_data,
    sentence,
    show_practice_days,
    type_items,
)
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
from frontdesk.ui.widgets.saving_form import FormDialog
from frontdesk.ui.widgets.screen_fit import fit_to_screen

AS_SCHEDULED = "Where the provider works then"
BOOKED_AFTER_ALL = (
    "Booked. The connection to the server dropped just as the booking finished; a check "
    "once it was back found the appointment saved, and the calendar shows it. Do not book it "
    "again: close this window."
)
BOOKING_OUTCOME_UNKNOWN = (
    "The connection to the server dropped while booking, so whether this appointment was "
    "booked is not known yet. Once the connection is back, look for it in the calendar "
    "before booking it again; what you entered stays here."
)
TAKEN_AFTER_UNKNOWN = (
    "Not booked again: the time is taken, probably by this very booking, whose save was cut "
    "off. Look for it in the calendar."
)


def patient_text(name: str, born: Any, mrn: str) -> str:
    return f"{name}  ·  born {birth_date_text(born)}  ·  {mrn}"


def request_text(item: RequestToBook) -> str:
    """One open request as the form names it: category, state, age."""
    days = counted(item.age_days, "day")
    return f"{item.category.label}, {item.state.label}, {days}"


def link_warning(item: RequestToBook) -> str:
    """What booking for ``item`` does beyond Scheduled, worded as the Requests area words it
    (empty for a request ready to schedule)."""
    if item.state is RequestState.SCHEDULED:
        return "Already scheduled: booking for it adds this appointment to the request."
    if item.ready:
        return ""
    if item.missing_before_ready:
        return (
            "Records still missing: " + "; ".join(item.missing_before_ready) + ". Booking for "
            "it makes the request ready to schedule without them: you will be asked why."
        )
    return (
        f"Still {item.state.label.lower()}: booking for it makes the request ready to "
        "schedule first."
    )


@dataclass(frozen=True)
class _Opening:
    """What the dialog reads when it opens."""

    choices: Choices
    patient: str
    request: str
    open_requests: tuple[RequestToBook, ...] = ()


def _read_opening(
    context: ServiceContext, patient_id: int | None, request_id: int | None
) -> _Opening:
    """Runs off the UI thread."""
    patient = ""
    if patient_id is not None:
        data = get_patient(context, patient_id, record_view=False)
        patient = patient_text(data.display_name, data.date_of_birth, data.mrn)
    request = ""
    open_requests: tuple[RequestToBook, ...] = ()
    if request_id is not None:
        detail = reading.get_request(context, request_id)
        item, zone = detail.request, detail.zone
        request = (
            f"Request received {clock_text(item.received_at, zone, DATE)} · {item.state.label}"
            + (f" · {item.reason}" if item.reason else "")
        )
    elif patient_id is not None:
        open_requests = reading.requests_to_book(context, patient_id)
    return _Opening(load_choices(context), patient, request, open_requests)


class BookDialog(FormDialog):
    """``booked(AppointmentData)`` fires once the appointment is stored; the dialog closes."""

    booked = Signal(object)
    NOT_DONE = "Not booked"
    BUSY = "Booking…"
    DISCARD_TITLE = "Discard this booking?"
    DISCARD_TEXT = "The appointment is not booked. Close this window and discard what was typed?"

    def __init__(
        self,
        screen: ScreenContext,
        *,
        start: datetime | None = None,
        provider_id: int | None = None,
        location_id: int | None = None,
        type_id: int | None = None,
        patient_id: int | None = None,
        request_id: int | None = None,
        reason: str = "",
        accepted_type_ids: tuple[int, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        """``accepted_type_ids``: the types the hours clicked on take (empty: any); with no
        ``type_id`` the form starts on one of them."""
        super().__init__(parent)
        self.screen = screen
        self.choices: Choices | None = None
        self.patient_id = patient_id
        self.request_id = request_id
        # The last save's outcome was unknown: a "taken" next is likely that very booking.
        self.outcome_unknown = False
        # Bookings made before this are ones the person could see: one in the way is an
        # ordinary overlap, not "just booked by someone else".
        self.opened_at = datetime.now(UTC)
        self._start = start
        self._provider_id = provider_id
        self._location_id = location_id
        self._type_id = type_id
        self._accepted_type_ids = accepted_type_ids
        self.end_touched = False
        self.location_touched = location_id is not None
        self.picker: QDialog | None = None
        self.finder: QDialog | None = None
        self.setWindowTitle("Book an appointment")
        self.setAccessibleName("Book an appointment")

        self.fields = FormFields()
        self.banner = Banner()
        form = form_layout()

        self.patient_label = plain_label("No patient chosen yet", wrap=True)
        self.patient_label.setAccessibleName("Patient")
        self.patient_button = QPushButton("C&hoose…")
        self.patient_button.setAccessibleName("Choose the patient")
        self.patient_button.setToolTip("Find the patient by name, date of birth, phone or MRN")
        self.patient_button.clicked.connect(self.choose_patient)
        patient_row = QHBoxLayout()
        patient_row.setContentsMargins(0, 0, 0, 0)
        patient_row.addWidget(self.patient_label, 1)
        patient_row.addWidget(self.patient_button)
        patient_box = QWidget()
        patient_box.setLayout(patient_row)
        patient_box.setFocusProxy(self.patient_button)
        add_form_row(form, self.fields, "patient", "&Patient *", patient_box)
        self.fields.add("patient", self.patient_button, self.fields.message("patient"))

        self.request_label = plain_label("", wrap=True)
        self.request_label.setAccessibleName("Linked consultation request")
        if request_id is not None:
            form.addRow("Request", self.request_label)

        # Booked from the Schedule or a chart: the patient's open requests, so the visit is
        # booked for one (it becomes Scheduled) instead of waiting in the queue unbooked.
        self.open_requests: tuple[RequestToBook, ...] = ()
        self.link_touched = False
        # The reason given to make the linked request ready without its records.
        self.ready_reason = ""
        self.without_records: QDialog | None = None
        self.open_request_label = plain_label("", wrap=True)
        self.open_request_label.setAccessibleName("Open request")
        self.request_combo = QComboBox()
        self.request_combo.setAccessibleName("Open request to book for")
        self.request_combo.currentIndexChanged.connect(self._request_chosen)
        self.link_box = QCheckBox("Book it f&or this request (it becomes Scheduled)")
        self.link_box.setAccessibleName("Book for the open request")
        self.link_box.setToolTip(
            "Link the appointment to the request, as booking from Requests does (Alt+O); "
            "untick to leave the request as it is"
        )
        self.link_box.clicked.connect(self._link_clicked)
        self.link_warning = plain_label("", "fieldError", wrap=True)
        self.link_warning.setAccessibleName("Open request warning")
        link_column = QVBoxLayout()
        link_column.setContentsMargins(0, 0, 0, 0)
        link_column.addWidget(self.open_request_label)
        link_column.addWidget(self.request_combo)
        link_column.addWidget(self.link_box)
        link_column.addWidget(self.link_warning)
        self.link_row = QWidget()
        self.link_row.setLayout(link_column)
        self.link_row.setFocusProxy(self.link_box)
        self.link_row_label = plain_label("Open re&quest")
        self.link_row_label.setBuddy(self.request_combo)
        form.addRow(self.link_row_label, self.link_row)
        self.link_form = form
        form.setRowVisible(self.link_row, False)

        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Appointment type")
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        add_form_row(form, self.fields, "type", "&Type *", self.type_combo)

        self.provider_combo = QComboBox()
        self.provider_combo.setAccessibleName("Provider")
        self.provider_combo.currentIndexChanged.connect(lambda _index: self._update_location())
        add_form_row(form, self.fields, "provider", "P&rovider *", self.provider_combo)

        self.location_combo = QComboBox()
        self.location_combo.setAccessibleName("Location")
        self.location_combo.activated.connect(self._location_chosen)
        self.location_hint = plain_label("", "hint", wrap=True)
        location_column = QVBoxLayout()
        location_column.setContentsMargins(0, 0, 0, 0)
        location_column.addWidget(self.location_combo)
        location_column.addWidget(self.location_hint)
        location_box = QWidget()
        location_box.setLayout(location_column)
        location_box.setFocusProxy(self.location_combo)
        add_form_row(form, self.fields, "location", "&Location", location_box)
        self.fields.add("location", self.location_combo, self.fields.message("location"))

        self.date = date_edit("Date")
        self.date.dateChanged.connect(lambda _day: self._update_location())
        self.start_edit = clock_edit("Start time")
        self.start_edit.textEdited.connect(self._start_typed)
        self.end_edit = clock_edit("End time")
        self.end_edit.textEdited.connect(self._end_typed)
        when_box = date_at_time(self.date, self.start_edit)
        add_form_row(form, self.fields, "start", "&Date and time *", when_box)
        self.fields.add("date", self.date, self.fields.message("start"))
        self.fields.add("start", self.start_edit, self.fields.message("start"))
        add_form_row(
            form,
            self.fields,
            "end",
            "&Ends at",
            self.end_edit,
            "Follows the type's length until you change it.",
        )

        self.reason_edit = line_edit("Reason", "why the patient is coming", max_length=500)
        self.reason_edit.setText(reason)
        add_form_row(form, self.fields, "reason", "Rea&son", self.reason_edit)
        self.notes_edit = multiline_edit("Notes", rows=2)
        add_form_row(form, self.fields, "notes", "&Notes", self.notes_edit)

        self.book_button = mark_primary(QPushButton("&Book"))
        self.book_button.setToolTip("Book the appointment (Enter, or Ctrl+Enter in the notes)")
        self.book_button.setDefault(True)
        self.book_button.clicked.connect(self.save)
        follow_saving_gate(
            self.book_button,
            lambda: self.saving or self.done_saving,
            ready=lambda: self.choices is not None,
        )
        cancel = self.cancel_button = QPushButton("Cancel")
        cancel.setToolTip("Close without booking (Esc)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(plain_label("* required", "hint"))
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.book_button)
        self.save_button = self.book_button

        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Book an appointment", "sectionTitle"))
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save)
        fit_to_screen(self, QSize(620, 560))
        self.banner.show_message("info", "Opening…")
        screen.runner.run(
            partial(_read_opening, screen.services, patient_id, request_id),
            self._opened,
            self._open_failed,
        )

    # Opening -----------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.choices is not None

    def _opened(self, opening: _Opening) -> None:
        self.choices = choices = opening.choices
        self.banner.clear()
        if opening.patient:
            self.patient_label.setText(opening.patient)
        if opening.request:
            self.request_label.setText(opening.request)
        type_id = self._type_id
        if type_id is None and self.request_id is not None:
            kind = choices.new_consultation()
            type_id = kind.id if kind else None
        if type_id is None and self._accepted_type_ids:
            type_id = next(
                (kind.id for kind in choices.types if kind.id in self._accepted_type_ids), None
            )
        fill_combo(self.type_combo, type_items(choices), type_id)
        fill_combo(self.provider_combo, provider_items(choices), self._provider_id)
        fill_combo(
            self.location_combo,
            [(AS_SCHEDULED, None), *location_items(choices)],
            self._location_id,
        )
        if self._start is not None:
            day, minutes = day_and_minutes(self._start, choices.zone)
            show_practice_days(self.date, choices.zone, day)
            self.start_edit.setText(format_clock(minutes))
        else:
            show_practice_days(self.date, choices.zone)
        self._update_end()
        self._update_location()
        # After the type: a new consultation books for the open request by default.
        self.show_open_requests(opening.open_requests)
        self.book_button.setEnabled(saving_allowed())
        if not choices.types or not choices.providers:
            self.banner.show_message(
                "error",
                "Nothing can be booked yet: an administrator adds providers and appointment "
                "types in Admin first.",
            )
        self.mark_clean()
        first: QWidget = self.patient_button if self.patient_id is None else self.type_combo
        if self._start is None and self.patient_id is not None:
            first = self.date
        first.setFocus()

    def _open_failed(self, message: str) -> None:
        self.banner.show_message("error", f"The booking form could not open. {message}")

    # The patient -------------------------------------------------------------------------

    def choose_patient(self) -> QDialog:
        from frontdesk.ui.handouts.patient_picker import PatientPicker

        if self.picker is None:
            picker = PatientPicker(self.screen, self)
            picker.chosen.connect(self.set_patient)
            self.picker = picker
        self.picker.open()
        return self.picker

    def set_patient(self, summary: PatientSummary) -> None:
        self.patient_id = summary.id
        self.patient_label.setText(
            patient_text(summary.display_name, summary.date_of_birth, summary.mrn)
        )
        self.fields.message("patient").show_message("")
        self.show_open_requests(())
        if self.request_id is None:
            self.screen.runner.run(
                partial(reading.requests_to_book, self.screen.services, summary.id),
                partial(self._requests_read, summary.id),
                lambda message: self.banner.show_message(
                    "error", f"The patient's open requests could not be read. {message}"
                ),
            )
        self.type_combo.setFocus()

    # The patient's open requests ---------------------------------------------------------

    def _requests_read(self, patient_id: int, found: tuple[RequestToBook, ...]) -> None:
        if patient_id == self.patient_id:  # not another patient chosen meanwhile
            self.show_open_requests(found)

    def show_open_requests(self, found: tuple[RequestToBook, ...]) -> None:
        """Name the patient's open requests next to the patient and offer to book for one."""
        self.open_requests = found
        self.link_touched = False
        self.ready_reason = ""
        self.link_form.setRowVisible(self.link_row, bool(found))
        self.request_combo.blockSignals(True)
        self.request_combo.clear()
        for item in found:
            self.request_combo.addItem(request_text(item), item.id)
        self.request_combo.setCurrentIndex(0 if found else -1)
        self.request_combo.blockSignals(False)
        # More than one open: the person chooses which; one is simply named.
        self.request_combo.setVisible(len(found) > 1)
        several = len(found) > 1
        self.open_request_label.setText(
            f"{len(found)} open requests: choose the one this visit is for."
            if several
            else f"Open request: {request_text(found[0])}"
            if found
            else ""
        )
        self.link_row_label.setText("Open re&quests" if several else "Open re&quest")
        self.link_row_label.setBuddy(self.request_combo if several else self.link_box)
        self.link_row.setFocusProxy(self.request_combo if several else self.link_box)
        self._update_link()

    def chosen_request(self) -> RequestToBook | None:
        """The open request shown (the one chosen when there are several)."""
        index = self.request_combo.currentIndex()
        return self.open_requests[index] if 0 <= index < len(self.open_requests) else None

    def linked_request(self) -> RequestToBook | None:
        """The open request this booking is for, or None (none open, or the box unticked)."""
        return self.chosen_request() if self.link_box.isChecked() else None

    def _request_chosen(self, _index: int) -> None:
        self.ready_reason = ""
        self._update_link()

    def _link_clicked(self, _checked: bool) -> None:
        self.link_touched = True
        self._update_link()

    def _update_link(self) -> None:
        """Ticked by default for a new consultation (until the person ticks or unticks it);
        the warning says what booking for a request not yet ready does."""
        item = self.chosen_request()
        if item is None:
            self.link_box.setChecked(False)
            self.link_warning.setText("")
            self.link_warning.setVisible(False)
            return
        if not self.link_touched:
            kind = self.choices.new_consultation() if self.choices else None
            new_consultation = kind is not None and self.type_combo.currentData() == kind.id
            self.link_box.setChecked(new_consultation and item.state is not RequestState.SCHEDULED)
        warning = link_warning(item) if self.link_box.isChecked() else ""
        if not self.link_box.isChecked() and item.state is not RequestState.SCHEDULED:
            warning = "Not linked: the request stays in the Requests queue as not yet booked."
        self.link_warning.setText(warning)
        self.link_warning.setVisible(bool(warning))

    # Times and places --------------------------------------------------------------------

    def _type_changed(self, _index: int) -> None:
        self._update_end()
        self._update_location()
        self._update_link()

    def _start_typed(self, _text: str) -> None:
        self._update_end()
        self._update_location()

    def _end_typed(self, _text: str) -> None:
        # From now on the end is the person's, not the type's.
        self.end_touched = bool(self.end_edit.text().strip())
        self._update_location()

    def _location_chosen(self, _index: int) -> None:
        self.location_touched = self.location_combo.currentData() is not None
        self._update_location()

    def _duration(self) -> int | None:
        if self.choices is None:
            return None
        kind = self.choices.type_named(self.type_combo.currentData())
        return kind.duration_minutes if kind else None

    def _update_end(self) -> None:
        if self.end_touched:
            return
        start, _ = parse_minutes(self.start_edit.text())
        duration = self._duration()
        if start is None or duration is None:
            self.end_edit.clear()
            return
        self.end_edit.setText(format_clock(min(start + duration, 24 * 60)))

    def _update_location(self) -> None:
        """Show (and, until the person picks one, select) where the provider works then."""
        if self.choices is None:
            return
        start, _ = parse_minutes(self.start_edit.text())
        end, _ = parse_minutes(self.end_edit.text())
        provider_id = self.provider_combo.currentData()
        if start is None:
            self.location_hint.setText("")
            return
        duration = self._duration() or 0
        block = self.choices.location_at(
            provider_id, date_of(self.date), start, end if end is not None else start + duration
        )
        if block is None:
            self.location_hint.setText(
                "Outside the provider's weekly hours: booking asks to confirm an overbook "
                "and needs a location."
            )
            if not self.location_touched:
                select_data(self.location_combo, None)
            return
        self.location_hint.setText(f"The provider works at {block.location_name} then.")
        if not self.location_touched:
            select_data(self.location_combo, block.location_id)

    # Saving ------------------------------------------------------------------------------

    def snapshot(self) -> tuple[Any, ...]:
        linked = self.linked_request()
        return (
            self.patient_id,
            linked.id if linked else None,
            self.type_combo.currentData(),
            self.provider_combo.currentData(),
            self.location_combo.currentData(),
            date_of(self.date),
            self.start_edit.text().strip(),
            self.end_edit.text().strip(),
            self.reason_edit.text().strip(),
            self.notes_edit.toPlainText().strip(),
        )

    def booking_form(self, *, allow_outside_availability: bool = False) -> BookingForm | None:
        """The form as the service takes it, or None after showing what is missing."""
        assert self.choices is not None
        problems: dict[str, str] = {}
        if self.patient_id is None:
            problems["patient"] = "choose the patient"
        if self.type_combo.currentData() is None:
            problems["type"] = "choose an appointment type"
        if self.provider_combo.currentData() is None:
            problems["provider"] = "choose a provider"
        start, why = parse_minutes(self.start_edit.text())
        if start is None:
            problems["start"] = why
        end: int | None = None
        if self.end_edit.text().strip():
            end, why = parse_minutes(self.end_edit.text())
            if end is None:
                problems["end"] = why
        if problems or start is None:
            self.fields.show_messages(problems)
            self.banner.show_message("error", "Not booked: please correct the marked fields.")
            return None
        day, zone = date_of(self.date), self.choices.zone
        assert self.patient_id is not None
        request_id, make_ready = self.request_id, False
        linked = self.linked_request() if request_id is None else None
        if linked is not None:
            request_id = linked.id
            make_ready = linked.state in (RequestState.NEW, RequestState.AWAITING_RECORDS)
        return BookingForm(
            patient_id=self.patient_id,
            provider_id=int(self.provider_combo.currentData()),
            type_id=int(self.type_combo.currentData()),
            start=moment(day, start, zone),
            end=moment(day, end, zone) if end is not None else None,
            location_id=self.location_combo.currentData(),
            reason=self.reason_edit.text(),
            notes=self.notes_edit.toPlainText(),
            request_id=request_id,
            allow_outside_availability=allow_outside_availability,
            make_request_ready=make_ready,
            ready_override_reason=self.ready_reason if make_ready else "",
            known_at=self.opened_at,
        )

    def save(self, *, allow_outside_availability: bool = False) -> None:
        if self.save_refused():
            return
        if self.choices is None:
            return
        form = self.booking_form(allow_outside_availability=allow_outside_availability)
        if form is None:
            return
        self.begin_save()
        self.fields.clear_messages()
        call = partial(booking.book, self.screen.services, form)
        self.screen.runner.run(call, self._saved, failure=self._failed)

    def _saved(self, result: AppointmentData) -> None:
        self.end_save()
        self.banner.clear()
        self.mark_clean()
        self.booked.emit(result)
        self.accept()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, OutsideAvailabilityError):
            declined = "Not booked. Choose a time inside the provider's hours."
            offer_overbook(self, "Book as an overbook?", error, declined, self.save)
        elif isinstance(error, SlotTakenError):
            self.end_save()
            taken = (
                TAKEN_AFTER_UNKNOWN
                if self.outcome_unknown
                else f"Not booked. {sentence(str(error))}"
            )
            self.banner.show_message(
                "error", taken, ("&Find the next free time", self.find_next_free)
            )
        elif isinstance(error, SavedAfterAll):
            self.saved_after_all(BOOKED_AFTER_ALL)
            self.cancel_button.setText("Close")
            self.cancel_button.setToolTip("Close this window (Esc)")
            if isinstance(error.result, AppointmentData):
                # The screen that opened this says "Booked …" once the message was read.
                data = error.result
                self.finished.connect(lambda _code: self.booked.emit(data))
        elif isinstance(error, RecordsMissingError):
            self.end_save()
            self.ask_why_without_records(error.missing)
        elif isinstance(error, SaveOutcomeUnknownError):
            self.outcome_unknown = True
            self.end_save()
            self.banner.show_message("error", BOOKING_OUTCOME_UNKNOWN)
        else:
            self.save_error(error)

    def ask_why_without_records(self, missing: tuple[str, ...]) -> QDialog:
        """The request booked for is not ready and the practice rule wants records first:
        as in the Requests area, say which and ask why it goes ahead (or untick the link)."""
        self.banner.show_message(
            "error",
            "Not booked yet. Records still missing: " + "; ".join(missing) + ". Give a reason "
            "to book for the request anyway, or untick “Book it for this request”.",
        )
        dialog = ReadyWithoutRecordsDialog(missing, self)
        dialog.confirmed.connect(self._book_without_records)
        dialog.finished.connect(lambda _code: setattr(self, "without_records", None))
        self.without_records = dialog
        dialog.open()
        return dialog

    def _book_without_records(self, reason: str) -> None:
        self.ready_reason = reason
        self.save()

    def wanted_start(self) -> datetime | None:
        """The start typed in the form, if it reads as a time."""
        start, _why = parse_minutes(self.start_edit.text())
        if start is None or self.choices is None:
            return None
        return moment(date_of(self.date), start, self.choices.zone)

    def find_next_free(self) -> QDialog:
        """The time went: look for the next free one with the same type and provider."""
        from frontdesk.ui.scheduling.find_dialog import FindSlotDialog

        linked = self.linked_request() if self.request_id is None else None
        finder = FindSlotDialog(
            self.screen,
            type_id=self.type_combo.currentData(),
            provider_id=self.provider_combo.currentData(),
            patient_id=self.patient_id,
            request_id=linked.id if linked else self.request_id,
            make_request_ready=bool(linked and not linked.ready),
            ready_override_reason=self.ready_reason,
            reason=self.reason_edit.text(),
            after=self.wanted_start(),
            parent=self,
        )
        finder.booked.connect(self._booked_elsewhere)
        self.finder = finder
        finder.open()
        finder.search()
        return finder

    def _booked_elsewhere(self, data: AppointmentData) -> None:
        self.mark_clean()
        self.booked.emit(data)
        self.accept()
