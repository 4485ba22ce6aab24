"""One base for every form that saves: unsaved changes, Enter, Esc, and the outage pause.

A form is a ``FormDialog`` (a window of its own: Esc closes it, asking first when something
typed would be lost) or a ``FormPanel`` (a page inside an area: Esc puts the saved values
back, asking first). Both answer ``has_unsaved_changes()``, the one question the workstation
lock, user switching and closing the main window ask; both save on Enter (Ctrl+Enter inside
a multi-line box); and while the practice server is unreachable a save says it is paused and
keeps everything typed (``saving_gate`` in ``connection_monitor``).

A form supplies ``snapshot()`` (what is typed now, comparable with ``==``), ``save()`` (which
starts with ``if self.save_refused(): return``, then ``begin_save()`` and
``runner.run(call, on_result, failure=self.save_error)``, or its own ``failure=`` handler for
refusals it answers differently) and calls ``mark_clean()`` once what it shows is what is saved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import (
    ConflictError,
    SavedAfterAll,
    SaveOutcomeUnknownError,
    ValidationError,
)
from frontdesk.ui.connection_monitor import (
    PAUSED_REASON,
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
    watch_saving_gate,
)
from frontdesk.ui.runner import user_message
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, FormFields, ask_to_discard
from frontdesk.ui.widgets.screen_fit import grow_to_content
from frontdesk.ui.widgets.scrolling import keep_focus_in_view

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Enter with these held still means Enter (the keypad's Enter, Ctrl+Enter in a notes box).
ENTER_MODIFIERS = Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ControlModifier


def is_enter(event: QKeyEvent) -> bool:
    return event.key() in ENTER_KEYS and not (event.modifiers() & ~ENTER_MODIFIERS)


class SavingForm:
    """What every form shares; mixed into ``FormDialog`` and ``FormPanel`` (not used alone)."""

    DISCARD_TITLE = "Discard changes?"
    DISCARD_TEXT = "You have changes that are not saved. Close this window and discard them?"
    # What the banner says before a refusal: "Not saved", "Not booked", "Not moved".
    NOT_DONE = "Not saved"
    BUSY = "Saving…"
    # After a conflict's message (someone saved first): what happened to the typing.
    KEPT = "Your text is still in the form."

    saving: bool
    # Saved after all (the connection dropped as the save finished): saving again would
    # enter it twice, so the form stays off until closed.
    done_saving: bool
    banner: Banner
    fields: FormFields
    _baseline: object
    save_button: QPushButton | None

    def init_saving_form(self) -> None:
        """Call from ``__init__`` before the fields are built (the Qt base is set up by then)."""
        self.saving = False
        self.done_saving = False
        self._baseline = None
        self.save_button = None

    # Unsaved work ----------------------------------------------------------------------------

    def snapshot(self) -> object:
        """What the form holds now; equal snapshots mean nothing changed."""
        raise NotImplementedError

    def mark_clean(self) -> None:
        """What the form shows now is what is saved (after loading, or after a save)."""
        self._baseline = self.snapshot()

    def has_unsaved_changes(self) -> bool:
        """True while something typed here would be lost by closing the form.

        The workstation lock asks every open form this before another user's sign-in
        closes them, and the main window asks before it closes.
        """
        if self._baseline is None:  # still loading: nothing typed yet
            return False
        try:
            return self.snapshot() != self._baseline
        except RuntimeError:  # a form half torn down holds nothing to keep
            return False

    # Saving ------------------------------------------------------------------------------

    def save(self) -> None:
        raise NotImplementedError

    def follow_gate(self, button: QPushButton) -> None:
        """``button`` saves: it is off (saying why) while saving is paused or under way."""
        self.save_button = button
        follow_saving_gate(button, lambda: self.saving or self.done_saving)

    def save_refused(self) -> bool:
        """The first line of ``save()``: True while a save is under way or saving is paused
        (the banner then says so; what was typed stays), and once saved after all."""
        return self.saving or self.done_saving or refused_while_paused(self.banner)

    def begin_save(self) -> None:
        self.saving = True
        if self.save_button is not None:
            self.save_button.setEnabled(False)
        self.banner.show_message("info", self.BUSY)

    def end_save(self) -> None:
        self.saving = False
        if self.save_button is not None:
            self.save_button.setEnabled(saving_allowed())

    def saved_after_all(self, message: str) -> None:
        """The save was found done after the connection dropped as it finished: say so, and
        keep it from being saved a second time (Esc or Cancel closes the form)."""
        self.end_save()
        self.done_saving = True
        if self.save_button is not None:
            self.save_button.setEnabled(False)
        self.mark_clean()
        self.banner.show_message("info", message)

    def save_failed(self, message: str) -> None:
        """The save could not run (the server, a permission): say so; the typing stays."""
        self.end_save()
        self.banner.show_message("error", f"{self.NOT_DONE}. {message}")

    def show_refusal(self, error: ValidationError | ConflictError) -> None:
        """The service refused: each message next to its field, the rest in the banner."""
        if isinstance(error, ConflictError):
            self.banner.show_message("error", f"{self.NOT_DONE}. {error} {self.KEPT}")
            return
        unplaced = self.fields.show_messages(error.fields)
        text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields."
        self.banner.show_message("error", f"{self.NOT_DONE}: {text}")

    def save_error(self, error: Exception) -> None:
        """A save's ``failure=``: a refusal shown in place, anything else in the banner."""
        if isinstance(error, SavedAfterAll):
            self.saved_after_all(f"{error}.")
        elif isinstance(error, SaveOutcomeUnknownError):
            # Never "Not saved" here: it may well have been.
            self.end_save()
            self.banner.show_message("error", f"{error}.")
        elif isinstance(error, ValidationError | ConflictError):
            self.end_save()
            self.show_refusal(error)
        else:
            self.save_failed(user_message(error))
        self.messages_shown()

    def messages_shown(self) -> None:
        """Messages appeared in the form; a window grows to show them (FormDialog)."""

    # Keys ----------------------------------------------------------------------------------

    def enter_saves(self, event: QKeyEvent) -> bool:
        """Enter saves from anywhere in the form; in a multi-line box only Ctrl+Enter saves
        (Enter is a new line there). A focused button (auto-default, as in every dialog)
        takes Enter itself before it gets here. True when the key was used."""
        if not is_enter(event):
            return False
        assert isinstance(self, QWidget)
        focus = self.focusWidget()
        if isinstance(focus, QPlainTextEdit | QTextEdit) and not (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            return False
        self.save()
        return True


class FormDialog(SavingForm, QDialog):
    """A form in a window of its own: Enter saves, Esc (or the window's close button) asks
    before discarding unsaved changes, and nothing closes it mid-save.

    The question does not block (``discard_question`` while it is open): a lock or a user
    switch meanwhile hides or closes it like any other window, never inside a nested loop.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.init_saving_form()
        self.discard_question: QMessageBox | None = None
        # A closure, not the bound method: it is disconnected after the C++ form is gone.
        watch_saving_gate(self, lambda allowed: self.show_connection(allowed))

    def show_connection(self, allowed: bool) -> None:
        """Say in the form itself that the server is out of reach (and stop saying it when it
        answers): an open form, at 150% as large as the screen, hides the main window's
        outage banner. A problem the form already shows stays."""
        banner = getattr(self, "banner", None)
        if not isinstance(banner, Banner):
            return
        if not allowed and (banner.isHidden() or banner.kind != "error"):
            banner.show_message("info", PAUSED_REASON)
            self.messages_shown()
        elif allowed and banner.kind == "info" and banner.text == PAUSED_REASON:
            banner.clear()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not saving_allowed():  # opened during an outage
            self.show_connection(False)

    def save_cancel_buttons(
        self, save_tooltip: str = "Save (Enter)", *, save_text: str = "", default: bool = True
    ) -> QDialogButtonBox:
        """Save (the primary action, saves) and Cancel (closes, asking first when something
        typed would be lost); the caller places the box."""
        save_or_cancel = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(save_or_cancel.Save | save_or_cancel.Cancel)
        save_button = buttons.button(save_or_cancel.Save)
        if save_text:
            save_button.setText(save_text)
        save_button.setToolTip(save_tooltip)
        if default:
            save_button.setDefault(True)
        mark_primary(save_button)
        buttons.button(save_or_cancel.Cancel).setToolTip("Cancel (Esc)")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        return buttons

    def messages_shown(self) -> None:
        grow_to_content(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.enter_saves(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.saving:
            return
        if self.has_unsaved_changes():
            self.ask_discard()
            return
        self.discard()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.saving or self.has_unsaved_changes():
            event.ignore()
            if not self.saving:
                self.ask_discard()
            return
        super().closeEvent(event)

    def ask_discard(self) -> None:
        """Ask whether to close and lose the unsaved changes; "Keep editing" is the default."""
        if self.discard_question is not None:
            self.discard_question.raise_()
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.DISCARD_TITLE)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.DISCARD_TEXT)
        discard = box.addButton("Discard changes", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAccessibleName(self.DISCARD_TITLE)
        box.finished.connect(lambda _code: self._discard_answered(box, discard))
        self.discard_question = box
        box.open()

    def _discard_answered(self, box: QMessageBox, discard: QPushButton) -> None:
        self.discard_question = None
        box.deleteLater()
        if box.clickedButton() is discard:
            self.discard()

    def discard(self) -> None:
        """Close without saving (the person chose to, or nothing was typed)."""
        self._baseline = None  # a closed form holds nothing to keep
        QDialog.reject(self)


class FormPanel(SavingForm, QWidget):
    """A form that is a page of an area (the practice profile, the practice rules): Enter
    saves, Esc puts the saved values back (asking first), and ``can_close()`` asks before the
    area or the window goes."""

    DISCARD_TEXT = "These settings have changes that are not saved. Discard them?"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.init_saving_form()

    def show_scrolling(self, content: QWidget, max_width: int) -> QScrollArea:
        """The panel's page: ``content`` at most ``max_width`` wide at the top left, scrolling
        when the window is shorter than the form, following the focus (the scroll area is
        returned)."""
        content.setMaximumWidth(max_width)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        keep_focus_in_view(scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        return scroll

    def undo(self) -> None:
        """Put the saved values back in the fields."""
        raise NotImplementedError

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.has_unsaved_changes():
            if self.confirm_discard():
                self.undo()
            event.accept()
            return
        if self.enter_saves(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def confirm_discard(self) -> bool:
        """Ask, and wait for the answer, whether to throw the unsaved changes away (True:
        discard them). A panel asks this way: its area or window must know before closing."""
        return ask_to_discard(self, self.DISCARD_TITLE, self.DISCARD_TEXT)

    def can_close(self) -> bool:
        return not self.has_unsaved_changes() or self.confirm_discard()
