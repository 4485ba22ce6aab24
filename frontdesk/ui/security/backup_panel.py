"""Admin → Backups: back up now (encrypted outside the data folder unless the admin
says otherwise), and restore a chosen file after checking it and asking what it replaces."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, FrontDeskError, ValidationError
from frontdesk.domain.plurals import counted
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.clock import STAMP, clock_text
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import backup
from frontdesk.services.platform.backup import (
    BackupFile,
    BackupResult,
    RestoreResult,
    VerifiedBackup,
)
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
)
from frontdesk.ui.runner import Failure, Task, user_message
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.account_fields import password_edit
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, existing_folder, open_file_name
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
)

PASSPHRASE_MISMATCH = "the two passphrases differ; type the same passphrase twice"


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def when_text(moment: datetime | None, zone: tzinfo) -> str:
    """When a backup was made, on the practice's clock (``zone``)."""
    return clock_text(moment, zone, STAMP) if moment else "an unknown time"


def _last_backup(context: ServiceContext) -> tuple[datetime | None, tzinfo]:
    """Runs off the UI thread: the latest backup's time and the practice's zone to show it."""
    return backup.last_backup_time(), practice_clock.practice_zone(context)


class PassphraseDialog(QDialog):
    """Asks for an encrypted backup's passphrase (nothing is changed by typing it)."""

    def __init__(self, file: BackupFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Backup passphrase")
        self.setAccessibleName("Backup passphrase")
        self.passphrase = password_edit("Backup passphrase")
        self.passphrase.returnPressed.connect(self.accept)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Check the backup")
        mark_primary(ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                f"{file.path.name} is encrypted. Type the passphrase chosen when it was made. "
                "Nothing is changed until you confirm the restore.",
                wrap=True,
            )
        )
        layout.addWidget(self.passphrase)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.passphrase.setFocus()

    def text(self) -> str:
        return self.passphrase.text()


