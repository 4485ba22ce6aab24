"""Opening databases: what is refused, and the SQLite settings that keep data safe."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk.db.engine import open_database
from frontdesk.db.filesystems import is_network_path
from frontdesk.domain.errors import DatabaseUnavailableError

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
server:/export /mnt/clinic nfs4 rw,relatime 0 0
//nas/share /media/front\\040desk cifs rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "network"),
    [
        ("/home/desk/frontdesk.sqlite3", False),
        ("/mnt/clinic/frontdesk.sqlite3", True),
        ("/mnt/clinic/sub/dir/db.sqlite3", True),
        ("/mnt/clinical/db.sqlite3", False),
        ("/media/front desk/db.sqlite3", True),
        ("\\\\server\\share\\frontdesk.sqlite3", True),
        ("//server/share/frontdesk.sqlite3", True),
    ],
)
def test_network_file_systems_are_recognized(path: str, network: bool) -> None:
    assert is_network_path(Path(path), MOUNTS) is network


def test_a_file_on_a_network_share_is_refused_with_advice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("frontdesk.db.engine.is_network_path", lambda _path: True)
    with pytest.raises(DatabaseUnavailableError, match="PostgreSQL server"):
        open_database(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    assert not (tmp_path / "shared.sqlite3").exists()


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"Dear Dr. Patel,\n" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseUnavailableError, match="not a Front Desk"):
        open_database(f"sqlite:///{path}")
    assert path.read_bytes() == before


def test_unreachable_server_gives_one_plain_sentence() -> None:
    with pytest.raises(DatabaseUnavailableError) as caught:
        open_database("postgresql://nobody@127.0.0.1:1/frontdesk")
    message = str(caught.value)
    assert "Cannot reach the database server" in message
    assert "\n" not in message


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(DatabaseUnavailableError, match="not 'mysql'"):
        open_database("mysql://root@localhost/frontdesk")


def test_sqlite_connections_are_safe(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'safe.sqlite3'}")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    database.dispose()


def test_describe_never_shows_a_password() -> None:
    database = open_database("postgresql://postgres:s3cret@127.0.0.1:5432/postgres")
    assert "s3cret" not in database.describe()
    assert database.describe() == "postgresql://127.0.0.1:5432/postgres"
    database.dispose()


def _claim_slots(path: str, worker: int, slots: int, queue: multiprocessing.Queue) -> None:
    database = open_database(f"sqlite:///{path}")
    claimed, errors = 0, []
    for slot in range(slots):
        try:
            with database.write_sessions() as session:
                taken = session.execute(
                    text("SELECT 1 FROM slots WHERE slot = :slot"), {"slot": slot}
                ).first()
                if taken is None:
                    session.execute(
                        text("INSERT INTO slots (slot, worker) VALUES (:slot, :worker)"),
                        {"slot": slot, "worker": worker},
                    )
                    claimed += 1
                session.commit()
        except Exception as error:
            errors.append(str(error).splitlines()[0])
    database.dispose()
    queue.put((claimed, errors))


@pytest.mark.slow
def test_concurrent_writers_never_see_database_is_locked(tmp_path: Path) -> None:
    """8 processes race for 200 slots: every slot is taken once, no writer fails."""
    path = tmp_path / "race.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE slots (slot INTEGER PRIMARY KEY, worker INTEGER)")
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = context.Queue()
    workers = [
        context.Process(target=_claim_slots, args=(str(path), n, 200, queue)) for n in range(8)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [error for _, errors in results for error in errors] == []
    assert sum(claimed for claimed, _ in results) == 200
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM slots").fetchone() == (200,)
