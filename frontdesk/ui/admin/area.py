"""The Admin area: tabs for the practice profile, locations and providers."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from frontdesk.ui.admin.locations import LocationsPanel
from frontdesk.ui.admin.profile_editor import ProfileEditor
from frontdesk.ui.admin.providers import ProvidersPanel
from frontdesk.ui.main_window import ScreenContext
from frontdesk.ui.widgets.form import plain_label


class AdminArea(QWidget):
    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.profile = ProfileEditor(screen)
        self.locations = LocationsPanel(screen)
        self.providers = ProvidersPanel(screen)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Admin sections")
        self.tabs.addTab(self.profile, "Practice profile")
        self.tabs.addTab(self.locations, "Locations")
        self.tabs.addTab(self.providers, "Providers")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(plain_label("Admin", "pageTitle"))
        layout.addWidget(self.tabs, 1)

    def new_item(self) -> bool:
        """Ctrl+N adds a location or provider on their tabs; the profile tab has no 'new'."""
        current = self.tabs.currentWidget()
        if current is self.locations or current is self.providers:
            current.new_record()
            return True
        return False

    def can_close(self) -> bool:
        return self.profile.can_close()
