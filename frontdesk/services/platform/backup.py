"""Backups and restores: SQLite online copies or pg_dump, verified, optionally encrypted."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import select
from sqlalchemy.engine import URL

from frontdesk.db import migrate
from frontdesk.db.engine import SQLITE_HEADER, Database, open_database
from frontdesk.db.models import PracticeProfile
from frontdesk.domain.errors import (
    FrontDeskError,
    NotFoundError,
    RefusedError,
    SchemaMismatchError,
    ValidationError,
)
from frontdesk.domain.names import fold
from frontdesk.domain.permissions import Permission
from frontdesk.domain.progress import ProgressCallback, no_progress, report_or_cancel
from frontdesk.paths import data_dir, private_folder
from frontdesk.private_files import open_private, scratch_file, scratch_folder
from frontdesk.services.kernel.changes import EVERYTHING
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_checkpoint
from frontdesk.services.platform.audit_checkpoint import CHECKPOINT_EXTENSION
from frontdesk.services.practice.settings import BACKUPS_TO_KEEP, get_setting

log = logging.getLogger(__name__)

BACKUP_PREFIX = "frontdesk-backup-"
SQLITE_EXTENSION = ".sqlite3"
PG_EXTENSION = ".pgdump"
ENCRYPTED_EXTENSION = ".encrypted"
CHECKSUM_EXTENSION = ".sha256"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
BACKUP_NAME = re.compile(
    r"^frontdesk-backup-(?P<stamp>\d{8}T\d{6}Z)(?:\.(?P<seq>\d+))?(?:-(?P<label>[A-Za-z0-9._-]+))?"
    r"(?P<ext>\.sqlite3|\.pgdump)(?P<enc>\.encrypted)?$"
)
MAX_LABEL = 40
AUTOMATIC_BACKUP_AGE = timedelta(hours=24)
PGDUMP_MAGIC = b"PGDMP"  # pg_dump's custom format starts with these bytes

# Encrypted container: header, then chunks sealed with AES-256-GCM (the STREAM construction:
# each nonce holds the chunk's number and a last-chunk flag, so reordered, dropped or
# truncated chunks fail to open). The key comes from the passphrase through scrypt.
MAGIC = b"FDBACKUP"
FORMAT_VERSION = 1
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
SALT_SIZE = 16
NONCE_PREFIX_SIZE = 7
# scrypt N = 2^17, r = 8, p = 1: 128 MiB and about a third of a second here (OWASP's choice).
SCRYPT_LOG2_N = 17
SCRYPT_R = 8
SCRYPT_P = 1
_HEADER = struct.Struct(f">8sBBBB{SALT_SIZE}s{NONCE_PREFIX_SIZE}sI")
_CHECK_SIZE = 32
HEADER_SIZE = _HEADER.size + _CHECK_SIZE


class WrongPassphraseError(RefusedError):
    """The passphrase does not open this backup."""


class DamagedBackupError(RefusedError):
    """The backup file was altered, truncated or is not a Front Desk backup."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    encrypted: bool
    size: int
    created_at: datetime
    table_rows: dict[str, int]
    removed: tuple[Path, ...]
    checkpoint: Path | None = None  # the signed audit checkpoint beside it, when one was made


@dataclass(frozen=True)
class BackupFile:
    """A backup found on disk, for the Admin list and for restore's questions."""

    path: Path
    kind: str  # "sqlite" or "pgdump"
    encrypted: bool
    created_at: datetime | None
    size: int


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    set_aside: Path
    migrated: bool
    table_rows: dict[str, int]


# ---------------------------------------------------------------------------------------------
# Encryption


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    secret = unicodedata.normalize("NFKC", passphrase).encode("utf-8")
    key = Scrypt(salt=salt, length=64, n=2**log2_n, r=r, p=p).derive(secret)
    return key[:32], key[32:]


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def _check_passphrase(passphrase: str | None) -> str:
    if not passphrase:
        raise ValidationError({"passphrase": "give the backup passphrase"})
    if len(passphrase) < 8:
        raise ValidationError({"passphrase": "use at least 8 characters"})
    return passphrase


