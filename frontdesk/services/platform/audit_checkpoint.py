"""Signed checkpoints of the audit trail's head, kept outside the database, and checks against them.

The hash chain alone shows an entry changed by someone who did not rewrite every later hash.
Whoever can edit the table itself (the PostgreSQL superuser, anyone holding the SQLite file)
can rewrite the whole chain consistently, and ``verify_chain`` then finds nothing. A
checkpoint anchors the chain outside the server: it states how many entries there were and
the hash of the last one, at a moment, in a small file the practice keeps elsewhere (a USB
stick, an e-mail to the owner). Since the head hash covers every entry before it, any later
edit, deletion or insertion among those entries, or their truncation, no longer matches it.

The file is signed with an Ed25519 key that lives on the workstation that made it, never in
the database: someone who can rewrite the table, but not that workstation's key, cannot
produce a checkpoint that matches a rewritten trail and carries the signature of a key the
practice knows. What keeping the file away from the server buys is that the copies already
taken cannot be rewritten along with the table. Neither helps against changes made before the
checkpoint was written, or against someone who holds this workstation's account and so its key
and can also replace every copy of the file.

The private key is a 0600 file in this workstation's data folder rather than an entry in the
OS keyring: it must be there without anyone present (the checkpoint beside each automatic
backup at start-up, the command line on a machine with no unlocked keyring), and the keyring
protects only against other local accounts, which the file's mode already keeps out (any
program running as this login could read either).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from sqlalchemy import func, select, text

from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import FrontDeskError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.progress import ProgressCallback, no_progress
from frontdesk.paths import data_dir, private_folder
from frontdesk.private_files import open_private, scratch_file
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.audit import PG_AUDIT_LOCK
from frontdesk.services.kernel.clock import STAMP, clock_text
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.audit_trail import ChainReport, verify_chain

FORMAT = "frontdesk-audit-checkpoint"
FORMAT_VERSION = 1
CHECKPOINT_EXTENSION = ".checkpoint"
KEY_FOLDER = "keys"
KEY_FILE = "audit-checkpoint-ed25519.pem"
MAX_FILE_SIZE = 64 * 1024  # a checkpoint is a few hundred bytes; refuse to parse anything big
_FIELDS: dict[str, type] = {
    "format": str,
    "version": int,
    "entries": int,
    "last_entry_id": int,
    "head_hash": str,
    "made_at": str,
    "database": str,
    "made_by": str,
    "workstation": str,
    "public_key": str,
    "key_fingerprint": str,
}


class CheckpointFileError(FrontDeskError):
    """The file is missing, unreadable, not a checkpoint, unsigned or altered (exit 2)."""

    exit_code = 2


class CheckpointKeyError(FrontDeskError):
    """This workstation's signing key cannot be made or read."""

    exit_code = 1


# ---------------------------------------------------------------------------------------------
# The workstation's key


def key_path() -> Path:
    return private_folder(data_dir() / KEY_FOLDER) / KEY_FILE


