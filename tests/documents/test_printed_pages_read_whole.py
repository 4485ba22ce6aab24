"""Printed pages a practice can trust (issue #17): a handout's review and source line prints
whole, in its own room above the footer; the packet's "What to bring" box splits across pages
rather than leaving half a page empty; a packet gives the practice's numbers once."""

from __future__ import annotations

import datetime as dt

import pytest

from frontdesk.documents import handout_pdf, packet_pdf, page_identity
from frontdesk.documents.handout_pdf import PENDING_REVIEW, AppointmentDetails, review_line
from frontdesk.documents.letterhead import (
    FOOTER_BASELINE,
    FOOTER_NOTE_SIZE,
    LARGE_PRINT_SCALE,
    MARGIN,
    Letterhead,
    PracticeDetails,
)
from frontdesk.documents.packet_content import PacketContent
from frontdesk.documents.styles import document_styles
from frontdesk.documents.what_to_bring_box import personal_list
from frontdesk.domain.what_to_bring import WhatToBring
from frontdesk.services.handouts.library import HandoutLibrary
from tests.documents.pdfs import TextPiece, all_text, page_texts, text_pieces

DAY = dt.date(2026, 12, 7)
VISIT = dt.datetime(2026, 12, 9, 7, 0)
NAME = "María José Núñez-García"
PHONE = "(217) 555-0142"  # the practice's main number (tests/documents/conftest.py)
# The handout with the longest source line: in large print it takes two lines.
LONG_SOURCE = "failed-back-syndrome"
PREPARING = "preparing-for-consultation"
# María José's own list in the demo: three long items (her scan and two operations).
BRING = {
    "en": (
        "Please bring your lumbar MRI from May 2024: the disc (or USB stick) and the written "
        "report. If you had a newer scan, bring it too.",
        "Please bring the operative report of your 2021 surgery (L3–L4 TLIF).",
        "Please bring the operative report of your 2019 surgery (L4–L5 TLIF).",
    ),
    "es": (
        "Por favor traiga su resonancia magnética lumbar de mayo de 2024: el disco (o la "
        "memoria USB) y el informe escrito. Si se hizo un estudio más reciente, tráigalo "
        "también.",
        "Por favor traiga el informe operatorio de su cirugía de 2021 (L3–L4 TLIF).",
        "Por favor traiga el informe operatorio de su cirugía de 2019 (L4–L5 TLIF).",
    ),
}
BEFORE_THE_BOX = {"en": "Before your visit", "es": "Antes de su visita"}
BOX_TITLE = {"en": "What to bring: your own list", "es": "Qué traer: su propia lista"}
# DejaVu Sans: how far letters reach above and below the baseline, in em.
ASCENT, DESCENT = 0.93, 0.24
LANGUAGES = ["en", "es"]
PRINTS = [pytest.param(False, id="regular"), pytest.param(True, id="large-print")]


def flat(text: str) -> str:
    return " ".join(text.split())


def packet(
    library: HandoutLibrary,
    language: str,
    *,
    large_print: bool = True,
    handouts: tuple[str, ...] = (),
    bring: tuple[str, ...] | None = None,
    on_file: tuple[str, ...] = (),
) -> PacketContent:
    return PacketContent(
        language=language,
        patient_name=NAME,
        patient_address="2839 Park Pl\nChampaign, IL 61818",
        appointment=AppointmentDetails(
            VISIT, "Ana Lindqvist, MD", "Decatur clinic", "455 N Water St\nDecatur, IL 62523"
        ),
        appointment_type="New consultation",
        printed_on=DAY,
        what_to_bring=WhatToBring(BRING[language] if bring is None else bring, on_file),
        preparing=library.get(PREPARING, language),
        handouts=tuple(library.get(handout_id, language) for handout_id in handouts),
        identity=page_identity.visit(NAME, VISIT, language),
        large_print=large_print,
    )


def review_parts(library: HandoutLibrary, handout_id: str, language: str) -> list[str]:
    """The parts of a handout's review line ("Not yet reviewed", "Adapted from ...")."""
    line = review_line(library.get(handout_id, language), PENDING_REVIEW)
    return [flat(part) for part in line.split("·")]


