"""The warning shown when a request is made ready with records still missing: what is missing,
and a reason to go ahead anyway (recorded with the move and in the audit trail)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import line_edit, plain_label


class ReadyWithoutRecordsDialog(QDialog):
    """Lists the missing records; "Ready anyway" needs a reason and emits ``confirmed``."""

    confirmed = Signal(str)

    def __init__(self, missing: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Records still missing")
        self.setAccessibleName("Records still missing")
        intro = plain_label(
            "The practice wants these records in before a request is ready to schedule "
            "(Admin → Practice rules):",
            wrap=True,
        )
        self.missing = QListWidget()
        self.missing.setAccessibleName("Missing records")
        self.missing.addItems(list(missing))
        self.reason = line_edit("Reason to go ahead without them", "why it cannot wait")
        self.message = plain_label("", "fieldError", wrap=True)
        self.message.setAccessibleName("Reason problem")
        self.ready_button = mark_primary(QPushButton("Ready anyway"))
        self.ready_button.setToolTip("Make the request ready; the reason is recorded (Enter)")
        self.ready_button.setDefault(True)
        self.back_button = QPushButton("Wait for the records")
        self.back_button.setToolTip("Leave the request as it is (Esc)")
        buttons = QDialogButtonBox()
        buttons.addButton(self.ready_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.back_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.ready_button.clicked.connect(self._ready)
        self.back_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.missing)
        layout.addWidget(plain_label("Reason to make it ready anyway"))
        layout.addWidget(self.reason)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reason.setFocus()

    def _ready(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.message.setText("Say why it goes ahead without these records.")
            self.reason.setFocus()
            return
        self.confirmed.emit(reason)
        self.accept()
