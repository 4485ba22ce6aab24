"""Admin: the practice's locations (offices where patients are seen)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtWidgets import QWidget

from frontdesk.domain.contact import format_phone
from frontdesk.services.practice.forms import LocationData, LocationForm
from frontdesk.services.practice.locations import list_locations, save_location
from frontdesk.ui.admin.records import RecordDialog, RecordsPanel, one_line, status_text
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import add_form_row, line_edit, multiline_edit, set_field_text
from frontdesk.ui.widgets.record_table import Column

COLUMNS = [
    Column("Name", lambda record: record.name),
    Column("Address", lambda record: one_line(record.address), stretch=True),
    Column("Phone", lambda record: format_phone(record.phone)),
    Column("Status", lambda record: status_text(record.active)),
]


class LocationDialog(RecordDialog):
    def __init__(
        self,
        screen: ScreenContext,
        location: LocationData | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(screen, "New location" if location is None else "Edit location", parent)
        self.location = location
        self.name = line_edit("Location name", "e.g. Main office", 120)
        self.address = multiline_edit("Location address", rows=3)
        self.phone = line_edit("Location phone", "e.g. 217-555-0100", 40)
        add_form_row(self.form, self.fields, "name", "&Name *", self.name)
        self.spanish_name = self.add_spanish_name_row("Location", "Oficina principal", 120)
        add_form_row(self.form, self.fields, "address", "&Address", self.address)
        add_form_row(self.form, self.fields, "phone", "&Phone", self.phone)
        self.active = self.add_active_row("Active (offered when booking)", "Location is active")
        if location is not None:
            set_field_text(self.name, location.name)
            set_field_text(self.spanish_name, location.spanish_name)
            set_field_text(self.address, location.address)
            set_field_text(self.phone, format_phone(location.phone))
            self.active.setChecked(location.active)
        self.mark_clean()
        self.name.setFocus()

    def snapshot(self) -> LocationForm:
        return LocationForm(
            name=self.name.text().strip(),
            address=self.address.toPlainText().strip(),
            phone=self.phone.text().strip(),
            active=self.active.isChecked(),
            spanish_name=self.spanish_name.text().strip(),
        )

    def save_call(self) -> Callable[[], Any]:
        return self.record_save_call(save_location, self.snapshot(), self.location)


class LocationsPanel(RecordsPanel):
    TABLES = frozenset({"locations"})
    NOUN = "location"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(
            screen,
            "Locations",
            "The offices where patients are seen. An inactive location stays on past "
            "appointments but is no longer offered.",
            COLUMNS,
            (
                "No locations yet",
                "Add the offices where your providers see patients, with their address "
                "and phone number.",
            ),
            lambda record: not record.active,
            parent,
        )

    def load_call(self) -> Callable[[], list[LocationData]]:
        return partial(list_locations, self.screen.services, include_inactive=True)

    def make_dialog(self, record: LocationData | None) -> LocationDialog:
        return LocationDialog(self.screen, record, self)

    def describe(self, record: LocationData) -> str:
        return f"location “{record.name}”"
