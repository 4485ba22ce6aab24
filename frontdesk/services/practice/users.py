"""User accounts and sign-in: Argon2id hashes, lockout after failed attempts, audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from frontdesk.db.models import AuditEntry, User
from frontdesk.db.types import utcnow
from frontdesk.domain.actor import Actor, workstation_name
from frontdesk.domain.contact import clean_text, text_problem
from frontdesk.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RefusedError,
    ValidationError,
)
from frontdesk.domain.passwords import normalized_password, password_problem
from frontdesk.domain.permissions import Permission, Role
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.practice import profile as practice
from frontdesk.services.practice.profile import PracticeProfileForm, ProviderForm
from frontdesk.services.practice.settings import LOCKOUT_ATTEMPTS, LOCKOUT_MINUTES, read_setting

# OWASP's Argon2id floor: 19 MiB, 2 iterations, 1 lane. Stored hashes weaker than this are
# replaced at the next successful sign-in.
ARGON2_MEMORY_KIB = 19_456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
ARGON2_HASH_LEN = 32
ARGON2_SALT_LEN = 16
HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=ARGON2_HASH_LEN,
    salt_len=ARGON2_SALT_LEN,
    type=Type.ID,
)


@cache
def _dummy_hash() -> str:
    """Verified against when the user name is unknown, so a wrong name costs as long as a
    wrong password and the timing does not reveal which names exist. Made on first use, not
    at import: the app's start-up imports this module before showing the sign-in."""
    return HASHER.hash("not a real password: timing equalizer")


USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,59}$")
PG_FIRST_ADMIN_LOCK = 7_262_002  # advisory lock: two first-run setups cannot both win
UNKNOWN_USER = "(unknown user)"


class SignInError(RefusedError):
    """Sign-in refused: wrong name or password, locked or deactivated account."""


@dataclass(frozen=True)
class NewUserForm:
    username: str
    password: str
    role: Role
    display_name: str = ""


@dataclass(frozen=True)
class UserData:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None
    failed_attempts: int
    password_changed_at: datetime | None
    created_at: datetime
    created_by: str
    version: int

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())


def _user_data(row: User) -> UserData:
    return UserData(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        active=row.active,
        locked_until=row.locked_until,
        failed_attempts=row.failed_attempts,
        password_changed_at=row.password_changed_at,
        created_at=row.created_at,
        created_by=row.created_by,
        version=row.version,
    )


def hash_password(password: str) -> str:
    return HASHER.hash(normalized_password(password))


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, normalized_password(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the stored hash is weaker than today's parameters (never when stronger)."""
    try:
        params = extract_parameters(stored_hash)
    except InvalidHashError:
        return True
    return (
        params.type is not Type.ID
        or params.memory_cost < ARGON2_MEMORY_KIB
        or params.time_cost < ARGON2_TIME_COST
        or params.hash_len < ARGON2_HASH_LEN
        or params.salt_len < ARGON2_SALT_LEN
    )


def normalize_username(raw: str) -> str:
    return clean_text(raw).lower()


def _validated_username(raw: str) -> str:
    username = normalize_username(raw)
    if not username:
        raise ValidationError({"username": "required"})
    if not USERNAME_PATTERN.match(username):
        raise ValidationError(
            {
                "username": "use 2 to 60 letters, digits, dots, dashes, @ or underscores, "
                "starting with a letter or digit"
            }
        )
    return username


def _check_password(password: str, username: str, field: str = "password") -> None:
    problem = password_problem(password, username=username)
    if problem:
        raise ValidationError({field: problem})


def _get_user(session: Session, user_id: int) -> User:
    row = session.get(User, user_id)
    if row is None:
        raise NotFoundError(f"There is no user with id {user_id}")
    return row


def _by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == normalize_username(username)))


