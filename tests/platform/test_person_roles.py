"""Per-person database roles: the generated grants, run on a real server, hold each role.

The local test server trusts 127.0.0.1, so connecting as a person's login role does not
check their password here; what the password is set to is checked against the verifier the
server stores (see ``test_account_changes_move_the_login_role``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from frontdesk.db.server_roles import setup_sql
from frontdesk.domain.permissions import Role
from frontdesk.services.practice.users import (
    deactivate_user,
    reactivate_user,
    reset_password,
    update_user,
)
from tests.helpers.person_roles import PASSWORD, PersonRolesDatabase, person_roles_database

pytestmark = pytest.mark.postgres

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "postgresql-setup.md"


@pytest.fixture(scope="module")
def roles_db() -> Iterator[PersonRolesDatabase]:
    with person_roles_database() as db:
        db.add_person("desk.ann", Role.FRONT_DESK)
        db.add_person("boss.bea", Role.ADMIN)
        yield db


def test_the_setup_guide_shows_the_generated_grants() -> None:
    block = re.search(
        r"-- begin: per-person roles\n(.*?)-- end: per-person roles",
        GUIDE.read_text(encoding="utf-8"),
        re.DOTALL,
    )
    assert block is not None, "the per-person roles block is missing from the setup guide"
    assert block.group(1) == setup_sql("frontdesk")


REFUSED_TO_FRONT_DESK = [
    "UPDATE users SET role = 'admin'",
    "INSERT INTO users (username, display_name, role, password_hash, active, failed_attempts,"
    " version, created_at, created_by, updated_at, updated_by)"
    " VALUES ('eve', '', 'admin', '', true, 0, 1, now(), '', now(), '')",
    "SELECT password_hash FROM users",
    "SELECT * FROM users",
    "COPY users TO STDOUT",
    "UPDATE settings SET value = '1'",
    "INSERT INTO settings (key, value) VALUES ('auto_lock_minutes', '999')",
    "UPDATE practice_profile SET name = 'x'",
    "INSERT INTO audit_entries (id) VALUES (999)",
    "UPDATE audit_entries SET username = 'mallory'",
    "DELETE FROM audit_entries",
    "TRUNCATE audit_entries",
    "UPDATE patients SET merged_into_id = id",
    "DELETE FROM patients",
    "CREATE TABLE scratch (id integer)",
    "UPDATE alembic_version SET version_num = '0001'",
    "SELECT public.frontdesk_sync_login(1, NULL)",
    "GRANT {admin} TO CURRENT_USER",
    "ALTER ROLE CURRENT_USER CREATEROLE",
    "SET ROLE {admin}",
]


@pytest.mark.parametrize("statement", REFUSED_TO_FRONT_DESK)
def test_a_front_desk_person_cannot_raise_their_role_or_touch_what_is_not_theirs(
    roles_db: PersonRolesDatabase, statement: str
) -> None:
    engine = roles_db.person_engine("desk.ann")
    statement = statement.format(admin=f'"{roles_db.names.group(Role.ADMIN)}"')
    try:
        with (
            pytest.raises(ProgrammingError, match=r"permission denied|must be owner|must have"),
            engine.begin() as link,
        ):
            link.execute(text(statement))
    finally:
        engine.dispose()


def test_a_front_desk_person_reads_and_writes_the_everyday_records(
    roles_db: PersonRolesDatabase,
) -> None:
    engine = roles_db.person_engine("desk.ann")
    try:
        with engine.begin() as link:
            assert link.scalar(text("SELECT current_user")) == roles_db.names.login("desk.ann")
            names = link.scalars(text("SELECT username FROM users ORDER BY 1")).all()
            assert names == ["boss.bea", "desk.ann"]
            link.execute(text("UPDATE patients SET notes = notes"))
            link.execute(text("SELECT count(*) FROM settings"))
            link.execute(text("DELETE FROM committed_units WHERE false"))
    finally:
        engine.dispose()


def _pg_dump(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    parsed = make_url(url)
    return subprocess.run(
        [
            "pg_dump",
            "--format=custom",
            f"--file={tmp_path / 'dump'}",
            f"--host={parsed.host}",
            f"--port={parsed.port or 5432}",
            f"--username={parsed.username}",
            str(parsed.database),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PGCONNECT_TIMEOUT": "5"},
        check=False,
    )


def test_a_front_desk_person_cannot_copy_the_database_out(
    roles_db: PersonRolesDatabase, tmp_path: Path
) -> None:
    refused = _pg_dump(roles_db.person_url("desk.ann"), tmp_path)
    assert refused.returncode != 0
    assert "permission denied" in refused.stderr
    made = _pg_dump(roles_db.person_url("boss.bea"), tmp_path)  # an admin's backup works
    assert made.returncode == 0, made.stderr


def _scram_matches(verifier: str, password: str) -> bool:
    """Check a stored SCRAM-SHA-256 verifier against a password (RFC 5802/7677)."""
    method, rest = verifier.split("$", 1)
    assert method == "SCRAM-SHA-256"
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key, _server_key = keys.split(":")
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return hashlib.sha256(client_key).digest() == base64.b64decode(stored_key)


def test_account_changes_move_the_login_role(roles_db: PersonRolesDatabase) -> None:
    names = roles_db.names
    user_id = roles_db.add_person("move.cal", Role.FRONT_DESK)
    can_login, groups, verifier = roles_db.role_facts("move.cal")
    assert can_login and groups == [names.group(Role.FRONT_DESK)]
    assert verifier is not None and _scram_matches(verifier, PASSWORD)

    owner = roles_db.owner
    update_user(owner, user_id, display_name="Cal", role=Role.CLINICAL)
    assert roles_db.role_facts("move.cal")[1] == [names.group(Role.CLINICAL)]

    deactivate_user(owner, user_id)
    can_login, groups, _ = roles_db.role_facts("move.cal")
    assert not can_login and groups == []

    reactivate_user(owner, user_id)
    can_login, groups, _ = roles_db.role_facts("move.cal")
    assert can_login and groups == [names.group(Role.CLINICAL)]

    reset_password(owner, user_id, "violet-otter-compass-27")
    verifier = roles_db.role_facts("move.cal")[2]
    assert verifier is not None and _scram_matches(verifier, "violet-otter-compass-27")
    assert not _scram_matches(verifier, PASSWORD)


def test_two_practices_on_one_server_share_no_roles_and_no_rights(
    roles_db: PersonRolesDatabase,
) -> None:
    with person_roles_database("frontdesk_other") as other:
        assert not set(other.names.groups) & set(roles_db.names.groups)
        other.add_person("desk.ann", Role.ADMIN)  # the same user name, another practice
        assert other.names.login("desk.ann") != roles_db.names.login("desk.ann")
        # This practice's front desk login may not even connect to the other's database.
        stranger = make_url(other.url).set(username=roles_db.names.login("desk.ann"))
        engine = create_engine(stranger)
        try:
            with pytest.raises(OperationalError, match="permission denied for database"):
                engine.connect()
        finally:
            engine.dispose()
