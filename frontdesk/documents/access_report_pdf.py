"""A patient's access report (who opened or changed the chart) on the practice letterhead."""

from __future__ import annotations

import io
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from frontdesk.documents.escape import markup_escape, markup_escape_lines
from frontdesk.documents.letterhead import (
    MARGIN,
    Letterhead,
    NumberedCanvas,
    PracticeDetails,
    letterhead_document,
)
from frontdesk.documents.scripts import check_printable
from frontdesk.documents.styles import ACCENT, MUTED, PANEL, document_styles
from frontdesk.documents.tables import cell_styles, record_table

if TYPE_CHECKING:
    from frontdesk.documents.access_report_data import AccessReportData, AccessReportRow

TITLE = "Who opened or changed this chart"
SHORT_TITLE = "Access report"
PAGE_SIZE = LETTER
CELL_SIZE = 8.0
ENTRY_COLUMNS = ("When", "Who", "Workstation", "What", "Details")
ENTRY_WIDTHS = (0.17, 0.21, 0.13, 0.19, 0.30)
PEOPLE_COLUMNS = ("Person", "Opened or printed", "Changed", "First", "Last")
PEOPLE_WIDTHS = (0.34, 0.14, 0.10, 0.21, 0.21)


def when(moment: datetime, zone: tzinfo, separator: str = " ") -> str:
    """'12/07/2026 09:14 CST': the practice's wall clock, with its zone's abbreviation."""
    local = moment.astimezone(zone)
    return f"{local:%m/%d/%Y}{separator}{local:%H:%M} {local.tzname() or ''}".rstrip()


def _entry(row: AccessReportRow, zone: tzinfo, cell: ParagraphStyle) -> list[Flowable]:
    what = f"<b>{markup_escape(row.action, bold=True)}</b><br/>{markup_escape(row.record)}"
    return [
        Paragraph(markup_escape_lines(when(row.at, zone, "\n")), cell),
        Paragraph(markup_escape(row.person), cell),
        Paragraph(markup_escape(row.workstation) or "—", cell),
        Paragraph(what, cell),
        Paragraph(markup_escape(row.details) or "—", cell),
    ]


def _panel(data: AccessReportData, width: float) -> Table:
    styles = document_styles(False)
    born = f"Born {data.date_of_birth:%m/%d/%Y}" if data.date_of_birth else ""
    rows = [
        [
            Paragraph(f"<b>{markup_escape(data.patient_name, bold=True)}</b>", styles.panel),
            Paragraph(markup_escape(f"MRN {data.mrn}"), styles.panel),
        ],
        [
            Paragraph(markup_escape(born), styles.panel),
            Paragraph(markup_escape(f"{len(data.rows)} entries"), styles.panel),
        ],
        [
            Paragraph(
                markup_escape(
                    f"Made {when(data.made_at, data.zone)} by {data.made_by}. Times are the "
                    f"practice's ({data.zone})."
                ),
                styles.small,
            ),
            "",
        ],
    ]
    table = Table(rows, colWidths=[width * 0.62, width * 0.38])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL),
                ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
                ("SPAN", (0, 2), (-1, 2)),
            ]
        )
    )
    return table


def render(data: AccessReportData, practice: PracticeDetails, *, invariant: bool = True) -> bytes:
    """The report as PDF bytes: letter size, letterhead, header rows repeated on every page."""
    check_printable({"report": data, "practice": practice})
    styles = document_styles(False)
    cell, head, _ = cell_styles(CELL_SIZE)
    width = PAGE_SIZE[0] - 2 * MARGIN
    letterhead = Letterhead(
        practice,
        page_width=PAGE_SIZE[0],
        language="en",
        footer_text=f"{SHORT_TITLE}  ·  MRN {data.mrn}  ·  made {when(data.made_at, data.zone)}"
        "  ·  confidential patient information",
        later_header_text=f"{SHORT_TITLE}  ·  {data.patient_name}  ·  MRN {data.mrn}",
    )
    buffer = io.BytesIO()
    document = letterhead_document(
        buffer,
        letterhead,
        page_size=PAGE_SIZE,
        title=f"{SHORT_TITLE}: {data.mrn}",
        subject=SHORT_TITLE,
        invariant=invariant,
    )
    story: list[Flowable] = [
        Paragraph(markup_escape(TITLE), styles.title),
        _panel(data, width),
        Spacer(1, 6),
    ]
    if not data.rows:
        story.append(Paragraph("Nobody has opened or changed this chart yet.", styles.body))
    else:
        story.extend(
            [
                CondPageBreak(90),
                Paragraph("By person", styles.heading),
                record_table(
                    PEOPLE_COLUMNS,
                    [
                        [
                            Paragraph(markup_escape(person.person), cell),
                            Paragraph(str(person.views), cell),
                            Paragraph(str(person.changes), cell),
                            Paragraph(markup_escape(when(person.first_at, data.zone)), cell),
                            Paragraph(markup_escape(when(person.last_at, data.zone)), cell),
                        ]
                        for person in data.people
                    ],
                    [share * width for share in PEOPLE_WIDTHS],
                    head,
                ),
                CondPageBreak(90),
                Paragraph("Every entry, newest first", styles.heading),
                record_table(
                    ENTRY_COLUMNS,
                    [_entry(row, data.zone, cell) for row in data.rows],
                    [share * width for share in ENTRY_WIDTHS],
                    head,
                ),
                Spacer(1, 8),
                Paragraph(
                    markup_escape(
                        "Opened or printed: the chart was read, printed or exported. Changed: "
                        "something in it was added, changed or removed (which fields, and an "
                        "appointment's times, provider and status; never what people typed)."
                    ),
                    ParagraphStyle("access_note", parent=styles.small, textColor=MUTED),
                ),
            ]
        )
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
