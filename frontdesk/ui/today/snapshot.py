"""One read of what the Today area shows: the practice's day and the freed times."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import calendars, usual_hours, waitlist
from frontdesk.services.scheduling.data import AppointmentData, FreedTimeMatches

# The counts over the day, in this order. "Booked" is everyone still expected (booked or
# confirmed): the number the desk watches go down as people arrive.
COUNTED = (
    ("Booked", (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)),
    ("Checked in", (AppointmentStatus.CHECKED_IN,)),
    ("Completed", (AppointmentStatus.COMPLETED,)),
    ("No-show", (AppointmentStatus.NO_SHOW,)),
    ("Cancelled", (AppointmentStatus.CANCELLED,)),
)


@dataclass(frozen=True)
class TodaySnapshot:
    day: date
    zone: tzinfo
    appointments: tuple[AppointmentData, ...]
    freed: tuple[FreedTimeMatches, ...]
    # False until some provider has weekly hours: nothing can be found or booked before.
    has_hours: bool = True

    def counts(self) -> list[tuple[str, int]]:
        by_status = Counter(item.status for item in self.appointments)
        return [(label, sum(by_status[s] for s in statuses)) for label, statuses in COUNTED]

    def by_provider(self) -> list[tuple[str, list[AppointmentData]]]:
        """Each provider's appointments in time order, providers by name."""
        groups: dict[str, list[AppointmentData]] = {}
        for item in sorted(self.appointments, key=lambda a: (a.provider_name, a.start)):
            groups.setdefault(item.provider_name, []).append(item)
        return list(groups.items())

    def arrived(self) -> list[AppointmentData]:
        return [a for a in self.appointments if a.status is AppointmentStatus.CHECKED_IN]


def load_today(context: ServiceContext, days_ahead: int) -> TodaySnapshot:
    """Today on the practice's clock (not the workstation's) and the freed times of the
    coming ``days_ahead`` days with the waitlisted patients who fit each."""
    zone = practice_clock.practice_zone(context)
    day = datetime.now(zone).date()
    return TodaySnapshot(
        day=day,
        zone=zone,
        appointments=tuple(calendars.day_appointments(context, day)),
        freed=tuple(waitlist.freed_times_with_waitlist(context, days_ahead=days_ahead)),
        has_hours=usual_hours.has_weekly_hours(context),
    )
