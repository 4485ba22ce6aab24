"""Signed checkpoints of the audit trail: a rewritten chain fools plain verify, not them."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import PermissionDeniedError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.audit import GENESIS_HASH, entry_hash, hashed_fields
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_checkpoint, audit_trail, backup
from frontdesk.services.platform.audit_checkpoint import CheckpointFileError, CheckpointKeyError
from frontdesk.services.platform.audit_trail import AuditFilter
from tests.accounts import tamperable_audit_trail

Rows = list[dict[str, Any]]


def _record(context: ServiceContext, count: int, action: str = "view") -> None:
    actor = Actor(username="ana", role=Role.FRONT_DESK, workstation="desk-2")
    for index in range(count):
        with context.as_actor(actor).writing(None) as uow:
            uow.record(action, "patients", 100 + index, patient_id=100 + index)
            uow.commit()


class _Fields:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def rewrite_trail(
    database: Database, change: Callable[[Rows], Rows], *, renumber: bool = True
) -> None:
    """What a superuser who knows how the chain is made can do: change the rows, renumber
    them (or keep their ids) and recompute every link from the first, so the chain holds."""
    with database.read_sessions() as session:
        rows = [
            dict(row._mapping)
            for row in session.execute(select(AuditEntry.__table__).order_by(AuditEntry.id))
        ]
    rows = change(rows)
    prev = GENESIS_HASH
    for number, row in enumerate(rows, start=1):
        if renumber:
            row["id"] = number
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(prev, hashed_fields(_Fields(row)))
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(delete(AuditEntry))
        if rows:
            connection.execute(insert(AuditEntry), rows)
        if not database.is_sqlite:
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('audit_entries', 'id'), "
                    "(SELECT max(id) FROM audit_entries))"
                )
            )


@pytest.fixture
def saved(context: ServiceContext, tmp_path: Path) -> audit_checkpoint.SavedCheckpoint:
    """Ten entries, then a checkpoint (the 11th entry records it), then five more."""
    _record(context, 10)
    saved = audit_checkpoint.write_checkpoint(context, tmp_path / "trail.checkpoint")
    _record(context, 5, "update")
    return saved


def _verify(context: ServiceContext, saved: audit_checkpoint.SavedCheckpoint) -> Any:
    return audit_checkpoint.verify_against_checkpoint(context, saved.path)


# --- writing -----------------------------------------------------------------------------


def test_a_checkpoint_states_the_head_and_is_itself_recorded(
    context: ServiceContext, saved: audit_checkpoint.SavedCheckpoint
) -> None:
    checkpoint = saved.checkpoint
    assert (checkpoint.entries, checkpoint.last_entry_id) == (11, 11)
    assert checkpoint.made_by == "test.admin" and checkpoint.workstation == "test-desk"
    assert checkpoint.database == context.database.describe()
    entry = audit_trail.list_entries(context, AuditFilter(action="checkpoint")).entries[0]
    # The recording entry is the last one the checkpoint covers: its hash is the head.
    assert entry.id == checkpoint.last_entry_id
    assert entry.username == "test.admin"
    assert entry.details == {"entries": 11, "key": checkpoint.key_fingerprint, "for": "file"}
    with context.database.read_sessions() as session:
        assert session.get(AuditEntry, 11).hash == checkpoint.head_hash  # type: ignore[union-attr]
    on_disk = json.loads(saved.path.read_text(encoding="utf-8"))
    assert on_disk["entries"] == 11 and on_disk["signature"]
    assert on_disk["key_fingerprint"] == checkpoint.key_fingerprint


def test_the_signing_key_is_private_made_once_and_outside_the_database(
    context: ServiceContext, tmp_path: Path
) -> None:
    first = audit_checkpoint.write_checkpoint(context, tmp_path / "a.checkpoint")
    second = audit_checkpoint.write_checkpoint(context, tmp_path / "b.checkpoint")
    assert first.checkpoint.public_key == second.checkpoint.public_key
    key = audit_checkpoint.key_path()
    assert key.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert first.checkpoint.made_by_this_workstation
    assert "this workstation's key" in first.checkpoint.describe_key()


def test_the_front_desk_cannot_write_a_checkpoint(context: ServiceContext, tmp_path: Path) -> None:
    desk = context.as_actor(Actor(username="jo", role=Role.FRONT_DESK, workstation="d"))
    with pytest.raises(PermissionDeniedError):
        audit_checkpoint.write_checkpoint(desk, tmp_path / "x.checkpoint")
    assert not (tmp_path / "x.checkpoint").exists()


def test_a_checkpoint_into_a_missing_folder_records_nothing(
    context: ServiceContext, tmp_path: Path
) -> None:
    with pytest.raises(CheckpointFileError, match="does not exist"):
        audit_checkpoint.write_checkpoint(context, tmp_path / "gone" / "x.checkpoint")
    assert audit_trail.count_entries(context, AuditFilter(action="checkpoint")) == 0


# --- verifying ---------------------------------------------------------------------------


def test_an_intact_trail_matches_its_checkpoint(
    context: ServiceContext, saved: audit_checkpoint.SavedCheckpoint
) -> None:
    report = _verify(context, saved)
    assert report.intact
    assert "intact and matches the checkpoint of" in report.describe()
    assert "11 entries, up to #11" in report.describe()
    assert "16 entries checked" in report.describe()


def test_an_edit_with_every_hash_rewritten_fools_verify_but_not_the_checkpoint(
    context: ServiceContext, database: Database, saved: audit_checkpoint.SavedCheckpoint
) -> None:
    def forge(rows: Rows) -> Rows:
        rows[2]["details"] = '{"forged": true}'
        rows[2]["username"] = "someone.else"
        return rows

    rewrite_trail(database, forge)
    assert audit_trail.verify_chain(context).intact  # plain verify is fooled
    report = _verify(context, saved)
    assert not report.intact
    assert "does not match the checkpoint of" in report.describe()
    assert "entries among #1 to #11 were edited, deleted or inserted" in report.describe()


def test_a_deletion_with_the_chain_rewritten_is_caught(
    context: ServiceContext, database: Database, saved: audit_checkpoint.SavedCheckpoint
) -> None:
    rewrite_trail(database, lambda rows: rows[:4] + rows[5:], renumber=False)
    assert audit_trail.verify_chain(context).intact
    report = _verify(context, saved)
    assert not report.intact and "does not match the checkpoint" in report.describe()
    assert "entries were deleted from or inserted among #1 to #11" in report.describe()


def test_an_insertion_in_the_middle_is_caught(
    context: ServiceContext, database: Database, saved: audit_checkpoint.SavedCheckpoint
) -> None:
    def plant(rows: Rows) -> Rows:
        planted = {**rows[5], "username": "ghost", "details": '{"planted": true}'}
        return [*rows[:6], planted, *rows[6:]]

    rewrite_trail(database, plant)
    assert audit_trail.verify_chain(context).intact
    report = _verify(context, saved)
    assert not report.intact
    assert "does not match the checkpoint" in report.describe()


def test_a_truncated_trail_is_caught(
    context: ServiceContext, database: Database, saved: audit_checkpoint.SavedCheckpoint
) -> None:
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(delete(AuditEntry).where(AuditEntry.id > 8))
    assert audit_trail.verify_chain(context).intact  # cutting the end leaves no trace
    report = _verify(context, saved)
    assert not report.intact
    assert "cut short: it holds 8 entries" in report.describe()
    assert "counted 11" in report.describe()


def test_an_edit_not_rewritten_is_named_as_plain_verify_names_it(
    context: ServiceContext, database: Database, saved: audit_checkpoint.SavedCheckpoint
) -> None:
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET username = 'x' WHERE id = 13"))
    report = _verify(context, saved)
    assert not report.intact
    assert "broken at entry #13: it was edited" in report.describe()


# --- the file ----------------------------------------------------------------------------


def _edited(path: Path, **changes: Any) -> Path:
    document = json.loads(path.read_text(encoding="utf-8"))
    document.update(changes)
    forged = path.with_name("forged.checkpoint")
    forged.write_text(json.dumps(document), encoding="utf-8")
    return forged


def test_a_checkpoint_whose_numbers_were_edited_fails_its_signature(
    context: ServiceContext, database: Database, saved: audit_checkpoint.SavedCheckpoint
) -> None:
    # The superuser truncates the trail, then lowers the count in the file to match.
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(delete(AuditEntry).where(AuditEntry.id > 8))
    with database.read_sessions() as session:
        eighth = session.get(AuditEntry, 8)
        assert eighth is not None
        forged = _edited(saved.path, entries=8, last_entry_id=8, head_hash=eighth.hash)
    with pytest.raises(CheckpointFileError, match="altered after it was signed"):
        audit_checkpoint.verify_against_checkpoint(context, forged)


def test_an_unsigned_or_foreign_file_is_refused(
    saved: audit_checkpoint.SavedCheckpoint, tmp_path: Path
) -> None:
    document = json.loads(saved.path.read_text(encoding="utf-8"))
    del document["signature"]
    unsigned = tmp_path / "unsigned.checkpoint"
    unsigned.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CheckpointFileError, match="is not signed"):
        audit_checkpoint.read_checkpoint(unsigned)
    other = tmp_path / "notes.txt"
    other.write_text("shopping list", encoding="utf-8")
    with pytest.raises(CheckpointFileError, match="is not a Front Desk audit checkpoint"):
        audit_checkpoint.read_checkpoint(other)
    with pytest.raises(CheckpointFileError, match="There is no checkpoint file"):
        audit_checkpoint.read_checkpoint(tmp_path / "missing.checkpoint")


def test_a_checkpoint_signed_by_another_key_says_so(
    saved: audit_checkpoint.SavedCheckpoint, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = Ed25519PrivateKey.generate()
    forged = audit_checkpoint.signed_text(saved.checkpoint, stranger)
    path = tmp_path / "stranger.checkpoint"
    path.write_text(forged, encoding="utf-8")
    checkpoint = audit_checkpoint.read_checkpoint(path)
    assert checkpoint.key_fingerprint != saved.checkpoint.key_fingerprint
    assert not checkpoint.made_by_this_workstation
    assert "not this workstation's" in checkpoint.describe_key()
    assert checkpoint.key_fingerprint in checkpoint.describe_key()


def test_a_damaged_key_signs_nothing_records_nothing_and_spares_the_backup(
    context: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path / "home"))
    audit_checkpoint.key_path().write_text("not a key", encoding="utf-8")
    with pytest.raises(CheckpointKeyError, match="could not be made or read"):
        audit_checkpoint.write_checkpoint(context, tmp_path / "x.checkpoint")
    assert audit_trail.count_entries(context, AuditFilter(action="checkpoint")) == 0
    assert not (tmp_path / "x.checkpoint").exists()
    assert audit_checkpoint.workstation_public_key() is None
    made = backup.backup_database(context)
    assert made.path.is_file() and made.checkpoint is None
