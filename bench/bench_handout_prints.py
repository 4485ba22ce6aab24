"""Handouts given: render for a chart, the preview's and the printer's page pixels, logging."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from bench.harness import Bench
from frontdesk.documents import handout_pdf
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.documents.page_images import PdfPages, pixel_size
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts import library as handouts
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice.forms import PracticeProfileForm
from frontdesk.services.practice.profile import get_profile, save_profile

DAY = dt.date(2026, 11, 25)


def draw_pages(pdf: bytes, *, dpi: int, band_rows: int | None = None) -> None:
    """Every page's pixels, as the preview (whole pages) or a print job (bands) draws them."""
    source = PdfPages(pdf)
    try:
        for index in range(source.page_count):
            width, height = pixel_size(source, index, dpi)
            rows = band_rows or height
            for top in range(0, height, rows):
                source.render(index, width, height, top=top, rows=min(rows, height - top))
    finally:
        source.close()


HANDOUT = "failed-back-syndrome"  # two pages in Spanish


def run(bench: Bench) -> None:
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-bench-prints-"))
    database, _copy = open_for_use(f"sqlite:///{folder / 'bench.sqlite3'}")
    try:
        context = make_context(database, Actor("bench.desk", Role.FRONT_DESK))
        admin = make_context(database, Actor("bench.admin", Role.ADMIN))
        save_profile(
            admin,
            PracticeProfileForm(
                name="Lakeside Spine Center",
                address="100 Main St\nSpringfield, IL 62701",
                main_phone="217-555-0142",
                toll_free_phone="800-555-0199",
                website="lakeside-spine.example.com",
            ),
            None,
        )
        patient = create_patient(
            admin,
            PatientForm("María José", "Núñez-García", "1961-03-04", preferred_language="Spanish"),
        )
        library = handouts.load_library(include_practice=False)
        profile = get_profile(context)
        assert profile is not None
        details = PracticeDetails.from_profile(profile)
        handout = library.get(HANDOUT, "es")

        bench.measure(
            "handout prints: render only (no database)",
            lambda: handout_pdf.render(handout, details, "María José Núñez-García", DAY),
            repeat=30,
            warmup=3,
        )

        def prepare() -> handout_prints.RenderedHandout:
            return handout_prints.prepare(
                context, HANDOUT, "es", patient.id, note="Traiga su disco.", library=library
            )

        bench.measure(
            "handout prints: prepare for a chart (SQLite)",
            prepare,
            repeat=30,
            warmup=3,
            baseline="handout prints: render only (no database)",
        )
        rendered = prepare()
        bench.measure(
            "handout prints: preview, every page drawn at 100 dpi (PDFium)",
            lambda: draw_pages(rendered.pdf, dpi=100),
            repeat=10,
            warmup=1,
            baseline="handout prints: render only (no database)",
        )
        bench.measure(
            "handout prints: printing, every page drawn at 600 dpi in bands (PDFium)",
            lambda: draw_pages(rendered.pdf, dpi=600, band_rows=800),
            repeat=5,
            warmup=1,
            baseline="handout prints: render only (no database)",
        )
        bench.measure(
            "handout prints: record_given with audit entry (SQLite)",
            lambda: handout_prints.record_given(context, rendered, "printer: bench"),
            repeat=50,
            warmup=3,
        )
        first = handout_prints.prints_for_patient(context, patient.id)[-1]
        bench.measure(
            "handout prints: reprint from the stored version (SQLite)",
            lambda: handout_prints.reprint(context, first.id),
            repeat=20,
            warmup=2,
            baseline="handout prints: prepare for a chart (SQLite)",
        )
    finally:
        database.dispose()
        shutil.rmtree(folder, ignore_errors=True)
