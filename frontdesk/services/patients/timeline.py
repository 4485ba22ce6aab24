"""Each phone note as an event on the chart's timeline."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import PhoneNote
from frontdesk.domain.history_records import TimelineEvent
from frontdesk.domain.partial_dates import PartialDate
from frontdesk.services.kernel.clock import zone_of


def phone_note_events(session: Session, patient_id: int, today: date) -> list[TimelineEvent]:
    """Each call on the day it came in, with what was promised and whether it was returned."""
    zone = zone_of(session)
    rows = session.scalars(select(PhoneNote).where(PhoneNote.patient_id == patient_id))
    events = []
    for row in rows:
        local = row.called_at.astimezone(zone)
        detail = f"{local:%H:%M}, logged by {row.created_by}."
        if row.promised:
            detail += f" Promised: {row.promised}"
        flags: tuple[str, ...] = ()
        if row.follow_up_on is not None:
            if row.returned_at is not None:
                detail += f" Call-back made by {row.returned_by}."
            elif row.follow_up_on < today:
                flags = (f"call-back overdue since {row.follow_up_on:%m/%d/%Y}",)
            else:
                flags = (f"call back by {row.follow_up_on:%m/%d/%Y}",)
        events.append(
            TimelineEvent(
                kind="call",
                date=PartialDate.exact(min(local.date(), today)),
                title=f"Phone call from {row.caller}: {row.subject}",
                detail=detail.strip(),
                record_id=row.id,
                at=row.called_at,
                flags=flags,
            )
        )
    return events
