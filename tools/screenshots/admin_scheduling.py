"""`make screenshots`: Admin → Scheduling (types, weekly availability, time away, editors)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from frontdesk.ui.admin.scheduling_availability import AvailabilityDialog
from frontdesk.ui.admin.scheduling_choices import ProviderRecordsPanel

Save = Callable[[object, str], Path]
Settle = Callable[..., None]


def render_scheduling(window: QWidget, admin: Any, save: Save, settle: Settle) -> None:
    """Each sub-tab on the demo practice, and the block editor refusing an overlap."""
    setup = admin.scheduling
    admin.tabs.setCurrentWidget(setup)

    setup.tabs.setCurrentWidget(setup.types)
    settle(lambda: setup.types.loaded)
    save(window, "admin-scheduling-types.png")
    setup.types.table.selectRow(0)
    dialog = setup.types.open_dialog(setup.types.selected())
    settle()
    save(dialog, "admin-scheduling-type-editor.png")
    _close(dialog)

    panel: ProviderRecordsPanel = setup.availability
    setup.tabs.setCurrentWidget(panel)
    settle(lambda: panel.loaded and panel.choices is not None)
    _show_first_provider(panel, settle)
    save(window, "admin-scheduling-availability.png")
    if panel.model.rowCount():
        # The same hours again: the service refuses the overlap next to the start time.
        block = panel.model.record(0)
        editor = panel.open_dialog(None)
        assert isinstance(editor, AvailabilityDialog)
        editor.weekday.setCurrentIndex(editor.weekday.findData(int(block.weekday)))
        editor.location.setCurrentIndex(editor.location.findData(block.location_id))
        editor.start.setText(f"{block.start_minute // 60}:{block.start_minute % 60:02d}")
        editor.end.setText(f"{block.end_minute // 60}:{block.end_minute % 60:02d}")
        editor.save()
        settle(lambda: not editor.saving)
        save(editor, "admin-scheduling-availability-overlap.png")
        _close(editor)

    away: ProviderRecordsPanel = setup.away
    setup.tabs.setCurrentWidget(away)
    settle(lambda: away.loaded and away.choices is not None)
    save(window, "admin-scheduling-time-away.png")
    editor = away.open_dialog(None)
    if editor is not None:
        settle()
        save(editor, "admin-scheduling-time-away-editor.png")
        _close(editor)
    setup.tabs.setCurrentWidget(setup.types)


def _show_first_provider(panel: ProviderRecordsPanel, settle: Settle) -> None:
    picker = panel.provider_picker
    if picker is not None and picker.count() > 1:
        panel.loaded = False
        picker.setCurrentIndex(1)
        settle(lambda: panel.loaded)


def _close(dialog: Any) -> None:
    dialog.mark_clean()  # nothing to ask about when it closes
    dialog.done(0)
