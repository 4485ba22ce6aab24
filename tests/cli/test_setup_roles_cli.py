"""`frontdesk db setup-roles`: the move of an existing practice from one shared role to
per-person logins, run by the owner as one of the practice's admins."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from frontdesk.db import migrate
from frontdesk.db.engine import open_database
from frontdesk.db.server_roles import ServerRoleNames, setup_sql
from frontdesk.domain.permissions import Role
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.services.practice.first_run import create_first_admin
from frontdesk.services.practice.forms import NewUserForm
from frontdesk.services.practice.users import deactivate_user
from tests.accounts import PASSWORDS, add_user
from tests.conftest import make_actor
from tests.helpers.cli import frontdesk
from tests.helpers.person_roles import drop_roles, person_roles_database
from tests.helpers.postgres import database_url, throwaway_database

pytestmark = pytest.mark.postgres


def test_setup_roles_gives_every_account_a_login_and_keeps_the_running_admins_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with throwaway_database("frontdesk_setup") as (admin, name):
        url = database_url(name)
        names = ServerRoleNames.for_database(name)
        database = open_database(url)
        try:
            migrate.upgrade(database)
            owner = make_context(database, make_actor())
            create_first_admin(
                owner, NewUserForm("office.mgr", PASSWORDS[Role.ADMIN], Role.ADMIN, "")
            )
            desk = add_user(owner, "desk.dan", Role.FRONT_DESK)
            gone = add_user(owner, "gone.gus", Role.CLINICAL)
            deactivate_user(owner, gone.id)
        finally:
            database.dispose()
        try:
            refused = frontdesk("db", "setup-roles", database=url, capsys=capsys)
            assert refused.code == 2
            assert "--user" in refused.err
            done = frontdesk(
                "--user",
                "office.mgr",
                "db",
                "setup-roles",
                database=url,
                env={"FRONTDESK_PASSWORD": PASSWORDS[Role.ADMIN]},
                capsys=capsys,
            )
            assert done.code == 0, done.err
            assert "no database password yet" in done.out
            assert "desk.dan" in done.out and "office.mgr" not in done.out.split("yet")[-1]
            with admin.connect() as link:
                rows = link.execute(
                    text(
                        "SELECT rolname, rolcanlogin, rolpassword IS NOT NULL FROM pg_authid"
                        " WHERE rolname LIKE :like ORDER BY 1"
                    ),
                    {"like": names.prefix + ".%"},
                ).all()
            assert [tuple(row) for row in rows] == [
                (names.login("desk.dan"), True, False),
                (names.login("gone.gus"), False, False),
                (names.login("office.mgr"), True, True),
            ]
            assert desk.username == "desk.dan"
            # Running it again (after an upgrade, say) changes nothing and says the same.
            again = frontdesk(
                "--user",
                "office.mgr",
                "db",
                "setup-roles",
                database=url,
                env={"FRONTDESK_PASSWORD": PASSWORDS[Role.ADMIN]},
                capsys=capsys,
            )
            assert again.code == 0, again.err
        finally:
            drop_roles(admin, names, url)


def test_setup_roles_prints_the_statements_for_a_dba(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://owner@server.clinic.lan/lakeside"
    printed = frontdesk("db", "setup-roles", "--sql", database=url, capsys=capsys)
    assert printed.code == 0
    assert printed.out == setup_sql(str(make_url(url).database))
    assert '"lakeside_front_desk"' in printed.out


def test_db_upgrade_grants_the_groups_their_rights_on_new_tables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with person_roles_database("frontdesk_upgrade") as db:
        db.add_person("desk.dee", Role.FRONT_DESK)
        owner = create_engine(db.url, isolation_level="AUTOCOMMIT")
        with owner.connect() as link:
            link.execute(text("CREATE TABLE later_table (id integer)"))  # as a migration would
        owner.dispose()
        desk = db.person_engine("desk.dee")
        try:
            with pytest.raises(ProgrammingError, match="permission denied"), desk.begin() as link:
                link.execute(text("SELECT * FROM later_table"))
            upgraded = frontdesk("db", "upgrade", database=db.url, capsys=capsys)
            assert upgraded.code == 0, upgraded.err
            assert "per-person roles" in upgraded.out
            with desk.begin() as link:
                link.execute(text("INSERT INTO later_table VALUES (1)"))
        finally:
            desk.dispose()
