"""The workstation's server profile, its password kept out of files, "Test connection", outages.

Against the real local PostgreSQL server (scratch databases with unique names). Two things
that server cannot show are staged honestly: it trusts local connections, so a tiny server
speaking PostgreSQL's wire protocol asks for the password and refuses it the way PostgreSQL
does (libpq and psycopg handle the real exchange); and this headless machine has no keyring,
so the keyring library is given a real in-memory backend through its own plug-in interface.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from frontdesk.db import migrate
from frontdesk.db.engine import open_database
from frontdesk.db.models import Location
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import DatabaseUnavailableError, FrontDeskError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.domain.progress import Cancelled
from frontdesk.services.kernel import audit
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import connection
from frontdesk.services.platform.connection import (
    ConnectionProblem,
    ConnectionProfile,
    PasswordSource,
    SslMode,
)
from frontdesk.services.practice.forms import LocationForm
from frontdesk.services.practice.locations import save_location
from tests.conftest import PG_ADMIN_URL
from tests.helpers.keyring import MemoryKeyring

ACTOR = Actor(username="desk.two", role=Role.ADMIN, workstation="desk-2")
SECRET = "p@ss:w/rd%20?#ünï"


@pytest.fixture(autouse=True)
def workstation_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test is a fresh workstation: its own data folder, no libpq password sources."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("FRONTDESK_HOME", str(home))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    previous = keyring.get_keyring()
    yield home
    keyring.set_keyring(previous)


@pytest.fixture
def os_keyring() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_keyring() -> None:
    keyring.set_keyring(fail.Keyring())


def _files_text(folder: Path) -> str:
    return "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in folder.rglob("*")
        if path.is_file()
    )


# ---------------------------------------------------------------------------------------------
# The profile and the password


def test_the_profile_is_saved_per_workstation_and_the_password_goes_to_the_keyring(
    os_keyring: MemoryKeyring, workstation_home: Path
) -> None:
    assert connection.load_profile() is None
    assert connection.keyring_status().available
    profile = ConnectionProfile(
        host="  server.clinic.lan ",
        database="frontdesk",
        user="frontdesk_app",
        port=5433,
        sslmode=SslMode.VERIFY_FULL,
    )
    profile = connection.remember_password(profile, SECRET)
    assert profile.password_source is PasswordSource.KEYRING
    saved = connection.save_profile(profile)
    assert saved.host == "server.clinic.lan"
    assert connection.load_profile() == saved
    stored = json.loads(connection.profile_path().read_text(encoding="utf-8"))
    assert stored["sslmode"] == "verify-full" and stored["password_source"] == "keyring"
    assert SECRET not in _files_text(workstation_home)
    assert "p@ss" not in _files_text(workstation_home)
    assert connection.stored_password(saved) == SECRET

    url = connection.server_url_for_startup(lambda _profile: pytest.fail("asked"))
    assert url is not None
    parsed = make_url(url)
    assert (parsed.password, parsed.host, parsed.port) == (SECRET, "server.clinic.lan", 5433)
    assert parsed.query["sslmode"] == "verify-full"
    assert saved.describe() == (
        "frontdesk_app@server.clinic.lan:5433/frontdesk "
        "(Always encrypt and check the certificate and the server name)"
    )

    connection.forget_profile()
    assert connection.load_profile() is None
    assert os_keyring.secrets == {}


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring])
def test_without_a_keyring_the_password_is_asked_at_start_and_never_stored(
    workstation_home: Path, backend: type[KeyringBackend]
) -> None:
    keyring.set_keyring(backend())
    status = connection.keyring_status()
    assert not status.available and "asked at each start" in status.message
    profile = connection.remember_password(ConnectionProfile(host="10.0.0.5"), SECRET)
    assert profile.password_source is PasswordSource.ASK
    connection.save_profile(profile)
    assert SECRET not in _files_text(workstation_home)

    asked: list[ConnectionProfile] = []

    def ask(profile: ConnectionProfile) -> str | None:
        asked.append(profile)
        return SECRET

    url = connection.server_url_for_startup(ask)
    assert url is not None and make_url(url).password == SECRET
    assert asked == [connection.load_profile()]
    with pytest.raises(Cancelled):
        connection.server_url_for_startup(lambda _profile: None)


def test_a_bad_profile_names_each_field_and_a_damaged_file_says_what_to_do() -> None:
    with pytest.raises(ValidationError) as caught:
        connection.save_profile(
            ConnectionProfile(
                host="server/frontdesk",
                database="",
                user="a@b",
                port=70_000,
                ssl_root_cert="/no/such/ca.crt",
            )
        )
    assert set(caught.value.fields) == {"host", "database", "user", "port", "ssl_root_cert"}
    assert not connection.profile_path().exists()
    connection.profile_path().write_text("{not json", encoding="utf-8")
    with pytest.raises(FrontDeskError, match=r"cannot be read.*set them again in Admin"):
        connection.load_profile()


# ---------------------------------------------------------------------------------------------
# Test connection, against the real server


@pytest.fixture
def server_profile(scratch_postgres: Callable[[], str]) -> ConnectionProfile:
    """A profile for a fresh, migrated scratch database on the local server."""
    url = make_url(scratch_postgres())
    database = open_database(url.render_as_string(hide_password=False))
    try:
        migrate.upgrade(database)
    finally:
        database.dispose()
    return ConnectionProfile(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        database=url.database or "",
        user=url.username or "postgres",
        sslmode=SslMode.PREFER,
    )


def _stamp(profile: ConnectionProfile, version: str | None) -> None:
    engine = create_engine(connection.database_url(profile))
    with engine.begin() as conn:
        if version is None:
            conn.execute(text("DROP TABLE alembic_version"))
        else:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
    engine.dispose()


@pytest.mark.postgres
def test_a_working_connection_says_so_with_the_server_version(
    server_profile: ConnectionProfile,
) -> None:
    check = connection.test_connection(server_profile, None)
    assert check.ok, check.message
    assert check.message.startswith("Connected to PostgreSQL ")
    assert check.encrypted is False and "not encrypted" in check.message
    assert check.server_version and check.schema is not None


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "problem", "message"),
    [
        ({"port": 1}, ConnectionProblem.UNREACHABLE, "Nothing answers at 127.0.0.1:1"),
        (
            {"host": "no-such-host.invalid"},
            ConnectionProblem.UNREACHABLE,
            "'no-such-host.invalid' is not known",
        ),
        ({"database": "no_such_db"}, ConnectionProblem.DATABASE_MISSING, "no database named"),
        ({"user": "no_such_user_x"}, ConnectionProblem.WRONG_PASSWORD, "no user named"),
        ({"sslmode": SslMode.REQUIRE}, ConnectionProblem.TLS, "does not offer encryption"),
    ],
)
def test_what_is_wrong_is_said_plainly(
    server_profile: ConnectionProfile,
    change: dict[str, object],
    problem: ConnectionProblem,
    message: str,
) -> None:
    from dataclasses import replace

    check = connection.test_connection(replace(server_profile, **change), "secret")
    assert (check.problem, check.ok) == (problem, False)
    assert message in check.message


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("stamp", "problem", "message"),
    [
        (None, ConnectionProblem.SCHEMA_EMPTY, "The database is empty"),
        ("0002", ConnectionProblem.SCHEMA_OLDER, "older schema 0002"),
        ("9999", ConnectionProblem.SCHEMA_NEWER, "install the newer version"),
    ],
)
def test_a_schema_older_or_newer_than_the_app_is_named(
    server_profile: ConnectionProfile,
    stamp: str | None,
    problem: ConnectionProblem,
    message: str,
) -> None:
    _stamp(server_profile, stamp)
    check = connection.test_connection(server_profile, None)
    assert check.problem is problem
    assert message in check.message


@pytest.mark.postgres
def test_a_user_without_the_guides_grants_is_told_to_apply_them(
    server_profile: ConnectionProfile,
) -> None:
    from dataclasses import replace

    role = f"frontdesk_nogrants_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        check = connection.test_connection(replace(server_profile, user=role), None)
        assert check.problem is ConnectionProblem.NOT_ALLOWED
        assert "may not read the practice's records" in check.message
        assert "grants in the setup guide" in check.message
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"),
                {"r": role},
            )
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


class PasswordRefusingServer:
    """Speaks PostgreSQL's startup protocol: asks for a password, then refuses it (28P01)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.passwords: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, client: socket.socket, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = client.recv(count - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _serve(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            with client:
                try:
                    self._session(client)
                except (ConnectionError, OSError):
                    continue

    def _session(self, client: socket.socket) -> None:
        while True:
            (length,) = struct.unpack("!I", self._read(client, 4))
            body = self._read(client, length - 4)
            (code,) = struct.unpack("!I", body[:4])
            if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest: not offered
                client.sendall(b"N")
                continue
            break
        client.sendall(b"R" + struct.pack("!II", 8, 3))  # AuthenticationCleartextPassword
        kind = self._read(client, 1)
        (length,) = struct.unpack("!I", self._read(client, 4))
        payload = self._read(client, length - 4)
        if kind == b"p":
            self.passwords.append(payload.rstrip(b"\x00"))
        fields = (
            b"SFATAL\x00VFATAL\x00C28P01\x00"
            b'Mpassword authentication failed for user "frontdesk_app"\x00\x00'
        )
        client.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def refusing_server() -> Iterator[PasswordRefusingServer]:
    server = PasswordRefusingServer()
    yield server
    server.close()


