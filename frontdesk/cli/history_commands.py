"""frontdesk history show MRN [--json] | history summary MRN -o FILE.pdf: a patient's history."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from frontdesk.cli.common import Parser, print_json, service_context
from frontdesk.domain.errors import RefusedError
from frontdesk.services.history.summary import get_history, surgeon_summary_pdf
from frontdesk.services.patients.lookup import find_by_mrn


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    group = subparsers.add_parser(
        "history", help="a patient's prior spine surgeries, imaging and missing records"
    )
    commands = group.add_subparsers(dest="history_command", required=True, parser_class=Parser)
    show = commands.add_parser(
        "show",
        help="show the surgeries and imaging of a patient (recorded as a chart view)",
        description="Surgeries with their levels, imaging with what has been received, "
        "and the records still missing. --json prints levels as lists such as "
        '["L4-L5", "L5-S1"].',
    )
    show.add_argument("mrn", help="the medical record number, e.g. M0001234")
    show.add_argument("--json", action="store_true", help="print JSON for scripts")
    show.set_defaults(handler=run_show)
    summary = commands.add_parser(
        "summary",
        help='print the "history summary for the surgeon" PDF',
        description="Letterhead, patient, surgeries and imaging tables and the missing-records "
        "list, as a PDF file (recorded in the audit trail).",
    )
    summary.add_argument("mrn", help="the medical record number, e.g. M0001234")
    summary.add_argument(
        "-o", "--output", required=True, metavar="FILE.pdf", type=Path, help="where to save it"
    )
    summary.set_defaults(handler=run_summary)


def _received(received: bool, on: object) -> str:
    return f"on file ({on:%m/%d/%Y})" if received and on is not None else "MISSING"


def run_show(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        patient_id = find_by_mrn(context, args.mrn)
        shown = get_history(context, patient_id, record_view=True)
    if args.json:
        print_json(shown.to_json())
        return 0
    print(f"{shown.patient_name}  ({shown.mrn})  born {shown.date_of_birth:%m/%d/%Y}")
    print(shown.summary_line)
    print()
    print("Prior spine surgeries:" if shown.surgeries else "No prior spine surgery recorded.")
    for surgery in reversed(shown.surgeries):
        when = surgery.date.display() if surgery.date else "date unknown"
        where = ", ".join(part for part in (surgery.surgeon, surgery.facility) if part)
        line = f"  {when:<18} {surgery.levels.text() or '(levels unknown)':<14} "
        line += surgery.procedure_text
        if where:
            line += f"  [{where}]"
        print(line)
        if surgery.revises_description:
            print(f"  {'':<18} revises {surgery.revises_description}")
        print(
            f"  {'':<18} operative report "
            f"{_received(surgery.report_received, surgery.report_received_on)}"
        )
    print()
    print("Imaging:" if shown.imaging else "No imaging recorded.")
    for study in reversed(shown.imaging):
        when = study.date.display() if study.date else "date unknown"
        name = f"{study.modality_text} {study.regions_text}".strip()
        print(f"  {when:<18} {name:<24} {study.facility}")
        print(
            f"  {'':<18} report {_received(study.report_received, study.report_received_on)}, "
            f"images {_received(study.images_received, study.images_received_on)}"
        )
    if shown.summary.missing:
        print()
        print("Missing records:")
        for record in shown.summary.missing:
            print(f"  - {record.text}")
    return 0


def _write_atomically(path: Path, data: bytes) -> None:
    """A half-written PDF never replaces a good one (the rename is atomic)."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=".frontdesk-", suffix=".pdf", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_summary(args: argparse.Namespace) -> int:
    folder = args.output.parent if str(args.output.parent) else Path(".")
    if not folder.is_dir():
        raise RefusedError(f"Cannot write {args.output}: the folder {folder} does not exist")
    with service_context(args) as context:
        patient_id = find_by_mrn(context, args.mrn)
        pdf = surgeon_summary_pdf(context, patient_id)
    try:
        _write_atomically(args.output, pdf)
    except OSError as error:
        raise RefusedError(f"Cannot write {args.output}: {error.strerror or error}") from None
    print(f"Saved the history summary for {args.mrn.upper()} to {args.output}")
    return 0