def find_user(context: ServiceContext, username: str) -> UserData:
    """A user by name (Admin), for the command line's `users deactivate NAME` and the like."""
    with context.reading(Permission.MANAGE_USERS) as session:
        row = _by_username(session, username)
        if row is None:
            raise NotFoundError(f"There is no user named '{normalize_username(username)}'")
        return _user_data(row)


def has_users(context: ServiceContext) -> bool:
    """Whether any account exists: the app asks for the first admin until one does."""
    with context.reading(None) as session:
        return session.scalar(select(User.id).limit(1)) is not None


def new_user_problems(form: NewUserForm) -> dict[str, str]:
    """Every message for a new account's form at once (no database needed)."""
    errors: dict[str, str] = {}
    username = ""
    try:
        username = _validated_username(form.username)
    except ValidationError as error:
        errors.update(error.fields)
    problem = password_problem(form.password, username=username)
    if problem:
        errors["password"] = problem
    display_problem = text_problem(clean_text(form.display_name), one_line=True)
    if len(clean_text(form.display_name)) > 120:
        errors["display_name"] = "at most 120 characters"
    elif display_problem:
        errors["display_name"] = display_problem
    try:
        Role(form.role)
    except ValueError:
        errors["role"] = "choose admin, front desk or clinical staff"
    return errors


def _new_user(uow: UnitOfWork, form: NewUserForm) -> User:
    errors = new_user_problems(form)
    if errors:
        raise ValidationError(errors)
    username = _validated_username(form.username)
    display_name = clean_text(form.display_name)
    role = Role(form.role)
    if uow.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError({"username": f"the user name '{username}' is taken"})
    now = utcnow()
    row = User(
        username=username,
        display_name=display_name,
        role=role.value,
        password_hash=hash_password(form.password),
        active=True,
        failed_attempts=0,
        password_changed_at=now,
    )
    uow.stamp(row, new=True)
    uow.session.add(row)
    return row


def _refuse_unless_first(uow: UnitOfWork) -> None:
    if not uow.context.database.is_sqlite:
        uow.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_FIRST_ADMIN_LOCK}
        )
    if uow.session.scalar(select(User.id).limit(1)) is not None:
        raise RefusedError("An admin account already exists; sign in as an admin to add users")


def create_first_admin(context: ServiceContext, form: NewUserForm) -> UserData:
    """First run: the first account, always an admin, allowed only while no user exists."""
    form = NewUserForm(form.username, form.password, Role.ADMIN, form.display_name)
    with context.writing(None) as uow:
        _refuse_unless_first(uow)
        row = _new_user(uow, form)
        uow.commit()
        return _user_data(row)


def set_up_practice(
    context: ServiceContext,
    profile: PracticeProfileForm,
    providers: list[ProviderForm],
    admin: NewUserForm,
) -> UserData:
    """First run in one transaction: the practice profile, its first providers and the first
    admin account. All or nothing, so an interrupted setup never leaves a practice nobody
    can sign in to; every form's messages are reported together."""
    admin = NewUserForm(admin.username, admin.password, Role.ADMIN, admin.display_name)
    errors = practice.first_run_problems(profile, providers)
    errors.update(new_user_problems(admin))
    if errors:
        raise ValidationError(errors)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        _refuse_unless_first(uow)
        practice.write_first_run(uow, profile, providers)
        row = _new_user(uow, admin)
        uow.commit()
        return _user_data(row)


def create_user(context: ServiceContext, form: NewUserForm) -> UserData:
    """Add an account (Admin)."""
    with context.writing(Permission.MANAGE_USERS) as uow:
        row = _new_user(uow, form)
        uow.commit()
        return _user_data(row)


def list_users(context: ServiceContext, *, include_inactive: bool = True) -> list[UserData]:
    with context.reading(Permission.MANAGE_USERS) as session:
        query = select(User).order_by(User.username)
        if not include_inactive:
            query = query.where(User.active.is_(True))
        return [_user_data(row) for row in session.scalars(query)]


