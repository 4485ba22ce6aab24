"""Reading back rendered PDFs: text per page, font sizes, a first-page picture."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from frontdesk.documents.page_images import PdfPages, pixel_size


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, with non-breaking spaces read as plain spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return [page.extract_text().replace("\u00a0", " ") for page in reader.pages]


def all_text(pdf: bytes) -> str:
    return "\n".join(page_texts(pdf))


def font_sizes(pdf: bytes, page_number: int = 0) -> list[tuple[str, float]]:
    """(text, font size in points) of every piece of text drawn on one page."""
    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((text.strip(), size * tm[0] * cm[0]))

    reader.pages[page_number].extract_text(visitor_text=visit)
    return found


@dataclass(frozen=True)
class TextPiece:
    """A piece of text drawn on a page: its baseline's start in points from the page's
    bottom left corner, and its font size."""

    text: str
    x: float
    y: float
    size: float


def text_pieces(pdf: bytes, page_number: int) -> list[TextPiece]:
    """Every piece of text drawn on one page, where it is drawn."""
    reader = PdfReader(io.BytesIO(pdf))
    found: list[TextPiece] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append(TextPiece(text.strip(), x, y, size * tm[0] * cm[0]))

    reader.pages[page_number].extract_text(visitor_text=visit)
    return found


def first_page_image(pdf: bytes) -> Image.Image:
    """Page 1 drawn at 60 dpi in grey, as a person's viewer would show it."""
    pages = PdfPages(pdf)
    try:
        width, height = pixel_size(pages, 0, 60)
        page = pages.render(0, width, height)
    finally:
        pages.close()
    return Image.frombytes(
        "RGBX", (width, height), page.pixels, "raw", "RGBX", page.stride
    ).convert("L")


def dark_share(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> float:
    """Share of pixels clearly darker than paper, in the whole image or in ``box``."""
    region = image.crop(box) if box else image
    histogram = region.histogram()
    dark = sum(histogram[:200])
    return dark / (region.width * region.height)


def printed_images(path: Path) -> list[list[tuple[int, int]]]:
    """Per page of a file printed to PDF, the pixel size of each image drawn on it (a printed
    page is drawn as images, band by band)."""
    pages: list[list[tuple[int, int]]] = []
    for page in PdfReader(path).pages:
        objects = page["/Resources"].get("/XObject", {})
        pages.append(
            [
                (int(item["/Width"]), int(item["/Height"]))
                for item in (reference.get_object() for reference in objects.values())
                if item.get("/Subtype") == "/Image"
            ]
        )
    return pages


def fills(images: list[tuple[int, int]], width: int, height: int) -> bool:
    """True when a printed page's bands make one picture as wide as ``width`` or as high as
    ``height`` (the page keeps its shape) and no bigger: drawn for that many printer pixels."""
    widths = {band_width for band_width, _rows in images}
    total = sum(rows for _band_width, rows in images)
    if len(widths) != 1:
        return False
    (drawn,) = widths
    return drawn <= width and total <= height and (drawn == width or total == height)
