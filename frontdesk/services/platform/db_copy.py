"""Copy a whole Front Desk database to another (SQLite <-> PostgreSQL) and verify the copy.

The move to a shared server is one guided step: every table of the current schema is copied
in dependency order, ids, timestamps, text and documents exactly as stored, and the copy is
then read back and compared with the source, table by table.

How an interrupted copy stays safe: every row is written in ONE transaction on the target.
Killing the process at any moment leaves the target as it was before (empty, or holding its
old data when replacing); PostgreSQL and SQLite both roll back a transaction whose client
went away. The only step outside that transaction is creating the schema on an empty
database, which leaves an empty, current database behind: running the copy again starts
over cleanly. So no "copy in progress" marker is needed, and none is written.

The audit trail is append-only (triggers refuse UPDATE and DELETE). A copy only inserts, which
the triggers allow. Replacing a target that already holds audit entries empties it with
TRUNCATE on PostgreSQL (it fires no row triggers; only the tables' owner may run it) and, on
SQLite, drops the triggers, deletes and recreates the triggers from their stored SQL, all
inside the same transaction, so a failure puts them back.

A copy is a disclosure of every record, so it is recorded like the patient export: an
"export" entry (the destination's kind and file or database name, the rows planned, who) is
committed in the SOURCE's trail before the first row is read, and a copy that then fails or
is cancelled adds "export_abandoned". Being committed first, the entry is in the copy too.
Off a PostgreSQL server only an admin account of that server may copy (``sign_in_to_source``);
a SQLite file is copied by an admin or the computer's login, as its other commands are.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Integer, Table, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from frontdesk.db import migrate
from frontdesk.db.engine import Database, open_database
from frontdesk.db.migrate import SchemaState
from frontdesk.db.models import AuditEntry, Base, CommittedUnit, User
from frontdesk.domain.actor import Actor, operating_system_actor, workstation_name
from frontdesk.domain.errors import (
    DatabaseUnavailableError,
    FrontDeskError,
    PermissionDeniedError,
    RefusedError,
    ValidationError,
)
from frontdesk.domain.permissions import Permission, Role, role_allows
from frontdesk.domain.progress import Cancelled, ProgressCallback, no_progress, report_or_cancel
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_trail
from frontdesk.services.platform.audit_trail import ChainReport
from frontdesk.services.platform.person_sign_in import base_url
from frontdesk.services.practice.sign_in import sign_in, sign_in_connected

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 10_000
# Rows with documents (up to 50 MB each) are read and written a few at a time.
BINARY_BATCH_SIZE = 4
CHECKSUM_BITS = 128
LOCK_TIMEOUT = "15s"

StageCallback = Callable[[str], None]


def no_stage(_text: str) -> None:
    return None


class CopyRefusedError(RefusedError):
    """The copy was refused before anything was written (exit 1): say what to do instead."""


class CopyFailedError(FrontDeskError):
    """The copy stopped part way; its transaction was rolled back, so the target is as before."""

    exit_code = 1


class TargetState(StrEnum):
    NEEDS_SCHEMA = "needs schema"  # an empty database: the copy creates the tables first
    EMPTY = "empty"  # current schema, no records (rows the migrations add do not count)
    HOLDS_DATA = "holds data"


# ---------------------------------------------------------------------------------------------
# Plain data


@dataclass(frozen=True)
class TableCheck:
    """One table compared after the copy: row counts and content checksums on both sides."""

    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def matches(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum

    def describe(self) -> str:
        if self.matches:
            return f"{self.table}: {self.source_rows:,} rows, identical"
        if self.source_rows != self.target_rows:
            return (
                f"{self.table}: {self.source_rows:,} rows in the source but "
                f"{self.target_rows:,} in the target"
            )
        return f"{self.table}: {self.source_rows:,} rows on both sides, but their contents differ"


@dataclass(frozen=True)
class CopyPlan:
    """What a copy would do, for the confirmation step (the Admin dialog, the CLI prompt)."""

    source: str
    target: str
    source_rows: dict[str, int]
    target_state: TargetState
    target_rows: int

    @property
    def total_rows(self) -> int:
        return sum(self.source_rows.values())

    def describe(self) -> str:
        what = f"Copy {self.total_rows:,} records from {self.source} to {self.target}"
        if self.target_state is TargetState.NEEDS_SCHEMA:
            return f"{what} (an empty database: its tables are created first)"
        if self.target_state is TargetState.HOLDS_DATA:
            return (
                f"{what}, replacing the {self.target_rows:,} records already there "
                "(they are deleted)"
            )
        return what


@dataclass(frozen=True)
class CopyReport:
    """The outcome of a copy (or of verifying one): every table compared, and the audit chain."""

    source: str
    target: str
    tables: tuple[TableCheck, ...]
    target_chain: ChainReport
    # Checked only when the target's chain is broken: was it already broken in the source?
    source_chain: ChainReport | None = None
    copied: bool = True
    created_schema: bool = False
    replaced: bool = False
    copy_seconds: float = 0.0
    verify_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(check.source_rows for check in self.tables)

    @property
    def differing(self) -> tuple[str, ...]:
        return tuple(check.table for check in self.tables if not check.matches)

    @property
    def ok(self) -> bool:
        return not self.differing and self.target_chain.intact

    def describe(self) -> str:
        """A few plain lines: what was copied, and whether the copy is exact."""
        lines = []
        if self.copied:
            lines.append(
                f"Copied {self.rows:,} records in {len(self.tables)} tables from {self.source} "
                f"to {self.target} in {_duration(self.copy_seconds)}"
            )
        if not self.differing:
            lines.append(
                f"Verified in {_duration(self.verify_seconds)}: every table has the same rows "
                "and the same contents on both sides"
            )
        else:
            lines.append(f"These tables differ: {', '.join(self.differing)}")
            lines.extend(f"  {check.describe()}" for check in self.tables if not check.matches)
        if self.target_chain.intact:
            lines.append(
                f"The audit trail on the target is intact ({self.target_chain.checked:,} entries)"
            )
        else:
            lines.append(f"On the target: {self.target_chain.describe()}")
            if self.source_chain is not None and not self.source_chain.intact:
                lines.append(f"It was already so in the source: {self.source_chain.describe()}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source": self.source,
            "target": self.target,
            "rows": self.rows,
            "copied": self.copied,
            "created_schema": self.created_schema,
            "replaced": self.replaced,
            "copy_seconds": round(self.copy_seconds, 3),
            "verify_seconds": round(self.verify_seconds, 3),
            "differing": list(self.differing),
            "tables": [
                {
                    "table": check.table,
                    "source_rows": check.source_rows,
                    "target_rows": check.target_rows,
                    "source_checksum": check.source_checksum,
                    "target_checksum": check.target_checksum,
                    "matches": check.matches,
                }
                for check in self.tables
            ],
            "audit_chain": {
                "intact": self.target_chain.intact,
                "checked": self.target_chain.checked,
                "message": self.target_chain.describe(),
            },
        }


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


# ---------------------------------------------------------------------------------------------
# Checksums: the same normalized values on both backends, whatever each driver returns


def _utc_text(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # never written by the app; SQLite holds UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return _canonical(value)


def _date_text(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return _canonical(value)


def _bytes_digest(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    return _canonical(value)


def _bool_value(value: Any) -> Any:
    return bool(value)


def _number_text(value: Any) -> Any:
    if isinstance(value, float):
        return float.hex(value)  # exact: no decimal rounding, -0.0 and nan distinct
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _canonical(value: Any) -> Any:
    """Any value, for columns whose Python type the column does not declare."""
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return _bytes_digest(value)
    if isinstance(value, float | Decimal):
        return _number_text(value)
    return value


def _normalizer(column: Any) -> Callable[[Any], Any] | None:
    """How one column's values are normalized before hashing (None: used as they are)."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return _canonical
    if issubclass(kind, datetime):
        return _utc_text
    if issubclass(kind, date):
        return _date_text
    if issubclass(kind, bytes):
        return _bytes_digest
    if issubclass(kind, bool):
        return _bool_value
    if issubclass(kind, float | Decimal):
        return _number_text
    if issubclass(kind, str | int):
        return None
    return _canonical


