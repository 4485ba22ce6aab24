"""frontdesk inbox import|list|file|discard: the inbox of arrived faxes, scans and e-mails."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from frontdesk.cli.common import Parser, print_json, service_context
from frontdesk.domain.document_reading import DocumentKind
from frontdesk.services.inbox import arrivals, filing, listing, mailbox, reading, sources
from frontdesk.services.inbox.folders import FolderWatch
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.patients.lookup import find_by_mrn

_KINDS = [kind.value for kind in DocumentKind]


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    group = subparsers.add_parser(
        "inbox", help="arrived faxes, scans and e-mailed records: import, list, file, discard"
    )
    commands = group.add_subparsers(dest="inbox_command", required=True, parser_class=Parser)
    take = commands.add_parser(
        "import",
        help="put files in the inbox and read them (PDF, TIFF, PNG, JPEG)",
        description="Each file is checked, stored once (the same file twice is one document) "
        "and read: its text layer, or OCR for scanned pages when Tesseract is installed. "
        "Exit 2 when any file was refused (the others are still imported).",
    )
    take.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files to import")
    take.add_argument("--json", action="store_true", help="print JSON for scripts")
    take.set_defaults(handler=run_import)
    show = commands.add_parser(
        "list", help="the unfiled documents, oldest first, with what each is suggested to be"
    )
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(handler=run_list)
    put = commands.add_parser(
        "file",
        help="file a document to a patient: a request, a surgery, an imaging study or the chart",
        description="With --request it becomes the request's referral letter or ticks the "
        "checklist record of its kind; with --surgery the surgery's operative report; with "
        "--study the study's report; with none of them another document of the chart.",
    )
    put.add_argument("id", type=int, help="the inbox document's id (from inbox list)")
    put.add_argument("--patient", required=True, metavar="MRN", help="whose it is")
    put.add_argument("--as", dest="kind", required=True, choices=_KINDS, help="what it is")
    where = put.add_mutually_exclusive_group()
    where.add_argument("--request", type=int, metavar="ID", help="a consultation request")
    where.add_argument("--surgery", type=int, metavar="ID", help="a prior surgery")
    where.add_argument("--study", type=int, metavar="ID", help="an imaging study")
    put.set_defaults(handler=run_file)
    fetch = commands.add_parser(
        "fetch",
        help="take in what is waiting in the watched folders and the e-fax mailbox, once",
        description="One pass over the sources set up in Admin → Inbox (for a scheduled task "
        "on a computer without the app open). Files written in the last 10 seconds wait "
        "for the next pass. The mailbox password comes from this computer's keyring or "
        "$FRONTDESK_MAIL_PASSWORD. Exit 2 when a source could not be read or a file was "
        "refused.",
    )
    fetch.add_argument("--json", action="store_true", help="print JSON for scripts")
    fetch.set_defaults(handler=run_fetch)
    drop = commands.add_parser(
        "discard", help="take a document out of the inbox (junk fax, wrong number) with a reason"
    )
    drop.add_argument("id", type=int, help="the inbox document's id")
    drop.add_argument("--reason", required=True, help="why, for the record")
    drop.set_defaults(handler=run_discard)


def run_import(args: argparse.Namespace) -> int:
    results = []
    with service_context(args) as context:
        for path in args.paths:
            arrival = arrivals.receive_file(
                context, path, source="hand", origin=f"imported by {context.actor.username}"
            )
            read = None
            if arrival.document_id is not None and arrival.outcome == "new":
                read = reading.read_document(context, arrival.document_id)
            results.append((arrival, read))
    if args.json:
        print_json(
            [
                {
                    "file": arrival.file_name,
                    "id": arrival.document_id,
                    "outcome": arrival.outcome,
                    "message": arrival.message,
                    "reading": read.reading if read else None,
                }
                for arrival, read in results
            ]
        )
    else:
        for arrival, _read in results:
            stream = sys.stderr if arrival.refused else sys.stdout
            label = f"#{arrival.document_id}" if arrival.document_id else "refused"
            print(f"{label}: {arrival.message}", file=stream)
    return 2 if any(arrival.refused for arrival, _ in results) else 0


def run_fetch(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        found = sources.configured(context)
        password = None
        if found.mailbox is not None:
            password = os.environ.get("FRONTDESK_MAIL_PASSWORD") or mailbox.stored_password(
                found.mailbox
            )
        watches = {folder: FolderWatch(folder) for folder in found.folders}
        report = sources.fetch(context, watches, found.mailbox, password)
        for arrival in report.arrivals:
            if arrival.outcome == "new" and arrival.document_id is not None:
                reading.read_document(context, arrival.document_id)
    if args.json:
        print_json(
            {
                "arrivals": [
                    {
                        "file": a.file_name,
                        "id": a.document_id,
                        "outcome": a.outcome,
                        "message": a.message,
                    }
                    for a in report.arrivals
                ],
                "problems": report.problems,
            }
        )
    else:
        for arrival in report.arrivals:
            stream = sys.stderr if arrival.refused else sys.stdout
            print(f"{arrival.outcome}: {arrival.message}", file=stream)
        for problem in report.problems:
            print(problem, file=sys.stderr)
        if not report.arrivals and not report.problems:
            print("Nothing new.")
    return 2 if report.problems or report.refused else 0


def run_list(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        rows = listing.unfiled(context)
        zone = practice_clock.practice_zone(context)
    if args.json:
        print_json(
            [
                {
                    "id": row.id,
                    "received": row.received_at.isoformat(),
                    "source": row.source,
                    "file": row.file_name,
                    "pages": row.page_count,
                    "arrivals": row.arrivals,
                    "suggested_mrn": row.suggested_mrn or None,
                    "suggested_kind": row.suggested_kind or None,
                    "score": row.suggestion_score,
                }
                for row in rows
            ]
        )
        return 0
    if not rows:
        print("The inbox is empty.")
    for row in rows:
        who = f"{row.suggested_mrn} {row.suggested_patient}" if row.suggested_mrn else "no match"
        print(
            f"#{row.id:<5} {practice_clock.clock_text(row.received_at, zone)}  {row.source:<6} "
            f"{row.page_count:>3} p  "
            f"{row.suggested_kind or 'unread':<16} {who}  ({row.file_name})"
        )
    return 0


def run_file(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        patient_id = find_by_mrn(context, args.patient)
        if args.request is not None:
            filed = filing.file_to_request(
                context, args.id, args.request, as_kind=args.kind, patient_id=patient_id
            )
        elif args.surgery is not None or args.study is not None:
            filed = filing.file_to_history(
                context,
                args.id,
                surgery_id=args.surgery,
                study_id=args.study,
                patient_id=patient_id,
            )
        else:
            filed = filing.file_to_chart(context, args.id, patient_id, as_kind=args.kind)
    print(filed.message)
    return 0


def run_discard(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        filing.discard(context, args.id, args.reason)
    print(f"Discarded inbox document #{args.id}: {args.reason}")
    return 0
