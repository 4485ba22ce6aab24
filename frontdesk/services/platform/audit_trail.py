"""Reading the audit trail: verify its hash chain, filter it, a patient's access report, CSV."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Row, Select, func, select, tuple_
from sqlalchemy.orm import Session

from frontdesk.db.models import AuditEntry
from frontdesk.domain.csv_safety import neutralize_row
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.progress import (
    Cancelled,
    ProgressCallback,
    no_progress,
    report_or_cancel,
)
from frontdesk.private_files import scratch_file
from frontdesk.services.kernel.audit import GENESIS_HASH, entry_hash, hashed_fields
from frontdesk.services.kernel.context import ServiceContext

VERIFY_BATCH = 5_000
ENTRIES = AuditEntry.__table__
DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 5_000
EXPORT_BATCH = 2_000
CSV_COLUMNS = (
    "id",
    "at_utc",
    "username",
    "workstation",
    "action",
    "entity",
    "entity_id",
    "patient_id",
    "details",
    "db_login",
)
# Actions that open or change a chart, for the patient's access report.
VIEW_ACTIONS = frozenset({"view", "open", "print", "export"})


# ---------------------------------------------------------------------------------------------
# Plain data


@dataclass(frozen=True)
class AuditEntryData:
    id: int
    at: datetime
    username: str
    user_id: int | None
    workstation: str
    action: str
    entity: str
    entity_id: str
    patient_id: int | None
    details: dict[str, Any]
    # The server's login that wrote it (PostgreSQL); ``username`` is who the app said acted.
    db_user: str | None = None

    @property
    def record(self) -> str:
        return f"{self.entity} #{self.entity_id}" if self.entity_id else self.entity


@dataclass(frozen=True)
class AuditFilter:
    """What the Admin audit area filters on; every field is optional.

    ``since`` is inclusive and ``until`` exclusive, both timezone-aware.
    """

    username: str | None = None
    patient_id: int | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditCursor:
    """Where the next page starts (keyset pagination: newest first by time, then id)."""

    at: datetime
    id: int


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditEntryData, ...]
    next_cursor: AuditCursor | None


class ChainProblem(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted out of order"


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    problem: ChainProblem
    message: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    last_id: int | None
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None

    def describe(self) -> str:
        if self.first_break is not None:
            return self.first_break.message
        return f"The audit trail is intact: {self.checked:,} entries checked"


@dataclass(frozen=True)
class UserAccessSummary:
    username: str
    views: int
    changes: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class PatientAccessReport:
    """Who opened or changed a chart: each user's counts, then every entry newest first."""

    patient_id: int
    by_user: tuple[UserAccessSummary, ...]
    entries: tuple[AuditEntryData, ...]


def _entry_data(row: Row[Any]) -> AuditEntryData:
    try:
        details = json.loads(row.details) if row.details else {}
    except ValueError:
        details = {"raw": row.details}
    return AuditEntryData(
        id=row.id,
        at=row.at,
        username=row.username,
        user_id=row.user_id,
        workstation=row.workstation,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        patient_id=row.patient_id,
        details=details if isinstance(details, dict) else {"value": details},
        db_user=row.db_user,
    )


# ---------------------------------------------------------------------------------------------
# Verification


