"""The surgeon's history summaries of a day's new consultations, in one file of their own.

Never in a patient's packet (the packet is handed or mailed to the patient; the summary is
for the surgeon): this file goes to the surgeon, in appointment order, each summary numbered
on its own and, printed two-sided, each patient on a new sheet.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reportlab.platypus import BaseDocTemplate, Flowable, NextPageTemplate, PageBreak, PageTemplate

from frontdesk.documents import history_summary_pdf
from frontdesk.documents.batch import GroupedCanvas, blank_template, end_of_part
from frontdesk.documents.letterhead import MARGIN, PracticeDetails
from frontdesk.documents.packet_pdf import page_templates
from frontdesk.documents.scripts import check_printable

if TYPE_CHECKING:
    from frontdesk.domain.history_records import PatientHistory

TITLE = "History summaries for the surgeon"


def render_summaries(
    histories: Sequence[PatientHistory],
    practice: PracticeDetails,
    *,
    two_sided: bool = False,
    invariant: bool = True,
) -> bytes:
    """One PDF with each summary in the order given (letter paper, as summaries print)."""
    if not histories:
        raise ValueError("no summaries to render")
    check_printable({"histories": list(histories), "practice": practice})
    page_size = history_summary_pdf.PAGE_SIZE
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=page_size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{TITLE} ({len(histories)})",
        author=practice.name,
        subject=history_summary_pdf.TITLE,
        creator="Front Desk",
        lang="en",
        invariant=1 if invariant else 0,
        displayDocTitle=1,
    )
    templates: list[PageTemplate] = []
    story: list[Flowable] = []
    for number, history in enumerate(histories):
        letterhead = history_summary_pdf.summary_letterhead(history, practice)
        name = f"{number}.summary"
        templates += page_templates(name, letterhead, page_size, number, full=True)
        if story:
            story += [NextPageTemplate(f"{name}.first"), PageBreak()]
        story += history_summary_pdf.summary_story(history)
        if two_sided:
            blank = f"{number}.blank"
            templates.append(blank_template(blank, letterhead, page_size, number))
            story += end_of_part(number, blank)
    document.addPageTemplates(templates)
    document.build(story, canvasmaker=GroupedCanvas)
    return buffer.getvalue()
