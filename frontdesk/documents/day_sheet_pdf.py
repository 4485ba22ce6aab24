"""The day sheet PDF: one provider's day (or a section per provider), landscape, page X of Y."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Table

from frontdesk.documents.escape import markup_escape
from frontdesk.documents.letterhead import (
    MARGIN,
    Letterhead,
    NumberedCanvas,
    PracticeDetails,
    letterhead_document,
)
from frontdesk.documents.scripts import check_printable
from frontdesk.documents.styles import ACCENT, FONT, FONT_BOLD, MUTED, document_styles
from frontdesk.documents.tables import record_table

if TYPE_CHECKING:
    from frontdesk.documents.day_sheet_data import DaySheetData, DaySheetRow, DaySheetSection

TITLE = "Day sheet"
CELL_SIZE = 8.5
MISSING_INK = "#8A1C1C"
COLUMNS = ("Time", "Patient", "Date of birth", "Phone", "Type", "Reason", "Imaging and records")
# Shares of the line: the reason and the records are the long ones.
WIDTHS = (0.10, 0.18, 0.09, 0.11, 0.11, 0.19, 0.22)
PAGE = landscape(LETTER)


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    body = document_styles(False).body
    cell = ParagraphStyle(
        "day_cell",
        parent=body,
        fontName=FONT,
        fontSize=CELL_SIZE,
        leading=CELL_SIZE * 1.25,
        spaceAfter=0,
        spaceBefore=0,
    )
    head = ParagraphStyle("day_head", parent=cell, fontName=FONT_BOLD, textColor=ACCENT)
    note = ParagraphStyle("day_note", parent=cell, textColor=MUTED, fontSize=CELL_SIZE - 0.5)
    return cell, head, note


def _lines(*parts: str) -> str:
    return "<br/>".join(markup_escape(part) for part in parts if part)


def _records(row: DaySheetRow) -> str:
    text = markup_escape(row.records)
    # "missing" in red ink (and as a word, so a black-and-white print says it too).
    return (
        text
        if row.records_complete
        else text.replace("missing", f'<font color="{MISSING_INK}"><b>missing</b></font>')
    )


def _row(
    row: DaySheetRow, data: DaySheetData, cell: ParagraphStyle, note: ParagraphStyle
) -> list[Flowable]:
    start, end = row.start.astimezone(data.zone), row.end.astimezone(data.zone)
    time_text = f"<b>{start:%H:%M}</b>–{end:%H:%M}"
    name = markup_escape(row.patient_name, bold=True)
    extra = [row.location_name, row.status.label]
    if row.overbooked:
        extra.append("overbook")
    return [
        Paragraph(time_text + "<br/>" + _lines(*extra), cell),
        Paragraph(f"<b>{name}</b><br/>{_lines('MRN ' + row.mrn)}", cell),
        Paragraph(markup_escape(f"{row.date_of_birth:%m/%d/%Y}"), cell),
        Paragraph(markup_escape(row.phone or "—"), cell),
        Paragraph(markup_escape(row.type_name), cell),
        Paragraph(markup_escape(row.reason) or "—", cell),
        Paragraph(_records(row), cell),
    ]


def _table(
    section: DaySheetSection,
    data: DaySheetData,
    width: float,
    styles: tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle],
) -> Table:
    cell, head, note = styles
    body = [_row(row, data, cell, note) for row in section.rows]
    return record_table(COLUMNS, body, [share * width for share in WIDTHS], head)


def _day_words(data: DaySheetData) -> str:
    return f"{data.day:%A} {data.day:%m/%d/%Y}"


def render(data: DaySheetData, practice: PracticeDetails, *, invariant: bool = True) -> bytes:
    """The sheet as PDF bytes: landscape letter, a section per provider, each on its own
    pages so every surgeon can be handed theirs."""
    check_printable({"day_sheet": data, "practice": practice})
    document_style = document_styles(False)
    styles = _styles()
    width = PAGE[0] - 2 * MARGIN
    day = _day_words(data)
    letterhead = Letterhead(
        practice,
        page_width=PAGE[0],
        language="en",
        footer_text=f"{TITLE}  ·  {day}  ·  printed {data.made_at:%m/%d/%Y %H:%M}  ·  "
        "confidential patient information",
        later_header_text=f"{TITLE}  ·  {day}",
    )
    buffer = io.BytesIO()
    document = letterhead_document(
        buffer,
        letterhead,
        page_size=PAGE,
        title=f"{TITLE}: {data.day.isoformat()}",
        subject=TITLE,
        invariant=invariant,
    )
    story: list[Flowable] = [Paragraph(markup_escape(f"{TITLE} · {day}"), document_style.title)]
    if not data.sections:
        story.append(Paragraph("No appointments on this day.", document_style.body))
    for index, section in enumerate(data.sections):
        if index:
            story.append(PageBreak())
        count = len(section.rows)
        heading = Paragraph(
            markup_escape(
                f"{section.provider_name} · {count} appointment{'s' if count != 1 else ''}"
            ),
            document_style.heading,
        )
        if section.rows:
            # The heading never stays alone at the foot of a page.
            story.append(KeepTogether([heading, _table(section, data, width, styles)]))
        else:
            story.extend([heading, Paragraph("No appointments on this day.", document_style.body)])
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
