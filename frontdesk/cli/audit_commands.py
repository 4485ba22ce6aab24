"""frontdesk audit verify | checkpoint | list | report: check the hash chain (against a
signed checkpoint too), write a checkpoint, read and export the trail, a chart's access report."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from frontdesk.cli.common import Parser, UsageError, print_json, progress_printer, service_context
from frontdesk.domain.plurals import counted
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.platform import access_report, audit_checkpoint, audit_trail
from frontdesk.services.platform.audit_trail import AuditEntryData, AuditFilter


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    command = subparsers.add_parser("audit", help="the audit trail (admins only)")
    sub = command.add_subparsers(dest="audit_command", required=True, parser_class=Parser)

    verify = sub.add_parser(
        "verify",
        help="check the whole hash chain: exit 0 when intact, 1 naming the first bad entry",
    )
    verify.add_argument(
        "--checkpoint",
        metavar="FILE",
        type=Path,
        help="also check that the trail still matches this signed checkpoint (catches a "
        "chain rewritten by someone who can edit the database)",
    )
    verify.set_defaults(handler=run_verify)

    checkpoint = sub.add_parser(
        "checkpoint",
        help="write the trail's head, signed by this workstation, to a file to keep elsewhere",
    )
    checkpoint.add_argument(
        "-o", "--output", metavar="FILE", type=Path, required=True, help="the file to write"
    )
    checkpoint.set_defaults(handler=run_checkpoint)

    listing = sub.add_parser("list", help="entries, newest first")
    listing.add_argument("--patient", metavar="MRN-OR-ID", help="one patient's chart")
    # dest differs from the global --user (who is acting): this one filters.
    listing.add_argument("--user", dest="filter_user", metavar="NAME", help="entries by NAME")
    listing.add_argument("--action", help="e.g. view, create, update, sign_in_failed")
    listing.add_argument("--entity", help="table, e.g. patients, users")
    listing.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="from this day on")
    listing.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="up to this day")
    listing.add_argument("--limit", type=int, default=100, help="at most this many (100)")
    output = listing.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="machine-readable output")
    output.add_argument(
        "--csv", action="store_true", help="all matching entries as spreadsheet-safe CSV"
    )
    listing.set_defaults(handler=run_list)

    report = sub.add_parser(
        "report",
        help="a patient's access report (who opened or changed the chart) as a PDF",
        description="Every audit entry of one chart, newest first, with each person's counts, "
        "on the letterhead, in the practice's time zone. Saving it is recorded in the audit "
        "trail as a print of the access report.",
    )
    report.add_argument("mrn", metavar="MRN-OR-ID", help="the patient's MRN, e.g. M0001234")
    report.add_argument(
        "-o", "--output", required=True, type=Path, metavar="FILE.pdf", help="where to save it"
    )
    report.set_defaults(handler=run_report)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-03-31") from None


def practice_midnight(day: date, zone: tzinfo) -> datetime:
    """The start of ``day`` on the practice's wall clock (--since and --until are the
    practice's days, as the access report's times are its clock)."""
    return datetime.combine(day, time(), tzinfo=zone)


def run_verify(args: argparse.Namespace) -> int:
    report: audit_trail.ChainReport | audit_checkpoint.CheckpointReport
    if args.checkpoint is not None:
        # Read first: a file that is missing, unsigned or altered is bad input (exit 2)
        # before the database is even opened.
        audit_checkpoint.read_checkpoint(args.checkpoint)
    with service_context(args) as context:
        progress = progress_printer("Checking the audit trail")
        if args.checkpoint is not None:
            report = audit_checkpoint.verify_against_checkpoint(context, args.checkpoint, progress)
        else:
            report = audit_trail.verify_chain(context, progress)
    if report.intact:
        print(report.describe())
        return 0
    print(f"frontdesk: {report.describe()}", file=sys.stderr)
    return 1


def run_checkpoint(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        saved = audit_checkpoint.write_checkpoint(context, args.output)
    checkpoint = saved.checkpoint
    print(
        f"Checkpoint written to {saved.path}: {checkpoint.entries:,} entries, up to "
        f"#{checkpoint.last_entry_id}, signed by this workstation's key "
        f"({checkpoint.key_fingerprint}). Keep it away from this computer and the server "
        "(a USB stick, an e-mail to the practice's owner)."
    )
    return 0


def _as_json(entry: AuditEntryData) -> dict[str, object]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "username": entry.username,
        "workstation": entry.workstation,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "patient_id": entry.patient_id,
        "details": entry.details,
    }


def _as_line(entry: AuditEntryData, zone: tzinfo) -> str:
    # The practice's clock with its zone's name, as the access report prints it: the
    # computer running the command may be set to another zone (a server, a laptop away).
    local = entry.at.astimezone(zone)
    when = f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".rstrip()
    patient = f"  patient {entry.patient_id}" if entry.patient_id is not None else ""
    return f"#{entry.id}  {when}  {entry.username}  {entry.action}  {entry.record}{patient}"


def run_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with service_context(args) as context:
        zone = practice_clock.practice_zone(context)
        where = AuditFilter(
            username=args.filter_user,
            patient_id=(
                audit_trail.resolve_patient(context, args.patient) if args.patient else None
            ),
            action=args.action,
            entity=args.entity,
            since=practice_midnight(args.since, zone) if args.since else None,
            until=practice_midnight(args.until + timedelta(days=1), zone) if args.until else None,
        )
        if args.csv:
            audit_trail.export_csv(context, where, sys.stdout)
            return 0
        page = audit_trail.list_entries(context, where, limit=args.limit)
    if args.json:
        print_json([_as_json(entry) for entry in page.entries])
        return 0
    if not page.entries:
        print("No audit entries match")
    for entry in page.entries:
        print(_as_line(entry, zone))
    if page.next_cursor is not None:
        print(f"(showing the newest {args.limit}; use --limit for more)", file=sys.stderr)
    return 0


def run_report(args: argparse.Namespace) -> int:
    folder = args.output.parent if str(args.output.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot save {args.output}: there is no folder {folder}")
    if args.output.is_dir():
        raise UsageError(f"cannot save {args.output}: it is a folder; give a file name")
    with service_context(args) as context:
        patient_id = audit_trail.resolve_patient(context, args.mrn)
        count = access_report.save_access_report(context, patient_id, args.output)
    print(
        f"Saved the access report ({counted(count, 'entry', 'entries')}) to "
        f"{args.output}. Saving it is recorded in the audit trail."
    )
    return 0
