"""PDF pages and scanned images drawn as pixels at a chosen size, in memory (PDFium, no Qt)."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Protocol

import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image

from frontdesk.domain.errors import FrontDeskError

# PDFium is not thread-safe: every call into it, from whichever thread, holds this. Re-entrant
# because a document dropped while the lock is held is closed by its finalizer on that thread.
_PDFIUM = threading.RLock()

POINTS_PER_INCH = 72
BYTES_PER_PIXEL = 4  # RGBX: each row is 32-bit aligned, as image libraries expect


class PageImageError(FrontDeskError):
    """A document's page cannot be drawn (a damaged file, or a page that does not exist)."""


@dataclass(frozen=True)
class PageImage:
    """Rows of 8-bit RGBX pixels (the fourth byte is unused): a whole page or a band of one."""

    width: int
    height: int
    stride: int
    pixels: bytes


class PageSource(Protocol):
    """A document whose pages are drawn one at a time, on demand, at any size."""

    @property
    def page_count(self) -> int: ...

    def page_size(self, index: int) -> tuple[float, float]:
        """Width and height in points (1/72 inch): the page's shape and natural size."""
        ...

    def render(
        self, index: int, width: int, height: int, *, top: int = 0, rows: int | None = None
    ) -> PageImage:
        """The page stretched to ``width`` x ``height`` pixels; only ``rows`` rows from ``top``
        when given (a band, so a page at a printer's resolution never sits whole in memory)."""
        ...

    def close(self) -> None: ...


def _band(height: int, top: int, rows: int | None) -> int:
    if rows is None:
        rows = height - top
    if not (top >= 0 and rows > 0 and top + rows <= height):
        raise ValueError(f"rows {top}..{top + (rows or 0)} are outside a page {height} high")
    return rows


class PdfPages:
    """A PDF opened from bytes (never written to disk): page count, sizes, pages drawn."""

    def __init__(self, data: bytes) -> None:
        try:
            with _PDFIUM:
                self._pdf: pypdfium2.PdfDocument | None = pypdfium2.PdfDocument(data)
                # Sizes come from the page tree without loading the pages: read them once,
                # so laying out the pages never waits for a page being drawn.
                self._sizes = [
                    (float(width), float(height))
                    for width, height in (
                        self._pdf.get_page_size(index) for index in range(len(self._pdf))
                    )
                ]
        except pypdfium2.PdfiumError:
            raise PageImageError(
                "This PDF cannot be shown; it may be damaged. The stored file is unchanged"
            ) from None

    @property
    def page_count(self) -> int:
        return len(self._sizes)

    def _document(self) -> pypdfium2.PdfDocument:
        if self._pdf is None:
            raise PageImageError("The document was closed before its page was drawn")
        return self._pdf

    def page_size(self, index: int) -> tuple[float, float]:
        return self._sizes[index]

    def render(
        self, index: int, width: int, height: int, *, top: int = 0, rows: int | None = None
    ) -> PageImage:
        rows = _band(height, top, rows)
        with _PDFIUM:
            page = self._document()[index]
            try:
                bitmap = pypdfium2.PdfBitmap.new_native(
                    width, rows, pdfium_c.FPDFBitmap_BGRx, rev_byteorder=True
                )
                pdfium_c.FPDFBitmap_FillRect(bitmap, 0, 0, width, rows, 0xFFFFFFFF)
                # The whole page is laid out at width x height and moved up by ``top``:
                # PDFium clips it to the band, so bands join without a seam.
                pdfium_c.FPDF_RenderPageBitmap(
                    bitmap,
                    page,
                    0,
                    -top,
                    width,
                    height,
                    0,
                    pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_REVERSE_BYTE_ORDER,
                )
                pixels = bytes(bitmap.buffer)
                stride = bitmap.stride
                bitmap.close()
            finally:
                page.close()
        return PageImage(width, rows, stride, pixels)

    def close(self) -> None:
        with _PDFIUM:
            if self._pdf is not None:
                self._pdf.close()
                self._pdf = None

    def __del__(self) -> None:
        # Dropped unclosed (a result nobody waited for): closed under the lock, not by
        # pypdfium2's own finalizer at a moment another thread may be drawing.
        if getattr(self, "_pdf", None) is not None:
            self.close()


