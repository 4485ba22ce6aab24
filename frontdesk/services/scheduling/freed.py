"""Freed time: what cancellations, no-shows, moves and new hours gave back, still bookable."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.db.models_scheduling import (
    AppointmentEvent,
    AppointmentType,
    AvailabilityBlock,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import (
    SLOT_STEP,
    Bookability,
    Interval,
    local_days,
    open_times_on,
    overlapping,
    subtract,
)
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.kernel.context import (
    ServiceContext,
)
from frontdesk.services.scheduling.availability import availability_rows
from frontdesk.services.scheduling.bookability import read_bookability
from frontdesk.services.scheduling.data import FreedTime
from frontdesk.services.scheduling.names import provider_names
from frontdesk.services.scheduling.time_away import exception_rows

# Weekly hours added this recently count as freed time (the Today area, the waitlist).
NEW_HOURS_DAYS = 7


SETUP_GRACE = timedelta(hours=1)


def freed_times(
    context: ServiceContext, *, now: datetime | None = None, days_ahead: int = 14
) -> list[FreedTime]:
    """Times given back in the coming ``days_ahead`` days (cancellations, no-shows, moves)
    that nobody has booked since, earliest first."""
    now = now or utcnow()
    with context.reading(Permission.VIEW_PRACTICE) as session:
        return freed_times_in(session, now, now + timedelta(days=days_ahead))


def freed_times_in(session: Session, start: datetime, end: datetime) -> list[FreedTime]:
    """Freed time between ``start`` (now) and ``end`` that can still be booked: what
    cancellations, no-shows and moves gave back, and the open time of weekly hours added in
    the last week."""
    return freed_times_with_rules(session, start, end)[0]


def freed_times_with_rules(
    session: Session, start: datetime, end: datetime
) -> tuple[list[FreedTime], Bookability | None]:
    """:func:`freed_times_in`, with the :class:`Bookability` it was decided by (None when
    nothing was freed), for matching the waitlist against the same facts."""
    candidates: list[tuple[int, int, Interval, datetime, str]] = []
    for event in session.scalars(
        select(AppointmentEvent)
        .where(
            AppointmentEvent.freed_start.is_not(None),
            AppointmentEvent.freed_end > start,
            AppointmentEvent.freed_start < end,
        )
        .order_by(AppointmentEvent.freed_start)
    ):
        assert event.freed_start is not None and event.freed_end is not None
        candidates.append(
            (
                event.freed_provider_id or 0,
                event.freed_location_id or 0,
                Interval(event.freed_start, event.freed_end),
                event.at,
                event.description,
            )
        )
    candidates.extend(_new_hours(session, start, end))
    if not candidates:
        return [], None
    providers = provider_names(session)
    provider_ids = sorted({provider_id for provider_id, *_ in candidates})
    latest = max(interval.end for _, _, interval, _, _ in candidates)
    rules = read_bookability(
        session, provider_ids, start, max(latest, start + SLOT_STEP), now=start
    )
    # A scrap shorter than the shortest visit cannot be booked: not worth a line on Today.
    shortest = timedelta(
        minutes=session.scalar(
            select(func.min(AppointmentType.duration_minutes)).where(
                AppointmentType.active.is_(True)
            )
        )
        or 15
    )
    result: dict[tuple[int, datetime, datetime], FreedTime] = {}
    for provider_id, _location_id, interval, freed_at, description in candidates:
        if interval.end <= start:
            continue
        visible = Interval(max(interval.start, start), interval.end)
        # Only what the provider's hours still hold is offered: an overbook's time, or time
        # away entered since, is not free time to give to someone.
        for day in local_days(visible.start, visible.end, rules.zone):
            for open_time in rules.open_times(day, provider_id):
                inside = Interval(
                    max(visible.start, open_time.start), min(visible.end, open_time.end)
                )
                if inside.empty:
                    continue
                for part in subtract(
                    [inside], overlapping(rules.busy.get(provider_id, ()), inside)
                ):
                    if part.length < shortest:
                        continue
                    result[(provider_id, part.start, part.end)] = FreedTime(
                        provider_id=provider_id,
                        provider_name=providers.get(provider_id, ""),
                        location_id=open_time.location_id,
                        location_name=open_time.location_name,
                        start=part.start,
                        end=part.end,
                        freed_at=freed_at,
                        description=description,
                    )
    ordered = sorted(result.values(), key=lambda item: (item.start, item.provider_name))
    return ordered, rules


def _new_hours(
    session: Session, start: datetime, end: datetime
) -> list[tuple[int, int, Interval, datetime, str]]:
    """The open time, between ``start`` and ``end``, of weekly hours added in the last
    NEW_HOURS_DAYS days: new availability is freed time for the waitlist too."""
    recent = session.scalars(
        select(AvailabilityBlock).where(
            AvailabilityBlock.created_at >= start - timedelta(days=NEW_HOURS_DAYS)
        )
    ).all()
    if not recent:
        return []
    # Hours entered while a provider's week is first set up are not "freed": only hours
    # added later (an extra clinic, a reopened afternoon) are offered to the waitlist.
    first_entered = dict(
        session.execute(
            select(AvailabilityBlock.provider_id, func.min(AvailabilityBlock.created_at))
            .where(AvailabilityBlock.provider_id.in_({block.provider_id for block in recent}))
            .group_by(AvailabilityBlock.provider_id)
        ).all()
    )
    new_blocks = [
        block
        for block in recent
        if block.created_at - first_entered[block.provider_id] > SETUP_GRACE
    ]
    if not new_blocks:
        return []
    zone = zone_of(session)
    wanted = {block.id for block in new_blocks}
    provider_ids = sorted({block.provider_id for block in new_blocks})
    blocks = [row for row in availability_rows(session, provider_ids) if row.id in wanted]
    days = local_days(start, end, zone)
    exceptions = exception_rows(session, provider_ids, since=days[0], until=days[-1])
    created = {block.id: block.created_at for block in new_blocks}
    result = []
    for block in blocks:
        for day in days:
            for open_time in open_times_on(day, block.provider_id, [block], exceptions, zone):
                result.append(
                    (
                        block.provider_id,
                        block.location_id,
                        open_time.interval,
                        created[block.id],
                        f"New hours: {block.description}",
                    )
                )
    return result
