"""Typed entry with a live message: levels as text, dates as people remember them, choices."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QVBoxLayout, QWidget

from frontdesk.domain.contact import InvalidValue, clean_text
from frontdesk.domain.dates import parse_date
from frontdesk.domain.history_vocab import LabelledChoice
from frontdesk.domain.partial_dates import PartialDate, parse_partial_date
from frontdesk.domain.plurals import counted
from frontdesk.domain.spinal_levels import LevelSet, parse_levels
from frontdesk.services.kernel.clock import today_in
from frontdesk.ui.widgets.form import plain_label

NOT_RECORDED = "—"
READ_AS = "= "  # how a successful reading starts


class ParsedLineEdit(QWidget):
    """A line edit whose text is read back to the user as they type ("= about 2019"), or
    the reason it cannot be read. The service checks the same text again on save."""

    edited = Signal()

    def __init__(
        self,
        accessible_name: str,
        placeholder: str,
        reader: Callable[[str], str],
        max_length: int = 200,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.reader = reader
        self.edit = QLineEdit()
        self.edit.setAccessibleName(accessible_name)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setMaxLength(max_length)
        self.feedback = plain_label("", "hint", wrap=True)
        self.feedback.setAccessibleName(f"{accessible_name}: how it reads")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.edit)
        layout.addWidget(self.feedback)
        self.feedback.hide()
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._changed)

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:
        self.edit.setText(text)
        self.edit.setCursorPosition(0)

    def setReadOnly(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)

    def _changed(self, text: str) -> None:
        message = self.reader(text) if clean_text(text) else ""
        self.feedback.setText(message)
        self.feedback.setVisible(bool(message))
        # The reading in the hint colour, a reason it cannot be read in the error colour.
        name = "hint" if message.startswith(READ_AS) else "fieldError"
        if self.feedback.objectName() != name:
            self.feedback.setObjectName(name)
            self.feedback.style().unpolish(self.feedback)
            self.feedback.style().polish(self.feedback)
        self.edited.emit()


def read_levels(text: str) -> str:
    """'= L4–S1 (L4-L5, L5-S1)' or the reason with the accepted forms."""
    try:
        levels = parse_levels(text)
    except InvalidValue as error:
        return str(error)
    return describe_levels(levels)


def describe_levels(levels: LevelSet) -> str:
    if not levels:
        return ""
    return f"= {levels.text()} ({counted(len(levels), 'level')}: {', '.join(levels.codes())})"


def read_partial_date(text: str) -> str:
    try:
        return f"= {parse_partial_date(text).display()}"
    except InvalidValue as error:
        return str(error)


def read_day(text: str, today: date) -> str:
    try:
        day = parse_date(text, today=today)
        return f"= {day:%B} {day.day}, {day.year}"
    except InvalidValue as error:
        return str(error)


def levels_edit(name: str = "Levels") -> ParsedLineEdit:
    return ParsedLineEdit(name, 'e.g. "L4-S1", "L4–L5, L5–S1", "C5-6"', read_levels)


def partial_date_edit(name: str = "Date") -> ParsedLineEdit:
    return ParsedLineEdit(
        name, 'e.g. "2019", "about 2019", "May 2019", "5/17/2019"', read_partial_date, 40
    )


def day_edit(name: str, zone: tzinfo) -> ParsedLineEdit:
    """A typed day, read back as it is understood (a two-digit year on the practice's day in
    ``zone``)."""
    return ParsedLineEdit(name, "MM/DD/YYYY", lambda text: read_day(text, today_in(zone)), 20)


def partial_date_text(value: PartialDate | None) -> str:
    """The text that reads back as ``value`` ("about 2019", "May 2019", "5/17/2019")."""
    if value is None:
        return ""
    if value.is_exact:
        return f"{value.month}/{value.day}/{value.year}"
    return value.display()


def day_text(value: date | None) -> str:
    return f"{value.month}/{value.day}/{value.year}" if value is not None else ""


def choice_combo(
    accessible_name: str,
    choices: Sequence[LabelledChoice],
    *,
    blank: str | None = "(not recorded)",
) -> QComboBox:
    """A picker of coded choices (data = the code); ``blank`` first means "not recorded"."""
    combo = QComboBox()
    combo.setAccessibleName(accessible_name)
    if blank is not None:
        combo.addItem(blank, None)
    for choice in choices:
        combo.addItem(choice.label, choice.value)
    # Typing the first letters picks an entry, as in any keyboard-driven form.
    combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return combo


def code_of(choice: LabelledChoice | None) -> str | None:
    return None if choice is None else choice.value


def select_data(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))