class TableChecksum:
    """An order-independent checksum of a table's rows: the sum of each row's digest.

    Each row is normalized (timestamps as UTC ISO text to the microsecond, dates as ISO,
    booleans as booleans, documents as their SHA-256, floats in exact hex, NULL as None),
    written as Python's repr of the tuple (unambiguous for str, int, bool and None) and
    hashed with BLAKE2b. Summing the digests makes the result independent of row order,
    so the two backends need not sort text keys the same way, and tables without a
    primary key are covered too; a changed, missing or extra row changes the sum.
    """

    def __init__(self, table: Table) -> None:
        self.special = [
            (index, normalize)
            for index, column in enumerate(table.columns)
            if (normalize := _normalizer(column)) is not None
        ]
        self.rows = 0
        self._sum = 0

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        total = self._sum
        special = self.special
        blake2b = hashlib.blake2b
        for row in rows:
            values = list(row)
            for index, normalize in special:
                value = values[index]
                if value is not None:
                    values[index] = normalize(value)
            digest = blake2b(
                repr(tuple(values)).encode("utf-8", "surrogatepass"), digest_size=16
            ).digest()
            total += int.from_bytes(digest, "big")
        self._sum = total % (1 << CHECKSUM_BITS)
        self.rows += len(rows)

    @property
    def hexdigest(self) -> str:
        return f"{self._sum:032x}"


# ---------------------------------------------------------------------------------------------
# Opening and checking both databases


def copy_tables() -> list[Table]:
    """Every table of the current schema, parents before children, but committed_units:
    the ids of a server's last saves settle a COMMIT lost on that server only, and are no
    records (a target holding just those is empty)."""
    return [table for table in Base.metadata.sorted_tables if table is not CommittedUnit.__table__]


def _same_database(source: Database, target: Database) -> bool:
    if source.is_sqlite != target.is_sqlite:
        return False
    if source.is_sqlite:
        a, b = source.sqlite_path, target.sqlite_path
        return a is not None and b is not None and a.resolve() == b.resolve()
    return (source.url.host or "localhost", source.url.port or 5432, source.url.database) == (
        target.url.host or "localhost",
        target.url.port or 5432,
        target.url.database,
    )


def _sqlite_file(url: str) -> Path | None:
    from frontdesk.db.engine import normalize_url

    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        raise ValidationError({"to": "copy to a database file or a server, not to memory"})
    return Path(parsed.database).expanduser().absolute()


