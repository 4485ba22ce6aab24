"""The documented per-person roles at work: an admin's own login does the everyday work and
the backups, and no application login can rewrite history or the schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from frontdesk.db.engine import Database, open_database
from frontdesk.domain.errors import PermissionDeniedError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_trail, backup
from frontdesk.services.practice import settings
from frontdesk.services.practice.forms import LocationForm
from frontdesk.services.practice.locations import save_location
from tests.conftest import make_actor
from tests.helpers.person_roles import (
    PersonRolesDatabase,
    person_roles_database,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def roles_db() -> Iterator[PersonRolesDatabase]:
    with person_roles_database("frontdesk_grants") as db:
        db.add_person("head.admin", Role.ADMIN)
        yield db


@pytest.fixture
def admin_database(roles_db: PersonRolesDatabase) -> Iterator[Database]:
    """The database opened as an admin's own login role."""
    database = open_database(roles_db.person_url("head.admin"))
    yield database
    database.dispose()


def test_an_admins_own_login_saves_records_appends_audit_entries_and_backs_up(
    roles_db: PersonRolesDatabase, admin_database: Database
) -> None:
    app = ServiceContext(admin_database, make_actor(Role.ADMIN, "head.admin"))
    before = audit_trail.count_entries(app)
    saved = save_location(app, LocationForm(name="North Clinic"))
    save_location(app, LocationForm(name="North Clinic 2"), saved.id, saved.version)
    settings.set_setting(app, settings.AUTO_LOCK_MINUTES, 7)
    with app.writing(None) as uow:
        uow.record("view", "patients", 1, patient_id=1)
        uow.commit()
    assert audit_trail.count_entries(app) == before + 4
    assert audit_trail.verify_chain(app).intact
    assert backup.backup_database(app).path.exists()  # pg_dump as the admin's login


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET username = 'mallory'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
        "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only",
        "DROP TRIGGER audit_entries_append_only ON audit_entries",
        "CREATE TABLE scratch (id integer)",
        "ALTER TABLE patients ADD COLUMN scratch integer",
        "UPDATE alembic_version SET version_num = '0001'",
        "DELETE FROM patients",
        "DELETE FROM users",
    ],
)
def test_not_even_an_admins_login_rewrites_history_or_the_schema(
    admin_database: Database, statement: str
) -> None:
    with (
        pytest.raises(ProgrammingError, match=r"permission denied|must be owner"),
        admin_database.engine.begin() as connection,
    ):
        connection.execute(text(statement))


def test_a_refused_write_reaches_people_as_a_calm_message(admin_database: Database) -> None:
    app = ServiceContext(admin_database, make_actor(Role.ADMIN, "head.admin"))
    with (
        pytest.raises(PermissionDeniedError, match="permission denied for table audit_entries"),
        app.writing(None) as uow,
    ):
        uow.session.execute(text("DELETE FROM audit_entries"))
