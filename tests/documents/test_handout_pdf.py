"""Personalized handout PDFs, read back as a patient and a printer would see them."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from frontdesk.documents.handout_pdf import (
    MAX_NOTE_LENGTH,
    AppointmentDetails,
    appointment_time,
    long_date,
    render,
)
from frontdesk.documents.letterhead import (
    FOOTER_HEIGHT,
    MARGIN,
    QR_SIZE,
    TOP,
    PracticeDetails,
)
from frontdesk.documents.styles import missing_glyphs
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.handout_format import parse_handout
from frontdesk.services.handouts.library import HandoutLibrary
from tests.documents.pdfs import (
    all_text,
    dark_share,
    first_page_image,
    font_sizes,
    page_texts,
    text_pieces,
)

HOSTILE_NAMES = ["O'Connor & Sons <b>", "Nguyễn Thị Hoa", "Zoë", "José Núñez"]
DAY = dt.date(2026, 11, 25)
SHIPPED = sorted(
    (handout_id, language)
    for handout_id in (
        "failed-back-syndrome",
        "preparing-for-consultation",
        "mri-ct-scan",
        "spinal-stenosis",
        "pseudarthrosis",
        "adjacent-segment-disease",
    )
    for language in ("en", "es")
)


def test_the_font_has_every_letter_of_the_hostile_names() -> None:
    assert missing_glyphs("".join(HOSTILE_NAMES) + "¿¡ñáéíóúü•·") == set()


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_patients_name_prints_exactly_as_typed(
    library: HandoutLibrary, practice: PracticeDetails, name: str, language: str
) -> None:
    pdf = render(library.get("failed-back-syndrome", language), practice, name, DAY)
    pages = page_texts(pdf)
    assert name in pages[0]
    for later in pages[1:]:
        assert name in later  # the header of every later page names the patient too
    assert "&amp;" not in all_text(pdf) and "&lt;" not in all_text(pdf)


@pytest.mark.parametrize(("handout_id", "language"), SHIPPED)
def test_every_shipped_handout_renders_with_phones_headings_and_page_numbers(
    library: HandoutLibrary, practice: PracticeDetails, handout_id: str, language: str
) -> None:
    handout = library.get(handout_id, language)
    pdf = render(handout, practice, "José Núñez", DAY)
    pages = page_texts(pdf)
    text = "\n".join(pages)
    flat = " ".join(text.split())
    assert "(217) 555-0142" in text
    assert "(800) 555-0199" in text  # in the letterhead, and in {phones} boxes
    for heading in handout.headings():
        assert heading in flat, heading
    assert " ".join(handout.title.split()) in flat
    numbering = "Page {} of {}" if language == "en" else "Página {} de {}"
    for number, page in enumerate(pages, start=1):
        assert numbering.format(number, len(pages)) in page
    assert f"{handout.id}" in pages[0] and f"{handout.version}" in pages[0]
    assert "2026-11-25" in pages[-1]  # the print date in the footer
    assert "{" not in text and "*" not in text


def test_a_practice_without_a_toll_free_number_prints_no_empty_sentence(
    library: HandoutLibrary, bare_practice: PracticeDetails
) -> None:
    text = " ".join(
        all_text(
            render(library.get("failed-back-syndrome", "en"), bare_practice, "Zoë", DAY)
        ).split()
    )
    assert "call Lakeside Spine Center at (217) 555-0142." in text
    assert "toll free" not in text.lower()
    assert "Learn more at" not in text  # no web site in this profile


def test_pdf_metadata_names_the_handout_practice_and_language(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    reader = PdfReader(
        io.BytesIO(render(library.get("spinal-stenosis", "es"), practice, "Zoë", DAY))
    )
    assert reader.metadata.title == "Estenosis espinal"
    assert reader.metadata.author == "Lakeside Spine Center"
    assert reader.metadata.subject == "Hoja educativa para pacientes"
    assert reader.trailer["/Root"]["/Lang"] == "es"


def test_the_same_inputs_give_the_same_bytes(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    handout = library.get("pseudarthrosis", "en")
    first = render(handout, practice, "Zoë", DAY)
    assert render(handout, practice, "Zoë", DAY) == first
    assert render(handout, practice, "Zoe", DAY) != first


def test_large_print_sets_the_body_at_16_points_or_more(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    handout = library.get("failed-back-syndrome", "en")
    sentence = "Some people still have pain after surgery on the spine."
    regular = render(handout, practice, "Zoë", DAY)
    large = render(handout, practice, "Zoë", DAY, large_print=True)
    assert len(page_texts(large)) > len(page_texts(regular))

    def body_sizes(pdf: bytes) -> set[float]:
        sizes = set()
        for page in range(len(page_texts(pdf))):
            sizes |= {size for text, size in font_sizes(pdf, page) if text in sentence}
        return sizes

    assert body_sizes(regular) == {11.0}
    assert min(body_sizes(large)) >= 16.0
    bullets = [
        size
        for page in range(len(page_texts(large)))
        for text, size in font_sizes(large, page)
        if text == "Scar tissue that forms after surgery"
    ]
    assert bullets and min(bullets) >= 16.0


def test_a4_and_letter_pages(library: HandoutLibrary, practice: PracticeDetails) -> None:
    handout = library.get("mri-ct-scan", "en")
    letter = PdfReader(io.BytesIO(render(handout, practice, "Zoë", DAY)))
    a4 = PdfReader(io.BytesIO(render(handout, practice, "Zoë", DAY, page_size="a4")))
    assert [round(float(v)) for v in letter.pages[0].mediabox[2:]] == [612, 792]
    assert [round(float(v)) for v in a4.pages[0].mediabox[2:]] == [595, 842]
    with pytest.raises(ValidationError):
        render(handout, practice, "Zoë", DAY, page_size="legal")  # type: ignore[arg-type]


def test_appointment_and_note_print_as_typed(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    appointment = AppointmentDetails(
        dt.datetime(2026, 12, 3, 14, 30), "Dr. Ana Lindqvist, MD", "Main office", "100 Main St"
    )
    note = "Please bring your 2021 <b>operative</b> report & the MRI disc.\nSee you soon!"
    text = all_text(
        render(
            library.get("preparing-for-consultation", "en"),
            practice,
            "Zoë",
            DAY,
            appointment=appointment,
            note=note,
        )
    )
    flat = " ".join(text.split())
    assert (
        "Your appointment: Thursday, December 3, 2026, 2:30 PM with Dr. Ana Lindqvist, MD" in flat
    )
    assert "Main office, 100 Main St" in flat
    assert "A note from our office:" in flat
    assert "Please bring your 2021 <b>operative</b> report & the MRI disc." in text
    assert "See you soon!" in text
    assert "Date: November 25, 2026" in flat


def test_spanish_dates_and_times() -> None:
    assert long_date(dt.date(2026, 11, 25), "es") == "25 de noviembre de 2026"
    assert appointment_time(dt.datetime(2026, 12, 3, 9, 5), "es") == (
        "jueves 3 de diciembre de 2026, 9:05 a. m."
    )
    assert appointment_time(dt.datetime(2026, 12, 3, 0, 15), "en") == (
        "Thursday, December 3, 2026, 12:15 AM"
    )


def test_a_note_too_long_for_a_handout_is_refused(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    with pytest.raises(ValidationError) as caught:
        render(
            library.get("mri-ct-scan", "en"), practice, "Zoë", DAY, note="x" * (MAX_NOTE_LENGTH + 1)
        )
    assert set(caught.value.fields) == {"note"}


def test_a_blank_name_prints_a_generic_handout(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    text = all_text(render(library.get("mri-ct-scan", "en"), practice, "  ", DAY))
    assert "Prepared for" not in text
    assert "Date: November 25, 2026" in text


def _heading_test_handout(short: int, long: int) -> str:
    """Filler that moves a heading down the page in steps smaller than a line and a half."""
    paragraphs = [f"Short filler {n}." for n in range(short)] + [
        f"Long filler {n} has enough words in it to take up a couple of lines on the page "
        "so that the heading below moves down the page."
        for n in range(long)
    ]
    return (
        "id: orphan-test\ntitle: Orphan test\nlanguage: en\nversion: 1\n"
        "last reviewed: 2026-01-01\nreviewer: Test\nreview due: 2027-01-01\ncategories: Other\n"
        "---\n" + "\n\n".join(paragraphs) + "\n\n# Lonely heading\n"
        "Text after heading, which must share its page.\n"
    )


def test_a_heading_is_never_left_alone_at_the_bottom_of_a_page(
    bare_practice: PracticeDetails,
) -> None:
    # Without KeepTogether, (24, 0), (23, 1) and (21, 2) leave the heading at a page's foot.
    moved = 0
    for long in range(3):
        for short in range(20, 30):
            handout = parse_handout(_heading_test_handout(short, long), "orphan-test.en.txt")
            pages = page_texts(render(handout, bare_practice, "Zoë", DAY))
            (with_heading,) = [p for p in pages if "Lonely heading" in p]
            assert "Text after heading" in with_heading, (short, long)
            moved += pages.index(with_heading)
    assert moved > 0  # some of the fillers pushed the heading onto page 2


def _qr_box(pdf_points_to_pixels: float, page_width: float) -> tuple[int, int, int, int]:
    left = (page_width - MARGIN - QR_SIZE) * pdf_points_to_pixels
    top = TOP * pdf_points_to_pixels
    size = QR_SIZE * pdf_points_to_pixels
    return (int(left) + 1, int(top) + 1, int(left + size) - 1, int(top + size) - 1)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("large_print", [False, True])
def test_the_first_page_is_not_blank_and_shows_the_qr_code_and_logo(
    library: HandoutLibrary,
    practice: PracticeDetails,
    tmp_path: Path,
    language: str,
    large_print: bool,
) -> None:
    pdf = render(
        library.get("failed-back-syndrome", language), practice, "Zoë", DAY, large_print=large_print
    )
    image = first_page_image(pdf)
    assert image.size == (510, 660)  # US Letter at 60 dpi
    assert dark_share(image) > 0.03
    assert dark_share(image, _qr_box(60 / 72, 612)) > 0.3
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1  # the logo


def test_without_a_web_site_or_logo_there_is_no_qr_code_or_image(
    library: HandoutLibrary, bare_practice: PracticeDetails, tmp_path: Path
) -> None:
    pdf = render(library.get("failed-back-syndrome", "en"), bare_practice, "Zoë", DAY)
    image = first_page_image(pdf)
    assert dark_share(image) > 0.03
    assert dark_share(image, _qr_box(60 / 72, 612)) < 0.05  # only the letterhead's rule
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 0


def test_a_long_practice_name_and_address_stay_inside_the_page(
    tmp_path: Path, library: HandoutLibrary
) -> None:
    practice = PracticeDetails(
        name="The Greater Springfield Regional Center for Minimally Invasive Spine Surgery",
        address=(
            "Suite 1200, Building C\n4500 North Lakeshore Medical Campus Drive\n"
            "Springfield, IL 62701"
        ),
        main_phone="+12175550142",
        toll_free_phone="+18005550199",
        fax="+12175550143",
        website="https://www.greater-springfield-minimally-invasive-spine.example.com",
    )
    pdf = render(library.get("spinal-stenosis", "en"), practice, "Zoë", DAY)
    sizes = font_sizes(pdf, 0)
    name_pieces = [(text, size) for text, size in sizes if text.startswith("The Greater")]
    assert name_pieces and 11 <= name_pieces[0][1] <= 17
    text = page_texts(pdf)[0]
    assert re.search(r"Fax \(217\) 555-0143", text)
    assert "Suite 1200" in text


def test_a_note_of_the_longest_length_in_large_print_continues_on_the_next_page(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    # Issue #16: the note's panel could not split; a note this long in large print is
    # taller than a page and ReportLab raised LayoutError.
    lines = []
    while len("\n".join([*lines, f"Line {len(lines) + 1}: bring it."])) <= MAX_NOTE_LENGTH:
        lines.append(f"Line {len(lines) + 1}: bring it.")
    note = "\n".join(lines)
    assert len(note) > MAX_NOTE_LENGTH - 25
    pdf = render(
        library.get("mri-ct-scan", "en"), practice, "Zoë", DAY, note=note, large_print=True
    )
    pages = page_texts(pdf)
    text = " ".join(" ".join(pages).split())
    assert all(f"{line}" in text for line in lines), text
    first_page = " ".join(pages[0].split())
    assert "Line 1: bring it." in first_page and lines[-1] not in first_page


def _body_lines(pdf: bytes, page: int) -> list[tuple[str, float]]:
    """(text, baseline) of a page's body: not the running header, the footer's lines or the
    draft's watermark."""
    header = max(piece.y for piece in text_pieces(pdf, page))
    return [
        (piece.text, piece.y)
        for piece in text_pieces(pdf, page)
        if FOOTER_HEIGHT + 12 < piece.y < header - 1 and piece.text not in ("DRAFT", "BORRADOR")
    ]


