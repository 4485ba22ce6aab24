"""The "history summary for the surgeon": prior surgeries, imaging and missing records as PDF."""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

from reportlab.lib import colors
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

from frontdesk.documents import page_identity
from frontdesk.documents.escape import markup_escape, markup_escape_lines
from frontdesk.documents.letterhead import (
    MARGIN,
    Letterhead,
    NumberedCanvas,
    PracticeDetails,
    letterhead_document,
)
from frontdesk.documents.page_identity import SEPARATOR
from frontdesk.documents.scripts import check_printable
from frontdesk.documents.styles import (
    ACCENT,
    PANEL,
    DocumentStyles,
    document_styles,
)
from frontdesk.documents.tables import cell_styles, record_table
from frontdesk.domain.contact import clean_text
from frontdesk.domain.history_records import UNCONFIRMED_SURGERY

if TYPE_CHECKING:
    from frontdesk.domain.history_records import (
        ImagingData,
        PatientHistory,
        SurgeryData,
        VisitAppointment,
    )

TITLE = "History summary for the surgeon"
PAGE_SIZE = LETTER  # always letter, as it has always printed (also inside an A4 packet)
CELL_SIZE = 8.5
MISSING_INK = colors.HexColor("#8A1C1C")


def _lines(*parts: str) -> str:
    """Escaped non-empty parts, one per line."""
    return "<br/>".join(markup_escape(part) for part in parts if part)


def _day(value: date | None) -> str:
    return f"{value:%m/%d/%Y}" if value is not None else ""


def _language(language: str, interpreter_needed: bool) -> str:
    """The Language line: "Spanish, interpreter needed" (never "Language: Interpreter: ...")."""
    language = clean_text(language)
    if interpreter_needed:
        return f"{language}, interpreter needed" if language else "not recorded; interpreter needed"
    if language:
        return f"{language}, no interpreter needed"
    return "not recorded; no interpreter asked for"


def _hardware(placed: bool | None, description: str) -> str:
    """The Hardware column's cell (its header says "Hardware", the cell never repeats it):
    "pedicle screws and rods", "None", "Not known". A description says what was placed even
    where the yes/no was left blank, so a list never sits beside "not known"."""
    if description:
        return description
    if placed is None:
        return "Not known"
    return "Yes, not described" if placed else "None"


def _surgery_row(
    surgery: SurgeryData, cell: ParagraphStyle, note: ParagraphStyle
) -> list[Flowable]:
    procedure = f"<b>{markup_escape(surgery.procedure_text, bold=True)}</b>"
    if surgery.levels:
        procedure += f" {markup_escape(surgery.levels.text())}"
    extra = [UNCONFIRMED_SURGERY.upper()] if surgery.unconfirmed else []
    if surgery.approach is not None:
        extra.append(f"{surgery.approach.value} approach")
    if surgery.levels_note:
        extra.append(surgery.levels_note)
    if surgery.revises_description:
        extra.append(f"revises {surgery.revises_description}")
    if extra:
        procedure += "<br/>" + _lines(*extra)
    if surgery.complications:
        procedure += "<br/><i>Complications:</i> " + markup_escape_lines(surgery.complications)
    hardware_text = _lines(
        _hardware(surgery.instrumentation, surgery.instrumentation_description),
        f"Graft: {surgery.bone_graft}" if surgery.bone_graft else "",
    )
    # The Outcome and Fusion headers name their cells; a cell says only what was recorded.
    outcome = surgery.outcome.label.lower() if surgery.outcome else "not recorded"
    fusion = surgery.fusion_status.short if surgery.fusion_status else "—"
    if surgery.report_received:
        report = _lines("on file", _day(surgery.report_received_on))
    else:
        requested = (
            f"requested {_day(surgery.report_requested_on)}" if surgery.report_requested_on else ""
        )
        report = '<font color="#8A1C1C"><b>MISSING</b></font>' + (
            "<br/>" + markup_escape(requested) if requested else ""
        )
    return [
        Paragraph(markup_escape(surgery.date.display() if surgery.date else "date unknown"), cell),
        Paragraph(procedure, cell),
        Paragraph(_lines(surgery.surgeon, surgery.facility) or "—", cell),
        Paragraph(hardware_text, cell),
        Paragraph(markup_escape(outcome), cell),
        Paragraph(markup_escape(fusion), cell),
        Paragraph(report, cell),
    ]


