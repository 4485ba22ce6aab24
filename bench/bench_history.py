"""Surgery and imaging history on SQLite and PostgreSQL: chart tab load, saves, summaries, files.

A demo database of 2,000 patients (about a third with histories); the story patient of
scenario 1 gets a richer history and a faxed report. Baselines: one summary per call for
the request queue's 200 charts (what a screen without the batch call would do) against
``history_summaries`` for all 200 at once; attaching a 10 MB PDF against only checking it.
PostgreSQL: a throwaway database on FRONTDESK_BENCH_PG_URL, dropped afterwards.
"""

from __future__ import annotations

import io
import os

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from bench.harness import Bench
from bench.scratch import on_sqlite_and_postgres
from frontdesk.db.models_history import PriorSurgery
from frontdesk.db.models_patients import Patient
from frontdesk.demo import generator as demo
from frontdesk.domain.actor import Actor
from frontdesk.domain.history_records import SurgeryForm
from frontdesk.domain.permissions import Role
from frontdesk.services.history import received_documents, timeline
from frontdesk.services.history.summary import (
    get_history,
    history_summaries,
    summary_line,
    surgeon_summary_pdf,
)
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context, open_for_use

ACTOR = Actor(username="bench", role=Role.ADMIN, workstation="bench")
PATIENTS = 2_000
QUEUE = 200


def _report(pages: int) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for page in range(pages):
        canvas.drawString(72, 720, f"Operative report, page {page + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _large_pdf(megabytes: int) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = DecodedStreamObject()
    stream.set_data(b"% " + os.urandom(megabytes * 512 * 1024).hex().encode() + b"\n")
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _measure(bench: Bench, label: str, context: ServiceContext) -> None:
    with context.reading(None) as session:
        ids = list(session.scalars(select(Patient.id).order_by(Patient.id)))
        with_history = list(
            session.scalars(select(PriorSurgery.patient_id).distinct().order_by("patient_id"))
        )
    story = ids[0]  # scenario 1's patient comes first in a demo load
    surgery = get_history(context, story).surgeries[0]
    received_documents.attach_document(context, _report(3), "op.pdf", surgery_id=surgery.id)

    bench.measure(
        f"history {label}: get_history (chart tab load)",
        lambda: get_history(context, story),
        repeat=60,
        warmup=5,
    )
    bench.measure(
        f"history {label}: patient_timeline",
        lambda: timeline.patient_timeline(context, story),
        repeat=60,
        warmup=5,
    )
    form = SurgeryForm(
        procedure="microdiscectomy", date="about 2015", levels="L5-S1", surgeon="Dr. Bench"
    )
    bench.measure(
        f"history {label}: add_surgery (one save, audited)",
        lambda: add_surgery(context, ids[1], form),
        repeat=40,
        warmup=3,
    )
    queue = (with_history * 2)[:QUEUE]
    one_by_one = f"history {label}: {QUEUE} summaries one call each"
    bench.measure(
        one_by_one,
        lambda: [summary_line(context, patient_id) for patient_id in queue],
        repeat=5,
        warmup=1,
    )
    bench.measure(
        f"history {label}: history_summaries for {QUEUE} charts",
        lambda: history_summaries(context, queue),
        repeat=20,
        warmup=2,
        baseline=one_by_one,
    )
    big = _large_pdf(10)
    check_only = f"history {label}: check a 10 MB PDF"
    bench.measure(check_only, lambda: received_documents.check_file(big, "scan.pdf"), repeat=5)
    counter = iter(range(1_000_000))

    def attach() -> None:
        # A different file each time, so nothing is recognized as already attached.
        data = big + f"% {next(counter)}\n".encode()
        received_documents.attach_document(context, data, "scan.pdf", surgery_id=surgery.id)

    bench.measure(
        f"history {label}: attach a 10 MB PDF (check, hash, store)",
        attach,
        repeat=5,
        baseline=check_only,
    )
    pdf = received_documents.list_documents(context, story)[0]

    def open_and_draw_page_one() -> None:
        opened = received_documents.document_pages(context, pdf.id)
        try:
            opened.pages.render(0, 850, 1100)
        finally:
            opened.pages.close()

    bench.measure(
        f"history {label}: open a 3-page PDF and draw page 1 for the viewer",
        open_and_draw_page_one,
        repeat=10,
    )
    bench.measure(
        f"history {label}: summary PDF for the surgeon",
        lambda: surgeon_summary_pdf(context, story),
        repeat=10,
        warmup=2,
    )


def _run(bench: Bench, label: str, url: str) -> None:
    database, _copy = open_for_use(url)
    try:
        context = make_context(database, ACTOR)
        demo.generate(context, patients=PATIENTS, seed=3)
        _measure(bench, label, context)
    finally:
        database.dispose()


def run(bench: Bench) -> None:
    on_sqlite_and_postgres(bench, "frontdesk-bench-history-", _run)
