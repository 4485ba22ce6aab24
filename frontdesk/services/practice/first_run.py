"""First-run setup: the practice profile, its first providers and the first admin, together."""

from __future__ import annotations

from sqlalchemy import func, select

from frontdesk.db.models import PracticeProfile, Provider, User
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission, Role
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.practice.accounts import (
    _new_user,
    _refuse_unless_first,
    _user_data,
    new_user_problems,
)
from frontdesk.services.practice.forms import (
    NewUserForm,
    PracticeProfileData,
    PracticeProfileForm,
    ProviderForm,
    UserData,
)
from frontdesk.services.practice.rows import (
    PROFILE_ID,
    _add_provider,
    _profile_data,
    _validated_profile,
    _validated_provider,
    _write_profile,
)


def needs_first_run(context: ServiceContext) -> bool:
    """True while the practice has no profile or no provider yet."""
    with context.reading(None) as session:
        has_profile = session.get(PracticeProfile, PROFILE_ID) is not None
        providers = session.scalar(select(func.count()).select_from(Provider)) or 0
    return not has_profile or providers == 0


def first_run_problems(
    profile: PracticeProfileForm, providers: list[ProviderForm]
) -> dict[str, str]:
    """Every message for the first-run forms at once (provider fields as "provider0.name")."""
    if not providers:
        return {"providers": "add at least one provider"}
    errors: dict[str, str] = {}
    try:
        _validated_profile(profile)
    except ValidationError as error:
        errors.update(error.fields)
    for index, provider in enumerate(providers):
        try:
            _validated_provider(provider, prefix=f"provider{index}.")
        except ValidationError as error:
            errors.update(error.fields)
    return errors


def write_first_run(
    uow: UnitOfWork, profile: PracticeProfileForm, providers: list[ProviderForm]
) -> PracticeProfileData:
    """The profile and providers inside a caller's unit of work (first run with its admin)."""
    # Imported here: scheduling sits above the practice (a crossing named in pyproject.toml).
    from frontdesk.services.scheduling.appointment_types import ensure_default_types

    row = _write_profile(uow, profile, None)
    for provider in providers:
        _add_provider(uow, provider)
    ensure_default_types(uow)
    uow.session.flush()
    return _profile_data(row)


def complete_first_run(
    context: ServiceContext, profile: PracticeProfileForm, providers: list[ProviderForm]
) -> PracticeProfileData:
    """Save the profile and the first providers together: all or nothing."""
    errors = first_run_problems(profile, providers)
    if errors:
        raise ValidationError(errors)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        data = write_first_run(uow, profile, providers)
        uow.commit()
        return data


def has_users(context: ServiceContext) -> bool:
    """Whether any account exists: the app asks for the first admin until one does."""
    with context.reading(None) as session:
        return session.scalar(select(User.id).limit(1)) is not None


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
    errors = first_run_problems(profile, providers)
    errors.update(new_user_problems(admin))
    if errors:
        raise ValidationError(errors)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        _refuse_unless_first(uow)
        write_first_run(uow, profile, providers)
        row = _new_user(uow, admin)
        uow.commit()
        return _user_data(row)
