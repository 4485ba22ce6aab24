"""The calendars: appointments between two times or on a day, and a day or week view's data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_scheduling import (
    Appointment,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import (
    ValidationError,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import (
    OpenTime,
    away_interval,
    day_bounds,
    open_times_on,
)
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.kernel.context import (
    ServiceContext,
)
from frontdesk.services.scheduling._rows import _rows_data
from frontdesk.services.scheduling.availability import availability_rows
from frontdesk.services.scheduling.bookability import ACTIVE_VALUES
from frontdesk.services.scheduling.data import (
    AppointmentData,
    AwayTime,
    CalendarData,
)
from frontdesk.services.scheduling.names import provider_names
from frontdesk.services.scheduling.time_away import exception_rows


def appointments_between(
    context: ServiceContext,
    start: datetime,
    end: datetime,
    provider_ids: Sequence[int] | None = None,
    *,
    include_inactive: bool = True,
) -> list[AppointmentData]:
    """Appointments that start in [start, end), in time order (cancelled ones too, unless
    ``include_inactive`` is False)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        return _between(session, start, end, provider_ids, include_inactive)


def _between(
    session: Session,
    start: datetime,
    end: datetime,
    provider_ids: Sequence[int] | None,
    include_inactive: bool,
) -> list[AppointmentData]:
    query = select(Appointment).where(Appointment.starts_at >= start, Appointment.starts_at < end)
    if provider_ids is not None:
        query = query.where(Appointment.provider_id.in_(list(provider_ids)))
    if not include_inactive:
        query = query.where(Appointment.status.in_(ACTIVE_VALUES))
    return _rows_data(session, query.order_by(Appointment.starts_at, Appointment.provider_id))


def day_appointments(
    context: ServiceContext,
    day: date,
    provider_ids: Sequence[int] | None = None,
    *,
    include_inactive: bool = True,
) -> list[AppointmentData]:
    with context.reading(Permission.VIEW_PATIENTS) as session:
        start, end = day_bounds(day, zone_of(session))
        return _between(session, start, end, provider_ids, include_inactive)


def calendar(
    context: ServiceContext, first_day: date, days: int, provider_ids: Sequence[int]
) -> CalendarData:
    """Everything a day or week view paints: appointments, open time, time away."""
    if not 1 <= days <= 31:
        raise ValidationError({"days": "between 1 and 31 days"})
    read_at = utcnow()
    with context.reading(Permission.VIEW_PATIENTS) as session:
        zone = zone_of(session)
        last_day = first_day + timedelta(days=days - 1)
        start, _ = day_bounds(first_day, zone)
        _, end = day_bounds(last_day, zone)
        ids = list(provider_ids)
        blocks = availability_rows(session, ids)
        exceptions = exception_rows(session, ids, since=first_day, until=last_day)
        open_times: list[OpenTime] = []
        away: list[AwayTime] = []
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            for provider_id in ids:
                open_times.extend(open_times_on(day, provider_id, blocks, exceptions, zone))
            for exception in exceptions:
                interval = away_interval(exception, day, zone)
                if interval is not None:
                    away.append(
                        AwayTime(
                            exception.provider_id,
                            interval.start,
                            interval.end,
                            exception.kind.label
                            + (f": {exception.note}" if exception.note else ""),
                        )
                    )
        names = provider_names(session)
        return CalendarData(
            zone=zone,
            first_day=first_day,
            days=days,
            provider_ids=tuple(ids),
            provider_names={pid: names.get(pid, "") for pid in ids},
            appointments=tuple(_between(session, start, end, ids, True)),
            open_times=tuple(open_times),
            away=tuple(away),
            read_at=read_at,
        )
