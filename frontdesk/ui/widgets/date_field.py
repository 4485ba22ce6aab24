"""Typed dates in forms: the reason a date cannot be read shows as soon as the field is left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QLineEdit

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.dates import parse_date
from frontdesk.ui.widgets.form import FieldMessage


def date_problem(text: str, today: date) -> str:
    """Why ``text`` is not a date ("" when it is one, or when nothing was typed)."""
    if not text.strip():
        return ""
    try:
        parse_date(text, today=today)
    except InvalidValue as error:
        message = str(error)
        return message[:1].upper() + message[1:]
    return ""


def check_date_field(edit: QLineEdit, message: FieldMessage, today: Callable[[], date]) -> None:
    """Say next to ``edit`` when its date cannot be read: on leaving it or pressing Enter,
    and take the message back as soon as what is typed reads as a date. ``today`` gives the
    practice's day (``PracticeDay``), on which a two-digit year is read.

    Mid-typing "3/4/19" is not yet wrong, so nothing is said until the field is left.
    """

    described = edit.accessibleDescription()  # "Required" stays when the date is fine

    def left() -> None:
        problem = date_problem(edit.text(), today())
        message.show_message(problem)
        edit.setAccessibleDescription(problem or described)

    def typed(text: str) -> None:
        if not message.isHidden() and not date_problem(text, today()):
            message.show_message("")
            edit.setAccessibleDescription(described)

    edit.editingFinished.connect(left)
    edit.textEdited.connect(typed)
