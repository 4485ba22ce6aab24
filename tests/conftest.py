"""Shared fixtures: real SQLite files and a real PostgreSQL database for every data test."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.db import migrate
from frontdesk.db.engine import Database, open_database
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel import audit
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.main_thread_gc import collect_on_main_thread
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.screens import open_screen

PG_ADMIN_URL = os.environ.get(
    "FRONTDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("FRONTDESK_REQUIRE_POSTGRES") == "1"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
# A session time zone far from UTC (+12:45/+13:45) for the scratch_postgres databases.
FAR_ZONE = "?options=-c%20TimeZone%3DPacific/Chatham"
# prepared_context(key, prepare): see the fixture below.
PreparedContext = Callable[..., ServiceContext]
UI_FIXTURES = frozenset({"qtbot", "qtmodeltester"})

_HOME = tempfile.mkdtemp(prefix="frontdesk-test-home-")
os.environ["FRONTDESK_HOME"] = _HOME
os.environ.pop("FRONTDESK_DATABASE_URL", None)
audit.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def collect_garbage_on_the_gui_thread() -> Iterator[None]:
    """As the app does (make_application): once Qt runs, cycles are collected on this thread
    only, never in a Runner worker; and after each test, not in the next one's middle."""
    yield
    app = QApplication.instance()
    if app is not None:
        collect_on_main_thread(app).check()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating each time would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = open_database(f"sqlite:///{path}")
    migrate.upgrade(database)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test run, migrated to head.

    Session-scoped, so under pytest-xdist each worker makes (and drops) its own."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"frontdesk_test_{worker}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A crash losing the last commits does not matter for a scratch database; waiting
            # for each commit's flush to disk is most of a small test's time on PostgreSQL.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as error:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    database = open_database(url)
    migrate.upgrade(database)
    database.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_emptier(postgres_url: str) -> Iterator[Callable[[], None]]:
    """Empties the session's PostgreSQL database before each test.

    DELETE with triggers and foreign keys switched off (session_replication_role) takes about
    10 ms; TRUNCATE of every table took 100-500 ms (it replaces each table's files) and
    creating a database from a migrated TEMPLATE 270 ms, measured on this 2-core machine."""
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        tables = connection.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version'"
            )
        ).all()
    statements = "; ".join(f'DELETE FROM "{table}"' for table in tables)

    def empty() -> None:
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(statements))
            connection.execute(
                text("SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'")
            )
            # Tests that stamp another schema version must not leak it to the next test.
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"),
                {"head": migrate.head_revision()},
            )

    yield empty
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """The URL of an empty, migrated database of the backend named by ``backend``."""
    if backend == "sqlite":
        path = tmp_path / "frontdesk.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    request.getfixturevalue("_postgres_emptier")()
    return str(request.getfixturevalue("postgres_url"))


