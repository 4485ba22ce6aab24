"""The Admin area: tabs for the practice profile, locations, providers, scheduling setup,
practice rules, handout reviews, the inbox's sources, and for those allowed, users, security
settings, and backup and restore."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
        self.tabs.addTab(self.profile, "Practice profile")
        self.tabs.addTab(self.locations, "Locations")
        self.tabs.addTab(self.providers, "Providers")
        self.tabs.addTab(self.scheduling, "Scheduling")
        self.tabs.addTab(self.practice_rules, "Practice rules")
        self.tabs.addTab(self.handout_reviews, "Handout reviews")
        self.tabs.addTab(self.inbox, "Inbox")
        # Tabs a role may not use are not built at all (the services refuse them anyway).
        actor = screen.services.actor
        self.users: UsersPanel | None = None
        self.security: SecuritySettingsPanel | None = None
        self.backups: BackupPanel | None = None
        if actor.can(Permission.MANAGE_USERS):
            from frontdesk.ui.security.users_panel import UsersPanel

            self.users = UsersPanel(screen)
            self.tabs.addTab(self.users, "Users")
        if actor.can(Permission.EDIT_PRACTICE):
            from frontdesk.ui.security.settings_panel import SecuritySettingsPanel

            self.security = SecuritySettingsPanel(screen)
            self.tabs.addTab(self.security, "Security")
        if actor.can(Permission.BACKUP):
            from frontdesk.ui.security.backup_panel import BackupPanel

            self.backups = BackupPanel(screen)
            self.tabs.addTab(self.backups, "Backup and restore")
        self.shared_server: SharedServerPanel | None = None
        if actor.can(Permission.BACKUP):  # admins: where this workstation's data lives
            from frontdesk.ui.admin.shared_server import SharedServerPanel

            self.shared_server = SharedServerPanel(screen)
            self.tabs.addTab(self.shared_server, "Shared server")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(plain_label("Admin", "pageTitle"))
        layout.addWidget(self.tabs, 1)

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