@pytest.mark.parametrize(
    ("language", "large_print", "emergency", "same_day"),
    [
        ("es", True, "Llame al 911", "Llame a nuestra oficina el mismo día"),
        ("en", False, "Call 911", "Call our office the same day"),
        # English large print: the emergency box ends its page; no room for the next one.
        ("en", True, "Call 911", ""),
    ],
)
def test_the_closing_boxes_share_a_page_and_no_page_but_the_last_is_mostly_empty(
    library: HandoutLibrary,
    practice: PracticeDetails,
    language: str,
    large_print: bool,
    emergency: str,
    same_day: str,
) -> None:
    """The emergency box, the same-day box and the closing box each stay whole, but none
    drags the one before it to a new page: the page before is never left mostly empty."""
    pdf = render(
        library.get("failed-back-syndrome", language),
        practice,
        "Zoë",
        DAY,
        large_print=large_print,
    )
    pages = len(page_texts(pdf))

    def page_of(opening: str) -> int:
        return next(
            page
            for page in range(pages)
            if any(text.startswith(opening) for text, _y in _body_lines(pdf, page))
        )

    # The same-day box follows the emergency box on its page when there is room for it.
    if same_day:
        assert page_of(same_day) == page_of(emergency)
    for page in range(pages - 1):
        baselines = [y for _text, y in _body_lines(pdf, page)]
        top = max(baselines)
        filled = (top - min(baselines)) / (top - FOOTER_HEIGHT)
        assert filled > 0.35, f"page {page + 1} of {pages} is {filled:.0%} filled"
