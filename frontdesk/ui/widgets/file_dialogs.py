"""File dialogs that open where this desk last kept that kind of file, or in Documents.

Without a start folder Qt opens in the working directory, which for the installed app is its
own install folder. Each kind of file (letters, received documents, exports...) remembers its
own last folder in this workstation's settings (``ui.workstation_settings``), which live in
Front Desk's data folder.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from frontdesk.ui.workstation_settings import workstation_settings

SETTINGS_GROUP = "lastFolders"


class FileKind(StrEnum):
    """What the file is; each kind remembers its own folder."""

    RECEIVED_DOCUMENT = "receivedDocument"
    LETTER = "letter"
    HANDOUT = "handout"
    HISTORY_SUMMARY = "historySummary"
    DAY_SHEET = "daySheet"
    CALENDAR = "calendar"
    REPORT = "report"
    PATIENT_EXPORT = "patientExport"
    PATIENT_IMPORT = "patientImport"
    AUDIT_EXPORT = "auditExport"
    AUDIT_CHECKPOINT = "auditCheckpoint"
    LOGO = "logo"
    CERTIFICATE = "certificate"
    BACKUP = "backup"
    INBOX_IMPORT = "inboxImport"
    WATCHED_FOLDER = "watchedFolder"


def documents_folder() -> str:
    """The user's Documents folder (their home when there is none)."""
    location = QStandardPaths.StandardLocation.DocumentsLocation
    documents = QStandardPaths.writableLocation(location)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


def start_folder(kind: FileKind) -> str:
    """The folder last used for ``kind`` while it still exists; Documents the first time."""
    remembered = workstation_settings().value(f"{SETTINGS_GROUP}/{kind.value}", "", str)
    if remembered and Path(remembered).is_dir():
        return str(remembered)
    return documents_folder()


def remember_folder(kind: FileKind, chosen: str) -> None:
    """Remember the folder of ``chosen`` (a file, or a folder itself) for the next ``kind``."""
    if not chosen:
        return
    path = Path(chosen)
    folder = path if path.is_dir() else path.parent
    workstation_settings().setValue(f"{SETTINGS_GROUP}/{kind.value}", str(folder))


def _start(kind: FileKind, suggested: str) -> str:
    # A suggested full path (the import's current file) wins; a bare name goes in the folder.
    if suggested and Path(suggested).is_absolute():
        return suggested
    folder = start_folder(kind)
    return str(Path(folder) / suggested) if suggested else folder


def open_file_name(
    parent: QWidget | None, kind: FileKind, caption: str, name_filter: str, start: str = ""
) -> str:
    """The file picked to open ("" when cancelled)."""
    path, _filter = QFileDialog.getOpenFileName(parent, caption, _start(kind, start), name_filter)
    remember_folder(kind, path)
    return path


def save_file_name(
    parent: QWidget | None, kind: FileKind, caption: str, suggested: str, name_filter: str
) -> str:
    """The file to save to ("" when cancelled); ``suggested`` is a name or a full path."""
    path, _filter = QFileDialog.getSaveFileName(
        parent, caption, _start(kind, suggested), name_filter
    )
    remember_folder(kind, path)
    return path


def existing_folder(parent: QWidget | None, kind: FileKind, caption: str, start: str = "") -> str:
    """The folder picked ("" when cancelled)."""
    folder = QFileDialog.getExistingDirectory(parent, caption, _start(kind, start))
    remember_folder(kind, folder)
    return folder


def file_dialog(parent: QWidget | None, kind: FileKind, caption: str = "") -> QFileDialog:
    """A dialog to set up and ``open()``: it starts in the kind's folder and remembers the
    folder of what is chosen."""
    dialog = QFileDialog(parent, caption)
    dialog.setDirectory(start_folder(kind))
    dialog.fileSelected.connect(lambda path: remember_folder(kind, path))
    return dialog
