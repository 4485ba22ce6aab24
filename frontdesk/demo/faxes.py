"""Faxes made the way real ones are (for the demo practice's inbox, the tests and the
benchmarks): a letter or report drawn with ReportLab, then,
for scanned ones, rasterized at 200 dpi with a little skew and noise and saved as a G4 TIFF."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import pypdfium2
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    born: str  # as the sender writes it: 03/04/1961
    phone: str = ""


def referral_lines(
    person: Person, *, npi: str = "1234567893", doctor: str = "Raj Patel"
) -> list[str]:
    return [
        "Valley Primary Care",
        f"Fax from: Dr. {doctor}, MD   NPI {npi}",
        "Fax: (503) 410-2000",
        "",
        "REFERRAL FOR SPINE CONSULTATION",
        f"Patient: {person.last}, {person.first}",
        f"DOB: {person.born}",
        f"Phone: {person.phone}" if person.phone else "",
        "Reason for referral: low back pain with left leg pain for 6 months",
        "Please evaluate and treat. Thank you for seeing this patient.",
        f"Referring physician: Dr. {doctor}",
    ]


def mri_lines(person: Person) -> list[str]:
    return [
        "Valley Imaging Center",
        "MRI LUMBAR SPINE WITHOUT CONTRAST",
        f"Patient name: {person.first} {person.last}    DOB: {person.born}",
        "Date of exam: 05/12/2024",
        "Technique: sagittal and axial images of the lumbar spine.",
        "Comparison: none.",
        "Findings: L4-5 disc protrusion with mild canal narrowing.",
        "Impression: L4-5 disc protrusion.",
        "Radiologist: A. Smith, MD",
    ]


def operative_lines(person: Person) -> list[str]:
    return [
        "General Hospital",
        "OPERATIVE REPORT",
        f"Patient: {person.last}, {person.first}   Date of birth: {person.born}",
        "Preoperative diagnosis: L4-5 spondylolisthesis.",
        "Postoperative diagnosis: same.",
        "Procedure performed: L4-5 transforaminal lumbar interbody fusion.",
        "Anesthesia: general. Estimated blood loss: 200 mL.",
        "Implants: pedicle screws and rods.",
    ]


def text_pdf(*pages: list[str]) -> bytes:
    """A PDF with a text layer, one list of lines per page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1)
    for lines in pages:
        y = 720
        canvas.setFont("Helvetica", 12)
        for line in lines:
            canvas.drawString(72, y, line)
            y -= 20
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def scanned_tiff(pdf: bytes, *, dpi: int = 200, seed: int = 1, skew: float = 0.8) -> bytes:
    """Each page of ``pdf`` as a fax would send it: 1-bit G4 TIFF, slightly turned, specks."""
    rng = random.Random(seed)
    frames: list[Image.Image] = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            page.close()
            image = image.rotate(rng.uniform(-skew, skew), fillcolor=255, expand=False)
            pixels = image.load()
            width, height = image.size
            for _ in range(width * height // 2000):
                pixels[rng.randrange(width), rng.randrange(height)] = 0
            image = image.filter(ImageFilter.MinFilter(1))
            frames.append(image.point(lambda value: 255 if value > 150 else 0).convert("1"))
    finally:
        document.close()
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="TIFF",
        compression="group4",
        save_all=True,
        append_images=frames[1:],
        dpi=(dpi, dpi),
    )
    return buffer.getvalue()
