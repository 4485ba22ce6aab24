"""Managing accounts (Admin): add, list, change role, deactivate, reset a password, unlock."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.db.models import User
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import (
    NotFoundError,
    RefusedError,
    ValidationError,
)
from frontdesk.domain.permissions import Permission, Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.practice.accounts import (
    _by_username,
    _check_password,
    _get_user,
    _new_user,
    _user_data,
    hash_password,
    normalize_username,
)
from frontdesk.services.practice.forms import (
    NewUserForm,
    UserData,
)
from frontdesk.services.practice.logins import sync_login


def find_user(context: ServiceContext, username: str) -> UserData:
    """A user by name (Admin), for the command line's `users deactivate NAME` and the like."""
    with context.reading(Permission.MANAGE_USERS) as session:
        row = _by_username(session, username)
        if row is None:
            raise NotFoundError(f"There is no user named '{normalize_username(username)}'")
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
        check_version(row, expected_version, f"account '{row.username}'")
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
        sync_login(uow.session, row.id)
        uow.commit()
        return _user_data(row)


def deactivate_user(
    context: ServiceContext, user_id: int, expected_version: int | None = None
) -> UserData:
    """Stop an account from signing in. Accounts are never deleted: the audit trail names them."""
    with context.writing(Permission.MANAGE_USERS) as uow:
        row = _get_user(uow.session, user_id)
        check_version(row, expected_version, f"account '{row.username}'")
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
        sync_login(uow.session, row.id)
        uow.commit()
        return _user_data(row)


def reactivate_user(
    context: ServiceContext, user_id: int, expected_version: int | None = None
) -> UserData:
    with context.writing(Permission.MANAGE_USERS) as uow:
        row = _get_user(uow.session, user_id)
        check_version(row, expected_version, f"account '{row.username}'")
        if not row.active:
            row.active = True
            row.failed_attempts = 0
            row.locked_until = None
            uow.stamp(row, new=False)
        sync_login(uow.session, row.id)
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
        sync_login(uow.session, row.id, new_password)
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