@dataclass
class _Pair:
    source: Database
    target: Database
    created_file: Path | None

    def close(self) -> None:
        self.source.dispose()
        self.target.dispose()

    def remove_created_file(self) -> None:
        """A target file this copy created and did not finish is removed, not left half-made."""
        self.target.dispose()
        if self.created_file is not None:
            for path in (
                self.created_file,
                Path(f"{self.created_file}-wal"),
                Path(f"{self.created_file}-shm"),
            ):
                path.unlink(missing_ok=True)


def _open_pair(source_url: str, target_url: str) -> _Pair:
    try:
        source = open_database(source_url, create=False)
    except DatabaseUnavailableError as error:
        raise DatabaseUnavailableError(f"The source: {error}") from error
    target_file = _sqlite_file(target_url)
    created = target_file if target_file is not None and not target_file.exists() else None
    try:
        target = open_database(target_url)
    except DatabaseUnavailableError as error:
        source.dispose()
        raise DatabaseUnavailableError(f"The target: {error}") from error
    pair = _Pair(source, target, created)
    if _same_database(source, target):
        pair.close()
        raise ValidationError(
            {"to": f"the source and the target are the same database ({source.describe()})"}
        )
    return pair


def _require_current(database: Database, which: str) -> None:
    status = migrate.schema_status(database)
    if status.state is SchemaState.CURRENT:
        return
    where = database.describe()
    if status.state is SchemaState.EMPTY:
        raise CopyRefusedError(f"The {which} {where} has no Front Desk tables: nothing to copy")
    if status.state is SchemaState.BEHIND:
        raise CopyRefusedError(
            f"The {which} {where} has the older schema {status.current} (this app's is "
            f"{status.head}): upgrade it first with "
            f"'frontdesk --database {_cli_url(database)} db upgrade', then copy"
        )
    raise CopyRefusedError(
        f"The {which} {where} has the schema {status.current}, newer than this app knows "
        f"({status.head}): copy with the newer version of Front Desk"
    )


def _cli_url(database: Database) -> str:
    return database.url.render_as_string(hide_password=True)


def _row_counts(connection: Connection, tables: Sequence[Table]) -> dict[str, int]:
    return {
        table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in tables
    }


@cache
def _migration_seed() -> dict[str, tuple[int, str]]:
    """Rows the migrations themselves add (the MRN counter's first row), per table.

    A target holding only these rows is empty: nobody has entered anything yet.
    """
    with tempfile.TemporaryDirectory(prefix="frontdesk-seed-") as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'seed.sqlite3'}")
        try:
            migrate.upgrade(database)
            seed: dict[str, tuple[int, str]] = {}
            with database.engine.connect() as connection:
                for table in copy_tables():
                    checksum = TableChecksum(table)
                    checksum.add(connection.execute(select(*table.columns)).all())
                    if checksum.rows:
                        seed[table.name] = (checksum.rows, checksum.hexdigest)
            return seed
        finally:
            database.dispose()


def _target_state(target: Database) -> tuple[TargetState, int]:
    """Whether the target needs the schema, is empty, or holds records (and how many)."""
    status = migrate.schema_status(target)
    if status.state is SchemaState.EMPTY:
        with target.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        if tables:
            raise CopyRefusedError(
                f"The target {target.describe()} already holds tables that are not a Front "
                f"Desk database ({', '.join(sorted(tables)[:5])}): use an empty database"
            )
        return TargetState.NEEDS_SCHEMA, 0
    _require_current(target, "target")
    seed = _migration_seed()
    rows = 0
    with target.engine.connect() as connection:
        for table in copy_tables():
            count = int(connection.scalar(select(func.count()).select_from(table)) or 0)
            if not count:
                continue
            if table.name in seed and count == seed[table.name][0]:
                checksum = TableChecksum(table)
                checksum.add(connection.execute(select(*table.columns)).all())
                if checksum.hexdigest == seed[table.name][1]:
                    continue
            rows += count
    return (TargetState.HOLDS_DATA if rows else TargetState.EMPTY), rows


def _plan(pair: _Pair) -> CopyPlan:
    _require_current(pair.source, "source")
    state, target_rows = _target_state(pair.target)
    with pair.source.engine.connect() as connection:
        counts = _row_counts(connection, copy_tables())
    return CopyPlan(
        source=pair.source.describe(),
        target=pair.target.describe(),
        source_rows=counts,
        target_state=state,
        target_rows=target_rows,
    )


def plan_copy(source_url: str, target_url: str) -> CopyPlan:
    """Check both databases and say what a copy would do; nothing is written.

    Raises CopyRefusedError when the source's (or a non-empty target's) schema is not
    current, DatabaseUnavailableError when either cannot be reached.
    """
    pair = _open_pair(source_url, target_url)
    try:
        return _plan(pair)
    finally:
        pair.close()
        if pair.created_file is not None:
            pair.remove_created_file()


# ---------------------------------------------------------------------------------------------
# Who copies, and the disclosure in the source's trail