class BackupPanel(QWidget):
    """Back up now, and restore from a file, with progress on the runner."""

    backed_up = Signal(object)  # BackupResult
    restored = Signal(object)  # RestoreResult

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.task: Task | None = None
        self.busy = False
        self.passphrase_dialog: PassphraseDialog | None = None
        self.restore_question: QMessageBox | None = None
        self.last_result: BackupResult | RestoreResult | None = None
        self.fields = FormFields()
        self.banner = Banner()

        # Back up now ------------------------------------------------------------------------
        self.folder = line_edit("Backup folder")
        self.folder.setText(str(backup.default_backup_folder()))
        self.folder.editingFinished.connect(self.update_encryption_note)
        self.choose_button = QPushButton("Choose…")
        self.choose_button.setToolTip("Choose the folder, for example a USB stick")
        self.choose_button.clicked.connect(self.choose_folder)
        folder_row = QWidget()
        column = QVBoxLayout(folder_row)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(self.choose_button)
        column.addLayout(row)
        folder_row.setFocusProxy(self.folder)
        self.passphrase = password_edit("Backup passphrase")
        self.passphrase_again = password_edit("Repeat the backup passphrase")
        self.no_encryption = QCheckBox(
            "Do not encrypt this backup (anyone who gets the file can read every chart)"
        )
        self.no_encryption.setAccessibleName("Do not encrypt this backup")
        self.no_encryption.toggled.connect(self.update_encryption_note)
        self.encryption_note = plain_label("", "hint", wrap=True)
        self.encryption_note.setAccessibleName("Encryption")
        column.addWidget(self.encryption_note)
        self.backup_button = mark_primary(QPushButton("Back up now"))
        self.backup_button.setToolTip("Make a verified copy of the whole database (Enter)")
        self.backup_button.clicked.connect(self.back_up)
        for edit in (self.folder, self.passphrase, self.passphrase_again):
            edit.returnPressed.connect(self.back_up)

        form = form_layout()
        add_form_row(form, self.fields, "destination", "Folder", folder_row)
        add_form_row(
            form,
            self.fields,
            "passphrase",
            "Passphrase",
            self.passphrase,
            "At least 8 characters. Keep it somewhere safe: without it the backup cannot be "
            "restored.",
        )
        add_form_row(
            form, self.fields, "passphrase_again", "Repeat passphrase", self.passphrase_again
        )
        form.addRow("", self.no_encryption)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress")
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the backup (Esc); nothing half-made is kept")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress_row = QWidget()
        progress_layout = QHBoxLayout(self.progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress, 1)
        progress_layout.addWidget(self.cancel_button)
        self.progress_row.hide()

        backup_buttons = QHBoxLayout()
        backup_buttons.addStretch(1)
        backup_buttons.addWidget(self.backup_button)

        # Restore ------------------------------------------------------------------------------
        self.restore_button = QPushButton("Restore from a file…")
        self.restore_button.setToolTip("Replace the database with a backup, after checking it")
        self.restore_button.clicked.connect(self.choose_restore_file)
        # Both need the practice server: paused (with the reason) while it is unreachable.
        for button in (self.backup_button, self.restore_button):
            follow_saving_gate(button, lambda: self.busy)
        restore_buttons = QHBoxLayout()
        restore_buttons.addStretch(1)
        restore_buttons.addWidget(self.restore_button)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(plain_label("Back up now", "sectionTitle"))
        self.last_backup = plain_label("", "hint", wrap=True)
        self.last_backup.setAccessibleName("Last automatic backup")
        layout.addWidget(self.last_backup)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(backup_buttons)
        layout.addWidget(self.progress_row)
        layout.addSpacing(16)
        layout.addWidget(plain_label("Restore", "sectionTitle"))
        layout.addWidget(
            plain_label(
                "Replaces the whole database — every chart, request and account — with a "
                "backup. The backup is checked first, and the current database is kept aside "
                "before anything is replaced.",
                "hint",
                wrap=True,
            )
        )
        layout.addLayout(restore_buttons)
        layout.addStretch(1)
        content.setMaximumWidth(900)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        # Replaced by the practice's zone with the first read, before any time is shown.
        self.zone: tzinfo = UTC
        self.update_encryption_note()
        self.show_last_backup()

    # Backing up ---------------------------------------------------------------------------

    def show_last_backup(self) -> None:
        self.screen.runner.run(
            partial(_last_backup, self.screen.services), self._show_last_backup_read
        )

    def _show_last_backup_read(self, read: tuple[datetime | None, tzinfo]) -> None:
        when, self.zone = read
        self._show_last_backup(when)

    def _show_last_backup(self, when: datetime | None) -> None:
        folder = backup.default_backup_folder()
        if when is None:
            self.last_backup.setText(f"No backup in {folder} yet.")
        else:
            self.last_backup.setText(
                f"Latest backup in {folder}: {when_text(when, self.zone)}. Front Desk makes one "
                "there each day it starts, when the latest is more than a day old."
            )

    def choose_folder(self) -> None:
        folder = existing_folder(
            self, FileKind.BACKUP, "Back up into which folder?", self.folder.text()
        )
        if folder:
            self.folder.setText(folder)
            self.update_encryption_note()

    def destination(self) -> str | None:
        """The chosen folder; None for the data folder's own (the service creates it)."""
        text = self.folder.text().strip()
        if not text or Path(text).expanduser() == backup.default_backup_folder():
            return None
        return text

    def update_encryption_note(self) -> None:
        try:
            outside = backup.will_encrypt(self.destination(), None)
        except FrontDeskError:
            outside = True  # a folder that does not exist yet: the service will say so
        self.no_encryption.setVisible(outside)
        if not outside:
            self.no_encryption.setChecked(False)
            text = (
                "This folder is inside this computer's Front Desk data folder: the backup is "
                "not encrypted unless you type a passphrase."
            )
        elif self.no_encryption.isChecked():
            text = (
                "Not encrypted: the copy is readable by anyone who has the file. Keep it "
                "locked away."
            )
        else:
            text = (
                "This folder is outside this computer's Front Desk data folder (a USB stick, "
                "a shared drive), so the backup is encrypted with the passphrase below."
            )
        for widget in (self.passphrase, self.passphrase_again):
            widget.setEnabled(not self.no_encryption.isChecked())
        self.encryption_note.setText(text)

    def back_up(self) -> None:
        if self.busy or refused_while_paused(self.banner):
            return
        problems: dict[str, str] = {}
        encrypting = not self.no_encryption.isChecked()
        if encrypting and self.passphrase.text() != self.passphrase_again.text():
            problems["passphrase_again"] = PASSPHRASE_MISMATCH
        if problems:
            self.fields.show_messages(problems)
            self.banner.show_message("error", "No backup made: please correct the marked fields.")
            return
        self.fields.clear_messages()
        call = partial(
            backup.backup_database,
            self.screen.services,
            self.destination(),
            passphrase=(self.passphrase.text() or None) if encrypting else None,
            encrypt=None if encrypting else False,
        )

        def with_progress(progress: Any) -> Any:
            return call(progress=progress)

        self._start("Backing up…", with_progress, self._backed_up, failure=self._backup_failed)

    def _backup_failed(self, error: Exception) -> None:
        if not isinstance(error, ValidationError | ConflictError):
            self._failed(error)
            return
        self._finish()
        fields = error.fields if isinstance(error, ValidationError) else {}
        unplaced = self.fields.show_messages(fields)
        text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields"
        self.banner.show_message("error", f"No backup made: {text}.")

    def _backed_up(self, result: Any) -> None:
        self._finish()
        self.last_result = result
        self.passphrase.clear()
        self.passphrase_again.clear()
        removed = len(result.removed)
        older = (
            f" {counted(removed, 'older backup')} removed, as set in Security." if removed else ""
        )
        self.banner.show_message(
            "success",
            f"Backup saved and checked: {result.path} ({size_text(result.size)}, "
            f"{'encrypted' if result.encrypted else 'not encrypted'}).{older}",
        )
        self.show_last_backup()
        self.backed_up.emit(result)

    # Restoring ----------------------------------------------------------------------------

    def choose_restore_file(self) -> None:
        if self.busy or refused_while_paused(self.banner):
            return
        name = open_file_name(
            self,
            FileKind.BACKUP,
            "Restore which backup?",
            "Front Desk backups (frontdesk-backup-*);;All files (*)",
            str(backup.default_backup_folder()),
        )
        if name:
            self.start_restore(Path(name))

    def start_restore(self, path: Path) -> None:
        """Step 1: what the file is (encrypted or not)."""
        if self.busy:
            return
        self.banner.show_message("info", f"Reading {path.name}…")
        self.screen.runner.run(
            partial(backup.inspect_backup, path), self._inspected, self._restore_failed
        )

    def _inspected(self, file: BackupFile) -> None:
        if not file.encrypted:
            self.verify(file, None)
            return
        self.banner.clear()
        dialog = PassphraseDialog(file, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.verify(file, dialog.text()))
        dialog.finished.connect(lambda _code: setattr(self, "passphrase_dialog", None))
        self.passphrase_dialog = dialog
        dialog.open()

    def verify(self, file: BackupFile, passphrase: str | None) -> None:
        """Step 2: open and check the backup; nothing is changed."""
        self.banner.show_message("info", f"Checking {file.path.name}…")
        self.restore_button.setEnabled(False)
        call = partial(backup.verify_backup, self.screen.services, file.path, passphrase=passphrase)
        self.screen.runner.run(
            call,
            lambda verified: self._verified(verified, passphrase),
            self._restore_failed,
        )

    def _verified(self, verified: VerifiedBackup, passphrase: str | None) -> None:
        self.restore_button.setEnabled(saving_allowed())
        self.banner.clear()
        if self.confirm_restore(verified):
            self.restore(verified, passphrase)
        else:
            self.banner.show_message("info", "Nothing was restored.")

    def restore_question_text(self, verified: VerifiedBackup) -> tuple[str, str]:
        file = verified.file
        patients = verified.table_rows.get("patients", -1)
        counted = f" It holds {patients:,} patient charts." if patients >= 0 else ""
        whose = f" of {verified.practice_name}" if verified.practice_name else ""
        if verified.other_practice:
            return (
                f"This backup holds another practice's records: {verified.practice_name}, made "
                f"{when_text(file.created_at, self.zone)}. This database holds the records of "
                f"{verified.current_practice_name}. Replace them with the other practice's "
                f"records?{counted}",
                "Only go on if you are sure this is the right file: every record of "
                f"{verified.current_practice_name} saved since would be replaced. The current "
                "database is first kept aside in the backups folder.",
            )
        return (
            f"Replace the database {self.screen.database_label} with the backup{whose} "
            f"{file.path.name}, made {when_text(file.created_at, self.zone)}?{counted}",
            "Everything saved after that backup, at every workstation, is replaced by the "
            "backup's contents. The current database is first kept aside in the backups "
            "folder, so this can be undone by restoring that copy.",
        )

    def confirm_restore(self, verified: VerifiedBackup) -> bool:
        text, details = self.restore_question_text(verified)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Replace the database?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        box.setInformativeText(details)
        replace = box.addButton("Replace the database", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        self.restore_question = box
        box.exec()
        self.restore_question = None
        return box.clickedButton() is replace

    def restore(self, verified: VerifiedBackup, passphrase: str | None) -> None:
        """Step 3: set the current database aside and restore (progress on the runner)."""
        if refused_while_paused(self.banner):
            return
        call = partial(
            backup.restore_database,
            self.screen.services,
            verified.file.path,
            passphrase=passphrase,
        )
        # No Cancel once restoring: a half-finished replacement helps nobody.
        self._start(
            "Restoring…", lambda progress: call(progress=progress), self._restored, cancel=False
        )

    def _restored(self, result: RestoreResult) -> None:
        self._finish()
        self.last_result = result
        migrated = (
            " It was brought up to date for this version of Front Desk." if result.migrated else ""
        )
        self.banner.show_message(
            "success",
            f"Restored from {result.restored_from.name}.{migrated} The database as it was "
            f"before is kept at {result.set_aside}.",
        )
        self.restored.emit(result)

    def _restore_failed(self, message: str) -> None:
        self.restore_button.setEnabled(saving_allowed())
        self._finish()
        self.banner.show_message("error", f"Nothing was restored. {message}")

    # Progress -----------------------------------------------------------------------------

    def _start(
        self,
        label: str,
        call: Any,
        on_result: Any,
        *,
        cancel: bool = True,
        failure: Failure | None = None,
    ) -> None:
        self.busy = True
        self.cancel_button.setVisible(cancel)
        for widget in (self.backup_button, self.restore_button, self.choose_button):
            widget.setEnabled(False)
        self.banner.show_message("info", label)
        self.progress.setRange(0, 0)
        self.progress_row.show()
        self.task = self.screen.runner.run_with_progress(
            call, on_result, failure=failure or self._failed
        )
        self.task.progressed.connect(self._progressed)
        self.task.cancelled.connect(self._cancelled)

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _finish(self) -> None:
        self.busy = False
        self.task = None
        self.choose_button.setEnabled(True)
        for widget in (self.backup_button, self.restore_button):
            widget.setEnabled(saving_allowed())
        self.progress_row.hide()

    def _failed(self, error: Exception) -> None:
        self._finish()
        self.banner.show_message("error", user_message(error))

    def _cancelled(self) -> None:
        self._finish()
        self.banner.show_message("info", "Backup cancelled; no new backup was kept.")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.busy:
            self.cancel()
            return
        super().keyPressEvent(event)