def fingerprint(public_key: bytes) -> str:
    """What a person compares: the first 128 bits of SHA-256 of the raw key, in groups of 4."""
    digest = hashlib.sha256(public_key).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _create_key(path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with os.fdopen(open_private(partial), "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        # A link, not a rename: a key another process made meanwhile is never replaced (the
        # checkpoints it already signed must keep naming a key that still exists).
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def signing_key() -> Ed25519PrivateKey:
    """This workstation's signing key, made on first use."""
    path = key_path()
    try:
        if not path.exists():
            _create_key(path)
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise CheckpointKeyError(
            f"The checkpoint signing key at {path} could not be made or read: {error}"
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointKeyError(f"{path} does not hold an Ed25519 key")
    return key


def workstation_public_key() -> bytes | None:
    """This workstation's public key, or None when it has never made a checkpoint."""
    path = data_dir() / KEY_FOLDER / KEY_FILE
    if not path.exists():
        return None
    try:
        return _raw_public(signing_key())
    except CheckpointKeyError:
        return None  # a damaged key signed nothing we can vouch for


# ---------------------------------------------------------------------------------------------
# The checkpoint


@dataclass(frozen=True)
class Checkpoint:
    """What a signed checkpoint file states: the trail's first ``entries`` entries, up to
    ``last_entry_id``, chain to ``head_hash``."""

    entries: int
    last_entry_id: int
    head_hash: str
    made_at: datetime
    database: str
    made_by: str
    workstation: str
    public_key: bytes

    @property
    def key_fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def made_by_this_workstation(self) -> bool:
        return self.public_key == workstation_public_key()

    def describe_key(self) -> str:
        if self.made_by_this_workstation:
            return f"signed by this workstation's key ({self.key_fingerprint})"
        return (
            f"signed by the key {self.key_fingerprint} of workstation “{self.workstation}”, "
            "not this workstation's: make sure it is one of the practice's"
        )

    def describe_moment(self, zone: tzinfo) -> str:
        """When it was made, on the practice's clock (``zone``)."""
        when = clock_text(self.made_at, zone, STAMP)
        return f"the checkpoint of {when} ({self.entries:,} entries, up to #{self.last_entry_id})"

    def payload(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "entries": self.entries,
            "last_entry_id": self.last_entry_id,
            "head_hash": self.head_hash,
            "made_at": self.made_at.isoformat(),
            "database": self.database,
            "made_by": self.made_by,
            "workstation": self.workstation,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "key_fingerprint": self.key_fingerprint,
        }


def _signed_bytes(payload: dict[str, Any]) -> bytes:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return canonical.encode("utf-8")


def signed_text(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    """The file's content: readable JSON whose ``signature`` covers every other field
    (the public key written is always the signing key's own)."""
    payload = replace(checkpoint, public_key=_raw_public(key)).payload()
    signature = key.sign(_signed_bytes(payload))
    document = {**payload, "signature": base64.b64encode(signature).decode("ascii")}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_checkpoint(content: bytes, name: str) -> Checkpoint:
    """A checkpoint from a file's bytes, only if its signature holds."""
    try:
        document = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointFileError(f"{name} is not a Front Desk audit checkpoint")
    if document.get("version") != FORMAT_VERSION:
        raise CheckpointFileError(
            f"{name} is a checkpoint of another format (version {document.get('version')!r}); "
            "a newer Front Desk made it"
        )
    signature_text = document.pop("signature", None)
    if not isinstance(signature_text, str) or not signature_text:
        raise CheckpointFileError(f"{name} is not signed: it is not a checkpoint Front Desk made")
    for field, kind in _FIELDS.items():
        value = document.get(field)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise CheckpointFileError(f"{name} is not a complete checkpoint ({field} is missing)")
    try:
        public_key = base64.b64decode(document["public_key"], validate=True)
        signature = base64.b64decode(signature_text, validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, _signed_bytes(document))
    except (binascii.Error, ValueError, InvalidSignature):
        raise CheckpointFileError(
            f"{name} was altered after it was signed (its signature does not match): it cannot "
            "be trusted; use another copy of the checkpoint"
        ) from None
    try:
        made_at = datetime.fromisoformat(document["made_at"])
    except ValueError:
        made_at = None
    if (
        made_at is None
        or made_at.tzinfo is None
        or document["key_fingerprint"] != fingerprint(public_key)
        or document["entries"] < 1
    ):
        # Signed, yet inconsistent: not something Front Desk writes.
        raise CheckpointFileError(f"{name} is not a checkpoint Front Desk made")
    return Checkpoint(
        entries=document["entries"],
        last_entry_id=document["last_entry_id"],
        head_hash=document["head_hash"],
        made_at=made_at,
        database=document["database"],
        made_by=document["made_by"],
        workstation=document["workstation"],
        public_key=public_key,
    )


def read_checkpoint(path: Path | str) -> Checkpoint:
    """Read and check a checkpoint file: missing, unreadable, unsigned or altered ones raise."""
    file = Path(os.path.expanduser(str(path)))
    try:
        with file.open("rb") as handle:
            content = handle.read(MAX_FILE_SIZE + 1)
    except FileNotFoundError:
        raise CheckpointFileError(f"There is no checkpoint file at {file}") from None
    except IsADirectoryError:
        raise CheckpointFileError(f"{file} is a folder, not a checkpoint file") from None
    except OSError as error:
        raise CheckpointFileError(f"{file} could not be read: {error.strerror}") from None
    if len(content) > MAX_FILE_SIZE:
        raise CheckpointFileError(f"{file.name} is not a Front Desk audit checkpoint")
    return parse_checkpoint(content, file.name)


# ---------------------------------------------------------------------------------------------
# Making one


@dataclass(frozen=True)
class SavedCheckpoint:
    checkpoint: Checkpoint
    path: Path


def sign_head(
    context: ServiceContext, permission: Permission | None, purpose: str
) -> tuple[Checkpoint, str]:
    """Record a checkpoint entry, then sign the chain's head, that entry included.

    The entry comes first so the checkpoint covers its own recording: the count it states
    (``entries``) is the count the file states. Both happen in one transaction holding the
    trail's append lock, so no other entry slips in between.
    """
    key = signing_key()  # before anything is recorded: no key, no entry
    public_key = _raw_public(key)
    with context.writing(permission) as uow:
        session = uow.session
        if session.connection().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_AUDIT_LOCK})
        entries = (session.scalar(select(func.count()).select_from(AuditEntry)) or 0) + 1
        uow.record(
            "checkpoint",
            "audit_entries",
            details={"entries": entries, "key": fingerprint(public_key), "for": purpose},
        )
        last_id, head_hash = session.execute(
            select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
        ).one()
        checkpoint = Checkpoint(
            entries=entries,
            last_entry_id=last_id,
            head_hash=head_hash,
            made_at=datetime.now(UTC),
            database=context.database.describe(),
            made_by=context.actor.username,
            workstation=context.actor.workstation,
            public_key=public_key,
        )
        content = signed_text(checkpoint, key)
        uow.commit()
    return checkpoint, content


def _checkpoint_destination(path: Path | str) -> Path:
    file = Path(os.path.expanduser(str(path))).resolve()
    if file.is_dir():
        raise CheckpointFileError(f"{file} is a folder: give a file name for the checkpoint")
    if not file.parent.is_dir():
        raise CheckpointFileError(f"The folder {file.parent} does not exist")
    return file


def write_checkpoint(context: ServiceContext, path: Path | str) -> SavedCheckpoint:
    """Write a signed checkpoint of the trail's head to ``path`` (recorded in the trail).

    The file appears only once the recording is committed; if the commit fails, no file is
    left that names an entry the trail never got.
    """
    context.require(Permission.VIEW_AUDIT)
    destination = _checkpoint_destination(path)
    try:
        with scratch_file(destination, prefix=f".{destination.name}-") as partial:
            checkpoint, content = sign_head(context, Permission.VIEW_AUDIT, "file")
            write_text(partial, content)
    except OSError as error:
        raise CheckpointFileError(
            f"The checkpoint could not be written to {destination}: {error.strerror}"
        ) from error
    return SavedCheckpoint(checkpoint, destination)


def write_text(path: Path, content: str) -> None:
    with os.fdopen(open_private(path), "w", encoding="utf-8") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())


# ---------------------------------------------------------------------------------------------
# Checking the trail against one


@dataclass(frozen=True)
class CheckpointReport:
    checkpoint: Checkpoint
    chain: ChainReport
    problem: str | None
    # The practice's zone, for when the checkpoint was made.
    zone: tzinfo

    @property
    def intact(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        if self.problem is not None:
            return self.problem
        return (
            f"The audit trail is intact and matches {self.checkpoint.describe_moment(self.zone)}, "
            f"{self.checkpoint.describe_key()}; {self.chain.checked:,} entries checked"
        )


def verify_against_checkpoint(
    context: ServiceContext, path: Path | str, progress: ProgressCallback = no_progress
) -> CheckpointReport:
    """Check the file's signature, the whole chain, then that its first N entries still end
    in the checkpoint's head hash and that there are at least N of them.

    An intact chain means each stored hash is the chain over every entry up to it, so the
    N-th entry's hash equals the checkpoint's exactly when the first N are unchanged: an edit,
    a deletion or an insertion among them, even with every later hash rewritten, changes it,
    and a trail cut short has fewer than N entries.
    """
    checkpoint = read_checkpoint(path)
    chain = verify_chain(context, progress)
    zone = practice_clock.practice_zone(context)
    moment = checkpoint.describe_moment(zone)
    if not chain.intact:
        return CheckpointReport(checkpoint, chain, chain.describe(), zone)
    if chain.checked < checkpoint.entries:
        return CheckpointReport(
            checkpoint,
            chain,
            f"The audit trail was cut short: it holds {chain.checked:,} entries, but "
            f"{moment} counted {checkpoint.entries:,}; entries were deleted and the chain "
            "rewritten to hide it",
            zone,
        )
    with context.reading(Permission.VIEW_AUDIT) as session:
        row = session.execute(
            select(AuditEntry.id, AuditEntry.hash)
            .order_by(AuditEntry.id)
            .offset(checkpoint.entries - 1)
            .limit(1)
        ).one()
    if row.hash != checkpoint.head_hash:
        if row.id == checkpoint.last_entry_id:
            what = (
                f"entries among #1 to #{checkpoint.last_entry_id} were edited, deleted or "
                "inserted since then"
            )
        else:
            what = (
                f"entries were deleted from or inserted among #1 to "
                f"#{checkpoint.last_entry_id} since then"
            )
        return CheckpointReport(
            checkpoint,
            chain,
            f"The audit trail does not match {moment}: {what}, and the chain was rewritten "
            "to hide it",
            zone,
        )
    return CheckpointReport(checkpoint, chain, None, zone)
