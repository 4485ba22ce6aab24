"""Admin → Scheduling: appointment types, weekly availability and time away, as sub-tabs."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from frontdesk.ui.admin.scheduling_availability import AvailabilityPanel
from frontdesk.ui.admin.scheduling_away import TimeAwayPanel
from frontdesk.ui.admin.scheduling_types import AppointmentTypesPanel
from frontdesk.ui.screen_context import ScreenContext


class SchedulingSetup(QWidget):
    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.types = AppointmentTypesPanel(screen)
        self.availability = AvailabilityPanel(screen)
        self.away = TimeAwayPanel(screen)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Scheduling setup sections")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.types, "Appointment types")
        self.tabs.addTab(self.availability, "Weekly availability")
        self.tabs.addTab(self.away, "Time away")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.tabs)

    def new_item(self) -> None:
        """Ctrl+N adds to whichever list is showing."""
        current = self.tabs.currentWidget()
        if current in (self.types, self.availability, self.away):
            current.new_record()  # type: ignore[attr-defined]
