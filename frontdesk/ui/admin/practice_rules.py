"""Admin → Practice rules: red-flag instruction, request limits, records needed before a
request is ready, imaging age, paper, calendar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.practice.settings import (
    CALENDAR_EXPORT_FULL_NAMES,
    HANDOUT_REVIEW_MONTHS,
    HANDOUT_TREATMENT_EN,
    HANDOUT_TREATMENT_ES,
    HANDOUT_UNREVIEWED,
    IMAGING_MAX_AGE_MONTHS,
    PAPER_SIZE,
    READY_NEEDS_IMAGES,
    READY_NEEDS_IMAGING_REPORTS,
    READY_NEEDS_OPERATIVE_REPORTS,
    RED_FLAG_INSTRUCTION,
    ROUTINE_REQUEST_LIMIT_DAYS,
    TWO_SIDED,
    URGENT_REQUEST_LIMIT_DAYS,
    SettingSpec,
)
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    watch_saving_gate,
)
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    add_form_row,
    form_layout,
    plain_label,
)
from frontdesk.ui.widgets.setting_field import SettingField, SettingValue
from frontdesk.ui.widgets.settings_form import SettingsFormPanel

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
    ("Printing", (PAPER_SIZE, TWO_SIDED)),
    ("Calendar export", (CALENDAR_EXPORT_FULL_NAMES,)),
    (
        "Handouts",
        (HANDOUT_REVIEW_MONTHS, HANDOUT_UNREVIEWED, HANDOUT_TREATMENT_EN, HANDOUT_TREATMENT_ES),
    ),
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
CHOICE_LABELS = {
    "letter": "US Letter",
    "a4": "A4",
    "draft": "Prints with a 'Draft: not yet reviewed' mark",
    "refuse": "Cannot be given until it is reviewed",
}
CHECK_TEXTS = {
    CALENDAR_EXPORT_FULL_NAMES.key: "Show full names instead of initials",
    TWO_SIDED.key: "Two-sided: each patient starts on a new sheet",
    # A request made ready without them asks why, and the reason is recorded.
    READY_NEEDS_OPERATIVE_REPORTS.key: "Must be in",
    READY_NEEDS_IMAGING_REPORTS.key: "Must be in",
    READY_NEEDS_IMAGES.key: "Must be in",
}


class PracticeRulesPanel(SettingsFormPanel):
    """The practice-wide settings the issues leave "to Admin"; Save writes them together."""

    DISCARD_TEXT = "The practice rules have changes that are not saved. Discard them?"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(screen, parent)
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
                field.changed.connect(self._update_buttons)
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
        self.show_scrolling(content, 1000)
        # Enter in the multi-line text starts a new line, so the text needs its own key.
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)

        self.finish_setup()

    # Editors -----------------------------------------------------------------------------

    def values(self) -> dict[str, SettingValue]:
        return {key: field.value() for key, field in self.settings.items()}

    def put_value(self, key: str, value: SettingValue) -> None:
        self.settings[key].set_value(value)

    def set_editable(self, editable: bool) -> None:
        for field in self.settings.values():
            field.set_editable(editable)

    def focus_first(self) -> None:
        self.settings[SPECS[0].key].setFocus(Qt.FocusReason.OtherFocusReason)
