"""First-run setup: the practice profile, its first providers, their first location and
usual weekly hours, and the first admin, together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from frontdesk.db.models import Location, PracticeProfile, Provider, User
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
    LocationForm,
    NewUserForm,
    PracticeProfileData,
    PracticeProfileForm,
    ProviderForm,
    UserData,
)
from frontdesk.services.practice.rows import (
    PROFILE_ID,
    _add,
    _add_provider,
    _profile_data,
    _validated_location,
    _validated_profile,
    _validated_provider,
    _write_profile,
)

if TYPE_CHECKING:
    from frontdesk.services.scheduling.usual_hours import UsualHoursForm

# The first location's key prefix in the forms' messages ("location.name").
LOCATION_PREFIX = "location."


def needs_first_run(context: ServiceContext) -> bool:
    """True while the practice has no profile or no provider yet."""
    with context.reading(None) as session:
        has_profile = session.get(PracticeProfile, PROFILE_ID) is not None
        providers = session.scalar(select(func.count()).select_from(Provider)) or 0
    return not has_profile or providers == 0


def first_run_problems(
    profile: PracticeProfileForm,
    providers: list[ProviderForm],
    location: LocationForm | None = None,
    hours: UsualHoursForm | None = None,
) -> dict[str, str]:
    """Every message for the first-run forms at once (provider fields as "provider0.name",
    the location's as "location.name", the hours' as "hours.start")."""
    if not providers:
        return {"providers": "add at least one provider"}
    errors: dict[str, str] = {}
    if hours is not None:
        from frontdesk.services.scheduling.usual_hours import usual_hours_problems

        if location is None:
            errors["location.name"] = "the usual hours need a location"
        errors.update(usual_hours_problems(hours))
    if location is not None:
        try:
            _validated_location(location, prefix=LOCATION_PREFIX)
        except ValidationError as error:
            errors.update(error.fields)
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
    uow: UnitOfWork,
    profile: PracticeProfileForm,
    providers: list[ProviderForm],
    location: LocationForm | None = None,
    hours: UsualHoursForm | None = None,
) -> PracticeProfileData:
    """The profile, providers, first location and usual hours inside a caller's unit of
    work (first run with its admin); checked first with ``first_run_problems``."""
    # Imported here: scheduling sits above the practice (a crossing named in pyproject.toml).
    from frontdesk.services.scheduling.appointment_types import ensure_default_types
    from frontdesk.services.scheduling.usual_hours import write_usual_hours

    row = _write_profile(uow, profile, None)
    added = [_add_provider(uow, provider) for provider in providers]
    ensure_default_types(uow)
    if location is not None:
        place = _add(uow, Location(**_validated_location(location, prefix=LOCATION_PREFIX)))
        uow.session.flush()
        if hours is not None:
            write_usual_hours(uow, place.id, [provider.id for provider in added], hours)
    uow.session.flush()
    return _profile_data(row)


def complete_first_run(
    context: ServiceContext,
    profile: PracticeProfileForm,
    providers: list[ProviderForm],
    location: LocationForm | None = None,
    hours: UsualHoursForm | None = None,
) -> PracticeProfileData:
    """Save the profile, the first providers, and their location and usual hours together:
    all or nothing."""
    errors = first_run_problems(profile, providers, location, hours)
    if errors:
        raise ValidationError(errors)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        data = write_first_run(uow, profile, providers, location, hours)
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
    location: LocationForm | None = None,
    hours: UsualHoursForm | None = None,
) -> UserData:
    """First run in one transaction: the practice profile, its first providers, their
    location and usual weekly hours, and the first admin account. All or nothing, so an
    interrupted setup never leaves a practice nobody can sign in to; every form's messages
    are reported together."""
    admin = NewUserForm(admin.username, admin.password, Role.ADMIN, admin.display_name)
    errors = first_run_problems(profile, providers, location, hours)
    errors.update(new_user_problems(admin))
    if errors:
        raise ValidationError(errors)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        _refuse_unless_first(uow)
        write_first_run(uow, profile, providers, location, hours)
        row = _new_user(uow, admin)
        uow.commit()
        return _user_data(row)