@pytest.mark.parametrize("large_print", PRINTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_handouts_review_and_source_line_prints_whole_on_every_page(
    library: HandoutLibrary, practice: PracticeDetails, language: str, large_print: bool
) -> None:
    pdf = handout_pdf.render(
        library.get(LONG_SOURCE, language), practice, NAME, DAY, large_print=large_print
    )
    parts = review_parts(library, LONG_SOURCE, language)
    assert any("Burak Ozgur" in part for part in parts)  # the source's last words
    pages = page_texts(pdf)
    assert len(pages) > 1
    for page in pages:
        for part in parts:
            assert part in flat(page)
        assert "…" not in page  # nothing in the footer was cut short


def _footer_and_body(
    pieces: list[TextPiece], scale: float
) -> tuple[list[TextPiece], list[TextPiece], list[TextPiece]]:
    """The page's footer line (page number), its note (the review line) and its body
    (what the frame holds: neither header, footer nor the "Draft" watermark)."""
    page_line = [p for p in pieces if abs(p.y - FOOTER_BASELINE) < 0.5]
    note = [
        p for p in pieces if abs(p.size - FOOTER_NOTE_SIZE * scale) < 0.01 and p not in page_line
    ]
    body = [
        p for p in pieces if p not in page_line and p not in note and p.y < 792 - 90 and p.size < 60
    ]
    return page_line, note, body


@pytest.mark.parametrize("large_print", PRINTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_footer_note_lies_above_the_page_number_and_below_the_body(
    library: HandoutLibrary, practice: PracticeDetails, language: str, large_print: bool
) -> None:
    pdf = handout_pdf.render(
        library.get(LONG_SOURCE, language), practice, NAME, DAY, large_print=large_print
    )
    scale = LARGE_PRINT_SCALE if large_print else 1.0
    for number in range(len(page_texts(pdf))):
        page_line, note, body = _footer_and_body(text_pieces(pdf, number), scale)
        assert page_line and note and body
        page_line_top = max(p.y + ASCENT * p.size for p in page_line)
        assert min(p.y - DESCENT * p.size for p in page_line) > 0  # on the paper
        note_bottom = min(p.y - DESCENT * p.size for p in note)
        note_top = max(p.y + ASCENT * p.size for p in note)
        body_bottom = min(p.y - DESCENT * p.size for p in body)
        assert page_line_top < note_bottom
        assert note_top < body_bottom, f"page {number + 1}: the body runs into the footer"
        assert all(p.x > MARGIN - 0.5 for p in note)


@pytest.mark.parametrize("large_print", PRINTS)
def test_the_footer_keeps_the_room_its_note_needs_and_no_more(
    practice: PracticeDetails, large_print: bool
) -> None:
    def footer(note: str) -> Letterhead:
        return Letterhead(
            practice,
            page_width=612,
            language="en",
            footer_text="x",
            later_header_text="y",
            large_print=large_print,
            footer_note=note,
        )

    scale = LARGE_PRINT_SCALE if large_print else 1.0
    bare, one = footer(""), footer("Not yet reviewed")
    two = footer("Not yet reviewed  ·  " + "Adapted from a very long source " * 5)
    five = footer("Adapted from a very long source " * 30)
    assert bare.footer_height == pytest.approx(30 + 28 * scale)  # as it always was
    assert one.footer_height == pytest.approx(bare.footer_height)  # a line fits that room
    more = len(two.footer_note_lines) - 1
    assert more >= 1
    # Each line more takes at most its leading more (the first had some room to spare).
    assert one.footer_height < two.footer_height
    assert two.footer_height <= one.footer_height + more * two.footer_note_leading + 0.01
    assert len(five.footer_note_lines) == 4 and five.footer_note_lines[-1].endswith("…")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_large_print_packets_handout_pages_carry_the_whole_review_line(
    library: HandoutLibrary, practice: PracticeDetails, language: str
) -> None:
    content = packet(library, language, handouts=(LONG_SOURCE,))
    pdf = packet_pdf.render_packets([content], practice)
    pages = page_texts(pdf)
    letter = {"en": "Appointment confirmation", "es": "Confirmación de cita"}[language]
    handout_pages = [page for page in pages if letter not in page]
    assert len(handout_pages) >= 4
    for page in handout_pages:
        handout_id = LONG_SOURCE if LONG_SOURCE in page else PREPARING
        for part in review_parts(library, handout_id, language):
            assert part in flat(page)
    for number in range(len(pages)):
        _page_line, note, body = _footer_and_body(text_pieces(pdf, number), LARGE_PRINT_SCALE)
        if note:
            assert max(p.y + ASCENT * p.size for p in note) < min(
                p.y - DESCENT * p.size for p in body
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_what_to_bring_box_starts_under_the_text_before_it_in_large_print(
    library: HandoutLibrary, practice: PracticeDetails, language: str
) -> None:
    # The demo's Spanish large-print packet left half of "Preparing" page 1 empty: the box,
    # kept whole, went to the next page. It now starts under the text before it.
    pdf = packet_pdf.render_packets([packet(library, language)], practice)
    pages = [flat(page) for page in page_texts(pdf)]

    def page_of(text: str) -> int:
        return next(number for number, page in enumerate(pages) if flat(text) in page)

    before = page_of(BEFORE_THE_BOX[language])
    assert page_of(BOX_TITLE[language]) == before
    # The title keeps its first list's first two items; the third goes on under its label.
    first, second, third = BRING[language]
    assert page_of(first) == before and page_of(second) == before
    assert page_of(third) == before + 1
    label = {"en": "Please bring (continued):", "es": "Por favor traiga (continuación):"}
    assert pages[before + 1].index(label[language]) < pages[before + 1].index(flat(third))
    # Whatever is printed is printed once: no line of the box twice.
    assert sum(page.count(flat(first)) for page in pages) == 1


@pytest.mark.parametrize("large_print", PRINTS)
def test_the_box_splits_only_where_no_line_is_left_alone(
    library: HandoutLibrary, large_print: bool
) -> None:
    # Every height the box can be given: a part never ends on its title or a label, never
    # on one item of a longer list, and a part that goes on with a list starts with its
    # label again.
    on_file = ("Your lumbar MRI report from May 2024", "The report of your 2021 laminectomy")
    content = packet(library, "en", large_print=large_print, bring=BRING["en"] * 2, on_file=on_file)
    styles = document_styles(large_print)
    width = 612 - 2 * MARGIN
    box = personal_list(content, styles, width)[0]
    _width, whole = box.wrap(width, 10_000)
    splits = 0
    for available in range(40, int(whole), 8):
        parts = box.split(width, available)
        if not parts:
            continue
        splits += 1
        head, rest = parts
        assert head.wrap(width, available)[1] <= available
        last = head.lines[-1]
        assert last.is_item
        items_on_page = [
            line for line in head.lines if line.is_item and line.list_number == last.list_number
        ]
        assert len(items_on_page) >= min(2, last.items)
        assert not rest.lines[0].is_item  # a label (again, where a list goes on)
        if len(rest.lines) > 1 and rest.lines[1].is_item and rest.lines[1].item > 0:
            assert "(continued)" in rest.lines[0].paragraph.text
        texts = [line.paragraph.text for line in head.lines]
        assert "What to bring" in texts[0] and any("Please bring:" in t for t in texts)
    assert splits > 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_packet_gives_the_practices_numbers_once_in_the_letter(
    library: HandoutLibrary, practice: PracticeDetails, language: str
) -> None:
    pdf = packet_pdf.render_packets([packet(library, language, large_print=False)], practice)
    pages = page_texts(pdf)
    letter = {"en": "Appointment confirmation", "es": "Confirmación de cita"}[language]
    letter_text = flat(" ".join(page for page in pages if letter in page))
    handout_text = flat(" ".join(page for page in pages if letter not in page))
    # Once in the letterhead, once in "How to reach us"; the handout points there.
    assert flat(all_text(pdf)).count(PHONE) == 2
    assert letter_text.count(PHONE) == 2 and PHONE not in handout_text
    reach = {"en": "How to reach us", "es": "Cómo comunicarse con nosotros"}[language]
    assert f"“{reach}”" in handout_text
    questions = {"en": "Questions, or need to change", "es": "¿Preguntas, o necesita cambiar"}
    assert questions[language] in handout_text  # the box is there, pointing to the letter


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_handout_printed_on_its_own_still_says_how_to_reach_the_practice(
    library: HandoutLibrary, practice: PracticeDetails, language: str
) -> None:
    pdf = handout_pdf.render(library.get(PREPARING, language), practice, NAME, DAY)
    text = flat(all_text(pdf))
    # In the letterhead, and in the closing box: no letter to point to.
    assert text.count(PHONE) == 2
    assert "(800) 555-0199" in text
    assert "Our phone numbers are in your letter" not in text
    assert "Nuestros teléfonos están en su carta" not in text


def test_a_packets_same_day_box_keeps_its_number(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    # Whom the same-day box tells to call must not look for the letter: its number stays.
    pdf = packet_pdf.render_packets(
        [packet(library, "en", large_print=False, handouts=(LONG_SOURCE,))], practice
    )
    pages = page_texts(pdf)
    handout_text = flat(" ".join(page for page in pages if LONG_SOURCE in page))
    assert handout_text.count(PHONE) == 1  # the same-day box; "Ask for a visit" points
    assert "Ask for a visit Our phone numbers are in your letter" in handout_text
