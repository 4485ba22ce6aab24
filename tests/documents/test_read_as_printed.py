"""What a reader stumbled on in `make documents`' pages, read back from the PDF text."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from frontdesk.documents import handout_pdf, packet_pdf, page_identity
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.services.handouts.library import HandoutLibrary
from tests.documents.pdfs import page_texts
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


def test_large_print_pages_never_cut_the_practice_name_or_the_title_short(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    # At 16 pt beside "María José Núñez-García · Fecha de nac. 03/04/1961" the later pages
    # said "Lakeside Spine Cen…", and the footer "Síndrome de es…": both read as misprints.
    handout = library.get("failed-back-syndrome", "es")
    pdf = handout_pdf.render(
        handout,
        practice,
        "María José Núñez-García",
        dt.date(2026, 12, 7),
        large_print=True,
        identity=page_identity.born("María José Núñez-García", dt.date(1961, 3, 4), "es"),
    )
    pages = page_texts(pdf)
    assert len(pages) > 2
    for page in pages:
        text = " ".join(page.split())
        assert "Fecha de nac. 03/04/1961" in text
        assert "Lakeside Spine Center" in text or "Lakeside Spine" not in text
        assert "Lakeside Spine Cen…" not in text
        assert "Síndrome de es…" not in text
        assert "failed-back-syndrome · versión 2" in text.replace("  ", " ")


def test_a_heading_and_its_short_list_follow_a_figure_on_its_page(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    # "Síntomas" and its two bullets went to a new page under the spine drawing (a page
    # two-thirds empty): one keep-together inside another measured as endless.
    handout = library.get("failed-back-syndrome", "es")
    pdf = handout_pdf.render(
        handout, practice, "María José Núñez-García", dt.date(2026, 12, 7), large_print=True
    )
    pages = [" ".join(page.split()) for page in page_texts(pdf)]
    figure = next(page for page in pages if "Canal espinal" in page)
    assert "Síntomas" in figure
    assert "trabajar o cuidarse" in figure


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_closing_box_never_sits_alone_on_the_last_page(
    library: HandoutLibrary, practice: PracticeDetails, language: str
) -> None:
    # "Questions, or need to change your visit?" was all there was on page 2 of the
    # Preparing handout (and of every patient's packet) for the demo practice (no logo).
    practice = dataclasses.replace(
        practice, logo=None, website="https://lakeside-spine.example.com"
    )
    handout = library.get("preparing-for-consultation", language)
    pdf = handout_pdf.render(
        handout,
        practice,
        "Seán O'Connor",
        dt.date(2026, 12, 7),
        review=handout_pdf.ReviewMark(
            draft=False, reviewed_on=dt.date(2026, 12, 1), reviewer="Ana Lindqvist, MD"
        ),
        identity=page_identity.born("Seán O'Connor", dt.date(1958, 9, 17), language),
    )
    pages = [" ".join(page.split()) for page in page_texts(pdf)]
    box_title = "Questions, or need" if language == "en" else "¿Preguntas, o necesita"
    last_bullet = "tell us when you book" if language == "en" else "díganos cuando haga su cita"
    assert len(pages) == 2  # what the case is about: the box does not fit on page 1
    closing = next(page for page in pages if box_title in page)
    assert last_bullet in closing
