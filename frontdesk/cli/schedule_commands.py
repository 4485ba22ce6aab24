"""frontdesk schedule export-ics --provider P --from D --to D -o FILE.ics: a calendar file."""

from __future__ import annotations

import argparse
from pathlib import Path

from frontdesk.cli.appointments_commands import day, provider_id
from frontdesk.cli.common import Parser, service_context
from frontdesk.services.scheduling import schedule_export


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    group = subparsers.add_parser("schedule", help="a provider's schedule for other programs")
    commands = group.add_subparsers(dest="schedule_command", required=True, parser_class=Parser)
    export = commands.add_parser(
        "export-ics",
        help="export a provider's appointments as an iCalendar (.ics) file",
        description="One event per appointment from --from to --to (inclusive), which a "
        "calendar program imports; importing again updates the same events. Events show the "
        "appointment type and the patient's initials unless the practice setting for full "
        "names is on. Recorded in the audit trail as an export.",
    )
    export.add_argument("--provider", required=True, metavar="PROVIDER", help="id or name")
    export.add_argument("--from", dest="first_day", required=True, type=day, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="last_day", required=True, type=day, metavar="YYYY-MM-DD")
    export.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FILE.ics", help="where to save it"
    )
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        result = schedule_export.export_ics(
            context,
            provider_id(context, args.provider),
            args.first_day,
            args.last_day,
            args.output,
        )
    print(result.summary())
    print(
        "Events show full patient names (practice setting)."
        if result.full_names
        else "Events show the appointment type and the patient's initials only."
    )
    return 0