def test_a_wrong_password_and_a_missing_one_are_told_apart(
    refusing_server: PasswordRefusingServer,
) -> None:
    profile = ConnectionProfile(host="127.0.0.1", port=refusing_server.port, sslmode=SslMode.PREFER)
    check = connection.test_connection(profile, "not-the-password")
    assert check.problem is ConnectionProblem.WRONG_PASSWORD
    assert "refused the password for the user 'frontdesk_app'" in check.message
    assert refusing_server.passwords == [b"not-the-password"]
    check = connection.test_connection(profile, None)
    assert check.problem is ConnectionProblem.PASSWORD_NEEDED
    assert "type it in" in check.message


# ---------------------------------------------------------------------------------------------
# Outages: the server drops every connection (as in a restart) between and during calls


def _cut_connections(database_name: str) -> int:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": database_name},
                ).scalar_one()
            )
    finally:
        admin.dispose()


@pytest.fixture
def server_context(server_profile: ConnectionProfile) -> Iterator[ServiceContext]:
    audit.install()
    database = open_database(connection.database_url(server_profile))
    yield ServiceContext(database, ACTOR)
    database.dispose()


def _location_names(context: ServiceContext) -> list[str]:
    with context.reading(None) as session:
        return list(session.scalars(select(Location.name).order_by(Location.id)))


