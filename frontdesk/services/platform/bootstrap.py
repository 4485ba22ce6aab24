"""Opening the practice database for use: check or apply the schema (the URL: ``address``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from frontdesk.db import migrate
from frontdesk.db.engine import Database, open_database
from frontdesk.db.migrate import SchemaState, SchemaStatus
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import SchemaMismatchError
from frontdesk.services.kernel import audit
from frontdesk.services.kernel.changes import ChangeBus
from frontdesk.services.kernel.context import ServiceContext


def describe_url(url: str) -> str:
    """Which database a URL names, for a message: the file, or user@host:port/database;
    never the password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(an unreadable database address)"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "(in memory)"
    user = f"{parsed.username}@" if parsed.username else ""
    port = f":{parsed.port}" if parsed.port else ""
    return f"{user}{parsed.host or 'localhost'}{port}/{parsed.database or ''}"


def open_for_use(url: str, *, upgrade: bool = True) -> tuple[Database, Path | None]:
    """Open the database and bring its schema to this app's version.

    Returns the database and the path of the copy made before migrating, if one was made.
    A newer schema (from a newer app) is refused, and the file left untouched.
    """
    audit.install()
    database = open_database(url)
    if migrate.is_current(database):
        return database, None
    try:
        status = migrate.schema_status(database)
        if status.state is SchemaState.AHEAD or (
            not upgrade and status.state is not SchemaState.CURRENT
        ):
            raise SchemaMismatchError(status.describe())
        copy = migrate.upgrade(database) if status.state is not SchemaState.CURRENT else None
    except BaseException:
        database.dispose()
        raise
    return database, copy


def check_schema(url: str) -> SchemaStatus:
    database = open_database(url, create=False)
    try:
        return migrate.schema_status(database)
    finally:
        database.dispose()


def make_context(
    database: Database, actor: Actor, changes: ChangeBus | None = None
) -> ServiceContext:
    return ServiceContext(database=database, actor=actor, changes=changes or ChangeBus())
