"""A page of practice-wide settings: load them, save them all together, follow other desks."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.changes import touches
from frontdesk.services.practice import settings
from frontdesk.ui.connection_monitor import saving_allowed
from frontdesk.ui.runner import user_message
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import Banner, FormFields
from frontdesk.ui.widgets.saving_form import FormPanel
from frontdesk.ui.widgets.setting_field import SettingValue

TABLES = frozenset({"settings"})
ADMIN_ONLY = "Only an administrator can change these settings."


class SettingsFormPanel(FormPanel):
    """The practice rules and the security settings: each shows some settings by key and
    saves every one of them in one call (the service checks them all, all or nothing).

    A subclass builds its editors and ``save_button``/``undo_button``, then calls
    ``finish_setup()``; it supplies ``values()``, ``put_value()`` and ``set_editable()``.
    """

    saved = Signal(list)  # list[settings.SettingValue]

    save_button: QPushButton
    undo_button: QPushButton

    def __init__(self, screen: ScreenContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.can_edit = screen.services.actor.can(Permission.EDIT_PRACTICE)
        self.loaded = False
        self.fields = FormFields()
        self.banner = Banner()

    def values(self) -> dict[str, SettingValue]:
        raise NotImplementedError

    def put_value(self, key: str, value: SettingValue) -> None:
        """Show ``value`` in the editor of ``key`` (loading, or Undo)."""
        raise NotImplementedError

    def set_editable(self, editable: bool) -> None:
        raise NotImplementedError

    def finish_setup(self) -> None:
        """Read-only for a non-admin, follow other desks' saves, and load."""
        if not self.can_edit:
            self.set_editable(False)
            self.save_button.hide()
            self.undo_button.hide()
            self.banner.show_message("info", ADMIN_ONLY)
        if self.screen.changes is not None:
            self.screen.changes.changed.connect(self._on_changed)
        self._update_buttons()
        self.reload()

    # Loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        self.screen.runner.run(
            partial(settings.list_settings, self.screen.services), self._show, self._load_failed
        )

    def _show(self, values: list[settings.SettingValue]) -> None:
        by_key = {value.key: value for value in values}
        for key in self.values():
            if key in by_key:
                self.put_value(key, by_key[key].value)
        self.mark_clean()
        self.loaded = True
        self._update_buttons()

    def _load_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not load the settings. {message}")

    # State -------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, SettingValue]:
        return self.values()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(
            self.can_edit and not self.saving and self.loaded and saving_allowed()
        )
        self.undo_button.setEnabled(self.has_unsaved_changes() and not self.saving)

    # Saving ------------------------------------------------------------------------------

    def save(self) -> None:
        if not self.can_edit or not self.loaded or self.save_refused():
            return
        self.saving = True
        self._update_buttons()
        self.fields.clear_messages()
        self.banner.show_message("info", "Saving…")
        call = partial(settings.save_settings, self.screen.services, self.values())
        self.screen.runner.run(call, self._on_saved, failure=self._on_failed)

    def _on_saved(self, result: Any) -> None:
        self.saving = False
        self._show(result)
        self.banner.show_message("success", "Saved. Every workstation uses the new settings.")
        self.saved.emit(result)

    def _on_failed(self, error: Exception) -> None:
        self.saving = False
        self._update_buttons()
        if isinstance(error, ValidationError | ConflictError):
            fields = error.fields if isinstance(error, ValidationError) else {}
            unplaced = self.fields.show_messages(fields)
            text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields"
            self.banner.show_message("error", f"Not saved: {text}.")
        else:
            self.banner.show_message("error", f"Not saved. {user_message(error)}")

    def undo(self) -> None:
        saved = self._baseline
        if not isinstance(saved, dict):
            return
        for key, value in saved.items():
            self.put_value(key, value)
        self.fields.clear_messages()
        self.banner.clear()
        if not self.can_edit:
            self.banner.show_message("info", ADMIN_ONLY)
        self._update_buttons()

    # Other desks -------------------------------------------------------------------------

    def _on_changed(self, tables: frozenset[str]) -> None:
        # Edits in progress are never overwritten by another desk's save.
        if touches(tables, TABLES) and not self.has_unsaved_changes() and not self.saving:
            self.reload()
