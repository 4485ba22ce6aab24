"""Backups and restores: verified copies, encryption, refusals of bad files, on both backends."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
from importlib import resources
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from frontdesk.db.engine import open_database
from frontdesk.domain.errors import FrontDeskError, SchemaMismatchError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.domain.progress import Cancelled
from frontdesk.paths import data_dir
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_checkpoint, audit_trail, backup
from frontdesk.services.platform.audit_trail import AuditFilter
from frontdesk.services.platform.backup import DamagedBackupError, WrongPassphraseError
from frontdesk.services.practice import settings
from frontdesk.services.practice.forms import LocationForm, PracticeProfileForm
from frontdesk.services.practice.locations import list_locations, save_location
from frontdesk.services.practice.profile import get_profile, save_profile
from tests.conftest import make_actor

PASSPHRASE = "river stone lantern"
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])
postgres_only = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)]
)


@pytest.fixture(autouse=True)
def _empty_backup_folder() -> None:
    """The data folder's backups are shared by the whole run: start each test without any."""
    shutil.rmtree(backup.default_backup_folder(), ignore_errors=True)


def _locations(context: ServiceContext) -> list[str]:
    return [location.name for location in list_locations(context)]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _outside(tmp_path: Path) -> Path:
    folder = tmp_path / "usb-stick"
    folder.mkdir()
    assert not folder.resolve().is_relative_to(data_dir().resolve())
    return folder


# --- both backends -----------------------------------------------------------------------


def test_backup_and_restore_round_trip(context: ServiceContext) -> None:
    save_location(context, LocationForm(name="North Clinic"))
    made = backup.backup_database(context)
    assert made.path.parent == backup.default_backup_folder().resolve()
    assert backup.BACKUP_NAME.match(made.path.name)
    assert not made.encrypted
    save_location(context, LocationForm(name="South Clinic"))
    assert _locations(context) == ["North Clinic", "South Clinic"]

    restored = backup.restore_database(context, made.path)

    assert _locations(context) == ["North Clinic"]
    assert restored.set_aside.exists()
    assert not restored.migrated
    assert audit_trail.verify_chain(context).intact
    last = audit_trail.list_entries(context, limit=1).entries[0]
    assert (last.action, last.details["file"]) == ("restore", made.path.name)


def test_each_backup_has_a_signed_checkpoint_beside_it(context: ServiceContext) -> None:
    save_location(context, LocationForm(name="North Clinic"))
    made = backup.backup_database(context)
    assert made.checkpoint == made.path.with_name(made.path.name + ".checkpoint")
    checkpoint = audit_checkpoint.read_checkpoint(made.checkpoint)
    recorded = audit_trail.list_entries(context, AuditFilter(action="checkpoint")).entries[0]
    assert (recorded.id, recorded.details["for"]) == (checkpoint.last_entry_id, "backup")
    save_location(context, LocationForm(name="South Clinic"))
    assert audit_checkpoint.verify_against_checkpoint(context, made.checkpoint).intact
    # Signed before the copy: the backup holds every entry its checkpoint covers.
    backup.restore_database(context, made.path)
    assert audit_checkpoint.verify_against_checkpoint(context, made.checkpoint).intact


def test_a_backup_says_whose_practice_it_holds(context: ServiceContext) -> None:
    """Restoring another practice's backup is never a surprise: the question names both."""
    save_profile(
        context,
        PracticeProfileForm(name="Lakeside Spine, O'Neil & Co", main_phone="217-555-0100"),
        None,
    )
    ours = backup.backup_database(context)
    verified = backup.verify_backup(context, ours.path)
    assert verified.practice_name == "Lakeside Spine, O'Neil & Co"
    assert not verified.other_practice

    version = get_profile(context).version  # type: ignore[union-attr]
    save_profile(
        context,
        PracticeProfileForm(name="Hillcrest Orthopedics", main_phone="217-555-0199"),
        version,
    )
    theirs = backup.verify_backup(context, ours.path)
    assert theirs.other_practice
    assert (theirs.practice_name, theirs.current_practice_name) == (
        "Lakeside Spine, O'Neil & Co",
        "Hillcrest Orthopedics",
    )


