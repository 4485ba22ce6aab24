"""How the audit trail reads to people: words for its action and record codes, and an
entry's details in plain language (for the access report, on screen and on paper)."""

from __future__ import annotations

import json
from typing import Any

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


def action_text(code: str) -> str:
    return ACTIONS.get(code, code.replace("_", " "))


def entity_text(code: str) -> str:
    return ENTITIES.get(code, code.replace("_", " ").capitalize())


def field_text(name: str) -> str:
    return name.replace("_", " ")


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
            return f"{len(value)} item{'s' if len(value) != 1 else ''}"
        return ", ".join(_value(item) for item in value if not _empty(item))
    if isinstance(value, dict):
        shown = [(k, v) for k, v in value.items() if _readable(k) and not _empty(v)]
        return ", ".join(f"{field_text(k)} {_value(v)}" for k, v in shown)
    return " ".join(str(value).split())


def _shortened(text: str) -> str:
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1].rstrip() + "…"


def _listed(lead: str, names: list[str]) -> str:
    """``lead`` and the names that fit, then "and 3 more" (never a name cut in half)."""
    shown: list[str] = []
    for index, name in enumerate(names):
        rest = len(names) - index - 1
        more = f", and {rest} more" if rest else ""
        if len(lead) + len(", ".join([*shown, name])) + len(more) > DETAIL_LENGTH and shown:
            return lead + ", ".join(shown) + f", and {len(names) - index} more"
        shown.append(name)
    return lead + ", ".join(shown)


def plain_details(details: dict[str, Any]) -> str:
    """An entry's details in a few words: which fields changed (never their values), else
    what was recorded, without fingerprints, ids or empty values ("To: file sheet.pdf")."""
    changes = details.get("changes")
    if isinstance(changes, dict):
        names = [field_text(key) for key in changes if _readable(key)]
        return _listed("Changed: ", names) if names else ""
    values = details.get("values")
    if isinstance(values, dict):
        if isinstance(values.get("file_name"), str) and values["file_name"]:
            return _shortened(f"File {values['file_name']}")
        saying = next(
            (
                values[key]
                for key in _SAYING_FIELDS
                if isinstance(values.get(key), str) and values[key].strip()
            ),
            "",
        )
        if saying:
            kind = values.get("kind")
            lead = (
                f"{field_text(str(kind)).capitalize()}: " if isinstance(kind, str) and kind else ""
            )
            return _shortened(lead + " ".join(saying.split()))
        names = [
            field_text(k)
            for k, v in values.items()
            if _readable(k) and not _empty(v) and not k.endswith(("_id", "_at", "_by"))
        ]
        return _listed("With: ", names) if names else "New record"
    parts = []
    for key, value in details.items():
        if not _readable(key) or _empty(value):
            continue
        text = _value(value)
        if text:
            parts.append(f"{field_text(key)}: {text}")
    text = "; ".join(parts)
    return _shortened(text[:1].upper() + text[1:])


def details_json(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True)
