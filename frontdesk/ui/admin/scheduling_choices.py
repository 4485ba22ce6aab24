"""What the availability and time-away tabs share: the providers, locations and types to
choose from, a provider filter, a Delete that asks first, and dates typed as text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.dates import parse_date
from frontdesk.domain.errors import ValidationError
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import LocationData, ProviderData
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import appointment_types
from frontdesk.services.scheduling.data import AppointmentTypeData
from frontdesk.ui.admin.records import RecordsPanel
from frontdesk.ui.connection_monitor import (
    refused_while_paused,
    saving_allowed,
    watch_saving_gate,
)
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import plain_label
from frontdesk.ui.widgets.record_table import Column

# Changes to these tables change what the pickers offer.
CHOICE_TABLES = frozenset({"providers", "locations", "appointment_types"})


@dataclass(frozen=True)
class SchedulingChoices:
    """Everyone and everything a block or time away can name, inactive ones included (an
    existing block of a provider who has left must still open)."""

    providers: list[ProviderData] = field(default_factory=list)
    locations: list[LocationData] = field(default_factory=list)
    types: list[AppointmentTypeData] = field(default_factory=list)

    def provider_name(self, provider_id: int) -> str:
        return next((p.display_name for p in self.providers if p.id == provider_id), "")


def load_choices(context: ServiceContext) -> SchedulingChoices:
    return SchedulingChoices(
        providers=list_providers(context, include_inactive=True),
        locations=list_locations(context, include_inactive=True),
        types=appointment_types.list_appointment_types(context, include_inactive=True),
    )


def fill_combo(
    combo: QComboBox,
    items: Sequence[tuple[str, object]],
    keep: object = None,
) -> None:
    """Replace a combo's items, keeping ``keep`` (or the current choice) selected."""
    wanted = combo.currentData() if keep is None else keep
    combo.blockSignals(True)
    combo.clear()
    for text, value in items:
        combo.addItem(text, value)
    index = combo.findData(wanted)
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


def provider_items(
    choices: SchedulingChoices, keep_ids: Sequence[int] = ()
) -> list[tuple[str, object]]:
    """Active providers, plus inactive ones named in ``keep_ids`` (a record's own)."""
    return [
        (p.display_name if p.active else f"{p.display_name} (inactive)", p.id)
        for p in choices.providers
        if p.active or p.id in keep_ids
    ]


def provider_combo(
    choices: SchedulingChoices, own_id: int | None, default_id: int | None = None
) -> QComboBox:
    """The provider a record is for: active providers and the record's own (``own_id``, even
    when inactive), that one chosen, or ``default_id`` for a new record."""
    combo = QComboBox()
    combo.setAccessibleName("Provider")
    fill_combo(
        combo,
        provider_items(choices, [own_id] if own_id is not None else []),
        own_id if own_id is not None else default_id,
    )
    return combo


def optional_date(errors: dict[str, str], key: str, text: str, today: date) -> date | None:
    """A typed date (blank: none); a message for ``key`` when it is not a date. A two-digit
    year is read on ``today``, the practice's day."""
    if not text.strip():
        return None
    try:
        return parse_date(text, today=today, future=True)
    except InvalidValue as error:
        errors[key] = str(error)
        return None


def date_text(value: date | None) -> str:
    return "" if value is None else f"{value:%m/%d/%Y}"


def refusing(errors: dict[str, str]) -> Callable[[], Any]:
    """A 'service call' that refuses with the form's own findings (dates that are no dates),
    so they show next to their fields exactly as the service's messages do."""

    def refuse() -> Any:
        raise ValidationError(dict(errors))

    return refuse