def test_encrypted_round_trip(context: ServiceContext, tmp_path: Path) -> None:
    save_location(context, LocationForm(name="Lakeside Annex"))
    stick = _outside(tmp_path)
    made = backup.backup_database(context, stick, passphrase=PASSPHRASE)
    assert made.encrypted and made.path.name.endswith(".encrypted")
    content = made.path.read_bytes()
    assert content.startswith(backup.MAGIC)
    assert b"Lakeside Annex" not in content
    assert backup.inspect_backup(made.path).encrypted
    save_location(context, LocationForm(name="Later Site"))
    with pytest.raises(ValidationError, match="encrypted: give its passphrase"):
        backup.restore_database(context, made.path)
    backup.restore_database(context, made.path, passphrase=PASSPHRASE)
    assert _locations(context) == ["Lakeside Annex"]


def test_outside_the_data_folder_a_backup_is_encrypted_unless_declined(
    context: ServiceContext, tmp_path: Path
) -> None:
    stick = _outside(tmp_path)
    assert backup.will_encrypt(stick, None)
    assert not backup.will_encrypt(None, None)
    with pytest.raises(ValidationError, match="outside this computer's Front Desk data folder"):
        backup.backup_database(context, stick)
    assert list(stick.iterdir()) == []
    plain = backup.backup_database(context, stick, encrypt=False)
    assert not plain.encrypted and not backup.inspect_backup(plain.path).encrypted


def test_a_wrong_passphrase_changes_nothing(context: ServiceContext, tmp_path: Path) -> None:
    save_location(context, LocationForm(name="Kept"))
    made = backup.backup_database(context, _outside(tmp_path), passphrase=PASSPHRASE)
    save_location(context, LocationForm(name="Also Kept"))
    entries_before = audit_trail.count_entries(context)
    with pytest.raises(WrongPassphraseError, match="does not open"):
        backup.restore_database(context, made.path, passphrase="river stone lanterns")
    assert _locations(context) == ["Also Kept", "Kept"]
    assert audit_trail.count_entries(context) == entries_before


