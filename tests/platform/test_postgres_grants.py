"""The documented least-privilege role: everyday writes work, the audit trail stays append-only."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from frontdesk.db.engine import Database, open_database
from frontdesk.domain.errors import PermissionDeniedError
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_trail, backup
from frontdesk.services.practice import settings
from frontdesk.services.practice.forms import LocationForm
from frontdesk.services.practice.locations import save_location
from tests.conftest import make_actor
from tests.helpers.postgres import documented_grants

pytestmark = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)]
)


@pytest.fixture
def app_database(database_url: str) -> Iterator[Database]:
    """The test database opened as a fresh role set up exactly as the guide says."""
    role = f"frontdesk_app_{uuid.uuid4().hex[:8]}"
    url = make_url(database_url)
    owner = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        current = connection.execute(text("SELECT current_user")).scalar_one()
        for statement in documented_grants():
            statement = statement.replace("frontdesk_app", role)
            statement = statement.replace("frontdesk_owner", f'"{current}"')
            statement = re.sub(r"DATABASE frontdesk\b", f'DATABASE "{url.database}"', statement)
            connection.execute(text(statement))
    app_url = url.set(username=role, password=None).render_as_string(hide_password=False)
    app = open_database(app_url)
    try:
        yield app
    finally:
        app.dispose()
        with owner.connect() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))
        owner.dispose()


def test_the_app_role_saves_records_and_appends_audit_entries(
    app_database: Database, context: ServiceContext
) -> None:
    app = ServiceContext(app_database, context.actor)
    saved = save_location(app, LocationForm(name="North Clinic"))
    save_location(app, LocationForm(name="North Clinic 2"), saved.id, saved.version)
    settings.set_setting(app, settings.AUTO_LOCK_MINUTES, 7)
    with app.writing(None) as uow:
        uow.record("view", "patients", 1, patient_id=1)
        uow.commit()
    assert audit_trail.count_entries(app) == 4
    assert audit_trail.verify_chain(app).intact
    assert backup.backup_database(app).path.exists()  # pg_dump as the app role


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET username = 'mallory'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
        "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only",
        "DROP TRIGGER audit_entries_append_only ON audit_entries",
        "CREATE TABLE scratch (id integer)",
        "UPDATE alembic_version SET version_num = '0001'",
    ],
)
def test_the_app_role_cannot_rewrite_history_or_the_schema(
    app_database: Database, context: ServiceContext, statement: str
) -> None:
    app = ServiceContext(app_database, make_actor())
    save_location(app, LocationForm(name="North Clinic"))
    with (
        pytest.raises(ProgrammingError, match=r"permission denied|must be owner"),
        app_database.engine.begin() as connection,
    ):
        connection.execute(text(statement))
    assert audit_trail.count_entries(context) == 1
    assert audit_trail.verify_chain(context).intact


def test_a_refused_write_reaches_people_as_a_calm_message(
    app_database: Database, context: ServiceContext
) -> None:
    app = ServiceContext(app_database, make_actor())
    save_location(app, LocationForm(name="North Clinic"))
    with (
        pytest.raises(PermissionDeniedError, match="permission denied for table audit_entries"),
        app.writing(None) as uow,
    ):
        uow.session.execute(text("DELETE FROM audit_entries"))
