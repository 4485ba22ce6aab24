"""Admin → Security: lockout after failed sign-ins, the automatic lock, backups to keep."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.practice.settings import (
    AUTO_LOCK_MINUTES,
    BACKUPS_TO_KEEP,
    LOCKOUT_ATTEMPTS,
    LOCKOUT_MINUTES,
)
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
)
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    add_form_row,
    form_layout,
    plain_label,
)
from frontdesk.ui.widgets.read_only import show_read_only
from frontdesk.ui.widgets.setting_field import SettingValue
from frontdesk.ui.widgets.settings_form import SettingsFormPanel

SPECS = (LOCKOUT_ATTEMPTS, LOCKOUT_MINUTES, AUTO_LOCK_MINUTES, BACKUPS_TO_KEEP)
HINTS = {
    LOCKOUT_ATTEMPTS.key: "Then that workstation waits a minute before the account's next try.",
    LOCKOUT_MINUTES.key: (
        "Each further wrong password doubles the wait, up to this. Other workstations are not "
        "held up; an admin can lift the wait in Users (Unlock)."
    ),
    AUTO_LOCK_MINUTES.key: (
        "With no key pressed or mouse moved for this long, every desk's screen locks. "
        "Forms stay as they were."
    ),
    BACKUPS_TO_KEEP.key: BACKUPS_TO_KEEP.help,
}


class SecuritySettingsPanel(SettingsFormPanel):
    """Four numbers, each with its unit and limits; Save writes them together."""

    DISCARD_TEXT = "The security settings have changes that are not saved. Discard them?"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(screen, parent)
        self.boxes: dict[str, QSpinBox] = {}
        form = form_layout()
        for spec in SPECS:
            box = QSpinBox()
            box.setRange(spec.minimum or 0, spec.maximum or 10_000)
            box.setSuffix(f" {spec.unit}")
            box.setValue(int(spec.default))
            box.setAccessibleName(spec.label)
            box.setMinimumWidth(box.fontMetrics().horizontalAdvance(f"0000 {spec.unit}") + 48)
            box.valueChanged.connect(self._update_buttons)
            box.lineEdit().returnPressed.connect(self.save)
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(box)
            row.addStretch(1)
            holder = QWidget()
            holder.setLayout(row)
            holder.setFocusProxy(box)
            hint = f"{HINTS[spec.key]} Default: {spec.default} {spec.unit}."
            add_form_row(form, self.fields, spec.key, spec.label, holder, hint)
            self.boxes[spec.key] = box
        self.save_button = mark_primary(QPushButton("Save settings"))
        self.save_button.setToolTip("Save the security settings (Enter)")
        self.save_button.clicked.connect(self.save)
        # Paused while the practice server is unreachable; the typed values stay.
        follow_saving_gate(
            self.save_button, lambda: self.saving, ready=lambda: self.can_edit and self.loaded
        )
        self.undo_button = QPushButton("Undo changes")
        self.undo_button.clicked.connect(self.undo)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(plain_label("Security settings", "sectionTitle"))
        layout.addWidget(
            plain_label("These apply to every workstation of the practice.", "hint", wrap=True)
        )
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.setMaximumWidth(900)
        self.finish_setup()

    def values(self) -> dict[str, SettingValue]:
        return {key: box.value() for key, box in self.boxes.items()}

    def put_value(self, key: str, value: SettingValue) -> None:
        box = self.boxes[key]
        box.blockSignals(True)
        box.setValue(int(value))
        box.blockSignals(False)

    def set_editable(self, editable: bool) -> None:
        for box in self.boxes.values():
            show_read_only(box, not editable)

    def focus_first(self) -> None:
        self.boxes[SPECS[0].key].setFocus(Qt.FocusReason.OtherFocusReason)
