"""What the handout tests share: the failed-back handouts and a printer that writes a PDF."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtPrintSupport import QPrinter

# The handouts suggested for a failed back syndrome request.
FAILED_BACK_HANDOUTS = {
    "adjacent-segment-disease",
    "failed-back-syndrome",
    "mri-ct-scan",
    "preparing-for-consultation",
    "pseudarthrosis",
    "spinal-stenosis",
}


def pdf_printer(path: Path) -> QPrinter:
    """A printer that prints into a PDF file at ``path`` (no real printer in the tests)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(150)
    return printer
