"""PDF pages and scanned images drawn on demand, in memory, with nothing else installed."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4, landscape, letter
from reportlab.pdfgen.canvas import Canvas

from frontdesk.documents.page_images import ImagePages, PageImageError, PdfPages, pixel_size

pytestmark = pytest.mark.usefixtures("without_pdftoppm")


def pdf_of(*sizes: tuple[float, float]) -> bytes:
    """A PDF with one page per size, a black square in each page's top-left corner."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for width, height in sizes:
        canvas.setPageSize((width, height))
        canvas.rect(0, height - 72, 72, 72, fill=1)
        canvas.drawString(100, height - 100, f"{width:.0f} x {height:.0f}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pixel(image_bytes: bytes, stride: int, x: int, y: int) -> tuple[int, int, int]:
    start = y * stride + 4 * x
    red, green, blue = image_bytes[start : start + 3]
    return red, green, blue


def test_each_page_has_its_own_size_and_is_drawn_alone() -> None:
    pages = PdfPages(pdf_of(letter, landscape(A4), letter))
    assert pages.page_count == 3
    assert pixel_size(pages, 0, 72) == (612, 792)
    assert pixel_size(pages, 1, 100) == (1169, 827)  # A4 landscape at 100 dpi
    page = pages.render(1, 1169, 827)
    assert (page.width, page.height) == (1169, 827) and page.stride >= 4 * 1169
    # One inch of black in the top-left corner, paper elsewhere.
    assert pixel(page.pixels, page.stride, 50, 50) == (0, 0, 0)
    assert pixel(page.pixels, page.stride, 1100, 800) == (255, 255, 255)
    pages.close()


def test_bands_join_into_the_whole_page() -> None:
    pages = PdfPages(pdf_of(letter))
    whole = pages.render(0, 850, 1100)
    top = pages.render(0, 850, 1100, rows=333)
    rest = pages.render(0, 850, 1100, top=333)
    assert (top.height, rest.height) == (333, 767)
    assert top.pixels + rest.pixels == whole.pixels
    with pytest.raises(ValueError):
        pages.render(0, 850, 1100, top=1000, rows=200)
    pages.close()


def test_pages_drawn_on_several_threads_at_once_come_out_right() -> None:
    # PDFium is not thread-safe: the module serializes the calls.
    pages = PdfPages(pdf_of(*[letter] * 8))
    alone = pages.render(5, 400, 518).pixels
    with ThreadPoolExecutor(4) as pool:
        drawn = list(pool.map(lambda index: pages.render(index % 8, 400, 518).pixels, range(32)))
    assert all(pixels == alone for pixels in drawn)
    pages.close()


def test_a_damaged_pdf_and_a_closed_one_say_so() -> None:
    with pytest.raises(PageImageError, match="cannot be shown"):
        PdfPages(b"%PDF-1.4 not really")
    pages = PdfPages(pdf_of(letter))
    pages.close()
    with pytest.raises(PageImageError, match="closed"):
        pages.render(0, 10, 10)


def test_each_frame_of_a_fax_is_a_page() -> None:
    buffer = io.BytesIO()
    first = Image.new("RGB", (200, 260), "white")
    second = Image.new("L", (260, 200), 0)
    first.save(buffer, "TIFF", save_all=True, append_images=[second], dpi=(200, 200))
    pages = ImagePages(buffer.getvalue())
    assert pages.page_count == 2
    assert pages.page_size(0) == pytest.approx((72.0, 93.6))  # 200 px at 200 dpi: one inch
    page = pages.render(1, 130, 100)
    assert (page.width, page.height) == (130, 100)
    assert pixel(page.pixels, page.stride, 60, 50) == (0, 0, 0)
    pages.close()
    with pytest.raises(PageImageError):
        ImagePages(b"not an image")
