"""The day sheet PDF from plain data: the table starts under the title, every later page
names its provider, the interpreter need shows, names print as typed in every script."""

from __future__ import annotations

import unicodedata

from frontdesk.documents.day_sheet_pdf import render
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.domain.contact import language_note
from tests.documents.day_sheets import HOSTILE, busy_day
from tests.documents.pdfs import page_texts


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(unicodedata.normalize("NFC", text).split()) for text in page_texts(pdf)]


def test_page_one_holds_rows_and_later_pages_name_their_provider(
    practice: PracticeDetails,
) -> None:
    pages = _pages(render(busy_day(24, ("Adaeze Okafor, MD", "Erik Lindqvist, MD")), practice))
    assert len(pages) >= 4
    # The table starts on page 1 under the title, not after a blank page.
    assert "M0000001" in pages[0] and "Adaeze Okafor, MD · 24 appointments" in pages[0]
    lindqvist = [index for index, page in enumerate(pages) if "Erik Lindqvist, MD" in page]
    assert lindqvist and lindqvist[0] > 1
    # Okafor's continuation pages name her in the header (not only the first page).
    assert all("Adaeze Okafor, MD" in page for page in pages[1 : lindqvist[0]])
    # Every page after Lindqvist's section starts carries his name in the header.
    assert all("Erik Lindqvist, MD" in page for page in pages[lindqvist[0] :])
    assert not any("Adaeze Okafor" in page for page in pages[lindqvist[0] :])


def test_interpreter_need_and_names_in_every_script_print(practice: PracticeDetails) -> None:
    text = " ".join(_pages(render(busy_day(8), practice)))
    assert "Interpreter: Spanish" in text and "Interpreter: Vietnamese" in text
    assert "Speaks Arabic" in text
    assert HOSTILE.strip() in text  # markup in a name prints as typed
    for name in ("Núñez-García, María José", "Nguyễn Thị, Hoa", "王, 小明", "Παπαδόπουλος"):
        assert name in text, name
    assert "Missing: op report (L4–L5 TLIF 2019); referral letter" in text


def test_language_note_reads_as_the_desk_says_it() -> None:
    assert language_note("Spanish", True) == "Interpreter: Spanish"
    assert language_note("", True) == "Interpreter needed"
    assert language_note("Tagalog", False) == "Speaks Tagalog"
    assert language_note("English", False) == ""
    assert language_note("  ", False) == ""
