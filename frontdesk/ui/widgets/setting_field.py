"""One practice setting as a form field: the editor its kind needs, its default, Restore default."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.practice.settings import SettingSpec
from frontdesk.ui.widgets.form import multiline_edit, plain_label
from frontdesk.ui.widgets.read_only import show_read_only

SettingValue = int | bool | str

# How much of a long default text the hint quotes (the whole of it is in the tooltip).
QUOTED_DEFAULT_CHARS = 70
# What a spin box lets a person type: far past the spec's limits, so a number out of range
# stays as typed and the service's "at most 30" appears next to it (Qt would silently
# refuse the keystroke instead, and the person would not learn why).
TYPED_NUMBER_LIMIT = 999_999


def unit_text(unit: str, value: int) -> str:
    """ "1 business day", "3 business days": the spec's unit is plural."""
    if value == 1 and unit.endswith("s"):
        return unit[:-1]
    return unit


class SettingSpinBox(QSpinBox):
    """Arrows and Page Up/Down stay within the spec's range; typing is checked on save."""

    def __init__(self, spec: SettingSpec, parent: QWidget | None = None) -> None:  # type: ignore[type-arg]
        super().__init__(parent)
        self.spec = spec
        self.lowest = spec.minimum if spec.minimum is not None else 0
        self.highest = spec.maximum if spec.maximum is not None else TYPED_NUMBER_LIMIT
        self.setRange(min(0, self.lowest), max(TYPED_NUMBER_LIMIT, self.highest))
        self.setValue(int(spec.default))
        self._update_suffix(self.value())
        self.valueChanged.connect(self._update_suffix)
        widest = f"{self.highest} {spec.unit}"
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(widest) + 48)

    def _update_suffix(self, value: int) -> None:
        if self.spec.unit:
            self.setSuffix(f" {unit_text(self.spec.unit, value)}")

    def stepBy(self, steps: int) -> None:
        self.setValue(min(max(self.value() + steps, self.lowest), self.highest))
        self.selectAll()

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self.isReadOnly():  # Qt's own check, which this replaces
            return flags
        if self.value() < self.highest:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if self.value() > self.lowest:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags


class SettingField(QWidget):
    """The editor for ``spec`` (text, number, choice or yes/no) with its Restore default.

    ``changed`` fires on every edit. ``value()`` is what the person typed, unchecked: the
    service parses it and says what is wrong, next to the field.
    """

    changed = Signal()

    def __init__(
        self,
        spec: SettingSpec,  # type: ignore[type-arg]
        *,
        choice_labels: Mapping[str, str] | None = None,
        check_text: str = "Yes",
        rows: int = 5,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.choice_labels = dict(choice_labels or {})
        self.editable = True
        self.counter = plain_label("", "hint")
        self.counter.hide()
        self.editor: QWidget
        if spec.kind is bool:
            box = QCheckBox(check_text)
            box.toggled.connect(self._edited)
            self.editor = box
        elif spec.kind is int:
            spin = SettingSpinBox(spec)
            spin.valueChanged.connect(self._edited)
            self.editor = spin
        elif spec.choices:
            combo = QComboBox()
            for choice in spec.choices:
                combo.addItem(self.choice_label(choice), choice)
            combo.currentIndexChanged.connect(self._edited)
            self.editor = combo
        else:
            edit = multiline_edit(spec.label, rows)
            edit.textChanged.connect(self._edited)
            self.editor = edit
            self.counter.setAccessibleName(f"{spec.label}: length")
            self.counter.show()
        self.editor.setAccessibleName(spec.label)
        self.restore_button = QPushButton("Restore default")
        self.restore_button.setAccessibleName(f"Restore default: {spec.label}")
        self.restore_button.setToolTip(f"Put back the default, {self.default_words(full=True)}")
        self.restore_button.clicked.connect(self.restore_default)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if isinstance(self.editor, QPlainTextEdit):
            row.addWidget(self.editor, 1)
            side = QVBoxLayout()
            side.addWidget(self.restore_button)
            side.addStretch(1)
            row.addLayout(side)
        else:
            row.addWidget(self.editor)
            row.addWidget(self.restore_button)
            row.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self.counter)
        self.setFocusProxy(self.editor)
        self.set_value(spec.default)  # until the saved value is read

    # What the field holds ----------------------------------------------------------------

    def choice_label(self, choice: str) -> str:
        return self.choice_labels.get(choice, choice)

    def value(self) -> SettingValue:
        editor = self.editor
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QComboBox):
            return str(editor.currentData())
        assert isinstance(editor, QPlainTextEdit)
        return editor.toPlainText()

    def set_value(self, value: SettingValue) -> None:
        """Show ``value`` (a saved one) without announcing an edit."""
        editor = self.editor
        editor.blockSignals(True)
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QComboBox):
            index = editor.findData(str(value))
            if index < 0:  # a value this version does not offer: shown, never replaced
                editor.addItem(str(value), str(value))
                index = editor.count() - 1
            editor.setCurrentIndex(index)
        else:
            assert isinstance(editor, QPlainTextEdit)
            editor.setPlainText(str(value))
        editor.blockSignals(False)
        self._update()

    def is_default(self) -> bool:
        value = self.value()
        if isinstance(value, str):
            return value.strip() == str(self.spec.default)
        return value == self.spec.default

    def restore_default(self) -> None:
        self.set_value(self.spec.default)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def set_editable(self, editable: bool) -> None:
        """Read-only: the values stay readable (a long text can still be scrolled)."""
        self.editable = editable
        show_read_only(self.editor, not editable)
        self.restore_button.setVisible(editable)
        self._update()

    # Words -------------------------------------------------------------------------------

    def default_words(self, *, full: bool = False) -> str:
        """ "1 business day", "US Letter", "off", or the default text (quoted, maybe cut)."""
        default = self.spec.default
        if isinstance(default, bool):
            return "on" if default else "off"
        if isinstance(default, int):
            return f"{default} {unit_text(self.spec.unit, default)}".strip()
        if self.spec.choices:
            return self.choice_label(default)
        text = (
            default
            if full or len(default) <= QUOTED_DEFAULT_CHARS
            else (default[:QUOTED_DEFAULT_CHARS].rsplit(" ", 1)[0] + "…")
        )
        return f"“{text}”"

    def hint(self, help_text: str = "") -> str:
        """The help shown under the field, ending with its range and default."""
        parts = [help_text or self.spec.help]
        spec = self.spec
        if spec.kind is int and spec.minimum is not None and spec.maximum is not None:
            parts.append(f"From {spec.minimum} to {spec.maximum} {spec.unit}.".replace("  ", " "))
        parts.append(f"Default: {self.default_words()}.")
        return " ".join(part for part in parts if part)

    def _edited(self, *_args: object) -> None:
        self._update()
        self.changed.emit()

    def _update(self) -> None:
        self.restore_button.setEnabled(self.editable and not self.is_default())
        if isinstance(self.editor, QPlainTextEdit) and self.spec.maximum is not None:
            length = len(self.editor.toPlainText().strip())
            limit = self.spec.maximum
            over = f": {length - limit} too many" if length > limit else ""
            self.counter.setText(f"{length} of {limit} characters{over}")
