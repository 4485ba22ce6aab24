"""The day sheet PDF: one provider's day (or a section per provider), landscape, page X of Y."""

from __future__ import annotations

import io
import re
from functools import partial
from typing import TYPE_CHECKING, Any

from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
)

from frontdesk.documents.escape import markup_escape
from frontdesk.documents.letterhead import (
    MARGIN,
    Letterhead,
    NumberedCanvas,
    PracticeDetails,
    letterhead_document,
)
from frontdesk.documents.scripts import check_printable
from frontdesk.documents.styles import document_styles
from frontdesk.documents.tables import CellStyles, cell_styles, record_table
from frontdesk.domain.plurals import counted

if TYPE_CHECKING:
    from frontdesk.documents.day_sheet_data import DaySheetData, DaySheetRow, DaySheetSection

TITLE = "Day sheet"
CELL_SIZE = 8.5
MISSING_INK = "#8A1C1C"
LANGUAGE_INK = "#1F4E79"
# Room a provider's heading needs with its table's header and first rows: less than this
# at the foot of a page and the section starts on the next page (never a heading alone, and
# never a page left blank under the title because a whole table was kept together).
SECTION_START_ROOM = 110.0
COLUMNS = ("Time", "Patient", "Date of birth", "Phone", "Type", "Reason", "Imaging and records")
# Shares of the line: the reason and the records are the long ones.
WIDTHS = (0.10, 0.18, 0.09, 0.11, 0.11, 0.19, 0.22)
PAGE = landscape(LETTER)


def _lines(*parts: str) -> str:
    return "<br/>".join(markup_escape(part) for part in parts if part)


_MISSING_WORD = re.compile(r"\bmissing\b", re.IGNORECASE)


def _records(row: DaySheetRow) -> str:
    text = markup_escape(row.records)
    # "missing" in red ink (and as a word, so a black-and-white print says it too).
    return (
        text
        if row.records_complete
        else _MISSING_WORD.sub(
            lambda word: f'<font color="{MISSING_INK}"><b>{word.group()}</b></font>', text
        )
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
    patient = f"<b>{name}</b><br/>{_lines('MRN ' + row.mrn)}"
    if row.language_text:
        # The interpreter has to be booked before the patient arrives: it stands out.
        note_text = markup_escape(row.language_text, bold=True)
        patient += f'<br/><font color="{LANGUAGE_INK}"><b>{note_text}</b></font>'
    return [
        Paragraph(time_text + "<br/>" + _lines(*extra), cell),
        Paragraph(patient, cell),
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
    styles: CellStyles,
) -> Table:
    cell, head, note = styles
    body = [_row(row, data, cell, note) for row in section.rows]
    return record_table(COLUMNS, body, [share * width for share in WIDTHS], head)


def _day_words(data: DaySheetData) -> str:
    return f"{data.day:%A} {data.day:%m/%d/%Y}"


def _template_id(index: int) -> str:
    return f"section-{index}"


def _draw_later_page(letterhead: Letterhead, header: str, canvas: Canvas, doc: Any) -> None:
    letterhead.later_header_text = header
    letterhead.draw_later_page(canvas, doc)


def _name_providers_in_headers(
    document: Any, letterhead: Letterhead, data: DaySheetData, day: str
) -> None:
    """Every page after the first names its provider in the header: a page that slips out
    of the pile still says whose day it is."""
    later = next(template for template in document.pageTemplates if template.id == "later")
    headers = [f"{TITLE}  ·  {day}  ·  {section.provider_name}" for section in data.sections]
    if headers:
        later.onPage = partial(_draw_later_page, letterhead, headers[0])
    document.addPageTemplates(
        [
            PageTemplate(
                _template_id(index),
                later.frames,
                onPage=partial(_draw_later_page, letterhead, header),
            )
            for index, header in enumerate(headers)
            if index
        ]
    )


def render(data: DaySheetData, practice: PracticeDetails, *, invariant: bool = True) -> bytes:
    """The sheet as PDF bytes: landscape letter, a section per provider, each on its own
    pages so every surgeon can be handed theirs."""
    check_printable({"day_sheet": data, "practice": practice})
    document_style = document_styles(False)
    styles = cell_styles(CELL_SIZE)
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
    _name_providers_in_headers(document, letterhead, data, day)
    for index, section in enumerate(data.sections):
        if index:
            # The section's own pages: their header names its provider.
            story.extend([NextPageTemplate(_template_id(index)), PageBreak()])
        count = len(section.rows)
        heading = Paragraph(
            markup_escape(f"{section.provider_name} · {counted(count, 'appointment')}"),
            document_style.heading,
        )
        if section.rows:
            story.extend(
                [
                    CondPageBreak(SECTION_START_ROOM),
                    heading,
                    _table(section, data, width, styles),
                ]
            )
        else:
            story.extend([heading, Paragraph("No appointments on this day.", document_style.body)])
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