def on_a_server(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL server: copying off one needs an admin's sign-in."""
    from frontdesk.db.engine import normalize_url

    return normalize_url(url).get_backend_name() == "postgresql"


def _not_an_admin(who: str) -> PermissionDeniedError:
    return PermissionDeniedError(
        f"{who} may not copy the practice's database: it discloses every record, so it "
        "needs an admin's account"
    )


def sign_in_to_source(source_url: str, username: str, password: str) -> Actor:
    """Sign in on the source database; returns the admin a copy from it runs as.

    The sign-in is recorded in the source's trail as the app's is. A wrong password raises
    SignInError, an account that is not an admin PermissionDeniedError; either before any
    record is read.
    """
    try:
        database = open_database(source_url, create=False)
    except DatabaseUnavailableError as error:
        raise DatabaseUnavailableError(f"The source: {error}") from error
    try:
        _require_current(database, "source")
        context = ServiceContext(database, operating_system_actor())
        if base_url(database) is not None:
            # The person's own database login: the server has checked the password.
            actor = sign_in_connected(context, username)
        else:
            actor = sign_in(context, username, password)
    finally:
        database.dispose()
    if not actor.can(Permission.IMPORT_EXPORT):
        raise _not_an_admin(f"{actor.label} ({actor.role.label})")
    return actor


def _authorized(source: Database, actor: Actor) -> ServiceContext:
    """The source's context for ``actor``: an admin, and off a server an active admin account
    of that server (the computer's login is nobody there)."""
    if not actor.can(Permission.IMPORT_EXPORT):
        raise _not_an_admin(f"{actor.label} ({actor.role.label})")
    context = ServiceContext(source, actor)
    if source.is_sqlite:
        return context
    with context.reading(None) as session:
        row = session.get(User, actor.user_id) if actor.user_id is not None else None
        admin = (
            row is not None
            and row.active
            and row.username == actor.username
            and role_allows(Role(row.role), Permission.IMPORT_EXPORT)
        )
    if not admin:
        raise PermissionDeniedError(
            f"Copying the records off the server {source.describe()} needs an admin account "
            "of that server: sign in as one (on the command line, --user NAME)"
        )
    return context


def _destination(target: Database) -> dict[str, str]:
    """Where a copy goes, for the trail: its kind and name (never a password or a login)."""
    if target.sqlite_path is not None:
        return {"to": "SQLite file", "file": target.sqlite_path.name}
    port = f":{target.url.port}" if target.url.port else ""
    return {
        "to": "PostgreSQL server",
        "server": f"{target.url.host or 'local socket'}{port}",
        "database": target.url.database or "",
    }


def _record_disclosure(context: ServiceContext, plan: CopyPlan, target: Database) -> None:
    # Committed before the first row is read, so a copy killed half-way is on the record too;
    # the copy's snapshot then holds this entry, so the copy itself carries it.
    with context.writing(Permission.IMPORT_EXPORT) as uow:
        uow.record(
            "export",
            "database",
            details={
                "format": "database copy",
                **_destination(target),
                "rows": plan.total_rows,
                "patients": plan.source_rows.get("patients", 0),
                "documents": plan.source_rows.get("received_documents", 0),
                "replacing": plan.target_state is TargetState.HOLDS_DATA,
            },
        )
        uow.commit()


def _record_abandoned(context: ServiceContext, target: Database, error: BaseException) -> None:
    # Best effort (the source may be what went away); the original error matters more. The
    # error's text stays out: a driver's message may quote a value.
    if isinstance(error, Cancelled):
        outcome = "cancelled"
    elif isinstance(error, KeyboardInterrupt):
        outcome = "interrupted"
    else:
        outcome = f"stopped ({type(error).__name__})"
    outcome += "; no records were written to the target"
    with contextlib.suppress(Exception), context.writing(Permission.IMPORT_EXPORT) as uow:
        uow.record(
            "export_abandoned", "database", details={**_destination(target), "outcome": outcome}
        )
        uow.commit()


# ---------------------------------------------------------------------------------------------
# Reading


def _batch_size(table: Table, batch_size: int) -> int:
    from sqlalchemy import LargeBinary

    if any(isinstance(column.type, LargeBinary) for column in table.columns):
        return max(1, min(batch_size, BINARY_BATCH_SIZE))
    return batch_size


def _read_query(table: Table) -> Any:
    query = select(*table.columns)
    if table.primary_key.columns:
        query = query.order_by(*table.primary_key.columns)
    return query


def _read_batches(connection: Connection, table: Table, batch_size: int) -> Iterator[list[Any]]:
    """The table's rows, batch by batch, as the column types return them (streamed)."""
    result = connection.execution_options(
        stream_results=True, yield_per=_batch_size(table, batch_size)
    ).execute(_read_query(table))
    try:
        yield from result.partitions()
    finally:
        result.close()


@contextlib.contextmanager
def _snapshot(database: Database) -> Iterator[Connection]:
    """One read transaction over the whole source: a consistent snapshot while others work."""
    with database.engine.connect() as connection:
        if not database.is_sqlite:
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection


# ---------------------------------------------------------------------------------------------
# Writing


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bind_processors(table: Table, database: Database) -> list[tuple[int, Callable[[Any], Any]]]:
    dialect = database.engine.dialect
    processors = []
    for index, column in enumerate(table.columns):
        processor = column.type.bind_processor(dialect)
        if processor is not None:
            processors.append((index, processor))
    return processors


class _TargetWriter:
    """Writes into the target inside the copy's one transaction."""

    def __init__(self, connection: Connection, database: Database) -> None:
        self.connection = connection
        self.database = database
        self.raw = connection.connection.driver_connection

    def prepare(self, tables: Sequence[Table]) -> None:
        raise NotImplementedError

    def write_table(self, table: Table, batches: Iterator[list[Sequence[Any]]]) -> None:
        raise NotImplementedError

    def finish(self, tables: Sequence[Table], floors: dict[str, int]) -> None:
        raise NotImplementedError


class _PostgresWriter(_TargetWriter):
    """COPY into tables without their secondary indexes and foreign keys, rebuilt at the end.

    Dropping and re-adding them is far cheaper than maintaining them row by row, and
    re-adding a foreign key checks every row at once. Everything is inside the copy's
    transaction, so an interrupted copy leaves them as they were. It needs the tables'
    owner, as does TRUNCATE.
    """

    def __init__(self, connection: Connection, database: Database) -> None:
        super().__init__(connection, database)
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []
        self.triggers: list[tuple[str, str]] = []

    def _check_owner(self, tables: Sequence[Table]) -> None:
        not_owned = self.connection.scalars(
            text(
                "SELECT c.relname FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace "
                "AND c.relname = ANY(:tables) "
                "AND NOT pg_has_role(current_user, c.relowner, 'USAGE') ORDER BY 1"
            ),
            {"tables": [table.name for table in tables]},
        ).all()
        if not_owned:
            user = self.connection.scalar(text("SELECT current_user"))
            raise CopyRefusedError(
                f"Copying into {self.database.describe()} must be done as the owner of its "
                f"tables (the role that ran 'db upgrade', frontdesk_owner in the setup "
                f"guide); '{user}' does not own {', '.join(not_owned[:3])}"
            )

    def prepare(self, tables: Sequence[Table]) -> None:
        self._check_owner(tables)
        names = [table.name for table in tables]
        # Other workstations still connected would make us wait forever for their locks.
        self.connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        # TRUNCATE fires no row triggers, so the audit trail's append-only trigger
        # (BEFORE UPDATE OR DELETE ... FOR EACH ROW) does not refuse it.
        self.connection.execute(text(f"TRUNCATE {', '.join(_quoted(name) for name in names)}"))
        self.foreign_keys = [
            (row[0], row[1], row[2])
            for row in self.connection.execute(
                text(
                    "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) "
                    "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                    "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
                    "AND t.relname = ANY(:tables) ORDER BY t.relname, c.conname"
                ),
                {"tables": names},
            )
        ]
        self.indexes = [
            (row[0], row[1])
            for row in self.connection.execute(
                text(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid "
                    "JOIN pg_class t ON t.oid = x.indrelid "
                    "WHERE t.relnamespace = current_schema()::regnamespace "
                    "AND t.relname = ANY(:tables) AND NOT EXISTS ("
                    "  SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid "
                    "  AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x')) "
                    "ORDER BY i.relname"
                ),
                {"tables": names},
            )
        ]
        # Triggers that fire on INSERT would redo work whose result is being copied.
        self.triggers = [
            (row[0], row[1])
            for row in self.connection.execute(
                text(
                    "SELECT t.relname, g.tgname FROM pg_trigger g "
                    "JOIN pg_class t ON t.oid = g.tgrelid "
                    "WHERE NOT g.tgisinternal AND (g.tgtype & 4) <> 0 "
                    "AND t.relnamespace = current_schema()::regnamespace "
                    "AND t.relname = ANY(:tables)"
                ),
                {"tables": names},
            )
        ]
        for table_name, constraint, _definition in self.foreign_keys:
            self.connection.execute(
                text(f"ALTER TABLE {_quoted(table_name)} DROP CONSTRAINT {_quoted(constraint)}")
            )
        for index, _definition in self.indexes:
            self.connection.execute(text(f"DROP INDEX {_quoted(index)}"))
        for table_name, trigger in self.triggers:
            self.connection.execute(
                text(f"ALTER TABLE {_quoted(table_name)} DISABLE TRIGGER {_quoted(trigger)}")
            )

    def write_table(self, table: Table, batches: Iterator[list[Sequence[Any]]]) -> None:
        columns = ", ".join(_quoted(column.name) for column in table.columns)
        statement = f"COPY {_quoted(table.name)} ({columns}) FROM STDIN"
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(row)

    def finish(self, tables: Sequence[Table], floors: dict[str, int]) -> None:
        self.connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for _index, definition in self.indexes:
            self.connection.execute(text(definition))
        for table_name, constraint, definition in self.foreign_keys:
            self.connection.execute(
                text(
                    f"ALTER TABLE {_quoted(table_name)} "
                    f"ADD CONSTRAINT {_quoted(constraint)} {definition}"
                )
            )
        for table_name, trigger in self.triggers:
            self.connection.execute(
                text(f"ALTER TABLE {_quoted(table_name)} ENABLE TRIGGER {_quoted(trigger)}")
            )
        for table in tables:
            column = _integer_key(table)
            if column is None:
                continue
            sequence = self.connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": _quoted(table.name), "column": column},
            )
            if sequence is None:
                continue
            highest = max(
                floors.get(table.name, 0),
                int(
                    self.connection.scalar(
                        text(
                            f"SELECT coalesce(max({_quoted(column)}), 0) FROM {_quoted(table.name)}"
                        )
                    )
                    or 0
                ),
            )
            # The next id handed out is highest + 1 (or 1 in an empty table).
            self.connection.execute(
                text("SELECT setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": max(highest, 1), "called": highest > 0},
            )


