"""Handouts: a personalized two-page handout PDF (goal < 50 ms median) vs plain ReportLab."""

from __future__ import annotations

import datetime as dt
import io
import time

from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from bench.harness import Bench
from frontdesk.documents.handout_pdf import AppointmentDetails, render
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.domain.handout_format import plain_text
from frontdesk.services.handouts import library as handouts

DAY = dt.date(2026, 11, 25)
SUSTAINED = 60  # renders in a row for the throughput figure


def _logo() -> bytes:
    image = Image.new("RGBA", (600, 240), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 230, 230), fill="#1F5C7A")
    draw.rectangle((260, 80, 590, 160), fill="#D99A00")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _plain_reportlab(text: str) -> bytes:
    """The floor: the same words as plain paragraphs, built-in font, no letterhead."""
    style = getSampleStyleSheet()["BodyText"]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=LETTER, invariant=1)
    document.build([Paragraph(line, style) for line in text.splitlines()])
    return buffer.getvalue()


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def run(bench: Bench) -> None:
    library = handouts.load_library(include_practice=False)
    handout = library.get("failed-back-syndrome", "en")
    practice = PracticeDetails(
        name="Lakeside Spine Center",
        address="100 Main St\nSpringfield, IL 62701",
        main_phone="+12175550142",
        toll_free_phone="+18005550199",
        fax="+12175550143",
        website="https://www.lakeside-spine.example.com",
        logo=_logo(),
    )
    appointment = AppointmentDetails(
        dt.datetime(2026, 12, 3, 9, 0), "Dr. Ana Lindqvist, MD", "Main office", "100 Main St"
    )

    def personalized() -> bytes:
        return render(
            handout,
            practice,
            "Nguyễn Thị Hoa",
            DAY,
            appointment=appointment,
            note="Please bring your 2021 operative report.",
        )

    # The baseline sets the same words (the handout text holds no markup characters).
    text = plain_text(handout)
    if _pages(personalized()) != 2 or _pages(_plain_reportlab(text)) < 1:
        raise RuntimeError("the benchmark handout is no longer two pages; pick another")

    bench.measure("handouts: plain ReportLab, same text", lambda: _plain_reportlab(text), 30, 3)
    result = bench.measure(
        "handouts: personalized 2-page PDF (logo, QR, appointment, note)",
        personalized,
        repeat=30,
        warmup=3,
        baseline="handouts: plain ReportLab, same text",
    )
    bench.record("handouts: throughput from the median", 1.0 / result.median, "PDFs/s")

    started = time.perf_counter()
    for _ in range(SUSTAINED):
        personalized()
    bench.record(
        f"handouts: sustained throughput ({SUSTAINED} in a row)",
        SUSTAINED / (time.perf_counter() - started),
        "PDFs/s",
    )

    spanish_large = library.get("failed-back-syndrome", "es")
    bench.measure(
        "handouts: Spanish large print (3 pages)",
        lambda: render(spanish_large, practice, "José Núñez", DAY, large_print=True),
        repeat=15,
        warmup=2,
        baseline="handouts: plain ReportLab, same text",
    )

    def cold_library() -> None:
        handouts._shipped.cache_clear()  # parse all 12 shipped files again
        handouts.load_library(include_practice=False)

    bench.measure("handouts: load and parse the library (12 files)", cold_library, 10, 1)
    bench.measure(
        "handouts: check every file and its reading level",
        lambda: handouts.check(library, DAY),
        repeat=5,
        warmup=1,
    )
