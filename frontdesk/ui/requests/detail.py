"""One request in the queue's side pane: what was said, state buttons, checklist, contacts.

The state buttons, the records checklist and the contact attempts are sections of their own
(state_buttons, records_checklist, contact_attempts), mixed into the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.dates import parse_date
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.clock import clock_text, today_in
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.requests import assignment, reading
from frontdesk.services.requests import data as requests_data
from frontdesk.services.requests.data import RequestDetail, StaffMember
from frontdesk.ui.connection_monitor import follow_saving_gate, refused_while_paused
from frontdesk.ui.patients.flow_layout import FlowLayout
from frontdesk.ui.requests.contact_attempts import ContactAttempts
from frontdesk.ui.requests.intake_text import intake_lines
from frontdesk.ui.requests.ready_override import ReadyWithoutRecordsDialog
from frontdesk.ui.requests.records_checklist import RecordsChecklist
from frontdesk.ui.requests.request_appointments import RequestAppointments
from frontdesk.ui.requests.state_buttons import StateButtons
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner, line_edit, plain_label, show_whole_placeholder
from frontdesk.ui.widgets.screen_fit import lay_out_now


class RequestDetailPanel(StateButtons, RecordsChecklist, ContactAttempts, QWidget):
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

        self._build_state_box()

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

        checklist_box = self._build_checklist()

        contacts_box = self._build_contacts()

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
        self._show_state(detail)
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
        self._show_checklist(detail)
        self._show_contacts(detail)
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
