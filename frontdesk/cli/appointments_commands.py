"""frontdesk appointments book|find|list|cancel: the calendar from a script or a terminal.

PROVIDER, LOCATION and TYPE accept an id or the name as the app shows it, in any case, or
enough of it to pick one ("okafor"). A time without an offset is read on the practice's
wall clock; times printed carry the offset, so `find --json` output books as-is.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from frontdesk.cli.common import Parser, UsageError, print_json, service_context
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.plurals import counted
from frontdesk.domain.scheduling import CancelledBy
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.lookup import find_by_mrn
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import appointment_types, booking, calendars, status
from frontdesk.services.scheduling import find as scheduling_find
from frontdesk.services.scheduling.booking import OutsideAvailabilityError
from frontdesk.services.scheduling.data import AppointmentData, BookingForm, SlotSearch

MAX_SLOTS = scheduling_find.MAX_SLOTS
_OVERBOOK_QUESTION = re.compile(r"\s*(Book|Move) it (there )?anyway as an overbook\?\s*$")


# --- reading arguments ------------------------------------------------------------------------


def moment(text: str) -> datetime:
    """An ISO 8601 date and time, with or without its offset (argparse type)."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time (for example 2026-03-09T08:00 or "
            "2026-03-09T08:00:00-06:00)"
        ) from None


def day(text: str) -> date:
    """An ISO date, YYYY-MM-DD (argparse type)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def slot_limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_SLOTS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_SLOTS}")
    return value


def in_zone(value: datetime, zone: tzinfo) -> datetime:
    """A naive time is the practice's wall-clock time."""
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[^\w]+", _folded(text)) if word]


def pick(text: str, candidates: Sequence[tuple[int, str]], what: str) -> int:
    """The id of the one candidate ``text`` names: its id, its whole name, or words that
    begin words of its name. None or several: UsageError naming the choices."""
    wanted = text.strip()
    names = ", ".join(name for _id, name in candidates) or "none yet"
    if wanted.isdigit():
        if any(record_id == int(wanted) for record_id, _name in candidates):
            return int(wanted)
        raise UsageError(f"there is no {what} with id {wanted} (the {what}s: {names})")
    exact = [record_id for record_id, name in candidates if _folded(name) == _folded(wanted)]
    if len(exact) == 1:
        return exact[0]
    query = _words(wanted)
    found = [
        (record_id, name)
        for record_id, name in candidates
        if query and all(any(word.startswith(q) for word in _words(name)) for q in query)
    ]
    if len(found) == 1:
        return found[0][0]
    if not found:
        raise UsageError(f"no {what} is called {wanted!r} (the {what}s: {names})")
    several = "; ".join(f"{name} (id {record_id})" for record_id, name in found)
    raise UsageError(f"{wanted!r} matches several {what}s: {several}; give the id or more of it")


def provider_id(context: ServiceContext, text: str) -> int:
    rows = list_providers(context, include_inactive=True)
    return pick(text, [(row.id, row.display_name) for row in rows], "provider")


def location_id(context: ServiceContext, text: str) -> int:
    rows = list_locations(context, include_inactive=True)
    return pick(text, [(row.id, row.name) for row in rows], "location")


def type_id(context: ServiceContext, text: str) -> int:
    rows = appointment_types.list_appointment_types(context, include_inactive=True)
    return pick(text, [(row.id, row.name) for row in rows], "appointment type")


