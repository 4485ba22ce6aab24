"""The records-request letter: on the letterhead, to the office holding a patient's records."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from frontdesk.documents.escape import markup_escape, markup_escape_lines
from frontdesk.documents.letterhead import (
    MARGIN,
    Letterhead,
    NumberedCanvas,
    PracticeDetails,
    letterhead_document,
)
from frontdesk.documents.page_identity import born
from frontdesk.documents.scripts import check_printable
from frontdesk.documents.styles import PANEL, RULE, document_styles
from frontdesk.domain.contact import format_phone

TITLE = "Request for medical records"


@dataclass(frozen=True)
class RecordsLetter:
    """Everything the letter says, as plain data."""

    addressee: str  # "Valley Imaging Center" or "Dr. Anil Patel"
    addressee_address: str
    addressee_fax: str
    patient_name: str
    date_of_birth: date
    mrn: str
    needed: Sequence[str]  # "Operative report: 2019; TLIF L4–L5; surgeon Dr. Raman", ...
    today: date
    signed_by: str  # the person sending it, by name
    request_id: int
    addressee_phone: str = ""


def _notice(practice: PracticeDetails) -> str:
    call = f" call us at {format_phone(practice.main_phone)} and" if practice.main_phone else ""
    return (
        "Confidentiality notice: this letter contains protected health information about the "
        "patient named above, meant only for the addressee. If you received it in error, "
        f"please{call} destroy it without reading further, copying or passing it on."
    )


def _boxed(paragraph: Paragraph, width: float) -> Table:
    table = Table([[paragraph]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), PANEL),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def render(letter: RecordsLetter, practice: PracticeDetails, *, invariant: bool = True) -> bytes:
    """The letter as PDF bytes (letter size; byte-stable for the same inputs by default)."""
    check_printable({"letter": letter, "practice": practice})
    styles = document_styles(False)
    page_width = LETTER[0]
    width = page_width - 2 * MARGIN
    letterhead = Letterhead(
        practice,
        page_width=page_width,
        language="en",
        footer_text=f"{TITLE}  ·  MRN {letter.mrn}  ·  {letter.today.isoformat()}  ·  "
        "confidential patient information",
        later_header_text=f"{letter.patient_name}  ·  MRN {letter.mrn}",
        identity=born(letter.patient_name, letter.date_of_birth, mrn=letter.mrn),
    )
    buffer = io.BytesIO()
    document = letterhead_document(
        buffer,
        letterhead,
        page_size=LETTER,
        title=f"{TITLE}: {letter.mrn}",
        subject=TITLE,
        invariant=invariant,
    )
    to_lines = [
        letter.addressee,
        "Medical records department",
        *letter.addressee_address.splitlines(),
    ]
    contact = [
        f"Fax {format_phone(letter.addressee_fax)}" if letter.addressee_fax else "",
        f"Phone {format_phone(letter.addressee_phone)}" if letter.addressee_phone else "",
    ]
    if any(contact):
        to_lines.append("  ·  ".join(part for part in contact if part))
    send_to = []
    if practice.fax:
        send_to.append(f"by fax to {format_phone(practice.fax)}")
    address = ", ".join(line.strip() for line in practice.address.splitlines() if line.strip())
    if address:
        send_to.append(f"by mail to {practice.name}, {address}")
    how = " or ".join(send_to) if send_to else "to us"
    small = ParagraphStyle("letter_small", parent=styles.small, fontSize=8.5, leading=11)
    our_phone = format_phone(practice.main_phone) if practice.main_phone else ""
    our_fax = format_phone(practice.fax) if practice.fax else ""
    contact_line = "  ·  ".join(
        part
        for part in (f"Phone {our_phone}" if our_phone else "", f"Fax {our_fax}" if our_fax else "")
        if part
    )
    asks_imaging = any(line.startswith(("Images", "Report:", "Imaging")) for line in letter.needed)
    imaging = (
        " For imaging, please include the images themselves (disc or secure electronic link) "
        "as well as the report."
        if asks_imaging
        else ""
    )
    story: list[Flowable] = [
        Paragraph(
            markup_escape(f"{letter.today:%B} {letter.today.day}, {letter.today.year}"), styles.body
        ),
        Spacer(1, 6),
        Paragraph(
            markup_escape_lines("\n".join(line for line in to_lines if line.strip())), styles.body
        ),
        Spacer(1, 6),
        Paragraph(markup_escape(f"{TITLE}, for treatment"), styles.title),
        Paragraph(
            markup_escape(
                f"Patient: {letter.patient_name}  ·  Date of birth: {letter.date_of_birth:%m/%d/%Y}"
            ),
            styles.subheading,
        ),
        Paragraph(
            markup_escape(
                f"This patient is to be seen at {practice.name} for a spine consultation. For "
                "their treatment, please send us copies of the following records held by "
                f"{letter.addressee}:"
            ),
            styles.body,
        ),
    ]
    story.extend(
        Paragraph(markup_escape(item), styles.bullet, bulletText="•") for item in letter.needed
    )
    story.append(Spacer(1, 6))
    story.append(
        Paragraph(
            markup_escape(
                f"Please send them {how}, within 10 business days if you can.{imaging} "
                f"Please quote our reference: request {letter.request_id}, MRN {letter.mrn}."
            ),
            styles.body,
        )
    )
    story.append(
        Paragraph(
            markup_escape(
                "Purpose: treatment. Disclosure between health care providers for treatment "
                "does not need the patient's written authorization (HIPAA, 45 CFR "
                "164.506(c)). Thank you for your help."
            ),
            styles.body,
        )
    )
    story.append(
        KeepTogether(
            [
                Spacer(1, 10),
                Paragraph(markup_escape("Sincerely,"), styles.body),
                Spacer(1, 18),
                Paragraph(f"<b>{markup_escape(letter.signed_by, bold=True)}</b>", styles.panel),
                Paragraph(markup_escape(f"for {practice.name}"), styles.panel),
                Paragraph(markup_escape(contact_line), styles.panel),
                Spacer(1, 14),
                _boxed(Paragraph(markup_escape(_notice(practice)), small), width),
            ]
        )
    )
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
