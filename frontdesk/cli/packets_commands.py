"""frontdesk packets --date YYYY-MM-DD [--provider P] -o DIR [--combined] [--note-for ID=TEXT]."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from frontdesk.cli.common import Parser, UsageError, progress_printer, service_context
from frontdesk.domain.errors import NotFoundError
from frontdesk.services.handouts import packets
from frontdesk.services.handouts.packet_data import PacketOptions
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.providers import list_providers


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    command = subparsers.add_parser(
        "packets",
        help="pre-visit packets for a day's appointments (letter, what to bring, handouts), "
        "one PDF per patient or --combined; every handout is recorded in the chart",
    )
    command.add_argument("--date", required=True, type=_date, metavar="YYYY-MM-DD")
    command.add_argument(
        "--provider", metavar="PROVIDER", help="only this provider (id or name as in the app)"
    )
    command.add_argument("-o", "--output", required=True, type=Path, metavar="DIR")
    command.add_argument(
        "--combined", action="store_true", help="one PDF with every packet, for the printer"
    )
    command.add_argument(
        "--large-print",
        action="store_true",
        help="16 pt text for every packet (without it: for the patients whose chart asks)",
    )
    sided = command.add_mutually_exclusive_group()
    sided.add_argument(
        "--two-sided",
        dest="two_sided",
        action="store_true",
        default=None,
        help="with --combined: each patient starts on a new sheet (default: the practice's)",
    )
    sided.add_argument("--one-sided", dest="two_sided", action="store_false", help="no blank pages")
    command.add_argument(
        "--page-size", choices=["letter", "a4"], default=None, help="default: the practice's"
    )
    command.add_argument("--note", default="", help="a note printed in every letter")
    command.add_argument(
        "--note-for",
        dest="notes_for",
        action="append",
        default=[],
        type=_note_for,
        metavar="APPOINTMENT_ID=TEXT",
        help="a personal note printed in that appointment's letter only (repeatable; the "
        "appointment ids are in 'frontdesk appointments list')",
    )
    command.add_argument(
        "--no-summary",
        action="store_true",
        help="do not make the surgeon's history summaries of new consultations (a file of "
        "their own, never in a patient's packet)",
    )
    command.set_defaults(handler=run_packets)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _note_for(text: str) -> tuple[int, str]:
    """ "123=Please bring your walker" as (123, "Please bring your walker")."""
    key, sep, note = text.partition("=")
    if not sep or not key.strip().isdigit() or not note.strip():
        raise argparse.ArgumentTypeError(
            f"not APPOINTMENT_ID=TEXT: {text!r} (for example --note-for 123='Bring your walker')"
        )
    return int(key), note.strip()


def personal_notes(pairs: list[tuple[int, str]]) -> dict[int, str]:
    """The notes by appointment; two for one appointment is a mistake, not a merge."""
    notes: dict[int, str] = {}
    for appointment_id, note in pairs:
        if appointment_id in notes:
            raise UsageError(f"--note-for {appointment_id} is given twice: give one note")
        notes[appointment_id] = note
    return notes


def provider_id(context: ServiceContext, text: str) -> int:
    """A provider by id, or by name as the app shows it ("Adaeze Okafor, MD", "Okafor")."""
    providers = list_providers(context, include_inactive=True)
    wanted = " ".join(text.split()).casefold()
    if wanted.isdigit():
        for row in providers:
            if row.id == int(wanted):
                return row.id
    exact = [p for p in providers if p.display_name.casefold() == wanted]
    if not exact:
        exact = [
            p
            for p in providers
            if wanted in (p.last_name.casefold(), f"{p.first_name} {p.last_name}".casefold())
        ]
    if len(exact) == 1:
        return exact[0].id
    if len(exact) > 1:
        raise UsageError(f"{text!r} names more than one provider: use the id")
    raise NotFoundError(f"There is no provider {text!r}")


def run_packets(args: argparse.Namespace) -> int:
    options = PacketOptions(
        combined=args.combined,
        large_print=args.large_print,
        note=args.note,
        personal_notes=personal_notes(args.notes_for),
        page_size=args.page_size,
        include_summary=not args.no_summary,
        two_sided=args.two_sided,
    )
    with service_context(args) as context:
        providers = [provider_id(context, args.provider)] if args.provider else None
        batch = packets.build_packets(
            context, args.date, providers, options, progress=progress_printer("Packets")
        )
        if batch.empty:
            print(f"No appointments on {args.date.isoformat()}: no packets written.")
            return 0
        saved = packets.save_packets(context, batch, args.output)
    for packet in batch.packets:
        if packet.language_fallback:
            print(
                f"note: no packet in the preferred language of {packet.patient_name}; "
                "printed in English",
                file=sys.stderr,
            )
    for path in saved.files:
        print(path)
    print(saved.summary())
    return 0
