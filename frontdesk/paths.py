"""Where Front Desk keeps its files on this computer (data, logs, backups)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "FrontDesk"
APP_AUTHOR = "FrontDesk"


def private_folder(path: Path) -> Path:
    """``path`` as a folder only this account can open (0700 on POSIX), made if missing."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and path.stat().st_uid == os.getuid():
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask, and old folders are 0755
    return path


def data_dir() -> Path:
    """The user's data folder; FRONTDESK_HOME overrides it (tests, portable installs)."""
    override = os.environ.get("FRONTDESK_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    return private_folder(path)


def log_dir() -> Path:
    override = os.environ.get("FRONTDESK_HOME")
    path = (
        Path(override) / "logs"
        if override
        else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
    )
    return private_folder(path)


def default_database_file() -> Path:
    return data_dir() / "frontdesk.sqlite3"


def default_database_url() -> str:
    return f"sqlite:///{default_database_file()}"


def server_profile_file() -> Path:
    """This workstation's shared-server settings (``services.platform.connection`` reads
    them); the app checks that the file exists before loading the database layer."""
    return data_dir() / "server-connection.json"
