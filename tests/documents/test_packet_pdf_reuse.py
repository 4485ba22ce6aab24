"""Packets reuse parsed and laid-out paragraphs across a run: the PDFs stay exactly the same."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from frontdesk.documents import packet_pdf
from frontdesk.documents.handout_pdf import AppointmentDetails
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.documents.packet_content import PacketContent
from frontdesk.documents.parsed_paragraphs import LAYOUT_ATTRIBUTES, ParsedParagraphs
from frontdesk.documents.styles import document_styles
from frontdesk.domain.what_to_bring import what_to_bring
from frontdesk.services.handouts.library import HandoutLibrary
from tests.documents.pdfs import page_texts

DAY = dt.date(2026, 11, 25)
# One run of plain text, and several runs (bold, escaped markup) that ReportLab lays out
# another way; both long enough to break into lines.
TEXTS = [
    "Please bring every report of the surgeries you had on your spine, " * 4,
    "Call <b>(217) 555-0142</b> if the pain &amp; numbness get worse, " * 4,
]


def _drawn(paragraph: Paragraph, width: float) -> bytes:
    """The page content a paragraph draws, once laid out at ``width``."""
    canvas = Canvas(io.BytesIO(), invariant=1, pageCompression=0)
    _width, height = paragraph.wrap(width, 10_000)
    paragraph.drawOn(canvas, 50, 700 - height)
    canvas.showPage()
    return bytes(canvas.getpdfdata())


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("bullet", [None, "•"])
def test_the_layout_kept_is_everything_wrap_leaves(text: str, bullet: str | None) -> None:
    # A reused layout copies these attributes: anything else ReportLab's wrap sets would
    # be missing from a paragraph that took its layout from an earlier one.
    paragraph = Paragraph(text, document_styles().bullet, bulletText=bullet)
    before = dict(paragraph.__dict__)
    paragraph.wrap(300, 10_000)
    changed = {
        name
        for name, value in paragraph.__dict__.items()
        if name not in before or before[name] is not value
    }
    assert changed <= set(LAYOUT_ATTRIBUTES)


@pytest.mark.parametrize("text", TEXTS)
def test_a_reused_layout_draws_what_a_fresh_paragraph_draws(text: str) -> None:
    style = document_styles().body
    paragraphs = ParsedParagraphs()
    first, second = paragraphs(text, style), paragraphs(text, style)
    assert first is not second and len(paragraphs) == 1  # parsed once, two paragraphs
    fresh = _drawn(Paragraph(text, style), 300)
    assert _drawn(first, 300) == fresh
    assert _drawn(second, 300) == fresh  # the layout of the first, reused
    # Another width is laid out anew, not taken from the first width's.
    assert _drawn(paragraphs(text, style), 200) == _drawn(Paragraph(text, style), 200)


def _content(
    library: HandoutLibrary, name: str, language: str, large_print: bool = False
) -> PacketContent:
    ids = ("failed-back-syndrome", "pseudarthrosis", "adjacent-segment-disease")
    return PacketContent(
        language=language,
        patient_name=name,
        patient_address="12 Oak St\nSpringfield, IL 62701",
        appointment=AppointmentDetails(
            dt.datetime(2026, 12, 1, 9, 30), "Adaeze Okafor, MD", "Main office", "100 Main St"
        ),
        appointment_type="New consultation",
        printed_on=DAY,
        what_to_bring=what_to_bring(language=language),
        preparing=library.get("preparing-for-consultation", language),
        handouts=tuple(library.get(handout_id, language) for handout_id in ids),
        note="Parking is behind the building.",
        large_print=large_print,
    )


@pytest.mark.parametrize("large_print", [False, True])
def test_packets_of_one_run_are_the_files_each_would_be_alone(
    library: HandoutLibrary, practice: PracticeDetails, large_print: bool
) -> None:
    # Several patients, the same handouts (long enough to split across pages): every file
    # of a run that shares its paragraphs is byte for byte the file rendered on its own.
    contents = [
        _content(library, "Seán O'Connor", "en", large_print),
        _content(library, "Nguyễn Thị Hoa", "en", large_print),
        _content(library, "María José Núñez", "es", large_print),
        _content(library, "Zoë Lindqvist", "en", large_print),
    ]
    run = ParsedParagraphs()
    shared = [packet_pdf.render_packets([c], practice, paragraphs=run) for c in contents]
    alone = [packet_pdf.render_packets([c], practice) for c in contents]
    assert shared == alone
    assert len(page_texts(shared[0])) > 6  # handouts that did split across pages
    combined = packet_pdf.render_packets(contents, practice)
    assert packet_pdf.render_packets(contents, practice, paragraphs=run) == combined
