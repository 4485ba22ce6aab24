"""frontdesk requests list [--state STATE] [--json] | letter ID -o DIR: consultation requests
for scripts, and their records-request letters."""

from __future__ import annotations

import argparse
from pathlib import Path

from frontdesk.cli.common import Parser, UsageError, print_json, service_context
from frontdesk.domain.plurals import counted
from frontdesk.domain.request_states import RequestState
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.requests import letters, work_queue
from frontdesk.services.requests.data import QueueFilter, QueueRow

STATE_WORDS = ", ".join(state.value for state in RequestState)


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    group = subparsers.add_parser("requests", help="consultation requests (the work queue)")
    commands = group.add_subparsers(dest="requests_command", required=True, parser_class=Parser)
    listing = commands.add_parser(
        "list",
        help="list requests, urgent first then oldest",
        description="Every request (or those in one state) in the work queue's order: "
        "urgent first, then oldest.",
    )
    listing.add_argument(
        "--state", metavar="STATE", help=f"only requests in this state ({STATE_WORDS}, or open)"
    )
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(handler=run_list)
    letter = commands.add_parser(
        "letter",
        help="records-request letters for a request, one per holder of the missing records",
        description="One letter per hospital, imaging centre or office holding records the "
        "request still misses, each asking for those records by date, procedure, levels and "
        "surgeon (or study), saved as a PDF in DIR. Each letter is recorded in the audit "
        "trail as printed, and its records are marked requested today.",
    )
    letter.add_argument("request_id", type=_request_id, metavar="ID", help="the request's id")
    letter.add_argument(
        "-o", "--output", required=True, type=Path, metavar="DIR", help="the folder to save in"
    )
    letter.set_defaults(handler=run_letter)


def _request_id(text: str) -> int:
    try:
        value = int(text.strip().lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a request id like 12") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a request id like 12")
    return value


def _filters(state: str | None) -> QueueFilter:
    if state is None:
        return QueueFilter()
    word = state.strip().lower().replace(" ", "_").replace("-", "_")
    if word == "open":
        return QueueFilter(open_only=True)
    try:
        return QueueFilter(state=RequestState(word))
    except ValueError:
        raise UsageError(f"unknown state {state!r} (use one of: {STATE_WORDS}, open)") from None


def run_list(args: argparse.Namespace) -> int:
    filters = _filters(args.state)
    rows: list[QueueRow] = []
    with service_context(args) as context:
        cursor: str | None = None
        while True:
            page = work_queue.queue(context, filters, limit=work_queue.MAX_PAGE_SIZE, cursor=cursor)
            rows.extend(page.rows)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        zone = practice_clock.practice_zone(context)
    if args.json:
        print_json([row.to_json() for row in rows])
        return 0
    if not rows:
        print("No requests.")
        return 0
    for row in rows:
        flag = " OVERDUE" if row.overdue else ""
        print(
            f"{row.id:>7}  {practice_clock.clock_text(row.received_at, zone, '%Y-%m-%d')}  "
            f"{row.urgency.label:<7} "
            f"{row.state.label:<17} {row.mrn:<9} {row.patient_name:<30} "
            f"{row.category.label}{flag}"
        )
    print(counted(len(rows), "request"))
    return 0


def run_letter(args: argparse.Namespace) -> int:
    if not args.output.is_dir():
        raise UsageError(f"there is no folder {args.output} (give the folder to save in)")
    with service_context(args) as context:
        saved = letters.save_letters(context, args.request_id, args.output)
    for path, result in saved:
        count = len(result.items)
        print(f"{path}: to {result.addressee} ({counted(count, 'record')})")
    print(
        f"{counted(len(saved), 'letter')} saved; each is recorded in the "
        "audit trail and its records are marked requested."
    )
    return 0
