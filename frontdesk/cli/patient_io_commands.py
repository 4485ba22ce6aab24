"""`frontdesk patients import FILE.csv [--dry-run] [--map COLUMN=FIELD]` and `patients export`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frontdesk.cli.common import Parser, UsageError, print_json, progress_printer, service_context
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.plurals import counted
from frontdesk.services.patients import patient_export
from frontdesk.services.patients.import_mapping import (
    IMPORT_FIELDS,
    REQUIRED,
    check_mapping,
    column_letter,
    column_name,
    mapping_with_overrides,
)
from frontdesk.services.patients.import_preview import ImportPreview, preview_import
from frontdesk.services.patients.import_reading import ENCODINGS, CsvTable, read_csv_file
from frontdesk.services.patients.import_write import ImportResult, import_patients

IMPORT_HELP = """\
Columns are recognized by their header ("DOB", "Date of Birth", "Surname", "Cell",
"E-mail", "MRN" ...). Check what was recognized with --dry-run, and fix it with
--map "COLUMN=FIELD" (COLUMN is a header, a column number from 1 or a letter; FIELD is
one of the names below, or "ignore"). MRNs are always new; an old chart number (MRN,
Chart #, Patient ID) is kept in the notes. Rows with errors and possible duplicates are
listed by line (the header is line 1) and not imported; --import-duplicates imports the
possible duplicates too. Everything is imported in one transaction, or nothing.

fields:
"""


def _field_list() -> str:
    return "\n".join(f"  {item.name:<32} {item.label}" for item in IMPORT_FIELDS)


def _pair(text: str) -> tuple[str, str]:
    column, equals, field = text.rpartition("=")
    if not equals or not column.strip():
        raise argparse.ArgumentTypeError("write COLUMN=FIELD, for example 'Born on=date_of_birth'")
    return column.strip(), field.strip()


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[Parser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("the patients command has no subcommands")


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    """Add import and export to the `patients` command (registered before this module)."""
    patients_parser = subparsers.choices.get("patients")
    if patients_parser is None:
        raise RuntimeError("register patients_commands before patient_io_commands")
    commands = _subcommands(patients_parser)
    importing = commands.add_parser(
        "import",
        help="import patients from a CSV file (check it first with --dry-run)",
        description=IMPORT_HELP + _field_list(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importing.add_argument("file", type=Path, help="the CSV file")
    importing.add_argument(
        "--dry-run", action="store_true", help="check the file and list its problems; write nothing"
    )
    importing.add_argument(
        "--map",
        action="append",
        type=_pair,
        default=[],
        metavar="COLUMN=FIELD",
        help="read COLUMN as FIELD (repeatable), e.g. --map 'Born on=date_of_birth'",
    )
    importing.add_argument(
        "--encoding",
        choices=ENCODINGS,
        default="auto",
        help="the file's encoding (auto: UTF-8, else Windows-1252 with a warning)",
    )
    importing.add_argument(
        "--import-duplicates",
        action="store_true",
        help="also import the rows that may be patients who already have a chart",
    )
    importing.add_argument("--json", action="store_true", help="print the report as JSON")
    importing.set_defaults(handler=run_import)
    exporting = commands.add_parser(
        "export",
        help="export every patient chart to a CSV file (recorded in the audit trail)",
        description="UTF-8, one header row, every field; cells a spreadsheet would run as a "
        "formula are neutralized with a leading apostrophe. The export is recorded in the "
        "audit trail as a disclosure (row count and file name).",
    )
    exporting.add_argument("file", type=Path, help="the CSV file to write")
    exporting.add_argument("--overwrite", action="store_true", help="replace an existing file")
    exporting.add_argument("--json", action="store_true", help="print the result as JSON")
    exporting.set_defaults(handler=run_export)


def _mapping(table: CsvTable, overrides: list[tuple[str, str]]) -> tuple[str, ...]:
    try:
        mapping = mapping_with_overrides(table.headers, overrides)
    except ValidationError as error:
        raise UsageError(f"--map: {error}") from None
    problems = check_mapping(table.headers, mapping)
    if problems:
        columns = ", ".join(f'"{column_name(table.headers, i)}"' for i in range(len(table.headers)))
        missing = [name for name in REQUIRED if name in problems]
        hint = f"; say which column holds it with --map 'COLUMN={missing[0]}'" if missing else ""
        raise ValidationError(
            problems,
            f"{table.file_name}: {'; '.join(problems.values())}{hint} (the columns are {columns})",
        )
    return mapping


def run_import(args: argparse.Namespace) -> int:
    # The file is read and checked before the database is opened: a bad file costs nothing.
    table = read_csv_file(args.file, encoding=args.encoding)
    mapping = _mapping(table, args.map)
    if table.notice:
        print(f"frontdesk: warning: {table.notice}", file=sys.stderr)
    with service_context(args) as context:
        preview = preview_import(
            context, table, mapping, progress=progress_printer("Checking rows")
        )
        result = None
        if not args.dry_run:
            result = import_patients(
                context,
                preview,
                include_duplicates=args.import_duplicates,
                progress=progress_printer("Importing"),
            )
    if args.json:
        print_json(
            {
                "dry_run": bool(args.dry_run),
                **preview.to_json(),
                "result": result.to_json() if result is not None else None,
            }
        )
        return 0
    _print_report(preview, result, dry_run=args.dry_run, include=args.import_duplicates)
    return 0


def _print_report(
    preview: ImportPreview, result: ImportResult | None, *, dry_run: bool, include: bool
) -> None:
    lines = [f"{preview.file_name} ({preview.encoding})", "Columns:"]
    for index, name in enumerate(preview.mapping):
        target = name if name else "(not imported)"
        lines.append(
            f'  {column_letter(index):>2} "{column_name(preview.headers, index)}" -> {target}'
        )
    if preview.notice:
        lines.append(f"Note: {preview.notice}")
    if preview.problems:
        lines.append("Problems by line (the header is line 1):")
        lines.extend(
            f"  {problem.describe()}  [{problem.kind.label}]" for problem in preview.problems
        )
    else:
        lines.append("No problems found.")
    lines.append(preview.summary() + ".")
    if result is None:
        count = preview.to_import(include_duplicates=include)
        lines.append(
            f"Dry run: nothing was written. Without --dry-run, {counted(count, 'patient')} "
            "would be imported."
        )
    else:
        lines.append(result.summary())
    print("\n".join(lines))


def run_export(args: argparse.Namespace) -> int:
    wanted = Path(args.file)
    with service_context(args) as context:
        result = patient_export.export_patients(
            context, wanted, overwrite=args.overwrite, progress=progress_printer("Exporting")
        )
    if args.json:
        print_json({"file": str(result.path), "rows": result.rows})
        return 0
    if result.path.name != wanted.name:
        print(f"frontdesk: note: the file name was made safe: {result.path.name}", file=sys.stderr)
    print(result.summary())
    return 0
