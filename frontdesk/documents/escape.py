"""THE one way text reaches ReportLab Paragraph markup: escaped, normalized, never parsed,
in every script (fallback fonts and right-to-left shaping from documents/scripts.py)."""

from __future__ import annotations

import re
import unicodedata

from frontdesk.documents.scripts import markup

# C0/C1 control characters (line breaks and tabs are handled separately) make the
# Paragraph parser fail or print boxes; nobody means to type them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(value: str) -> str:
    """Text for drawing straight on the canvas (no markup): NFC, no control characters.

    NFC normalization turns a letter typed with combining accents (e + ◌̂ + ◌̃) into the
    single precomposed glyph the font has, so "Nguyễn" prints with its marks in place.
    """
    value = unicodedata.normalize("NFC", value)
    return _CONTROL.sub("", value).replace("\t", " ")


def markup_escape(value: str, *, bold: bool = False) -> str:
    """Text as itself inside Paragraph markup: "O'Connor & Sons <b>" prints just so.

    Runs in a script the main font lacks ("王小明", "محمد") are set in their fallback font;
    ``bold`` when the text goes inside ``<b>`` (a font tag would otherwise drop the bold)."""
    return markup(printable(value), bold=bold)


def markup_escape_lines(value: str) -> str:
    """Like markup_escape, keeping the writer's line breaks (a note typed on several lines)."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(markup_escape(line) for line in lines)
