"""A throwaway PostgreSQL database with per-person roles set up, and its roles dropped after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.db import migrate
from frontdesk.db.engine import Database, open_database
from frontdesk.db.server_roles import ServerRoleNames
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.services.platform.person_roles import set_up_person_roles
from frontdesk.services.practice.forms import NewUserForm
from frontdesk.services.practice.users import create_user
from tests.conftest import make_actor
from tests.helpers.postgres import database_url, throwaway_database

PASSWORD = "amber-quokka-lantern-91"


@dataclass
class PersonRolesDatabase:
    """The database (opened as the owner), its role names and the server's administrator."""

    name: str
    url: str
    owner: ServiceContext
    names: ServerRoleNames
    admin: Engine

    def add_person(self, username: str, role: Role, password: str = PASSWORD) -> int:
        form = NewUserForm(username=username, password=password, role=role, display_name="")
        return create_user(self.owner, form).id

    def person_url(self, username: str, password: str | None = None) -> str:
        """The URL of this database as ``username``'s own login role (the local server
        trusts 127.0.0.1, so the password is not checked there)."""
        url = make_url(self.url).set(username=self.names.login(username), password=password)
        return url.render_as_string(hide_password=False)

    def person_engine(self, username: str) -> Engine:
        return create_engine(self.person_url(username))

    def role_facts(self, username: str) -> tuple[bool, list[str], str | None]:
        """(may log in, the groups it is a member of, its stored password verifier)."""
        login = self.names.login(username)
        with self.admin.connect() as link:
            row = link.execute(
                text("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = :name"),
                {"name": login},
            ).one()
            groups = link.scalars(
                text(
                    "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                    " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :name ORDER BY 1"
                ),
                {"name": login},
            ).all()
        return bool(row[0]), list(groups), row[1]


def drop_roles(admin: Engine, names: ServerRoleNames, database_url: str | None = None) -> None:
    """Drop every role this database's set-up made (cluster-wide, so tests must). With
    ``database_url`` (the database still exists), their rights there are dropped first."""
    with admin.connect() as link:
        roles = link.scalars(
            text("SELECT rolname FROM pg_roles WHERE left(rolname, :n) IN (:login, :group)"),
            {"n": len(names.prefix) + 1, "login": names.prefix + ".", "group": names.prefix + "_"},
        ).all()
        link.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY(:r)"),
            {"r": list(roles)},
        )
    logins = [role for role in roles if role not in names.groups]
    ordered = [*logins, *[group for group in names.groups if group in roles]]
    if database_url is not None and ordered:
        there = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with there.connect() as link:
            link.execute(text("DROP OWNED BY " + ", ".join(f'"{role}"' for role in ordered)))
        there.dispose()
    with admin.connect() as link:
        for role in ordered:
            link.execute(text(f'DROP ROLE "{role}"'))


@contextmanager
def person_roles_database(prefix: str = "frontdesk_roles") -> Iterator[PersonRolesDatabase]:
    """A migrated database with per-person roles set up by its owner (the server's
    administrator here), acting as an admin; the database and every role it made are
    dropped after."""
    with throwaway_database(prefix) as (admin, name):
        url = database_url(name)
        database: Database = open_database(url)
        names = ServerRoleNames.for_database(name)
        try:
            migrate.upgrade(database)
            owner = make_context(database, make_actor())
            set_up_person_roles(owner, None)
            yield PersonRolesDatabase(name, url, owner, names, admin)
        finally:
            database.dispose()
            with admin.connect() as link:
                link.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            drop_roles(admin, names)