class _SqliteWriter(_TargetWriter):
    """INSERTs into tables without their secondary indexes and triggers, rebuilt at the end.

    Foreign keys are checked at commit (``defer_foreign_keys``), so a chart merged into a
    chart with a higher id copies in id order. The audit trail's triggers are dropped and
    recreated from their stored SQL within the same transaction.
    """

    def __init__(self, connection: Connection, database: Database) -> None:
        super().__init__(connection, database)
        self.indexes: list[tuple[str, str]] = []
        self.triggers: list[tuple[str, str]] = []

    def _schema_objects(self, kind: str, names: Sequence[str]) -> list[tuple[str, str]]:
        marks = ", ".join("?" for _ in names)
        cursor = self.raw.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name",
            (kind, *names),
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]

    def prepare(self, tables: Sequence[Table]) -> None:
        names = [table.name for table in tables]
        self.raw.execute("PRAGMA defer_foreign_keys = ON")
        self.triggers = self._schema_objects("trigger", names)
        self.indexes = self._schema_objects("index", names)
        for name, _sql in self.triggers:
            self.raw.execute(f"DROP TRIGGER {_quoted(name)}")
        for name, _sql in self.indexes:
            self.raw.execute(f"DROP INDEX {_quoted(name)}")
        for table in reversed(tables):
            self.raw.execute(f"DELETE FROM {_quoted(table.name)}")

    def write_table(self, table: Table, batches: Iterator[list[Sequence[Any]]]) -> None:
        columns = ", ".join(_quoted(column.name) for column in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        statement = f"INSERT INTO {_quoted(table.name)} ({columns}) VALUES ({marks})"
        cursor = self.raw.cursor()
        try:
            for batch in batches:
                cursor.executemany(statement, batch)
        finally:
            cursor.close()

    def finish(self, tables: Sequence[Table], floors: dict[str, int]) -> None:
        for _name, sql in self.indexes:
            self.raw.execute(sql)
        for _name, sql in self.triggers:
            self.raw.execute(sql)
        for table in tables:
            column = _integer_key(table)
            if column is None or not _sqlite_autoincrement(self.raw, table.name):
                continue
            # AUTOINCREMENT tables never reuse an id: keep the source's high-water mark.
            highest = floors.get(table.name, 0)
            updated = self.raw.execute(
                "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
                (highest, table.name),
            ).rowcount
            if not updated and highest:
                self.raw.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table.name, highest)
                )


