"""The practice letterhead, later-page header and "page X of Y" footer shared by documents."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO, Protocol

from PIL import Image
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import getAscent
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from frontdesk.documents.escape import printable
from frontdesk.documents.page_identity import SEPARATOR, PageIdentity
from frontdesk.documents.scripts import draw_text, text_width
from frontdesk.documents.styles import ACCENT, FONT, FONT_BOLD, MUTED, RULE, register_fonts
from frontdesk.domain.contact import format_phone

MARGIN = 54.0  # 0.75 inch
TOP = 36.0
FOOTER_HEIGHT = 58.0  # room kept at the bottom of every page for the footer
LATER_HEADER_HEIGHT = 58.0
LOGO_MAX_WIDTH = 130.0
LOGO_MAX_HEIGHT = 58.0
LOGO_MAX_PIXELS = 520  # about 300 dpi at the size it prints; keeps every render light
QR_SIZE = 60.0
NAME_SIZE = 17.0
DETAIL_SIZE = 9.5
DETAIL_LEADING = 12.5
DETAIL_SEPARATOR = "  ·  "
FOOTER_SEPARATOR = "  ·  "  # between the parts of a footer line
HEADER_SIZE = 9.5  # the slim header, the page number and the patient's identifiers
FOOTER_SIZE = 8.5
FOOTER_BASELINE = 30.0  # the page number's line, from the bottom of the page
# The footer's note (a handout's review and source): above the footer's rule, as many lines
# as it needs at its size, never shrunk or cut; the body's frame starts above its last line.
FOOTER_NOTE_SIZE = 7.5
FOOTER_NOTE_LEADING = 1.25  # times the note's size
FOOTER_NOTE_MAX_LINES = 4  # a source longer than that is cut (no real one comes near)
IDENTITY_GAP = 16.0  # the identifiers' line under the letterhead's rule, on page 1
# Large print grows the letterhead, the running header and the footer with the text.
LARGE_PRINT_SCALE = 1.3
LARGE_PRINT_SMALLEST = 10.0

_WORDS = {
    "en": {
        "phone": "Phone",
        "toll_free": "Toll free",
        "fax": "Fax",
        "page": "Page {page} of {pages}",
        "printed": "printed",
        "version": "version",
        "blank": "This page is intentionally left blank.",
    },
    "es": {
        "phone": "Teléfono",
        "toll_free": "Llamada gratis",
        "fax": "Fax",
        "page": "Página {page} de {pages}",
        "printed": "impreso el",
        "version": "versión",
        "blank": "Esta página se ha dejado en blanco intencionalmente.",
    },
}


def words_for(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


class PracticeProfileLike(Protocol):
    """What a letterhead needs; services.practice.forms.PracticeProfileData has all of it."""

    name: str
    address: str
    main_phone: str
    toll_free_phone: str
    fax: str
    website: str
    logo: bytes | None


@dataclass(frozen=True)
class PracticeDetails:
    """Plain practice data for documents. Phone numbers are E.164, as stored."""

    name: str
    address: str = ""
    main_phone: str = ""
    toll_free_phone: str = ""
    fax: str = ""
    website: str = ""
    logo: bytes | None = None

    @classmethod
    def from_profile(cls, profile: PracticeProfileLike) -> PracticeDetails:
        return cls(
            name=profile.name,
            address=profile.address,
            main_phone=profile.main_phone,
            toll_free_phone=profile.toll_free_phone,
            fax=profile.fax,
            website=profile.website,
            logo=profile.logo,
        )

    @property
    def website_display(self) -> str:
        site = self.website.strip()
        for scheme in ("https://", "http://"):
            if site.lower().startswith(scheme):
                site = site[len(scheme) :]
        return site.rstrip("/")

    def phone_line(self, language: str) -> str:
        words = words_for(language)
        parts = [
            f"{words[label]} {format_phone(number)}"
            for label, number in (
                ("phone", self.main_phone),
                ("toll_free", self.toll_free_phone),
                ("fax", self.fax),
            )
            if number
        ]
        return DETAIL_SEPARATOR.join(parts)


class NumberedCanvas(Canvas):
    """Holds each page back until the end, so its footer can say "page 2 of 3"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []
        self.footer: Callable[[Canvas, int, int], None] | None = None

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            if self.footer is not None:
                self.footer(self, number, total)
            super().showPage()
        super().save()


