"""CSV import, step 4: writing the previewed rows in one transaction, in bulk, audited.

``import_patients`` uses the driver's bulk path (executemany on SQLite, COPY on PostgreSQL).
Cancelling rolls everything back; the audit trail gets one entry with the counts. The log
gets counts and MRNs only (no PHI).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, text

from frontdesk.db.models_patients import Patient
from frontdesk.db.types import utcnow
from frontdesk.domain.names import sort_key
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.progress import ProgressCallback, no_progress, report_or_cancel
from frontdesk.domain.search_query import format_mrn
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.chart_store import (
    adjust_term_counts,
    reserve_mrns,
    search_keys,
    term_counts,
)
from frontdesk.services.patients.import_preview import (
    _PHONES,
    PROGRESS_STEPS,
    ImportPreview,
    _Progress,
    preview_import,
)
from frontdesk.services.patients.import_reading import read_csv_file

log = logging.getLogger(__name__)


PATIENTS = Patient.__table__


# Rows per bulk write; progress and Cancel are checked between chunks.
CHUNK = 5_000


# Above this many imported rows the planner statistics are refreshed afterwards.
ANALYZE_ABOVE = 20_000


@dataclass(frozen=True)
class ImportResult:
    file_name: str
    imported: int
    first_mrn: str
    last_mrn: str
    left_out_errors: int
    left_out_duplicates: int
    duplicates_imported: int
    skipped: int
    seconds: float

    def summary(self) -> str:
        if not self.imported:
            text_value = "Nothing was imported"
        else:
            text_value = (
                f"Imported {self.imported:,} patients (MRN {self.first_mrn} to {self.last_mrn})"
                if self.imported > 1
                else f"Imported 1 patient (MRN {self.first_mrn})"
            )
        left = []
        if self.left_out_errors:
            left.append(f"{counted(self.left_out_errors, 'row')} with errors")
        if self.left_out_duplicates:
            left.append(counted(self.left_out_duplicates, "possible duplicate"))
        if self.skipped:
            left.append(counted(self.skipped, "merged chart"))
        if left:
            text_value += "; left out: " + ", ".join(left)
        return text_value + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "imported": self.imported,
            "first_mrn": self.first_mrn,
            "last_mrn": self.last_mrn,
            "left_out_errors": self.left_out_errors,
            "left_out_duplicates": self.left_out_duplicates,
            "duplicates_imported": self.duplicates_imported,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
        }


_PATIENT_COLUMNS = tuple(
    column.name for column in PATIENTS.columns if column.name not in ("merged_into_id", "merged_at")
)


_KEY_COLUMNS = ("key", "sort_key", "patient_id", "tokens")


_DATE_COLUMNS = frozenset({"date_of_birth", "subscriber_date_of_birth"})


class _BulkWriter:
    """Writes rows with the driver's fastest path inside the unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self.raw = connection.connection.driver_connection
        self.is_sqlite = connection.dialect.name == "sqlite"
        processor = PATIENTS.c.created_at.type.bind_processor(connection.dialect)
        self.timestamp: Callable[[Any], Any] = processor or (lambda value: value)

    def day(self, value: date | None) -> Any:
        # SQLite stores dates as ISO text; handing the driver text avoids its deprecated
        # implicit date adapter.
        if self.is_sqlite and value is not None:
            return value.isoformat()
        return value

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{name}"' for name in columns)
        if self.is_sqlite:
            marks = ", ".join("?" for _ in columns)
            cursor = self.raw.cursor()
            try:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            finally:
                cursor.close()
        else:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)


def _allocate_ids(connection: Connection, count: int) -> list[int]:
    if not count:
        return []
    if connection.dialect.name == "sqlite":
        # The write transaction (BEGIN IMMEDIATE) holds the database's write lock, so no
        # other workstation can take these ids meanwhile.
        first = int(connection.scalar(select(func.coalesce(func.max(PATIENTS.c.id), 0)))) + 1
        return list(range(first, first + count))
    # From the table's own sequence: charts created meanwhile at other desks get other ids.
    return list(
        connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('patients', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        ).scalars()
    )


