"""Each person's own database login (PostgreSQL per-person roles) kept in step with their account.

Where the owner has set up per-person roles (``frontdesk db setup-roles``), every change to
an account (added, role changed, deactivated, reactivated, password reset) calls the
database's ``frontdesk_sync_login`` in the transaction that changed the ``users`` row, so
the row and the login role never disagree. On SQLite, or on a server without those roles,
nothing happens here: the app's own sign-in is all there is.

Passwords go to the server as SCRAM-SHA-256 verifiers made by libpq on this computer (what
psql's \\password does), never as the password itself, so no server log can show one.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from frontdesk.db.server_roles import OWN_PASSWORD_FUNCTION, SYNC_FUNCTION, ServerRoleNames
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.passwords import normalized_password

SIGNATURE = f"public.{SYNC_FUNCTION}(integer,text)"


def per_person_roles(session: Session) -> bool:
    """Whether this database gives each person their own login (set up by the owner)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return bool(
        session.scalar(text("SELECT to_regprocedure(:name) IS NOT NULL"), {"name": SIGNATURE})
    )


def role_names(session: Session) -> ServerRoleNames:
    database = session.scalar(text("SELECT current_database()"))
    return ServerRoleNames.for_database(str(database))


def check_login_name(session: Session, username: str, field: str = "username") -> None:
    """A user name must fit a database login name (63 bytes with the prefix)."""
    if not per_person_roles(session):
        return
    try:
        role_names(session).login(username)
    except ValueError as error:
        raise ValidationError({field: str(error)}) from error


def scram_verifier(session: Session, login: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of ``password``, made by libpq as psql's \\password does."""
    driver = session.connection().connection.driver_connection
    verifier = driver.pgconn.encrypt_password(  # type: ignore[union-attr]
        normalized_password(password).encode("utf-8"), login.encode("utf-8"), b"scram-sha-256"
    )
    return bytes(verifier).decode("ascii")


def sync_login(session: Session, user_id: int, password: str | None = None) -> None:
    """Make the user's login role match their (flushed) ``users`` row; with ``password``,
    set its password too. Does nothing without per-person roles."""
    if not per_person_roles(session):
        return
    session.flush()
    verifier = None
    if password is not None:
        username = session.scalar(
            text("SELECT username FROM users WHERE id = :id"), {"id": user_id}
        )
        verifier = scram_verifier(session, role_names(session).login(str(username)), password)
    session.execute(
        text(f"SELECT public.{SYNC_FUNCTION}(:id, :verifier)"),
        {"id": user_id, "verifier": verifier},
    )


def set_own_password(session: Session, username: str, password: str) -> None:
    """The signed-in person's own login role gets ``password`` (per-person roles only)."""
    verifier = scram_verifier(session, role_names(session).login(username), password)
    session.execute(
        text(f"SELECT public.{OWN_PASSWORD_FUNCTION}(:verifier)"), {"verifier": verifier}
    )
