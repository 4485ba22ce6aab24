"""How the audit trail reads to people: words for its action and record codes, and an
entry's details in plain language (for the access report, on screen and on paper)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from frontdesk.domain.handout_format import LANGUAGE_NAMES
from frontdesk.domain.plurals import counted
from frontdesk.domain.scheduling import AppointmentStatus, CallOutcome, CancelledBy
from frontdesk.services.kernel.clock import DATE

# The trail stores short codes; people read these. Unknown codes show as themselves.
ACTIONS: dict[str, str] = {
    "view": "Opened",
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "print": "Printed",
    "export": "Exported",
    "export_abandoned": "Export abandoned",
    "merge": "Merged",
    "merged_into": "Merged into",
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in refused",
    "password_change": "Changed own password",
    "password_change_failed": "Password change refused",
    "password_reset": "Password reset by an admin",
    "backup": "Backed up",
    "checkpoint": "Checkpoint saved",
    "restore": "Restored",
    "delete_summary": "Deleted (summary)",
    "file": "Filed",
    "discard": "Discarded",
    "split": "Split",
    "arrived again": "Arrived again",
}
ENTITIES: dict[str, str] = {
    "patients": "Patient chart",
    "users": "User account",
    "settings": "Setting",
    "practice_profile": "Practice profile",
    "providers": "Provider",
    "locations": "Location",
    "referrers": "Referring physician",
    "audit_access_report": "Access report",
    "audit_entries": "Audit trail",
    "database": "Database",
    "prior_surgeries": "Surgery history",
    "imaging_studies": "Imaging study",
    "history_summary": "History summary",
    "history": "Chart history",
    "day_sheet": "Day sheet",
    "records_request_letter": "Records-request letter",
    "consultation_requests": "Consultation request",
    "request_checklist_items": "Records checklist",
    "request_transitions": "Request status",
    "request_contact_attempts": "Contact attempt",
    "received_documents": "Received document",
    "appointments": "Appointment",
    "appointment_events": "Appointment change",
    "waitlist_entries": "Waitlist",
    "handout_prints": "Handout",
    "packet": "Pre-visit packet",
    "inbox_documents": "Inbox document",
    "phone_notes": "Phone call",
    "handout_reviews": "Handout review",
}
# A created record's own description (an appointment change: "Booked for Thursday 9:00")
# says more than its field names; free text people typed (notes, reasons) is never shown.
_SAYING_FIELDS = ("description",)
# Fields that are bookkeeping, not something a person changed or needs to read.
QUIET_FIELDS = frozenset({"version", "updated_at", "updated_by", "created_at", "created_by"})
# Fingerprints and stored contents: nothing a reader can use.
_MACHINE_WORDS = ("hash", "sha256", "sha1", "md5", "content", "password", "sort_key")
DETAIL_LENGTH = 90
# Where a print or export went, as recorded: "printer: NAME" or "saved: FILE" (handouts,
# packets), "file FILE" or a printer's name (day sheets, letters, access reports).
_WHERE_FIELDS = ("destination", "printer", "to")


def action_text(code: str) -> str:
    return ACTIONS.get(code, code.replace("_", " "))


def entity_text(code: str) -> str:
    return ENTITIES.get(code, code.replace("_", " ").capitalize())


def field_text(name: str) -> str:
    return name.replace("_", " ")


def record_name(entity: str, details: dict[str, Any]) -> str:
    """What an entry was about, in words: the document a print or export made ("Pre-visit
    packet", recorded on its appointment) rather than the record it hangs on."""
    document = details.get("document")
    if isinstance(document, str) and document.strip():
        document = " ".join(document.split())
        return document[:1].upper() + document[1:]
    return entity_text(entity)


def where_text(value: str) -> str:
    """Where a print or export went, in words: "Printed on Front desk laser", "Saved as file
    sheet.pdf"."""
    text = " ".join(value.split())
    for prefix in ("saved: ", "file "):
        if text.startswith(prefix) and text[len(prefix) :]:
            return f"Saved as file {text[len(prefix) :]}"
    printer = text.removeprefix("printer: ")
    if printer == "PDF file":  # the print dialog's "print to PDF" (its file name unrecorded)
        return "Saved as a PDF file"
    return f"Printed on {printer}"


def _readable(key: str) -> bool:
    lowered = key.lower()
    return (
        key not in QUIET_FIELDS
        and key != "id"
        and not any(word in lowered for word in _MACHINE_WORDS)
    )


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if all(isinstance(item, int) for item in value):
            return counted(len(value), "item")
        return ", ".join(_value(item) for item in value if not _empty(item))
    if isinstance(value, dict):
        shown = [(k, v) for k, v in value.items() if _readable(k) and not _empty(v)]
        return ", ".join(f"{field_text(k)} {_value(v)}" for k, v in shown)
    return " ".join(str(value).split())


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _coded(key: str, value: Any) -> str:
    """A stored code in the words the desk uses: a language code as its name, a handout's id
    as its name, a day as the app shows days (not "es", "preparing-for-consultation",
    "2026-12-09"); "" when ``value`` is no such code."""
    if key == "language" and isinstance(value, str):
        return LANGUAGE_NAMES.get(value, value)
    if key == "handouts" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(handout.replace("-", " ").capitalize() for handout in value)
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return date.fromisoformat(value).strftime(DATE)
        except ValueError:
            return ""
    return ""


def _shortened(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _listed(lead: str, names: list[str], limit: int | None) -> str:
    """``lead`` and the names that fit, then "and 3 more" (never a name cut in half)."""
    shown: list[str] = []
    for index, name in enumerate(names):
        rest = len(names) - index - 1
        more = f", and {rest} more" if rest else ""
        too_long = limit is not None and (
            len(lead) + len(", ".join([*shown, name])) + len(more) > limit
        )
        if too_long and shown:
            return lead + ", ".join(shown) + f", and {len(names) - index} more"
        shown.append(name)
    return lead + ", ".join(shown)


def plain_details(details: dict[str, Any], *, limit: int | None = DETAIL_LENGTH) -> str:
    """An entry's details in a few words: which fields changed (never their values), else
    what was recorded, without fingerprints, ids or empty values ("To: file sheet.pdf").
    Within ``limit`` characters for a table row on screen; ``None``: whole, for a page that
    wraps it (the access report)."""
    changes = details.get("changes")
    if isinstance(changes, dict):
        names = [field_text(key) for key in changes if _readable(key)]
        return _listed("Changed: ", names, limit) if names else ""
    values = details.get("values")
    if isinstance(values, dict):
        if isinstance(values.get("file_name"), str) and values["file_name"]:
            return _shortened(f"File {values['file_name']}", limit)
        saying = next(
            (
                values[key]
                for key in _SAYING_FIELDS
                if isinstance(values.get(key), str) and values[key].strip()
            ),
            "",
        )
        if saying:
            saying = " ".join(saying.split())
            kind = values.get("kind")
            lead = (
                f"{field_text(str(kind)).capitalize()}: " if isinstance(kind, str) and kind else ""
            )
            # "Booked New consultation …" needs no "Booked: " before it.
            if lead and saying.casefold().startswith(lead[:-2].casefold()):
                lead = ""
            return _shortened(lead + saying, limit)
        names = [
            field_text(k)
            for k, v in values.items()
            if _readable(k) and not _empty(v) and not k.endswith(("_id", "_at", "_by"))
        ]
        return _listed("With: ", names, limit) if names else "New record"
    parts = []
    for key, value in details.items():
        if not _readable(key) or _empty(value):
            continue
        if key in _WHERE_FIELDS and isinstance(value, str):
            parts.append(where_text(value))
            continue
        if key == "document":
            continue  # said by the record's name (record_name)
        text = _coded(key, value) or _value(value)
        if text:
            parts.append(f"{field_text(key)}: {text}")
    text = "; ".join(parts)
    return _shortened(text[:1].upper() + text[1:], limit)


def report_details(
    entity: str,
    action: str,
    details: dict[str, Any],
    zone: tzinfo,
    providers: Mapping[int, str],
    *,
    limit: int | None = None,
) -> str:
    """An entry's details as the access report says them, on paper and on screen: whole by
    default (the page wraps them, never cuts; a row on screen passes a ``limit``), and an
    appointment's change as what happened, from the entry's old and new values ("Moved from
    Thu 12/10/2026 09:00 to Fri 12/11/2026 10:30 with Okafor"): its times, provider and
    status, never what people typed (a reason, a note)."""
    if entity == "appointments":
        said = _appointment_words(action, details, zone, providers)
        if said:
            return said
    return plain_details(details, limit=limit)


def _moment(value: Any, zone: tzinfo) -> str:
    """A stored time (ISO text, UTC) on the practice's clock: 'Thu 12/10/2026 09:00'."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    return f"{local:%a %m/%d/%Y %H:%M}"


def _provider(value: Any, providers: Mapping[int, str]) -> str:
    return providers.get(value, "") if isinstance(value, int) else ""


def _status(value: Any) -> str:
    try:
        return AppointmentStatus(value).label
    except ValueError:
        return str(value or "none")


def _appointment_words(
    action: str, details: dict[str, Any], zone: tzinfo, providers: Mapping[int, str]
) -> str:
    changes = details.get("changes")
    if action == "update" and isinstance(changes, dict):
        return _appointment_changed(changes, zone, providers)
    values = details.get("values")
    if action == "create" and isinstance(values, dict):
        start = _moment(values.get("starts_at"), zone)
        if not start:
            return ""
        with_whom = _provider(values.get("provider_id"), providers)
        text = f"Booked for {start}" + (f" with {with_whom}" if with_whom else "")
        return text + (" (overbooked on purpose)" if values.get("overbooked") is True else "")
    return ""


def _appointment_changed(
    changes: dict[str, Any], zone: tzinfo, providers: Mapping[int, str]
) -> str:
    def old_new(key: str) -> tuple[Any, Any]:
        change = changes.get(key)
        return (change.get("old"), change.get("new")) if isinstance(change, dict) else (None, None)

    parts: list[str] = []
    said = {"status_changed_at", "cancelled_at"}
    was, now = (_moment(value, zone) for value in old_new("starts_at"))
    old_provider, new_provider = (_provider(value, providers) for value in old_new("provider_id"))
    if was and now:
        parts.append(
            f"Moved from {was}{f' with {old_provider}' if old_provider else ''} "
            f"to {now}{f' with {new_provider}' if new_provider else ''}"
        )
        said |= {"starts_at", "ends_at", "provider_id"}
    elif old_provider and new_provider:
        parts.append(f"Moved from {old_provider} to {new_provider}")
        said.add("provider_id")
    if "ends_at" not in said:
        ends = _moment(old_new("ends_at")[1], zone)
        if ends:
            parts.append(f"Now ends at {ends[-5:]}")
            said.add("ends_at")
    if "location_id" in changes:
        parts.append("Location changed")
        said.add("location_id")
    old_status, new_status = old_new("status")
    if new_status == AppointmentStatus.CANCELLED.value:
        try:
            who = CancelledBy(old_new("cancelled_by")[1]).label.lower()
        except ValueError:
            who = ""
        parts.append(f"Cancelled {who}".strip())
        said |= {"status", "cancelled_by", "cancel_reason"}
    elif "status" in changes:
        parts.append(f"Status {_status(old_status)} → {_status(new_status)}")
        said.add("status")
    call = old_new("last_call_outcome")[1]
    if call:
        try:
            parts.append(f"Reminder call: {CallOutcome(call).label.lower()}")
            said.add("last_call_outcome")
        except ValueError:
            pass
    if "overbooked" in changes and "starts_at" in said:
        said.add("overbooked")  # the move's own matter, said by its appointment change
    rest = [
        field_text(key)
        for key in changes
        if key not in said and _readable(key) and not key.endswith("_at")
    ]
    if rest:
        parts.append(f"{'Also changed' if parts else 'Changed'}: {', '.join(rest)}")
    return "; ".join(parts)


def details_json(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True)
