"""The trail PostgreSQL writes itself: triggers, the record function, the chain it computes."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, insert, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from frontdesk.db import migrate
from frontdesk.db.engine import Database, open_database
from frontdesk.db.models import AuditEntry, Base, Location
from frontdesk.services.kernel.audit import GENESIS_HASH, REDACTED, entry_hash, hashed_fields
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.platform import audit_checkpoint, audit_trail
from frontdesk.services.platform.audit_trail import AuditFilter
from frontdesk.services.practice.forms import LocationForm
from frontdesk.services.practice.locations import save_location
from tests.accounts import add_user, tamperable_audit_trail
from tests.conftest import make_actor
from tests.platform.test_audit_checkpoint import rewrite_trail

pytestmark = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)]
)


@pytest.fixture
def plain_role(database_url: str) -> Iterator[tuple[str, Engine]]:
    """A login role that is not the tables' owner, granted as an app role is: it reads every
    table and writes every one but the audit trail."""
    role = f"desk_{uuid.uuid4().hex[:8]}"
    owner = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        database_name = make_url(database_url).database
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        connection.execute(text(f'GRANT CONNECT ON DATABASE "{database_name}" TO "{role}"'))
        connection.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        connection.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
        tables = connection.scalars(
            text(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT IN ('audit_entries', 'alembic_version')"
            )
        ).all()
        connection.execute(text(f'GRANT INSERT, UPDATE, DELETE ON {", ".join(tables)} TO "{role}"'))
        connection.execute(
            text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        )
    engine = create_engine(make_url(database_url).set(username=role, password=None))
    try:
        yield role, engine
    finally:
        engine.dispose()
        with owner.connect() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))
        owner.dispose()


def _entries(context: ServiceContext, **where: object) -> list[audit_trail.AuditEntryData]:
    return list(audit_trail.list_entries(context, AuditFilter(**where)).entries)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO audit_entries (at, username, workstation, action, entity, entity_id, "
        "details, prev_hash, hash) VALUES (now(), 'ghost', '', 'view', 'patients', '', '{}', "
        "'', '')",
        "UPDATE audit_entries SET username = 'mallory'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
    ],
)
def test_a_plain_role_cannot_write_the_trail(
    context: ServiceContext, plain_role: tuple[str, Engine], statement: str
) -> None:
    save_location(context, LocationForm(name="North Clinic"))
    _role, engine = plain_role
    with pytest.raises(ProgrammingError, match="permission denied"), engine.begin() as connection:
        connection.execute(text(statement))
    assert audit_trail.count_entries(context) == 1
    assert audit_trail.verify_chain(context).intact


def test_a_change_made_around_the_app_is_recorded_with_the_login_and_old_and_new_values(
    context: ServiceContext, plain_role: tuple[str, Engine]
) -> None:
    chart = create_patient(
        context, PatientForm(first_name="Ana", last_name="Lindqvist", date_of_birth="1961-03-04")
    )
    role, engine = plain_role
    before = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE patients SET first_name = 'Anna', notes = 'x' WHERE id = :id"),
            {"id": chart.id},
        )
        connection.execute(
            text(
                "INSERT INTO locations (name, address, phone, active, version, created_at,"
                " created_by, updated_at, updated_by) VALUES ('Annex', '', '', true, 1, now(),"
                " 'nobody', now(), 'nobody')"
            )
        )
        connection.execute(text("DELETE FROM locations WHERE name = 'Annex'"))
    [change] = _entries(context, entity="patients", action="update")
    assert change.db_user == role
    assert change.username == role  # nothing claimed: the login is all there is
    assert change.patient_id == chart.id and change.entity_id == str(chart.id)
    assert change.details["changes"]["first_name"] == {"old": "Ana", "new": "Anna"}
    assert change.details["changes"]["notes"] == {"old": "", "new": "x"}
    assert before - timedelta(seconds=5) <= change.at <= datetime.now(UTC)
    created, deleted = sorted(_entries(context, entity="locations"), key=lambda entry: entry.id)
    assert (created.action, deleted.action) == ("create", "delete")
    assert created.details["values"]["name"] == deleted.details["values"]["name"] == "Annex"
    assert {created.db_user, deleted.db_user} == {role}
    assert audit_trail.verify_chain(context).intact


def test_app_entries_name_the_claimed_user_beside_the_server_login(
    context: ServiceContext, database: Database
) -> None:
    saved = save_location(context, LocationForm(name="North Clinic"))
    with context.writing(None) as uow:
        uow.record("print", "locations", saved.id, details={"printer": "Front"})
        uow.commit()
    with database.engine.connect() as connection:
        login = connection.scalar(text("SELECT session_user"))
    entries = _entries(context, entity="locations")
    assert [entry.action for entry in entries] == ["print", "create"]
    for entry in entries:
        assert (entry.username, entry.workstation, entry.db_user) == (
            "test.admin",
            "test-desk",
            login,
        )
    assert entries[0].details == {"printer": "Front"}
    # One entry per change: the trigger's, not a second one from the app.
    assert audit_trail.count_entries(context) == 2


def test_the_record_function_stamps_the_time_and_login_itself(
    context: ServiceContext, plain_role: tuple[str, Engine]
) -> None:
    role, engine = plain_role
    with engine.begin() as connection:
        connection.execute(text("SELECT set_config('frontdesk.username', 'someone.else', true)"))
        connection.execute(
            text("SELECT frontdesk_audit_record('view', 'patients', '7', 7, '{\"a\": 1}')")
        )
    [entry] = _entries(context)
    assert (entry.username, entry.db_user, entry.patient_id) == ("someone.else", role, 7)
    assert abs(entry.at - datetime.now(UTC)) < timedelta(seconds=30)
    with pytest.raises(ProgrammingError, match="permission denied"), engine.begin() as connection:
        connection.execute(text("SELECT frontdesk_audit_append('view', 'x', '', NULL, '{}')"))


def test_a_direct_insert_still_gets_the_servers_time_and_login(
    context: ServiceContext, database_url: str, plain_role: tuple[str, Engine]
) -> None:
    """Should a setup grant INSERT after all, a row still cannot claim another login or time."""
    role, engine = plain_role
    owner = create_engine(database_url)
    with owner.begin() as connection:
        connection.execute(text(f'GRANT INSERT ON audit_entries TO "{role}"'))
    owner.dispose()
    with engine.begin() as connection:
        connection.execute(
            insert(AuditEntry).values(
                at=datetime(2001, 1, 1, tzinfo=UTC),
                username="admin",
                db_user="postgres",
                workstation="",
                action="view",
                entity="patients",
                entity_id="",
                details="{}",
                prev_hash="0" * 64,
                hash="f" * 64,
            )
        )
    [entry] = _entries(context)
    assert entry.db_user == role and entry.at.year > 2001
    assert audit_trail.verify_chain(context).intact


def test_password_hashes_and_document_bytes_are_masked(
    context: ServiceContext, database: Database
) -> None:
    add_user(context, "desk.two", make_actor().role)
    [created] = _entries(context, entity="users", action="create")
    assert created.details["values"]["password_hash"] == REDACTED
    assert created.details["values"]["username"] == "desk.two"
    with context.writing(None) as uow:
        uow.session.execute(
            text(
                "INSERT INTO practice_profile (id, name, address, main_phone, toll_free_phone,"
                " fax, website, logo, logo_mime, time_zone, version, created_at, created_by,"
                " updated_at, updated_by) VALUES (1, 'Spine', '', '', '', '', '',"
                " '\\x0102'::bytea, 'image/png', 'UTC', 1, now(), 'x', now(), 'x')"
            )
        )
        uow.session.execute(text("UPDATE practice_profile SET logo = '\\x010203'::bytea"))
        uow.session.execute(
            text("UPDATE users SET password_hash = 'changed' WHERE username = 'desk.two'")
        )
        uow.commit()
    [password] = _entries(context, entity="users", action="update")
    assert password.details["changes"] == {"password_hash": {"old": REDACTED, "new": REDACTED}}
    [profile] = _entries(context, entity="practice_profile", action="create")
    assert profile.details["values"]["logo"] == "(2 bytes)"
    [logo] = _entries(context, entity="practice_profile", action="update")
    assert logo.details["changes"] == {"logo": {"old": "(2 bytes)", "new": "(3 bytes)"}}


def test_every_audited_table_has_the_row_trigger_as_its_model_says(database: Database) -> None:
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.relname, t.tgargs FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE t.tgname = 'frontdesk_audit_row'"
            )
        ).all()
    triggers = {name: bytes(args).decode().split("\x00")[:-1] for name, args in rows}
    audited = [mapper.class_ for mapper in Base.registry.mappers if mapper.class_.__audited__]
    assert set(triggers) == {model.__tablename__ for model in audited}
    for model in audited:
        table = model.__table__
        [pk] = [column.name for column in table.primary_key.columns]
        patient = "id" if model.__tablename__ == "patients" else ""
        if model.__tablename__ != "patients" and "patient_id" in table.columns:
            patient = "patient_id"
        masked = {f"redact:{name}" for name in model.__audit_redact__} | {
            f"bytes:{column.name}"
            for column in table.columns
            if column.type.python_type is bytes and column.name not in model.__audit_redact__
        }
        args = triggers[model.__tablename__]
        assert (args[0], args[1], set(args[2:])) == (pk, patient, masked), model.__tablename__
        assert inspect(model).primary_key


def test_the_server_chain_continues_the_trail_written_before_it(
    backend: str, scratch_postgres: Callable[[], str]
) -> None:
    """Entries the app chained before revision 0010 keep their hashes; the server goes on
    from the last one, and the whole trail verifies."""
    database = open_database(scratch_postgres())
    try:
        config = migrate._config()
        with database.write_engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0009")
        prev = GENESIS_HASH
        with database.write_engine.begin() as connection:
            for index in range(3):
                row = {
                    "at": datetime(2026, 12, 1, 9, index, 0, 120, tzinfo=UTC),
                    "username": 'ana "quoted"\n\u00e9\u2028',
                    "user_id": None,
                    "workstation": "desk-1",
                    "action": "view",
                    "entity": "patients",
                    "entity_id": str(index),
                    "patient_id": index,
                    "details": json.dumps({"n": index, "text": "tab\there\u0001"}),
                }
                link = entry_hash(prev, hashed_fields(_Fields(row)))
                connection.execute(
                    text(
                        "INSERT INTO audit_entries (at, username, user_id, workstation, action,"
                        " entity, entity_id, patient_id, details, prev_hash, hash) VALUES (:at,"
                        " :username, :user_id, :workstation, :action, :entity, :entity_id,"
                        " :patient_id, :details, :prev, :hash)"
                    ),
                    {**row, "prev": prev, "hash": link},
                )
                prev = link
        migrate.upgrade(database)
        context = ServiceContext(database, make_actor(username='o"dd\tname\u00e9'))
        with context.writing(None) as uow:
            uow.record("view", "patients", 9, details={"quote": '"\\', "ctl": "\u0007\u001f"})
            uow.commit()
        save_location(context, LocationForm(name="Nord \u00c9"))
        with database.engine.connect() as connection:
            rows = connection.execute(
                select(AuditEntry.id, AuditEntry.prev_hash).order_by(AuditEntry.id)
            ).all()
        assert rows[3].prev_hash == prev
        report = audit_trail.verify_chain(context)
        assert report.intact, report.describe()
        assert report.checked == 5
    finally:
        database.dispose()


class _Fields:
    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)


def test_a_superuser_edit_of_the_login_alone_is_caught_by_the_checkpoint(
    context: ServiceContext, database: Database, plain_role: tuple[str, Engine], tmp_path: Path
) -> None:
    _role, engine = plain_role
    with engine.begin() as connection:
        connection.execute(text("SELECT frontdesk_audit_record('view', 'patients', '1', 1, '{}')"))
    saved = audit_checkpoint.write_checkpoint(context, tmp_path / "trail.checkpoint")
    assert audit_checkpoint.verify_against_checkpoint(context, saved.path).intact

    def hide_who(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        rows[0]["db_user"] = "postgres"
        return rows

    rewrite_trail(database, hide_who)
    assert audit_trail.verify_chain(context).intact  # the rewritten chain holds...
    report = audit_checkpoint.verify_against_checkpoint(context, saved.path)
    assert not report.intact  # ...but no longer ends in the signed head
    assert "does not match the checkpoint" in report.describe()


def test_tampering_tests_leave_the_triggers_enabled(database: Database) -> None:
    with tamperable_audit_trail(database):
        pass
    with database.engine.connect() as connection:
        states = connection.scalars(
            text(
                "SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'audit_entries'::regclass"
                " AND NOT tgisinternal"
            )
        ).all()
    assert states and set(states) == {"O"}


def test_an_update_that_only_moves_the_version_is_not_recorded(
    context: ServiceContext, database: Database
) -> None:
    saved = save_location(context, LocationForm(name="North Clinic"))
    with context.writing(None) as uow:
        uow.session.execute(
            update(Location).where(Location.id == saved.id).values(version=Location.version + 1)
        )
        uow.commit()
    assert [entry.action for entry in _entries(context, entity="locations")] == ["create"]


def test_workstations_writing_at_once_keep_one_chain_in_id_order(
    context: ServiceContext, database: Database
) -> None:
    def desk(number: int) -> None:
        actor = make_actor(username=f"desk.{number}")
        for index in range(8):
            with context.as_actor(actor).writing(None) as uow:
                uow.record("view", "patients", index, patient_id=index)
                uow.commit()
            if index % 2:
                save_location(context.as_actor(actor), LocationForm(name=f"L{number}-{index}"))

    threads = [threading.Thread(target=desk, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = audit_trail.verify_chain(context)
    assert report.intact, report.describe()
    assert report.checked == 4 * 8 + 4 * 4


def test_an_entry_for_another_actor_than_the_sessions_names_that_actor(
    context: ServiceContext,
) -> None:
    from frontdesk.services.kernel.audit import PendingEntry, append_entries

    other = make_actor(username="os:night")
    with context.writing(None) as uow:
        uow.record("view", "patients", 1, patient_id=1)
        append_entries(uow.session, other, [PendingEntry("backup", "database", "", None, {})])
        uow.record("view", "patients", 2, patient_id=2)
        uow.commit()
    names = [entry.username for entry in _entries(context)]
    assert names == ["test.admin", "os:night", "test.admin"]
