"""Setting up per-person database roles on a PostgreSQL server (the owner; again after upgrades).

``set_up_person_roles`` runs the statements of ``frontdesk.db.server_roles`` in one
transaction and gives every existing account its login role. Existing passwords cannot be
carried over (the app kept only an Argon2 hash of each; PostgreSQL needs its own verifier):
the admin who runs it keeps theirs, typed to run the command; every other login role has no
password until an admin resets it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text

from frontdesk.db.models import User
from frontdesk.db.server_roles import ServerRoleNames, setup_statements
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.logins import per_person_roles, sync_login


@dataclass(frozen=True)
class RolesSetUp:
    database: str
    groups: tuple[str, ...]
    logins: tuple[str, ...]  # every account's login role
    without_password: tuple[str, ...]  # the user names whose password an admin must reset


def set_up_person_roles(context: ServiceContext, own_password: str | None) -> RolesSetUp:
    """Groups, grants and account functions, then a login role for every account.

    ``own_password``: the acting admin's password (just checked at sign-in), which becomes
    their login role's password. Run by the database's owner, which needs CREATEROLE.
    """
    if context.database.is_sqlite:
        raise RefusedError(
            "Per-person database roles are for a PostgreSQL server; a SQLite file has none"
        )
    with context.writing(Permission.MANAGE_USERS) as uow:
        session = uow.session
        database = str(session.scalar(text("SELECT current_database()")))
        tables = list(
            session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        )
        for statement in setup_statements(database, tables):
            session.execute(text(statement))
        names = ServerRoleNames.for_database(database)
        logins, missing = [], []
        for user_id, username in session.execute(select(User.id, User.username)):
            mine = user_id == context.actor.user_id and own_password is not None
            sync_login(session, user_id, own_password if mine else None)
            logins.append(names.login(username))
            if not mine:
                missing.append(username)
        uow.record("setup_roles", "users", details={"logins": len(logins)})
        uow.commit()
    return RolesSetUp(database, names.groups, tuple(logins), tuple(missing))


def refresh_person_roles(context: ServiceContext) -> bool:
    """After a schema upgrade, grant the new tables' rights (when per-person roles are set
    up); returns whether it did. Run as the owner."""
    if context.database.is_sqlite:
        return False
    with context.writing(None) as uow:
        session = uow.session
        if not per_person_roles(session):
            return False
        database = str(session.scalar(text("SELECT current_database()")))
        tables = list(
            session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        )
        for statement in setup_statements(database, tables):
            session.execute(text(statement))
        uow.commit()
    return True
