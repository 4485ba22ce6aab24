"""The service side of the duplicate check: existing charts that may be the person on a form."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, Select, select, union_all
from sqlalchemy.orm import Session

from frontdesk.domain.contact import InvalidValue, clean_text, normalize_phone
from frontdesk.domain.duplicates import Person, birth_dates_to_compare, duplicate_reasons
from frontdesk.domain.permissions import Permission
from frontdesk.domain.search_query import e164_search_key
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.chart_store import (
    _SUMMARY_COLUMNS,
    KEYS,
    PATIENTS,
    _optional_date,
    _summary,
)
from frontdesk.services.patients.forms import DuplicateCandidate, PatientForm, PatientSummary


def duplicate_person(values: dict[str, Any]) -> Person:
    """The person described by (validated) form values, as the duplicate rule sees them."""
    return Person(
        first_name=values["first_name"],
        last_name=values["last_name"],
        preferred_name=values.get("preferred_name") or "",
        date_of_birth=values.get("date_of_birth"),
        phones=form_phones(values),
    )


def form_phones(values: dict[str, Any]) -> frozenset[str]:
    return frozenset(values.get(n, "") for n in ("mobile_phone", "home_phone", "work_phone")) - {""}


def candidate_statement(dates: Sequence[date], phone_keys: Sequence[str]) -> Select[Any]:
    """Charts born on one of ``dates`` or having one of the phone keys (not merged ones)."""
    by_date = select(PATIENTS.c.id).where(
        PATIENTS.c.date_of_birth.in_(list(dates)), PATIENTS.c.merged_into_id.is_(None)
    )
    by_phone = select(KEYS.c.patient_id).where(KEYS.c.key.in_(list(phone_keys)))
    return select(*_SUMMARY_COLUMNS).where(PATIENTS.c.id.in_(union_all(by_date, by_phone)))


def summary_from_row(row: Row[Any]) -> PatientSummary:
    return _summary(row)


def _duplicates(
    session: Session, values: dict[str, Any], exclude_id: int | None
) -> list[DuplicateCandidate]:
    person = duplicate_person(values)
    born = person.date_of_birth
    dates = [] if born is None else list(birth_dates_to_compare(born))
    keys = [e164_search_key(phone) for phone in person.phones]
    if not dates and not keys:
        return []
    found = []
    for row in session.execute(candidate_statement(dates, keys)):
        summary = _summary(row)
        reasons = duplicate_reasons(person, summary.person)
        if reasons and summary.id != exclude_id:
            found.append(DuplicateCandidate(summary, tuple(reasons)))
    found.sort(key=lambda candidate: (-len(candidate.reasons), candidate.patient.mrn))
    return found


def find_duplicates(
    context: ServiceContext, form: PatientForm, *, exclude_id: int | None = None
) -> list[DuplicateCandidate]:
    """Existing charts that may be this person, for the warning shown before saving.

    Works on a half-filled form: fields that do not validate yet are simply not compared.
    """
    values: dict[str, Any] = {
        "first_name": clean_text(form.first_name),
        "last_name": clean_text(form.last_name),
        "preferred_name": clean_text(form.preferred_name),
        "date_of_birth": None,
    }
    for name in ("mobile_phone", "home_phone", "work_phone"):
        try:
            values[name] = normalize_phone(getattr(form, name))
        except InvalidValue:
            values[name] = ""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        if values["first_name"] and values["last_name"]:
            with contextlib.suppress(InvalidValue):  # a half-typed date is simply not compared
                values["date_of_birth"] = _optional_date(
                    form.date_of_birth, practice_today(session)
                )
        return _duplicates(session, values, exclude_id)