def encrypt_file(source: Path, destination: BinaryIO, passphrase: str) -> None:
    """Seal ``source`` into ``destination`` with a key derived from ``passphrase``."""
    salt, prefix = os.urandom(SALT_SIZE), os.urandom(NONCE_PREFIX_SIZE)
    key, check_key = _derive(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    header = _HEADER.pack(
        MAGIC, FORMAT_VERSION, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, salt, prefix, CHUNK_SIZE
    )
    header += hmac.new(check_key, header, hashlib.sha256).digest()
    destination.write(header)
    aead = AESGCM(key)
    with source.open("rb") as plain:
        chunk, index = plain.read(CHUNK_SIZE), 0
        while True:
            following = plain.read(CHUNK_SIZE)
            last = not following
            destination.write(aead.encrypt(_nonce(prefix, index, last), chunk, header))
            if last:
                return
            chunk, index = following, index + 1


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def decrypt_file(source: Path, destination: BinaryIO, passphrase: str) -> None:
    """Open a sealed backup; a wrong passphrase or any altered byte raises before use."""
    with source.open("rb") as sealed:
        header = sealed.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE:
            raise DamagedBackupError(f"{source.name} is truncated: it is not a complete backup")
        magic, version, log2_n, r, p, salt, prefix, chunk_size = _HEADER.unpack(
            header[: _HEADER.size]
        )
        if magic != MAGIC or version != FORMAT_VERSION:
            raise DamagedBackupError(f"{source.name} is not an encrypted Front Desk backup")
        # A crafted header must not make scrypt allocate gigabytes or spin for minutes: only
        # the parameters this version writes are accepted (128 MiB, a third of a second).
        if (log2_n, r, p, chunk_size) != (SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, CHUNK_SIZE):
            raise DamagedBackupError(f"{source.name} has a damaged header")
        key, check_key = _derive(passphrase, salt, log2_n, r, p)
        expected = hmac.new(check_key, header[: _HEADER.size], hashlib.sha256).digest()
        if not hmac.compare_digest(expected, header[_HEADER.size :]):
            raise WrongPassphraseError(
                f"The passphrase does not open {source.name}; nothing was changed"
            )
        aead = AESGCM(key)
        sealed_size = chunk_size + TAG_SIZE
        chunk, index = sealed.read(sealed_size), 0
        while True:
            following = sealed.read(sealed_size)
            last = not following
            if len(chunk) < TAG_SIZE or (not last and len(chunk) != sealed_size):
                raise DamagedBackupError(f"{source.name} is truncated or damaged")
            try:
                destination.write(aead.decrypt(_nonce(prefix, index, last), chunk, header))
            except InvalidTag:
                raise DamagedBackupError(
                    f"{source.name} was altered or truncated after it was written; "
                    "it cannot be trusted and was not restored"
                ) from None
            if last:
                return
            chunk, index = following, index + 1


# ---------------------------------------------------------------------------------------------
# Files and folders


def default_backup_folder() -> Path:
    return private_folder(data_dir() / "backups")


def _sanitized_label(label: str) -> str:
    """A label safe inside a file name on every system: no separators, no dots at the ends."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKC", label))
    return cleaned.strip(".-_")[:MAX_LABEL].strip(".-_")


def _destination_folder(destination: Path | str | None) -> Path:
    if destination is None or str(destination) == "":
        return default_backup_folder().resolve()
    folder = Path(os.path.expanduser(str(destination))).resolve()
    if not folder.exists():
        raise ValidationError({"destination": f"the folder {folder} does not exist"})
    if not folder.is_dir():
        raise ValidationError({"destination": f"{folder} is a file, not a folder"})
    return folder


def _inside_data_folder(folder: Path) -> bool:
    return folder.resolve().is_relative_to(data_dir().resolve())


def _backup_name(stamp: str, seq: int, label: str, extension: str) -> str:
    return (
        f"{BACKUP_PREFIX}{stamp}{f'.{seq}' if seq else ''}{f'-{label}' if label else ''}{extension}"
    )


def _new_backup_path(folder: Path, when: datetime, label: str, extension: str) -> Path:
    stamp = when.strftime(STAMP_FORMAT)
    # Within one second, each new backup takes the next sequence number, so name order stays
    # creation order even after older ones of that second were pruned.
    taken = [
        int(match["seq"] or 0)
        for path in folder.iterdir()
        if (match := BACKUP_NAME.match(path.name)) is not None and match["stamp"] == stamp
    ]
    seq = max(taken) + 1 if taken else 0
    path = folder / _backup_name(stamp, seq, label, extension)
    # The name is built from safe parts, but a chosen folder is never escaped regardless.
    if path.resolve().parent != folder:
        raise ValidationError({"label": "the backup name would leave the chosen folder"})
    return path


def _stamp_of(path: Path) -> tuple[datetime, int] | None:
    match = BACKUP_NAME.match(path.name)
    if match is None:
        return None
    when = datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
    return when, int(match["seq"] or 0)


def _backups_in(folder: Path) -> list[Path]:
    """Front Desk backups in ``folder``, oldest first (other files are never touched)."""
    if not folder.is_dir():
        return []
    found = [
        (stamp, path)
        for path in folder.iterdir()
        if path.is_file() and (stamp := _stamp_of(path)) is not None
    ]
    return [path for _stamp, path in sorted(found)]


def _backup_file(path: Path) -> BackupFile:
    match = BACKUP_NAME.match(path.name)
    stamp = _stamp_of(path)
    encrypted = is_encrypted(path)
    if match is not None:
        kind = "pgdump" if match["ext"] == PG_EXTENSION else "sqlite"
    else:
        kind = "sqlite" if not encrypted and _starts_with(path, SQLITE_HEADER) else "unknown"
        if _starts_with(path, PGDUMP_MAGIC):
            kind = "pgdump"
    return BackupFile(path, kind, encrypted, stamp[0] if stamp else None, path.stat().st_size)


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(magic)) == magic


def list_backups(context: ServiceContext, folder: Path | str | None = None) -> list[BackupFile]:
    """The backups in a folder (default: the data folder's), newest first."""
    context.require(Permission.BACKUP)
    target = _destination_folder(folder)
    return [_backup_file(path) for path in reversed(_backups_in(target))]


def inspect_backup(path: Path | str) -> BackupFile:
    """What a chosen file is (encrypted or not), so restore knows whether to ask a passphrase."""
    file = Path(os.path.expanduser(str(path))).resolve()
    if not file.is_file():
        raise NotFoundError(f"There is no backup file at {file}")
    return _backup_file(file)


def _prune(folder: Path, keep: int, newest: Path) -> tuple[Path, ...]:
    backups = [path for path in _backups_in(folder) if path != newest] + [newest]
    removed = []
    for path in backups[: max(0, len(backups) - keep)]:
        try:
            path.unlink()
            path.with_name(path.name + CHECKSUM_EXTENSION).unlink(missing_ok=True)
            path.with_name(path.name + CHECKPOINT_EXTENSION).unlink(missing_ok=True)
            removed.append(path)
        except OSError as error:  # a read-only stick must not fail the backup just made
            log.warning("could not remove an old backup: %s", error)
    return tuple(removed)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def _private_temp() -> Iterator[Path]:
    """A folder for plain copies inside the user's data folder, never on the destination
    (an unencrypted copy must not touch a USB stick, even as a deleted temporary file)."""
    with scratch_folder(".backup-") as folder:
        yield folder


def _publish(plain: Path, final: Path, passphrase: str | None) -> None:
    """Write the plain copy (sealed if a passphrase is given) to ``final`` atomically."""
    with (
        scratch_file(final, prefix=f".{final.name}-") as partial,
        os.fdopen(open_private(partial), "wb") as out,
    ):
        if passphrase is not None:
            encrypt_file(plain, out, passphrase)
        else:
            with plain.open("rb") as source:
                shutil.copyfileobj(source, out, 1024 * 1024)
        out.flush()
        os.fsync(out.fileno())
    if passphrase is None:
        checksum = final.with_name(final.name + CHECKSUM_EXTENSION)
        with os.fdopen(open_private(checksum), "w", encoding="utf-8") as out:
            out.write(f"{_sha256(final)}  {final.name}\n")
    _fsync_dir(final.parent)


# ---------------------------------------------------------------------------------------------
# SQLite


def _app_tables(connection: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def _row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    return {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in _app_tables(connection)
    }


def _integrity_ok(connection: sqlite3.Connection) -> str | None:
    """None when PRAGMA integrity_check passes, else its first complaint."""
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    return None if rows == [("ok",)] else str(rows[0][0])


def _sqlite_copy(source: Path, destination: Path, progress: ProgressCallback) -> dict[str, int]:
    """Online copy with SQLite's backup API; returns the row counts of the copied snapshot.

    The source stays in one read transaction while it is counted and copied, so the counts
    and the copy describe the same moment even while others keep saving (WAL lets them).
    """

    def step(_status: int, remaining: int, total: int) -> None:
        report_or_cancel(progress, total - remaining, total)

    source_conn = sqlite3.connect(source, isolation_level=None)
    try:
        source_conn.execute("BEGIN")
        counts = _row_counts(source_conn)
        target = sqlite3.connect(destination)
        try:
            source_conn.backup(target, pages=1024, progress=step)
        finally:
            target.close()
        source_conn.execute("COMMIT")
    finally:
        source_conn.close()
    return counts


def _verify_sqlite(path: Path, expected: dict[str, int] | None = None) -> dict[str, int]:
    """integrity_check, the schema this app can use, and (when known) the same row counts."""
    name = path.name
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise DamagedBackupError(f"{name} is not a Front Desk backup (not a SQLite file)")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problem = _integrity_ok(connection)
        if problem is not None:
            raise DamagedBackupError(f"{name} is damaged (integrity check: {problem})")
        try:
            counts = _row_counts(connection)
        except sqlite3.DatabaseError as error:
            raise DamagedBackupError(f"{name} is damaged: {error}") from error
        if "alembic_version" not in counts or "audit_entries" not in counts:
            raise DamagedBackupError(f"{name} is a SQLite file but not a Front Desk database")
    finally:
        connection.close()
    if expected is not None and counts != expected:
        differing = sorted(
            t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t)
        )
        raise DamagedBackupError(
            f"The copy's row counts differ from the database's in {', '.join(differing)}; "
            "the backup was not kept"
        )
    return counts


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise FrontDeskError(
            f"'{name}' was not found on this computer, so the PostgreSQL database cannot be "
            f"{'backed up' if name == 'pg_dump' else 'restored'} from here. Install the "
            "PostgreSQL client tools of the server's version or newer (Debian/Ubuntu: "
            "'sudo apt install postgresql-client'; Windows and macOS: the PostgreSQL "
            "installer's Command Line Tools) and make sure it is on the PATH."
        )
    return found


def _pg_environment(url: URL) -> dict[str, str]:
    """Connection settings for pg_dump/pg_restore as environment: no password in argv."""
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            env[variable] = str(value)
    for key, value in url.query.items():
        if key in ("sslmode", "sslrootcert", "sslcert", "sslkey") and isinstance(value, str):
            env[f"PG{key.upper()}"] = value
    return env


def _run_pg(arguments: list[str], url: URL, what: str) -> str:
    try:
        done = subprocess.run(
            arguments,
            env=_pg_environment(url),
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        raise FrontDeskError(f"Could not run {arguments[0]}: {error}") from error
    if done.returncode != 0:
        detail = next(
            (line.strip() for line in done.stderr.splitlines() if line.strip()), "no details"
        )
        raise FrontDeskError(f"{what} failed: {detail}")
    return done.stdout


def _pg_dump(database: Database, destination: Path) -> None:
    _run_pg(
        [_pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={destination}"],
        database.url,
        "pg_dump",
    )


def _verify_pgdump(path: Path, url: URL) -> dict[str, int]:
    """pg_restore can read the whole table of contents and it holds the app's tables."""
    if not _starts_with(path, PGDUMP_MAGIC):
        raise DamagedBackupError(f"{path.name} is not a PostgreSQL custom-format dump")
    try:
        listing = _run_pg([_pg_tool("pg_restore"), "--list", str(path)], url, "Reading the dump")
    except FrontDeskError as error:
        if "pg_restore' was not found" in str(error):
            raise
        raise DamagedBackupError(f"{path.name} is damaged: {error}") from error
    tables = set(re.findall(r"TABLE DATA \S+ (\S+) ", listing))
    if not {"audit_entries", "alembic_version"} <= tables:
        raise DamagedBackupError(f"{path.name} is not a Front Desk database dump")
    # pg_dump cannot report row counts without restoring; -1 marks "present, not counted".
    return dict.fromkeys(sorted(tables), -1)


# ---------------------------------------------------------------------------------------------
# Backup


def _encryption_choice(folder: Path, passphrase: str | None, encrypt: bool | None) -> str | None:
    """The passphrase to seal with, or None for a plain backup."""
    if encrypt is None:
        encrypt = passphrase is not None or not _inside_data_folder(folder)
        if encrypt and passphrase is None:
            raise ValidationError(
                {
                    "passphrase": f"{folder} is outside this computer's Front Desk data folder, "
                    "so the backup is encrypted: give a passphrase, or choose explicitly not "
                    "to encrypt"
                }
            )
    if not encrypt:
        return None
    return _check_passphrase(passphrase)


def will_encrypt(destination: Path | str | None, encrypt: bool | None) -> bool:
    """Whether a backup to ``destination`` is encrypted (so a passphrase must be asked)."""
    if encrypt is not None:
        return encrypt
    return not _inside_data_folder(_destination_folder(destination))


def backup_database(
    context: ServiceContext,
    destination: Path | str | None = None,
    *,
    passphrase: str | None = None,
    encrypt: bool | None = None,
    label: str = "",
    progress: ProgressCallback = no_progress,
) -> BackupResult:
    """Back the database up into ``destination`` (default: the data folder's backups).

    Encrypted when a passphrase is given, and required to be when the folder is outside the
    user's data folder unless ``encrypt=False`` says otherwise. The copy is verified before
    it is kept; then the oldest backups beyond the practice's number to keep are removed.
    """
    context.require(Permission.BACKUP)
    return _backup(context, destination, passphrase, encrypt, label, progress)


def _backup(
    context: ServiceContext,
    destination: Path | str | None,
    passphrase: str | None,
    encrypt: bool | None,
    label: str,
    progress: ProgressCallback,
) -> BackupResult:
    folder = _destination_folder(destination)
    seal_with = _encryption_choice(folder, passphrase, encrypt)
    label = _sanitized_label(label)
    keep = get_setting(context, BACKUPS_TO_KEEP)
    database = context.database
    now = datetime.now(UTC)
    # Signed before the copy, so the backup holds every entry the checkpoint covers (its own
    # recording included) and can itself be verified against it later.
    checkpoint = _backup_checkpoint(context)
    with _private_temp() as temp:
        if database.is_sqlite:
            source = database.sqlite_path
            if source is None:
                raise RefusedError("An in-memory database cannot be backed up")
            plain = temp / "copy.sqlite3"
            try:
                counts = _sqlite_copy(source, plain, progress)
            except sqlite3.OperationalError as error:
                raise FrontDeskError(f"The backup could not be made: {error}") from error
            _verify_sqlite(plain, counts)
            extension = SQLITE_EXTENSION
        else:
            plain = temp / "dump.pgdump"
            report_or_cancel(progress, 0, 1)
            _pg_dump(database, plain)
            counts = _verify_pgdump(plain, database.url)
            report_or_cancel(progress, 1, 1)
            extension = PG_EXTENSION
        if seal_with is not None:
            extension += ENCRYPTED_EXTENSION
        final = _new_backup_path(folder, now, label, extension)
        try:
            _publish(plain, final, seal_with)
        except OSError as error:
            raise FrontDeskError(f"The backup could not be written to {folder}: {error}") from error
    checkpoint_path = _write_checkpoint_beside(final, checkpoint)
    removed = _prune(folder, keep, final)
    with context.writing(None) as uow:
        uow.record(
            "backup",
            "database",
            details={
                "file": final.name,
                "folder_in_data_folder": _inside_data_folder(folder),
                "encrypted": seal_with is not None,
                "removed_old": len(removed),
            },
        )
        uow.commit()
    log.info("backup written (%d bytes, encrypted=%s)", final.stat().st_size, bool(seal_with))
    return BackupResult(
        path=final,
        encrypted=seal_with is not None,
        size=final.stat().st_size,
        created_at=now,
        table_rows=counts,
        removed=removed,
        checkpoint=checkpoint_path,
    )


def _backup_checkpoint(context: ServiceContext) -> str | None:
    """The signed checkpoint for a backup; a backup is never lost for want of one."""
    try:
        return audit_checkpoint.sign_head(context, None, "backup")[1]
    except FrontDeskError as error:
        log.warning("no audit checkpoint for this backup: %s", error)
        return None


def _write_checkpoint_beside(final: Path, content: str | None) -> Path | None:
    if content is None:
        return None
    path = final.with_name(final.name + CHECKPOINT_EXTENSION)
    try:
        audit_checkpoint.write_text(path, content)
    except OSError as error:
        log.warning("the audit checkpoint could not be written beside the backup: %s", error)
        return None
    return path


def last_backup_time(folder: Path | str | None = None) -> datetime | None:
    backups = _backups_in(_destination_folder(folder))
    if not backups:
        return None
    stamp = _stamp_of(backups[-1])
    return stamp[0] if stamp else None


def backup_if_due(
    context: ServiceContext, max_age: timedelta = AUTOMATIC_BACKUP_AGE
) -> BackupResult | None:
    """At start-up: back a SQLite database up into the data folder if the last backup there
    is older than ``max_age``. Any signed-in user triggers it: it is the practice's safety net,
    the copy stays in the same private folder, and it is audited. PostgreSQL servers are
    backed up on the server (pg_dump from a scheduled job), so this does nothing there.
    """
    if not context.database.is_sqlite or context.database.sqlite_path is None:
        return None
    last = last_backup_time()
    if last is not None and datetime.now(UTC) - last < max_age:
        return None
    return _backup(context, None, None, False, "", no_progress)


# ---------------------------------------------------------------------------------------------
# Restore


def _plain_copy(file: BackupFile, passphrase: str | None, temp: Path) -> Path:
    plain = temp / "restore.plain"
    if file.encrypted:
        if not passphrase:
            raise ValidationError(
                {"passphrase": f"{file.path.name} is encrypted: give its passphrase"}
            )
        with os.fdopen(open_private(plain), "wb") as out:
            decrypt_file(file.path, out, passphrase)
        return plain
    checksum = file.path.with_name(file.path.name + CHECKSUM_EXTENSION)
    if checksum.exists():
        expected = checksum.read_text(encoding="utf-8").split()[0:1]
        if expected != [_sha256(file.path)]:
            raise DamagedBackupError(
                f"{file.path.name} does not match its checksum file: it was altered or "
                "truncated after it was written and was not restored"
            )
    shutil.copyfile(file.path, plain)
    return plain


def _check_schema_of(plain: Path, name: str) -> None:
    """Refuse a backup made by a newer app: its schema would be unknown to this one."""
    copy = open_database(f"sqlite:///{plain}", create=False)
    try:
        status = migrate.schema_status(copy)
    finally:
        copy.dispose()
    if status.state is migrate.SchemaState.EMPTY:
        raise DamagedBackupError(f"{name} has no schema version: it is not a Front Desk backup")
    if status.state is migrate.SchemaState.AHEAD:
        raise SchemaMismatchError(
            f"{name} was made by a newer version of Front Desk (schema {status.current}); "
            "install that version to restore it"
        )


@dataclass(frozen=True)
class VerifiedBackup:
    """A backup that opened (right passphrase) and passed its checks: what restore would use."""

    file: BackupFile
    kind: str  # "sqlite" or "pgdump"
    table_rows: dict[str, int]  # -1 where a pg_dump cannot count without restoring
    practice_name: str = ""  # whose records the backup holds ("" before a practice was set up)
    current_practice_name: str = ""  # whose records this database holds now

    @property
    def other_practice(self) -> bool:
        """The backup holds another practice's records: restoring it deserves its own question."""
        names = (fold(self.practice_name), fold(self.current_practice_name))
        return all(names) and names[0] != names[1]


def _practice_in_sqlite(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT name FROM practice_profile WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        return ""
    finally:
        connection.close()
    return str(row[0]) if row else ""


_COPY_ESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def _practice_in_pgdump(path: Path, url: URL) -> str:
    """The practice's name from the dump's data (pg_restore prints the table as COPY text)."""
    listing = _run_pg(
        [_pg_tool("pg_restore"), "--data-only", "--table=practice_profile", "--file=-", str(path)],
        url,
        "Reading the dump",
    )
    found = re.search(
        r"^COPY \S*practice_profile \(([^)]*)\) FROM stdin;\n([^\n]*)$", listing, re.M
    )
    if found is None or found.group(2) == "\\.":
        return ""
    columns = [column.strip().strip('"') for column in found.group(1).split(",")]
    values = found.group(2).split("\t")
    if "name" not in columns or len(values) != len(columns):
        return ""
    return re.sub(r"\\[\\tnr]", lambda m: _COPY_ESCAPES[m.group(0)], values[columns.index("name")])


def _checked_plain_copy(
    database: Database, backup: BackupFile, passphrase: str | None, temp: Path
) -> tuple[Path, str, dict[str, int]]:
    """Open and verify a backup into ``temp``; refuses the other backend's backups."""
    wanted = "sqlite" if database.is_sqlite else "pgdump"
    plain = _plain_copy(backup, passphrase, temp)
    kind = "sqlite" if _starts_with(plain, SQLITE_HEADER) else "pgdump"
    if _starts_with(plain, PGDUMP_MAGIC):
        kind = "pgdump"
    elif kind != "sqlite":
        raise DamagedBackupError(f"{backup.path.name} is not a Front Desk backup")
    if kind != wanted:
        raise RefusedError(
            f"{backup.path.name} is a {'SQLite' if kind == 'sqlite' else 'PostgreSQL'} "
            f"backup; this database is {'SQLite' if wanted == 'sqlite' else 'PostgreSQL'}"
        )
    if kind == "sqlite":
        counts = _verify_sqlite(plain)
        _check_schema_of(plain, backup.path.name)
    else:
        counts = _verify_pgdump(plain, database.url)
    return plain, kind, counts


def verify_backup(
    context: ServiceContext, file: Path | str, *, passphrase: str | None = None
) -> VerifiedBackup:
    """Check a backup before anyone decides to restore it: it opens with the passphrase, is
    intact and fits this database. Changes nothing."""
    context.require(Permission.BACKUP)
    backup = inspect_backup(file)
    database = context.database
    with _private_temp() as temp:
        plain, kind, counts = _checked_plain_copy(database, backup, passphrase, temp)
        if kind == "sqlite":
            practice_name = _practice_in_sqlite(plain)
        else:
            practice_name = _practice_in_pgdump(plain, database.url)
    with context.reading(Permission.BACKUP) as session:
        current = session.scalar(select(PracticeProfile.name).where(PracticeProfile.id == 1))
    return VerifiedBackup(backup, kind, counts, practice_name, current or "")


def restore_database(
    context: ServiceContext,
    file: Path | str,
    *,
    passphrase: str | None = None,
    progress: ProgressCallback = no_progress,
) -> RestoreResult:
    """Replace the database with a backup: verify it, set the current one aside, restore,
    then bring the schema up to date if the backup is older than the app.

    Nothing is changed unless the backup opens (right passphrase) and verifies.
    """
    context.require(Permission.BACKUP)
    backup = inspect_backup(file)
    database = context.database
    with _private_temp() as temp:
        report_or_cancel(progress, 0, 3)
        plain, kind, counts = _checked_plain_copy(database, backup, passphrase, temp)
        report_or_cancel(progress, 1, 3)
        if kind == "sqlite":
            aside = _restore_sqlite(database, plain)
        else:
            aside = _restore_pg(database, plain)
    report_or_cancel(progress, 2, 3)
    status = migrate.schema_status(database)
    migrated = status.state is not migrate.SchemaState.CURRENT
    if migrated:
        migrate.upgrade(database)
    with context.writing(None) as uow:
        uow.record(
            "restore",
            "database",
            details={"file": backup.path.name, "set_aside": aside.name, "migrated": migrated},
        )
        uow.commit()
    context.changes.publish(EVERYTHING)
    progress(3, 3)
    log.info("database restored from a backup (migrated=%s)", migrated)
    return RestoreResult(backup.path, aside, migrated, counts)


def _set_aside_path(folder: Path, stem: str, extension: str) -> Path:
    stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
    private_folder(folder)
    return folder / f"{stem}-before-restore-{stamp}{extension}"


def _restore_sqlite(database: Database, plain: Path) -> Path:
    current = database.sqlite_path
    if current is None:
        raise RefusedError("An in-memory database cannot be restored into")
    aside = _set_aside_path(current.parent / "backups", current.stem, SQLITE_EXTENSION)
    migrate.backup_sqlite_file(current, aside)
    # Copying into the live file through SQLite (not replacing the file) keeps its WAL and
    # locks coherent: other open connections simply see the restored data afterwards.
    database.dispose()
    source = sqlite3.connect(f"file:{plain}?mode=ro", uri=True)
    target = sqlite3.connect(current, timeout=30)
    try:
        source.backup(target)
    except sqlite3.Error as error:
        raise FrontDeskError(
            f"The restore could not write the database: {error}. The previous database is "
            f"kept at {aside}"
        ) from error
    finally:
        target.close()
        source.close()
    database.dispose()
    return aside


def _restore_pg(database: Database, plain: Path) -> Path:
    pg_restore = _pg_tool("pg_restore")
    aside = _set_aside_path(
        default_backup_folder(), database.url.database or "database", PG_EXTENSION
    )
    _pg_dump(database, aside)
    database.dispose()
    _run_pg(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={database.url.database}",
            str(plain),
        ],
        database.url,
        f"Restoring (the previous database is kept at {aside})",
    )
    database.dispose()
    return aside
