"""Paragraphs parsed and laid out once per run, shared by every packet of the run."""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

# What Paragraph.wrap leaves on a paragraph (ReportLab 4-5): its line breaks and size.
# tests/documents/test_packet_pdf_reuse.py fails if a ReportLab update leaves more.
LAYOUT_ATTRIBUTES = (
    "width",
    "height",
    "_wrapWidths",
    "blPara",
    "frags",
    "_width_max",
    "_splitLongWordCount",
    "_hyphenations",
)


class _RunParagraph(Paragraph):
    """A Paragraph that takes its line breaks from an earlier paragraph of the run with the
    same text and style laid out at the same width (layout only reads them, as drawing
    does; the parts a split makes are laid out afresh)."""

    _layouts: dict[float, dict[str, Any]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        layouts = self._layouts
        if layouts is None:
            return super().wrap(availWidth, availHeight)
        known = layouts.get(availWidth)
        if known is None:
            size = super().wrap(availWidth, availHeight)
            layouts[availWidth] = {name: getattr(self, name) for name in LAYOUT_ATTRIBUTES}
            return size
        self.__dict__.update(known)
        return self.width, self.height


class ParsedParagraphs:
    """Makes Paragraphs, parsing and laying out each distinct text once: one per run.

    Every patient's packet prints the same handouts and the letter's same wording, and
    parsing a paragraph's markup, then breaking it into lines, is most of a packet's time.
    The parsed fragments and line breaks are shared (layout and drawing only read them);
    every call still returns a new Paragraph, since a paragraph keeps the layout of the
    frame it was last placed in.
    """

    def __init__(self) -> None:
        # Styles are keys by identity: the stylesheet's are made once per process.
        self._parsed: dict[
            tuple[str, ParagraphStyle, str | None],
            tuple[Paragraph, dict[float, dict[str, Any]]],
        ] = {}

    def __call__(
        self, text: str, style: ParagraphStyle, bulletText: str | None = None
    ) -> Paragraph:
        key = (text, style, bulletText)
        known = self._parsed.get(key)
        if known is None:
            # The parse only: never placed in a document. Its layouts, by width, follow.
            known = self._parsed[key] = (Paragraph(text, style, bulletText=bulletText), {})
        parsed, layouts = known
        made = _RunParagraph(
            parsed.text, parsed.style, bulletText=parsed.bulletText, frags=parsed.frags
        )
        made._layouts = layouts
        return made

    def __len__(self) -> int:
        return len(self._parsed)
