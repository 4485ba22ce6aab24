"""The words on a document's pages: the PDF's own text layer, or OCR of the page's image.

OCR runs the Tesseract program with the page image on its standard input and the text on
its standard output: no temporary file ever holds a patient's page (the usual Python
wrappers write each page image to a temporary file, which a crash leaves behind).
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import subprocess
from dataclasses import dataclass

import pypdfium2
from PIL import Image

from frontdesk.documents.page_images import _PDFIUM, POINTS_PER_INCH, PageSource

# Tesseract's language packs: English and Spanish (Debian: tesseract-ocr-eng, -spa).
OCR_LANGUAGES = ("eng", "spa")
# Faxes are sent at 200 dpi ("fine"); more only makes OCR slower, less loses small print.
OCR_DPI = 200
OCR_TIMEOUT_S = 60
# A page whose text layer has fewer letters than this is a scan: it is read by OCR.
MIN_TEXT_LAYER_LETTERS = 20
INSTALL_HINT = (
    "Install Tesseract OCR to have scanned pages read: on Windows the installer from "
    "github.com/UB-Mannheim/tesseract (with English and Spanish), on Debian or Ubuntu "
    "`apt install tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa`, on a Mac `brew install "
    "tesseract tesseract-lang`"
)


@dataclass(frozen=True)
class OcrStatus:
    available: bool
    languages: tuple[str, ...]
    message: str


@functools.cache
def ocr_status() -> OcrStatus:
    """Whether Tesseract is installed, with which of our languages (asked once)."""
    program = shutil.which("tesseract")
    if program is None:
        return OcrStatus(False, (), "Scanned pages cannot be read here. " + INSTALL_HINT)
    try:
        listed = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return OcrStatus(False, (), "Tesseract did not start. " + INSTALL_HINT)
    languages = tuple(language for language in OCR_LANGUAGES if language in listed)
    if not languages:
        return OcrStatus(False, (), "Tesseract has no English language pack. " + INSTALL_HINT)
    return OcrStatus(True, languages, "Scanned pages are read with Tesseract OCR")


def text_layer(data: bytes) -> list[str]:
    """Each page's text from a PDF's text layer ("" for a page that is only an image)."""
    with _PDFIUM:
        document = pypdfium2.PdfDocument(data)
        try:
            pages: list[str] = []
            for index in range(len(document)):
                page = document[index]
                textpage = page.get_textpage()
                pages.append(textpage.get_text_bounded().replace("\r\n", "\n"))
                textpage.close()
                page.close()
            return pages
        finally:
            document.close()


def has_text(text: str) -> bool:
    return sum(char.isalpha() for char in text) >= MIN_TEXT_LAYER_LETTERS


def page_image(source: PageSource, index: int, dpi: int = OCR_DPI) -> Image.Image:
    """The page as a grey image at ``dpi`` (OCR's input)."""
    width_pt, height_pt = source.page_size(index)
    width = max(1, round(width_pt * dpi / POINTS_PER_INCH))
    height = max(1, round(height_pt * dpi / POINTS_PER_INCH))
    drawn = source.render(index, width, height)
    image = Image.frombuffer(
        "RGBX", (drawn.width, drawn.height), drawn.pixels, "raw", "RGBX", drawn.stride, 1
    )
    return image.convert("L")


def ocr(image: Image.Image, languages: tuple[str, ...] = ("eng",)) -> str:
    """The words Tesseract reads on one page image ("" when OCR is not installed).

    English alone reads an English page in about half the time of English and Spanish
    together; the reader asks for Spanish too once a page reads like Spanish."""
    status = ocr_status()
    if not status.available:
        return ""
    wanted = [language for language in languages if language in status.languages]
    program = shutil.which("tesseract") or "tesseract"
    buffer = _png_bytes(image)
    result = subprocess.run(
        [program, "stdin", "stdout", "-l", "+".join(wanted or status.languages[:1]), "--psm", "3"],
        input=buffer,
        capture_output=True,
        # One thread per page: Tesseract's own threads make a page slower on a busy
        # workstation and would take the core the screens need.
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        timeout=OCR_TIMEOUT_S,
        check=False,
    )
    return result.stdout.decode("utf-8", "replace")


def _png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
