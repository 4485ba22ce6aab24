"""Export a provider's schedule as an iCalendar (.ics) file for a calendar program."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.services.practice import settings
from frontdesk.services.practice.forms import ProviderData
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import schedule_export
from frontdesk.services.scheduling.data import IcsExportResult
from frontdesk.ui.connection_monitor import follow_saving_gate, refused_while_paused
from frontdesk.ui.handouts.preview import still_there
from frontdesk.ui.runner import user_message
from frontdesk.ui.scheduling.day_sheet import day_edit, day_of
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, save_file_name
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    plain_label,
)
from frontdesk.ui.widgets.screen_fit import fit_to_screen

ICS_FILTER = "Calendar files (*.ics)"
DEFAULT_DAYS = 30
INITIALS_NOTE = (
    "Each event shows the appointment type and the patient's initials only (for example "
    "“New consultation – M.J.N.G.”), never names or reasons. The export is recorded."
)
FULL_NAMES_NOTE = (
    "The practice setting for calendar exports is on: each event shows the appointment type "
    "and the patient's full name. Keep the file as safe as the chart. The export is recorded."
)


class IcsExportDialog(QDialog):
    """``exported(IcsExportResult)`` fires once the file is written."""

    exported = Signal(object)

    def __init__(
        self,
        screen: ScreenContext,
        provider_id: int | None = None,
        parent: QWidget | None = None,
        *,
        today: date,
    ) -> None:
        """``today`` is the practice's (the day view passes it): the range starts there."""
        super().__init__(parent)
        self.screen = screen
        self.wanted_provider = provider_id
        self.busy = False
        self.providers: list[ProviderData] = []
        self.setWindowTitle("Export calendar")
        self.setAccessibleName("Export calendar")
        self.provider = QComboBox()
        self.provider.setAccessibleName("Provider")
        self.first_day = day_edit("From", today)
        self.last_day = day_edit("To", today + timedelta(days=DEFAULT_DAYS))
        self.fields = FormFields()
        form = form_layout()
        add_form_row(form, self.fields, "provider", "&Provider", self.provider)
        add_form_row(form, self.fields, "from", "&From", self.first_day, "The first day")
        add_form_row(form, self.fields, "to", "&To", self.last_day, "The last day, included")
        self.privacy = plain_label(INITIALS_NOTE, "hint", wrap=True)
        self.privacy.setAccessibleName("What the events show")
        self.banner = Banner()
        self.export_button = mark_primary(QPushButton("&Export…"))
        self.export_button.setToolTip("Choose where to save the .ics file (Enter)")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.choose_file)
        follow_saving_gate(self.export_button, busy=lambda: self.busy, ready=self._ready)
        close = QPushButton("Close")
        close.setToolTip("Esc")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Export a provider's schedule", "sectionTitle"))
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.privacy)
        layout.addStretch(1)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(520, 340))
        self.export_button.setEnabled(False)
        screen.runner.run(
            partial(self._load, screen), self._loaded, partial(self.banner.show_message, "error")
        )

    @staticmethod
    def _load(screen: ScreenContext) -> tuple[list[ProviderData], bool]:
        return (
            list_providers(screen.services, include_inactive=True),
            settings.get_setting(screen.services, settings.CALENDAR_EXPORT_FULL_NAMES),
        )

    def _loaded(self, result: tuple[list[ProviderData], bool]) -> None:
        if not still_there(self):
            return
        providers, full_names = result
        self.providers = providers
        for provider in providers:
            label = provider.display_name + ("" if provider.active else " (inactive)")
            self.provider.addItem(label, provider.id)
        if self.wanted_provider is not None:
            index = self.provider.findData(self.wanted_provider)
            if index >= 0:
                self.provider.setCurrentIndex(index)
        self.privacy.setText(FULL_NAMES_NOTE if full_names else INITIALS_NOTE)
        if not providers:
            self.banner.show_message("info", "Add a provider in Admin first.")
        self.export_button.setEnabled(self._ready())
        self.provider.setFocus(Qt.FocusReason.OtherFocusReason)

    def _ready(self) -> bool:
        return not self.busy and self.provider.count() > 0

    def chosen_provider(self) -> int | None:
        value = self.provider.currentData()
        return int(value) if value is not None else None

    def default_name(self) -> str:
        last_name = next(
            (p.last_name for p in self.providers if p.id == self.chosen_provider()), "provider"
        )
        return schedule_export.default_ics_name(last_name, day_of(self.first_day))

    def choose_file(self) -> None:
        if self.busy or not self._ready() or refused_while_paused(self.banner):
            return
        # Check the dates before asking where: the file dialog is the last step.
        self.fields.clear_messages()
        try:
            schedule_export.check_range(day_of(self.first_day), day_of(self.last_day))
        except ValidationError as error:
            self.fields.show_messages(error.fields)
            self.banner.show_message("error", f"Not exported: {error}")
            return
        path = save_file_name(
            self, FileKind.CALENDAR, "Export the calendar", self.default_name(), ICS_FILTER
        )
        if path:
            self.export_to(Path(path if path.lower().endswith(".ics") else f"{path}.ics"))

    def export_to(self, path: Path) -> None:
        provider_id = self.chosen_provider()
        if self.busy or provider_id is None or refused_while_paused(self.banner):
            return
        self.busy = True
        self.export_button.setEnabled(False)
        self.fields.clear_messages()
        call = partial(
            schedule_export.export_ics,
            self.screen.services,
            provider_id,
            day_of(self.first_day),
            day_of(self.last_day),
            path,
        )
        self.screen.runner.run(call, self._done, failure=self._failed)

    def _done(self, result: IcsExportResult) -> None:
        if not still_there(self):
            return
        self.busy = False
        self.export_button.setEnabled(self._ready())
        self.banner.show_message("success", result.summary())
        self.exported.emit(result)

    def _failed(self, error: Exception) -> None:
        if not still_there(self):
            return
        self.busy = False
        self.export_button.setEnabled(self._ready())
        if isinstance(error, ValidationError | ConflictError):
            fields = error.fields if isinstance(error, ValidationError) else {}
            unplaced = self.fields.show_messages(fields)
            text = unplaced.get("path", str(error))
            self.banner.show_message("error", f"Not exported: {text}")
        else:
            self.banner.show_message("error", user_message(error))
