"""This workstation's connection to the practice's PostgreSQL server: profile, password, test.

The profile (host, port, database, user, TLS mode) is a small JSON file in the data folder.
The password is never written there: it goes to the operating system's keyring (Windows
Credential Manager, macOS Keychain, the Secret Service on Linux desktops) through the
``keyring`` library, and where no keyring exists the profile says so and the app asks for
the password at each start.

For the Admin screen: ``load_profile``/``save_profile``, ``keyring_status``,
``remember_password`` (returns the profile with where its password now lives),
``test_connection`` (one plain sentence for what is wrong). For start-up:
``server_url_for_startup``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from frontdesk.db import migrate
from frontdesk.db.engine import open_database
from frontdesk.db.migrate import SchemaState, SchemaStatus
from frontdesk.domain.errors import DatabaseUnavailableError, FrontDeskError, ValidationError
from frontdesk.domain.progress import Cancelled
from frontdesk.paths import server_profile_file

log = logging.getLogger(__name__)

PROFILE_FORMAT = 1
KEYRING_SERVICE = "Front Desk practice server"
DEFAULT_PORT = 5432
# libpq's host names: letters, digits, dots, dashes (and IPv6 literals); no URL pieces.
_HOST = re.compile(r"^[A-Za-z0-9._:\-\[\]%]+$")
_NAME = re.compile(r"^[^\x00-\x1f/?#@:]+$")


class SslMode(StrEnum):
    """libpq's sslmode values, weakest first (``allow`` is left out: it is never right)."""

    DISABLE = "disable"
    PREFER = "prefer"
    REQUIRE = "require"
    VERIFY_CA = "verify-ca"
    VERIFY_FULL = "verify-full"

    @property
    def label(self) -> str:
        return {
            SslMode.DISABLE: "Never encrypt (only on a network you fully trust)",
            SslMode.PREFER: "Encrypt when the server offers it",
            SslMode.REQUIRE: "Always encrypt",
            SslMode.VERIFY_CA: "Always encrypt and check the server's certificate",
            SslMode.VERIFY_FULL: "Always encrypt and check the certificate and the server name",
        }[self]

    @property
    def checks_certificate(self) -> bool:
        return self in (SslMode.VERIFY_CA, SslMode.VERIFY_FULL)


class PasswordSource(StrEnum):
    KEYRING = "keyring"  # in the operating system's keyring
    ASK = "ask"  # asked at each start: this computer has no keyring


