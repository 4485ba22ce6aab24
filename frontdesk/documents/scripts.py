"""Every script a name comes in: fallback fonts per run of text, right-to-left shaping, refusal."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterator, Mapping
from enum import Enum
from functools import cache
from xml.sax.saxutils import escape as _xml_escape

import arabic_reshaper
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from frontdesk.documents.styles import (
    FALLBACK_FONTS,
    FONT,
    FONT_BOLD,
    FONT_BOLD_ITALIC,
    SCRIPT_FONTS,
    register_fonts,
)
from frontdesk.domain.errors import ValidationError

_RTL_LETTERS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_RTL = re.compile(f"[{_RTL_LETTERS}]")
# A right-to-left stretch: from a right-to-left character to the last one before anything
# else, with the spaces between its words ("محمد عبدالله" in "Dear محمد عبدالله, 2026-12-01").
_RTL_STRETCH = re.compile(f"[{_RTL_LETTERS}](?:[{_RTL_LETTERS} \u00a0]*[{_RTL_LETTERS}])?")
# Harakat are kept: a name is printed as typed. Ligatures (lam-alef) are part of the spelling.
_RESHAPER = arabic_reshaper.ArabicReshaper(
    configuration={"delete_harakat": False, "support_ligatures": True}
)

# What the person at the desk reads when a field cannot be printed, by the field's dotted
# path, then its own name, then its first part; others are named after their data field.
FIELD_LABELS = {
    "patient_name": "The patient's name",
    "patient_address": "The patient's address",
    "note": "The note",
    "addressee": "The addressee",
    "addressee_address": "The addressee's address",
    "addressee_fax": "The addressee's fax",
    "signed_by": "The signer's name",
    "needed": "The list of records needed",
    "practice.name": "The practice name",
    "practice_name": "The practice name",
    "practice": "The practice profile",
    "provider_name": "The provider's name",
    "reason": "The visit reason",
    "location_name": "The location",
    "type_name": "The appointment type",
    "appointment": "The appointment",
    "appointment_type": "The appointment type",
    "handout": "The handout",
    "handouts": "A handout",
    "preparing": "The preparation handout",
    "history": "The history summary",
}


@cache
def _glyphs(font_name: str) -> frozenset[str]:
    register_fonts()
    face = pdfmetrics.getFont(font_name).face
    return frozenset(chr(code) for code in face.charToGlyph)


@cache
def _printable_characters() -> frozenset[str]:
    everything = set(_glyphs(FONT))
    for name in FALLBACK_FONTS:
        everything |= _glyphs(name)
    for name in SCRIPT_FONTS.values():
        everything |= _glyphs(name)
    return frozenset(everything)


def unprintable(text: str) -> list[str]:
    """Characters of ``text`` no shipped font has (they would print as boxes), in order."""
    text = unicodedata.normalize("NFC", text)
    known = _printable_characters()
    if known.issuperset(text):
        return []
    seen: list[str] = []
    for char in text:
        if char not in known and not char.isspace() and char not in seen:
            if unicodedata.category(char) in ("Cc", "Cf"):
                continue  # controls and format marks are removed before drawing
            seen.append(char)
    return seen


def check_printable(data: object, labels: Mapping[str, str] = FIELD_LABELS) -> None:
    """Refuse a document whose input has a character no font can show, naming the field.

    Every render entry point calls this with its plain data, before drawing anything."""
    for path, text in _strings(data, ()):
        missing = unprintable(text)
        if missing:
            field = path[0] if path else ""
            label = (
                labels.get(".".join(path))
                or labels.get(path[-1] if path else "")
                or labels.get(field)
                or _humanized(path)
            )
            shown = ", ".join(f"“{c}” (U+{ord(c):04X})" for c in missing)
            raise ValidationError(
                {field or "text": f"has a character no printer font can show: {shown}"},
                f"{label} has a character no printer font can show: {shown}",
            )


def _humanized(path: tuple[str, ...]) -> str:
    words = " ".join(part.replace("_", " ") for part in path if not part.isdigit())
    return f"The {words or 'text'}"


def _strings(value: object, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, (bytes, bytearray, int, float, Enum)) or value is None:
        return
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _strings(getattr(value, item.name), (*path, item.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, (tuple, list, frozenset, set)):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, str(index)))


def visual(text: str) -> str:
    """Right-to-left words joined and laid out in drawing order (ReportLab draws left to right).

    Arabic letters become their joined presentation forms; each stretch of right-to-left
    words is reversed in place. Digits and punctuation outside a stretch keep their places:
    the full bidirectional algorithm would carry "· 2026-12-01" after an Arabic name into
    the name's run and print "01-12-2026", a date misread in an English document."""
    if not _RTL.search(text):
        return text
    shaped = _RESHAPER.reshape(text)
    return _RTL_STRETCH.sub(lambda stretch: get_display(stretch.group(), base_dir="R"), shaped)


def _font_for(char: str, current: str | None, bold: bool) -> str | None:
    """The fallback font for ``char``, or None where the main font draws it."""
    for pattern, name in SCRIPT_FONTS.items():
        if pattern.match(char) and char in _glyphs(name):
            return _bold(name) if bold else name
    if char.isspace() or char in _glyphs(FONT):
        return None
    if current is not None and unicodedata.combining(char) and char in _glyphs(current):
        return current
    for name in FALLBACK_FONTS:
        if char in _glyphs(name):
            return _bold(name) if bold else name
    return None


def _bold(name: str) -> str:
    return f"{name}-Bold"


def runs(text: str, *, bold: bool = False) -> list[tuple[str, str | None]]:
    """``text`` (already visual) cut into runs, each with its fallback font or None (main)."""
    known = _glyphs(FONT)
    if known.issuperset(text) and not _RTL.search(text):
        return [(text, None)]
    result: list[tuple[str, str | None]] = []
    current: str | None = None
    start = 0
    for index, char in enumerate(text):
        if char.isspace() and current is not None and index + 1 < len(text):
            # a space between two words of one script stays in the run (the CJK cut has
            # no space of its own: there the space is the main font's)
            following = _font_for(text[index + 1], current, bold)
            if following == current and char in _glyphs(current):
                continue
        font = _font_for(char, current, bold)
        if font != current and index > start:
            result.append((text[start:index], current))
            start = index
        current = font
    if start < len(text):
        result.append((text[start:], current))
    return result


def markup(text: str, *, bold: bool = False) -> str:
    """Plain text as Paragraph markup: escaped, with runs the main font lacks in their font.

    ReportLab's ``<font name>`` takes its weight from the name, not from an enclosing
    ``<b>``: text meant to be bold names the bold fallback."""
    parts = []
    for run, font in runs(visual(text), bold=bold):
        escaped = _xml_escape(run)
        parts.append(escaped if font is None else f'<font name="{font}">{escaped}</font>')
    return "".join(parts)


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` drawn with draw_text."""
    bold = font in (FONT_BOLD, FONT_BOLD_ITALIC)
    return sum(
        pdfmetrics.stringWidth(run, run_font or font, size)
        for run, run_font in runs(visual(text), bold=bold)
    )


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, font: str, size: float, *, right: bool = False
) -> None:
    """canvas.drawString with fallback fonts and right-to-left shaping (``right``: x is the end)."""
    bold = font in (FONT_BOLD, FONT_BOLD_ITALIC)
    pieces = runs(visual(text), bold=bold)
    if right:
        x -= sum(pdfmetrics.stringWidth(run, f or font, size) for run, f in pieces)
    for run, run_font in pieces:
        canvas.setFont(run_font or font, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, run_font or font, size)
    canvas.setFont(font, size)
