"""Accounts shared inside the area: Argon2id hashes, user name and password rules, account rows."""

from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from frontdesk.db.models import User
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text, text_problem
from frontdesk.domain.errors import NotFoundError, RefusedError, ValidationError
from frontdesk.domain.passwords import normalized_password, password_problem
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import UnitOfWork
from frontdesk.services.practice.forms import NewUserForm, UserData
from frontdesk.services.practice.logins import check_login_name, sync_login

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
    check_login_name(uow.session, username)
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
    uow.session.flush()
    sync_login(uow.session, row.id, form.password)
    return row


def _refuse_unless_first(uow: UnitOfWork) -> None:
    if not uow.context.database.is_sqlite:
        uow.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_FIRST_ADMIN_LOCK}
        )
    if uow.session.scalar(select(User.id).limit(1)) is not None:
        raise RefusedError("An admin account already exists; sign in as an admin to add users")