@pytest.mark.parametrize(
    "damage",
    ["truncate-half", "truncate-tag", "flip-body", "flip-header", "append", "empty"],
)
def test_a_tampered_or_truncated_encrypted_backup_is_refused(
    context: ServiceContext, tmp_path: Path, damage: str
) -> None:
    save_location(context, LocationForm(name="Kept"))
    made = backup.backup_database(context, _outside(tmp_path), passphrase=PASSPHRASE)
    save_location(context, LocationForm(name="Also Kept"))
    data = bytearray(made.path.read_bytes())
    if damage == "truncate-half":
        data = data[: len(data) // 2]
    elif damage == "truncate-tag":
        data = data[:-1]
    elif damage == "flip-body":
        data[backup.HEADER_SIZE + 100] ^= 0x01
    elif damage == "flip-header":
        data[12] ^= 0x01  # inside the salt: the passphrase no longer opens it
    elif damage == "append":
        data += b"\x00" * 64
    else:
        data = data[:0]
    made.path.write_bytes(bytes(data))
    with pytest.raises((DamagedBackupError, WrongPassphraseError)):
        backup.restore_database(context, made.path, passphrase=PASSPHRASE)
    assert _locations(context) == ["Also Kept", "Kept"]


def test_a_file_that_is_not_a_backup_is_refused(context: ServiceContext, tmp_path: Path) -> None:
    stray = tmp_path / "notes.sqlite3"
    stray.write_text("SELECT 1; -- not a database\n", encoding="utf-8")
    with pytest.raises(DamagedBackupError, match="not a Front Desk backup"):
        backup.restore_database(context, stray)
    with pytest.raises(FrontDeskError, match="no backup file"):
        backup.restore_database(context, tmp_path / "missing.sqlite3")


def test_only_the_last_backups_are_kept(context: ServiceContext, tmp_path: Path) -> None:
    settings.set_setting(context, settings.BACKUPS_TO_KEEP, 3)
    folder = tmp_path / "kept"
    folder.mkdir()
    bystanders = [folder / "notes.txt", folder / "frontdesk-backup-notes.txt"]
    for path in bystanders:
        path.write_text("not a backup", encoding="utf-8")
    made = [backup.backup_database(context, folder, encrypt=False) for _ in range(5)]
    remaining = sorted(p.name for p in folder.iterdir() if backup.BACKUP_NAME.match(p.name))
    assert remaining == sorted(m.path.name for m in made[-3:])
    assert made[-1].removed == (made[1].path,)
    assert all(path.exists() for path in bystanders)
    assert not any(
        p.name.endswith(".sha256") and not Path(str(p)[:-7]).exists() for p in folder.iterdir()
    )
    checkpoints = sorted(p.name for p in folder.glob("*.checkpoint"))
    assert checkpoints == sorted(m.path.name + ".checkpoint" for m in made[-3:])
    listed = backup.list_backups(context, folder)
    assert [item.path for item in listed] == [m.path for m in reversed(made[-3:])]


def test_a_label_cannot_leave_the_chosen_folder(context: ServiceContext, tmp_path: Path) -> None:
    folder = tmp_path / "chosen"
    folder.mkdir()
    made = backup.backup_database(context, folder, encrypt=False, label="../../etc/passwd\x00")
    assert made.path.parent == folder.resolve()
    assert "-etc-passwd" in made.path.name and "/" not in made.path.name
    with pytest.raises(ValidationError, match="does not exist"):
        backup.backup_database(context, tmp_path / "nowhere", encrypt=False)
    with pytest.raises(ValidationError, match="not a folder"):
        backup.backup_database(context, made.path, encrypt=False)


def test_staff_cannot_back_up_or_restore(context: ServiceContext) -> None:
    made = backup.backup_database(context)
    staff = context.as_actor(make_actor(Role.FRONT_DESK, "desk"))
    with pytest.raises(FrontDeskError, match="may not"):
        backup.backup_database(staff)
    with pytest.raises(FrontDeskError, match="may not"):
        backup.restore_database(staff, made.path)


# --- SQLite ------------------------------------------------------------------------------


@sqlite_only
def test_a_sqlite_backup_is_verified_against_the_database(context: ServiceContext) -> None:
    save_location(context, LocationForm(name="North Clinic"))
    made = backup.backup_database(context)
    path = context.database.sqlite_path
    assert path is not None
    live = sqlite3.connect(path)
    copy = sqlite3.connect(made.path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert made.table_rows["locations"] == 1
        for table, rows in made.table_rows.items():
            assert copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == rows
            if table != "audit_entries":  # the backup's own entry comes after the copy
                assert live.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == rows
    finally:
        live.close()
        copy.close()
    checksum = made.path.with_name(made.path.name + ".sha256").read_text(encoding="utf-8")
    assert checksum.split()[0] == _file_digest(made.path)


@sqlite_only
@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_plain_backup_is_refused(
    context: ServiceContext, tmp_path: Path, damage: str
) -> None:
    save_location(context, LocationForm(name="Kept"))
    made = backup.backup_database(context)
    data = bytearray(made.path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF
    made.path.write_bytes(bytes(data))
    with pytest.raises(DamagedBackupError, match="checksum"):
        backup.restore_database(context, made.path)
    # Without its checksum file, SQLite's own check still catches the truncation.
    if damage == "truncate":
        made.path.with_name(made.path.name + ".sha256").unlink()
        with pytest.raises(DamagedBackupError):
            backup.restore_database(context, made.path)
    assert _locations(context) == ["Kept"]


@sqlite_only
def test_a_backup_can_be_cancelled_and_leaves_nothing(
    context: ServiceContext, tmp_path: Path
) -> None:
    folder = tmp_path / "cancelled"
    folder.mkdir()
    with pytest.raises(Cancelled):
        backup.backup_database(context, folder, encrypt=False, progress=lambda _d, _t: False)
    assert list(folder.iterdir()) == []


@sqlite_only
def test_restore_reaches_connections_already_open(
    context: ServiceContext, database_url: str
) -> None:
    made = backup.backup_database(context)
    save_location(context, LocationForm(name="Added Later"))
    other = open_database(database_url)  # another window or process on the same file
    try:
        other_context = context.__class__(other, context.actor)
        assert _locations(other_context) == ["Added Later"]
        backup.restore_database(context, made.path)
        assert _locations(other_context) == []
    finally:
        other.dispose()


def _migrations_config(connection: object) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("frontdesk.db") / "migrations"))
    config.attributes["connection"] = connection
    return config


@sqlite_only
def test_restoring_an_older_backup_migrates_it(context: ServiceContext, tmp_path: Path) -> None:
    old_file = tmp_path / "frontdesk-backup-20240101T000000Z.sqlite3"
    old = open_database(f"sqlite:///{old_file}")
    with old.write_engine.begin() as connection:
        command.upgrade(_migrations_config(connection), "0001")
    old.dispose()
    result = backup.restore_database(context, old_file)
    assert result.migrated
    from frontdesk.db import migrate

    assert migrate.schema_status(context.database).state is migrate.SchemaState.CURRENT


@sqlite_only
def test_a_backup_from_a_newer_app_is_refused(context: ServiceContext, tmp_path: Path) -> None:
    save_location(context, LocationForm(name="Kept"))
    made = backup.backup_database(context, tmp_path, encrypt=False)
    copy = tmp_path / "newer.sqlite3"
    shutil.copyfile(made.path, copy)
    connection = sqlite3.connect(copy)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    with pytest.raises(SchemaMismatchError, match="newer version"):
        backup.restore_database(context, copy)
    assert _locations(context) == ["Kept"]


@sqlite_only
def test_start_up_backs_up_once_a_day(context: ServiceContext) -> None:
    desk = context.as_actor(make_actor(Role.FRONT_DESK, "desk"))
    first = backup.backup_if_due(desk)
    assert first is not None and not first.encrypted
    assert backup.backup_if_due(desk) is None
    aged = first.path.with_name("frontdesk-backup-20200101T000000Z.sqlite3")
    first.path.rename(aged)
    second = backup.backup_if_due(desk)
    assert second is not None and second.path != aged
    entry = audit_trail.list_entries(context, AuditFilter(action="backup")).entries[0]
    assert entry.username == "desk"


def test_the_sealed_format_catches_reordered_and_cut_chunks(tmp_path: Path) -> None:
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(backup.CHUNK_SIZE * 2 + 1234))
    sealed = io.BytesIO()
    backup.encrypt_file(plain, sealed, PASSPHRASE)
    data = sealed.getvalue()
    size = backup.CHUNK_SIZE + backup.TAG_SIZE
    head, body = data[: backup.HEADER_SIZE], data[backup.HEADER_SIZE :]
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    assert len(chunks) == 3
    variants = {
        "cut at a chunk boundary": head + chunks[0] + chunks[1],
        "chunks swapped": head + chunks[1] + chunks[0] + chunks[2],
        "chunk dropped": head + chunks[0] + chunks[2],
    }
    target = tmp_path / "sealed"
    for name, variant in variants.items():
        target.write_bytes(variant)
        with pytest.raises(DamagedBackupError):
            backup.decrypt_file(target, io.BytesIO(), PASSPHRASE)
            pytest.fail(name)
    target.write_bytes(data)
    out = io.BytesIO()
    backup.decrypt_file(target, out, PASSPHRASE)
    assert out.getvalue() == plain.read_bytes()