@dataclass(frozen=True)
class ConnectionProfile:
    """Where this workstation finds the practice's server. Never holds a password."""

    host: str
    database: str = "frontdesk"
    # Empty: per-person database roles, each person signs in as their own login (nothing
    # is opened, and no password asked, before someone signs in).
    user: str = "frontdesk_app"
    port: int = DEFAULT_PORT
    sslmode: SslMode = SslMode.PREFER
    # The certificate authority file for verify-ca/verify-full ("": libpq's default,
    # ~/.postgresql/root.crt or %APPDATA%\postgresql\root.crt).
    ssl_root_cert: str = ""
    password_source: PasswordSource = PasswordSource.ASK

    def describe(self) -> str:
        """For the status bar and messages: who, where, how protected; never a password."""
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}:{self.port}/{self.database} ({self.sslmode.label})"

    @property
    def per_person(self) -> bool:
        return not self.user

    @property
    def keyring_username(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    name: str
    message: str


class ConnectionProblem(StrEnum):
    NONE = "ok"
    UNREACHABLE = "unreachable"
    WRONG_PASSWORD = "wrong password"
    PASSWORD_NEEDED = "password needed"
    NOT_ALLOWED = "not allowed"
    DATABASE_MISSING = "database missing"
    TLS = "tls"
    SCHEMA_EMPTY = "schema empty"
    SCHEMA_OLDER = "schema older"
    SCHEMA_NEWER = "schema newer"
    OTHER = "other"


@dataclass(frozen=True)
class ConnectionCheck:
    """The answer of "Test connection": ``ok``, or the one problem and what to do about it."""

    problem: ConnectionProblem
    message: str
    server_version: str = ""
    encrypted: bool | None = None
    schema: SchemaStatus | None = None

    @property
    def ok(self) -> bool:
        return self.problem is ConnectionProblem.NONE


# ---------------------------------------------------------------------------------------------
# The profile


def validate_profile(profile: ConnectionProfile) -> ConnectionProfile:
    """The profile with surrounding spaces removed; ValidationError names each bad field."""
    cleaned = replace(
        profile,
        host=profile.host.strip(),
        database=profile.database.strip(),
        user=profile.user.strip(),
        ssl_root_cert=profile.ssl_root_cert.strip(),
    )
    problems: dict[str, str] = {}
    if not cleaned.host:
        problems["host"] = "give the server's name or address"
    elif not _HOST.match(cleaned.host):
        problems["host"] = "give only the server's name or address (no spaces, slashes or @)"
    if not isinstance(cleaned.port, int) or not 1 <= cleaned.port <= 65_535:
        problems["port"] = "give a port between 1 and 65535 (PostgreSQL's usual one is 5432)"
    if not cleaned.database:
        problems["database"] = "give the database's name"
    elif not _NAME.match(cleaned.database):
        problems["database"] = "a database name cannot contain / ? # @ or :"
    if cleaned.user and not _NAME.match(cleaned.user):
        problems["user"] = "a user name cannot contain / ? # @ or :"
    try:
        SslMode(cleaned.sslmode)
    except ValueError:
        problems["sslmode"] = f"choose one of {', '.join(mode.value for mode in SslMode)}"
    if cleaned.ssl_root_cert and not Path(cleaned.ssl_root_cert).expanduser().is_file():
        problems["ssl_root_cert"] = f"there is no file at {cleaned.ssl_root_cert}"
    if problems:
        raise ValidationError(problems)
    return replace(
        cleaned,
        sslmode=SslMode(cleaned.sslmode),
        password_source=PasswordSource(cleaned.password_source),
    )


def profile_path() -> Path:
    return server_profile_file()


def load_profile() -> ConnectionProfile | None:
    """This workstation's server profile, or None when it uses the local database file."""
    path = profile_path()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return validate_profile(
            ConnectionProfile(
                host=str(data["host"]),
                database=str(data["database"]),
                user=str(data["user"]),
                port=int(data["port"]),
                sslmode=SslMode(data["sslmode"]),
                ssl_root_cert=str(data.get("ssl_root_cert", "")),
                password_source=PasswordSource(data.get("password_source", "ask")),
            )
        )
    except (OSError, ValueError, KeyError, TypeError, ValidationError) as error:
        raise FrontDeskError(
            f"The server connection settings in {path} cannot be read ({error}): set them "
            "again in Admin, or delete the file to use this computer's own database"
        ) from error


def save_profile(profile: ConnectionProfile) -> ConnectionProfile:
    """Check and store the profile (replacing the file in one step); returns what was saved."""
    profile = validate_profile(profile)
    data = {"format": PROFILE_FORMAT, **asdict(profile)}
    data["sslmode"] = profile.sslmode.value
    data["password_source"] = profile.password_source.value
    path = profile_path()
    handle, temporary = tempfile.mkstemp(prefix=".connection-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("server connection profile saved (password: %s)", profile.password_source.value)
    return profile


def forget_profile() -> None:
    """Back to this computer's own database file: the profile and its stored password go."""
    profile = None
    with contextlib.suppress(FrontDeskError):
        profile = load_profile()
    if profile is not None:
        forget_password(profile)
    profile_path().unlink(missing_ok=True)


def database_url(profile: ConnectionProfile, password: str | None = None) -> str:
    """The SQLAlchemy URL for the profile (with the password only in memory, if given)."""
    query: dict[str, str] = {"sslmode": profile.sslmode.value}
    if profile.ssl_root_cert:
        query["sslrootcert"] = str(Path(profile.ssl_root_cert).expanduser())
    url = URL.create(
        "postgresql+psycopg",
        username=profile.user or None,
        password=password or None,
        host=profile.host,
        port=profile.port,
        database=profile.database,
        query=query,
    )
    return url.render_as_string(hide_password=False)


# ---------------------------------------------------------------------------------------------
# The password


def _keyring_backend() -> Any | None:
    """The keyring backend when it can really store secrets, else None."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:  # no backend can even be chosen (broken D-Bus, say)
        return None
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


def keyring_status() -> KeyringStatus:
    backend = _keyring_backend()
    if backend is None:
        return KeyringStatus(
            False,
            "",
            "This computer has no password keyring, so the password is asked at each start",
        )
    name = getattr(backend, "name", type(backend).__name__)
    return KeyringStatus(True, name, f"The password is kept in this computer's keyring ({name})")


def remember_password(profile: ConnectionProfile, password: str) -> ConnectionProfile:
    """Keep the password in the keyring when there is one; returns the profile saying where.

    Without a usable keyring (or when it refuses), nothing is stored anywhere and the
    returned profile says the password is asked at start. Save the returned profile.
    """
    profile = validate_profile(profile)  # the keyring entry is named after the clean profile
    backend = _keyring_backend()
    if backend is not None and password:
        try:
            backend.set_password(KEYRING_SERVICE, profile.keyring_username, password)
            return replace(profile, password_source=PasswordSource.KEYRING)
        except Exception as error:  # a locked or broken keyring: fall back to asking
            log.warning("keyring refused the password: %s", type(error).__name__)
    return replace(profile, password_source=PasswordSource.ASK)


def stored_password(profile: ConnectionProfile) -> str | None:
    if profile.password_source is not PasswordSource.KEYRING:
        return None
    backend = _keyring_backend()
    if backend is None:
        return None
    try:
        value = backend.get_password(KEYRING_SERVICE, profile.keyring_username)
    except Exception as error:
        log.warning("keyring could not be read: %s", type(error).__name__)
        return None
    return value if isinstance(value, str) else None


def forget_password(profile: ConnectionProfile) -> None:
    backend = _keyring_backend()
    if backend is None:
        return
    with contextlib.suppress(Exception):  # nothing stored is fine
        backend.delete_password(KEYRING_SERVICE, profile.keyring_username)


def server_url_for_startup(ask_password: Callable[[ConnectionProfile], str | None]) -> str | None:
    """The URL to open at start: None without a server profile (use the local file).

    The password comes from the keyring, else from ``ask_password`` (the start-up dialog
    or a terminal prompt), which returns None when the person cancels: then Cancelled.
    """
    profile = load_profile()
    if profile is None:
        return None
    if profile.per_person:
        return database_url(profile)  # each person's own password opens it at sign-in
    password = stored_password(profile)
    if password is None:
        password = ask_password(profile)
        if password is None:
            raise Cancelled
    return database_url(profile, password)


# ---------------------------------------------------------------------------------------------
# Test connection


def _driver_message(error: BaseException) -> tuple[str, str | None]:
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, DBAPIError):
        cause = cause.__cause__
    orig = getattr(cause, "orig", None) or cause or error
    return str(orig).strip(), getattr(orig, "sqlstate", None)


def _connect_problem(profile: ConnectionProfile, error: BaseException) -> ConnectionCheck:
    """Sort a failed connection into what a person can act on."""
    message, sqlstate = _driver_message(error)
    lowered = message.lower()
    where = f"{profile.host}:{profile.port}"

    def check(problem: ConnectionProblem, sentence: str) -> ConnectionCheck:
        return ConnectionCheck(problem, sentence)

    if "password authentication failed" in lowered or sqlstate == "28P01":
        return check(
            ConnectionProblem.WRONG_PASSWORD,
            f"The server refused the password for the user '{profile.user}': check the "
            "password (and the user name)",
        )
    if "no password supplied" in lowered:
        return check(
            ConnectionProblem.PASSWORD_NEEDED,
            f"The server asks for the password of '{profile.user}': type it in",
        )
    if re.search(r'role ".*" does not exist', lowered):
        return check(
            ConnectionProblem.WRONG_PASSWORD,
            f"The server has no user named '{profile.user}': check the user name",
        )
    if re.search(r'database ".*" does not exist', lowered) or sqlstate == "3D000":
        return check(
            ConnectionProblem.DATABASE_MISSING,
            f"The server at {where} has no database named '{profile.database}': check the "
            "name, or create it (see the setup guide)",
        )
    if "pg_hba.conf" in lowered:
        return check(
            ConnectionProblem.NOT_ALLOWED,
            f"The server at {where} does not accept '{profile.user}' from this computer "
            "(or without encryption): its administrator must allow it in pg_hba.conf",
        )
    if "permission denied for database" in lowered or "not permitted to log in" in lowered:
        return check(
            ConnectionProblem.NOT_ALLOWED,
            f"The user '{profile.user}' may not connect to '{profile.database}': apply the "
            "grants in the setup guide",
        )
    if "does not support ssl" in lowered:
        return check(
            ConnectionProblem.TLS,
            f"The server at {where} does not offer encryption (TLS), which this profile "
            "requires: turn on ssl on the server, or choose a weaker mode only on a trusted "
            "network",
        )
    if "root certificate file" in lowered:
        return check(
            ConnectionProblem.TLS,
            "The certificate authority file to check the server against is missing: choose "
            "it in the profile",
        )
    if "certificate" in lowered or "ssl" in lowered:
        return check(
            ConnectionProblem.TLS,
            f"The encrypted connection to {where} failed its check ({message.splitlines()[-1]})"
            ": the server's certificate does not match what this profile expects",
        )
    if any(
        sign in lowered
        for sign in ("failed to resolve host", "translate host name", "name or service not known")
    ):
        return check(
            ConnectionProblem.UNREACHABLE,
            f"The server name '{profile.host}' is not known on this network: check its spelling",
        )
    if "the database system is" in lowered:
        return check(
            ConnectionProblem.UNREACHABLE,
            f"The server at {where} is starting up or shutting down: try again in a moment",
        )
    if "connection refused" in lowered:
        return check(
            ConnectionProblem.UNREACHABLE,
            f"Nothing answers at {where}: is the PostgreSQL server running, does it listen on "
            "the network, and is the port right?",
        )
    if "timeout" in lowered or "timed out" in lowered or "no route to host" in lowered:
        return check(
            ConnectionProblem.UNREACHABLE,
            f"The server at {where} does not answer: check the address and that a firewall "
            "lets this computer through",
        )
    first = message.splitlines()[0] if message else type(error).__name__
    return check(ConnectionProblem.OTHER, f"Cannot connect to {where}: {first}")


def _schema_problem(status: SchemaStatus) -> ConnectionCheck | None:
    if status.state is SchemaState.EMPTY:
        return ConnectionCheck(
            ConnectionProblem.SCHEMA_EMPTY,
            "The database is empty: the server's administrator creates the tables once with "
            "'frontdesk db upgrade' as the owner (or moves this practice's data there with "
            "'frontdesk db copy')",
            schema=status,
        )
    if status.state is SchemaState.BEHIND:
        return ConnectionCheck(
            ConnectionProblem.SCHEMA_OLDER,
            f"The database has the older schema {status.current} (this app needs "
            f"{status.head}): the administrator runs 'frontdesk db upgrade' as the owner",
            schema=status,
        )
    if status.state is SchemaState.AHEAD:
        return ConnectionCheck(
            ConnectionProblem.SCHEMA_NEWER,
            f"The database was upgraded by a newer Front Desk ({status.current}; this app "
            f"knows {status.head}): install the newer version on this computer",
            schema=status,
        )
    return None


def test_connection(profile: ConnectionProfile, password: str | None) -> ConnectionCheck:
    """Connect as the app would and say plainly whether it works, and if not, why."""
    try:
        profile = validate_profile(profile)
    except ValidationError as error:
        return ConnectionCheck(ConnectionProblem.OTHER, str(error))
    if profile.per_person:
        return ConnectionCheck(
            ConnectionProblem.PASSWORD_NEEDED,
            "Without a user name, each person's sign-in connects as their own database login "
            f"({profile.database}.NAME, or as 'frontdesk db setup-roles --sql' names it). To "
            "test, type your own login and password here, then clear both before saving",
        )
    try:
        database = open_database(database_url(profile, password))
    except DatabaseUnavailableError as error:
        return _connect_problem(profile, error)
    try:
        with database.engine.connect() as connection:
            version = str(connection.scalar(text("SHOW server_version")) or "")
            encrypted = connection.scalar(
                text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            )
        try:
            status = migrate.schema_status(database)
            problem = _schema_problem(status)
            if problem is not None:
                return replace(problem, server_version=version, encrypted=encrypted)
            with database.engine.connect() as connection:
                connection.execute(text("SELECT 1 FROM patients LIMIT 1"))
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != "42501":  # insufficient_privilege
                raise
            first = str(error.orig).strip().splitlines()[0]
            return ConnectionCheck(
                ConnectionProblem.NOT_ALLOWED,
                f"Connected, but the user '{profile.user}' may not read the practice's "
                f"records ({first}): apply the grants in the setup guide",
                version,
                encrypted,
            )
        secure = "encrypted" if encrypted else "not encrypted"
        return ConnectionCheck(
            ConnectionProblem.NONE,
            f"Connected to PostgreSQL {version} at {profile.host}:{profile.port} "
            f"({secure}); the database is ready for this version of Front Desk",
            version,
            encrypted,
            status,
        )
    except DBAPIError as error:
        return _connect_problem(profile, error)
    finally:
        database.dispose()


test_connection.__test__ = False  # type: ignore[attr-defined]  # a service, not a pytest test
