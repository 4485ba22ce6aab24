"""frontdesk schedule export-ics --provider P --from D --to D -o FILE.ics: a calendar file;
frontdesk schedule day-sheet --date D [--provider P] -o FILE.pdf: the day sheet."""

from __future__ import annotations

import argparse
from pathlib import Path

from frontdesk.cli.appointments_commands import day, provider_id
from frontdesk.cli.common import Parser, UsageError, service_context
from frontdesk.domain.plurals import counted
from frontdesk.services.scheduling import day_sheet, schedule_export


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
    sheet = commands.add_parser(
        "day-sheet",
        help="save the day sheet (one provider's day, or everyone's) as a PDF",
        description="The day's appointments with each patient's date of birth, phone, "
        "language or interpreter need, visit reason and whether the imaging and records are "
        "in; a section per provider. Saving it is recorded in each listed chart's audit "
        "trail, as a print from the app is.",
    )
    sheet.add_argument("--date", dest="day", required=True, type=day, metavar="YYYY-MM-DD")
    sheet.add_argument(
        "--provider",
        action="append",
        metavar="PROVIDER",
        help="id or name; repeat for several (default: every provider with appointments)",
    )
    sheet.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FILE.pdf", help="where to save it"
    )
    sheet.set_defaults(handler=run_day_sheet)


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


def run_day_sheet(args: argparse.Namespace) -> int:
    folder = args.output.parent if str(args.output.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot save {args.output}: there is no folder {folder}")
    if args.output.is_dir():
        raise UsageError(f"cannot save {args.output}: it is a folder; give a file name")
    with service_context(args) as context:
        providers = (
            [provider_id(context, text) for text in args.provider] if args.provider else None
        )
        saved = day_sheet.save_day_sheet(context, args.day, providers, args.output)
    count = saved.data.appointment_count
    print(
        f"Saved the day sheet for {args.day:%A} {args.day.isoformat()} "
        f"({counted(count, 'appointment')}) to {args.output}. "
        "Saving it is recorded in each chart's audit trail."
    )
    return 0