@pytest.mark.parametrize(
    ("log2_n", "r", "p", "chunk_size"),
    [
        (22, 32, 1, backup.CHUNK_SIZE),
        (18, 8, 1, backup.CHUNK_SIZE),
        (17, 8, 16, backup.CHUNK_SIZE),
        (17, 8, 1, 64 * 1024 * 1024),
    ],
)
def test_a_crafted_header_cannot_make_restore_derive_a_costlier_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log2_n: int, r: int, p: int, chunk_size: int
) -> None:
    """Key derivation costs are bounded to those we write (22/32 would ask scrypt for 16 GiB)."""
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"x" * 100)
    sealed = io.BytesIO()
    backup.encrypt_file(plain, sealed, PASSPHRASE)
    fields = list(backup._HEADER.unpack(sealed.getvalue()[: backup._HEADER.size]))
    fields[2:5], fields[7] = [log2_n, r, p], chunk_size
    crafted = tmp_path / "crafted"
    crafted.write_bytes(backup._HEADER.pack(*fields) + sealed.getvalue()[backup._HEADER.size :])

    def no_derivation(*args: object) -> tuple[bytes, bytes]:
        raise AssertionError("a key was derived from a crafted header")

    monkeypatch.setattr(backup, "_derive", no_derivation)
    with pytest.raises(DamagedBackupError, match="damaged header"):
        backup.decrypt_file(crafted, io.BytesIO(), PASSPHRASE)


# --- PostgreSQL --------------------------------------------------------------------------


@postgres_only
def test_postgres_backup_needs_pg_dump_and_says_what_to_install(
    context: ServiceContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without the client tools
    with pytest.raises(FrontDeskError, match=r"'pg_dump' was not found.*postgresql-client"):
        backup.backup_database(context)


@postgres_only
def test_a_sqlite_backup_is_not_restored_into_postgres(
    context: ServiceContext, tmp_path: Path
) -> None:
    file = tmp_path / "frontdesk-backup-20240101T000000Z.sqlite3"
    sqlite_db = open_database(f"sqlite:///{file}")
    with sqlite_db.write_engine.begin() as connection:
        command.upgrade(_migrations_config(connection), "head")
    sqlite_db.dispose()
    with pytest.raises(FrontDeskError, match="is a SQLite backup; this database is PostgreSQL"):
        backup.restore_database(context, file)
