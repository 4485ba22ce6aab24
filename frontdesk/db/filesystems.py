"""Refuse to put a SQLite file on a network file system, where its locking is unsafe."""

from __future__ import annotations

import os
from pathlib import Path

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "fuse.sshfs",
        "davfs",
        "fuse.davfs2",
        "glusterfs",
        "ceph",
        "fuse.glusterfs",
        "lustre",
        "gpfs",
    }
)


def _unescape_mount_path(path: str) -> str:
    # /proc/mounts escapes spaces, tabs, newlines and backslashes as octal.
    return (
        path.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\")
    )


def filesystem_type(path: Path, mounts_text: str | None = None) -> str:
    """The file system type of the mount holding ``path`` ('' when unknown)."""
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text()
        except OSError:
            return ""
    target = os.path.realpath(path)
    best, best_type = "", ""
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = _unescape_mount_path(parts[1])
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def is_network_path(path: Path, mounts_text: str | None = None) -> bool:
    text = str(path)
    if text.startswith(("\\\\", "//")):  # a Windows UNC path such as \\server\share
        return True
    return filesystem_type(path, mounts_text) in NETWORK_FILESYSTEMS
