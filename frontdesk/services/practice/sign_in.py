"""Signing in (lockout after wrong passwords, audited) and changing one's own password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from frontdesk.db.models import AuditEntry, User
from frontdesk.db.types import utcnow
from frontdesk.domain.actor import Actor, workstation_name
from frontdesk.domain.errors import PermissionDeniedError, RefusedError, ValidationError
from frontdesk.domain.passwords import normalized_password
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.accounts import (
    _by_username,
    _check_password,
    _dummy_hash,
    _get_user,
    _verify,
    hash_password,
    needs_rehash,
    normalize_username,
)
from frontdesk.services.practice.forms import SignInError
from frontdesk.services.practice.logins import per_person_roles, role_names, set_own_password
from frontdesk.services.practice.settings import LOCKOUT_ATTEMPTS, LOCKOUT_MINUTES, read_setting

UNKNOWN_USER = "(unknown user)"


def change_own_password(context: ServiceContext, old_password: str, new_password: str) -> None:
    """A signed-in user replaces their password; the old one proves it is really them."""
    user_id = context.actor.user_id
    if user_id is None:
        raise PermissionDeniedError(
            f"{context.actor.label} is not a Front Desk account; sign in to change a password"
        )
    with context.reading(None) as session:
        own_login = per_person_roles(session) and session.scalar(
            text("SELECT current_user")
        ) == role_names(session).login(context.actor.username)
    if own_login:
        _change_own_login_password(context, old_password, new_password)
        return
    with context.reading(None) as session:
        stored = _get_user(session, user_id).password_hash
    # Verified outside the write transaction: Argon2 takes tens of milliseconds and SQLite
    # would hold its write lock all that time.
    old_ok = _verify(stored, old_password)
    new_hash = ""
    if old_ok:
        _check_password(new_password, context.actor.username, "new_password")
        if normalized_password(new_password) == normalized_password(old_password):
            raise ValidationError({"new_password": "choose a password different from the old one"})
        new_hash = hash_password(new_password)
    with context.writing(None) as uow:
        row = _get_user(uow.session, user_id)
        if not old_ok or row.password_hash != stored:
            uow.record("password_change_failed", "users", user_id)
            uow.commit()
            raise RefusedError("The current password is wrong; the password was not changed")
        row.password_hash = new_hash
        row.password_changed_at = utcnow()
        uow.stamp(row, new=False)
        uow.record("password_change", "users", user_id)
        uow.commit()


def sign_in_connected(context: ServiceContext, username: str) -> Actor:
    """Per-person database roles: the server has already checked the password (the
    connection is the person's own login role); says who acts and records the sign-in.

    Refused (SignInError) when the connection is not that person's login, or their account
    is not active."""
    workstation = context.actor.workstation or workstation_name()
    name = normalize_username(username)
    with context.reading(None) as session:
        row = session.execute(
            select(User.id, User.username, User.role, User.display_name, User.active).where(
                User.username == name
            )
        ).first()
        connected_as = session.scalar(text("SELECT current_user"))
        expected = role_names(session).login(name) if row is not None else None
    if row is None or not row.active or connected_as != expected:
        raise SignInError(SIGN_IN_REFUSED)
    actor = Actor(
        username=row.username,
        role=Role(row.role),
        user_id=row.id,
        workstation=workstation,
        display_name=row.display_name,
    )
    with context.as_actor(actor).writing(None) as uow:
        uow.record("sign_in", "users", row.id, details={"database_login": True})
        uow.commit()
    return actor


def _change_own_login_password(
    context: ServiceContext, old_password: str, new_password: str
) -> None:
    """Per-person roles: the old password is proved by the server (a new connection with
    it), the new one checked by the app's rules and set on the person's login role."""
    user_id = context.actor.user_id or 0
    url = context.database.url.set(password=normalized_password(old_password))
    probe = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with probe.connect():
            pass
        old_ok = True
    except OperationalError:
        old_ok = False
    finally:
        probe.dispose()
    if not old_ok:
        with context.writing(None) as uow:
            uow.record("password_change_failed", "users", user_id)
            uow.commit()
        raise RefusedError("The current password is wrong; the password was not changed")
    _check_password(new_password, context.actor.username, "new_password")
    if normalized_password(new_password) == normalized_password(old_password):
        raise ValidationError({"new_password": "choose a password different from the old one"})
    with context.writing(None) as uow:
        set_own_password(uow.session, context.actor.username, new_password)
        uow.record("password_change", "users", user_id)
        uow.commit()


def _actor_for(row: User, workstation: str) -> Actor:
    return Actor(
        username=row.username,
        role=Role(row.role),
        user_id=row.id,
        workstation=workstation,
        display_name=row.display_name,
    )


SIGN_IN_REFUSED = (
    "The user name or password is wrong, or this account cannot sign in now. "
    "Check both and try again; after several wrong tries, wait a few minutes or ask an admin"
)


# After the practice's number of wrong passwords in a row at one workstation, that workstation
# waits before the account's next try: one minute, doubling up to the practice's limit.
FIRST_PAUSE = timedelta(minutes=1)


_SIGN_IN_HISTORY = ("sign_in", "sign_in_failed", "password_reset", "unlock")


_WRONG_PASSWORD = {"reason": "wrong password"}


_PAUSED = {"reason": "waiting after wrong passwords"}


def sign_in(context: ServiceContext, username: str, password: str) -> Actor:
    """Check a user name and password; returns who is now acting, or raises SignInError.

    Every failure says the same (SIGN_IN_REFUSED), so the message reveals neither whether an
    account exists nor whether a deactivated account's password was right; the audit trail
    records the real reason, as the account it names (never the password). Wrong passwords
    in a row make that workstation wait before the next try (see `_paused_until`); during the
    wait the password is not even checked. Other workstations are not held up, so nobody can
    lock every admin out by guessing.
    """
    workstation = context.actor.workstation or workstation_name()
    name = normalize_username(username)
    with context.reading(None) as session:
        row = _by_username(session, name) if name else None
        found = None if row is None else (_actor_for(row, workstation), row.password_hash)
    if found is None:
        _verify(_dummy_hash(), password)
        # The attempted name is not recorded: people type their password into it by mistake.
        nobody = Actor(username=UNKNOWN_USER, role=Role.FRONT_DESK, workstation=workstation)
        with context.as_actor(nobody).writing(None) as uow:
            uow.record("sign_in_failed", "users", details={"reason": "unknown user"})
            uow.commit()
        raise SignInError(SIGN_IN_REFUSED)
    attempted, stored = found
    now = utcnow()
    with context.reading(None) as session:
        paused = _paused_until(session, attempted.user_id or 0, workstation, now)
    if paused is not None:
        with context.as_actor(attempted).writing(None) as uow:
            uow.record("sign_in_failed", "users", attempted.user_id or "", details=_PAUSED)
            uow.commit()
        raise SignInError(SIGN_IN_REFUSED)
    # Verified outside the write transaction: Argon2 takes tens of milliseconds and SQLite
    # would hold its write lock all that time.
    password_ok = _verify(stored, password)
    new_hash = hash_password(password) if password_ok and needs_rehash(stored) else None

    with context.as_actor(attempted).writing(None) as uow:
        user = _get_user(uow.session, attempted.user_id or 0)
        if user.password_hash != stored:
            # The password changed while we were checking it: check against the new one.
            password_ok = _verify(user.password_hash, password)
            new_hash = None
        if not password_ok:
            uow.record("sign_in_failed", "users", user.id, details=_WRONG_PASSWORD)
            uow.session.flush()
            pause = _paused_until(uow.session, user.id, workstation, now)
            if pause is not None:
                # For the Users list: the account is waiting somewhere, until when.
                user.locked_until = max(pause, _as_utc(user.locked_until or pause))
            uow.commit()
            raise SignInError(SIGN_IN_REFUSED)
        if not user.active:
            uow.record("sign_in_failed", "users", user.id, details={"reason": "deactivated"})
            uow.commit()
            raise SignInError(SIGN_IN_REFUSED)
        user.failed_attempts = 0
        user.locked_until = None
        if new_hash is not None:
            user.password_hash = new_hash
        uow.record("sign_in", "users", user.id, details={"rehashed": True} if new_hash else None)
        uow.commit()
        return _actor_for(user, workstation)


def _paused_until(
    session: Session, user_id: int, workstation: str, now: datetime
) -> datetime | None:
    """Until when ``workstation`` must wait before trying this account's password again.

    Derived from the audit trail: the wrong passwords typed at this workstation since its last
    successful sign-in there, or since an admin reset the password or lifted the wait.
    """
    attempts = read_setting(session, LOCKOUT_ATTEMPTS)
    longest = timedelta(minutes=read_setting(session, LOCKOUT_MINUTES))
    history = session.execute(
        select(AuditEntry.action, AuditEntry.workstation, AuditEntry.details, AuditEntry.at)
        .where(
            AuditEntry.at >= now - timedelta(days=1),
            AuditEntry.entity == "users",
            AuditEntry.entity_id == str(user_id),
            AuditEntry.action.in_(_SIGN_IN_HISTORY),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(attempts + 64)
    )
    wrong, last_wrong = 0, None
    for action, where, details, at in history:
        if action in ("password_reset", "unlock") or (action == "sign_in" and where == workstation):
            break
        if action == "sign_in_failed" and where == workstation and '"wrong password"' in details:
            wrong += 1
            last_wrong = last_wrong or _as_utc(at)
    if wrong < attempts or last_wrong is None:
        return None
    until = last_wrong + min(FIRST_PAUSE * 2 ** min(wrong - attempts, 20), longest)
    return until if until > now else None


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