@pytest.mark.postgres
def test_connections_cut_between_calls_reconnect_by_themselves(
    server_context: ServiceContext, server_profile: ConnectionProfile
) -> None:
    save_location(server_context, LocationForm(name="Before"))
    assert _cut_connections(server_profile.database) >= 1
    save_location(server_context, LocationForm(name="After"))
    assert _location_names(server_context) == ["Before", "After"]


@pytest.mark.postgres
def test_a_save_cut_off_midway_says_nothing_was_saved_and_the_retry_works(
    server_context: ServiceContext, server_profile: ConnectionProfile
) -> None:
    with pytest.raises(DatabaseUnavailableError) as caught, server_context.writing(None) as uow:
        uow.session.add(Location(name="Half saved?"))
        uow.session.flush()  # the row and its audit entry are written, not committed
        assert _cut_connections(server_profile.database) >= 1
        uow.commit()
    message = str(caught.value)
    assert "was lost, so nothing was saved; try again in a moment" in message
    assert "terminating connection" not in message
    assert caught.value.exit_code == 2
    # Nothing half-saved: no row, no audit entry; the retry reconnects and saves.
    save_location(server_context, LocationForm(name="Half saved?"))
    assert _location_names(server_context) == ["Half saved?"]
    from frontdesk.services.platform import audit_trail

    assert audit_trail.count_entries(server_context) == 1
    assert audit_trail.verify_chain(server_context).intact


@pytest.mark.postgres
def test_a_read_cut_off_midway_is_reported_the_same_way(
    server_context: ServiceContext, server_profile: ConnectionProfile
) -> None:
    save_location(server_context, LocationForm(name="Listed"))
    with (
        pytest.raises(DatabaseUnavailableError, match="was lost"),
        server_context.reading(None) as session,
    ):
        session.execute(text("SELECT 1"))
        _cut_connections(server_profile.database)
        session.execute(text("SELECT 1"))
    assert _location_names(server_context) == ["Listed"]


def test_a_profile_without_a_user_opens_nothing_before_someone_signs_in() -> None:
    """Per-person roles: the saved server names no user, and no password is asked at start."""
    profile = connection.save_profile(ConnectionProfile(host="server.clinic.lan", user=""))
    assert profile.per_person
    assert "@" not in profile.describe()

    def never_asked(_profile: ConnectionProfile) -> str:
        raise AssertionError("no password is asked for per-person logins")

    url = connection.server_url_for_startup(never_asked)
    assert url is not None and make_url(url).username is None and make_url(url).password is None


def test_testing_a_profile_without_a_user_says_how_to_test_it() -> None:
    check = connection.test_connection(ConnectionProfile(host="127.0.0.1", user=""), None)
    assert not check.ok
    assert "each person's sign-in connects as their own database login" in check.message
