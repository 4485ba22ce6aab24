"""The one stylesheet and font family every Front Desk document uses."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "FrontDeskSans"
FONT_BOLD = "FrontDeskSans-Bold"
FONT_ITALIC = "FrontDeskSans-Italic"
FONT_BOLD_ITALIC = "FrontDeskSans-BoldItalic"

# DejaVu Sans: every Latin letter with its accents (Vietnamese, Spanish, Nordic...), Greek
# and Cyrillic, shipped in resources/fonts with its licence so no name prints as boxes.
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}

# Fallbacks for the scripts DejaVu lacks or draws poorly (Noto, SIL OFL, resources/fonts):
# Chinese, Japanese and Korean (a cut of Noto Sans CJK SC), Arabic and Hebrew. Each has a
# "-Bold" member; italics use the upright faces. documents/scripts.py picks them per run.
FONT_CJK = "FrontDeskCJK"
FONT_ARABIC = "FrontDeskArabic"
FONT_HEBREW = "FrontDeskHebrew"
_FALLBACK_FILES = {
    FONT_CJK: ("FrontDeskCJK-Regular.ttf", "FrontDeskCJK-Bold.ttf"),
    FONT_ARABIC: ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    FONT_HEBREW: ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
}
# Characters of these scripts always take their script's font, even where DejaVu has a
# glyph: one word never mixes two designs, and the Noto fonts have every joined form.
SCRIPT_FONTS = {
    re.compile("[\u0600-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"): FONT_ARABIC,
    re.compile("[\u0590-\u05ff\ufb1d-\ufb4f]"): FONT_HEBREW,
}
# Tried in order for any other character the main font lacks.
FALLBACK_FONTS = (FONT_CJK,)

ACCENT = colors.HexColor("#1F5C7A")  # deep blue-teal: headings, rules, the practice name
TEXT = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9FB7C4")
PANEL = colors.HexColor("#EEF3F6")  # the personal panel behind the patient's name
BOX_BACKGROUND = colors.HexColor("#FFF4D6")  # warm yellow: "call us / get help" box
BOX_EDGE = colors.HexColor("#D99A00")

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the font family once per process (documents render on worker threads)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        folder = resources.files("frontdesk.resources").joinpath("fonts")
        for name, file_name in _FONT_FILES.items():
            # Bytes, not a path: works when the package is installed as a zip too.
            data = folder.joinpath(file_name).read_bytes()
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
        )
        for name, (regular, bold) in _FALLBACK_FILES.items():
            bold_name = f"{name}-Bold"
            for font_name, file_name in ((name, regular), (bold_name, bold)):
                data = folder.joinpath(file_name).read_bytes()
                pdfmetrics.registerFont(TTFont(font_name, io.BytesIO(data)))
            pdfmetrics.registerFontFamily(
                name, normal=name, bold=bold_name, italic=name, boldItalic=bold_name
            )
        _registered = True


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` the document font cannot draw (they would print as boxes)."""
    register_fonts()
    font = pdfmetrics.getFont(FONT)
    glyphs = font.face.charToGlyph
    return {c for c in text if not c.isspace() and ord(c) not in glyphs}


@dataclass(frozen=True)
class DocumentStyles:
    """Paragraph styles of one size set (regular or large print)."""

    body_size: float
    title: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    bullet: ParagraphStyle
    box_title: ParagraphStyle
    box_body: ParagraphStyle
    box_bullet: ParagraphStyle
    panel: ParagraphStyle
    panel_label: ParagraphStyle
    small: ParagraphStyle


@cache
def document_styles(large_print: bool = False) -> DocumentStyles:
    """The stylesheet; large print sets the body at 16 pt (the usual large-print minimum)."""
    register_fonts()
    size = 16.0 if large_print else 11.0
    leading = size * 1.4
    body = ParagraphStyle(
        "body",
        fontName=FONT,
        fontSize=size,
        leading=leading,
        textColor=TEXT,
        alignment=TA_LEFT,
        spaceAfter=size * 0.6,
        # No single line of a paragraph alone at the foot or the head of a page.
        allowOrphans=0,
        allowWidows=0,
    )
    bullet_indent = size * 1.3
    bullet = ParagraphStyle(
        "bullet",
        parent=body,
        leftIndent=bullet_indent,
        bulletIndent=size * 0.3,
        bulletFontName=FONT,
        bulletFontSize=size,
        spaceAfter=size * 0.3,
    )
    heading = ParagraphStyle(
        "heading",
        parent=body,
        fontName=FONT_BOLD,
        fontSize=size * 1.3,
        leading=size * 1.3 * 1.25,
        textColor=ACCENT,
        spaceBefore=size * 0.9,
        spaceAfter=size * 0.4,
    )
    subheading = ParagraphStyle(
        "subheading",
        parent=heading,
        fontSize=size * 1.1,
        leading=size * 1.1 * 1.25,
        spaceBefore=size * 0.6,
        spaceAfter=size * 0.3,
    )
    title = ParagraphStyle(
        "title",
        parent=heading,
        fontSize=size * 1.75,
        leading=size * 1.75 * 1.2,
        spaceBefore=0,
        spaceAfter=size * 0.7,
    )
    box_body = ParagraphStyle("box_body", parent=body, spaceAfter=size * 0.35)
    box_bullet = ParagraphStyle("box_bullet", parent=bullet, spaceAfter=size * 0.2)
    box_title = ParagraphStyle(
        "box_title",
        parent=body,
        fontName=FONT_BOLD,
        fontSize=size * 1.15,
        leading=size * 1.15 * 1.3,
        spaceAfter=size * 0.35,
    )
    panel = ParagraphStyle("panel", parent=body, spaceAfter=size * 0.15)
    panel_label = ParagraphStyle(
        "panel_label", parent=panel, fontName=FONT_BOLD, textColor=ACCENT, spaceAfter=0
    )
    small = ParagraphStyle(
        "small", parent=body, fontSize=8.5, leading=10.5, textColor=MUTED, spaceAfter=0
    )
    return DocumentStyles(
        body_size=size,
        title=title,
        heading=heading,
        subheading=subheading,
        body=body,
        bullet=bullet,
        box_title=box_title,
        box_body=box_body,
        box_bullet=box_bullet,
        panel=panel,
        panel_label=panel_label,
        small=small,
    )
