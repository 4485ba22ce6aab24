"""The Admin area: tabs for the practice profile, locations, providers, scheduling setup,
practice rules, handout reviews, the inbox's sources, and for those allowed, users, security
settings, and backup and restore."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from frontdesk.domain.permissions import Permission
from frontdesk.ui.admin.handout_reviews import HandoutReviewsPanel
from frontdesk.ui.admin.inbox_sources import InboxSourcesPanel
from frontdesk.ui.admin.locations import LocationsPanel
from frontdesk.ui.admin.practice_rules import PracticeRulesPanel
from frontdesk.ui.admin.profile_editor import ProfileEditor
from frontdesk.ui.admin.providers import ProvidersPanel
from frontdesk.ui.admin.scheduling_setup import SchedulingSetup
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import compact_tabs
from frontdesk.ui.widgets.form import plain_label

if TYPE_CHECKING:
    from frontdesk.ui.admin.shared_server import SharedServerPanel
    from frontdesk.ui.security.backup_panel import BackupPanel
    from frontdesk.ui.security.settings_panel import SecuritySettingsPanel
    from frontdesk.ui.security.users_panel import UsersPanel


class AdminArea(QWidget):
    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.profile = ProfileEditor(screen)
        self.locations = LocationsPanel(screen)
        self.providers = ProvidersPanel(screen)
        self.scheduling = SchedulingSetup(screen)
        self.practice_rules = PracticeRulesPanel(screen)  # read-only for non-admins
        self.handout_reviews = HandoutReviewsPanel(screen)
        self.inbox = InboxSourcesPanel(screen)  # read-only for non-admins
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Admin sections")
        # Every title whole (never "Shar…"): short titles on tighter tabs all fit the window's
        # first size on a 1080p monitor at 150% (1152 of 1280x720 logical pixels); a narrower
        # window scrolls the bar instead of eliding the titles.
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.setUsesScrollButtons(True)
        compact_tabs(self.tabs.tabBar())
        self._add_tab(self.profile, "Practice", "Practice profile: name, address, phones, logo")
        self._add_tab(self.locations, "Locations", "Where the providers see patients")
        self._add_tab(self.providers, "Providers", "The surgeons and other providers")
        self._add_tab(
            self.scheduling, "Scheduling", "Appointment types, weekly availability, time away"
        )
        self._add_tab(self.practice_rules, "Practice rules", "Settings for every workstation")
        self._add_tab(self.handout_reviews, "Handout reviews", "Who reviewed each handout, when")
        self._add_tab(self.inbox, "Inbox", "Where faxes and scans come from")
        # Tabs a role may not use are not built at all (the services refuse them anyway).
        actor = screen.services.actor
        self.users: UsersPanel | None = None
        self.security: SecuritySettingsPanel | None = None
        self.backups: BackupPanel | None = None
        if actor.can(Permission.MANAGE_USERS):
            from frontdesk.ui.security.users_panel import UsersPanel

            self.users = UsersPanel(screen)
            self._add_tab(self.users, "Users", "Accounts, roles and passwords")
        if actor.can(Permission.EDIT_PRACTICE):
            from frontdesk.ui.security.settings_panel import SecuritySettingsPanel

            self.security = SecuritySettingsPanel(screen)
            self._add_tab(
                self.security, "Security", "Wrong-password waits, the automatic lock, backups kept"
            )
        if actor.can(Permission.BACKUP):
            from frontdesk.ui.security.backup_panel import BackupPanel

            self.backups = BackupPanel(screen)
            self._add_tab(self.backups, "Backups", "Back up now, or restore a backup")
        self.shared_server: SharedServerPanel | None = None
        if actor.can(Permission.BACKUP):  # admins: where this workstation's data lives
            from frontdesk.ui.admin.shared_server import SharedServerPanel

            self.shared_server = SharedServerPanel(screen)
            self._add_tab(
                self.shared_server, "Shared server", "Where this workstation finds the database"
            )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(plain_label("Admin", "pageTitle"))
        layout.addWidget(self.tabs, 1)

    def _add_tab(self, page: QWidget, title: str, about: str) -> None:
        self.tabs.setTabToolTip(self.tabs.addTab(page, title), about)

    def show_weekly_hours(self) -> None:
        """Scheduling → Weekly availability: where the providers' hours are set."""
        self.tabs.setCurrentWidget(self.scheduling)
        self.scheduling.tabs.setCurrentWidget(self.scheduling.availability)
        self.scheduling.availability.setFocus()

    def new_item(self) -> bool:
        """Ctrl+N adds a location, provider or user on their tabs; other tabs have no 'new'."""
        current = self.tabs.currentWidget()
        if current is self.locations or current is self.providers:
            current.new_record()
            return True
        if current is self.scheduling:
            self.scheduling.new_item()
            return True
        if self.users is not None and current is self.users:
            self.users.new_user()
            return True
        return False

    def can_close(self) -> bool:
        if not self.profile.can_close():
            return False
        if not self.practice_rules.can_close():
            return False
        if not self.inbox.can_close():
            return False
        return self.security is None or self.security.can_close()