class ProviderRecordsPanel(RecordsPanel):
    """A records table for one provider at a time (or all), with Delete next to Edit."""

    CHOICE_TABLES = CHOICE_TABLES

    def __init__(
        self,
        screen: ScreenContext,
        title: str,
        hint: str,
        columns: Sequence[Column],
        empty: tuple[str, str],
        parent: QWidget | None = None,
    ) -> None:
        self.choices: SchedulingChoices | None = None
        self.provider_picker: QComboBox | None = None
        super().__init__(screen, title, hint, columns, empty, lambda _record: False, parent)
        self.provider_picker = QComboBox()
        self.provider_picker.setAccessibleName("Show provider")
        self.provider_picker.addItem("All providers", None)
        self.provider_picker.currentIndexChanged.connect(lambda _index: self.refresh())
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setAccessibleName(f"Delete {self.NOUN}")
        self.delete_button.setToolTip(f"Remove the selected {self.NOUN} (Delete)")
        self.delete_button.clicked.connect(self.delete_selected)
        self.delete_button.setVisible(self.can_edit)
        self.delete_button.setEnabled(False)
        # Deleting is saving too: it waits while the practice server is unreachable.
        watch_saving_gate(self.delete_button, lambda _allowed: self._update_delete())
        self.deleting = False
        # The Delete key on the table asks to delete the selected row.
        self.table.installEventFilter(self)
        heading = self._heading()
        heading.insertWidget(heading.indexOf(self.edit_button), self.delete_button)
        self.picker_row = QHBoxLayout()
        caption = plain_label("Pro&vider:")
        caption.setBuddy(self.provider_picker)
        self.picker_row.addWidget(caption)
        self.picker_row.addWidget(self.provider_picker)
        self.picker_row.addStretch(1)
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.insertLayout(outer.indexOf(self.banner), self.picker_row)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_delete())
        self.refresh_choices()
        if not self.can_edit:
            self.banner.show_message(
                "info", f"Only an administrator can add, change or delete {self.NOUN}s."
            )

    def _heading(self) -> QHBoxLayout:
        # RecordsPanel's first row holds the title, Edit and New; Delete joins them.
        outer = self.layout()
        assert outer is not None
        item = outer.itemAt(0)
        heading: QLayout | None = item.layout() if item is not None else None
        assert isinstance(heading, QHBoxLayout)
        return heading

    # Choices ------------------------------------------------------------------------------

    def refresh_choices(self) -> None:
        self.screen.runner.run(
            partial(load_choices, self.screen.services), self._show_choices, self._load_failed
        )

    def _show_choices(self, choices: SchedulingChoices) -> None:
        self.choices = choices
        if self.provider_picker is not None:
            everyone = [p.id for p in choices.providers]
            items: list[tuple[str, object]] = [("All providers", None)]
            # The filter lists inactive providers too: their old blocks can still be removed.
            items += provider_items(choices, keep_ids=everyone)
            fill_combo(self.provider_picker, items)

    def provider_id(self) -> int | None:
        picker = self.provider_picker
        return None if picker is None else picker.currentData()

    def provider_ids(self) -> list[int] | None:
        chosen = self.provider_id()
        return None if chosen is None else [chosen]

    def _on_changed(self, tables: frozenset[str]) -> None:
        super()._on_changed(tables)
        if tables & self.CHOICE_TABLES or "*" in tables:
            self.refresh_choices()

    def _show_records(self, records: list[Any]) -> None:
        super()._show_records(records)
        self._update_delete()

    # New, edit, delete --------------------------------------------------------------------

    def open_dialog(self, record: Any | None) -> Any:
        if self.choices is None:  # a moment after opening: the pickers are not filled yet
            self.banner.show_message("info", "Still loading the providers and locations…")
            return None
        return super().open_dialog(record)

    def _update_delete(self) -> None:
        if not self.deleting:
            self.delete_button.setEnabled(
                self.can_edit and self.selected() is not None and saving_allowed()
            )

    def delete_selected(self) -> None:
        record = self.selected()
        if record is None or not self.can_edit or self.deleting:
            return
        if refused_while_paused(self.banner):
            return
        if not self.confirm_delete(record):
            return
        self.deleting = True
        self.delete_button.setEnabled(False)
        self.banner.show_message("info", "Deleting…")
        self.screen.runner.run(
            self.delete_call(record),
            lambda _none: self._deleted(record),
            self._delete_failed,
        )

    def confirm_delete(self, record: Any) -> bool:
        answer = QMessageBox.question(
            self,
            f"Delete {self.NOUN}?",
            self.delete_question(record),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _deleted(self, record: Any) -> None:
        self.deleting = False
        self.banner.show_message("success", f"Deleted {self.describe(record)}.")
        self.refresh()

    def _delete_failed(self, message: str) -> None:
        self.deleting = False
        self._update_delete()
        self.banner.show_message("error", f"Not deleted. {message}")
        self.refresh()  # it may be gone already (another desk deleted it)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Delete
            and not event.modifiers()
        ):
            self.delete_selected()
            return True
        return super().eventFilter(watched, event)

    # What each kind of record supplies ----------------------------------------------------

    def delete_call(self, record: Any) -> Callable[[], None]:
        raise NotImplementedError

    def delete_question(self, record: Any) -> str:
        raise NotImplementedError