def _integer_key(table: Table) -> str | None:
    """The column of a single-column integer primary key (the ones with sequences)."""
    columns = list(table.primary_key.columns)
    if len(columns) == 1 and isinstance(columns[0].type, Integer):
        return columns[0].name
    return None


def _sqlite_autoincrement(raw: Any, table: str) -> bool:
    row = raw.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return bool(row and row[0] and "AUTOINCREMENT" in row[0].upper())


def _id_floors(
    connection: Connection, database: Database, tables: Sequence[Table]
) -> dict[str, int]:
    """Per table, the highest id ever handed out in the source (not only the highest left)."""
    floors: dict[str, int] = {}
    for table in tables:
        column = _integer_key(table)
        if column is None:
            continue
        highest = int(
            connection.scalar(
                text(f"SELECT coalesce(max({_quoted(column)}), 0) FROM {_quoted(table.name)}")
            )
            or 0
        )
        if database.is_sqlite:
            has_sequence = connection.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
            )
            if has_sequence:
                seq = connection.scalar(
                    text("SELECT seq FROM sqlite_sequence WHERE name = :name"),
                    {"name": table.name},
                )
                highest = max(highest, int(seq or 0))
        else:
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": _quoted(table.name), "column": column},
            )
            if sequence is not None:
                row = connection.execute(
                    text(f"SELECT last_value, is_called FROM {sequence}")
                ).one()
                highest = max(highest, int(row[0]) if row[1] else int(row[0]) - 1)
        floors[table.name] = highest
    return floors


# ---------------------------------------------------------------------------------------------
# The copy


def _explain_write_error(
    error: BaseException, table: Table, source: Connection, target: Database
) -> str:
    """A plain sentence for why the target refused a table's rows (without the row's data)."""
    orig = getattr(error, "orig", None) or error
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if "0x00" in message:
        where = _find_nul(source, table)
        return (
            f"PostgreSQL cannot store the NUL character (\\x00) found in {where}; remove it "
            "in the source (it is invisible) and copy again"
        )
    detail = ""
    diag = getattr(orig, "diag", None)
    context = getattr(diag, "context", None) or ""
    found = re.search(r"line (\d+)(?:, column (\w+))?", context)
    if found:
        detail = f" (row {int(found.group(1)):,} of the table"
        detail += f", column {found.group(2)})" if found.group(2) else ")"
    return f"{target.describe()} refused the rows of {table.name}: {message}{detail}"


def _find_nul(source: Connection, table: Table) -> str:
    key = list(table.primary_key.columns)
    for batch in _read_batches(source, table, DEFAULT_BATCH_SIZE):
        for row in batch:
            for column, value in zip(table.columns, row, strict=True):
                if isinstance(value, str) and "\x00" in value:
                    ident = ", ".join(str(getattr(row, c.name)) for c in key) or "?"
                    return f"{table.name}.{column.name} of the row {ident}"
    return table.name


