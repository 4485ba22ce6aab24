"""Files that may hold patient data: private to this account, and never left behind by a crash.

On POSIX every folder Front Desk makes for data is 0700 and every data file 0600, so other
local accounts cannot read them (on Windows the user's profile folder does that job). Scratch
files (a partial export, the plain working copy of a backup) are listed in the data folder
while they exist; if the process dies before it removes them, the next start of the app or
of the command line removes them (`sweep_leftovers`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from frontdesk.paths import data_dir, private_folder

log = logging.getLogger(__name__)

FILE_MODE = 0o600
LEDGER_FOLDER = "scratch-in-use"


def make_private(path: Path) -> None:
    """Restrict an existing file of ours to this account (no-op where POSIX modes don't apply)."""
    if os.name == "posix" and path.exists() and path.stat().st_uid == os.getuid():
        os.chmod(path, FILE_MODE)


def create_private(path: Path) -> None:
    """Create ``path`` empty and 0600 unless it exists (SQLite then gives its -wal and -shm
    files the same mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))


def open_private(path: Path) -> int:
    """A new file descriptor for ``path``, created 0600 (truncated if it exists)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, FILE_MODE)
    if os.name == "posix":
        os.fchmod(descriptor, FILE_MODE)  # an existing file keeps its old mode otherwise
    return descriptor


@contextmanager
def scratch_file(final: Path, *, prefix: str) -> Iterator[Path]:
    """A hidden, private partial file beside ``final`` that becomes ``final`` only on success.

    The caller writes to the yielded path; leaving the block normally renames it into place,
    any exception removes it. A crash in between leaves it listed for `sweep_leftovers`.
    """
    descriptor, name = tempfile.mkstemp(prefix=prefix, suffix=".partial", dir=final.parent)
    os.close(descriptor)
    partial = Path(name)
    with _listed(partial):
        try:
            yield partial
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A private folder in the data folder for plain working copies, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=data_dir()) as name:
        os.chmod(name, 0o700)
        with _listed(Path(name)):
            yield Path(name)


@contextmanager
def _listed(path: Path) -> Iterator[None]:
    entry = private_folder(data_dir() / LEDGER_FOLDER) / f"{os.getpid()}-{uuid.uuid4().hex}"
    entry.write_text(str(path), encoding="utf-8")
    try:
        yield
    finally:
        entry.unlink(missing_ok=True)


def sweep_leftovers() -> int:
    """Remove scratch files left by processes that died; returns how many were removed."""
    folder = data_dir() / LEDGER_FOLDER
    if not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.iterdir():
        pid_text = entry.name.partition("-")[0]
        if pid_text.isdigit() and _still_running(int(pid_text)):
            continue
        with contextlib.suppress(OSError, UnicodeDecodeError):
            leftover = Path(entry.read_text(encoding="utf-8"))
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
            removed += not leftover.exists()
        entry.unlink(missing_ok=True)
    if removed:
        log.info("removed %d scratch file(s) left by an interrupted run", removed)
    return removed


def _still_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        return _still_running_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _still_running_on_windows(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    code = ctypes.c_ulong()
    try:
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
    finally:
        kernel32.CloseHandle(handle)
    return code.value == 259  # STILL_ACTIVE
