"""Sending rendered page images to a printer chosen in the system print dialog."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from frontdesk.domain.errors import FrontDeskError

_PAGE_SIZES = {"letter": QPageSize.PageSizeId.Letter, "a4": QPageSize.PageSizeId.A4}


def make_printer(page_size: str = "letter") -> QPrinter:
    """A high-resolution printer set to the handout's paper, printing edge to edge (the
    page images already carry the handout's own margins)."""
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


def paint_pages(printer: QPrinter, documents: Sequence[Sequence[bytes]]) -> int:
    """Print every page of every document in one job; returns the number of pages."""
    images = [QImage.fromData(page) for document in documents for page in document]
    if not images or any(image.isNull() for image in images):
        # Never send blank sheets (an image format missing from this Qt install).
        raise FrontDeskError(
            "The handout pages could not be prepared for the printer; nothing was printed. "
            "Save as PDF and print the file instead."
        )
    painter = QPainter()
    if not painter.begin(printer):
        raise FrontDeskError(
            "The printer could not be started; check that it is on and connected, then try "
            "again. Nothing was recorded as given."
        )
    pages = 0
    try:
        for image in images:
            if pages and not printer.newPage():
                raise FrontDeskError("The printer stopped accepting pages")
            target = QRectF(painter.viewport())
            scale = min(target.width() / image.width(), target.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            box = QRectF(
                target.x() + (target.width() - width) / 2,
                target.y() + (target.height() - height) / 2,
                width,
                height,
            )
            painter.drawImage(box, image)
            pages += 1
    finally:
        painter.end()
    return pages