def _copy_rows(
    pair: _Pair,
    plan: CopyPlan,
    *,
    batch_size: int,
    progress: ProgressCallback,
    stage: StageCallback,
    timings: dict[str, float],
) -> dict[str, TableChecksum]:
    """Every table, in one target transaction; returns the source's checksums."""
    tables = copy_tables()
    total = plan.total_rows
    done = 0
    checksums: dict[str, TableChecksum] = {}
    target = pair.target
    report_or_cancel(progress, 0, total)
    with _snapshot(pair.source) as source, target.write_engine.connect() as connection:
        writer: _TargetWriter = (
            _SqliteWriter(connection, target)
            if target.is_sqlite
            else _PostgresWriter(connection, target)
        )
        with connection.begin():
            started = time.perf_counter()
            # Always cleared: even a new schema holds the rows its migrations add.
            writer.prepare(tables)
            floors = _id_floors(source, pair.source, tables)
            timings["prepare"] = time.perf_counter() - started
            for number, table in enumerate(tables, start=1):
                stage(f"Copying {table.name} ({number} of {len(tables)})")
                started = time.perf_counter()
                checksum = checksums[table.name] = TableChecksum(table)
                processors = _bind_processors(table, target)

                def batches(
                    table: Table = table,
                    checksum: TableChecksum = checksum,
                    processors: list[tuple[int, Callable[[Any], Any]]] = processors,
                ) -> Iterator[list[Sequence[Any]]]:
                    nonlocal done
                    for rows in _read_batches(source, table, batch_size):
                        checksum.add(rows)
                        if processors:
                            converted: list[Sequence[Any]] = []
                            for row in rows:
                                values = list(row)
                                for index, process in processors:
                                    values[index] = process(values[index])
                                converted.append(values)
                            yield converted
                        else:
                            yield rows
                        done += len(rows)
                        report_or_cancel(progress, done, max(total, done))

                try:
                    writer.write_table(table, batches())
                except (Cancelled, FrontDeskError):
                    raise
                except Exception as error:
                    if _connection_lost(error):
                        raise
                    raise CopyFailedError(
                        _explain_write_error(error, table, source, target)
                        + ". Nothing was written to the target."
                    ) from error
                timings[table.name] = time.perf_counter() - started
            stage("Rebuilding indexes and checking links between records")
            started = time.perf_counter()
            writer.finish(tables, floors)
            timings["indexes"] = time.perf_counter() - started
            stage("Saving the copy")
            started = time.perf_counter()
        timings["commit"] = time.perf_counter() - started
    return checksums


