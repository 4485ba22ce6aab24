"""Every name prints: CJK, Arabic, Hebrew and Vietnamese names in every document, never boxes."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from frontdesk.documents import (
    day_sheet_pdf,
    handout_pdf,
    history_summary_pdf,
    packet_pdf,
    page_identity,
    records_request_letter,
    summary_batch_pdf,
)
from frontdesk.documents.day_sheet_data import DaySheetData, DaySheetRow, DaySheetSection
from frontdesk.documents.handout_pdf import AppointmentDetails
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.documents.packet_content import PacketContent
from frontdesk.documents.records_request_letter import RecordsLetter
from frontdesk.documents.scripts import visual
from frontdesk.documents.styles import register_fonts
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.history_records import PatientHistory
from frontdesk.domain.history_summary import HistorySummary
from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.domain.what_to_bring import what_to_bring
from frontdesk.services.handouts.library import HandoutLibrary
from tests.documents.pdfs import all_text

DAY = dt.date(2026, 12, 1)
NAMES = {
    "chinese": "王小明",
    "chinese traditional": "陳志豪",
    "japanese": "佐藤 さくら",
    "korean": "김민준",
    "arabic": "محمد عبدالله",
    "hebrew": "שרה כהן",
    "vietnamese": "Nguyễn Thị Hoa",
}
# The font each script must be drawn in (PostScript names, as embedded).
SCRIPT_FONT = {
    "chinese": "NotoSansCJKsc",
    "chinese traditional": "NotoSansCJKsc",
    "japanese": "NotoSansCJKsc",
    "korean": "NotoSansCJKsc",
    "arabic": "NotoSansArabic",
    "hebrew": "NotoSansHebrew",
    "vietnamese": "DejaVuSans",
}
NO_FONT_HAS = "\U00013000"  # an Egyptian hieroglyph


def _history(name: str) -> PatientHistory:
    return PatientHistory(
        patient_id=7,
        mrn="MRN-0007",
        patient_name=name,
        date_of_birth=dt.date(1961, 3, 9),
        surgeries=(),
        imaging=(),
        summary=HistorySummary(
            surgery_count=0,
            last_surgery=None,
            study_count=0,
            latest_study=None,
            latest_study_flags=None,
            outdated=(),
        ),
        today=DAY,
        zone=dt.UTC,
    )


def _handout(library: HandoutLibrary, practice: PracticeDetails, name: str) -> bytes:
    return handout_pdf.render(library.get("pseudarthrosis", "en"), practice, name, DAY)


def _packet(library: HandoutLibrary, practice: PracticeDetails, name: str) -> bytes:
    content = PacketContent(
        language="en",
        patient_name=name,
        patient_address="12 Oak St\nSpringfield, IL 62701",
        appointment=AppointmentDetails(
            dt.datetime(2026, 12, 8, 9, 30), "Adaeze Okafor, MD", "Main office", "100 Main St"
        ),
        appointment_type="New consultation",
        printed_on=DAY,
        what_to_bring=what_to_bring(language="en"),
        preparing=None,
        handouts=(library.get("pseudarthrosis", "en"),),
        note=f"{name} asked for an interpreter.",
        identity=page_identity.visit(name, dt.datetime(2026, 12, 8, 9, 30)),
    )
    return packet_pdf.render_packets([content], practice)


def _day_sheet(_library: HandoutLibrary, practice: PracticeDetails, name: str) -> bytes:
    zone = ZoneInfo("America/Chicago")
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=zone)
    row = DaySheetRow(
        appointment_id=1,
        patient_id=7,
        start=start,
        end=start + dt.timedelta(minutes=30),
        patient_name=name,
        mrn="MRN-0007",
        date_of_birth=dt.date(1961, 3, 9),
        phone="(217) 555-0100",
        type_name="New consultation",
        reason="Low back pain",
        location_name="Main office",
        status=AppointmentStatus.BOOKED,
        overbooked=False,
        records="all in",
        records_complete=True,
    )
    data = DaySheetData(
        day=DAY,
        zone=zone,
        practice_name=practice.name,
        sections=(DaySheetSection(provider_id=1, provider_name="Dr. Okafor", rows=(row,)),),
        made_at=start - dt.timedelta(hours=2),
    )
    return day_sheet_pdf.render(data, practice)


def _summary(_library: HandoutLibrary, practice: PracticeDetails, name: str) -> bytes:
    return history_summary_pdf.render(_history(name), practice)


def _summaries(_library: HandoutLibrary, practice: PracticeDetails, name: str) -> bytes:
    return summary_batch_pdf.render_summaries(
        [_history(name), _history(name)], practice, two_sided=True
    )


def _records_letter(_library: HandoutLibrary, practice: PracticeDetails, name: str) -> bytes:
    letter = RecordsLetter(
        addressee="Valley Imaging Center",
        addressee_address="5 River Rd\nSpringfield, IL 62702",
        addressee_fax="+12175550177",
        patient_name=name,
        date_of_birth=dt.date(1961, 3, 9),
        mrn="MRN-0007",
        needed=("Operative report: last surgery (2021)",),
        today=DAY,
        signed_by="Front desk",
        request_id=3,
    )
    return records_request_letter.render(letter, practice)


# The confirmation letter is the packet's first part; the summaries are a file of their own.
DOCUMENTS: dict[str, Callable[[HandoutLibrary, PracticeDetails, str], bytes]] = {
    "handout": _handout,
    "packet with confirmation letter": _packet,
    "day sheet": _day_sheet,
    "history summary": _summary,
    "day's history summaries": _summaries,
    "records-request letter": _records_letter,
}


def _fonts_by_postscript_name() -> dict[str, TTFont]:
    register_fonts()
    fonts = {}
    for name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(name)
        if isinstance(font, TTFont):
            fonts[font.face.name.decode()] = font
    return fonts


def drawn_text(pdf: bytes) -> list[tuple[str, str]]:
    """(text, embedded font name without its subset tag) of every run drawn, every page."""
    runs: list[tuple[str, str]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text: str, _cm: object, _tm: object, font: object, _size: float) -> None:
            if text.strip() and font is not None:
                runs.append((text, str(font["/BaseFont"]).split("+")[-1]))  # type: ignore[index]

        page.extract_text(visitor_text=visit)
    return runs


def boxes(pdf: bytes) -> list[tuple[str, str]]:
    """(character, font) of every character drawn in a font that has no glyph for it."""
    fonts = _fonts_by_postscript_name()
    found = []
    for text, font_name in drawn_text(pdf):
        font = fonts.get(font_name)
        for char in text:
            if char.isspace():
                continue
            if font is None or ord(char) not in font.face.charToGlyph:
                found.append((char, font_name))
    return found


def embedded_fonts(pdf: bytes) -> set[str]:
    """Fonts of every page whose outlines are embedded in the file."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for reference in page["/Resources"].get("/Font", {}).values():
            font = reference.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.mark.parametrize("script", list(NAMES))
