"""Reading back rendered PDFs: text per page, font sizes, a first-page picture."""

from __future__ import annotations

import io

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