def _connection_lost(error: BaseException) -> bool:
    """The server went away (not a refusal): PostgreSQL's OperationalError, raw or wrapped."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    import psycopg

    return isinstance(getattr(error, "orig", None) or error, psycopg.OperationalError)


def _refresh_statistics(target: Database) -> None:
    """Planner statistics (and PostgreSQL's visibility map, for index-only scans)."""
    with contextlib.suppress(DBAPIError):  # an optimization, never a failure of the copy
        if target.is_sqlite:
            with target.write_engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        else:
            names = ", ".join(_quoted(table.name) for table in copy_tables())
            with target.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                connection.execute(text(f"VACUUM (ANALYZE) {names}"))


def copy_database(
    source_url: str,
    target_url: str,
    *,
    actor: Actor,
    replace: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback = no_progress,
    stage: StageCallback = no_stage,
) -> CopyReport:
    """Copy every table from the source to the target, then verify the copy.

    The source must have the current schema. The target must be empty (a new SQLite file,
    an empty PostgreSQL database, whose schema is created first, or a current one without
    records) unless ``replace`` is true, when its records are deleted in the same
    transaction that writes the copy. ``progress(done, total)`` counts copied rows and
    then verified rows (returning False cancels: nothing is written); ``stage`` names each
    step. Returns the verification; check ``report.ok``.

    ``actor`` copies: an admin (off a PostgreSQL server, an admin account of that server,
    from ``sign_in_to_source``), else PermissionDeniedError before anything is read. The copy
    is recorded in the source's audit trail before the first row is read (see the module).
    """
    if batch_size < 1:
        raise ValidationError({"batch_size": "give a batch size of 1 or more"})
    pair = _open_pair(source_url, target_url)
    disclosed: ServiceContext | None = None
    try:
        stage("Checking both databases")
        _require_current(pair.source, "source")
        context = _authorized(pair.source, actor)
        plan = _plan(pair)
        if plan.target_state is TargetState.HOLDS_DATA and not replace:
            raise CopyRefusedError(
                f"The target {plan.target} already holds {plan.target_rows:,} records: copy "
                "to an empty database, or replace them (--replace; they are deleted)"
            )
        stage("Recording the copy in the source's audit trail")
        _record_disclosure(context, plan, pair.target)
        disclosed = context
        # The entry just recorded is copied too: the progress counts it.
        counts = dict(plan.source_rows)
        counts[AuditEntry.__tablename__] = counts.get(AuditEntry.__tablename__, 0) + 1
        plan = dataclasses.replace(plan, source_rows=counts)
        log.info(
            "database copy: %s -> %s, %d rows, target %s",
            plan.source,
            plan.target,
            plan.total_rows,
            plan.target_state.value,
        )
        started = time.perf_counter()
        created_schema = False
        if plan.target_state is TargetState.NEEDS_SCHEMA:
            stage("Creating the tables on the target")
            _create_schema(pair.target)
            created_schema = True
        timings: dict[str, float] = {}
        try:
            source_sums = _copy_rows(
                pair, plan, batch_size=batch_size, progress=progress, stage=stage, timings=timings
            )
        except (FrontDeskError, Cancelled):
            raise
        except Exception as error:
            raise _translated(error, pair.target) from error
        stage("Updating the target's statistics")
        analyzed = time.perf_counter()
        _refresh_statistics(pair.target)
        timings["statistics"] = time.perf_counter() - analyzed
        copy_seconds = time.perf_counter() - started
    except BaseException as error:
        if disclosed is not None:
            _record_abandoned(disclosed, pair.target, error)
        pair.close()
        if pair.created_file is not None:
            pair.remove_created_file()
        raise
    try:
        report = _verify(
            pair,
            source_sums,
            batch_size=batch_size,
            progress=progress,
            stage=stage,
        )
    finally:
        pair.close()
    report = CopyReport(
        source=report.source,
        target=report.target,
        tables=report.tables,
        target_chain=report.target_chain,
        source_chain=report.source_chain,
        copied=True,
        created_schema=created_schema,
        replaced=plan.target_state is TargetState.HOLDS_DATA,
        copy_seconds=copy_seconds,
        verify_seconds=report.verify_seconds,
        timings=timings,
    )
    log.info(
        "database copy: %d rows in %.1f s, verified in %.1f s, ok=%s, differing=%s",
        report.rows,
        report.copy_seconds,
        report.verify_seconds,
        report.ok,
        ",".join(report.differing) or "-",
    )
    return report


def _create_schema(target: Database) -> None:
    try:
        migrate.upgrade(target)
    except ProgrammingError as error:
        raise CopyRefusedError(
            f"Cannot create the tables on {target.describe()}: "
            f"{str(error.orig).strip().splitlines()[0]}. Create them as the database's "
            "owner ('db upgrade'), or copy as the owner"
        ) from error


def _translated(error: Exception, target: Database) -> FrontDeskError:
    """A driver error during the copy (whose transaction was rolled back), said plainly."""
    orig = getattr(error, "orig", None) or error
    sqlstate = getattr(orig, "sqlstate", None)
    lines = str(orig).strip().splitlines()
    first = lines[0] if lines else type(orig).__name__
    if sqlstate == "55P03":  # lock_not_available
        return CopyRefusedError(
            f"Other connections are using {target.describe()}: close Front Desk on the other "
            "computers and copy again. Nothing was written."
        )
    if sqlstate == "42501":  # insufficient_privilege
        return CopyRefusedError(
            f"{target.describe()} refused the copy ({first}): copy as the tables' owner. "
            "Nothing was written."
        )
    if "database is locked" in first:
        return CopyRefusedError(
            f"Another program is using {target.describe()}: close it and copy again. "
            "Nothing was written."
        )
    if _connection_lost(error):
        return DatabaseUnavailableError(
            f"A database connection was lost during the copy ({first}); nothing was written "
            f"to {target.describe()}: copy again when both databases are reachable"
        )
    return CopyFailedError(f"The copy stopped: {first}. Nothing was written to the target.")


# ---------------------------------------------------------------------------------------------
# Verification


def _system_context(database: Database) -> ServiceContext:
    actor = Actor(
        username="system:db-copy",
        role=Role.ADMIN,
        workstation=workstation_name(),
        display_name="Database copy",
    )
    return ServiceContext(database, actor)


def _checksums(
    database: Database,
    batch_size: int,
    progress: Callable[[int], None],
) -> dict[str, TableChecksum]:
    checksums: dict[str, TableChecksum] = {}
    with _snapshot(database) as connection:
        for table in copy_tables():
            checksum = checksums[table.name] = TableChecksum(table)
            for rows in _read_batches(connection, table, batch_size):
                checksum.add(rows)
                progress(len(rows))
    return checksums


def _verify(
    pair: _Pair,
    source_sums: dict[str, TableChecksum] | None,
    *,
    batch_size: int,
    progress: ProgressCallback,
    stage: StageCallback,
) -> CopyReport:
    started = time.perf_counter()
    done = 0
    sides = 1 if source_sums is not None else 2
    with pair.source.engine.connect() as connection:
        total = sides * sum(_row_counts(connection, copy_tables()).values())

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        report_or_cancel(progress, done, max(total, done))

    report_or_cancel(progress, 0, total)
    if source_sums is None:
        stage("Reading the source")
        source_sums = _checksums(pair.source, batch_size, advance)
    stage("Reading the copy back and comparing")
    target_sums = _checksums(pair.target, batch_size, advance)
    checks = tuple(
        TableCheck(
            table=table.name,
            source_rows=source_sums[table.name].rows,
            target_rows=target_sums[table.name].rows,
            source_checksum=source_sums[table.name].hexdigest,
            target_checksum=target_sums[table.name].hexdigest,
        )
        for table in copy_tables()
    )
    stage("Verifying the audit trail on the target")
    target_chain = audit_trail.verify_chain(_system_context(pair.target))
    source_chain = None
    if not target_chain.intact:
        source_chain = audit_trail.verify_chain(_system_context(pair.source))
    return CopyReport(
        source=pair.source.describe(),
        target=pair.target.describe(),
        tables=checks,
        target_chain=target_chain,
        source_chain=source_chain,
        copied=False,
        verify_seconds=time.perf_counter() - started,
    )


def verify_copy(
    source_url: str,
    target_url: str,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback = no_progress,
    stage: StageCallback = no_stage,
) -> CopyReport:
    """Compare two databases table by table (counts, checksums) and verify the target's
    audit trail, without copying: for a copy made earlier, or one whose check was cut short."""
    pair = _open_pair(source_url, target_url)
    try:
        _require_current(pair.source, "source")
        _require_current(pair.target, "target")
        return _verify(pair, None, batch_size=batch_size, progress=progress, stage=stage)
    finally:
        pair.close()
