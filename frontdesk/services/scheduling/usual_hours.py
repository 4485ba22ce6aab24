"""The providers' usual weekly hours at one location, as first-run setup writes them.

Find-next offers only times inside weekly hours, so a practice set up without any finds
nothing: the setup proposes the same hours for every provider (editable, and changed per
provider later in Admin → Scheduling), and the screens ask ``has_weekly_hours`` to say what
to do next while there are none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from frontdesk.db.models_scheduling import AvailabilityBlock
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import Weekday
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.scheduling._rows import _minute

WEEKDAYS = (
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
    Weekday.FRIDAY,
)


@dataclass(frozen=True)
class UsualHoursForm:
    """Days and hours each provider works at the first location ("8:00", "17:00"); every
    appointment type is taken in them."""

    weekdays: tuple[int, ...] = tuple(int(day) for day in WEEKDAYS)
    start: str = "8:00"
    end: str = "17:00"


def _checked(form: UsualHoursForm, prefix: str) -> tuple[tuple[int, ...], int, int, dict[str, str]]:
    errors: dict[str, str] = {}
    days: set[int] = set()
    for value in form.weekdays:
        try:
            days.add(int(Weekday(int(value))))
        except (TypeError, ValueError):
            errors[f"{prefix}weekdays"] = "choose days of the week"
    if not days and f"{prefix}weekdays" not in errors:
        errors[f"{prefix}weekdays"] = "tick at least one day"
    start = _minute(errors, f"{prefix}start", form.start)
    end = _minute(errors, f"{prefix}end", form.end)
    if start is None and f"{prefix}start" not in errors:
        errors[f"{prefix}start"] = "required"
    if end is None and f"{prefix}end" not in errors:
        errors[f"{prefix}end"] = "required"
    if start is not None and end is not None and end <= start:
        errors[f"{prefix}end"] = "the day must end after it starts"
    return tuple(sorted(days)), start or 0, end or 0, errors


def usual_hours_problems(form: UsualHoursForm, prefix: str = "hours.") -> dict[str, str]:
    """Every message for the hours at once, keyed ``hours.weekdays``/``.start``/``.end``."""
    return _checked(form, prefix)[3]


def write_usual_hours(
    uow: UnitOfWork, location_id: int, provider_ids: Sequence[int], form: UsualHoursForm
) -> int:
    """One weekly block per provider and day inside the caller's unit of work (checked first
    with ``usual_hours_problems``); returns how many were written."""
    days, start, end, errors = _checked(form, "hours.")
    assert not errors, errors
    written = 0
    for provider_id in provider_ids:
        for day in days:
            row = AvailabilityBlock(
                provider_id=provider_id,
                location_id=location_id,
                weekday=day,
                start_minute=start,
                end_minute=end,
                type_ids=json.dumps([]),
                valid_from=None,
                valid_until=None,
            )
            uow.stamp(row, new=True)
            uow.session.add(row)
            written += 1
    return written


def has_weekly_hours(context: ServiceContext) -> bool:
    """Whether any provider has weekly hours: without them find-next has nothing to offer."""
    with context.reading(Permission.VIEW_PRACTICE) as session:
        return session.scalar(select(AvailabilityBlock.id).limit(1)) is not None
