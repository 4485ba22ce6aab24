"""frontdesk patients search TEXT | patients show MRN: the same search and chart as the app."""

from __future__ import annotations

import argparse

from frontdesk.cli.common import Parser, print_json, service_context
from frontdesk.domain.contact import format_phone
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.search_query import QueryKind
from frontdesk.services.kernel.clock import STAMP, clock_text, today_in
from frontdesk.services.patients import search as patient_search
from frontdesk.services.patients.forms import PatientSummary
from frontdesk.services.patients.lookup import find_by_mrn, get_patient

MAX_LIMIT = 10_000


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from error
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_LIMIT:,}")
    return value


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    group = subparsers.add_parser("patients", help="find patients and show their charts")
    commands = group.add_subparsers(dest="patients_command", required=True, parser_class=Parser)
    search = commands.add_parser(
        "search",
        help="find patients by name, date of birth, phone or MRN",
        description='Name words in any order and prefix ("garc mar"), a date of birth '
        "(3/4/1961, 1961-03-04), a phone number or its last 4+ digits, or an MRN.",
    )
    search.add_argument("text", help="what to look for (quote it if it has spaces)")
    search.add_argument(
        "--limit", type=_limit, default=50, metavar="N", help="at most N results (default 50)"
    )
    search.add_argument("--json", action="store_true", help="print JSON for scripts")
    search.set_defaults(handler=run_search)
    show = commands.add_parser("show", help="show a patient's chart (recorded as a chart view)")
    show.add_argument("mrn", help="the medical record number, e.g. M0001234")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(handler=run_show)


def run_search(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        items: list[PatientSummary] = []
        cursor: str | None = None
        # Pages of at most 500; the CLI gathers them up to --limit.
        while len(items) < args.limit:
            page = patient_search.search(
                context, args.text, limit=min(args.limit - len(items), 500), cursor=cursor
            )
            if page.kind is QueryKind.INVALID:
                raise ValidationError({"text": page.interpretation})
            items.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
    if args.json:
        print_json([item.to_json() for item in items])
        return 0
    if not items:
        print("No patient found")
        return 0
    for item in items:
        print(
            f"{item.mrn}  {item.date_of_birth.isoformat()}  "
            f"{format_phone(item.phone):<16}  {item.display_name}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        chart = get_patient(context, find_by_mrn(context, args.mrn))
    if args.json:
        print_json(chart.to_json())
        return 0
    age = chart.age(today_in(chart.zone))
    lines = [
        f"{chart.display_name}  ({chart.mrn})",
        f"Born {chart.date_of_birth.isoformat()}, age {age}, {chart.sex}",
    ]
    if chart.merged_into_mrn:
        lines.append(f"Merged into chart {chart.merged_into_mrn}")
    if chart.preferred_name:
        lines.append(f"Preferred name: {chart.preferred_name}")
    for label, value in (
        ("Mobile", format_phone(chart.mobile_phone)),
        ("Home", format_phone(chart.home_phone)),
        ("Work", format_phone(chart.work_phone)),
        ("E-mail", chart.email),
        (
            "Address",
            ", ".join(
                part
                for part in (
                    chart.address_line1,
                    chart.address_line2,
                    f"{chart.city} {chart.state} {chart.postal_code}".strip(),
                )
                if part
            ),
        ),
        (
            "Language",
            f"{chart.preferred_language}"
            + (" (interpreter needed)" if chart.interpreter_needed else ""),
        ),
        ("Print size", "large print (16 pt)" if chart.large_print else ""),
        ("Insurance", f"{chart.insurance_payer} {chart.insurance_plan}".strip()),
        ("Member id", chart.insurance_member_id),
        ("Primary care", chart.primary_care_name),
        ("Referred by", chart.referring_name),
        ("Emergency contact", chart.emergency_contact_name),
        ("Notes", chart.notes),
    ):
        if value:
            lines.append(f"{label}: {value}")
    lines.append(
        f"Last changed {clock_text(chart.updated_at, chart.zone, STAMP)} by {chart.updated_by}"
    )
    print("\n".join(lines))
    return 0
