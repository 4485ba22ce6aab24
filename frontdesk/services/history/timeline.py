"""A chart's timeline: surgeries, imaging, requests, appointments and calls, in date order.

Its sources are imported here, by name: whoever imports this module gets every kind of event,
whatever else happened to be imported (no registry filled as a side effect of imports).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy.orm import Session

from frontdesk.domain.history_records import TimelineEvent
from frontdesk.domain.permissions import Permission
from frontdesk.services.history.entry_rows import chart_exists
from frontdesk.services.history.imaging import imaging_events
from frontdesk.services.history.surgeries import surgery_events
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.timeline import phone_note_events
from frontdesk.services.requests.timeline import request_events
from frontdesk.services.scheduling.timeline import appointment_events

TimelineSource = Callable[[Session, int, date], Iterable[TimelineEvent]]

SOURCES: tuple[tuple[str, TimelineSource], ...] = (
    ("surgery", surgery_events),
    ("imaging", imaging_events),
    ("request", request_events),
    ("appointment", appointment_events),
    ("call", phone_note_events),
)


def patient_timeline(
    context: ServiceContext, patient_id: int, *, today: date | None = None
) -> list[TimelineEvent]:
    """Every source's events for one chart, oldest first (a year-only date sorts at the start
    of its year, before the exact dates inside it; undated events first, as the summary
    counts them)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        chart_exists(session, patient_id)
        today = today or practice_today(session)
        events = [
            event for _name, source in SOURCES for event in source(session, patient_id, today)
        ]
    return sorted(events, key=TimelineEvent.sort_key)
