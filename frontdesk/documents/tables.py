"""The house table for lists of records in the documents we make (day sheet, summary)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from frontdesk.documents.escape import markup_escape
from frontdesk.documents.styles import ACCENT, PANEL, RULE

# A tinted header row repeated on each page, banded rows, thin rules.
HEADER_BACKGROUND = colors.HexColor("#DCE7EE")


def record_table(
    header: Sequence[str],
    rows: list[list[Flowable]],
    widths: Sequence[float],
    head_style: ParagraphStyle,
) -> Table:
    """The house table for records: ``header`` titles over ``rows`` of Paragraphs."""
    data: list[list[Flowable]] = [[Paragraph(markup_escape(title), head_style) for title in header]]
    data.extend(rows)
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, PANEL]),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table