class ImagePages:
    """A scanned image (a fax TIFF has one frame per page) drawn like the pages of a PDF."""

    def __init__(self, data: bytes) -> None:
        self._lock = threading.Lock()
        try:
            self._image: Image.Image | None = Image.open(io.BytesIO(data))
            self._sizes = []
            for index in range(max(1, int(getattr(self._image, "n_frames", 1) or 1))):
                self._image.seek(index)
                dpi = self._image.info.get("dpi", (POINTS_PER_INCH, POINTS_PER_INCH))
                x_dpi, y_dpi = (float(value) or POINTS_PER_INCH for value in dpi)
                self._sizes.append(
                    (
                        self._image.width * POINTS_PER_INCH / x_dpi,
                        self._image.height * POINTS_PER_INCH / y_dpi,
                    )
                )
        except (OSError, ValueError):
            raise PageImageError(
                "This image cannot be shown; the stored file is unchanged"
            ) from None

    @property
    def page_count(self) -> int:
        return len(self._sizes)

    def _frame(self, index: int) -> Image.Image:
        if self._image is None:
            raise PageImageError("The document was closed before its page was drawn")
        if not 0 <= index < len(self._sizes):
            raise IndexError(index)
        self._image.seek(index)
        return self._image

    def page_size(self, index: int) -> tuple[float, float]:
        return self._sizes[index]

    def render(
        self, index: int, width: int, height: int, *, top: int = 0, rows: int | None = None
    ) -> PageImage:
        rows = _band(height, top, rows)
        with self._lock:
            frame = self._frame(index).convert("RGB")
        scaled = frame.resize((width, height), Image.Resampling.LANCZOS)
        band = scaled.crop((0, top, width, top + rows)).convert("RGBX")
        return PageImage(width, rows, width * BYTES_PER_PIXEL, band.tobytes())

    def close(self) -> None:
        with self._lock:
            if self._image is not None:
                self._image.close()
                self._image = None


def pixel_size(source: PageSource, index: int, dpi: float) -> tuple[int, int]:
    """The page's size in pixels at ``dpi`` (dots per inch)."""
    width, height = source.page_size(index)
    scale = dpi / POINTS_PER_INCH
    return max(1, round(width * scale)), max(1, round(height * scale))


class TurnedPages:
    """Another PageSource's pages, each turned by its quarter turns clockwise (a fax page
    that came in sideways), as a reader sees them; the document itself is unchanged."""

    def __init__(
        self, source: PageSource, turns: dict[int, int], *, owns_source: bool = True
    ) -> None:
        """``owns_source`` False: closing this view leaves ``source`` open (its owner shows
        it turned again after another turn, or in thumbnails, and closes it itself)."""
        self.source = source
        self.owns_source = owns_source
        # Keyed by 0-based page index.
        self.turns = {index: value % 4 for index, value in turns.items() if value % 4}

    @property
    def page_count(self) -> int:
        return self.source.page_count

    def page_size(self, index: int) -> tuple[float, float]:
        width, height = self.source.page_size(index)
        return (height, width) if self.turns.get(index, 0) % 2 else (width, height)

    def render(
        self, index: int, width: int, height: int, *, top: int = 0, rows: int | None = None
    ) -> PageImage:
        turns = self.turns.get(index, 0)
        if not turns:
            return self.source.render(index, width, height, top=top, rows=rows)
        rows = _band(height, top, rows)
        upright = (height, width) if turns % 2 else (width, height)
        drawn = self.source.render(index, *upright)
        image = Image.frombuffer(
            "RGBX", (drawn.width, drawn.height), drawn.pixels, "raw", "RGBX", drawn.stride, 1
        )
        # PIL turns counter-clockwise; a turn clockwise is -90°.
        turned = image.rotate(-90 * turns, expand=True)
        band = turned.crop((0, top, width, top + rows))
        return PageImage(width, rows, width * BYTES_PER_PIXEL, band.tobytes())

    def close(self) -> None:
        if self.owns_source:
            self.source.close()
