"""Finding free time: the next slots that fit a type, provider, location and preference."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import islice

from sqlalchemy import select

from frontdesk.db.models import Provider
from frontdesk.db.types import utcnow
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import (
    Bookability,
    Interval,
    day_bounds,
    last_bookable_day,
)
from frontdesk.services.kernel.clock import today_in, zone_of
from frontdesk.services.kernel.context import (
    ServiceContext,
)
from frontdesk.services.scheduling._rows import _active_provider, _active_type
from frontdesk.services.scheduling.availability import availability_rows
from frontdesk.services.scheduling.bookability import read_bookability
from frontdesk.services.scheduling.data import SlotData, SlotSearch
from frontdesk.services.scheduling.names import provider_label
from frontdesk.services.scheduling.time_away import exception_rows

SEARCH_CHUNK_DAYS = 14


MAX_CHUNK_DAYS = 56


MAX_SLOTS = 200


def find_slots(context: ServiceContext, search: SlotSearch) -> list[SlotData]:
    """The next free slots that fit the type, provider (or any), location (or any) and the
    patient's preferred days and times, earliest first: every one a time ``book`` accepts
    without asking (the same :class:`Bookability` decides both)."""
    limit = max(1, min(search.limit, MAX_SLOTS))
    with context.reading(Permission.VIEW_PRACTICE) as session:
        zone = zone_of(session)
        kind = _active_type(session, search.type_id)
        duration = timedelta(minutes=kind.duration_minutes)
        providers_query = select(Provider).where(Provider.active.is_(True))
        if search.provider_id is not None:
            _active_provider(session, search.provider_id)
            providers_query = providers_query.where(Provider.id == search.provider_id)
        providers = {row.id: provider_label(row) for row in session.scalars(providers_query)}
        blocks = [
            block
            for block in availability_rows(session, list(providers))
            if block.takes(kind.id)
            and (search.location_id is None or block.location_id == search.location_id)
        ]
        provider_ids = sorted({block.provider_id for block in blocks})
        if not provider_ids:
            return []
        now = utcnow()
        after = max(search.after or now, now)
        first_day = after.astimezone(zone).date()
        # Never further than a booking may go: a slot offered is a slot that books.
        horizon = min(
            first_day + timedelta(days=max(1, search.horizon_days)),
            last_bookable_day(today_in(zone)) + timedelta(days=1),
        )
        away = exception_rows(session, provider_ids, since=first_day, until=horizon)
        found: list[SlotData] = []
        chunk_start = first_day
        chunk_days = SEARCH_CHUNK_DAYS
        while chunk_start < horizon and len(found) < limit:
            chunk_end = min(chunk_start + timedelta(days=chunk_days), horizon)
            # A search that has to look far ahead takes bigger steps: each window is one
            # query, and a query costs more than the rows it brings.
            chunk_days = min(chunk_days * 2, MAX_CHUNK_DAYS)
            window_start, _ = day_bounds(chunk_start, zone)
            window_end, _ = day_bounds(chunk_end, zone)
            rules = read_bookability(
                session, provider_ids, window_start, window_end, blocks=blocks, away=away
            )
            day = chunk_start
            while day < chunk_end and len(found) < limit:
                found.extend(
                    _slots_on(
                        rules,
                        day,
                        providers,
                        provider_ids,
                        search,
                        duration,
                        after,
                        limit - len(found),
                    )
                )
                day += timedelta(days=1)
            chunk_start = chunk_end
        return found[:limit]


def _slots_on(
    rules: Bookability,
    day: date,
    providers: dict[int, str],
    provider_ids: Sequence[int],
    search: SlotSearch,
    duration: timedelta,
    after: datetime,
    wanted: int,
) -> list[SlotData]:
    preference = search.preference
    if preference.weekdays and day.weekday() not in preference.weekdays:
        return []
    whole_day = Interval(*day_bounds(day, rules.zone))
    slots: list[SlotData] = []
    for provider_id in provider_ids:
        starts = (
            (start, open_time)
            for start, open_time in rules.free_slots(
                provider_id,
                search.type_id,
                duration,
                whole_day,
                not_before=after,
                location_id=search.location_id,
            )
            if preference.accepts(start, start + duration, rules.zone)
        )
        slots.extend(
            SlotData(
                provider_id=provider_id,
                provider_name=providers[provider_id],
                location_id=open_time.location_id,
                location_name=open_time.location_name,
                type_id=search.type_id,
                start=start,
                end=start + duration,
            )
            for start, open_time in islice(starts, wanted)
        )
    slots.sort(key=lambda slot: (slot.start, slot.provider_name))
    return slots[:wanted]