def _check_version(row: User, expected_version: int | None) -> None:
    if expected_version is not None and row.version != expected_version:
        when = row.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
        raise ConflictError(
            f"{row.updated_by or 'Someone'} changed the account '{row.username}' at {when}, "
            "after you opened it. Review their version and apply your changes again."
        )


def _other_active_admins(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user_id)
        )
        or 0
    )


def update_user(
    context: ServiceContext,
    user_id: int,
    *,
    display_name: str,
    role: Role,
    expected_version: int | None = None,
) -> UserData:
    """Change a user's display name or role (Admin). The last active admin stays an admin."""
    name = clean_text(display_name)
    if len(name) > 120:
        raise ValidationError({"display_name": "at most 120 characters"})
    with context.writing(Permission.MANAGE_USERS) as uow:
        row = _get_user(uow.session, user_id)
        _check_version(row, expected_version)
        if (
            row.role == Role.ADMIN.value
            and role is not Role.ADMIN
            and row.active
            and _other_active_admins(uow.session, row.id) == 0
        ):
            raise RefusedError(
                f"'{row.username}' is the only active admin; make another user an admin first"
            )
        row.display_name = name
        row.role = Role(role).value
        if uow.session.is_modified(row):
            uow.stamp(row, new=False)
        uow.commit()
        return _user_data(row)


def deactivate_user(
    context: ServiceContext, user_id: int, expected_version: int | None = None
) -> UserData:
    """Stop an account from signing in. Accounts are never deleted: the audit trail names them."""
    with context.writing(Permission.MANAGE_USERS) as uow:
        row = _get_user(uow.session, user_id)
        _check_version(row, expected_version)
        if row.id == uow.actor.user_id:
            raise RefusedError("You cannot deactivate your own account")
        if (
            row.role == Role.ADMIN.value
            and row.active
            and _other_active_admins(uow.session, row.id) == 0
        ):
            raise RefusedError(
                f"'{row.username}' is the only active admin; make another user an admin first"
            )
        if row.active:
            row.active = False
            uow.stamp(row, new=False)
        uow.commit()
        return _user_data(row)


def reactivate_user(
    context: ServiceContext, user_id: int, expected_version: int | None = None
) -> UserData:
    with context.writing(Permission.MANAGE_USERS) as uow:
        row = _get_user(uow.session, user_id)
        _check_version(row, expected_version)
        if not row.active:
            row.active = True
            row.failed_attempts = 0
            row.locked_until = None
            uow.stamp(row, new=False)
        uow.commit()
        return _user_data(row)


def reset_password(context: ServiceContext, user_id: int, new_password: str) -> UserData:
    """An admin sets a new password for someone who forgot theirs; it also lifts a lockout."""
    with context.writing(Permission.MANAGE_USERS) as uow:
        row = _get_user(uow.session, user_id)
        _check_password(new_password, row.username)
        row.password_hash = hash_password(new_password)
        row.password_changed_at = utcnow()
        row.failed_attempts = 0
        row.locked_until = None
        uow.stamp(row, new=False)
        uow.record("password_reset", "users", row.id)
        uow.commit()
        return _user_data(row)


def unlock_user(context: ServiceContext, user_id: int) -> UserData:
    """Lift the wait after wrong passwords, at every workstation, before its time is up."""
    with context.writing(Permission.MANAGE_USERS) as uow:
        row = _get_user(uow.session, user_id)
        if row.locked_until is not None or row.failed_attempts:
            row.failed_attempts = 0
            row.locked_until = None
            uow.stamp(row, new=False)
        uow.record("unlock", "users", row.id)
        uow.commit()
        return _user_data(row)


def change_own_password(context: ServiceContext, old_password: str, new_password: str) -> None:
    """A signed-in user replaces their password; the old one proves it is really them."""
    user_id = context.actor.user_id
    if user_id is None:
        raise PermissionDeniedError(
            f"{context.actor.label} is not a Front Desk account; sign in to change a password"
        )
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
