"""Exporting every patient chart to a spreadsheet-safe CSV file, recorded as a disclosure.

UTF-8 (with a BOM, so spreadsheets pick the right encoding), one header row naming every
field, one row per chart including merged ones (marked), and cells a spreadsheet would run as
a formula (=, +, -, @, tab, CR) neutralized with a leading apostrophe. The headers are the
import's field labels, so an export imports back without changing the mapping.

The audit entry ("export", with the row count and file name, never the content) is committed
before the first row is written, so no file exists unrecorded, even one from an export killed
half-way. The file is written beside its destination under a private temporary name and moved
into place at the end: a cancelled or failed export leaves no file and a second entry
("export_abandoned"); one killed outright leaves a partial file that the next start removes.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.domain.contact import format_phone
from frontdesk.domain.csv_safety import neutralize_row
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.progress import ProgressCallback, no_progress, report_or_cancel
from frontdesk.private_files import scratch_file
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext

log = logging.getLogger(__name__)

PATIENTS = Patient.__table__
BATCH = 2_000
MAX_FILE_NAME_LENGTH = 120
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{number}" for number in range(1, 10)}
    | {f"lpt{number}" for number in range(1, 10)}
)
_UNSAFE_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _moment(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


@dataclass(frozen=True)
class _Column:
    header: str
    value: Callable[[Any, _Lookup], str]


class _Lookup:
    """What a row needs from elsewhere: physicians' names and NPIs, merged-into MRNs."""

    def __init__(self, session: Session) -> None:
        self.referrers: dict[int, tuple[str, str]] = {}
        for row in session.execute(
            select(
                Referrer.id,
                Referrer.first_name,
                Referrer.last_name,
                Referrer.credentials,
                Referrer.npi,
            )
        ):
            name = f"{row.first_name} {row.last_name}".strip()
            if row.credentials:
                name = f"{name}, {row.credentials}"
            self.referrers[row.id] = (name, row.npi or "")
        self.merged_mrns: dict[int, str] = {}

    def referrer(self, referrer_id: int | None, part: int) -> str:
        if referrer_id is None or referrer_id not in self.referrers:
            return ""
        return self.referrers[referrer_id][part]


def _text(name: str) -> Callable[[Any, _Lookup], str]:
    return lambda row, _lookup: str(getattr(row, name) or "")


def _phone(name: str) -> Callable[[Any, _Lookup], str]:
    return lambda row, _lookup: format_phone(getattr(row, name) or "")


COLUMNS: tuple[_Column, ...] = (
    _Column("MRN", _text("mrn")),
    _Column("First name", _text("first_name")),
    _Column("Middle name", _text("middle_name")),
    _Column("Last name", _text("last_name")),
    _Column("Preferred name", _text("preferred_name")),
    _Column("Date of birth", lambda row, _l: _day(row.date_of_birth)),
    _Column("Sex", _text("sex")),
    _Column("Mobile phone", _phone("mobile_phone")),
    _Column("Home phone", _phone("home_phone")),
    _Column("Work phone", _phone("work_phone")),
    _Column("E-mail", _text("email")),
    _Column("Address line 1", _text("address_line1")),
    _Column("Address line 2", _text("address_line2")),
    _Column("City", _text("city")),
    _Column("State", _text("state")),
    _Column("Postal code", _text("postal_code")),
    _Column("Country", _text("country")),
    _Column("Preferred language", _text("preferred_language")),
    _Column("Interpreter needed", lambda row, _l: _yes_no(row.interpreter_needed)),
    _Column("Large print", lambda row, _l: _yes_no(row.large_print)),
    _Column("Preferred contact method", _text("preferred_contact")),
    _Column("Insurance payer", _text("insurance_payer")),
    _Column("Insurance plan", _text("insurance_plan")),
    _Column("Insurance member ID", _text("insurance_member_id")),
    _Column("Insurance group number", _text("insurance_group_number")),
    _Column("Subscriber name", _text("subscriber_name")),
    _Column("Subscriber relationship", _text("subscriber_relationship")),
    _Column("Subscriber date of birth", lambda row, _l: _day(row.subscriber_date_of_birth)),
    _Column("Primary care physician", lambda row, lookup: lookup.referrer(row.primary_care_id, 0)),
    _Column(
        "Primary care physician NPI", lambda row, lookup: lookup.referrer(row.primary_care_id, 1)
    ),
    _Column("Referring physician", lambda row, lookup: lookup.referrer(row.referring_id, 0)),
    _Column("Referring physician NPI", lambda row, lookup: lookup.referrer(row.referring_id, 1)),
    _Column("Emergency contact name", _text("emergency_contact_name")),
    _Column("Emergency contact relationship", _text("emergency_contact_relationship")),
    _Column("Emergency contact phone", _phone("emergency_contact_phone")),
    _Column("Notes", _text("notes")),
    _Column(
        "Merged into MRN",
        lambda row, lookup: (
            lookup.merged_mrns.get(row.merged_into_id, "") if row.merged_into_id is not None else ""
        ),
    ),
    _Column("Created at", lambda row, _l: _moment(row.created_at)),
    _Column("Created by", _text("created_by")),
    _Column("Updated at", lambda row, _l: _moment(row.updated_at)),
    _Column("Updated by", _text("updated_by")),
)
HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int

    def summary(self) -> str:
        return f"Exported {counted(self.rows, 'patient')} to {self.path}."


