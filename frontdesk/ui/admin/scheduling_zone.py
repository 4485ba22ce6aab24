"""The practice's time zone: a combo of IANA zone names that filters as you type."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from frontdesk.domain.scheduling import system_zone_name


@cache
def zone_names() -> tuple[str, ...]:
    # Reading the zone database touches hundreds of files: once per process is enough.
    return tuple(sorted(available_timezones()))


class TimeZoneCombo(QComboBox):
    """An editable combo: pick a zone or type part of one ("chicago"); any typed text is
    kept as typed and the service says whether it is a zone."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        # Enter must not add what was typed to the list of zones.
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setAccessibleName("Time zone")
        self.addItems(list(zone_names()))
        completer = QCompleter(self.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        line = self.lineEdit()
        assert line is not None
        line.setPlaceholderText("e.g. America/Chicago")
        line.textEdited.connect(self.edited)
        self.activated.connect(lambda _index: self.edited.emit())
        self.set_zone(system_zone_name())

    def zone(self) -> str:
        return self.currentText().strip()

    def set_zone(self, name: str) -> None:
        """Show ``name``; blank means this computer's zone, the default until one is saved."""
        name = name or system_zone_name()
        index = self.findText(name, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(name)
