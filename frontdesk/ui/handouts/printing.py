"""Printing PDFs on a printer chosen in the system print dialog, drawn at its resolution."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from frontdesk.documents.page_images import PageSource, PdfPages
from frontdesk.domain.errors import FrontDeskError
from frontdesk.ui.widgets.page_view import page_qimage

_PAGE_SIZES = {"letter": QPageSize.PageSizeId.Letter, "a4": QPageSize.PageSizeId.A4}

# Pages are drawn at the printer's resolution up to this; finer ones (a PDF printer says 1200)
# are drawn at this and scaled by the printer. 300 dpi text reads as sharp on paper, and a
# page is 4x quicker to draw and send than at 600 (a day's 650 packet pages: minutes, not 20+).
MAX_PRINT_DPI = 300
# Pixels drawn at a time: a page at a printer's resolution never sits whole in memory.
BAND_BYTES = 16 * 1024 * 1024


def make_printer(page_size: str = "letter") -> QPrinter:
    """A high-resolution printer set to the handout's paper, printing edge to edge (the
    PDF pages already carry the handout's own margins)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(_PAGE_SIZES.get(page_size, QPageSize.PageSizeId.Letter)))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setDocName("Patient handouts")
    return printer


def printer_name(printer: QPrinter) -> str:
    """The name the print log keeps: the printer's own, or "PDF file" for print-to-file."""
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        return "PDF file"
    return printer.printerName() or "default printer"


def _fitted(target: QRectF, width: float, height: float) -> QRectF:
    """The largest box of the page's shape centred in ``target``."""
    scale = min(target.width() / width, target.height() / height)
    fitted_width, fitted_height = width * scale, height * scale
    return QRectF(
        target.x() + (target.width() - fitted_width) / 2,
        target.y() + (target.height() - fitted_height) / 2,
        fitted_width,
        fitted_height,
    )


def _draw_page(painter: QPainter, source: PageSource, index: int, device_dpi: float) -> None:
    box = _fitted(QRectF(painter.viewport()), *source.page_size(index))
    density = min(1.0, MAX_PRINT_DPI / device_dpi) if device_dpi > 0 else 1.0
    width, height = max(1, round(box.width() * density)), max(1, round(box.height() * density))
    rows = max(1, BAND_BYTES // (width * 4))
    for top in range(0, height, rows):
        band = source.render(index, width, height, top=top, rows=min(rows, height - top))
        target = QRectF(box.x(), box.y() + top / density, box.width(), band.height / density)
        painter.drawImage(target, page_qimage(band))


def print_pdfs(printer: QPrinter, pdfs: Sequence[bytes]) -> int:
    """Print every page of every PDF in one job; returns the number of pages.

    Each page is drawn for this printer's resolution and paper, band by band. Qt supports
    painting on a QPrinter from a worker thread, so a long job runs on the Runner, but the
    printer must not be touched elsewhere meanwhile.
    """
    sources = [PdfPages(pdf) for pdf in pdfs]
    try:
        if not any(source.page_count for source in sources):
            raise FrontDeskError("There is nothing to print; nothing was printed.")
        painter = QPainter()
        if not painter.begin(printer):
            raise FrontDeskError(
                "The printer could not be started; check that it is on and connected, then "
                "try again. Nothing was recorded as given."
            )
        pages = 0
        try:
            for source in sources:
                for index in range(source.page_count):
                    if pages and not printer.newPage():
                        raise FrontDeskError("The printer stopped accepting pages")
                    _draw_page(painter, source, index, printer.resolution())
                    pages += 1
        finally:
            painter.end()
    finally:
        for source in sources:
            source.close()
    return pages