def default_export_name(today: date) -> str:
    """The file name offered for an export on ``today`` (the practice's day, see
    ``clock.today``): patients-2025-06-02.csv."""
    return f"patients-{today.isoformat()}.csv"


def sanitize_file_name(name: str, today: date) -> str:
    """A file name safe on Windows, macOS and Linux, ending in .csv.

    Path separators, characters Windows forbids, control characters, trailing dots and
    spaces and reserved device names (CON, NUL...) are removed or replaced; an empty result
    becomes the default export name on ``today``.
    """
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE_CHARACTERS.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    if suffix.lower() != "csv":
        stem, suffix = name, "csv"
    stem = stem.strip(" .")
    if not stem or set(stem) <= {"_"}:
        return default_export_name(today)
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    stem = stem[: MAX_FILE_NAME_LENGTH - 4].rstrip(" .")
    return f"{stem}.{suffix.lower()}"


def export_destination(path: Path | str, today: date) -> Path:
    """Where an export goes: the folder as given, the file name sanitized."""
    path = Path(path)
    return path.with_name(sanitize_file_name(path.name, today))


def _rows(session: Session, lookup: _Lookup) -> Iterator[Any]:
    """Every chart in MRN order, a batch at a time (a million charts never sit in memory)."""
    after = 0
    while True:
        batch = session.execute(
            select(PATIENTS).where(PATIENTS.c.id > after).order_by(PATIENTS.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        merged = {row.merged_into_id for row in batch if row.merged_into_id is not None}
        missing = merged - lookup.merged_mrns.keys()
        if missing:
            for chart_id, mrn in session.execute(
                select(PATIENTS.c.id, PATIENTS.c.mrn).where(PATIENTS.c.id.in_(missing))
            ):
                lookup.merged_mrns[chart_id] = mrn
        yield from batch
        after = batch[-1].id


def write_csv(session: Session, handle: TextIO, progress: ProgressCallback = no_progress) -> int:
    """Write every chart to ``handle``; returns the number of rows."""
    total = _count(session)
    lookup = _Lookup(session)
    writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(HEADERS)
    written = 0
    report_or_cancel(progress, 0, total)
    for row in _rows(session, lookup):
        writer.writerow(neutralize_row(column.value(row, lookup) for column in COLUMNS))
        written += 1
        if written % BATCH == 0:
            report_or_cancel(progress, written, max(total, written))
    report_or_cancel(progress, written, max(total, written))
    return written


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PATIENTS)) or 0)


def _record_abandoned(context: ServiceContext, destination: Path, outcome: str) -> None:
    # Best effort: the disclosure itself is already recorded, and the original error matters more.
    with contextlib.suppress(Exception), context.writing(Permission.IMPORT_EXPORT) as uow:
        uow.record(
            "export_abandoned", "patients", details={"file": destination.name, "outcome": outcome}
        )
        uow.commit()


def export_patients(
    context: ServiceContext,
    path: Path | str,
    *,
    overwrite: bool = False,
    progress: ProgressCallback = no_progress,
) -> ExportResult:
    """Export every chart to ``path`` (its file name sanitized); Admin only.

    The export is a disclosure of every patient's data: it is recorded in the audit trail
    with the number of rows and the file name before the first row is written. Refuses to
    replace an existing file unless ``overwrite``. Cancelling through ``progress`` leaves no
    file, and a second record saying the export was abandoned.
    """
    context.require(Permission.IMPORT_EXPORT)
    destination = export_destination(path, practice_clock.today(context))
    folder = destination.parent
    if not folder.is_dir():
        raise ValidationError({"path": f"there is no folder {folder}"})
    if destination.exists() and not overwrite:
        raise ValidationError(
            {"path": f"{destination} already exists; choose another name or replace it"}
        )
    if not os.access(folder, os.W_OK):
        raise ValidationError({"path": f"cannot write in {folder} (permission denied)"})
    with context.reading(Permission.IMPORT_EXPORT) as session:
        planned = _count(session)
    # The disclosure is recorded before the first row leaves the database, so an export that
    # is killed half-way is on the record too (its partial file is removed at the next start).
    with context.writing(Permission.IMPORT_EXPORT) as uow:
        uow.record(
            "export",
            "patients",
            details={"rows": planned, "file": destination.name, "format": "csv"},
        )
        uow.commit()
    try:
        with (
            scratch_file(destination, prefix=".export-") as temporary,
            open(temporary, "w", encoding="utf-8-sig", newline="") as handle,
        ):
            with context.reading(Permission.IMPORT_EXPORT) as session:
                rows = write_csv(session, handle, progress)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        _record_abandoned(context, destination, f"not written: {error.strerror or error}")
        raise ValidationError(
            {"path": f"cannot write in {folder} ({error.strerror or error})"}
        ) from None
    except BaseException:
        _record_abandoned(context, destination, "cancelled; the partial file was removed")
        raise
    # Counts only: the file name may say whose data it is.
    log.info("patient export: %d charts written", rows)
    return ExportResult(destination, rows)
