"""Find the next free times that suit the patient, and book one of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import partial

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, SlotTakenError, ValidationError
from frontdesk.domain.scheduling import TimePreference, Weekday, format_clock, parse_weekdays
from frontdesk.services.kernel.clock import today_in
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.scheduling import availability, booking, find, usual_hours, waitlist
from frontdesk.services.scheduling.booking import OutsideAvailabilityError
from frontdesk.services.scheduling.data import (
    DEFAULT_HORIZON_DAYS,
    AppointmentData,
    BookingForm,
    SlotData,
    SlotSearch,
    WaitlistEntryData,
)
from frontdesk.services.scheduling.waitlist import SHORT_NOTICE
from frontdesk.ui.connection_monitor import refused_while_paused
from frontdesk.ui.navigation import (
    OPEN_WEEKLY_HOURS,
    can_set_hours,
    no_hours_text,
    open_weekly_hours,
)
from frontdesk.ui.patients.display import language_text
from frontdesk.ui.runner import user_message
from frontdesk.ui.scheduling.dialog_fields import (
    Choices,
    clock_edit,
    confirm,
    date_edit,
    date_of,
    fill_combo,
    load_choices,
    location_items,
    moment,
    parse_minutes,
    provider_items,
    sentence,
    show_practice_days,
    type_items,
    when_text,
)
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    plain_label,
)
from frontdesk.ui.widgets.screen_fit import fit_to_screen

ANY = "Any"
COLUMNS = ("Day", "Time", "Provider", "Location")
SLOT_LIMIT = 25


@dataclass(frozen=True)
class SearchResult:
    slots: tuple[SlotData, ...]
    # Whether any weekly availability takes this type with these provider/location filters:
    # an empty list then means "nothing free", not "nothing set up".
    has_availability: bool


def _search(
    context: ServiceContext,
    search: SlotSearch,
) -> SearchResult:
    """Runs off the UI thread."""
    slots = find.find_slots(context, search)
    if slots:
        return SearchResult(tuple(slots), True)
    provider_ids = [search.provider_id] if search.provider_id is not None else None
    blocks = availability.list_availability(context, provider_ids)
    has = any(
        block.takes(search.type_id)
        and (search.location_id is None or block.location_id == search.location_id)
        for block in blocks
    )
    return SearchResult((), has)


@dataclass(frozen=True)
class Opening:
    choices: Choices
    patient_name: str
    # Whom the search is for: name, birth date, and the language when an interpreter is needed.
    patient_line: str
    # Whether any provider has weekly hours: without them there is nothing to find.
    has_hours: bool


def _read_opening(context: ServiceContext, patient_id: int | None) -> Opening:
    """Runs off the UI thread: the choices, whom the search is for, and whether any hours
    are set up at all."""
    name = line = ""
    if patient_id is not None:
        patient = get_patient(context, patient_id, record_view=False)
        name = patient.display_name
        parts = [name, f"born {patient.date_of_birth:%m/%d/%Y}", patient.mrn]
        if patient.interpreter_needed:
            parts.append(language_text(patient.preferred_language, True))
        line = "For " + " · ".join(parts)
    return Opening(load_choices(context), name, line, usual_hours.has_weekly_hours(context))


def waitlist_effect(entry: WaitlistEntryData, slot: SlotData, zone: tzinfo) -> str:
    """What booking a waitlisted patient into ``slot`` does besides the booking."""
    held = entry.appointment_start
    if held is None:
        return "They come off the waitlist."
    when = f"{held.astimezone(zone):%a %m/%d/%Y %H:%M}"
    if slot.start >= held:
        return (
            f"This is not sooner than the appointment they hold ({when}): it moves to this "
            "time, and they come off the waitlist."
        )
    return f"Their appointment of {when} moves to this time; they come off the waitlist."


class FindSlotDialog(QDialog):
    """``booked(AppointmentData)`` fires when a chosen slot is booked; the dialog closes."""

    booked = Signal(object)
    searched = Signal(object)  # SearchResult

    def __init__(
        self,
        screen: ScreenContext,
        *,
        type_id: int | None = None,
        provider_id: int | None = None,
        location_id: int | None = None,
        patient_id: int | None = None,
        request_id: int | None = None,
        make_request_ready: bool = False,
        ready_override_reason: str = "",
        reason: str = "",
        preference: TimePreference | None = None,
        waitlist_entry: WaitlistEntryData | None = None,
        after: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.choices: Choices | None = None
        # Booking a waitlisted patient: the entry says what they want, and the booking goes
        # through the waitlist, so their entry closes (and a later visit they hold moves).
        self.waitlist_entry = waitlist_entry
        if waitlist_entry is not None:
            type_id, provider_id = waitlist_entry.type_id, waitlist_entry.provider_id
            location_id, patient_id = waitlist_entry.location_id, waitlist_entry.patient_id
            request_id, preference = waitlist_entry.request_id, waitlist_entry.preference
        self.patient_id = patient_id
        self.patient_name = ""
        self.request_id = request_id
        # The booking form's choice for a request not yet ready (BookingForm's fields).
        self.make_request_ready = make_request_ready
        self.ready_override_reason = ready_override_reason
        self.reason = reason
        self._type_id = type_id
        self._provider_id = provider_id
        self._location_id = location_id
        # The time just taken from under the receptionist: the next free one is after it.
        self.wanted_from = after
        self.slots: list[SlotData] = []
        self.searching = False
        self.booking = False
        self._search_wanted = False
        self.book_dialog: QDialog | None = None
        self.setWindowTitle("Find the next free time")
        self.setAccessibleName("Find the next free time")
        self.fields = FormFields()
        self.banner = Banner()
        form = form_layout()
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Appointment type")
        add_form_row(form, self.fields, "type", "&Type", self.type_combo)
        self.provider_combo = QComboBox()
        self.provider_combo.setAccessibleName("Provider")
        add_form_row(form, self.fields, "provider", "P&rovider", self.provider_combo)
        self.location_combo = QComboBox()
        self.location_combo.setAccessibleName("Location")
        add_form_row(form, self.fields, "location", "&Location", self.location_combo)
        self.day_boxes: dict[Weekday, QCheckBox] = {}
        days_row = QHBoxLayout()
        days_row.setContentsMargins(0, 0, 0, 0)
        wanted = preference or TimePreference()
        for day in Weekday:
            box = QCheckBox(day.short)
            box.setAccessibleName(f"Can come on {day.label}")
            box.setChecked(day in wanted.weekdays)
            self.day_boxes[day] = box
            days_row.addWidget(box)
        days_row.addStretch(1)
        days_box = QWidget()
        days_box.setLayout(days_row)
        days_box.setFocusProxy(self.day_boxes[Weekday.MONDAY])
        add_form_row(form, self.fields, "weekdays", "&Days", days_box, "None ticked: any day.")
        self.earliest = clock_edit("Earliest start")
        self.latest = clock_edit("Latest end")
        if wanted.earliest is not None:
            self.earliest.setText(format_clock(wanted.earliest))
        if wanted.latest is not None:
            self.latest.setText(format_clock(wanted.latest))
        times_row = QHBoxLayout()
        times_row.setContentsMargins(0, 0, 0, 0)
        times_row.addWidget(plain_label("from"))
        times_row.addWidget(self.earliest)
        times_row.addWidget(plain_label("until"))
        times_row.addWidget(self.latest)
        times_row.addStretch(1)
        times_box = QWidget()
        times_box.setLayout(times_row)
        times_box.setFocusProxy(self.earliest)
        add_form_row(form, self.fields, "earliest", "T&imes", times_box, "Empty: any time.")
        self.fields.add("latest", self.latest, self.fields.message("earliest"))
        self.after = date_edit("Search from this day")
        add_form_row(form, self.fields, "after", "&From", self.after)
        self.search_button = QPushButton("&Search")
        self.search_button.setToolTip("List the next free times (Enter)")
        self.search_button.setAutoDefault(False)
        self.search_button.clicked.connect(self.search)
        self.search_button.setEnabled(False)
        search_row = QHBoxLayout()
        search_row.setContentsMargins(0, 0, 0, 0)
        search_row.addWidget(self.search_button)
        search_row.addStretch(1)
        form.addRow("", search_row)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Free times")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemActivated.connect(lambda _item: self.choose())
        self.table.cellDoubleClicked.connect(lambda _row, _column: self.choose())
        self.table.installEventFilter(self)
        self.status = plain_label("Choose the type and press Search.", "hint", wrap=True)
        self.status.setAccessibleName("Search result")

        self.book_button = mark_primary(QPushButton("&Book this time"))
        self.book_button.setToolTip("Book the highlighted time (Enter in the list)")
        self.book_button.setAutoDefault(False)
        self.book_button.setEnabled(False)
        self.book_button.clicked.connect(self.choose)
        self.table.currentCellChanged.connect(lambda *_args: self._update_actions())
        close = QPushButton("Close")
        close.setToolTip("Close (Esc)")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.book_button)

        layout = QVBoxLayout(self)
        title = "Find the next free time"
        if waitlist_entry is not None:
            title = "Book from the waitlist"
            self.setWindowTitle(title)
            self.setAccessibleName(title)
        layout.addWidget(plain_label(title, "sectionTitle"))
        self.patient_line = plain_label("", "patientLine", wrap=True)
        self.patient_line.setAccessibleName("Booking for")
        self.patient_line.setVisible(False)
        layout.addWidget(self.patient_line)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(720, 640))
        screen.runner.run(
            partial(_read_opening, screen.services, patient_id),
            self._opened,
            lambda message: self.banner.show_message("error", message),
        )

    # Opening -----------------------------------------------------------------------------

    def _opened(self, opening: Opening) -> None:
        self.choices, self.patient_name = opening.choices, opening.patient_name
        patient_line = opening.patient_line
        # Stays in view while the list changes: the receptionist always sees whom she books.
        self.patient_line.setText(patient_line)
        self.patient_line.setVisible(bool(patient_line))
        choices = self.choices
        type_id = self._type_id
        if type_id is None:
            kind = choices.new_consultation()
            type_id = kind.id if kind else None
        fill_combo(self.type_combo, type_items(choices), type_id)
        if self.waitlist_entry is not None:
            # The entry's type sets the length booked: change the entry to change it.
            self.type_combo.setEnabled(False)
            self.type_combo.setToolTip("The type the patient is waiting for")
        fill_combo(self.provider_combo, [(ANY, None), *provider_items(choices)], self._provider_id)
        fill_combo(self.location_combo, [(ANY, None), *location_items(choices)], self._location_id)
        wanted = self.wanted_from
        show_practice_days(
            self.after,
            choices.zone,
            wanted.astimezone(choices.zone).date() if wanted is not None else None,
        )
        self.search_button.setEnabled(True)
        if self.patient_name:
            self.status.setText("Choose the type and press Search.")
        if not opening.has_hours:
            self._show_next_step(no_hours_text(self.screen))
        (self.type_combo if self.type_combo.isEnabled() else self.provider_combo).setFocus()
        if self._search_wanted:
            self.search()

    # Searching ---------------------------------------------------------------------------

    def preference(self) -> TimePreference | None:
        """The preferred days and times, or None after showing what is wrong with them."""
        problems: dict[str, str] = {}
        earliest = latest = None
        if self.earliest.text().strip():
            earliest, why = parse_minutes(self.earliest.text())
            if earliest is None:
                problems["earliest"] = why
        if self.latest.text().strip():
            latest, why = parse_minutes(self.latest.text())
            if latest is None:
                problems["latest"] = why
        days = parse_weekdays([day.value for day, box in self.day_boxes.items() if box.isChecked()])
        if not problems:
            try:
                return TimePreference(days, earliest, latest)
            except ValueError as error:
                problems["latest"] = str(error)
        self.fields.show_messages(problems)
        return None

    def slot_search(self) -> SlotSearch | None:
        assert self.choices is not None
        if self.type_combo.currentData() is None:
            self.fields.show_messages({"type": "choose an appointment type"})
            return None
        preference = self.preference()
        if preference is None:
            return None
        day = date_of(self.after)
        after: datetime | None = None
        if day > today_in(self.choices.zone):
            after = moment(day, 0, self.choices.zone)
        wanted = self.wanted_from
        if wanted is not None and wanted.astimezone(self.choices.zone).date() == day:
            after = wanted if after is None else max(after, wanted)
        entry = self.waitlist_entry
        if entry is not None and not entry.short_notice:
            # Offered only what they can come to: the waitlist's own notice rule.
            soonest = datetime.now(UTC) + SHORT_NOTICE
            after = max(after, soonest) if after is not None else soonest
        return SlotSearch(
            type_id=int(self.type_combo.currentData()),
            provider_id=self.provider_combo.currentData(),
            location_id=self.location_combo.currentData(),
            after=after,
            preference=preference,
            limit=SLOT_LIMIT,
        )

    def search(self) -> None:
        if self.choices is None:
            self._search_wanted = True  # runs once the choices are read
            return
        self._search_wanted = False
        self.fields.clear_messages()
        search = self.slot_search()
        if search is None:
            return
        self.searching = True
        self.search_button.setEnabled(False)
        self.status.setText("Searching…")
        self.screen.runner.run(
            partial(_search, self.screen.services, search),
            partial(self._show, search),
            self._search_failed,
        )

    def _show(self, search: SlotSearch, result: SearchResult) -> None:
        assert self.choices is not None
        self.searching = False
        self.search_button.setEnabled(True)
        self.slots = list(result.slots)
        zone = self.choices.zone
        self.table.setRowCount(len(self.slots))
        for row, slot in enumerate(self.slots):
            local_start, local_end = slot.start.astimezone(zone), slot.end.astimezone(zone)
            values = (
                f"{local_start:%a %m/%d/%Y}",
                f"{local_start:%H:%M}–{local_end:%H:%M}",
                slot.provider_name,
                slot.location_name,
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        if self.slots:
            self.table.setCurrentCell(0, 0)
            self.status.setText(
                f"{len(self.slots)} free times, earliest first. Enter or Book books the "
                "highlighted one."
            )
            self.table.setFocus()
        else:
            self.status.setText(self._empty_text(search, result))
            if not result.has_availability:
                self._show_next_step("")
        self._update_actions()
        self.searched.emit(result)

    def _empty_text(self, search: SlotSearch, result: SearchResult) -> str:
        kind = self.type_combo.currentText().split(" (")[0]
        who = "" if search.provider_id is None else f" with {self.provider_combo.currentText()}"
        where = "" if search.location_id is None else f" at {self.location_combo.currentText()}"
        if not result.has_availability:
            return (
                f"No weekly availability takes {kind}{who}{where}. An administrator sets "
                "providers' hours (and which types each block takes) in Admin; or choose "
                "another provider or location."
            )
        months = DEFAULT_HORIZON_DAYS // 30
        return (
            f"Nothing free for {kind}{who}{where} in the next {months} months with these "
            f"preferences ({search.preference.description}). Try more days, a wider time "
            "window, or any provider or location."
        )

    def _show_next_step(self, text: str) -> None:
        """Hours are missing: say so (``text``, or the status line says it) and, for those
        who may set them, offer the way to Admin → Scheduling."""
        if text:
            self.status.setText(text)
        if can_set_hours(self.screen):
            self.banner.show_message(
                "info",
                "Weekly hours are set in Admin → Scheduling.",
                (OPEN_WEEKLY_HOURS, self.open_weekly_hours),
            )

    def open_weekly_hours(self) -> None:
        parent = self.parentWidget()
        self.reject()
        if parent is not None:
            open_weekly_hours(parent)

    def _search_failed(self, message: str) -> None:
        self.searching = False
        self.search_button.setEnabled(True)
        self.status.setText("")
        self.banner.show_message("error", message)

    def _update_actions(self) -> None:
        self.book_button.setEnabled(self.current_slot() is not None and not self.booking)

    def current_slot(self) -> SlotData | None:
        row = self.table.currentRow()
        return self.slots[row] if 0 <= row < len(self.slots) else None

    # Choosing ----------------------------------------------------------------------------

    def choose(self) -> None:
        """Book the highlighted time: at once (after one question) when the patient is known,
        otherwise through the booking form filled in with it."""
        slot = self.current_slot()
        if slot is None or self.booking or self.choices is None:
            return
        if self.patient_id is None:
            self.open_book_dialog(slot)
            return
        if refused_while_paused(self.banner):
            return
        kind = self.type_combo.currentText().split(" (")[0]
        question = (
            f"Book {kind} for {self.patient_name} with {slot.provider_name} at "
            f"{slot.location_name}, {when_text(slot.start, slot.end, self.choices.zone)}?"
        )
        entry = self.waitlist_entry
        if entry is not None:
            question += " " + waitlist_effect(entry, slot, self.choices.zone)
        # The list says "Enter books": the second Enter, on the question, books too.
        if not confirm(self, "Book this time?", question, default_yes=True):
            return
        self.booking = True
        self._update_actions()
        self.banner.show_message("info", "Booking…")
        if entry is not None:
            self.screen.runner.run(
                partial(
                    waitlist.book_from_waitlist,
                    self.screen.services,
                    entry.id,
                    provider_id=slot.provider_id,
                    start=slot.start,
                    location_id=slot.location_id,
                ),
                self._booked,
                failure=self._book_failed,
            )
            return
        form = BookingForm(
            patient_id=self.patient_id,
            provider_id=slot.provider_id,
            type_id=slot.type_id,
            start=slot.start,
            end=slot.end,
            location_id=slot.location_id,
            reason=self.reason,
            request_id=self.request_id,
            make_request_ready=self.make_request_ready,
            ready_override_reason=self.ready_override_reason,
        )
        call = partial(booking.book, self.screen.services, form)
        self.screen.runner.run(call, self._booked, failure=self._book_failed)

    def _booked(self, result: AppointmentData) -> None:
        self.booking = False
        self._update_actions()
        self.banner.clear()
        self.booked.emit(result)
        self.accept()

    def _book_failed(self, error: Exception) -> None:
        self.booking = False
        self._update_actions()
        if isinstance(error, SlotTakenError):
            self.banner.show_message(
                "error", f"Not booked. {sentence(str(error))} The list is updated."
            )
            self.search()
        elif isinstance(error, OutsideAvailabilityError | ValidationError | ConflictError):
            # A free time just listed should fit; if hours changed meanwhile, look again.
            self.banner.show_message("error", f"Not booked. {sentence(str(error))}")
            self.search()
        else:
            self.banner.show_message("error", f"Not booked. {user_message(error)}")

    def open_book_dialog(self, slot: SlotData) -> QDialog:
        from frontdesk.ui.scheduling.book_dialog import BookDialog

        dialog = BookDialog(
            self.screen,
            start=slot.start,
            provider_id=slot.provider_id,
            location_id=slot.location_id,
            type_id=slot.type_id,
            patient_id=self.patient_id,
            request_id=self.request_id,
            reason=self.reason,
            parent=self,
        )
        dialog.booked.connect(self._booked_in_form)
        self.book_dialog = dialog
        dialog.open()
        return dialog

    def _booked_in_form(self, data: AppointmentData) -> None:
        self.booked.emit(data)
        self.accept()

    # Keys --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.choose()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the criteria searches; in the list it books (see eventFilter).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.search()
            return
        super().keyPressEvent(event)
