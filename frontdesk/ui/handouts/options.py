"""The personal touches of a handout: a note from the office, large print, and the paper."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QWidget

from frontdesk.domain.handout_format import MAX_NOTE_LENGTH
from frontdesk.ui.widgets.form import form_layout, multiline_edit

PAPERS = (("US Letter", "letter"), ("A4", "a4"))


class PersonalOptions(QWidget):
    """``changed`` fires whenever the note, large print or paper changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = multiline_edit("Note for the patient", rows=2)
        self.note.setPlaceholderText("Optional: printed under the patient's name")
        self.note.setToolTip(f"A short personal note (up to {MAX_NOTE_LENGTH} characters)")
        self.note.textChanged.connect(self.changed)
        self.large_print = QCheckBox("&Large print (16 pt text)")
        self.large_print.setAccessibleName("Large print")
        self.large_print.toggled.connect(lambda _on: self.changed.emit())
        self.paper = QComboBox()
        self.paper.setAccessibleName("Paper size")
        for label, code in PAPERS:
            self.paper.addItem(label, code)
        self.paper.currentIndexChanged.connect(lambda _index: self.changed.emit())
        layout: QFormLayout = form_layout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("&Note:", self.note)
        layout.addRow("", self.large_print)
        layout.addRow("&Paper:", self.paper)
        self.setLayout(layout)

    def note_text(self) -> str:
        return self.note.toPlainText().strip()

    def follow_chart(self, large_print: bool) -> None:
        """Start from the chart's choice ("Prints in large print" on the patient form); the
        box can still be changed for this one print."""
        self.large_print.setChecked(large_print)
        self.large_print.setToolTip(
            "The chart says large print: change it on the patient form"
            if large_print
            else "The chart says regular print: change it on the patient form"
        )

    def is_large_print(self) -> bool:
        return self.large_print.isChecked()

    def page_size(self) -> str:
        return str(self.paper.currentData())