@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_a_name_in_any_script_prints_in_every_document(
    library: HandoutLibrary, practice: PracticeDetails, document: str, script: str
) -> None:
    name = NAMES[script]
    pdf = DOCUMENTS[document](library, practice, name)
    assert boxes(pdf) == []
    # The name reads back from the file (joined Arabic forms read as their letters).
    assert _plain(name) in _plain(all_text(pdf))
    fonts = embedded_fonts(pdf)
    assert any(font.startswith(SCRIPT_FONT[script]) for font in fonts), fonts
    letters = set(name) - {" "}
    name_fonts = {
        font for text, font in drawn_text(pdf) if letters & set(unicodedata.normalize("NFKC", text))
    }
    assert name_fonts and all(f.startswith(SCRIPT_FONT[script]) for f in name_fonts)


def test_a_bold_name_takes_the_bold_fallback(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    # The day sheet sets the patient's name in bold; the CJK bold face is shipped for it.
    pdf = _day_sheet(library, practice, NAMES["chinese"])
    assert any(font == "NotoSansCJKsc-Bold" for _text, font in drawn_text(pdf))


def _char_lefts(pdf: bytes) -> list[tuple[str, float, float]]:
    """Each character of page 1 with its left and bottom edges, in the order the file draws them
    (PDFium reads joined Arabic forms back as their letters)."""
    document = pdfium.PdfDocument(pdf)
    try:
        text_page = document[0].get_textpage()
        count = text_page.count_chars()
        return [
            (text_page.get_text_range(index, 1), *text_page.get_charbox(index)[:2])
            for index in range(count)
        ]
    finally:
        document.close()


def test_an_arabic_name_is_joined_and_reads_right_to_left(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    pdf = _records_letter(library, practice, "محمد")
    # Joined: initial meem, medial hah, medial meem, final dal (presentation forms), never
    # the isolated letters.
    arabic = "".join(text for text, font in drawn_text(pdf) if font.startswith("NotoSansArabic"))
    assert set(arabic) - {" ", "\n"} == {"\ufee3", "\ufea4", "\ufee4", "\ufeaa"}
    # Read from right to left on the page, the letters spell the name.
    assert _right_to_left(pdf, "\u0600", "\u06ff") == "محمد"


def _right_to_left(pdf: bytes, first: str, last: str) -> str:
    """The characters of page 1 between ``first`` and ``last``, read from the right, each
    line on its own; the text of every line that has them (the same on each line)."""
    lines: dict[float, list[tuple[str, float]]] = {}
    for char, left, bottom in _char_lefts(pdf):
        if first <= char <= last:
            # A descender (final nun) sits lower than its neighbours: same line within 5 pt.
            line = next((key for key in lines if abs(key - bottom) < 5), bottom)
            lines.setdefault(line, []).append((char, left))
    read = {
        "".join(char for char, _left in sorted(found, key=lambda item: -item[1]))
        for found in lines.values()
    }
    assert len(read) == 1, read  # the name, on the page's identity line and in the text
    return read.pop()


def test_a_hebrew_name_reads_right_to_left(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    pdf = _records_letter(library, practice, "כהן")
    assert _right_to_left(pdf, "\u0590", "\u05ff") == "כהן"


def test_numbers_beside_a_right_to_left_name_keep_their_order() -> None:
    # "2026-12-01" after an Arabic name must not come out as "01-12-2026".
    shown = visual("Appointment · محمد · 2026-12-01 (12 Oak St)")
    assert shown.startswith("Appointment · ") and shown.endswith(" · 2026-12-01 (12 Oak St)")
    assert visual("שרה כהן, 12 Oak St") == "ןהכ הרש, 12 Oak St"


def test_a_practice_name_drawn_on_the_letterhead_takes_the_fallback(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    # The letterhead and footers are drawn on the canvas, not through Paragraph markup.
    chinese_practice = PracticeDetails(name="华人脊椎中心", main_phone=practice.main_phone)
    pdf = _records_letter(library, chinese_practice, "Ana Lopez")
    assert boxes(pdf) == []
    assert "华人脊椎中心" in all_text(pdf)
    assert "NotoSansCJKsc-Bold" in embedded_fonts(pdf)


@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_a_character_no_font_has_is_refused_naming_the_field(
    library: HandoutLibrary, practice: PracticeDetails, document: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        DOCUMENTS[document](library, practice, f"Ana {NO_FONT_HAS} Lopez")
    assert str(refused.value) == (
        "The patient's name has a character no printer font can show: “\U00013000” (U+13000)"
    )


def test_a_refused_practice_name_is_named(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    odd_practice = PracticeDetails(name=f"Lakeside {NO_FONT_HAS}", main_phone=practice.main_phone)
    with pytest.raises(ValidationError, match=r"^The practice name has a character"):
        _summary(library, odd_practice, "Ana Lopez")
