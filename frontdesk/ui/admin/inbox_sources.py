"""Admin → Inbox: where faxes and scans come from (watched folders, the e-fax mailbox), how
long discarded ones are kept, and whether scanned pages can be read on this computer.

The folders, the mailbox and the retention are practice settings (every workstation uses
them). The mailbox password is this workstation's: it goes to the operating system's
keyring, never to the database, and the panel says when the computer has no keyring.
"Check now" runs one pass over the sources as typed and says what came and what did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.documents.page_text import OcrStatus, ocr_status
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.services.inbox import mailbox, sources
from frontdesk.services.inbox.folders import FolderWatch
from frontdesk.services.inbox.mailbox import Mailbox
from frontdesk.services.inbox.sources import FetchReport
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.connection import keyring_status
from frontdesk.services.practice.settings import (
    INBOX_DISCARD_KEEP_DAYS,
    INBOX_FOLDERS,
    INBOX_MAIL_DONE_FOLDER,
    INBOX_MAIL_FOLDER,
    INBOX_MAIL_HOST,
    INBOX_MAIL_PORT,
    INBOX_MAIL_USER,
    SettingSpec,
)
from frontdesk.ui.connection_monitor import follow_saving_gate, watch_saving_gate
from frontdesk.ui.runner import user_message
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, existing_folder
from frontdesk.ui.widgets.form import (
    Banner,
    add_form_row,
    form_layout,
    line_edit,
    multiline_edit,
    plain_label,
)
from frontdesk.ui.widgets.read_only import show_read_only
from frontdesk.ui.widgets.setting_field import SettingSpinBox, SettingValue
from frontdesk.ui.widgets.settings_form import SettingsFormPanel

TEXT_SPECS: tuple[SettingSpec, ...] = (  # type: ignore[type-arg]
    INBOX_MAIL_HOST,
    INBOX_MAIL_USER,
    INBOX_MAIL_FOLDER,
    INBOX_MAIL_DONE_FOLDER,
)
NUMBER_SPECS: tuple[SettingSpec, ...] = (INBOX_MAIL_PORT, INBOX_DISCARD_KEEP_DAYS)  # type: ignore[type-arg]
PLACEHOLDERS = {
    INBOX_MAIL_HOST.key: "imap.efax-provider.com (empty: no mailbox)",
    INBOX_MAIL_DONE_FOLDER.key: "e.g. Faxes/Done",
}
CAPTIONS = {
    INBOX_FOLDERS.key: "Folders",
    INBOX_MAIL_HOST.key: "Mail server",
    INBOX_MAIL_PORT.key: "Port",
    INBOX_MAIL_USER.key: "User name",
    INBOX_MAIL_FOLDER.key: "Folder to read",
    INBOX_MAIL_DONE_FOLDER.key: "Move read mail to",
    INBOX_DISCARD_KEEP_DAYS.key: "Keep discarded for",
}
# Mailbox.validated()'s field names → the settings shown here.
MAILBOX_FIELDS = {
    "host": INBOX_MAIL_HOST.key,
    "user": INBOX_MAIL_USER.key,
    "port": INBOX_MAIL_PORT.key,
}
PASSWORD = "mailbox_password"
PASSWORD_KEPT = "The password is kept in this computer's keyring, never in the database."
NO_KEYRING = (
    "This computer has no password keyring, so the password cannot be kept here: this "
    "workstation does not read the mailbox (Check now uses the password typed). A "
    "workstation with a keyring reads it for everyone."
)


@dataclass(frozen=True)
class Facts:
    """What only this computer can say: its keyring and its OCR."""

    keyring: bool
    ocr: OcrStatus


def computer_facts() -> Facts:
    return Facts(keyring_status().available, ocr_status())


def check_now(
    context: ServiceContext, folders: tuple[Path, ...], box: Mailbox | None, password: str
) -> FetchReport:
    """One pass over the sources as typed (the typed password, else the kept one)."""
    watches = {folder: FolderWatch(folder) for folder in folders}
    if box is not None and not password:
        password = mailbox.stored_password(box) or ""
    return sources.fetch(context, watches, box, password or None)


def report_text(report: FetchReport, folders: int, has_mailbox: bool) -> str:
    """What one pass did, in a sentence or three."""
    if not folders and not has_mailbox:
        return "No watched folder or mailbox is set up yet: nothing to check."
    new, again = report.new, sum(1 for a in report.arrivals if a.outcome == "again")
    parts = [
        f"Checked {counted(folders, 'folder')}"
        + (" and the mailbox" if has_mailbox else "")
        + f": {counted(new, 'new document')} in the inbox"
        + (f", {again} that came before" if again else "")
        + "."
    ]
    parts.extend(f"Not taken: {arrival.message}." for arrival in report.refused)
    parts.extend(f"{problem}." for problem in report.problems)
    if not report.arrivals and not report.problems and folders:
        parts.append("A file still being written is taken on the next pass, within seconds.")
    return " ".join(parts)


class InboxSourcesPanel(SettingsFormPanel):
    """The inbox's sources and retention; Save writes the settings together and the
    password to the keyring."""

    DISCARD_TEXT = "The inbox settings have changes that are not saved. Discard them?"
    checked = Signal(object)  # FetchReport
    password_kept = Signal(bool)

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(screen, parent)
        self.facts: Facts | None = None
        self.texts: dict[str, QLineEdit] = {}
        self.numbers: dict[str, QSpinBox] = {}
        self.can_check = screen.services.actor.can(Permission.EDIT_REQUESTS)
        self.checking = False

        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(16, 16, 16, 16)
        inner.addWidget(plain_label("Inbox", "sectionTitle"))
        inner.addWidget(
            plain_label(
                "Faxes and scans come into the Inbox by themselves from these places, every "
                "few seconds while Front Desk is open on any workstation. Each change is "
                "recorded in the audit trail.",
                "hint",
                wrap=True,
            )
        )
        inner.addWidget(self.banner)
        form = form_layout()

        self.folders = multiline_edit(INBOX_FOLDERS.label, 4)
        self.folders.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.folders.setPlaceholderText("One folder per line, e.g. \\\\faxserver\\incoming")
        self.folders.textChanged.connect(self._update_buttons)
        self.add_folder_button = QPushButton("Add folder…")
        self.add_folder_button.setToolTip("Choose a folder to watch (Alt+A)")
        self.add_folder_button.setShortcut("Alt+A")
        self.add_folder_button.clicked.connect(self.choose_folder)
        folder_row = QWidget()
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folders, 1)
        side = QVBoxLayout()
        side.addWidget(self.add_folder_button)
        side.addStretch(1)
        row.addLayout(side)
        folder_row.setFocusProxy(self.folders)
        form.addRow(self._heading("Watched folders"))
        add_form_row(
            form,
            self.fields,
            INBOX_FOLDERS.key,
            CAPTIONS[INBOX_FOLDERS.key],
            folder_row,
            INBOX_FOLDERS.help + " A taken file moves to the folder's “imported” subfolder.",
        )

        form.addRow(self._heading("E-fax mailbox (IMAP over TLS)"))
        for spec in (INBOX_MAIL_HOST, INBOX_MAIL_PORT, INBOX_MAIL_USER):
            self._add_spec(form, spec)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Mailbox password")
        self.password.setPlaceholderText("Type it to change it; empty keeps the one kept here")
        self.password.textChanged.connect(self._update_buttons)
        self.password.returnPressed.connect(self.save)
        self.password_note = plain_label("Looking for this computer's keyring…", "hint", wrap=True)
        self.password_note.setAccessibleName("Where the mailbox password is kept")
        # The note under the field, as add_form_row puts a hint (a row of its own in the
        # form was given a wrapped label's worst-case height).
        password_column = QWidget()
        column = QVBoxLayout(password_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.password)
        column.addWidget(self.password_note)
        password_column.setFocusProxy(self.password)
        message = add_form_row(form, self.fields, PASSWORD, "Password", password_column)
        self.fields.add(PASSWORD, self.password, message)
        for spec in (INBOX_MAIL_FOLDER, INBOX_MAIL_DONE_FOLDER):
            self._add_spec(form, spec)

        form.addRow(self._heading("Discarded faxes"))
        self._add_spec(form, INBOX_DISCARD_KEEP_DAYS)

        form.addRow(self._heading("Reading scanned pages"))
        self.ocr_line = plain_label("Looking for Tesseract OCR…", wrap=True)
        self.ocr_line.setAccessibleName("Reading scanned pages")
        self.ocr_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.ocr_line)
        inner.addLayout(form)

        self.check_button = QPushButton("Check now")
        self.check_button.setToolTip(
            "Look in the folders and the mailbox as typed here now (Alt+K)"
        )
        self.check_button.setShortcut("Alt+K")
        self.check_button.clicked.connect(self.check)
        self.check_button.setVisible(self.can_check)
        self.save_button = mark_primary(QPushButton("Save settings"))
        self.save_button.setToolTip("Save the inbox settings (Enter, or Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        follow_saving_gate(
            self.save_button, lambda: self.saving, ready=lambda: self.can_edit and self.loaded
        )
        watch_saving_gate(self, lambda _allowed: self._update_buttons())
        self.undo_button = QPushButton("Undo changes")
        self.undo_button.setToolTip("Put back the saved settings")
        self.undo_button.clicked.connect(self.undo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.save_button)
        inner.addLayout(buttons)
        self.result = Banner()
        self.result.setAccessibleName("What Check now found")
        inner.addWidget(self.result)
        inner.addStretch(1)
        self.show_scrolling(content, 1000)
        self.scroll = self.findChild(QScrollArea)
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)

        self.finish_setup()
        screen.runner.run(computer_facts, self._show_facts, lambda _message: None)

    # Building ----------------------------------------------------------------------------

    @staticmethod
    def _heading(text: str) -> QWidget:
        title = plain_label(text, "sectionTitle")
        title.setContentsMargins(0, 8, 0, 0)
        return title

    def _add_spec(self, form: object, spec: SettingSpec) -> None:  # type: ignore[type-arg]
        editor: QWidget
        if spec.kind is int:
            spin = SettingSpinBox(spec)
            spin.valueChanged.connect(self._update_buttons)
            spin.lineEdit().returnPressed.connect(self.save)
            self.numbers[spec.key] = spin
            editor = spin
            holder = QWidget()
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(spin)
            row.addStretch(1)
            holder.setFocusProxy(spin)
            shown: QWidget = holder
        else:
            edit = line_edit(spec.label, PLACEHOLDERS.get(spec.key, ""), spec.maximum or 0)
            edit.textChanged.connect(self._update_buttons)
            edit.returnPressed.connect(self.save)
            self.texts[spec.key] = edit
            editor = shown = edit
        editor.setAccessibleName(spec.label)
        hint = spec.help
        if spec.kind is int and spec.key == INBOX_DISCARD_KEEP_DAYS.key:
            hint += f" From {spec.minimum} to {spec.maximum:,} days; default {spec.default:,}."
        message = add_form_row(form, self.fields, spec.key, CAPTIONS[spec.key], shown, hint)  # type: ignore[arg-type]
        self.fields.add(spec.key, editor, message)

    # The form (SettingsFormPanel) --------------------------------------------------------

    def values(self) -> dict[str, SettingValue]:
        found: dict[str, SettingValue] = {INBOX_FOLDERS.key: self.folders.toPlainText()}
        found.update({key: edit.text().strip() for key, edit in self.texts.items()})
        found.update({key: spin.value() for key, spin in self.numbers.items()})
        return found

    def snapshot(self) -> dict[str, SettingValue]:
        # A typed password is unsaved work too.
        return {**self.values(), PASSWORD: self.password.text()}

    def put_value(self, key: str, value: SettingValue) -> None:
        if key == PASSWORD:
            self.password.setText(str(value))
        elif key == INBOX_FOLDERS.key:
            self.folders.setPlainText(str(value))
        elif key in self.texts:
            self.texts[key].setText(str(value))
            self.texts[key].setCursorPosition(0)
        else:
            spin = self.numbers[key]
            spin.blockSignals(True)
            spin.setValue(int(value))
            spin.blockSignals(False)

    def set_editable(self, editable: bool) -> None:
        self.add_folder_button.setVisible(editable)
        for field in (self.folders, self.password, *self.texts.values(), *self.numbers.values()):
            show_read_only(field, not editable)

    def focus_first(self) -> None:
        self.folders.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if hasattr(self, "check_button"):
            self.check_button.setEnabled(self.can_check and not self.checking)

    # This computer -----------------------------------------------------------------------

    def _show_facts(self, facts: Facts) -> None:
        self.facts = facts
        self.ocr_line.setText(
            f"{facts.ocr.message} ({', '.join(facts.ocr.languages)})."
            if facts.ocr.available
            else facts.ocr.message
        )
        self._show_password_place()

    def _show_password_place(self) -> None:
        if self.facts is None:
            return
        self.password_note.setText(PASSWORD_KEPT if self.facts.keyring else NO_KEYRING)

    # Folders -----------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = existing_folder(self, FileKind.WATCHED_FOLDER, "Watch this folder for faxes")
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        lines = [line for line in self.folders.toPlainText().splitlines() if line.strip()]
        if folder not in (line.strip() for line in lines):
            lines.append(folder)
        self.folders.setPlainText("\n".join(lines))

    # Saving: the settings, then the password -----------------------------------------------

    def _in_view(self, widget: QWidget) -> None:
        # The form is taller than a 1080p screen at 150%: what Save or Check now says would
        # otherwise be out of sight.
        if self.scroll is not None:
            self.scroll.ensureWidgetVisible(widget)

    def _on_failed(self, error: Exception) -> None:
        super()._on_failed(error)
        self._in_view(self.banner)

    def _on_saved(self, result: object) -> None:
        password = self.password.text()
        super()._on_saved(result)
        self._in_view(self.banner)
        if not password:
            self._show_password_place()
            return
        box = self.typed_mailbox()
        if box is None:
            self.banner.show_message(
                "error", "Saved, but the password was not kept: enter the mail server first."
            )
            return
        self.password.clear()
        self.mark_clean()
        self.screen.runner.run(
            partial(mailbox.remember_password, box, password),
            self._password_kept,
            lambda message: self.banner.show_message("error", message),
        )

    def _password_kept(self, kept: bool) -> None:
        if kept:
            self.banner.show_message(
                "success", "Saved. The mailbox password is kept in this computer's keyring."
            )
        else:
            self.banner.show_message(
                "error", "The settings are saved, but the password was not kept. " + NO_KEYRING
            )
        self._show_password_place()
        self.password_kept.emit(kept)

    def typed_mailbox(self) -> Mailbox | None:
        """The mailbox as typed (None without a server), its fields checked."""
        host = self.texts[INBOX_MAIL_HOST.key].text().strip()
        if not host:
            return None
        return Mailbox(
            host=host,
            user=self.texts[INBOX_MAIL_USER.key].text().strip(),
            port=self.numbers[INBOX_MAIL_PORT.key].value(),
            folder=self.texts[INBOX_MAIL_FOLDER.key].text().strip() or "INBOX",
            done_folder=self.texts[INBOX_MAIL_DONE_FOLDER.key].text().strip(),
        ).validated()

    # Check now ---------------------------------------------------------------------------

    def check(self) -> None:
        if not self.can_check or self.checking:
            return
        try:
            box = self.typed_mailbox()
        except ValidationError as error:
            self.fields.show_messages(
                {MAILBOX_FIELDS.get(key, key): text for key, text in error.fields.items()}
            )
            self.result.show_message("error", "Not checked: correct the marked fields.")
            return
        self.fields.clear_messages()
        lines = self.folders.toPlainText().splitlines()
        folders = tuple(dict.fromkeys(Path(line.strip()) for line in lines if line.strip()))
        self.checking = True
        self._update_buttons()
        self.result.show_message("info", "Looking in the folders and the mailbox…")
        self.screen.runner.run(
            partial(check_now, self.screen.services, folders, box, self.password.text()),
            partial(self._checked, len(folders), box is not None),
            failure=self._check_failed,
        )

    def _checked(self, folders: int, has_mailbox: bool, report: FetchReport) -> None:
        self.checking = False
        self._update_buttons()
        failed = bool(report.problems or report.refused)
        self.result.show_message(
            "error" if failed else "success", report_text(report, folders, has_mailbox)
        )
        self._in_view(self.result)
        self.checked.emit(report)

    def _check_failed(self, error: Exception) -> None:
        self.checking = False
        self._update_buttons()
        self.result.show_message("error", f"Not checked. {user_message(error)}")
        self._in_view(self.result)
