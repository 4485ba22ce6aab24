"""Reading back rendered PDFs: text per page, font sizes, a first-page picture."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader


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


def first_page_image(pdf: bytes, folder: Path) -> Image.Image:
    """Page 1 rasterized by poppler at 60 dpi, as a person's viewer would show it."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: apt-get install -y poppler-utils")
    source = folder / "render.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(source), str(folder / "page")],
        check=True,
        capture_output=True,
    )
    (png,) = folder.glob("page*.png")
    with Image.open(png) as image:
        return image.convert("L")


def dark_share(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> float:
    """Share of pixels clearly darker than paper, in the whole image or in ``box``."""
    region = image.crop(box) if box else image
    histogram = region.histogram()
    dark = sum(histogram[:200])
    return dark / (region.width * region.height)
