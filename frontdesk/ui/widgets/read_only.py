"""Fields a person may read but not change, drawn so that they look it.

Qt's read-only text box keeps the white box of one to type in, so a receptionist typed into
the practice rules and nothing happened. A read-only field here takes the colour of the page
it sits on (the style sheet's ``readOnlyField`` rule) and has no spin arrows and no caret;
its text stays dark, selectable and copyable. A field with no read-only mode of its own (a
tick box, a list to choose from) is disabled instead.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QWidget

READ_ONLY_PROPERTY = "readOnlyField"
TextField = QLineEdit | QPlainTextEdit | QAbstractSpinBox


def show_read_only(widget: QWidget, read_only: bool = True) -> None:
    """Make ``widget`` read-only (or editable again) and look it."""
    if not isinstance(widget, TextField):
        widget.setEnabled(not read_only)
        return
    widget.setReadOnly(read_only)
    if isinstance(widget, QAbstractSpinBox):
        arrows = QAbstractSpinBox.ButtonSymbols
        widget.setButtonSymbols(arrows.NoButtons if read_only else arrows.UpDownArrows)
    widget.setProperty(READ_ONLY_PROPERTY, read_only)
    # A style sheet reads properties when it polishes a widget, not when they change.
    widget.style().unpolish(widget)
    widget.style().polish(widget)
