"""Helpers for tests that need Front Desk accounts or a tamperable audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from frontdesk.db.engine import Database
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import NewUserForm, UserData
from frontdesk.services.practice.sign_in import sign_in
from frontdesk.services.practice.users import create_user

PASSWORDS = {
    Role.ADMIN: "admin lake side morning",
    Role.FRONT_DESK: "front desk violet canoe",
    Role.CLINICAL: "clinical staple orchard",
}


def add_user(context: ServiceContext, username: str, role: Role) -> UserData:
    """An account with the role's test password, created by ``context``'s admin actor."""
    return create_user(context, NewUserForm(username, PASSWORDS[role], role, username))


def signed_in(context: ServiceContext, username: str, role: Role) -> ServiceContext:
    """``context`` acting as a freshly signed-in user of ``role``."""
    add_user(context, username, role)
    actor: Actor = sign_in(context, username, PASSWORDS[role])
    return context.as_actor(actor)


@contextmanager
def tamperable_audit_trail(database: Database) -> Iterator[None]:
    """Lift the append-only trigger (and, on PostgreSQL, the one that computes the chain), as
    someone with direct database access could.

    SQLite drops it (the test's file is thrown away); PostgreSQL disables them as superuser and
    enables them again afterwards, since the test database is shared by the whole run.
    """
    with database.engine.begin() as connection:
        if database.is_sqlite:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_delete"))
        else:
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    try:
        yield
    finally:
        if not database.is_sqlite:
            with database.engine.begin() as connection:
                connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