@lru_cache(maxsize=4)
def _logo(data: bytes) -> tuple[ImageReader, float, float]:
    """The logo scaled down once for printing, and its size on the page in points."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        picture = image.convert("RGBA") if image.mode in ("P", "LA", "PA") else image.copy()
    picture.thumbnail((LOGO_MAX_PIXELS, LOGO_MAX_PIXELS))
    width, height = picture.size
    scale = min(LOGO_MAX_WIDTH / width, LOGO_MAX_HEIGHT / height)
    return ImageReader(picture), width * scale, height * scale


@dataclass(frozen=True)
class _QrCode:
    """A QR code as runs of dark modules: one filled path draws it (not 2,000 shapes)."""

    size: int  # modules a side, quiet zone included
    runs: tuple[tuple[int, int, int], ...]  # (row from the top, first column, length)


QR_QUIET_ZONE = 4  # modules of white around the code, as scanners expect


@lru_cache(maxsize=8)
def _qr(url: str) -> _QrCode:
    widget = QrCodeWidget(url, barLevel="M")
    widget.qr.make()
    runs = []
    for row, modules in enumerate(widget.qr.modules):
        column = 0
        for dark, group in itertools.groupby(bool(m) for m in modules):
            length = len(list(group))
            if dark:
                runs.append((row + QR_QUIET_ZONE, column + QR_QUIET_ZONE, length))
            column += length
    return _QrCode(widget.qr.getModuleCount() + 2 * QR_QUIET_ZONE, tuple(runs))


def _draw_qr(canvas: Canvas, code: _QrCode, x: float, y: float, size: float) -> None:
    module = size / code.size
    path = canvas.beginPath()
    for row, column, length in code.runs:
        path.rect(x + column * module, y + size - (row + 1) * module, length * module, module)
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)


def _fitted(text: str, font: str, size: float, width: float, smallest: float) -> tuple[str, float]:
    """Shrink ``text`` to ``width`` down to ``smallest`` pt, then cut it with an ellipsis."""
    while size > smallest and text_width(text, font, size) > width:
        size -= 0.5
    if text_width(text, font, size) > width:
        while text and text_width(text + "…", font, size) > width:
            text = text[:-1]
        text = text.rstrip() + "…"
    return text, size


def _whole_parts(
    text: str, font: str, size: float, width: float, smallest: float, separator: str
) -> tuple[str, float]:
    """Like ``_fitted``, but a line of parts loses its last parts whole before any part is
    cut short ("Síndrome de es…" in a footer reads as a misprint; no title does not)."""
    parts = text.split(separator)
    while len(parts) > 1:
        fitted, fitted_size = _fitted(separator.join(parts), font, size, width, smallest)
        if not fitted.endswith("…"):
            return fitted, fitted_size
        parts.pop()
    return _fitted(parts[0], font, size, width, smallest)


def _fitted_identity(
    identity: PageIdentity, font: str, size: float, width: float, smallest: float
) -> tuple[str, float]:
    """The identity shrunk to ``width``; when still too long, the name is cut, never the
    second identifier (what tells two namesakes apart)."""
    text = identity.text()
    while size > smallest and text_width(text, font, size) > width:
        size -= 0.5
    if text_width(text, font, size) <= width:
        return text, size
    tail = SEPARATOR + identity.second.strip()
    name, _size = _fitted(
        identity.name.strip(), font, size, width - text_width(tail, font, size), size
    )
    return name + tail, size


def _wrapped(parts: list[str], separator: str, width: float, size: float) -> list[str]:
    """Parts joined into as few lines of ``width`` as fit (never splitting a part)."""
    lines: list[str] = []
    for part in parts:
        candidate = lines[-1] + separator + part if lines else part
        if lines and text_width(candidate, FONT, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(part)
    return lines


def _note_lines(text: str, separator: str, width: float, size: float) -> list[str]:
    """``text`` in lines of ``width`` at ``size``: its parts kept whole on a line where they
    fit, a part wider than a line broken between its words."""
    parts = [part for part in (p.strip() for p in text.split(separator)) if part]
    lines: list[str] = []
    for line in _wrapped(parts, separator, width, size):
        if text_width(line, FONT, size) <= width:
            lines.append(line)
        else:
            lines.extend(_wrapped(line.split(" "), " ", width, size))
    return lines


@lru_cache(maxsize=16)
def _detail_lines(
    practice: PracticeDetails, language: str, width: float, size: float = DETAIL_SIZE
) -> tuple[str, ...]:
    """The letterhead's address, phone and website lines (at most six).

    Cached: a packet run draws one letterhead per part of every packet, and formatting
    the phone numbers is the slow part."""
    address = [p.strip() for p in printable(practice.address).splitlines() if p.strip()]
    phones = practice.phone_line(language)
    return tuple(
        [
            *_wrapped(address, ", ", width, size),
            *_wrapped(
                phones.split(DETAIL_SEPARATOR) if phones else [], DETAIL_SEPARATOR, width, size
            ),
            *([practice.website_display] if practice.website else []),
        ][:6]
    )


class Letterhead:
    """Draws the practice's letterhead on page 1, a slim header after, and every footer.

    ``identity``: the patient's name and second identifier, drawn on every page (under the
    letterhead on page 1, in the slim header after). ``large_print``: letterhead, header
    and footer grow with the text. ``footer_note``: a line above the footer's rule (a
    handout's review and source), wrapped onto as many lines as it needs; the room kept
    for the footer grows with them, so the body never runs into it."""

    def __init__(
        self,
        practice: PracticeDetails,
        *,
        page_width: float,
        language: str,
        footer_text: str,
        later_header_text: str,
        identity: PageIdentity | None = None,
        large_print: bool = False,
        footer_note: str = "",
        footer_note_color: colors.Color = MUTED,
    ) -> None:
        register_fonts()
        self.practice = practice
        self.language = language
        self.footer_text = printable(footer_text)
        self.footer_note_color = footer_note_color
        self.identity = (
            PageIdentity(printable(identity.name), printable(identity.second))
            if identity is not None
            else None
        )
        self.later_header_text = (
            self.identity.text() if self.identity is not None else printable(later_header_text)
        )
        self.scale = LARGE_PRINT_SCALE if large_print else 1.0
        self.logo = _logo(practice.logo) if practice.logo else None
        self.qr = _qr(practice.website) if practice.website else None
        self.text_left = MARGIN + (self.logo[1] + 14 if self.logo else 0.0)
        self.text_right = page_width - MARGIN - (QR_SIZE + 12 if self.qr else 0.0)
        self._details = list(
            _detail_lines(
                practice, language, self.text_right - self.text_left, DETAIL_SIZE * self.scale
            )
        )
        self.footer_note_size = FOOTER_NOTE_SIZE * self.scale
        lines = _note_lines(
            printable(footer_note), FOOTER_SEPARATOR, page_width - 2 * MARGIN, self.footer_note_size
        )
        if len(lines) > FOOTER_NOTE_MAX_LINES:
            last, _size = _fitted(
                " ".join(lines[FOOTER_NOTE_MAX_LINES - 1 :]),
                FONT,
                self.footer_note_size,
                page_width - 2 * MARGIN,
                self.footer_note_size,
            )
            lines = [*lines[: FOOTER_NOTE_MAX_LINES - 1], last]
        self.footer_note_lines = tuple(lines)

    @property
    def block_height(self) -> float:
        s = self.scale
        text = NAME_SIZE * s + 6 + DETAIL_LEADING * s * len(self._details)
        logo = self.logo[2] if self.logo else 0.0
        qr = QR_SIZE if self.qr else 0.0
        return max(text, logo, qr)

    @property
    def first_page_height(self) -> float:
        """Space the letterhead takes at the top of page 1, rule and gap included."""
        identity = IDENTITY_GAP * self.scale if self.identity is not None else 0.0
        return TOP + self.block_height + 22.0 + identity

    def smallest(self, regular: float) -> float:
        """How far a line may shrink to fit before it is cut: in large print, never below
        the size regular print starts at (a long line is cut short instead)."""
        return regular if self.scale == 1.0 else LARGE_PRINT_SMALLEST

    @property
    def later_header_height(self) -> float:
        """Space the slim header of later pages takes (58 pt in regular print)."""
        return TOP + 22.0 * self.scale

    @property
    def footer_rule(self) -> float:
        """Height of the footer's rule above the bottom of the page."""
        return FOOTER_BASELINE + 13.0 * self.scale

    @property
    def footer_note_leading(self) -> float:
        return self.footer_note_size * FOOTER_NOTE_LEADING

    def footer_note_baselines(self) -> list[float]:
        """The baseline of each line of the footer's note, top line first."""
        lowest = self.footer_rule + 4.0 * self.scale
        count = len(self.footer_note_lines)
        return [lowest + (count - 1 - index) * self.footer_note_leading for index in range(count)]

    @property
    def footer_height(self) -> float:
        """Space kept at the bottom of every page for the footer: 58 pt in regular print,
        more for a note of several lines (its top line's ascent, and a gap above it)."""
        least = FOOTER_BASELINE + 28.0 * self.scale
        baselines = self.footer_note_baselines()
        if not baselines:
            return least
        top = baselines[0] + getAscent(FONT, self.footer_note_size)
        return max(least, top + 4.0 * self.scale)

    def draw_first_page(self, canvas: Canvas, doc: Any) -> None:
        width, height = canvas._pagesize
        top = height - TOP
        text_left, text_right = self.text_left, self.text_right
        canvas.saveState()
        if self.logo is not None:
            reader, logo_width, logo_height = self.logo
            canvas.drawImage(
                reader, MARGIN, top - logo_height, logo_width, logo_height, mask="auto"
            )
        if self.qr is not None:
            _draw_qr(canvas, self.qr, width - MARGIN - QR_SIZE, top - QR_SIZE, QR_SIZE)
        s = self.scale
        name_size, detail_size = NAME_SIZE * s, DETAIL_SIZE * s
        name, size = _fitted(
            printable(self.practice.name), FONT_BOLD, name_size, text_right - text_left, 11 * s
        )
        canvas.setFillColor(ACCENT)
        draw_text(canvas, text_left, top - name_size + 3, name, FONT_BOLD, size)
        canvas.setFillColor(MUTED)
        y = top - name_size - 6 - detail_size + 2
        for line in self._details:
            fitted, fitted_size = _fitted(
                line, FONT, detail_size, text_right - text_left, self.smallest(7.5)
            )
            draw_text(canvas, text_left, y, fitted, FONT, fitted_size)
            y -= DETAIL_LEADING * s
        rule = top - self.block_height - 10
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, rule, width - MARGIN, rule)
        if self.identity is not None:
            text, size = _fitted_identity(
                self.identity, FONT_BOLD, HEADER_SIZE * s, width - 2 * MARGIN, self.smallest(7)
            )
            canvas.setFillColor(MUTED)
            draw_text(
                canvas,
                width - MARGIN,
                rule - IDENTITY_GAP * s + 2,
                text,
                FONT_BOLD,
                size,
                right=True,
            )
        canvas.restoreState()
        self._arm_footer(canvas)

    def draw_later_page(self, canvas: Canvas, doc: Any) -> None:
        width, height = canvas._pagesize
        s = self.scale
        baseline = height - TOP - 10 * s
        canvas.saveState()
        room = width - 2 * MARGIN
        # The patient's identifiers take the room they need; the practice name the rest.
        right_font = FONT_BOLD if self.identity is not None else FONT
        if self.identity is not None:
            right, right_size = _fitted_identity(
                self.identity, right_font, HEADER_SIZE * s, room * 0.75, self.smallest(7)
            )
        else:
            right, right_size = _fitted(
                self.later_header_text, right_font, HEADER_SIZE * s, room * 0.62, self.smallest(7)
            )
        left_width = room - text_width(right, right_font, right_size) - 12
        name, size = _fitted(
            printable(self.practice.name), FONT_BOLD, HEADER_SIZE * s, left_width, self.smallest(7)
        )
        # A practice name cut short ("Lakeside Spine Cen…", large print beside a long
        # identity) reads as a misprint: page 1 names the practice, so it is left out.
        if not name.endswith("…") or printable(self.practice.name).endswith("…"):
            canvas.setFillColor(ACCENT)
            draw_text(canvas, MARGIN, baseline, name, FONT_BOLD, size)
        canvas.setFillColor(MUTED)
        draw_text(canvas, width - MARGIN, baseline, right, right_font, right_size, right=True)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, baseline - 7 * s, width - MARGIN, baseline - 7 * s)
        canvas.restoreState()
        self._arm_footer(canvas)

    def draw_blank_page(self, canvas: Canvas, doc: Any) -> None:
        """The back of a patient's last sheet in a two-sided batch: the slim header (so the
        page still says whose it is) and "intentionally left blank", with no page number."""
        self.draw_later_page(canvas, doc)
        width, height = canvas._pagesize
        canvas.saveState()
        canvas.setFillColor(MUTED)
        text = words_for(self.language)["blank"]
        size = 11 * self.scale
        draw_text(
            canvas,
            (width + text_width(text, FONT, size)) / 2,
            height / 2,
            text,
            FONT,
            size,
            right=True,
        )
        canvas.restoreState()
        if isinstance(canvas, NumberedCanvas):
            canvas.footer = None

    def _arm_footer(self, canvas: Canvas) -> None:
        if isinstance(canvas, NumberedCanvas):
            canvas.footer = self.draw_footer

    def draw_footer(self, canvas: Canvas, page: int, pages: int) -> None:
        width, _height = canvas._pagesize
        baseline = FOOTER_BASELINE
        s = self.scale
        canvas.saveState()
        canvas.setFillColor(self.footer_note_color)
        for line, line_baseline in zip(
            self.footer_note_lines, self.footer_note_baselines(), strict=True
        ):
            draw_text(canvas, MARGIN, line_baseline, line, FONT, self.footer_note_size)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, self.footer_rule, width - MARGIN, self.footer_rule)
        number = words_for(self.language)["page"].format(page=page, pages=pages)
        canvas.setFont(FONT_BOLD, HEADER_SIZE * s)
        canvas.setFillColor(ACCENT)
        canvas.drawRightString(width - MARGIN, baseline, number)
        room = width - 2 * MARGIN - text_width(number, FONT_BOLD, HEADER_SIZE * s) - 18
        text, size = _whole_parts(
            self.footer_text, FONT, FOOTER_SIZE * s, room, self.smallest(6.5), FOOTER_SEPARATOR
        )
        canvas.setFillColor(MUTED)
        draw_text(canvas, MARGIN, baseline, text, FONT, size)
        canvas.restoreState()


