"""This workstation's own memory (the folder each kind of file was last kept in): a settings
file in Front Desk's data folder.

``QSettings()`` would write to the user's global configuration, outside FRONTDESK_HOME: a test
or a second profile (a portable install, the training copy) then read and changed the memory
of the real one. In the data folder, each home keeps its own.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from frontdesk.paths import data_dir

SETTINGS_FILE = "workstation.ini"


def workstation_settings() -> QSettings:
    return QSettings(str(data_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)
