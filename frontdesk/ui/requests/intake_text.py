"""What the caller said, as short lines for the request pane."""

from __future__ import annotations

from datetime import tzinfo

from frontdesk.domain.contact import format_phone
from frontdesk.domain.history_vocab import ImagingModality
from frontdesk.services.kernel.clock import clock_text
from frontdesk.services.requests.data import RequestData, RequestDetail


def red_flag_line(r: RequestData, zone: tzinfo) -> str:
    """The red-flag screen as asked: whether, by whom, when, and the answers."""
    who = ""
    if r.red_flags_asked and r.red_flags_asked_by:
        when = f" {clock_text(r.red_flags_asked_at, zone)}" if r.red_flags_asked_at else ""
        who = f" (by {r.red_flags_asked_by}{when})"
    return f"Red-flag questions: {r.red_flag_summary}{who}"


def intake_lines(detail: RequestDetail) -> list[str]:
    """What the caller said, as short lines for the pane."""
    r = detail.request
    contact = " · ".join(
        part
        for part in (format_phone(r.contact_phone) if r.contact_phone else "", r.contact_email)
        if part
    )
    lines = [
        f"Received {clock_text(r.received_at, detail.zone)} by {r.channel.label.lower()}",
        f"Contact: {contact}",
    ]
    if r.caller_name or r.caller_relationship not in ("", "self"):
        lines.append(
            f"Caller: {r.caller_name} ({r.caller_relationship or 'relationship not given'})"
        )
    lines.append(red_flag_line(r, detail.zone))
    lines.append(f"Category: {r.category.label}")
    if r.body_regions:
        lines.append("Region: " + ", ".join(region.label for region in r.body_regions))
    lines.append(f"Reason: {r.reason}")
    if r.prior_surgery:
        last = f", last in {r.prior_surgery_last_year}" if r.prior_surgery_last_year else ""
        lines.append(f"Prior spine surgery: {r.prior_surgery_count or 1}{last}")
    elif r.prior_surgery is False:
        lines.append("Prior spine surgery: none")
    if r.imaging_modality:
        modality = ImagingModality(r.imaging_modality).label
        where = f"at {r.imaging_where}" if r.imaging_where else ""
        lines.append(f"Imaging: {modality} {r.imaging_when} {where}".strip())
    if r.insurance_note:
        lines.append(f"Insurance: {r.insurance_note}")
    if r.preferred_days or r.preferred_times:
        lines.append(f"Prefers: {r.preferred_days} {r.preferred_times}".strip())
    if r.language:
        lines.append(
            f"Language: {r.language}" + (" (interpreter needed)" if r.interpreter_needed else "")
        )
    if r.referrer_name:
        lines.append(f"Referred by {r.referrer_name}")
    if r.notes:
        lines.append(f"Notes: {r.notes}")
    if r.closed_reason is not None:
        lines.append(f"Closed: {r.closed_reason.label.lower()}")
    return lines
