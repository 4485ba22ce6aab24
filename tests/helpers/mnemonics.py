"""The Alt+letter keys a window shows (mnemonics of menus, buttons, labels, tabs and Alt
shortcuts), and which of them clash: two on one key make the key move focus between them
instead of doing what either says."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMainWindow, QTabBar, QWidget


def mnemonic(text: str) -> str | None:
    """The letter after a single '&' ("A&ttach" → "t"); '&&' is a literal ampersand."""
    index = 0
    while index < len(text) - 1:
        if text[index] == "&":
            if text[index + 1] == "&":
                index += 2
                continue
            return text[index + 1].lower()
        index += 1
    return None


def _alt_letter(sequence: QKeySequence) -> str | None:
    if sequence.count() != 1:
        return None
    combination = sequence[0]
    if combination.keyboardModifiers() != Qt.KeyboardModifier.AltModifier:
        return None
    text = QKeySequence(combination.key()).toString()
    return text.lower() if len(text) == 1 else None


def _shown_in(widget: QWidget, window: QWidget) -> bool:
    return widget.window() is window and widget.isVisible()


def alt_keys(window: QWidget) -> dict[str, list[str]]:
    """Each Alt+letter key the window answers now, with what shows it."""
    keys: dict[str, list[str]] = defaultdict(list)

    def add(text: str, what: str) -> None:
        key = mnemonic(text)
        if key is not None:
            keys[key].append(f"{what} {text!r}")

    if isinstance(window, QMainWindow) and window.menuBar().isVisible():
        for action in window.menuBar().actions():
            if action.isVisible():
                add(action.text(), "menu")
    for widget in window.findChildren(QWidget):
        if not _shown_in(widget, window):
            continue
        if isinstance(widget, QAbstractButton):
            add(widget.text(), "button")
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), "label")
        elif isinstance(widget, QGroupBox) and widget.isCheckable():
            add(widget.title(), "group")
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                if widget.isTabVisible(index):
                    add(widget.tabText(index), "tab")
    for shortcut in window.findChildren(QShortcut):
        parent = shortcut.parent()
        if (
            not shortcut.isEnabled()
            or not isinstance(parent, QWidget)
            or not _shown_in(parent, window)
        ):
            continue
        letter = _alt_letter(shortcut.key())
        if letter is not None:
            keys[letter].append(f"shortcut Alt+{letter.upper()}")
    return dict(keys)


def clashing_keys(window: QWidget) -> dict[str, list[str]]:
    """The Alt+letter keys more than one thing in the window claims."""
    return {key: what for key, what in alt_keys(window).items() if len(what) > 1}


def alt_letter(text: str) -> str:
    """The key Alt takes for ``text`` as Qt reads it ("Prior s&urgery" → "U"), "" when none."""
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
        letter = alt_letter(_text(widget))
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