# --- the commands --------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    group = subparsers.add_parser("appointments", help="book, find, list and cancel appointments")
    commands = group.add_subparsers(dest="appointments_command", required=True, parser_class=Parser)
    book = commands.add_parser(
        "book",
        help="book one appointment",
        description="Book an appointment (exit 0, printing it) or say in one line why not "
        "(exit 1). A time outside the provider's availability needs --overbook.",
    )
    book.add_argument("--patient", required=True, metavar="MRN", help="the patient's MRN")
    book.add_argument("--provider", required=True, metavar="PROVIDER", help="id or name")
    book.add_argument("--type", required=True, metavar="TYPE", help="appointment type: id or name")
    book.add_argument(
        "--start",
        required=True,
        type=moment,
        metavar="ISO-DATETIME",
        help="e.g. 2026-03-09T08:00 (practice time) or with its offset",
    )
    book.add_argument("--location", metavar="LOCATION", help="id or name (default: the block's)")
    book.add_argument("--reason", default="", metavar="TEXT", help="why the patient comes")
    book.add_argument("--request", type=int, metavar="ID", help="the consultation request booked")
    book.add_argument(
        "--make-ready",
        action="store_true",
        help="with --request: a request still new or awaiting records is made ready to "
        "schedule first, as the Requests area would (it becomes scheduled)",
    )
    book.add_argument(
        "--ready-reason",
        default="",
        metavar="TEXT",
        help="with --make-ready: why it goes ahead while records the practice wants first "
        "are still missing (recorded)",
    )
    book.add_argument(
        "--overbook",
        action="store_true",
        help="book even outside the provider's availability (recorded as an overbook)",
    )
    book.add_argument("--json", action="store_true", help="print JSON for scripts")
    book.set_defaults(handler=run_book)

    find = commands.add_parser(
        "find",
        help="the next free slots",
        description="The next free slots for an appointment type, earliest first. JSON items "
        "carry provider, location, start and end (ISO 8601 with offset), usable as-is by book.",
    )
    find.add_argument("--type", required=True, metavar="TYPE", help="appointment type: id or name")
    find.add_argument("--provider", metavar="PROVIDER", help="id or name (default: any)")
    find.add_argument("--location", metavar="LOCATION", help="id or name (default: any)")
    find.add_argument(
        "--after", type=moment, metavar="ISO-DATETIME", help="not before this (default: now)"
    )
    find.add_argument(
        "--limit", type=slot_limit, default=10, metavar="N", help="at most N slots (default 10)"
    )
    find.add_argument("--json", action="store_true", help="print JSON for scripts")
    find.set_defaults(handler=run_find)

    listing = commands.add_parser("list", help="the appointments of one day")
    listing.add_argument("--date", required=True, type=day, metavar="YYYY-MM-DD")
    listing.add_argument("--provider", metavar="PROVIDER", help="id or name (default: all)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(handler=run_list)

    cancel = commands.add_parser("cancel", help="cancel an appointment (its time is freed)")
    cancel.add_argument("id", type=int, help="the appointment's id")
    cancel.add_argument("--reason", required=True, metavar="TEXT", help="why it is cancelled")
    cancel.add_argument(
        "--by",
        choices=[who.value for who in CancelledBy],
        default=CancelledBy.PATIENT.value,
        help="who cancelled (default: patient)",
    )
    cancel.add_argument("--json", action="store_true", help="print JSON for scripts")
    cancel.set_defaults(handler=run_cancel)


def _when(item: AppointmentData, zone: tzinfo) -> str:
    start, end = item.start.astimezone(zone), item.end.astimezone(zone)
    return f"{start:%a %Y-%m-%d %H:%M}–{end:%H:%M}"


def _describe(item: AppointmentData, zone: tzinfo) -> str:
    text = (
        f"{_when(item, zone)} {item.type_name} with {item.provider_name} at "
        f"{item.location_name} for {item.patient_name} ({item.mrn})"
    )
    return text + (" (overbook)" if item.overbooked else "")


def run_book(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        zone = practice_clock.practice_zone(context)
        form = BookingForm(
            patient_id=find_by_mrn(context, args.patient),
            provider_id=provider_id(context, args.provider),
            type_id=type_id(context, args.type),
            start=in_zone(args.start, zone),
            location_id=location_id(context, args.location) if args.location else None,
            reason=args.reason,
            request_id=args.request,
            allow_outside_availability=args.overbook,
            make_request_ready=args.make_ready,
            ready_override_reason=args.ready_reason,
        )
        try:
            booked = booking.book(context, form)
        except OutsideAvailabilityError as error:
            # The app asks; a script says so up front.
            question = _OVERBOOK_QUESTION.sub("", str(error))
            raise RefusedError(f"{question} Add --overbook to book it anyway.") from None
    if args.json:
        print_json(booked.to_json(zone))
    else:
        print(f"Booked appointment {booked.id}: {_describe(booked, zone)}")
    return 0


def run_find(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        zone = practice_clock.practice_zone(context)
        search = SlotSearch(
            type_id=type_id(context, args.type),
            provider_id=provider_id(context, args.provider) if args.provider else None,
            location_id=location_id(context, args.location) if args.location else None,
            after=in_zone(args.after, zone) if args.after else None,
            limit=args.limit,
        )
        slots = scheduling_find.find_slots(context, search)
    if args.json:
        print_json([slot.to_json(zone) for slot in slots])
        return 0
    if not slots:
        print(f"No free time in the next {search.horizon_days} days.")
        return 0
    for slot in slots:
        start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
        print(
            f"{start.isoformat()}  {start:%a}  {start:%H:%M}–{end:%H:%M}  "
            f"{slot.provider_name:<28} {slot.location_name}"
        )
    return 0


def run_list(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        zone = practice_clock.practice_zone(context)
        providers = [provider_id(context, args.provider)] if args.provider else None
        items = calendars.day_appointments(context, args.date, providers)
    if args.json:
        print_json([item.to_json(zone) for item in items])
        return 0
    if not items:
        print("No appointments.")
        return 0
    for item in items:
        start, end = item.start.astimezone(zone), item.end.astimezone(zone)
        print(
            f"{item.id:>7}  {start:%H:%M}–{end:%H:%M}  {item.status.label:<11} {item.mrn:<9} "
            f"{item.patient_name:<30} {item.type_name:<18} {item.provider_name}  "
            f"{item.location_name}"
        )
    print(counted(len(items), "appointment"))
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        zone = practice_clock.practice_zone(context)
        cancelled = status.cancel(context, args.id, by=args.by, reason=args.reason)
    if args.json:
        print_json(cancelled.to_json(zone))
    else:
        print(f"Cancelled appointment {cancelled.id}: {_describe(cancelled, zone)}")
    return 0
