"""Accounts, sign-in, lockout, password changes and what each role may do, on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy import select, update

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry, User
from frontdesk.db.types import utcnow
from frontdesk.domain.actor import Actor, operating_system_actor
from frontdesk.domain.errors import (
    ConflictError,
    PermissionDeniedError,
    RefusedError,
    ValidationError,
)
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_trail, backup
from frontdesk.services.practice import settings
from frontdesk.services.practice.accounts import needs_rehash
from frontdesk.services.practice.first_run import create_first_admin, has_users
from frontdesk.services.practice.forms import NewUserForm, SignInError
from frontdesk.services.practice.sign_in import (
    SIGN_IN_REFUSED,
    UNKNOWN_USER,
    change_own_password,
    sign_in,
)
from frontdesk.services.practice.users import (
    create_user,
    deactivate_user,
    find_user,
    list_users,
    reactivate_user,
    reset_password,
    unlock_user,
    update_user,
)
from tests.accounts import PASSWORDS, add_user, signed_in, tamperable_audit_trail


def _audit(context: ServiceContext) -> list[AuditEntry]:
    with context.database.read_sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _stored_hash(context: ServiceContext, username: str) -> str:
    with context.database.read_sessions() as session:
        return session.scalar(select(User.password_hash).where(User.username == username)) or ""


def _set_hash(context: ServiceContext, username: str, value: str) -> None:
    with context.database.write_sessions() as session:
        session.execute(update(User).where(User.username == username).values(password_hash=value))
        session.commit()


# --- first run ---------------------------------------------------------------------------


def test_the_first_admin_is_created_only_while_no_user_exists(context: ServiceContext) -> None:
    setup = context.as_actor(operating_system_actor())
    assert not has_users(setup)
    first = create_first_admin(
        setup, NewUserForm("Maria.Lopez", "lake side morning", Role.FRONT_DESK, "Maria Lopez")
    )
    assert (first.username, first.role, first.active) == ("maria.lopez", Role.ADMIN, True)
    assert has_users(setup)
    with pytest.raises(RefusedError, match="already exists"):
        create_first_admin(setup, NewUserForm("mallory", "another long phrase", Role.ADMIN))
    assert [u.username for u in list_users(context)] == ["maria.lopez"]


def test_new_accounts_are_validated(context: ServiceContext) -> None:
    add_user(context, "alice", Role.FRONT_DESK)
    with pytest.raises(ValidationError) as caught:
        create_user(context, NewUserForm("ALICE", "short", Role.CLINICAL))
    assert set(caught.value.fields) == {"password"}
    with pytest.raises(ValidationError, match="taken"):
        create_user(context, NewUserForm("ALICE", "orchard violet canoe", Role.CLINICAL))
    with pytest.raises(ValidationError) as caught:
        create_user(context, NewUserForm("bad name!", "orchard violet canoe", Role.CLINICAL))
    assert "username" in caught.value.fields
    with pytest.raises(ValidationError) as caught:
        create_user(context, NewUserForm("os:bob", "orchard violet canoe", Role.CLINICAL))
    assert "username" in caught.value.fields


# --- sign-in -----------------------------------------------------------------------------


def test_sign_in_returns_the_acting_user_and_is_audited(context: ServiceContext) -> None:
    created = add_user(context, "ben", Role.CLINICAL)
    actor = sign_in(context, "  Ben ", PASSWORDS[Role.CLINICAL])
    assert (actor.username, actor.role, actor.user_id) == ("ben", Role.CLINICAL, created.id)
    last = _audit(context)[-1]
    assert (last.action, last.username, last.user_id, last.entity_id) == (
        "sign_in",
        "ben",
        created.id,
        str(created.id),
    )


def test_wrong_password_and_unknown_name_get_the_same_answer(context: ServiceContext) -> None:
    add_user(context, "ben", Role.CLINICAL)
    with pytest.raises(SignInError) as wrong:
        sign_in(context, "ben", "not his password at all")
    with pytest.raises(SignInError) as unknown:
        sign_in(context, "not his password at all", "whatever it is")
    assert str(wrong.value) == str(unknown.value) == SIGN_IN_REFUSED
    failures = [e for e in _audit(context) if e.action == "sign_in_failed"]
    assert [e.username for e in failures] == ["ben", UNKNOWN_USER]
    # Neither the password nor a password typed into the name field is ever recorded.
    everything = " ".join(f"{e.username} {e.details} {e.entity_id}" for e in _audit(context))
    assert "not his password" not in everything
    assert "whatever it is" not in everything


def test_password_hashes_never_reach_the_audit_trail(context: ServiceContext) -> None:
    created = add_user(context, "carla", Role.FRONT_DESK)
    reset_password(context, created.id, "fresh orchard lantern")
    stored = _stored_hash(context, "carla")
    details = " ".join(entry.details for entry in _audit(context))
    assert "$argon2" not in details
    assert stored[-20:] not in details
    assert "(redacted)" in details


def test_stored_hashes_are_argon2id_with_owasp_parameters(context: ServiceContext) -> None:
    add_user(context, "dora", Role.FRONT_DESK)
    params = extract_parameters(_stored_hash(context, "dora"))
    assert params.type is Type.ID
    assert params.memory_cost >= 19_456
    assert params.time_cost == 2
    assert params.parallelism == 1


def _failed_reasons(context: ServiceContext) -> list[str]:
    return [
        json.loads(entry.details).get("reason", "")
        for entry in _audit(context)
        if entry.action == "sign_in_failed"
    ]


def test_five_wrong_passwords_make_that_desk_wait_even_for_the_right_one(
    context: ServiceContext,
) -> None:
    add_user(context, "eve", Role.FRONT_DESK)
    for _ in range(5):
        with pytest.raises(SignInError) as refused:
            sign_in(context, "eve", "guess guess guess")
        assert str(refused.value) == SIGN_IN_REFUSED
    with pytest.raises(SignInError) as refused:
        sign_in(context, "eve", PASSWORDS[Role.FRONT_DESK])
    assert str(refused.value) == SIGN_IN_REFUSED
    assert _failed_reasons(context)[-1] == "waiting after wrong passwords"
    waiting = find_user(context, "eve")
    assert waiting.locked_until is not None
    assert timedelta(seconds=50) < waiting.locked_until - utcnow() <= timedelta(minutes=1)


def test_another_desk_is_not_held_up_so_guessing_cannot_lock_out_the_admins(
    context: ServiceContext,
) -> None:
    add_user(context, "ada", Role.ADMIN)
    attacker = context.as_actor(
        Actor(username="nobody", role=Role.FRONT_DESK, workstation="waiting-room-kiosk")
    )
    for _ in range(8):
        with pytest.raises(SignInError):
            sign_in(attacker, "ada", "guess guess guess")
    with pytest.raises(SignInError):
        sign_in(attacker, "ada", PASSWORDS[Role.ADMIN])
    assert sign_in(context, "ada", PASSWORDS[Role.ADMIN]).username == "ada"


def _an_hour_passes(database: Database) -> None:
    """Move the whole trail an hour into the past. The sign-in waits are read from the
    trail's times, which the server stamps from its own clock on PostgreSQL, so ageing the
    entries is how a test lets time pass on both backends."""
    with database.read_sessions() as session:
        times = session.execute(select(AuditEntry.id, AuditEntry.at)).all()
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        for entry_id, at in times:
            connection.execute(
                update(AuditEntry)
                .where(AuditEntry.id == entry_id)
                .values(at=at - timedelta(hours=1))
            )


def test_the_wait_doubles_up_to_the_practice_limit_and_ends(
    context: ServiceContext, database: Database
) -> None:
    settings.save_settings(
        context, {settings.LOCKOUT_ATTEMPTS.key: 2, settings.LOCKOUT_MINUTES.key: "3"}
    )
    add_user(context, "finn", Role.CLINICAL)

    def wrong_then_wait() -> timedelta:
        _an_hour_passes(database)  # each try comes after the previous wait has passed
        with pytest.raises(SignInError):
            sign_in(context, "finn", "guess guess guess")
        until = find_user(context, "finn").locked_until
        assert until is not None
        return until - utcnow()

    with pytest.raises(SignInError):
        sign_in(context, "finn", "guess guess guess")
    assert find_user(context, "finn").locked_until is None  # one wrong: no wait yet
    waits = [wrong_then_wait() for _ in range(4)]
    rounded = [round(wait.total_seconds() / 60) for wait in waits]
    assert rounded == [1, 2, 3, 3]  # doubling, capped at the practice's 3 minutes
    _an_hour_passes(database)
    actor = sign_in(context, "finn", PASSWORDS[Role.CLINICAL])
    assert actor.username == "finn"
    after = find_user(context, "finn")
    assert (after.failed_attempts, after.locked_until) == (0, None)


def test_an_admin_reset_or_unlock_lifts_the_wait(context: ServiceContext) -> None:
    settings.set_setting(context, settings.LOCKOUT_ATTEMPTS, 1)
    gina = add_user(context, "gina", Role.FRONT_DESK)
    with pytest.raises(SignInError):
        sign_in(context, "gina", "guess guess guess")
    with pytest.raises(SignInError):
        sign_in(context, "gina", PASSWORDS[Role.FRONT_DESK])
    unlock_user(context, gina.id)
    assert sign_in(context, "gina", PASSWORDS[Role.FRONT_DESK]).username == "gina"
    with pytest.raises(SignInError):
        sign_in(context, "gina", "guess guess guess")
    reset_password(context, gina.id, "brand new orchard path")
    assert sign_in(context, "gina", "brand new orchard path").username == "gina"
    assert [e.action for e in _audit(context)].count("password_reset") == 1


def test_every_refusal_says_the_same_and_the_trail_says_why(context: ServiceContext) -> None:
    """Neither an account's existence nor a deactivated account's password is given away."""
    kim = add_user(context, "kim", Role.FRONT_DESK)
    deactivate_user(context, kim.id)
    messages = set()
    for name, password in [
        ("kim", PASSWORDS[Role.FRONT_DESK]),  # deactivated, right password
        ("kim", "guess guess guess"),  # deactivated, wrong password
        ("nobody.here", "guess guess guess"),  # no such account
    ]:
        with pytest.raises(SignInError) as refused:
            sign_in(context, name, password)
        messages.add(str(refused.value))
    assert messages == {SIGN_IN_REFUSED}
    assert _failed_reasons(context)[-3:] == ["deactivated", "wrong password", "unknown user"]


def test_a_weak_hash_is_upgraded_at_sign_in(context: ServiceContext) -> None:
    add_user(context, "hugo", Role.FRONT_DESK)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)
    _set_hash(context, "hugo", weak.hash(PASSWORDS[Role.FRONT_DESK]))
    assert needs_rehash(_stored_hash(context, "hugo"))
    sign_in(context, "hugo", PASSWORDS[Role.FRONT_DESK])
    upgraded = extract_parameters(_stored_hash(context, "hugo"))
    assert (upgraded.memory_cost, upgraded.time_cost) == (19_456, 2)
    assert sign_in(context, "hugo", PASSWORDS[Role.FRONT_DESK]).username == "hugo"
    first_sign_in = _audit(context)[-3:-1]
    assert {(e.action, e.entity) for e in first_sign_in} == {
        ("sign_in", "users"),
        ("update", "users"),  # the new hash, redacted
    }
    assert any('"rehashed": true' in e.details for e in first_sign_in)


def test_a_stronger_hash_is_left_alone(context: ServiceContext) -> None:
    add_user(context, "iris", Role.FRONT_DESK)
    strong = PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=2, type=Type.ID)
    stored = strong.hash(PASSWORDS[Role.FRONT_DESK])
    _set_hash(context, "iris", stored)
    sign_in(context, "iris", PASSWORDS[Role.FRONT_DESK])
    assert _stored_hash(context, "iris") == stored


# --- deactivation and passwords ----------------------------------------------------------


def test_deactivated_accounts_cannot_sign_in_and_are_kept(context: ServiceContext) -> None:
    jack = add_user(context, "jack", Role.FRONT_DESK)
    deactivate_user(context, jack.id, jack.version)
    with pytest.raises(SignInError, match="cannot sign in now"):
        sign_in(context, "jack", PASSWORDS[Role.FRONT_DESK])
    assert [u.active for u in list_users(context)] == [False]
    assert list_users(context, include_inactive=False) == []
    reactivate_user(context, jack.id)
    assert sign_in(context, "jack", PASSWORDS[Role.FRONT_DESK]).username == "jack"


def test_a_stale_deactivation_is_refused(context: ServiceContext) -> None:
    kim = add_user(context, "kim", Role.FRONT_DESK)
    update_user(context, kim.id, display_name="Kim K", role=Role.CLINICAL)
    with pytest.raises(ConflictError, match="changed this account 'kim'"):
        deactivate_user(context, kim.id, kim.version)


def test_the_last_admin_and_oneself_cannot_be_deactivated(context: ServiceContext) -> None:
    admin = signed_in(context, "lena", Role.ADMIN)
    lena = find_user(admin, "lena")
    with pytest.raises(RefusedError, match="your own account"):
        deactivate_user(admin, lena.id)
    with pytest.raises(RefusedError, match="only active admin"):
        deactivate_user(context, lena.id)
    with pytest.raises(RefusedError, match="only active admin"):
        update_user(context, lena.id, display_name="Lena", role=Role.FRONT_DESK)
    add_user(context, "mo", Role.ADMIN)
    assert not deactivate_user(context, lena.id).active


def test_users_change_their_own_password_with_the_old_one(context: ServiceContext) -> None:
    nina = signed_in(context, "nina", Role.CLINICAL)
    with pytest.raises(RefusedError, match="current password is wrong"):
        change_own_password(nina, "not the old one", "new orchard lantern")
    with pytest.raises(ValidationError) as caught:
        change_own_password(nina, PASSWORDS[Role.CLINICAL], "password1234")
    assert set(caught.value.fields) == {"new_password"}
    change_own_password(nina, PASSWORDS[Role.CLINICAL], "new orchard lantern")
    with pytest.raises(SignInError):
        sign_in(context, "nina", PASSWORDS[Role.CLINICAL])
    assert sign_in(context, "nina", "new orchard lantern").username == "nina"
    actions = [e.action for e in _audit(context)]
    assert "password_change_failed" in actions and "password_change" in actions


def test_the_computer_login_has_no_password_to_change(context: ServiceContext) -> None:
    with pytest.raises(PermissionDeniedError, match="not a Front Desk account"):
        change_own_password(context.as_actor(operating_system_actor()), "a", "new orchard lantern")


# --- what each role may do ---------------------------------------------------------------

AdminCall = Callable[[ServiceContext, int], Any]
ADMIN_ONLY: dict[str, AdminCall] = {
    "list users": lambda c, _uid: list_users(c),
    "add a user": lambda c, _uid: create_user(
        c, NewUserForm("newcomer", "orchard violet canoe", Role.FRONT_DESK)
    ),
    "deactivate a user": lambda c, uid: deactivate_user(c, uid),
    "reset a password": lambda c, uid: reset_password(c, uid, "orchard violet canoe"),
    "unlock a user": lambda c, uid: unlock_user(c, uid),
    "change a setting": lambda c, _uid: settings.set_setting(c, settings.AUTO_LOCK_MINUTES, 5),
    "read the audit trail": lambda c, _uid: audit_trail.list_entries(c),
    "verify the audit trail": lambda c, _uid: audit_trail.verify_chain(c),
    "patient access report": lambda c, _uid: audit_trail.patient_access_report(c, 1),
    "back up": lambda c, _uid: backup.backup_database(c),
    "list backups": lambda c, _uid: backup.list_backups(c),
}


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.CLINICAL])
def test_only_admins_manage_users_settings_audit_and_backups(
    context: ServiceContext, role: Role
) -> None:
    staff = signed_in(context, "staffer", role)
    target = add_user(context, "target", Role.FRONT_DESK)
    for name, call in ADMIN_ONLY.items():
        with pytest.raises(PermissionDeniedError):
            call(staff, target.id)
            pytest.fail(f"{role.label} could {name}")
    # What every signed-in user may do.
    assert settings.get_setting(staff, settings.AUTO_LOCK_MINUTES) == 10
    change_own_password(staff, PASSWORDS[role], "my own orchard lantern")


def test_admins_may_do_all_of_it(context: ServiceContext) -> None:
    admin = signed_in(context, "boss", Role.ADMIN)
    for name, call in ADMIN_ONLY.items():
        target = add_user(context, f"target-{len(name)}-{name[:3]}", Role.FRONT_DESK)
        call(admin, target.id)
