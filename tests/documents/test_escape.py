"""Text from people reaches Paragraph markup as itself, never as markup."""

from __future__ import annotations

import unicodedata

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from frontdesk.documents.escape import markup_escape, markup_escape_lines, printable


def test_markup_characters_are_escaped() -> None:
    assert markup_escape("O'Connor & Sons <b>") == "O'Connor &amp; Sons &lt;b&gt;"
    assert markup_escape("&nbsp; <br/> <font color=red>") == (
        "&amp;nbsp; &lt;br/&gt; &lt;font color=red&gt;"
    )


def test_an_escaped_value_parses_back_to_the_same_text() -> None:
    for value in ("O'Connor & Sons <b>", "a </para> b", "<img src='x'/>", "5 < 6 > 4 & 3"):
        paragraph = Paragraph(markup_escape(value), ParagraphStyle("t"))
        assert "".join(fragment.text for fragment in paragraph.frags) == value


def test_combining_accents_become_the_precomposed_letter() -> None:
    typed = unicodedata.normalize("NFD", "Nguyễn Thị Hoa")
    assert len(typed) > len("Nguyễn Thị Hoa")
    assert markup_escape(typed) == "Nguyễn Thị Hoa"


def test_control_characters_are_dropped_and_line_breaks_kept_where_asked() -> None:
    assert printable("Zo\x00ë\x07\tM") == "Zoë M"
    assert markup_escape_lines("Bring the disc.\r\nThanks & bye") == (
        "Bring the disc.<br/>Thanks &amp; bye"
    )