class PreparedDatabases:
    """Databases filled once per session (per xdist worker) for fixtures whose setup is slow
    (a demo practice takes seconds to generate) and is not what the test is about. Tests that
    only read share the prepared database; a test that writes gets a copy: a SQLite file is
    copied, a PostgreSQL database is created with the prepared one as its TEMPLATE (0.3 s; its
    DROP waits for a server checkpoint: 0.1 s on a quiet server, 10 s while seven other
    suites ran, so PostgreSQL copies are for the few tests that write)."""

    def __init__(self, folder: Path, sqlite_template: Path) -> None:
        self.folder = folder
        self.sqlite_template = sqlite_template
        self.made: dict[tuple[str, str], str] = {}
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.postgres_names: list[str] = []

    def url(
        self,
        backend: str,
        key: str,
        prepare: Callable[[ServiceContext], object],
        copy_into: Path | None,
    ) -> str:
        """The URL of the database ``prepare`` filled (once) on ``backend``, or of a fresh copy
        of it (a file in ``copy_into`` on SQLite)."""
        source = self.made.get((backend, key))
        if source is None:
            source = self._prepare(backend, key, prepare)
            self.made[(backend, key)] = source
        if copy_into is None:
            if backend == "sqlite":
                return f"sqlite:///{source}"
            return make_url(PG_ADMIN_URL).set(database=source).render_as_string(False)
        if backend == "sqlite":
            path = copy_into / f"{key}.sqlite3"
            shutil.copyfile(source, path)
            return f"sqlite:///{path}"
        return self._create_postgres(f'TEMPLATE "{source}"')

    def _prepare(self, backend: str, key: str, prepare: Callable[[ServiceContext], object]) -> str:
        if backend == "sqlite":
            path = self.folder / f"{key}.sqlite3"
            shutil.copyfile(self.sqlite_template, path)
            url, source = f"sqlite:///{path}", str(path)
        else:
            url = self._create_postgres()
            source = str(make_url(url).database)
        database = open_database(url)
        try:
            if backend != "sqlite":
                migrate.upgrade(database)
            prepare(make_context(database, make_actor()))
        finally:
            database.dispose()  # a TEMPLATE must have no open connections
        return source

    def _create_postgres(self, template: str = "") -> str:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"frontdesk_test_{worker}_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" {template}'))
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        self.postgres_names.append(name)
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        with self.admin.connect() as connection:
            for name in self.postgres_names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def prepared_databases(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[PreparedDatabases]:
    prepared = PreparedDatabases(tmp_path_factory.mktemp("prepared"), sqlite_template)
    yield prepared
    prepared.close()


@pytest.fixture
def prepared_context(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[PreparedContext]:
    """``prepared_context(key, prepare, writes=False)``: a context on a database that
    ``prepare`` filled once per session and backend (``key`` names what it holds). Tests
    share it, so a test that changes anything passes ``writes=True`` for a copy of its own."""
    if backend == "postgresql":
        request.getfixturevalue("postgres_url")  # skips (or fails in CI) without a server
    prepared: PreparedDatabases = request.getfixturevalue("prepared_databases")
    opened: list[tuple[Database, bool]] = []

    def open_prepared(
        key: str, prepare: Callable[[ServiceContext], object], writes: bool = False
    ) -> ServiceContext:
        url = prepared.url(backend, key, prepare, tmp_path if writes else None)
        database = open_database(url)
        opened.append((database, writes))
        return make_context(database, make_actor())

    yield open_prepared
    for database, copied in opened:
        database.dispose()
        if copied and backend == "postgresql":
            prepared.drop(str(database.url.database))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Runs every test that asks for ``backend`` (directly or through ``database_url``,
    ``context``...) on SQLite and on PostgreSQL, except UI tests (those using ``qtbot`` or
    ``qtmodeltester``).

    The service and database tests prove both backends; a screen only calls services, so its
    tests run on SQLite alone. One test per UI area is marked ``ui_postgresql`` and also runs
    on PostgreSQL (its id ends in ``[postgresql]``, which CI counts), as do UI tests whose
    PostgreSQL path differs. A test that parametrizes ``backend`` itself is left alone."""
    if "backend" not in metafunc.fixturenames or _parametrizes_backend(metafunc):
        return
    ui_only_sqlite = (
        not UI_FIXTURES.isdisjoint(metafunc.fixturenames)
        and metafunc.definition.get_closest_marker("ui_postgresql") is None
    )
    metafunc.parametrize("backend", BACKENDS[:1] if ui_only_sqlite else BACKENDS, indirect=True)


def _parametrizes_backend(metafunc: pytest.Metafunc) -> bool:
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0]
        if isinstance(names, str):
            names = [name.strip() for name in names.split(",")]
        if "backend" in names:
            return True
    return False


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: parametrized by ``pytest_generate_tests`` above."""
    return str(request.param)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def scratch_postgres() -> Iterator[Callable[[], str]]:
    """Makes empty databases on the local server with unique names; drops them afterwards.

    Their URLs set a session time zone far from UTC: timestamps must not shift with it."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    names: list[str] = []

    def make() -> str:
        name = f"frontdesk_copy_{uuid.uuid4().hex[:10]}"
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as error:
            message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {error}"
            if REQUIRE_POSTGRES:
                pytest.fail(message)
            pytest.skip(message)
        names.append(name)
        return (
            make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
            + FAR_ZONE
        )

    yield make
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_actor(role: Role = Role.ADMIN, username: str = "test.admin") -> Actor:
    return Actor(username=username, role=role, workstation="test-desk", display_name=username)


@pytest.fixture
def context(database: Database) -> ServiceContext:
    return make_context(database, make_actor())


@pytest.fixture
def without_pdftoppm(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workstation without poppler (every Windows PC): nothing on the PATH at all."""
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty-path")))
    assert shutil.which("pdftoppm") is None


@pytest.fixture
def hub(context: ServiceContext) -> Iterator[ChangeHub]:
    """This workstation's own commits, as the running app delivers them (a screen that should
    refresh after a change takes it: ``open_screen(context, hub)``)."""
    started = ChangeHub(context, watch_other_workstations=False)
    started.start()
    yield started
    started.stop()


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    """The screen context of a UI test on ``context`` (a module may define its own)."""
    with open_screen(context) as screen:
        yield screen
