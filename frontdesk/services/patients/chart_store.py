"""Chart rows shared inside the patients area: search keys and counts, summaries, chart data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import (
    MrnCounter,
    Patient,
    Referrer,
    patient_search_counts,
    patient_search_keys,
)
from frontdesk.domain.contact import clean_text
from frontdesk.domain.dates import parse_date
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.names import name_tokens
from frontdesk.domain.search_query import PHONE_KEY_PREFIX, e164_search_key
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.patients.forms import FORM_FIELDS, PatientData, PatientSummary

# patient_search_counts keeps a count for each prefix of up to this many letters.
COUNTED_PREFIX = 3


MAX_TOKENS_LENGTH = 598


KEYS = patient_search_keys


COUNTS = patient_search_counts


PATIENTS = Patient.__table__


def search_keys(
    first: str, middle: str, last: str, preferred: str, phones: Iterable[str]
) -> tuple[tuple[str, ...], str]:
    """A chart's search keys (name tokens, then phone keys) and the `tokens` text they share."""
    keys = list(name_tokens(first, middle, last, preferred))
    for phone in phones:
        if phone:
            key = e164_search_key(phone)
            if key not in keys:
                keys.append(key)
    tokens = " " + " ".join(keys) + " "
    if len(tokens) > MAX_TOKENS_LENGTH:
        tokens = tokens[:MAX_TOKENS_LENGTH].rsplit(" ", 1)[0] + " "
        keys = [key for key in keys if f" {key} " in tokens]
    return tuple(keys), tokens


def term_counts(keys: Iterable[str]) -> Counter[str]:
    """The patient_search_counts terms of these keys: each name token, and "m*", "ma*",
    "mar*" for its first one to three letters. Phone keys are not counted."""
    counts: Counter[str] = Counter()
    for key in keys:
        if key.startswith(PHONE_KEY_PREFIX):
            continue
        counts[key] += 1
        for length in range(1, min(len(key), COUNTED_PREFIX) + 1):
            counts[key[:length] + "*"] += 1
    return counts


def adjust_term_counts(connection: Connection, delta: Counter[str]) -> None:
    """Add ``delta`` to the term counts, in term order (so concurrent writers never deadlock)."""
    rows = [{"term": term, "entries": change} for term, change in sorted(delta.items()) if change]
    if not rows:
        return
    dialect_insert = sqlite_insert if connection.dialect.name == "sqlite" else pg_insert
    statement = dialect_insert(COUNTS)
    statement = statement.on_conflict_do_update(
        index_elements=[COUNTS.c.term],
        set_={"entries": COUNTS.c.entries + statement.excluded.entries},
    )
    connection.execute(statement, rows)


def _write_search_keys(session: Session, row: Patient | None, patient_id: int) -> None:
    """Replace a chart's search keys (none when ``row`` is None) and keep the counts right."""
    old = session.execute(select(KEYS.c.key).where(KEYS.c.patient_id == patient_id)).scalars()
    delta: Counter[str] = Counter()
    delta.subtract(term_counts(old))  # subtract() keeps negative counts; "-" would drop them
    session.execute(delete(KEYS).where(KEYS.c.patient_id == patient_id))
    if row is not None:
        keys, tokens = search_keys(
            row.first_name,
            row.middle_name,
            row.last_name,
            row.preferred_name,
            (row.mobile_phone, row.home_phone, row.work_phone),
        )
        session.execute(
            insert(KEYS),
            [
                {"key": key, "sort_key": row.sort_key, "patient_id": patient_id, "tokens": tokens}
                for key in keys
            ],
        )
        delta.update(term_counts(keys))
    adjust_term_counts(session.connection(), delta)


_SUMMARY_COLUMNS = (
    PATIENTS.c.id,
    PATIENTS.c.mrn,
    PATIENTS.c.first_name,
    PATIENTS.c.middle_name,
    PATIENTS.c.last_name,
    PATIENTS.c.preferred_name,
    PATIENTS.c.date_of_birth,
    PATIENTS.c.mobile_phone,
    PATIENTS.c.home_phone,
    PATIENTS.c.work_phone,
    PATIENTS.c.preferred_language,
    PATIENTS.c.interpreter_needed,
    PATIENTS.c.large_print,
)


def _summary(row: Row[Any]) -> PatientSummary:
    m = row._mapping
    return PatientSummary(
        id=m["id"],
        mrn=m["mrn"],
        first_name=m["first_name"],
        middle_name=m["middle_name"],
        last_name=m["last_name"],
        preferred_name=m["preferred_name"],
        date_of_birth=m["date_of_birth"],
        phone=m["mobile_phone"] or m["home_phone"] or m["work_phone"],
        phones=frozenset((m["mobile_phone"], m["home_phone"], m["work_phone"])) - {""},
        preferred_language=m["preferred_language"],
        interpreter_needed=bool(m["interpreter_needed"]),
        large_print=bool(m["large_print"]),
    )


def _referrer_name(session: Session, referrer_id: int | None) -> str:
    if referrer_id is None:
        return ""
    row = session.get(Referrer, referrer_id)
    if row is None:
        return ""
    name = f"{row.first_name} {row.last_name}".strip()
    return f"{name}, {row.credentials}" if row.credentials else name


def _patient_data(session: Session, row: Patient) -> PatientData:
    values = {name: getattr(row, name) for name in FORM_FIELDS}
    merged_into_mrn = ""
    if row.merged_into_id is not None:
        merged_into_mrn = (
            session.scalar(select(Patient.mrn).where(Patient.id == row.merged_into_id)) or ""
        )
    return PatientData(
        id=row.id,
        mrn=row.mrn,
        **values,
        primary_care_name=_referrer_name(session, row.primary_care_id),
        referring_name=_referrer_name(session, row.referring_id),
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        merged_into_id=row.merged_into_id,
        merged_into_mrn=merged_into_mrn,
        zone=zone_of(session),
    )


def _get(session: Session, patient_id: int, *, for_update: bool = False) -> Patient:
    row = session.get(Patient, patient_id, with_for_update=for_update or None)
    if row is None:
        raise NotFoundError(f"There is no patient chart with id {patient_id}")
    return row


def reserve_mrns(session: Session, count: int) -> int:
    """Reserve ``count`` consecutive MRN numbers; returns the first. Never handed out twice."""
    last = session.execute(
        update(MrnCounter)
        .where(MrnCounter.id == 1)
        .values(next_value=MrnCounter.next_value + count)
        .returning(MrnCounter.next_value)
    ).scalar_one_or_none()
    if last is None:
        # The migration creates the counter; a database emptied table by table lost it.
        session.execute(insert(MrnCounter).values(id=1, next_value=1 + count))
        return 1
    return int(last) - count


def _optional_date(value: date | str | None, today: date) -> date | None:
    if isinstance(value, date):
        return value
    if not value or not clean_text(value):
        return None
    return parse_date(value, today=today)
