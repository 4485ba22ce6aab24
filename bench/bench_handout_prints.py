"""Handouts given: render for a chart, the in-app preview's page images, printing, logging."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from bench.harness import Bench
from frontdesk.documents import handout_pdf
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts import library as handouts
from frontdesk.services.patients import charts as patients
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice import profile as practice

DAY = dt.date(2026, 11, 25)
HANDOUT = "failed-back-syndrome"  # two pages in Spanish


def run(bench: Bench) -> None:
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-bench-prints-"))
    database, _copy = open_for_use(f"sqlite:///{folder / 'bench.sqlite3'}")
    try:
        context = make_context(database, Actor("bench.desk", Role.FRONT_DESK))
        admin = make_context(database, Actor("bench.admin", Role.ADMIN))
        practice.save_profile(
            admin,
            practice.PracticeProfileForm(
                name="Lakeside Spine Center",
                address="100 Main St\nSpringfield, IL 62701",
                main_phone="217-555-0142",
                toll_free_phone="800-555-0199",
                website="lakeside-spine.example.com",
            ),
            None,
        )
        patient = patients.create_patient(
            admin,
            patients.PatientForm(
                "María José", "Núñez-García", "1961-03-04", preferred_language="Spanish"
            ),
        )
        library = handouts.load_library(include_practice=False)
        profile = practice.get_profile(context)
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
            "handout prints: preview page images, 100 dpi PPM (pdftoppm)",
            lambda: handout_prints.pdf_page_images(rendered.pdf, dpi=handout_prints.PREVIEW_DPI),
            repeat=10,
            warmup=1,
            baseline="handout prints: render only (no database)",
        )
        bench.measure(
            "handout prints: print page images, 300 dpi JPEG (pdftoppm)",
            lambda: handout_prints.rendered_pages([rendered], dpi=handout_prints.PRINT_DPI),
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
