"""What a screen shows when it has nothing yet: what will be here and what to do next."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from frontdesk.ui.widgets.form import plain_label


class EmptyState(QWidget):
    def __init__(
        self,
        title: str,
        text: str,
        action: tuple[str, Callable[[], None]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = plain_label(title, "emptyStateTitle", wrap=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text = plain_label(text, "emptyStateText", wrap=True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text.setMaximumWidth(560)
        layout.addWidget(self.title)
        layout.addSpacing(6)
        # Centred by stretches, not by an alignment flag: an aligned label keeps the height of
        # its one-line size hint and cut the help text off mid-sentence (at 150% especially).
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text, 100)
        row.addStretch(1)
        layout.addLayout(row)
        self.button: QPushButton | None = None
        if action is not None:
            self.button = QPushButton(action[0])
            self.button.clicked.connect(action[1])
            layout.addSpacing(12)
            layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # A wrapped label inside nested layouts may be given less height than its lines need
        # (Qt asks its one-line size hint); its height for this width is its minimum.
        super().resizeEvent(event)
        for label in (self.title, self.text):
            needed = label.heightForWidth(label.width())
            if needed > 0 and label.minimumHeight() != needed:
                label.setMinimumHeight(needed)
