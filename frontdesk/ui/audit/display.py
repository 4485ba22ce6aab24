"""How audit entries read on screen: plain words for actions and records, the practice's times."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from frontdesk.services.kernel.clock import STAMP_SECONDS, clock_text
from frontdesk.services.patients.forms import PatientSummary
from frontdesk.services.platform.audit_trail import AuditEntryData
from frontdesk.services.platform.audit_wording import (
    ACTIONS,
    ENTITIES,
    QUIET_FIELDS,
    action_text,
    entity_text,
    field_text,
    record_name,
)

__all__ = ["ACTIONS", "ENTITIES", "QUIET_FIELDS", "action_text", "entity_text", "field_text"]


def when_text(moment: datetime, zone: tzinfo) -> str:
    """When an entry was written, on the practice's clock (``zone``)."""
    return clock_text(moment, zone, STAMP_SECONDS)


def user_text(entry: AuditEntryData) -> str:
    """The Front Desk user the entry names, and the server login that wrote it when that is
    someone else: the user is what the application claimed, the login what the server saw."""
    if entry.db_user is None or entry.db_user == entry.username:
        return entry.username
    return f"{entry.username} (database login {entry.db_user})"


def record_text(entry: AuditEntryData) -> str:
    name = record_name(entry.entity, entry.details)
    return f"{name} #{entry.entity_id}" if entry.entity_id else name


def patient_text(summary: PatientSummary | None, patient_id: int | None) -> str:
    if patient_id is None:
        return ""
    if summary is None:
        return f"Chart #{patient_id}"
    return f"{summary.display_name} ({summary.mrn})"


def record_with_patient(entry: AuditEntryData, summary: PatientSummary | None) -> str:
    """One column for both: a chart by its patient, anything else by kind and number."""
    patient = patient_text(summary, entry.patient_id)
    if entry.entity == "patients" and patient:
        return f"Chart: {patient}"
    record = record_text(entry)
    return f"{record} — {patient}" if patient else record


def value_text(value: Any) -> str:
    """A stored value as one line: text as typed, others as JSON (never markup)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value if value else "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def summary_text(entry: AuditEntryData) -> str:
    """What the details say, in a few words (field names, never their values)."""
    details = entry.details
    changes = details.get("changes")
    if isinstance(changes, dict):
        names = [field_text(key) for key in changes if key not in QUIET_FIELDS]
        return "Changed: " + ", ".join(names) if names else ""
    if isinstance(details.get("values"), dict):
        # A deletion keeps the record's last values (server trail, and SQLite since 0010).
        return "Values before deletion" if entry.action == "delete" else "New record"
    parts = []
    for key, value in details.items():
        if key in ("changes", "values"):
            continue
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        parts.append(f"{field_text(key)}: {value_text(value)}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def detail_rows(entry: AuditEntryData) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The details as a table: (headers, rows). Updates show each field's before and after."""
    details = entry.details
    changes = details.get("changes")
    if isinstance(changes, dict):
        rows = []
        for key, change in changes.items():
            if isinstance(change, dict):
                rows.append(
                    (field_text(key), value_text(change.get("old")), value_text(change.get("new")))
                )
            else:
                rows.append((field_text(key), "", value_text(change)))
        return ("Field", "Before", "After"), rows
    values = details.get("values")
    if isinstance(values, dict):
        return ("Field", "Value"), [(field_text(k), value_text(v)) for k, v in values.items()]
    return ("Detail", "Value"), [(field_text(k), value_text(v)) for k, v in details.items()]
