"""Pick a physician from the referring-providers directory by typing, or add one on the spot."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from frontdesk.services.patients import referrers
from frontdesk.services.patients.referrers import ReferrerData, ReferrerForm
from frontdesk.ui.admin.records import RecordDialog
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import add_form_row, field_text, line_edit
from frontdesk.ui.widgets.plain_text import plain_tooltip

AnyIndex = QModelIndex | QPersistentModelIndex
REFERRER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
LOOKUP_DELAY_MS = 120
LOOKUP_LIMIT = 25


class ReferrerListModel(QAbstractListModel):
    """The physicians that match what was typed (a short list: the directory is small)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[ReferrerData] = []

    def set_items(self, items: Sequence[ReferrerData]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return item.display_name
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(
                " · ".join(
                    part for part in (item.specialty, item.npi and f"NPI {item.npi}") if part
                )
            )
        if role == REFERRER_ID_ROLE:
            return item.id
        return None


class ReferrerPicker(QWidget):
    """A box that finds physicians as the user types; Down/Enter picks one; "Add…" creates one.

    ``referrer_id`` is None until a physician is picked; typing over a pick clears it, so the
    form can say "pick a physician from the list" instead of saving a name nobody chose.
    """

    changed = Signal()

    def __init__(
        self, screen: ScreenContext, accessible_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.referrer_id: int | None = None
        self._picked_name = ""
        self.edit = QLineEdit()
        self.edit.setAccessibleName(accessible_name)
        self.edit.setPlaceholderText("Type a last name to find the physician")
        self.edit.setClearButtonEnabled(True)
        self.model = ReferrerListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(10)
        self.completer.setWidget(self.edit)
        self.completer.activated[QModelIndex].connect(self._picked)  # type: ignore[index]
        self.add_button = QPushButton("Add…")
        self.add_button.setAccessibleName(f"Add a physician for {accessible_name.lower()}")
        self.add_button.setToolTip("Add a physician to the directory and pick them")
        self.add_button.clicked.connect(self.add_physician)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.add_button)
        self.setFocusProxy(self.edit)
        self.lookups = LatestOnly(screen.runner)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOOKUP_DELAY_MS)
        self._timer.timeout.connect(self._look_up)
        self.edit.textEdited.connect(self._typed)
        self.dialog: AddReferrerDialog | None = None
        # What a document said about a physician not in the directory (name, NPI): Add…
        # starts from it.
        self.unlisted: dict[str, str] = {}

    # State -------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.edit.text()

    def state(self) -> tuple[int | None, str]:
        return self.referrer_id, self.edit.text()

    def set_referrer(self, referrer_id: int | None, name: str) -> None:
        self.referrer_id = referrer_id
        self._picked_name = name if referrer_id is not None else ""
        self.edit.setText(name)
        self.edit.setCursorPosition(0)
        self.changed.emit()

    def offer_unlisted(self, first_name: str, last_name: str, npi: str) -> None:
        """A letter's sender who is not in the directory: their name stands in the box (to
        pick or add, never saved as is) and Add… opens with the name and NPI read."""
        self.set_referrer(None, f"{first_name} {last_name}".strip())
        self.unlisted = {"first_name": first_name, "last_name": last_name, "npi": npi}
        self.add_button.setToolTip("Add this physician to the directory, with the NPI read")

    def is_unresolved(self) -> bool:
        """Text typed but no physician picked from the directory."""
        return self.referrer_id is None and bool(self.edit.text().strip())

    # Looking up --------------------------------------------------------------------------

    def _typed(self, text: str) -> None:
        if self.referrer_id is not None and text != self._picked_name:
            self.referrer_id = None
            self._picked_name = ""
        self.changed.emit()
        self._timer.start()

    def _look_up(self) -> None:
        text = self.edit.text()
        context = self.screen.services
        self.lookups.run(
            partial(referrers.find_referrers, context, text, limit=LOOKUP_LIMIT),
            self._show_matches,
        )

    def _show_matches(self, items: list[ReferrerData]) -> None:
        self.model.set_items(items)
        if items and self.edit.hasFocus() and self.referrer_id is None:
            self.completer.complete()

    def _picked(self, index: QModelIndex) -> None:
        referrer_id = index.data(REFERRER_ID_ROLE)
        if referrer_id is None:
            return
        name = str(index.data(Qt.ItemDataRole.DisplayRole))
        # After the completer has written its text, so the pick is what stays in the box.
        QTimer.singleShot(0, lambda: self.set_referrer(int(referrer_id), name))

    def pick(self, item: ReferrerData) -> None:
        self.set_referrer(item.id, item.display_name)

    # Adding ------------------------------------------------------------------------------

    def _unlisted_name(self) -> str:
        return f"{self.unlisted.get('first_name', '')} {self.unlisted.get('last_name', '')}".strip()

    def add_physician(self) -> AddReferrerDialog:
        typed = self.edit.text() if self.referrer_id is None else ""
        unlisted = self.unlisted if typed.strip() == self._unlisted_name() else {}
        dialog = AddReferrerDialog(self.screen, typed, self, unlisted)
        # No WA_DeleteOnClose: the dialog goes with the form (a deferred delete of a child
        # whose parent Python has already deleted crashes PySide).
        dialog.saved.connect(self.pick)
        self.dialog = dialog
        dialog.open()
        return dialog


class AddReferrerDialog(RecordDialog):
    """A new physician for the directory: name, practice, NPI (check digit), phone and fax."""

    FIELDS: tuple[tuple[str, str, str], ...] = (
        ("last_name", "Last name", ""),
        ("first_name", "First name", ""),
        ("credentials", "Credentials", "MD, DO, NP…"),
        ("specialty", "Specialty", "Family medicine"),
        ("practice_name", "Practice", ""),
        ("npi", "NPI", "10 digits"),
        ("phone", "Phone", ""),
        ("fax", "Fax", ""),
    )

    def __init__(
        self,
        screen: ScreenContext,
        typed: str,
        parent: QWidget | None = None,
        read: Mapping[str, str] | None = None,
    ) -> None:
        """``read``: what a document said (first_name, last_name, npi), when it did."""
        super().__init__(screen, "Add a physician to the directory", parent)
        self.edits: dict[str, QLineEdit] = {}
        for key, label, placeholder in self.FIELDS:
            edit = line_edit(label, placeholder)
            add_form_row(self.form, self.fields, key, label, edit)
            self.edits[key] = edit
        # What was typed in the picker is usually the last name ("patel").
        self.edits["last_name"].setText(typed.strip())
        for key, value in (read or {}).items():
            if value and key in self.edits:
                self.edits[key].setText(value)
        # Typing starts in the first field still to fill, never on Save (Enter would save).
        first = next((edit for edit in self.edits.values() if not edit.text()), None)
        (first or self.edits["last_name"]).setFocus()
        self.mark_clean()

    def snapshot(self) -> object:
        return {key: field_text(edit) for key, edit in self.edits.items()}

    def referrer_form(self) -> ReferrerForm:
        return ReferrerForm(**{key: edit.text() for key, edit in self.edits.items()})

    def save_call(self) -> Callable[[], Any]:
        return partial(referrers.save_referrer, self.screen.services, self.referrer_form())
