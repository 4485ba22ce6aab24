"""Admin: the practice's providers (surgeons and others who see patients)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtWidgets import QWidget

from frontdesk.services.practice.forms import ProviderData, ProviderForm
from frontdesk.services.practice.providers import list_providers, save_provider
from frontdesk.ui.admin.records import RecordDialog, RecordsPanel, status_text
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import add_form_row, line_edit, set_field_text
from frontdesk.ui.widgets.record_table import Column

COLUMNS = [
    Column("Last name", lambda record: record.last_name),
    Column("First name", lambda record: record.first_name),
    Column("Credentials", lambda record: record.credentials),
    Column("Specialty", lambda record: record.specialty, stretch=True),
    Column("Status", lambda record: status_text(record.active)),
]


class ProviderDialog(RecordDialog):
    def __init__(
        self,
        screen: ScreenContext,
        provider: ProviderData | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(screen, "New provider" if provider is None else "Edit provider", parent)
        self.provider = provider
        self.first_name = line_edit("First name", "", 100)
        self.last_name = line_edit("Last name", "", 100)
        self.credentials = line_edit("Credentials", "e.g. MD, DO, PA-C", 60)
        self.specialty = line_edit("Specialty", "e.g. Spine surgery", 120)
        add_form_row(self.form, self.fields, "first_name", "&First name *", self.first_name)
        add_form_row(self.form, self.fields, "last_name", "&Last name *", self.last_name)
        add_form_row(self.form, self.fields, "credentials", "&Credentials", self.credentials)
        add_form_row(self.form, self.fields, "specialty", "&Specialty", self.specialty)
        self.active = self.add_active_row("Active (sees patients)", "Provider is active")
        if provider is not None:
            set_field_text(self.first_name, provider.first_name)
            set_field_text(self.last_name, provider.last_name)
            set_field_text(self.credentials, provider.credentials)
            set_field_text(self.specialty, provider.specialty)
            self.active.setChecked(provider.active)
        self.mark_clean()
        self.first_name.setFocus()

    def snapshot(self) -> ProviderForm:
        return ProviderForm(
            first_name=self.first_name.text().strip(),
            last_name=self.last_name.text().strip(),
            credentials=self.credentials.text().strip(),
            specialty=self.specialty.text().strip(),
            active=self.active.isChecked(),
        )

    def save_call(self) -> Callable[[], Any]:
        return self.record_save_call(save_provider, self.snapshot(), self.provider)


class ProvidersPanel(RecordsPanel):
    TABLES = frozenset({"providers"})
    NOUN = "provider"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(
            screen,
            "Providers",
            "Surgeons and other providers who see patients. An inactive provider stays on "
            "past records but is no longer offered for new appointments.",
            COLUMNS,
            (
                "No providers yet",
                "Add the surgeons and other providers who see patients at this practice.",
            ),
            lambda record: not record.active,
            parent,
        )

    def load_call(self) -> Callable[[], list[ProviderData]]:
        return partial(list_providers, self.screen.services, include_inactive=True)

    def make_dialog(self, record: ProviderData | None) -> ProviderDialog:
        return ProviderDialog(self.screen, record, self)

    def describe(self, record: ProviderData) -> str:
        return f"provider “{record.display_name}”"