def _received(received: bool, on: date | None, medium: str = "") -> str:
    if not received:
        return '<font color="#8A1C1C"><b>MISSING</b></font>'
    return _lines(f"on file{f' ({medium})' if medium else ''}", _day(on))


def _imaging_row(study: ImagingData, cell: ParagraphStyle, note: ParagraphStyle) -> list[Flowable]:
    name = f"<b>{markup_escape(study.modality_text, bold=True)}</b>"
    if study.regions:
        name += " " + markup_escape(study.regions_text)
    if study.contrast is not None:
        name += "<br/>" + markup_escape(study.contrast.short)
    if study.flags.too_old:
        name += '<br/><font color="#8A1C1C">too old for a new consultation</font>'
    elif study.flags.possibly_too_old:
        name += '<br/><font color="#8A1C1C">may be too old</font>'
    where = _lines(
        study.facility, f"ordered by {study.ordering_physician}" if study.ordering_physician else ""
    )
    images = _received(
        study.images_received,
        study.images_received_on,
        study.images_medium.short if study.images_medium else "",
    )
    if study.images_received and study.disc_location:
        images += "<br/>" + markup_escape(f"kept: {study.disc_location}")
    return [
        Paragraph(markup_escape(study.date.display() if study.date else "date unknown"), cell),
        Paragraph(name, cell),
        Paragraph(where or "—", cell),
        Paragraph(_received(study.report_received, study.report_received_on), cell),
        Paragraph(images, cell),
        Paragraph(_findings(study), note),
    ]


def _findings(study: ImagingData) -> str:
    """The key findings; when the report is not on file they are someone's account of it
    (the referral, the patient), and the surgeon is told so before reading them."""
    if not study.findings.strip():
        return "—"
    findings = markup_escape_lines(study.findings)
    if study.report_received:
        return findings
    return (
        f'<font color="#8A1C1C"><b>Report not on file:</b></font> '
        f"<i>as told to us, not read from the report.</i><br/>{findings}"
    )


def appointment_text(appointment: VisitAppointment) -> str:
    """'Wed 12/09/2026 7:00 AM · New consultation · Ana Lindqvist, MD'."""
    when = f"{appointment.starts_at:%a} {page_identity.visit_time(appointment.starts_at)}"
    return SEPARATOR.join(
        part.strip() for part in (when, appointment.type_name, appointment.provider) if part.strip()
    )


def _patient_panel(history: PatientHistory, styles: DocumentStyles, width: float) -> Table:
    age = (
        history.today.year
        - history.date_of_birth.year
        - (
            (history.today.month, history.today.day)
            < (history.date_of_birth.month, history.date_of_birth.day)
        )
    )
    rows = [
        [
            Paragraph(f"<b>{markup_escape(history.patient_name, bold=True)}</b>", styles.panel),
            Paragraph(markup_escape(f"MRN {history.mrn}"), styles.panel),
        ],
        [
            Paragraph(
                markup_escape(f"Born {history.date_of_birth:%m/%d/%Y} (age {age})"),
                styles.panel,
            ),
            Paragraph(markup_escape(f"As of {history.today:%m/%d/%Y}"), styles.panel),
        ],
    ]
    visit = history.visit
    labelled = [
        ("Reason for visit", visit.reason or "not recorded"),
        ("Referred by", visit.referring_physician or "not recorded"),
        ("Language", _language(visit.language, visit.interpreter_needed)),
    ]
    if visit.appointment is not None:
        labelled.insert(0, ("Appointment", appointment_text(visit.appointment)))
    for label, value in labelled:
        rows.append(
            [
                Paragraph(
                    f"<b>{markup_escape(label, bold=True)}:</b> {markup_escape(value)}",
                    styles.panel,
                ),
                Paragraph("", styles.panel),
            ]
        )
    table = Table(rows, colWidths=[width * 0.62, width * 0.38])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL),
                ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                *(("SPAN", (0, row), (-1, row)) for row in range(2, len(rows))),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 4),
            ]
        )
    )
    return table


