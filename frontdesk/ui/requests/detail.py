"""One request in the queue's side pane: what was said, state buttons, checklist, contacts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import InvalidValue, format_phone
from frontdesk.domain.dates import parse_date
from frontdesk.domain.history_vocab import ImagingModality
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.request_states import (
    ChecklistKind,
    ClosedReason,
    ContactKind,
    RequestState,
)
from frontdesk.domain.visit_preferences import visit_preference
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.clock import clock_text, today_in
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.requests import assignment, checklist, contacts, reading, states
from frontdesk.services.requests import data as requests_data
from frontdesk.services.requests.data import (
    ChecklistItemData,
    RequestData,
    RequestDetail,
    StaffMember,
)
from frontdesk.services.scheduling import appointment_types
from frontdesk.ui.connection_monitor import follow_saving_gate, refused_while_paused
from frontdesk.ui.patients.flow_layout import FlowLayout
from frontdesk.ui.requests.ready_override import ReadyWithoutRecordsDialog
from frontdesk.ui.requests.request_appointments import RequestAppointments
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.file_dialogs import FileKind, open_file_name
from frontdesk.ui.widgets.form import Banner, line_edit, plain_label, show_whole_placeholder
from frontdesk.ui.widgets.screen_fit import lay_out_now
from frontdesk.ui.widgets.table_columns import FittedColumns

# The records checklist grows with its rows up to this many (one-line) rows, then scrolls.
CHECKLIST_MOST = 9

STATE_VERBS = {
    RequestState.AWAITING_RECORDS: "Awaiting &records",
    RequestState.READY_TO_SCHEDULE: "Rea&dy to schedule",
    RequestState.SCHEDULED: "Sc&heduled",
    RequestState.SEEN: "S&een",
}


def _missing_records_as_result(call: Callable[[], Any]) -> Callable[[], Any]:
    """The records warning comes back as a value, so the panel can ask for a reason."""

    def wrapped() -> Any:
        try:
            return call()
        except states.RecordsMissingError as error:
            return error

    return wrapped


def red_flag_line(r: RequestData, zone: tzinfo) -> str:
    """The red-flag screen as asked: whether, by whom, when, and the answers."""
    who = ""
    if r.red_flags_asked and r.red_flags_asked_by:
        when = f" {clock_text(r.red_flags_asked_at, zone)}" if r.red_flags_asked_at else ""
        who = f" (by {r.red_flags_asked_by}{when})"
    return f"Red-flag questions: {r.red_flag_summary}{who}"


def intake_lines(detail: RequestDetail) -> list[str]:
    """What the caller said, as short lines for the pane."""
    r = detail.request
    contact = " · ".join(
        part
        for part in (format_phone(r.contact_phone) if r.contact_phone else "", r.contact_email)
        if part
    )
    lines = [
        f"Received {clock_text(r.received_at, detail.zone)} by {r.channel.label.lower()}",
        f"Contact: {contact}",
    ]
    if r.caller_name or r.caller_relationship not in ("", "self"):
        lines.append(
            f"Caller: {r.caller_name} ({r.caller_relationship or 'relationship not given'})"
        )
    lines.append(red_flag_line(r, detail.zone))
    lines.append(f"Category: {r.category.label}")
    if r.body_regions:
        lines.append("Region: " + ", ".join(region.label for region in r.body_regions))
    lines.append(f"Reason: {r.reason}")
    if r.prior_surgery:
        last = f", last in {r.prior_surgery_last_year}" if r.prior_surgery_last_year else ""
        lines.append(f"Prior spine surgery: {r.prior_surgery_count or 1}{last}")
    elif r.prior_surgery is False:
        lines.append("Prior spine surgery: none")
    if r.imaging_modality:
        modality = ImagingModality(r.imaging_modality).label
        where = f"at {r.imaging_where}" if r.imaging_where else ""
        lines.append(f"Imaging: {modality} {r.imaging_when} {where}".strip())
    if r.insurance_note:
        lines.append(f"Insurance: {r.insurance_note}")
    if r.preferred_days or r.preferred_times:
        lines.append(f"Prefers: {r.preferred_days} {r.preferred_times}".strip())
    if r.language:
        lines.append(
            f"Language: {r.language}" + (" (interpreter needed)" if r.interpreter_needed else "")
        )
    if r.referrer_name:
        lines.append(f"Referred by {r.referrer_name}")
    if r.notes:
        lines.append(f"Notes: {r.notes}")
    if r.closed_reason is not None:
        lines.append(f"Closed: {r.closed_reason.label.lower()}")
    return lines


def checklist_status(item: ChecklistItemData) -> str:
    """The checklist's short status, so the record beside it keeps the pane's width: who did
    it, and "missing", are in the cell's tooltip."""
    if item.received_on is not None:
        return f"✓ Received {item.received_on:%m/%d/%Y}"
    if item.requested_on is not None:
        return f"✗ Requested {item.requested_on:%m/%d/%Y}"
    return "✗ Not requested"


