"""What a reader stumbled on in `make documents`' pages, read back from the PDF text."""

from __future__ import annotations

import dataclasses

import pytest

from frontdesk.documents import packet_pdf
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.services.handouts.library import HandoutLibrary
from tests.documents.test_packet_pdf_reuse import _content
from tests.helpers.pdfs import pdf_text


@pytest.mark.parametrize(
    ("language", "chart", "printed"),
    [
        ("es", "Spanish", "intérprete para su cita (español)."),
        ("es", "Vietnamese", "intérprete para su cita (Vietnamese)."),
        ("en", "spanish", "interpreter for your visit (Spanish)."),
    ],
)
def test_the_interpreter_language_is_named_in_the_letter_s_language(
    library: HandoutLibrary, practice: PracticeDetails, language: str, chart: str, printed: str
) -> None:
    # The chart says "Spanish"; a letter in Spanish said "(Spanish)" in the middle of a
    # Spanish sentence.
    content = dataclasses.replace(
        _content(library, "María José Núñez", language),
        interpreter_needed=True,
        interpreter_language=chart,
    )
    text = pdf_text(packet_pdf.render_packets([content], practice))
    assert printed in text
    if language == "es" and chart == "Spanish":
        assert "(Spanish)" not in text