def letterhead_document(
    buffer: BinaryIO,
    letterhead: Letterhead,
    *,
    page_size: tuple[float, float],
    title: str,
    subject: str,
    language: str = "en",
    invariant: bool = True,
) -> BaseDocTemplate:
    """A document laid out for ``letterhead``: the full letterhead on the first page, the slim
    header on later pages, room for the footer on every page. Build it with
    ``canvasmaker=NumberedCanvas`` so the footer can say "page X of Y"."""
    page_width, page_height = page_size
    footer_height = letterhead.footer_height
    frame_heights = {
        "first": page_height - letterhead.first_page_height - footer_height,
        "later": page_height - letterhead.later_header_height - footer_height,
    }
    document = BaseDocTemplate(
        buffer,
        pagesize=page_size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=letterhead.later_header_height,
        bottomMargin=footer_height,
        title=title,
        author=letterhead.practice.name,
        subject=subject,
        creator="Front Desk",
        lang=language,
        invariant=1 if invariant else 0,
        displayDocTitle=1,
    )
    document.addPageTemplates(
        [
            PageTemplate(
                name,
                [
                    Frame(
                        MARGIN,
                        footer_height,
                        page_width - 2 * MARGIN,
                        height,
                        leftPadding=0,
                        rightPadding=0,
                        topPadding=0,
                        bottomPadding=0,
                        id=name,
                    )
                ],
                onPage=(
                    letterhead.draw_first_page if name == "first" else letterhead.draw_later_page
                ),
                autoNextPageTemplate="later" if name == "first" else None,
            )
            for name, height in frame_heights.items()
        ]
    )
    return document
