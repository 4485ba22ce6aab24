"""Before a call is saved on an existing chart: its open request to add the call to, and the
caller's new contact details to put on the chart (each named, each a choice)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import format_phone
from frontdesk.domain.plurals import counted
from frontdesk.services.kernel.clock import DATE, clock_text
from frontdesk.services.requests.linking import ChartLinkCheck, ContactChange
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen


def _shown(change: ContactChange, value: str) -> str:
    if not value:
        return "(none)"
    return format_phone(value) if change.field != "email" else value


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("." if text and not text.endswith(".") else "")


def change_text(change: ContactChange) -> str:
    return (
        f"Update the chart's {change.label}: {_shown(change, change.on_chart)} → "
        f"{_shown(change, change.from_caller)}"
    )


class LinkedChartDialog(QDialog):
    """``add_to(request_id, fields)`` adds the call to that open request; ``save_new(fields)``
    saves it as a request of its own; ``fields`` are the chart's contact fields to update.
    Esc goes back to the form with nothing saved."""

    add_to = Signal(int, tuple)
    save_new = Signal(tuple)

    def __init__(
        self, check: ChartLinkCheck, patient_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.check = check
        title = (
            "This patient already has an open request"
            if check.open_requests
            else ("The caller gave new contact details")
        )
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(title, "sectionTitle", wrap=True))
        self.requests = QListWidget()
        self.requests.setAccessibleName("Open requests of this chart")
        # A request's reason is a sentence: wrap it rather than cut it behind a side scroll.
        self.requests.setWordWrap(True)
        self.requests.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for request in check.open_requests:
            received = clock_text(request.received_at, check.zone, DATE)
            item = QListWidgetItem(
                f"Request {request.id} · received {received} · {request.category.label} · "
                f"{request.state.label} — {request.reason}"
            )
            item.setData(Qt.ItemDataRole.UserRole, request.id)
            self.requests.addItem(item)
        # The service says whether the call may join an open request (a red flag may not).
        self.may_add = check.may_add_to_open
        self.why_new = plain_label(_sentence(check.not_addable), wrap=True)
        self.why_new.setAccessibleName("Why only a new request")
        if check.open_requests:
            open_count = counted(len(check.open_requests), "open request")
            which = "it" if len(check.open_requests) == 1 else "one of them"
            layout.addWidget(
                plain_label(
                    f"{patient_name} has {open_count}. If this call is about {which}, add the "
                    "call to it (it is logged there with what the caller said) instead of "
                    "starting another request."
                    if self.may_add
                    else f"{patient_name} has {open_count}:",
                    "hint",
                    wrap=True,
                )
            )
            self.requests.setCurrentRow(0)
            self.requests.setMaximumHeight(110)
            layout.addWidget(self.requests)
        else:
            self.requests.hide()
        layout.addWidget(self.why_new)
        self.why_new.setVisible(bool(check.open_requests) and not self.may_add)
        self.contact_boxes: dict[str, QCheckBox] = {}
        if check.contact_changes:
            layout.addWidget(
                plain_label(
                    "The caller's contact details differ from the chart. Tick what the chart "
                    "should take (the change is recorded in the audit trail):",
                    "hint",
                    wrap=True,
                )
            )
            for change in check.contact_changes:
                box = QCheckBox(change_text(change))
                box.setAccessibleName(f"Update the chart's {change.label}")
                box.setChecked(True)
                self.contact_boxes[change.field] = box
                layout.addWidget(box)
        buttons = QDialogButtonBox()
        self.add_button = QPushButton("&Add the call to this request")
        self.add_button.setToolTip(
            "Log this call on the selected open request instead of a new one (Enter)"
        )
        if not check.open_requests:
            new_text = "&Save the request"
        elif self.may_add:
            new_text = "Save as a &new request"
        else:
            new_text = "Save as a &new urgent request"
        self.new_button = QPushButton(new_text)
        self.new_button.setToolTip(
            "Save this call as a request of its own" + ("" if self.may_add else " (Enter)")
        )
        self.back_button = QPushButton("&Back to the form")
        self.back_button.setToolTip("Change what you typed (Esc)")
        primary = self.add_button if self.may_add else self.new_button
        mark_primary(primary)
        primary.setDefault(True)
        if self.may_add:
            buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.AcceptRole)
        else:
            self.add_button.hide()
        buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.back_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.add_button.clicked.connect(self._add)
        self.new_button.clicked.connect(self._new)
        self.back_button.clicked.connect(self.reject)
        layout.addStretch(1)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(720, 360))
        (self.requests if self.may_add else primary).setFocus()

    def chosen_fields(self) -> tuple[str, ...]:
        return tuple(field for field, box in self.contact_boxes.items() if box.isChecked())

    def _add(self) -> None:
        item = self.requests.currentItem()
        if item is None or not self.may_add:
            return
        fields = self.chosen_fields()
        self.accept()
        self.add_to.emit(int(item.data(Qt.ItemDataRole.UserRole)), fields)

    def _new(self) -> None:
        fields = self.chosen_fields()
        self.accept()
        self.save_new.emit(fields)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter acts on the focused button, else the default one (the list would swallow it).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            focused = self.focusWidget()
            if isinstance(focused, QPushButton):
                focused.click()
            elif self.may_add:
                self._add()
            else:
                self._new()
            return
        super().keyPressEvent(event)
