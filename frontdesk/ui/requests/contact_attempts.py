"""The request pane's contact attempts: the list, and logging one."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from frontdesk.domain.request_states import ContactKind
from frontdesk.services.kernel.clock import clock_text
from frontdesk.services.requests import contacts
from frontdesk.services.requests.data import RequestDetail
from frontdesk.ui.connection_monitor import refused_while_paused
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import Banner, line_edit


class ContactAttempts:
    """The "Contact attempts" box of ``RequestDetailPanel`` and logging an attempt (mixed
    into the panel, not used alone)."""

    # The panel's (RequestDetailPanel), which this section is mixed into.
    screen: ScreenContext
    banner: Banner
    detail: RequestDetail | None
    _run: Callable[[Callable[[], Any], str], None]

    def _build_contacts(self) -> QGroupBox:
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
        return contacts_box

    def _show_contacts(self, detail: RequestDetail) -> None:
        self.contacts.clear()
        if not detail.contacts:
            self.contacts.addItem("No contact attempts yet")
        for attempt in detail.contacts:
            note = f" — {attempt.note}" if attempt.note else ""
            self.contacts.addItem(
                f"{clock_text(attempt.at, detail.zone)}  {attempt.kind.label} by {attempt.by}{note}"
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
