"""A provider's schedule as an iCalendar (.ics) file a calendar program imports, recorded as a
disclosure.

One VEVENT per appointment that holds its time (booked, confirmed, checked in, completed),
its UID stable per appointment so a second import updates rather than duplicates, and its
SEQUENCE the appointment's version. By default an event names the appointment type and the
patient's initials only: a phone or shared calendar is a poor place for names. The practice
setting "calendar export shows full patient names" changes that.

Like the patient export, the file is written beside its destination under a temporary name
and moved into place only once the audit entry is committed: no file exists unrecorded.
"""

from __future__ import annotations

import os
from datetime import UTC, date, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import PracticeProfile, Provider
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_scheduling import Appointment, AppointmentType
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import NotFoundError, ValidationError
from frontdesk.domain.names import printed_name
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import AppointmentStatus, day_bounds, initials
from frontdesk.private_files import scratch_file
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.settings import CALENDAR_EXPORT_FULL_NAMES, read_setting
from frontdesk.services.scheduling.bookability import ACTIVE_VALUES
from frontdesk.services.scheduling.data import IcsExportResult
from frontdesk.services.scheduling.names import location_names, provider_label

if TYPE_CHECKING:
    from icalendar import Calendar

MAX_EXPORT_DAYS = 366


PRODUCT_ID = "-//Front Desk//Provider schedule//EN"


UID_DOMAIN = "appointments.frontdesk"


# Booked is not yet confirmed by the patient: calendar programs show TENTATIVE paler.
_EVENT_STATUS = {
    AppointmentStatus.BOOKED: "TENTATIVE",
    AppointmentStatus.CONFIRMED: "CONFIRMED",
    AppointmentStatus.CHECKED_IN: "CONFIRMED",
    AppointmentStatus.COMPLETED: "CONFIRMED",
}


def appointment_uid(appointment_id: int) -> str:
    """The same UID every time an appointment is exported (RFC 5545 wants it global)."""
    return f"appointment-{appointment_id}@{UID_DOMAIN}"


def default_ics_name(provider_last_name: str, first_day: date) -> str:
    """The file name offered: schedule-okafor-2026-03-02.ics (no patient in it)."""
    stem = "".join(c if c.isalnum() else "-" for c in provider_last_name.lower()).strip("-")
    return f"schedule-{stem or 'provider'}-{first_day.isoformat()}.ics"


def check_range(first_day: date | None, last_day: date | None) -> tuple[date, date]:
    """The days to export, or ValidationError keyed "from"/"to" (what the form shows)."""
    errors: dict[str, str] = {}
    if first_day is None:
        errors["from"] = "choose the first day"
    if last_day is None:
        errors["to"] = "choose the last day"
    if first_day and last_day:
        if last_day < first_day:
            errors["to"] = "the last day is before the first"
        elif (last_day - first_day).days >= MAX_EXPORT_DAYS:
            errors["to"] = f"at most {MAX_EXPORT_DAYS} days at a time"
    if errors:
        raise ValidationError(errors)
    assert first_day is not None and last_day is not None
    return first_day, last_day


def _event_zone(zone: tzinfo) -> tzinfo:
    """The practice's named zone (with its VTIMEZONE, so DST is right), else UTC: a bare
    fixed offset would be wrong for half the year."""
    return zone if isinstance(zone, ZoneInfo) else UTC


def _calendar(
    session: Session,
    provider: Provider,
    first_day: date,
    last_day: date,
    full_names: bool,
) -> tuple[Calendar, int]:
    # Loaded only when a calendar is exported: every other command starts quicker.
    from icalendar import Calendar, Event

    zone = zone_of(session)
    event_zone = _event_zone(zone)
    start, _ = day_bounds(first_day, zone)
    _, end = day_bounds(last_day, zone)
    locations = location_names(session)
    types = {row.id: row.name for row in session.scalars(select(AppointmentType))}
    rows = session.execute(
        select(Appointment, Patient.first_name, Patient.last_name)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(
            Appointment.provider_id == provider.id,
            Appointment.status.in_(ACTIVE_VALUES),
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    practice_name = session.scalar(select(PracticeProfile.name).where(PracticeProfile.id == 1))
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    title = provider_label(provider) + (f" · {practice_name}" if practice_name else "")
    calendar.add("x-wr-calname", title)
    if isinstance(event_zone, ZoneInfo):
        calendar.add("x-wr-timezone", event_zone.key)
    stamp = utcnow()
    for row, first_name, last_name in rows:
        who = printed_name(first_name, last_name) if full_names else initials(first_name, last_name)
        event = Event()
        event.add("uid", appointment_uid(row.id))
        event.add("dtstamp", stamp)
        event.add("dtstart", row.starts_at.astimezone(event_zone))
        event.add("dtend", row.ends_at.astimezone(event_zone))
        event.add("summary", f"{types.get(row.type_id, 'Appointment')} – {who}")
        event.add("location", locations.get(row.location_id, ""))
        event.add("status", _EVENT_STATUS[AppointmentStatus(row.status)])
        event.add("sequence", row.version)
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    if isinstance(event_zone, ZoneInfo):
        # Only the transitions the events need (a DST change inside the range shows up).
        calendar.add_missing_timezones(
            first_date=first_day - timedelta(days=1), last_date=last_day + timedelta(days=2)
        )
    return calendar, len(rows)


def export_ics(
    context: ServiceContext,
    provider_id: int,
    first_day: date | None,
    last_day: date | None,
    path: Path | str,
) -> IcsExportResult:
    """Write ``provider_id``'s appointments from ``first_day`` to ``last_day`` (inclusive,
    the practice's days) to ``path``; recorded in the audit trail as an export."""
    first_day, last_day = check_range(first_day, last_day)
    destination = Path(path)
    folder = destination.parent if str(destination.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError({"path": f"there is no folder {folder}"})
    with context.writing(Permission.SCHEDULE) as uow:
        session = uow.session
        provider = session.get(Provider, provider_id)
        if provider is None:
            raise NotFoundError(f"There is no provider with id {provider_id}")
        full_names = read_setting(session, CALENDAR_EXPORT_FULL_NAMES)
        calendar, events = _calendar(session, provider, first_day, last_day, full_names)
        data = calendar.to_ical()
        try:
            with scratch_file(destination, prefix=".export-") as temporary:
                with open(temporary, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                uow.record(
                    "export",
                    "appointments",
                    provider.id,
                    details={
                        "format": "ics",
                        "provider_id": provider.id,
                        "from": first_day.isoformat(),
                        "to": last_day.isoformat(),
                        "events": events,
                        "full_names": full_names,
                        "file": destination.name,
                    },
                )
                uow.commit()
        except OSError as error:
            raise ValidationError(
                {"path": f"cannot write in {folder} ({error.strerror or error})"}
            ) from None
        name = provider_label(provider)
    return IcsExportResult(destination, events, name, full_names)
