"""Apply and check Alembic migrations; copy a SQLite file aside before changing it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from frontdesk.db.engine import Database
from frontdesk.domain.errors import SchemaMismatchError
from frontdesk.paths import private_folder
from frontdesk.private_files import create_private

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic costs 0.2-0.3 s to import: start-up only loads it when there is work to do.


class SchemaState(StrEnum):
    EMPTY = "empty"
    BEHIND = "behind"
    CURRENT = "current"
    AHEAD = "ahead"


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    current: str | None
    head: str

    def describe(self) -> str:
        return {
            SchemaState.EMPTY: f"The database is empty; it needs the schema {self.head}",
            SchemaState.BEHIND: (
                f"The database schema {self.current} is older than this app's {self.head}: "
                "run 'frontdesk db upgrade'"
            ),
            SchemaState.CURRENT: f"The database schema is current ({self.head})",
            SchemaState.AHEAD: (
                f"The database schema {self.current} is newer than this app knows "
                f"({self.head}): install the newer version of Front Desk"
            ),
        }[self.state]


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    location = resources.files("frontdesk.db") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def shipped_revisions() -> list[str]:
    """Revision ids of the migration files, oldest first (files are named NNNN_*.py)."""
    folder = resources.files("frontdesk.db") / "migrations" / "versions"
    names = (entry.name for entry in folder.iterdir())
    return sorted(
        name.split("_", 1)[0] for name in names if name[:4].isdigit() and name.endswith(".py")
    )


def is_current(database: Database) -> bool:
    """A quick check, without Alembic, that the schema is exactly this app's."""
    try:
        with database.engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return False
    revisions = shipped_revisions()
    return bool(revisions) and current == revisions[-1]


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def schema_status(database: Database) -> SchemaStatus:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    head = head_revision()
    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        state = SchemaState.EMPTY
    elif current == head:
        state = SchemaState.CURRENT
    else:
        try:
            known = script.get_revision(current) is not None
        except Exception:
            known = False
        state = SchemaState.BEHIND if known else SchemaState.AHEAD
    return SchemaStatus(state=state, current=current, head=head)


def backup_sqlite_file(source: Path, destination: Path) -> Path:
    """Copy a live SQLite file with SQLite's online backup API (safe while in use)."""
    private_folder(destination.parent)
    create_private(destination)  # a copy of the practice is as private as the original
    with sqlite3.connect(source) as src, sqlite3.connect(destination) as dst:
        src.backup(dst)
    return destination


def upgrade(database: Database, backup_dir: Path | None = None) -> Path | None:
    """Bring the schema to head. Returns the path of the copy made first, if any.

    A schema newer than the app is refused and the database left untouched.
    """
    status = schema_status(database)
    if status.state is SchemaState.AHEAD:
        raise SchemaMismatchError(status.describe())
    if status.state is SchemaState.CURRENT:
        return None
    copy: Path | None = None
    path = database.sqlite_path
    if path is not None and status.state is SchemaState.BEHIND:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = backup_dir or path.parent / "backups"
        copy = backup_sqlite_file(
            path, folder / f"{path.stem}-before-{status.head}-{stamp}.sqlite3"
        )
    from alembic import command

    config = _config()
    with database.write_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return copy