def import_patients(
    context: ServiceContext,
    preview: ImportPreview,
    *,
    include_duplicates: bool = False,
    progress: ProgressCallback = no_progress,
) -> ImportResult:
    """Create a chart (with a new MRN) for each valid row of the preview, all or nothing.

    Possible duplicates are left out unless ``include_duplicates``. One transaction: when
    ``progress`` says Cancel, or anything fails, no chart from the file remains. The audit
    trail gets one "import" entry with the counts and the MRN range.
    """
    started = time.perf_counter()
    context.require(Permission.IMPORT_EXPORT)
    rows = [row for row in preview.rows if include_duplicates or not row.duplicate]
    report_or_cancel(progress, 0, PROGRESS_STEPS)
    first_mrn = last_mrn = ""
    if rows:
        with context.writing(Permission.IMPORT_EXPORT) as uow:
            session = uow.session
            connection = session.connection()
            writer = _BulkWriter(connection)
            ids = _allocate_ids(connection, len(rows))
            first_number = reserve_mrns(session, len(rows))
            now = writer.timestamp(utcnow())
            username = context.actor.username
            writing = _Progress(progress, 0, 980, len(rows))
            tokens: Counter[str] = Counter()
            for start in range(0, len(rows), CHUNK):
                patient_rows: list[tuple[Any, ...]] = []
                key_rows: list[tuple[Any, ...]] = []
                for offset in range(start, min(start + CHUNK, len(rows))):
                    values = rows[offset].values
                    patient_id = ids[offset]
                    sort = sort_key(
                        values["last_name"], values["first_name"], values["middle_name"]
                    )
                    record = {
                        **values,
                        "id": patient_id,
                        "mrn": format_mrn(first_number + offset),
                        "sort_key": sort,
                        "version": 1,
                        "created_at": now,
                        "created_by": username,
                        "updated_at": now,
                        "updated_by": username,
                    }
                    patient_rows.append(
                        tuple(
                            writer.day(record[name]) if name in _DATE_COLUMNS else record[name]
                            for name in _PATIENT_COLUMNS
                        )
                    )
                    keys, joined = search_keys(
                        values["first_name"],
                        values["middle_name"],
                        values["last_name"],
                        values["preferred_name"],
                        (values[name] for name in _PHONES),
                    )
                    key_rows.extend((key, sort, patient_id, joined) for key in keys)
                    tokens.update(keys)
                writer.write("patients", _PATIENT_COLUMNS, patient_rows)
                writer.write("patient_search_keys", _KEY_COLUMNS, key_rows)
                writing(start + len(patient_rows))
            # The per-term counts that steer multi-word searches, once for the whole file.
            counts: Counter[str] = Counter()
            for token, charts in tokens.items():
                for term, entries in term_counts((token,)).items():
                    counts[term] += entries * charts
            adjust_term_counts(connection, counts)
            first_mrn = format_mrn(first_number)
            last_mrn = format_mrn(first_number + len(rows) - 1)
            uow.record(
                "import",
                "patients",
                details={
                    "file": preview.file_name,
                    "format": "csv",
                    "encoding": preview.encoding,
                    "rows_in_file": preview.rows_in_file,
                    "imported": len(rows),
                    "left_out_errors": preview.error_rows,
                    "left_out_duplicates": preview.duplicate_rows if not include_duplicates else 0,
                    "duplicates_imported": preview.duplicate_rows if include_duplicates else 0,
                    "skipped": preview.skipped_rows,
                    "first_mrn": first_mrn,
                    "last_mrn": last_mrn,
                },
            )
            uow.mark_changed("patients", "patient_search_keys")
            # The last moment Cancel is honoured: after this the import is committed whole.
            report_or_cancel(progress, 990, PROGRESS_STEPS)
            uow.commit()
        if len(rows) >= ANALYZE_ABOVE:
            _refresh_statistics(context)
    progress(PROGRESS_STEPS, PROGRESS_STEPS)
    result = ImportResult(
        file_name=preview.file_name,
        imported=len(rows),
        first_mrn=first_mrn,
        last_mrn=last_mrn,
        left_out_errors=preview.error_rows,
        left_out_duplicates=0 if include_duplicates else preview.duplicate_rows,
        duplicates_imported=preview.duplicate_rows if include_duplicates else 0,
        skipped=preview.skipped_rows,
        seconds=time.perf_counter() - started,
    )
    # Counts and record numbers only: file names and rows can carry patient data.
    log.info(
        "patient import: %d charts created (%s..%s), %d rows with errors and %d possible "
        "duplicates left out, %d duplicates imported, %.1f s",
        result.imported,
        first_mrn or "-",
        last_mrn or "-",
        result.left_out_errors,
        result.left_out_duplicates,
        result.duplicates_imported,
        result.seconds,
    )
    return result


def _refresh_statistics(context: ServiceContext) -> None:
    """Planner statistics after a large import, so searches keep using the right indexes."""
    database = context.database
    with contextlib.suppress(Exception):  # statistics are an optimization, never a failure
        if database.is_sqlite:
            with database.write_engine.begin() as connection:
                connection.execute(text("ANALYZE patients"))
                connection.execute(text("ANALYZE patient_search_keys"))
                connection.execute(text("ANALYZE patient_search_counts"))
        else:
            with database.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                connection.execute(
                    text("ANALYZE patients, patient_search_keys, patient_search_counts")
                )


def import_file(
    context: ServiceContext,
    path: Path | str,
    *,
    mapping: Sequence[str] | None = None,
    encoding: str = "auto",
    dry_run: bool = False,
    include_duplicates: bool = False,
    progress: ProgressCallback = no_progress,
) -> tuple[ImportPreview, ImportResult | None]:
    """Read, preview and (unless ``dry_run``) import a file in one call (the CLI's path)."""
    table = read_csv_file(path, encoding=encoding)
    preview = preview_import(context, table, mapping, progress=progress)
    if dry_run:
        return preview, None
    return preview, import_patients(
        context, preview, include_duplicates=include_duplicates, progress=progress
    )
