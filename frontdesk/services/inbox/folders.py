"""Watched folders: the fax server's and the scanner's drop folders, emptied into the inbox.

A file is taken once it is complete: seen twice with the same size and time (the fax
server is still writing it otherwise) or renamed into place long enough ago. It is moved to
the folder's ``imported`` subfolder only after the database committed it. A file that cannot
be imported stays where it is with a note beside it (``NAME.why.txt``) saying why, and is
tried again only when it changes. Several workstations may watch one network folder: the
database takes each file once (``arrivals``), the others leave it alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from time import time

from frontdesk.services.inbox.arrivals import receive_file
from frontdesk.services.inbox.data import Arrival
from frontdesk.services.kernel.context import ServiceContext

log = logging.getLogger(__name__)

IMPORTED = "imported"
NOTE_SUFFIX = ".why.txt"
# A file untouched this long is complete even if this workstation saw it only once.
SETTLED_S = 10.0


@dataclass
class FolderWatch:
    """One watched folder and what this workstation saw in it last time."""

    folder: Path
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    def candidates(self, now: float | None = None) -> list[Path]:
        """Complete files not yet imported (oldest first); remembers sizes for next time."""
        now = time() if now is None else now
        ready: list[tuple[float, Path]] = []
        current: dict[str, tuple[int, int]] = {}
        try:
            entries = list(os.scandir(self.folder))
        except OSError as error:
            raise FolderUnavailable(self.folder, error) from None
        for entry in entries:
            if not entry.is_file(follow_symlinks=False) or _skipped(entry.name):
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            shape = (stat.st_size, stat.st_mtime_ns)
            current[entry.name] = shape
            if _noted(Path(entry.path), stat.st_mtime):
                continue
            steady = self.seen.get(entry.name) == shape
            settled = now - stat.st_mtime >= SETTLED_S
            if steady or settled:
                ready.append((stat.st_mtime, Path(entry.path)))
        self.seen = current
        return [path for _, path in sorted(ready)]


class FolderUnavailable(OSError):
    def __init__(self, folder: Path, error: OSError) -> None:
        super().__init__(f"The watched folder {folder} cannot be read: {error.strerror or error}")
        self.folder = folder


def _skipped(name: str) -> bool:
    # Hidden and temporary files are still being written (a fax server's "~fax.tmp", an
    # upload's ".part"), notes are ours.
    lowered = name.lower()
    return name.startswith((".", "~")) or lowered.endswith(
        (".tmp", ".part", ".partial", ".crdownload", NOTE_SUFFIX)
    )


def _note_path(path: Path) -> Path:
    return path.with_name(path.name + NOTE_SUFFIX)


def _noted(path: Path, modified: float) -> bool:
    """A note newer than the file: it was refused and has not changed since."""
    try:
        return _note_path(path).stat().st_mtime >= modified
    except OSError:
        return False


def source_key(path: Path, size: int, modified_ns: int) -> str:
    return f"folder:{path.resolve()}|{size}|{modified_ns}"


def _move_to_imported(path: Path) -> None:
    target_folder = path.parent / IMPORTED
    target_folder.mkdir(exist_ok=True)
    target = target_folder / path.name
    counter = 1
    while target.exists():
        target = target_folder / f"{path.stem} ({counter}){path.suffix}"
        counter += 1
    with contextlib.suppress(FileNotFoundError):  # another workstation moved it first
        os.replace(path, target)
    with contextlib.suppress(FileNotFoundError):
        _note_path(path).unlink()


def _taken(path: Path) -> Arrival:
    return Arrival(path.name, None, "taken", f"{path.name} was taken by another workstation")


def import_file(context: ServiceContext, path: Path) -> Arrival:
    """Import one complete file from a watched folder, then move it out of the way."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return _taken(path)
    arrival = receive_file(
        context,
        path,
        source="folder",
        origin=str(path.parent),
        source_key=source_key(path, stat.st_size, stat.st_mtime_ns),
    )
    if arrival.refused:
        if not path.exists():  # another workstation took it while this one was reading it
            return _taken(path)
        try:
            # The note names the file and the reason only: no patient data.
            _note_path(path).write_text(
                f"Not imported into the inbox: {arrival.message}\n", encoding="utf-8"
            )
        except OSError as error:
            log.warning("cannot write the note beside a refused file: %s", error.strerror)
        if not path.exists():  # taken meanwhile: no note beside a file that is not there
            with contextlib.suppress(FileNotFoundError):
                _note_path(path).unlink()
    else:
        # Committed (by this workstation or, "taken", by another that may have stopped
        # before moving it): out of the way either way.
        _move_to_imported(path)
    return arrival


def sweep(context: ServiceContext, watch: FolderWatch) -> list[Arrival]:
    """Import every complete file of one folder (what the app does every few seconds)."""
    return [import_file(context, path) for path in watch.candidates()]
