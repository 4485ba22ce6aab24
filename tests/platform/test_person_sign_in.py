"""Signing in as one's own database login, and an admin's change reaching an open session.

The local test server trusts 127.0.0.1: a connection as a login role is not asked for its
password there, so these tests cannot show the server refusing a wrong password (that
the right verifier is stored is shown in test_person_roles). They show everything else:
who the connection is, what a deactivated or unknown login meets, the wait after refusals,
and that an admin's change stops an open session at its next statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from frontdesk.domain.errors import AccessChangedError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.search import search
from frontdesk.services.platform import audit_trail, person_sign_in
from frontdesk.services.platform.audit_trail import AuditFilter
from frontdesk.services.platform.person_sign_in import sign_in_as_person
from frontdesk.services.practice import settings
from frontdesk.services.practice.forms import NewUserForm, SignInError
from frontdesk.services.practice.sign_in import change_own_password
from frontdesk.services.practice.users import (
    create_user,
    deactivate_user,
    reset_password,
    update_user,
)
from tests.helpers.cli import frontdesk
from tests.helpers.person_roles import (
    PASSWORD,
    PersonRolesDatabase,
    person_roles_database,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def roles_db() -> Iterator[PersonRolesDatabase]:
    with person_roles_database("frontdesk_signin") as db:
        yield db


@pytest.fixture(autouse=True)
def _no_wait_left_over() -> Iterator[None]:
    person_sign_in._wrong.clear()
    yield
    person_sign_in._wrong.clear()


def workstation_url(db: PersonRolesDatabase) -> str:
    """What a workstation in per-person mode is given: the server and database, no user."""
    return make_url(db.url).set(username=None, password=None).render_as_string(False)


def _current_user(context: ServiceContext) -> str:
    with context.reading(None) as session:
        return str(session.scalar(text("SELECT current_user")))


def test_signing_in_connects_as_the_persons_own_login(roles_db: PersonRolesDatabase) -> None:
    roles_db.add_person("sam.desk", Role.FRONT_DESK)
    context = sign_in_as_person(workstation_url(roles_db), "Sam.Desk", PASSWORD)
    try:
        assert context.actor.username == "sam.desk"
        assert context.actor.role is Role.FRONT_DESK
        assert _current_user(context) == roles_db.names.login("sam.desk")
        page = audit_trail.list_entries(roles_db.owner, AuditFilter(username="sam.desk"))
        assert [entry.action for entry in page.entries] == ["sign_in"]
    finally:
        context.database.dispose()


def test_a_deactivated_or_unknown_person_is_refused_with_the_one_sentence(
    roles_db: PersonRolesDatabase,
) -> None:
    user_id = roles_db.add_person("gone.gil", Role.FRONT_DESK)
    deactivate_user(roles_db.owner, user_id)
    for name in ("gone.gil", "nobody.here"):
        with pytest.raises(SignInError, match="The user name or password is wrong"):
            sign_in_as_person(workstation_url(roles_db), name, PASSWORD)


def test_after_refusals_in_a_row_this_workstation_waits_before_the_next_try(
    roles_db: PersonRolesDatabase,
) -> None:
    url = workstation_url(roles_db)
    for _ in range(int(settings.LOCKOUT_ATTEMPTS.default)):
        with pytest.raises(SignInError):
            sign_in_as_person(url, "late.lou", PASSWORD)
    roles_db.add_person("late.lou", Role.FRONT_DESK)
    # The login exists now, but this workstation waits first: the try is not even made.
    with pytest.raises(SignInError):
        sign_in_as_person(url, "late.lou", PASSWORD)
    person_sign_in._wrong.clear()
    sign_in_as_person(url, "late.lou", PASSWORD).database.dispose()


def test_an_admins_demotion_stops_an_open_sessions_admin_actions_at_its_next_statement(
    roles_db: PersonRolesDatabase,
) -> None:
    roles_db.add_person("other.admin", Role.ADMIN)
    user_id = roles_db.add_person("demo.dee", Role.ADMIN)
    admin = sign_in_as_person(workstation_url(roles_db), "demo.dee", PASSWORD)
    try:
        settings.set_setting(admin, settings.AUTO_LOCK_MINUTES, 7)
        update_user(roles_db.owner, user_id, display_name="Dee", role=Role.FRONT_DESK)
        with pytest.raises(AccessChangedError, match="An admin has changed your account"):
            settings.set_setting(admin, settings.AUTO_LOCK_MINUTES, 9)
    finally:
        admin.database.dispose()


def test_deactivating_a_person_stops_their_open_session_at_its_next_statement(
    roles_db: PersonRolesDatabase,
) -> None:
    user_id = roles_db.add_person("open.ola", Role.FRONT_DESK)
    desk = sign_in_as_person(workstation_url(roles_db), "open.ola", PASSWORD)
    try:
        search(desk, "smith")
        deactivate_user(roles_db.owner, user_id)
        with pytest.raises(AccessChangedError):
            search(desk, "smith")
    finally:
        desk.database.dispose()


def test_a_person_changes_their_own_database_password(roles_db: PersonRolesDatabase) -> None:
    roles_db.add_person("own.oli", Role.CLINICAL)
    context = sign_in_as_person(workstation_url(roles_db), "own.oli", PASSWORD)
    try:
        before = roles_db.role_facts("own.oli")[2]
        change_own_password(context, PASSWORD, "teal-marmot-anchor-64")
        after = roles_db.role_facts("own.oli")[2]
        assert after is not None and after != before
    finally:
        context.database.dispose()


def test_the_command_line_acts_as_the_persons_own_login(
    roles_db: PersonRolesDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    roles_db.add_person("cli.cy", Role.FRONT_DESK)
    env = {"FRONTDESK_PASSWORD": PASSWORD}
    url = workstation_url(roles_db)
    refused = frontdesk("--user", "cli.cy", "users", "list", database=url, env=env, capsys=capsys)
    assert refused.code == 1
    assert "may not do this" in refused.err
    roles_db.add_person("cli.ada", Role.ADMIN)
    listed = frontdesk("--user", "cli.ada", "users", "list", database=url, env=env, capsys=capsys)
    assert listed.code == 0, listed.err
    assert "cli.cy" in listed.out


def test_an_admins_own_login_adds_changes_and_resets_accounts(
    roles_db: PersonRolesDatabase,
) -> None:
    roles_db.add_person("chief.cho", Role.ADMIN)
    admin = sign_in_as_person(workstation_url(roles_db), "chief.cho", PASSWORD)
    try:
        added = create_user(admin, NewUserForm("new.nia", PASSWORD, Role.FRONT_DESK, "Nia"))
        assert roles_db.role_facts("new.nia")[1] == [roles_db.names.group(Role.FRONT_DESK)]
        reset_password(admin, added.id, "saffron-heron-ladder-38")
        deactivate_user(admin, added.id)
        can_login, groups, _ = roles_db.role_facts("new.nia")
        assert not can_login and groups == []
    finally:
        admin.database.dispose()


def test_a_front_desk_login_does_the_everyday_chart_work_but_not_a_merge(
    roles_db: PersonRolesDatabase,
) -> None:
    roles_db.add_person("desk.dot", Role.FRONT_DESK)
    desk = sign_in_as_person(workstation_url(roles_db), "desk.dot", PASSWORD)
    try:
        form = PatientForm(first_name="Ines", last_name="Okafor", date_of_birth=date(1980, 1, 2))
        first = create_patient(desk, form, allow_duplicates=True)
        second = create_patient(desk, form, allow_duplicates=True)
        edited = update_patient(desk, first.id, replace(form, first_name="Inès"), first.version)
        assert edited.first_name == "Inès"
        assert len(search(desk, "okafor").items) == 2
        # The app refuses a merge to front desk; the server would too (merged_into_id).
        with desk.database.engine.begin() as link, pytest.raises(Exception, match="permission"):
            link.execute(
                text("UPDATE patients SET merged_into_id = :keep WHERE id = :gone"),
                {"keep": first.id, "gone": second.id},
            )
    finally:
        desk.database.dispose()