def render(history: PatientHistory, practice: PracticeDetails, *, invariant: bool = True) -> bytes:
    """The summary as PDF bytes (letter size; byte-stable for the same inputs by default)."""
    check_printable({"history": history, "practice": practice})
    letterhead = summary_letterhead(history, practice)
    buffer = io.BytesIO()
    document = letterhead_document(
        buffer,
        letterhead,
        page_size=PAGE_SIZE,
        title=f"{TITLE}: {history.mrn}",
        subject=TITLE,
        invariant=invariant,
    )
    document.build(summary_story(history), canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def summary_letterhead(history: PatientHistory, practice: PracticeDetails) -> Letterhead:
    """The letterhead of the summary's pages (in English: it is written for the surgeon)."""
    return Letterhead(
        practice,
        page_width=PAGE_SIZE[0],
        language="en",
        footer_text=f"{TITLE}  ·  MRN {history.mrn}  ·  printed {history.today.isoformat()}",
        later_header_text=f"{history.patient_name}  ·  MRN {history.mrn}",
        identity=summary_identity(history),
    )


def summary_identity(history: PatientHistory) -> page_identity.PageIdentity:
    """Name, date of birth and MRN on every page; printed for an appointment (a day's file of
    summaries), name, date of birth and the visit's time and type instead, so a loose page
    finds its line of the day (the MRN stays in the footer: with it the name was cut)."""
    appointment = history.visit.appointment
    if appointment is None:
        return page_identity.born(history.patient_name, history.date_of_birth, mrn=history.mrn)
    return page_identity.with_visit(
        page_identity.born(history.patient_name, history.date_of_birth),
        appointment.starts_at,
        appointment.type_name,
    )


def summary_story(history: PatientHistory) -> list[Flowable]:
    """The summary's flowables, for ``render`` and for documents that carry the summary
    after their own pages (pre-visit packets), on ``PAGE_SIZE`` pages within ``MARGIN``."""
    styles = document_styles(False)
    cell, head, note = cell_styles(CELL_SIZE)
    width = PAGE_SIZE[0] - 2 * MARGIN
    story: list[Flowable] = [
        Paragraph(markup_escape(TITLE), styles.title),
        _patient_panel(history, styles, width),
        Spacer(1, 8),
        Paragraph(markup_escape(history.summary_line), styles.body),
    ]

    story.append(Paragraph(markup_escape("Prior spine surgeries"), styles.heading))
    if history.surgeries:
        story.append(
            record_table(
                (
                    "Date",
                    "Procedure and levels",
                    "Surgeon, facility",
                    "Hardware",
                    "Outcome",
                    "Fusion",
                    "Op report",
                ),
                [_surgery_row(s, cell, note) for s in reversed(history.surgeries)],
                (
                    0.11 * width,
                    0.23 * width,
                    0.16 * width,
                    0.13 * width,
                    0.13 * width,
                    0.11 * width,
                    0.13 * width,
                ),
                head,
            )
        )
    else:
        story.append(Paragraph("No prior spine surgery recorded.", styles.body))

    story.append(Paragraph(markup_escape("Imaging"), styles.heading))
    if history.imaging:
        story.append(
            record_table(
                ("Date", "Study", "Facility", "Report", "Images", "Key findings"),
                [_imaging_row(i, cell, note) for i in reversed(history.imaging)],
                (
                    0.12 * width,
                    0.19 * width,
                    0.19 * width,
                    0.12 * width,
                    0.14 * width,
                    0.24 * width,
                ),
                head,
            )
        )
    else:
        story.append(Paragraph("No imaging recorded.", styles.body))

    missing = [record.text for record in history.summary.missing]
    outdated = [item.text() for item in history.summary.outdated]
    block: list[Flowable] = [Paragraph(markup_escape("Missing records"), styles.heading)]
    if missing or outdated:
        block.extend(
            Paragraph(markup_escape(text[:1].upper() + text[1:]), styles.bullet, bulletText="•")
            for text in [*missing, *(f"new imaging may be needed: {t}" for t in outdated)]
        )
    elif not history.surgeries and not history.imaging:
        block.append(
            Paragraph(
                "None listed: no surgery or imaging is recorded, so there is nothing to "
                "ask for yet. Ask the patient about earlier spine care and imaging.",
                styles.body,
            )
        )
    else:
        block.append(
            Paragraph(
                "None: every operative report, imaging report and set of images recorded "
                "above is on file.",
                styles.body,
            )
        )
    story.append(KeepTogether(block[:3]))
    story.extend(block[3:])
    return story
