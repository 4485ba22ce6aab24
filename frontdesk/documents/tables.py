"""The house table for lists of records in our documents, and the styles of its cells."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from frontdesk.documents.escape import markup_escape
from frontdesk.documents.styles import (
    ACCENT,
    FONT,
    FONT_BOLD,
    MUTED,
    PANEL,
    RULE,
    document_styles,
)

# A tinted header row repeated on each page, banded rows, thin rules.
HEADER_BACKGROUND = colors.HexColor("#DCE7EE")


class CellStyles(NamedTuple):
    """The paragraph styles inside a record table: its cells, its header row, and a muted
    note under a cell's text."""

    cell: ParagraphStyle
    head: ParagraphStyle
    note: ParagraphStyle


def cell_styles(size: float) -> CellStyles:
    """The house cell styles at ``size`` points (set tight: no space around a cell's text)."""
    cell = ParagraphStyle(
        "cell",
        parent=document_styles(False).body,
        fontName=FONT,
        fontSize=size,
        leading=size * 1.25,
        spaceAfter=0,
        spaceBefore=0,
    )
    head = ParagraphStyle("cell_head", parent=cell, fontName=FONT_BOLD, textColor=ACCENT)
    note = ParagraphStyle("cell_note", parent=cell, textColor=MUTED, fontSize=size - 0.5)
    return CellStyles(cell, head, note)


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
