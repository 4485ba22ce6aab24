"""Schema migrations: applied with a copy aside, checked, and a newer schema refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk.db import migrate
from frontdesk.db.engine import Database, open_database
from frontdesk.db.migrate import SchemaState
from frontdesk.domain.errors import SchemaMismatchError
from frontdesk.services.platform.bootstrap import open_for_use


def test_a_new_file_is_created_at_the_current_schema(tmp_path: Path) -> None:
    database, copy = open_for_use(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert copy is None  # nothing to keep from an empty file
    assert migrate.schema_status(database).state is SchemaState.CURRENT
    database.dispose()


def test_an_older_sqlite_file_is_copied_aside_before_upgrading(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "old.sqlite3"
    database = open_database(f"sqlite:///{path}")
    config = migrate._config()
    with database.write_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")  # the file as the first release left it
    database.dispose()
    database, copy = open_for_use(f"sqlite:///{path}")
    assert copy is not None and copy.exists()
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert migrate.schema_status(database).state is SchemaState.CURRENT
    database.dispose()


def test_a_schema_newer_than_the_app_is_refused_untouched(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    status = migrate.schema_status(database)
    assert status.state is SchemaState.AHEAD
    with pytest.raises(SchemaMismatchError, match="newer than this app"):
        migrate.upgrade(database)
    with database.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
        )


def test_the_current_schema_matches_the_models(database: Database) -> None:
    """Autogenerate finds nothing to do: the migrations and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from frontdesk.db.models import Base

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_quick_start_up_check_agrees_with_alembic(database: Database) -> None:
    """Start-up skips Alembic when the stamp is the newest file: that file must be the head."""
    assert migrate.shipped_revisions()[-1] == migrate.head_revision()
    assert migrate.is_current(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert not migrate.is_current(database)
