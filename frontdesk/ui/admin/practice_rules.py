"""Admin → Practice rules: red-flag instruction, request limits, records needed before a
request is ready, imaging age, paper, calendar."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.changes import touches
from frontdesk.services.practice import settings
from frontdesk.services.practice.settings import (
    CALENDAR_EXPORT_FULL_NAMES,
    IMAGING_MAX_AGE_MONTHS,
    PAPER_SIZE,
    READY_NEEDS_IMAGES,
    READY_NEEDS_IMAGING_REPORTS,
    READY_NEEDS_OPERATIVE_REPORTS,
    RED_FLAG_INSTRUCTION,
    ROUTINE_REQUEST_LIMIT_DAYS,
    URGENT_REQUEST_LIMIT_DAYS,
    SettingSpec,
)
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    saving_allowed,
    watch_saving_gate,
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
from frontdesk.ui.widgets.setting_field import SettingField, SettingValue

# Short plain headings, each with the settings it covers, in the order they are shown.
GROUPS: tuple[tuple[str, tuple[SettingSpec, ...]], ...] = (  # type: ignore[type-arg]
    (
        "Consultation requests",
        (RED_FLAG_INSTRUCTION, URGENT_REQUEST_LIMIT_DAYS, ROUTINE_REQUEST_LIMIT_DAYS),
    ),
    (
        "Records in before Ready to schedule",
        (READY_NEEDS_OPERATIVE_REPORTS, READY_NEEDS_IMAGING_REPORTS, READY_NEEDS_IMAGES),
    ),
    ("Imaging", (IMAGING_MAX_AGE_MONTHS,)),
    ("Printing", (PAPER_SIZE,)),
    ("Calendar export", (CALENDAR_EXPORT_FULL_NAMES,)),
)
SPECS = tuple(spec for _heading, specs in GROUPS for spec in specs)
# The specs without help of their own say here what the number changes.
HINTS = {
    URGENT_REQUEST_LIMIT_DAYS.key: (
        "Counted in business days from the day it came in (weekends do not count); an "
        "overdue request is marked in the queue."
    ),
    ROUTINE_REQUEST_LIMIT_DAYS.key: (
        "Counted the same way; a follow-up date that has passed also makes a request overdue."
    ),
}
CHOICE_LABELS = {"letter": "US Letter", "a4": "A4"}
CHECK_TEXTS = {
    CALENDAR_EXPORT_FULL_NAMES.key: "Show full names instead of initials",
    # A request made ready without them asks why, and the reason is recorded.
    READY_NEEDS_OPERATIVE_REPORTS.key: "Must be in",
    READY_NEEDS_IMAGING_REPORTS.key: "Must be in",
    READY_NEEDS_IMAGES.key: "Must be in",
}
TABLES = frozenset({"settings"})


class PracticeRulesPanel(FormPanel):
    """The practice-wide settings the issues leave "to Admin"; Save writes them together."""

    saved = Signal(list)  # list[settings.SettingValue]
    DISCARD_TEXT = "The practice rules have changes that are not saved. Discard them?"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.can_edit = screen.services.actor.can(Permission.EDIT_PRACTICE)
        self.loaded = False
        self.fields = FormFields()
        self.banner = Banner()
        self.settings: dict[str, SettingField] = {}

        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(16, 16, 16, 16)
        inner.addWidget(plain_label("Practice rules", "sectionTitle"))
        inner.addWidget(
            plain_label(
                "These apply to every workstation of the practice. Each change is recorded "
                "in the audit trail.",
                "hint",
                wrap=True,
            )
        )
        inner.addWidget(self.banner)
        # One form for all the groups, so every field lines up under the same captions.
        form = form_layout()
        for heading, specs in GROUPS:
            title = plain_label(heading, "sectionTitle")
            title.setContentsMargins(0, 8, 0, 0)
            form.addRow(title)
            for spec in specs:
                field = SettingField(
                    spec,
                    choice_labels=CHOICE_LABELS,
                    check_text=CHECK_TEXTS.get(spec.key, "Yes"),
                )
                field.changed.connect(self._edited)
                if isinstance(field.editor, QSpinBox):
                    field.editor.lineEdit().returnPressed.connect(self.save)
                hint = field.hint(HINTS.get(spec.key, ""))
                message = add_form_row(form, self.fields, spec.key, spec.label, field, hint)
                # The message is announced with, and focus goes to, the editor itself.
                self.fields.add(spec.key, field.editor, message)
                self.settings[spec.key] = field
        inner.addLayout(form)

        self.save_button = mark_primary(QPushButton("Save settings"))
        self.save_button.setToolTip("Save the practice rules (Enter, or Ctrl+S in the text)")
        self.save_button.clicked.connect(self.save)
        # Paused while the practice server is unreachable; what was typed stays.
        follow_saving_gate(
            self.save_button, lambda: self.saving, ready=lambda: self.can_edit and self.loaded
        )
        watch_saving_gate(self, lambda _allowed: self._update_buttons())
        self.undo_button = QPushButton("Undo changes")
        self.undo_button.setToolTip("Put back the saved settings (Esc)")
        self.undo_button.clicked.connect(self.undo)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.save_button)
        inner.addLayout(buttons)
        inner.addStretch(1)
        content.setMaximumWidth(1000)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        # Enter in the multi-line text starts a new line, so the text needs its own key.
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)

        if not self.can_edit:
            for field in self.settings.values():
                field.set_editable(False)
            self.save_button.hide()
            self.undo_button.hide()
            self.banner.show_message("info", "Only an administrator can change these settings.")
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._update_buttons()
        self.reload()

    # Loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        self.screen.runner.run(
            partial(settings.list_settings, self.screen.services), self._show, self._load_failed
        )

    def _show(self, values: list[settings.SettingValue]) -> None:
        by_key = {value.key: value for value in values}
        for key, field in self.settings.items():
            if key in by_key:
                field.set_value(by_key[key].value)
        self.mark_clean()
        self.loaded = True
        self._update_buttons()

    def _load_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not load the settings. {message}")

    # State -------------------------------------------------------------------------------

    def values(self) -> dict[str, SettingValue]:
        return {key: field.value() for key, field in self.settings.items()}

    def snapshot(self) -> dict[str, SettingValue]:
        return self.values()

    def _edited(self) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(
            self.can_edit and not self.saving and self.loaded and saving_allowed()
        )
        self.undo_button.setEnabled(self.has_unsaved_changes() and not self.saving)

    # Saving ------------------------------------------------------------------------------

    def save(self) -> None:
        if not self.can_edit or not self.loaded or self.save_refused():
            return
        self.saving = True
        self._update_buttons()
        self.fields.clear_messages()
        self.banner.show_message("info", "Saving…")
        # Every field goes to the service, which checks them all and saves all or nothing.
        call = partial(settings.save_settings, self.screen.services, self.values())
        self.screen.runner.run(call, self._on_saved, failure=self._on_failed)

    def _on_saved(self, result: Any) -> None:
        self.saving = False
        self._show(result)
        self.banner.show_message("success", "Saved. Every workstation uses the new settings.")
        self.saved.emit(result)

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
            self.settings[key].set_value(value)
        self.fields.clear_messages()
        self.banner.clear()
        if not self.can_edit:
            self.banner.show_message("info", "Only an administrator can change these settings.")
        self._update_buttons()

    # Keys, refresh, leaving --------------------------------------------------------------

    def _on_changed(self, tables: frozenset[str]) -> None:
        # Edits in progress are never overwritten by another desk's save.
        if touches(tables, TABLES) and not self.has_unsaved_changes() and not self.saving:
            self.reload()

    def focus_first(self) -> None:
        self.settings[SPECS[0].key].setFocus(Qt.FocusReason.OtherFocusReason)
