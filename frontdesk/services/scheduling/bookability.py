"""Can this time be booked: the facts ``domain.scheduling.Bookability`` decides from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_scheduling import (
    Appointment,
)
from frontdesk.domain.scheduling import (
    ACTIVE_STATUSES,
    LONGEST,
    Bookability,
    Interval,
    local_days,
)
from frontdesk.services.kernel.clock import today_in, zone_of
from frontdesk.services.scheduling.availability import availability_rows
from frontdesk.services.scheduling.data import AvailabilityData, ExceptionData
from frontdesk.services.scheduling.time_away import exception_rows

ACTIVE_VALUES = tuple(sorted(status.value for status in ACTIVE_STATUSES))


def busy_intervals(
    session: Session,
    provider_ids: Sequence[int],
    start: datetime,
    end: datetime,
    *,
    exclude_id: int | None = None,
) -> dict[int, list[Interval]]:
    """Each provider's booked (active) time between ``start`` and ``end``, leaving out
    appointment ``exclude_id``."""
    result: dict[int, list[Interval]] = defaultdict(list)
    if not provider_ids:
        return result
    query = select(Appointment.provider_id, Appointment.starts_at, Appointment.ends_at).where(
        Appointment.provider_id.in_(list(provider_ids)),
        Appointment.status.in_(ACTIVE_VALUES),
        Appointment.starts_at < end,
        Appointment.starts_at > start - LONGEST,
        Appointment.ends_at > start,
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    for provider_id, starts_at, ends_at in session.execute(query):
        result[provider_id].append(Interval(starts_at, ends_at))
    return result


def read_bookability(
    session: Session,
    provider_ids: Sequence[int],
    start: datetime,
    end: datetime,
    *,
    exclude_id: int | None = None,
    blocks: Sequence[AvailabilityData] | None = None,
    away: Sequence[ExceptionData] | None = None,
    now: datetime | None = None,
) -> Bookability:
    """The data-reading half of "can this time be booked?" for [start, end): the providers'
    hours, time away and bookings (without appointment ``exclude_id``, the one being moved)
    and the practice's today (``now``'s day there when the caller gives its own clock). The
    rule itself is :class:`Bookability` in the domain; ``blocks`` and ``away`` spare a search
    that reads many windows re-reading the hours and time away."""
    zone = zone_of(session)
    ids = list(provider_ids)
    days = local_days(start, end, zone)
    busy = busy_intervals(session, ids, start, end, exclude_id=exclude_id)
    for taken in busy.values():
        taken.sort()
    return Bookability(
        zone=zone,
        today=today_in(zone) if now is None else now.astimezone(zone).date(),
        blocks=tuple(availability_rows(session, ids) if blocks is None else blocks),
        away=tuple(
            exception_rows(session, ids, since=days[0], until=days[-1]) if away is None else away
        ),
        busy=busy,
    )
