"""Alt+letter keys of a window as a person meets them: each reaches a field, none repeats."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget


def mnemonic(text: str) -> str:
    """The letter Alt takes for ``text`` ("Prior s&urgery" → "U"), "" when none."""
    keys = QKeySequence.mnemonic(text)
    return keys.toString().removeprefix("Alt+") if not keys.isEmpty() else ""


def visible_mnemonics(window: QWidget) -> dict[str, list[QWidget]]:
    """Each letter with the visible widgets that claim it (labels, buttons, group titles)."""
    claims: dict[str, list[QWidget]] = defaultdict(list)
    widgets: list[QWidget] = [
        *window.findChildren(QLabel),
        *window.findChildren(QAbstractButton),
        *window.findChildren(QGroupBox),
    ]
    for widget in widgets:
        letter = mnemonic(_text(widget))
        if letter and widget.isVisibleTo(window):
            claims[letter].append(widget)
    return dict(claims)


def mnemonic_problems(window: QWidget) -> list[str]:
    """What is wrong with the window's Alt+letters: a letter claimed twice, a label whose
    letter reaches nothing that takes the focus (Qt then does nothing at all)."""
    problems = []
    for letter, widgets in visible_mnemonics(window).items():
        if len(widgets) > 1:
            names = ", ".join(repr(_text(widget)) for widget in widgets)
            problems.append(f"Alt+{letter} is claimed by {names}")
        for widget in widgets:
            if not isinstance(widget, QLabel):
                continue
            buddy = widget.buddy()
            if buddy is None:
                problems.append(f"{_text(widget)!r} has Alt+{letter} but no field")
            elif buddy.focusPolicy() == Qt.FocusPolicy.NoFocus:
                problems.append(
                    f"{_text(widget)!r}: Alt+{letter} reaches a {type(buddy).__name__} that "
                    "takes no focus"
                )
    return problems


def _text(widget: QWidget) -> str:
    if isinstance(widget, QGroupBox):
        return widget.title()
    if isinstance(widget, QLabel | QAbstractButton):
        return widget.text()
    return type(widget).__name__
