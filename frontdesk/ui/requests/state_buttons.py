"""The request pane's "Next step": the state buttons, Schedule…, and closing a request."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from frontdesk.domain.request_states import ClosedReason, RequestState
from frontdesk.domain.visit_preferences import visit_preference
from frontdesk.services.kernel.clock import clock_text
from frontdesk.services.requests import states
from frontdesk.services.requests.data import RequestDetail
from frontdesk.services.scheduling import appointment_types
from frontdesk.ui.connection_monitor import refused_while_paused
from frontdesk.ui.patients.flow_layout import FlowLayout
from frontdesk.ui.requests.ready_override import ReadyWithoutRecordsDialog
from frontdesk.ui.requests.request_appointments import RequestAppointments
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, line_edit, plain_label

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


def _new_consultation_type(context: Any) -> int | None:
    """Runs off the UI thread: the appointment type "Schedule" on a request starts with."""
    types = appointment_types.list_appointment_types(context)
    return next((kind.id for kind in types if kind.is_new_consultation), None)


class StateButtons:
    """The "Next step" box of ``RequestDetailPanel`` and what its buttons do (mixed into the
    panel, not used alone)."""

    # The panel's (RequestDetailPanel), which this section is mixed into.
    screen: ScreenContext
    banner: Banner
    detail: RequestDetail | None
    request_id: int | None
    changed: SignalInstance
    _run: Callable[[Callable[[], Any], str], None]
    _version: Callable[[], int | None]
    load: Callable[[int | None], None]
    show_detail: Callable[[RequestDetail], None]
    appointments: RequestAppointments
    override_dialog: ReadyWithoutRecordsDialog | None

    def _build_state_box(self) -> None:
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

    def _show_state(self, detail: RequestDetail) -> None:
        r = detail.request
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

    def _booked(self, data: Any) -> None:
        when = clock_text(data.start, self.appointments.zone, "%a %m/%d/%Y %H:%M")
        self.banner.show_message(
            "success", f"Booked {data.type_name} with {data.provider_name}, {when}."
        )
        self.load(self.request_id)
        self.changed.emit()

    def close_unreachable(self) -> None:
        self.close_request(ClosedReason.UNREACHABLE)
