"""Admin → Scheduling: appointment types with their default length and calendar colour."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QCheckBox, QColorDialog, QPushButton, QWidget

from frontdesk.services.scheduling import appointment_types
from frontdesk.services.scheduling.data import AppointmentTypeData, AppointmentTypeForm
from frontdesk.ui.admin.records import RecordDialog, RecordsPanel, status_text
from frontdesk.ui.connection_monitor import refused_while_paused
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import add_form_row, line_edit, set_field_text
from frontdesk.ui.widgets.record_table import Column, RecordTableModel

DEFAULT_COLOUR = "#4A90D9"
COLOUR_COLUMN = 2

COLUMNS = [
    Column("Name", lambda record: record.name, stretch=True),
    Column("Minutes", lambda record: str(record.duration_minutes)),
    # The code as text too: the colour never carries the meaning alone.
    Column("Colour", lambda record: record.colour.upper()),
    Column("New consultations", lambda record: "Yes" if record.is_new_consultation else ""),
    Column("Status", lambda record: status_text(record.active)),
]


def swatch(colour: str, size: int = 16) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class TypeTableModel(RecordTableModel):
    """The records table with a colour swatch beside each type's colour code."""

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DecorationRole
            and index.isValid()
            and index.column() == COLOUR_COLUMN
            and 0 <= index.row() < len(self.records)
        ):
            return swatch(self.records[index.row()].colour)
        return super().data(index, role)


class ColourButton(QPushButton):
    """Shows the chosen colour and its code; opens the colour picker (Space or click)."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Calendar colour")
        self.setToolTip("Choose the colour this type has in the calendar")
        self.colour = DEFAULT_COLOUR
        self.clicked.connect(self.choose)
        self.set_colour(DEFAULT_COLOUR)

    def set_colour(self, colour: str) -> None:
        self.colour = colour.upper()
        self.setIcon(swatch(self.colour, 20))
        self.setText(self.colour)
        self.setAccessibleDescription(f"Colour {self.colour}")
        self.changed.emit(self.colour)

    def choose(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.colour), self, "Calendar colour")
        if chosen.isValid():
            self.set_colour(chosen.name())


class AppointmentTypeDialog(RecordDialog):
    def __init__(
        self,
        screen: ScreenContext,
        kind: AppointmentTypeData | None,
        parent: QWidget | None = None,
    ) -> None:
        title = "New appointment type" if kind is None else "Edit appointment type"
        super().__init__(screen, title, parent)
        self.kind = kind
        self.name = line_edit("Appointment type name", "e.g. New consultation", 80)
        self.minutes = line_edit("Default length in minutes", "e.g. 45", 4)
        self.colour = ColourButton()
        self.is_new = QCheckBox("Used for new consultations")
        self.is_new.setAccessibleName("Used for new consultations")
        add_form_row(self.form, self.fields, "name", "&Name *", self.name)
        self.spanish_name = self.add_spanish_name_row("Appointment type", "Consulta nueva", 80)
        add_form_row(
            self.form,
            self.fields,
            "duration_minutes",
            "&Minutes *",
            self.minutes,
            hint="The usual length; a booking can still be made longer or shorter.",
        )
        add_form_row(self.form, self.fields, "colour", "&Colour", self.colour)
        add_form_row(
            self.form,
            self.fields,
            "is_new_consultation",
            "Kind",
            self.is_new,
            hint="Booking a consultation request offers this type first.",
        )
        self.active = self.add_active_row(
            "Active (offered when booking)", "Appointment type is active"
        )
        if kind is not None:
            set_field_text(self.name, kind.name)
            set_field_text(self.spanish_name, kind.spanish_name)
            set_field_text(self.minutes, str(kind.duration_minutes))
            self.colour.set_colour(kind.colour)
            self.is_new.setChecked(kind.is_new_consultation)
            self.active.setChecked(kind.active)
        self.mark_clean()
        self.name.setFocus()

    def snapshot(self) -> AppointmentTypeForm:
        return AppointmentTypeForm(
            name=self.name.text().strip(),
            duration_minutes=self.minutes.text().strip(),
            colour=self.colour.colour,
            is_new_consultation=self.is_new.isChecked(),
            active=self.active.isChecked(),
            spanish_name=self.spanish_name.text().strip(),
        )

    def save_call(self) -> Callable[[], Any]:
        return self.record_save_call(
            appointment_types.save_appointment_type, self.snapshot(), self.kind
        )


class AppointmentTypesPanel(RecordsPanel):
    TABLES = frozenset({"appointment_types"})
    NOUN = "appointment type"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(
            screen,
            "Appointment types",
            "What can be booked, with its usual length and its colour in the calendar. An "
            "inactive type stays on past appointments but is no longer offered.",
            COLUMNS,
            (
                "No appointment types yet",
                "Add what can be booked (a new consultation, a follow-up…), or start with "
                "the usual five and change them.",
            ),
            lambda record: not record.active,
            parent,
        )
        # Swap in the model that draws swatches; the first load has not arrived yet.
        self.model = TypeTableModel(
            COLUMNS, is_inactive=lambda record: not record.active, parent=self
        )
        self.table.setModel(self.model)
        self.defaults_button = QPushButton("Add the usual five types")
        self.defaults_button.setToolTip(
            "New consultation 45 min, Follow-up 15, Post-op visit 20, Imaging review 20, "
            "Telehealth 30"
        )
        self.defaults_button.clicked.connect(self.add_default_types)
        self.defaults_button.hide()
        self.empty.layout().addWidget(  # under the empty state's own "Add" button
            self.defaults_button, 0, Qt.AlignmentFlag.AlignHCenter
        )

    def _show_records(self, records: list[Any]) -> None:
        super()._show_records(records)
        self.defaults_button.setVisible(self.can_edit and not records)

    def load_call(self) -> Callable[[], list[AppointmentTypeData]]:
        return partial(
            appointment_types.list_appointment_types, self.screen.services, include_inactive=True
        )

    def make_dialog(self, record: AppointmentTypeData | None) -> AppointmentTypeDialog:
        return AppointmentTypeDialog(self.screen, record, self)

    def describe(self, record: AppointmentTypeData) -> str:
        return f"appointment type “{record.name}”"

    def add_default_types(self) -> None:
        if not self.can_edit or refused_while_paused(self.banner):
            return
        self.defaults_button.setEnabled(False)
        self.screen.runner.run(
            partial(appointment_types.install_default_types, self.screen.services),
            self._defaults_added,
            self._defaults_failed,
        )

    def _defaults_added(self, _types: list[AppointmentTypeData]) -> None:
        self.defaults_button.setEnabled(True)
        self.banner.show_message("success", "Added the usual appointment types.")
        self.refresh()

    def _defaults_failed(self, message: str) -> None:
        self.defaults_button.setEnabled(True)
        self.banner.show_message("error", f"Not added. {message}")