def _classify_broken_link(session: Session, row: Row[Any], previous: Row[Any] | None) -> ChainBreak:
    """Row's prev_hash does not match the entry before it: say what most likely happened."""

    def links_to(hash_value: str) -> Select[Any]:
        return select(AuditEntry.id).where(AuditEntry.prev_hash == hash_value)

    linked_id = session.scalar(select(AuditEntry.id).where(AuditEntry.hash == row.prev_hash))
    if linked_id is not None and previous is not None and linked_id < previous.id:
        # Two entries claim the same predecessor: the one the chain does not continue from
        # is the intruder (the genuine one has a successor linking to it).
        sibling = session.execute(
            select(AuditEntry.id, AuditEntry.hash)
            .where(AuditEntry.prev_hash == row.prev_hash, AuditEntry.id != row.id)
            .order_by(AuditEntry.id)
            .limit(1)
        ).first()
        inserted, genuine = row.id, sibling.id if sibling is not None else previous.id
        if sibling is not None and session.scalar(links_to(sibling.hash).limit(1)) is None:
            inserted, genuine = sibling.id, row.id
        return ChainBreak(
            inserted,
            ChainProblem.INSERTED,
            f"The audit trail is broken at entry #{inserted}: it was inserted out of order "
            f"(it and entry #{genuine} both claim to follow entry #{linked_id})",
        )
    if linked_id is not None:
        return ChainBreak(
            row.id,
            ChainProblem.INSERTED,
            f"The audit trail is broken at entry #{row.id}: it was inserted out of order "
            f"(it claims to follow entry #{linked_id}, which comes after it)",
        )
    if previous is not None and row.id - previous.id == 1:
        # Nothing is missing between them, so the previous entry was rewritten, hash and all.
        return ChainBreak(
            previous.id,
            ChainProblem.EDITED,
            f"The audit trail is broken at entry #{previous.id}: it was edited after it was "
            f"written (entry #{row.id} no longer links to it)",
        )
    first_missing = previous.id + 1 if previous is not None else 1
    gone = (
        f"entry #{first_missing} is"
        if first_missing >= row.id - 1
        else f"entries #{first_missing} to #{row.id - 1} are"
    )
    return ChainBreak(
        first_missing,
        ChainProblem.DELETED,
        f"The audit trail is broken at entry #{first_missing}: it was deleted ({gone} missing; "
        f"entry #{row.id} links to an entry that no longer exists)",
    )


def verify_chain(context: ServiceContext, progress: ProgressCallback = no_progress) -> ChainReport:
    """Walk the whole trail by id, recomputing each hash and checking each link.

    Names the first entry that was edited, deleted or inserted out of order. Removing
    entries from the very end leaves no trace in the chain itself; compare the count and
    last id with a backup's to see that.
    """
    with context.reading(Permission.VIEW_AUDIT) as session:
        total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        checked = 0
        previous: Row[Any] | None = None
        expected_prev = GENESIS_HASH
        last_id = 0
        report_or_cancel(progress, 0, total)
        while True:
            # Plain rows, not ORM objects: a long trail verifies several times faster.
            batch = session.execute(
                select(ENTRIES)
                .where(ENTRIES.c.id > last_id)
                .order_by(ENTRIES.c.id)
                .limit(VERIFY_BATCH)
            ).all()
            if not batch:
                break
            for row in batch:
                sealed = entry_hash(row.prev_hash, hashed_fields(row)) == row.hash
                linked = row.prev_hash == expected_prev
                if sealed and linked:
                    expected_prev = row.hash
                    previous = row
                    checked += 1
                    continue
                if linked:
                    problem = ChainBreak(
                        row.id,
                        ChainProblem.EDITED,
                        f"The audit trail is broken at entry #{row.id}: it was edited after "
                        "it was written (its contents no longer match its hash)",
                    )
                elif not sealed:
                    # Neither chained nor sealed: written by hand, not by Front Desk.
                    problem = ChainBreak(
                        row.id,
                        ChainProblem.INSERTED,
                        f"The audit trail is broken at entry #{row.id}: it was inserted out "
                        "of order (it neither links to the entry before it nor matches its hash)",
                    )
                else:
                    problem = _classify_broken_link(session, row, previous)
                return ChainReport(checked, previous.id if previous else None, problem)
            last_id = batch[-1].id
            report_or_cancel(progress, checked, max(total, checked))
        return ChainReport(checked, previous.id if previous else None, None)


# ---------------------------------------------------------------------------------------------
# Queries


