"""The practice's clock: its time zone, what day it is there and how its times are written.

Every screen, document and command shows a moment through :func:`clock_text` with the
practice's zone, never the computer's own: a desk in another zone (or a server on UTC) must
show the same 11:04 as the schedule.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from frontdesk.db.models import PracticeProfile
from frontdesk.domain.scheduling import practice_zone as zone_named
from frontdesk.services.kernel.context import ServiceContext

# The ways a moment is written on screens and in commands (strftime patterns).
DATE = "%m/%d/%Y"
TIME = "%H:%M"
DATE_TIME = "%m/%d/%Y %H:%M"
STAMP = "%Y-%m-%d %H:%M"
STAMP_SECONDS = "%Y-%m-%d %H:%M:%S"


def clock_text(moment: datetime, zone: tzinfo, pattern: str = DATE_TIME) -> str:
    """``moment`` as the practice's wall clock shows it (``zone`` from :func:`zone_of`)."""
    return moment.astimezone(zone).strftime(pattern)


def zone_of(session: Session | Connection) -> tzinfo:
    """The practice's time zone (the computer's own when the profile names none)."""
    name = session.scalar(select(PracticeProfile.time_zone).where(PracticeProfile.id == 1))
    return zone_named(name or "")


def today_in(zone: tzinfo) -> date:
    """Today on the wall clock of ``zone`` (the practice's, read with :func:`zone_of`)."""
    return datetime.now(zone).date()


def practice_today(session: Session | Connection) -> date:
    """Today on the practice's wall clock: a desk in another zone still books the practice's day."""
    return today_in(zone_of(session))


def practice_zone(context: ServiceContext) -> tzinfo:
    """The practice's time zone for a screen or a command (no permission needed)."""
    with context.reading(None) as session:
        return zone_of(session)


def today(context: ServiceContext) -> date:
    """Today in the practice, for a screen or a command."""
    with context.reading(None) as session:
        return practice_today(session)
