"""The records-request letter: on the letterhead, to the office holding a patient's records."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import LETTER
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
)

from frontdesk.documents.escape import markup_escape, markup_escape_lines
from frontdesk.documents.letterhead import (
    Letterhead,
    NumberedCanvas,
    PracticeDetails,
    letterhead_document,
)
from frontdesk.documents.page_identity import born
from frontdesk.documents.scripts import check_printable
from frontdesk.documents.styles import document_styles
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
    needed: Sequence[str]  # "Operative report: last surgery (2021)", ...
    today: date
    signed_by: str
    request_id: int


def render(letter: RecordsLetter, practice: PracticeDetails, *, invariant: bool = True) -> bytes:
    """The letter as PDF bytes (letter size; byte-stable for the same inputs by default)."""
    check_printable({"letter": letter, "practice": practice})
    styles = document_styles(False)
    page_width = LETTER[0]
    letterhead = Letterhead(
        practice,
        page_width=page_width,
        language="en",
        footer_text=f"{TITLE}  ·  MRN {letter.mrn}  ·  {letter.today.isoformat()}",
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
    to_lines = [letter.addressee, *letter.addressee_address.splitlines()]
    if letter.addressee_fax:
        to_lines.append(f"Fax {format_phone(letter.addressee_fax)}")
    reply = practice.fax or practice.main_phone
    reply_text = (f" by fax to {format_phone(practice.fax)}" if practice.fax else "") or (
        f"; call us at {format_phone(reply)} with any question" if reply else ""
    )
    story: list[Flowable] = [
        Paragraph(
            markup_escape(f"{letter.today:%B} {letter.today.day}, {letter.today.year}"), styles.body
        ),
        Spacer(1, 8),
        Paragraph(
            markup_escape_lines("\n".join(line for line in to_lines if line.strip())), styles.body
        ),
        Spacer(1, 10),
        Paragraph(markup_escape(TITLE), styles.title),
        Paragraph(
            markup_escape(
                f"Patient: {letter.patient_name}  ·  Date of birth: {letter.date_of_birth:%m/%d/%Y}"
            ),
            styles.subheading,
        ),
        Paragraph(
            markup_escape(
                f"This patient has asked to be seen at {practice.name} for a spine consultation. "
                "To prepare for the visit, please send us the following records"
                f"{reply_text}:"
            ),
            styles.body,
        ),
    ]
    story.extend(
        Paragraph(markup_escape(item), styles.bullet, bulletText="•") for item in letter.needed
    )
    story.append(Spacer(1, 8))
    story.append(
        Paragraph(
            markup_escape(
                "Please include the reports and, for imaging, the images themselves (disc or "
                f"electronic link). Our reference: request {letter.request_id}, MRN {letter.mrn}. "
                "Thank you for your help."
            ),
            styles.body,
        )
    )
    story.append(
        KeepTogether(
            [
                Spacer(1, 18),
                Paragraph(markup_escape("Sincerely,"), styles.body),
                Spacer(1, 14),
                Paragraph(markup_escape(letter.signed_by), styles.body),
                Paragraph(markup_escape(practice.name), styles.body),
            ]
        )
    )
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
