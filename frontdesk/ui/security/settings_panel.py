"""Admin → Security: lockout after failed sign-ins, the automatic lock, backups to keep."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.changes import touches
from frontdesk.services.practice import settings
from frontdesk.services.practice.settings import (
    AUTO_LOCK_MINUTES,
    BACKUPS_TO_KEEP,
    LOCKOUT_ATTEMPTS,
    LOCKOUT_MINUTES,
    SettingValue,
)
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
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
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormPanel

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
TABLES = frozenset({"settings"})


class SecuritySettingsPanel(FormPanel):
    """Four numbers, each with its unit and limits; Save writes them together."""

    DISCARD_TEXT = "The security settings have changes that are not saved. Discard them?"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.can_edit = screen.services.actor.can(Permission.EDIT_PRACTICE)
        self.loaded = False
        self.fields = FormFields()
        self.banner = Banner()
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
        if not self.can_edit:
            for box in self.boxes.values():
                box.setEnabled(False)
            self.save_button.hide()
            self.undo_button.hide()
            self.banner.show_message("info", "Only an administrator can change these settings.")
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._update_buttons()
        self.reload()

    def reload(self) -> None:
        self.screen.runner.run(
            partial(settings.list_settings, self.screen.services), self._show, self._load_failed
        )

    def _show(self, values: list[SettingValue]) -> None:
        by_key = {value.key: value for value in values}
        for key, box in self.boxes.items():
            if key in by_key:
                box.blockSignals(True)
                box.setValue(int(by_key[key].value))
                box.blockSignals(False)
        self.mark_clean()
        self.loaded = True
        self._update_buttons()

    def _load_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not load the settings. {message}")

    def values(self) -> dict[str, int]:
        return {key: box.value() for key, box in self.boxes.items()}

    def snapshot(self) -> dict[str, int]:
        return self.values()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(
            self.can_edit and not self.saving and self.loaded and saving_allowed()
        )
        self.undo_button.setEnabled(self.has_unsaved_changes() and not self.saving)

    def save(self) -> None:
        if not self.can_edit or not self.loaded or self.save_refused():
            return
        self.saving = True
        self._update_buttons()
        self.fields.clear_messages()
        self.banner.show_message("info", "Saving…")
        call = partial(settings.save_settings, self.screen.services, self.values())
        self.screen.runner.run(call, self._on_saved, failure=self._on_failed)

    def _on_saved(self, result: Any) -> None:
        self.saving = False
        self._show(result)
        self.banner.show_message("success", "Saved. Every workstation uses the new settings.")

    def _on_failed(self, error: Exception) -> None:
        self.saving = False
        self._update_buttons()
        if isinstance(error, ValidationError | ConflictError):
            fields = error.fields if isinstance(error, ValidationError) else {}
            unplaced = self.fields.show_messages(fields)
            text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields"
            self.banner.show_message("error", f"Not saved: {text}.")
        else:
            self.banner.show_message("error", f"Not saved. {user_message(error)}")

    def undo(self) -> None:
        saved = self._baseline
        if not isinstance(saved, dict):
            return
        for key, value in saved.items():
            self.boxes[key].setValue(value)
        self.banner.clear()
        self._update_buttons()

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES) and not self.has_unsaved_changes() and not self.saving:
            self.reload()

    def focus_first(self) -> None:
        self.boxes[SPECS[0].key].setFocus(Qt.FocusReason.OtherFocusReason)