def _filtered(query: Select[Any], where: AuditFilter) -> Select[Any]:
    if where.since is not None and where.until is not None and where.since >= where.until:
        raise ValidationError({"until": "the end must be after the start"})
    for value in (where.since, where.until):
        if value is not None and value.tzinfo is None:
            raise ValidationError({"since": "give dates with a time zone"})
    if where.username:
        query = query.where(AuditEntry.username == where.username)
    if where.patient_id is not None:
        query = query.where(AuditEntry.patient_id == where.patient_id)
    if where.action:
        query = query.where(AuditEntry.action == where.action)
    if where.entity:
        query = query.where(AuditEntry.entity == where.entity)
    if where.entity_id:
        query = query.where(AuditEntry.entity_id == where.entity_id)
    if where.since is not None:
        query = query.where(AuditEntry.at >= where.since)
    if where.until is not None:
        query = query.where(AuditEntry.at < where.until)
    return query


def _newest_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def list_entries(
    context: ServiceContext,
    where: AuditFilter = AuditFilter(),
    *,
    after: AuditCursor | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> AuditPage:
    """One page of entries matching ``where``, newest first; pass ``next_cursor`` for more."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    with context.reading(Permission.VIEW_AUDIT) as session:
        query = _filtered(select(ENTRIES), where)
        if after is not None:
            query = query.where(tuple_(AuditEntry.at, AuditEntry.id) < (after.at, after.id))
        rows = session.execute(_newest_first(query).limit(limit + 1)).all()
        entries = tuple(_entry_data(row) for row in rows[:limit])
    cursor = None
    if len(rows) > limit:
        cursor = AuditCursor(entries[-1].at, entries[-1].id)
    return AuditPage(entries, cursor)


def count_entries(context: ServiceContext, where: AuditFilter = AuditFilter()) -> int:
    with context.reading(Permission.VIEW_AUDIT) as session:
        query = _filtered(select(func.count()).select_from(AuditEntry), where)
        return session.scalar(query) or 0


def audit_usernames(context: ServiceContext) -> list[str]:
    """Every name that appears in the trail, for the user filter (includes os: logins)."""
    with context.reading(Permission.VIEW_AUDIT) as session:
        query = select(AuditEntry.username).distinct().order_by(AuditEntry.username)
        return list(session.scalars(query))


def resolve_patient(context: ServiceContext, reference: str) -> int:
    """A patient id from what a person typed: the id itself (digits) or an MRN ("M0001234")."""
    text = reference.strip().lstrip("#")
    if not text:
        raise ValidationError({"patient": "give the patient's MRN or id"})
    if text.isdigit():
        return int(text)
    # Imported here: the patients area is a sibling service, needed only for this lookup.
    from frontdesk.services.patients.lookup import find_by_mrn

    return find_by_mrn(context, text)


def patient_access_report(context: ServiceContext, patient_id: int) -> PatientAccessReport:
    """Who opened or changed this chart, and when. Reading the report is itself audited."""
    with context.writing(Permission.VIEW_AUDIT) as uow:
        rows = uow.session.execute(
            _newest_first(select(ENTRIES).where(AuditEntry.patient_id == patient_id))
        ).all()
        entries = tuple(_entry_data(row) for row in rows)
        uow.record("view", "audit_access_report", patient_id, patient_id=patient_id)
        uow.commit()
    summaries: dict[str, dict[str, Any]] = {}
    for entry in entries:
        summary = summaries.setdefault(
            entry.username,
            {"views": 0, "changes": 0, "first_at": entry.at, "last_at": entry.at},
        )
        if entry.action in VIEW_ACTIONS:
            summary["views"] += 1
        else:
            summary["changes"] += 1
        summary["first_at"] = min(summary["first_at"], entry.at)
        summary["last_at"] = max(summary["last_at"], entry.at)
    by_user = tuple(
        sorted(
            (UserAccessSummary(username=name, **values) for name, values in summaries.items()),
            key=lambda summary: summary.last_at,
            reverse=True,
        )
    )
    return PatientAccessReport(patient_id, by_user, entries)


def record_access_report_print(context: ServiceContext, patient_id: int, printer: str) -> None:
    """A printed access report is a disclosure: recorded with where it was printed."""
    with context.writing(Permission.VIEW_AUDIT) as uow:
        uow.record(
            "print",
            "audit_access_report",
            patient_id,
            patient_id=patient_id,
            details={"printer": printer[:200]},
        )
        uow.commit()


# ---------------------------------------------------------------------------------------------
# CSV export


def _csv_row(entry: AuditEntryData) -> list[str]:
    values: list[object] = [
        entry.id,
        entry.at.isoformat(timespec="seconds"),
        entry.username,
        entry.workstation,
        entry.action,
        entry.entity,
        entry.entity_id,
        "" if entry.patient_id is None else entry.patient_id,
        json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details else "",
        entry.db_user,
    ]
    return neutralize_row("" if value is None else str(value) for value in values)


def _iter_matching(session: Session, where: AuditFilter, up_to: int) -> Iterator[Row[Any]]:
    after: tuple[datetime, int] | None = None
    while True:
        query = _filtered(select(ENTRIES), where).where(AuditEntry.id <= up_to)
        if after is not None:
            query = query.where(tuple_(AuditEntry.at, AuditEntry.id) < after)
        batch = session.execute(_newest_first(query).limit(EXPORT_BATCH)).all()
        if not batch:
            return
        yield from batch
        after = (batch[-1].at, batch[-1].id)


def _record_abandoned(context: ServiceContext, details: dict[str, Any], outcome: str) -> None:
    # Best effort: the disclosure is already recorded, and the original error matters more.
    with contextlib.suppress(Exception), context.writing(Permission.VIEW_AUDIT) as uow:
        uow.record("export_abandoned", "audit_entries", details={**details, "outcome": outcome})
        uow.commit()


def export_csv(
    context: ServiceContext,
    where: AuditFilter,
    out: TextIO | Path,
    progress: ProgressCallback = no_progress,
) -> int:
    """Write the matching entries as CSV (UTF-8, spreadsheet-safe cells); returns the count.

    The export is a disclosure: it is recorded in the trail (its filter, the rows, the file
    name) and committed before the first row is written, as the patient export is, so an
    export cut short (a closed pipe, a killed process) is on the record too; it holds the
    entries up to that record. A file is written under a private scratch name and moved into
    place at the end; a failed or cancelled export leaves no file and an "export_abandoned".
    """
    details: dict[str, Any] = {"filter": _filter_details(where), "format": "csv"}
    if isinstance(out, Path):
        if not out.parent.is_dir():
            raise ValidationError({"path": f"there is no folder {out.parent}"})
        details["file"] = out.name
    with context.writing(Permission.VIEW_AUDIT) as uow:
        up_to = int(uow.session.scalar(select(func.max(AuditEntry.id))) or 0)
        total = int(
            uow.session.scalar(
                _filtered(select(func.count()).select_from(AuditEntry), where).where(
                    AuditEntry.id <= up_to
                )
            )
            or 0
        )
        uow.record(
            "export",
            "audit_entries",
            details={"rows": total, **details},
            patient_id=where.patient_id,
        )
        uow.commit()
    try:
        with context.reading(Permission.VIEW_AUDIT) as session:
            if not isinstance(out, Path):
                return _write_csv(session, where, up_to, out, total, progress)
            with (
                scratch_file(out, prefix=".export-") as temporary,
                temporary.open("w", encoding="utf-8-sig", newline="") as handle,
            ):
                return _write_csv(session, where, up_to, handle, total, progress)
    except BaseException as error:
        outcome = "cancelled" if isinstance(error, Cancelled) else type(error).__name__
        _record_abandoned(context, details, outcome)
        raise


def _write_csv(
    session: Session,
    where: AuditFilter,
    up_to: int,
    handle: TextIO,
    total: int,
    progress: ProgressCallback,
) -> int:
    writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    written = 0
    for row in _iter_matching(session, where, up_to):
        writer.writerow(_csv_row(_entry_data(row)))
        written += 1
        if written % EXPORT_BATCH == 0:
            report_or_cancel(progress, written, total)
    report_or_cancel(progress, written, max(total, written))
    return written


def _filter_details(where: AuditFilter) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in vars(where).items()
        if value is not None
    }


def csv_text(entries: list[AuditEntryData] | tuple[AuditEntryData, ...]) -> str:
    """Entries already fetched (one page on screen) as spreadsheet-safe CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(_csv_row(entry))
    return buffer.getvalue()