def _new_consultation_type(context: Any) -> int | None:
    """Runs off the UI thread: the appointment type "Schedule" on a request starts with."""
    types = appointment_types.list_appointment_types(context)
    return next((kind.id for kind in types if kind.is_new_consultation), None)


class RequestDetailPanel(QWidget):
    """``changed`` fires after any save here, so the queue can refresh its rows."""

    changed = Signal()
    letter_requested = Signal(object)  # RequestDetail
    new_requested = Signal()

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.detail: RequestDetail | None = None
        self.request_id: int | None = None
        self.staff: list[StaffMember] = []
        # Open while the person says why a request goes ahead without its records.
        self.override_dialog: ReadyWithoutRecordsDialog | None = None

        self.empty = EmptyState(
            "No request selected",
            "Pick a request in the list to see its records and contact attempts.",
            ("New request… (Ctrl+N)", self.new_requested.emit),
        )
        self.title = plain_label("", "pageTitle", wrap=True)
        self.title.setAccessibleName("Request")
        self.status = plain_label("", "sectionTitle", wrap=True)
        self.status.setAccessibleName("Request state")
        self.red_flag = plain_label("", wrap=True)
        self.red_flag.setObjectName("redFlagGiven")
        self.red_flag.setStyleSheet(
            "QLabel#redFlagGiven { background: #fdecea; color: #a4161a; border: 2px solid "
            "#a4161a; border-radius: 4px; padding: 6px; font-weight: 600; }"
        )
        self.red_flag.setAccessibleName("Red-flag instruction given")
        self.intake = plain_label("", wrap=True)
        self.intake.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = Banner()

        # State ------------------------------------------------------------------------
        self.state_box = QGroupBox("Next step")
        self.state_buttons: dict[RequestState, QPushButton] = {}
        # A ready request's one obvious step: find a time that suits the caller and book it.
        self.schedule_button = mark_primary(QPushButton("Sched&ule…"))
        self.schedule_button.setAccessibleName("Schedule the consultation")
        self.schedule_button.setToolTip(
            "Find a free new-consultation time that suits the caller and book it; booking "
            "marks the request scheduled (Alt+U)"
        )
        self.schedule_button.clicked.connect(self.schedule)
        # How the caller's words were read, so a misreading is seen before searching.
        self.schedule_hint = plain_label("", "hint", wrap=True)
        self.schedule_hint.setAccessibleName("Preferred days and times searched")
        self.find_dialog: QWidget | None = None
        # The buttons wrap onto a second line in a narrow pane (150% on a 1080p screen)
        # instead of making the pane scroll sideways.
        state_buttons = QWidget()
        state_row = FlowLayout(state_buttons, spacing=6)
        state_row.addWidget(self.schedule_button)
        for state, text in STATE_VERBS.items():
            button = QPushButton(text)
            button.setToolTip(f"Move the request to {state.label}")
            button.clicked.connect(partial(self.move_to, state))
            self.state_buttons[state] = button
            state_row.addWidget(button)
        self.note = line_edit("Note for the state change", "note (optional)")
        self.close_reason = QComboBox()
        self.close_reason.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.close_reason.setAccessibleName("Reason for closing")
        for reason in ClosedReason:
            self.close_reason.addItem(reason.label, reason.value)
        self.close_button = QPushButton("&Close request")
        self.close_button.setToolTip("Close the request with the chosen reason")
        self.close_button.clicked.connect(self.close_request)
        close_row = QHBoxLayout()
        close_row.addWidget(self.close_reason, 1)
        close_row.addWidget(self.close_button)
        state_column = QVBoxLayout(self.state_box)
        state_column.addWidget(state_buttons)
        state_column.addWidget(self.schedule_hint)
        state_column.addWidget(self.note)
        state_column.addLayout(close_row)

        # Assignment ---------------------------------------------------------------------
        self.assignee = QComboBox()
        self.assignee.setAccessibleName("Assigned to")
        self.assignee.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.assignee.activated.connect(self._assign)
        self.follow_up = show_whole_placeholder(line_edit("Follow-up date", "follow-up MM/DD/YYYY"))
        self.follow_up.returnPressed.connect(self._set_follow_up)
        self.follow_up.setToolTip("Type a date and press Enter; empty clears it")
        # Side by side in a wide pane, one under the other in a narrow one (150% on a 1080p
        # screen), where a row of both cut "Unassigne…" and "follow-up MM/DD/Y…".
        assign_box = QWidget()
        assign_row = FlowLayout(assign_box, spacing=12)
        for caption, field in (("Assigned to", self.assignee), ("Follow up", self.follow_up)):
            pair_box = QWidget()
            pair = QHBoxLayout(pair_box)
            pair.setContentsMargins(0, 0, 0, 0)
            pair.addWidget(plain_label(caption))
            pair.addWidget(field)
            assign_row.addWidget(pair_box)

        # Checklist ----------------------------------------------------------------------
        self.checklist = QTableWidget(0, 2)
        self.checklist.setAccessibleName("Records checklist")
        self.checklist.setHorizontalHeaderLabels(["Record", "Status"])
        self.checklist.verticalHeader().hide()
        self.checklist.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.checklist.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.checklist.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The record wraps and the short status keeps its line, within the pane's width; the
        # table is as tall as its rows (up to CHECKLIST_MOST), never two rows and a scroll bar.
        self.checklist_columns = FittedColumns(self.checklist, wrap=0)
        self.checklist_columns.fitted.connect(self._fit_checklist_height)
        self.received_button = QPushButton("Mark recei&ved")
        self.received_button.clicked.connect(self.mark_selected_received)
        self.requested_button = QPushButton("Mark re&quested")
        self.requested_button.clicked.connect(self.mark_selected_requested)
        self.attach_button = QPushButton("A&ttach file…")
        self.attach_button.setToolTip("Attach a received file; it ticks the selected item")
        self.attach_button.clicked.connect(self.choose_file)
        self.letter_button = QPushButton("Records-request &letter…")
        self.letter_button.setToolTip("Print or save a letter asking for the missing records")
        self.letter_button.clicked.connect(self._letter)
        self.new_kind = QComboBox()
        self.new_kind.setAccessibleName("Kind of record to add")
        self.new_kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.new_kind.setMinimumContentsLength(8)
        for kind in ChecklistKind:
            self.new_kind.addItem(kind.label, kind.value)
        self.new_description = line_edit("Which record", "which one (optional)")
        self.add_item_button = QPushButton("Add")
        self.add_item_button.clicked.connect(self.add_item)
        checklist_buttons_box = QWidget()
        checklist_buttons = FlowLayout(checklist_buttons_box, spacing=6)
        for button in (self.received_button, self.requested_button, self.attach_button):
            checklist_buttons.addWidget(button)
        letter_row = QHBoxLayout()
        letter_row.addWidget(self.letter_button)
        letter_row.addStretch(1)
        # The kind on its own line: beside it in a narrow pane "which one (optional)" was cut.
        add_row = QHBoxLayout()
        add_row.addWidget(show_whole_placeholder(self.new_description), 1)
        add_row.addWidget(self.add_item_button)
        checklist_box = QGroupBox("Records checklist")
        checklist_column = QVBoxLayout(checklist_box)
        checklist_column.addWidget(self.checklist)
        checklist_column.addWidget(checklist_buttons_box)
        checklist_column.addLayout(letter_row)
        checklist_column.addWidget(self.new_kind)
        checklist_column.addLayout(add_row)

        # Contacts -----------------------------------------------------------------------
        self.contacts = QListWidget()
        self.contacts.setAccessibleName("Contact attempts")
        self.contacts.setMaximumHeight(110)
        self.contact_kind = QComboBox()
        self.contact_kind.setAccessibleName("Contact attempt")
        self.contact_kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.contact_kind.setMinimumContentsLength(8)
        for kind in ContactKind:
            self.contact_kind.addItem(kind.label, kind.value)
        self.contact_note = line_edit("Contact note", "note (optional)")
        self.contact_button = QPushButton("Lo&g attempt")
        self.contact_button.clicked.connect(self.log_contact)
        contact_row = QHBoxLayout()
        contact_row.addWidget(self.contact_kind, 1)
        contact_row.addWidget(self.contact_button)
        contacts_box = QGroupBox("Contact attempts")
        contacts_column = QVBoxLayout(contacts_box)
        contacts_column.addWidget(self.contacts)
        contacts_column.addWidget(self.contact_note)
        contacts_column.addLayout(contact_row)

        # Appointments booked from the request ---------------------------------------------
        self.appointments = RequestAppointments(screen)
        self.appointments.changed.connect(self._appointment_changed)

        # Handouts for the request's category, in the patient's language --------------------
        self.handouts_button = QPushButton("G&ive handouts…")
        self.handouts_button.setToolTip(
            "Handouts for this request's category in the patient's language, ticked; "
            "preview, print or save (Alt+I)"
        )
        self.handouts_button.clicked.connect(self.give_handouts)
        self.can_give_handouts = screen.services.actor.can(Permission.PRINT_HANDOUTS)
        self.handouts_button.setVisible(self.can_give_handouts)
        self.handouts_dialog: QWidget | None = None
        handouts_row = QHBoxLayout()
        handouts_row.addWidget(self.handouts_button)
        handouts_row.addStretch(1)

        # Every change waits while the practice server is unreachable (the reason in the
        # tooltip and, on a click or Enter, in the banner); typed notes stay.
        for button in (
            self.schedule_button,
            *self.state_buttons.values(),
            self.close_button,
            self.received_button,
            self.requested_button,
            self.attach_button,
            self.add_item_button,
            self.contact_button,
        ):
            follow_saving_gate(button)

        # History ------------------------------------------------------------------------
        self.history = QListWidget()
        self.history.setAccessibleName("State history")
        self.history.setMaximumHeight(110)
        history_box = QGroupBox("State history")
        QVBoxLayout(history_box).addWidget(self.history)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        for widget in (
            self.title,
            self.status,
            self.red_flag,
            self.banner,
            self.state_box,
            self.appointments,
        ):
            column.addWidget(widget)
        column.addLayout(handouts_row)
        column.addWidget(assign_box)
        column.addWidget(checklist_box)
        column.addWidget(contacts_box)
        column.addWidget(plain_label("What the caller said", "sectionTitle"))
        column.addWidget(self.intake)
        column.addWidget(history_box)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.scroll)
        self.scroll.hide()
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)

    # Loading ---------------------------------------------------------------------------

    def set_staff(self, staff: list[StaffMember]) -> None:
        self.staff = staff
        if self.detail is not None:
            self.show_detail(self.detail)

    def load(self, request_id: int | None) -> None:
        if request_id != self.request_id:
            self.banner.clear()
        self.request_id = request_id
        self.appointments.load(request_id)
        if request_id is None:
            self.detail = None
            self.scroll.hide()
            self.empty.show()
            return
        self.screen.runner.run(
            partial(reading.get_request, self.screen.services, request_id),
            self._loaded,
            lambda message: self.banner.show_message("error", message),
        )

    def _loaded(self, detail: RequestDetail) -> None:
        if detail.request.id == self.request_id:
            self.show_detail(detail)

    def show_detail(self, detail: RequestDetail) -> None:
        shown_before = self.detail.request.id if self.detail is not None else None
        self.detail = detail
        r = detail.request
        self.empty.hide()
        self.scroll.show()
        if r.id != shown_before:
            # Another request starts at its top, where the patient's name is; a refresh of the
            # same one keeps the place the receptionist was reading.
            self.scroll.verticalScrollBar().setValue(0)
        self.title.setText(f"{r.patient_name} ({r.mrn}), born {r.date_of_birth:%m/%d/%Y}")
        self.status.setText(
            f"{r.state.label} · {r.urgency.label} · request {r.id}"
            + (f" · {counted(len(detail.missing), 'record')} missing" if detail.missing else "")
        )
        if r.red_flags:
            flags = "; ".join(flag.label.lower() for flag in r.red_flags)
            given = (
                f" Given {clock_text(r.instruction_given_at, detail.zone)}"
                f" by {r.instruction_given_by}."
                if r.instruction_given_at
                else ""
            )
            self.red_flag.setText(
                f"RED FLAG ({flags}). Instruction: {r.red_flag_instruction}{given}"
            )
            self.red_flag.show()
        else:
            self.red_flag.hide()
        if detail.suggest_unreachable:
            self.banner.show_message(
                "info",
                f"{detail.unanswered} attempts in a row reached nobody. Close as unreachable?",
                ("Close as unreachable", self.close_unreachable),
            )
        elif self.banner.action.isVisibleTo(self.banner):
            self.banner.clear()  # an earlier suggestion no longer applies
        allowed = set(detail.allowed)
        for state, button in self.state_buttons.items():
            button.setVisible(state in allowed)
        ready = r.state is RequestState.READY_TO_SCHEDULE
        self.schedule_button.setVisible(ready)
        self.schedule_hint.setVisible(ready)
        if ready:
            wanted = visit_preference(r.preferred_days, r.preferred_times)
            said = f"{r.preferred_days} {r.preferred_times}".strip()
            self.schedule_hint.setText(
                f"Schedule… searches: {wanted.description}"
                + (f" (the caller said “{said}”)." if said else ".")
            )
        closable = RequestState.CLOSED in allowed
        for widget in (self.close_reason, self.close_button, self.note):
            widget.setVisible(closable)
        self.state_box.setVisible(bool(allowed))
        self.assignee.clear()
        self.assignee.addItem("Unassigned", None)
        for member in self.staff:
            self.assignee.addItem(member.name, member.id)
        index = self.assignee.findData(r.assignee_id) if r.assignee_id else 0
        if index < 0:
            self.assignee.addItem(r.assignee_name, r.assignee_id)
            index = self.assignee.count() - 1
        self.assignee.setCurrentIndex(index)
        self.follow_up.setText(f"{r.follow_up_on:%m/%d/%Y}" if r.follow_up_on else "")
        self.checklist.setRowCount(len(detail.checklist))
        for row, item in enumerate(detail.checklist):
            label = QTableWidgetItem(item.label + (f" — {item.source}" if item.source else ""))
            label.setData(Qt.ItemDataRole.UserRole, item.id)
            label.setToolTip(label.text())
            status = QTableWidgetItem(checklist_status(item))
            status.setToolTip(item.status)
            self.checklist.setItem(row, 0, label)
            self.checklist.setItem(row, 1, status)
        self.contacts.clear()
        if not detail.contacts:
            self.contacts.addItem("No contact attempts yet")
        for attempt in detail.contacts:
            note = f" — {attempt.note}" if attempt.note else ""
            self.contacts.addItem(
                f"{clock_text(attempt.at, detail.zone)}  {attempt.kind.label} by {attempt.by}{note}"
            )
        self.history.clear()
        for transition in detail.transitions:
            note = f" — {transition.note}" if transition.note else ""
            self.history.addItem(
                f"{clock_text(transition.at, detail.zone)}  {transition.description}"
                f" by {transition.by}{note}"
            )
        self.intake.setText("\n".join(intake_lines(detail)))
        # Fields sized while empty (the assignee's name, the title) are whole at once.
        lay_out_now(self)

    def _fit_checklist_height(self) -> None:
        table = self.checklist
        one_row = table.verticalHeader().defaultSectionSize()
        rows = sum(table.rowHeight(row) for row in range(table.rowCount()))
        chrome = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height = chrome + min(max(rows, one_row), CHECKLIST_MOST * one_row)
        if table.minimumHeight() != height or table.maximumHeight() != height:
            table.setFixedHeight(height)

    # Actions ---------------------------------------------------------------------------

    def _run(self, call: Callable[[], Any], done_text: str) -> None:
        def finished(result: Any) -> None:
            self.banner.show_message("success", done_text)
            if isinstance(result, RequestDetail):
                # After the message: a suggestion to close, if any, replaces it.
                self.show_detail(result)
            else:
                self.load(self.request_id)
            self.changed.emit()

        self.screen.runner.run(
            call, finished, lambda message: self.banner.show_message("error", message)
        )

    def _version(self) -> int | None:
        return self.detail.request.version if self.detail else None

    def move_to(self, state: RequestState) -> None:
        self._move(state, "")

    def _move(self, state: RequestState, override_reason: str) -> None:
        if refused_while_paused(self.banner):  # what was typed stays for later
            return
        if self.detail is None:
            return
        call = partial(
            states.transition,
            self.screen.services,
            self.detail.request.id,
            state,
            self.note.text(),
            expected_version=self._version(),
            override_reason=override_reason,
        )
        note = self.note.text()
        self.note.clear()
        done = f"Moved to {state.label.lower()}."

        def finished(result: Any) -> None:
            if isinstance(result, states.RecordsMissingError):
                self.note.setText(note)  # kept for the move made with a reason
                self._ask_why_without(state, result.missing)
                return
            self.banner.show_message("success", done)
            self.show_detail(result)
            self.changed.emit()

        self.screen.runner.run(
            _missing_records_as_result(call),
            finished,
            lambda message: self.banner.show_message("error", message),
        )

    def _ask_why_without(self, state: RequestState, missing: tuple[str, ...]) -> None:
        """The practice rule wants records first: say which, and ask for a reason."""
        self.banner.show_message("error", "Records still missing: " + "; ".join(missing) + ".")
        dialog = ReadyWithoutRecordsDialog(missing, self)
        dialog.confirmed.connect(lambda reason: self._move(state, reason))
        dialog.finished.connect(lambda _code: setattr(self, "override_dialog", None))
        self.override_dialog = dialog
        dialog.open()

    def close_request(self, reason: ClosedReason | None = None) -> None:
        if refused_while_paused(self.banner):  # what was typed stays for later
            return
        if self.detail is None:
            return
        chosen = reason or ClosedReason(self.close_reason.currentData())
        call = partial(
            states.transition,
            self.screen.services,
            self.detail.request.id,
            RequestState.CLOSED,
            self.note.text(),
            closed_reason=chosen,
            expected_version=self._version(),
        )
        self.note.clear()
        self._run(call, f"Closed ({chosen.label.lower()}).")

    def schedule(self) -> None:
        """Open the free-time search with the patient, a new consultation and the caller's
        preferred days and times filled in."""
        if refused_while_paused(self.banner):
            return
        if self.detail is None or self.detail.request.state is not RequestState.READY_TO_SCHEDULE:
            return
        request = self.detail.request
        self.screen.runner.run(
            partial(_new_consultation_type, self.screen.services),
            partial(self._open_finder, request.id),
            lambda message: self.banner.show_message("error", message),
        )

    def _open_finder(self, request_id: int, type_id: int | None) -> None:
        if self.detail is None or self.detail.request.id != request_id:
            return  # another request was opened meanwhile
        from frontdesk.ui.scheduling.find_dialog import FindSlotDialog

        r = self.detail.request
        dialog = FindSlotDialog(
            self.screen,
            type_id=type_id,
            patient_id=r.patient_id,
            request_id=r.id,
            reason=r.reason,
            preference=visit_preference(r.preferred_days, r.preferred_times),
            parent=self,
        )
        dialog.booked.connect(self._booked)
        dialog.finished.connect(lambda _code: setattr(self, "find_dialog", None))
        self.find_dialog = dialog
        dialog.open()
        dialog.search()  # the free times that suit the caller, at once

    def give_handouts(self) -> None:
        """Open Give handouts with this request's category suggested first (the chart is
        read off the UI thread; giving itself waits out an outage in the dialog)."""
        if self.detail is None or not self.can_give_handouts:
            return
        if self.handouts_dialog is not None:
            self.handouts_dialog.raise_()
            self.handouts_dialog.activateWindow()
            return
        r = self.detail.request
        call = partial(get_patient, self.screen.services, r.patient_id, record_view=False)
        self.screen.runner.run(
            call,
            partial(self._open_handouts, r.id, r.category),
            lambda message: self.banner.show_message("error", message),
        )

    def _open_handouts(self, request_id: int, category: Any, patient: Any) -> None:
        if self.detail is None or self.detail.request.id != request_id:
            return  # another request was opened meanwhile
        from frontdesk.ui.handouts.give_dialog import GiveHandoutsDialog

        dialog = GiveHandoutsDialog(self.screen, patient, self, category=category)
        dialog.finished.connect(lambda _code: setattr(self, "handouts_dialog", None))
        self.handouts_dialog = dialog
        dialog.open()

    def _booked(self, data: Any) -> None:
        when = clock_text(data.start, self.appointments.zone, "%a %m/%d/%Y %H:%M")
        self.banner.show_message(
            "success", f"Booked {data.type_name} with {data.provider_name}, {when}."
        )
        self.load(self.request_id)
        self.changed.emit()

    def _appointment_changed(self) -> None:
        # A cancellation or a no-show can send the request back to Ready to schedule.
        self.load(self.request_id)
        self.changed.emit()

    def _on_changed(self, tables: frozenset[str]) -> None:
        if self.request_id is None or not touches(tables, {"appointments"}):
            return
        # Booked, moved or cancelled elsewhere (another screen or workstation).
        self.appointments.load(self.request_id)
        if not touches(tables, requests_data.TABLES):
            # The request itself did not change (a move): only the queue's "next action"
            # is stale; the area refreshes on its own when the request changed.
            self.changed.emit()

    def close_unreachable(self) -> None:
        self.close_request(ClosedReason.UNREACHABLE)

    def _assign(self) -> None:
        if self.detail is None:
            return
        user_id = self.assignee.currentData()
        if user_id == self.detail.request.assignee_id:
            return
        if refused_while_paused(self.banner):
            self.assignee.setCurrentIndex(
                max(0, self.assignee.findData(self.detail.request.assignee_id))
            )
            return
        call = partial(
            assignment.assign,
            self.screen.services,
            self.detail.request.id,
            user_id,
            expected_version=self._version(),
        )
        self._run(call, "Assigned.")

    def _set_follow_up(self) -> None:
        if refused_while_paused(self.banner):  # what was typed stays for later
            return
        if self.detail is None:
            return
        text = self.follow_up.text().strip()
        day: date | None = None
        if text:
            try:
                day = parse_date(text, today=today_in(self.detail.zone), future=True)
            except InvalidValue as error:
                self.banner.show_message("error", f"Follow-up date: {error}")
                return
        call = partial(
            assignment.set_follow_up,
            self.screen.services,
            self.detail.request.id,
            day,
            expected_version=self._version(),
        )
        self._run(call, "Follow-up date saved.")

    def selected_item_id(self) -> int | None:
        row = self.checklist.currentRow()
        item = self.checklist.item(row, 0) if row >= 0 else None
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def mark_selected_received(self) -> None:
        if refused_while_paused(self.banner):
            return
        item_id = self.selected_item_id()
        if item_id is not None:
            self._run(
                partial(checklist.mark_received, self.screen.services, item_id), "Marked received."
            )

    def mark_selected_requested(self) -> None:
        if refused_while_paused(self.banner):
            return
        item_id = self.selected_item_id()
        if item_id is not None:
            self._run(
                partial(checklist.mark_requested, self.screen.services, [item_id]),
                "Marked requested today.",
            )

    def add_item(self) -> None:
        if refused_while_paused(self.banner):  # what was typed stays for later
            return
        if self.detail is None:
            return
        call = partial(
            checklist.add_checklist_item,
            self.screen.services,
            self.detail.request.id,
            ChecklistKind(self.new_kind.currentData()),
            self.new_description.text(),
        )
        self.new_description.clear()
        self._run(call, "Added to the checklist.")

    def choose_file(self) -> None:
        if refused_while_paused(self.banner):
            return
        path = open_file_name(
            self,
            FileKind.RECEIVED_DOCUMENT,
            "Attach a received file",
            "PDF or image (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)",
        )
        if path:
            self.attach_path(Path(path))

    def attach_path(self, path: Path) -> None:
        """Attach ``path`` to the selected checklist item (or a referral letter)."""
        if refused_while_paused(self.banner):  # what was typed stays for later
            return
        if self.detail is None:
            return
        item_id = self.selected_item_id()
        kind = ChecklistKind.REFERRAL_LETTER
        for item in self.detail.checklist:
            if item.id == item_id:
                kind = item.kind
        request_id = self.detail.request.id

        def attach() -> Any:
            return checklist.attach_document(
                self.screen.services,
                request_id,
                path.read_bytes(),
                path.name,
                kind,
                item_id=item_id,
            )

        self.screen.runner.run(
            attach,
            lambda result: (
                self.load(request_id),
                self.banner.show_message("success", result.message),
                self.changed.emit(),
            ),
            lambda message: self.banner.show_message("error", message),
        )

    def log_contact(self) -> None:
        if refused_while_paused(self.banner):  # what was typed stays for later
            return
        if self.detail is None:
            return
        kind = ContactKind(self.contact_kind.currentData())
        call = partial(
            contacts.log_contact,
            self.screen.services,
            self.detail.request.id,
            kind,
            self.contact_note.text(),
        )
        self.contact_note.clear()
        self._run(call, f"Logged: {kind.label.lower()}.")

    def _letter(self) -> None:
        if self.detail is not None:
            self.letter_requested.emit(self.detail)
