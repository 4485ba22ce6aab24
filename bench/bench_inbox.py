"""The inbox on SQLite and PostgreSQL: OCR of a scanned fax, a folder of 100 PDFs, opening
an inbox of 1,000 documents, and how often the right patient is suggested first.

Faxes are made as real ones are (frontdesk.demo.faxes): letters and reports drawn for demo
patients, rasterized at 200 dpi with skew and specks, saved as G4 TIFF. Tesseract runs with
one thread per page (as in the app); the figures need Tesseract installed.
"""

from __future__ import annotations

import random
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.harness import Bench
from bench.scratch import on_sqlite_and_postgres
from frontdesk.db.models_patients import Patient
from frontdesk.demo import generator as demo
from frontdesk.demo.faxes import (
    Person,
    mri_lines,
    operative_lines,
    referral_lines,
    scanned_tiff,
    text_pdf,
)
from frontdesk.documents.page_text import ocr_status
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.inbox import arrivals, folders, listing, reading
from frontdesk.services.inbox.folders import FolderWatch
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context, open_for_use

ACTOR = Actor(username="bench", role=Role.ADMIN, workstation="bench")
PATIENTS = 2_000
ACCURACY_FAXES = 30
FOLDER_PDFS = 100
INBOX_SIZE = 1_000


def _people(context: ServiceContext, count: int, seed: int) -> list[tuple[int, Person]]:
    with context.reading(None) as session:
        rows = session.execute(
            select(Patient.id, Patient.first_name, Patient.last_name, Patient.date_of_birth)
            .where(Patient.merged_into_id.is_(None))
            .order_by(Patient.id)
        ).all()
    rng = random.Random(seed)
    chosen = rng.sample(rows, count)
    return [
        (row.id, Person(row.first_name, row.last_name, f"{row.date_of_birth:%m/%d/%Y}"))
        for row in chosen
    ]


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _ten_page_fax(person: Person) -> bytes:
    pages = [mri_lines(person)] + [
        [f"Page {n} of the report for {person.first} {person.last}", "Findings continued."]
        + ["The discs and the facet joints are described on this page."] * 12
        for n in range(2, 11)
    ]
    return scanned_tiff(text_pdf(*pages))


def _measure_ocr(bench: Bench, label: str, context: ServiceContext) -> None:
    [(_, person)] = _people(context, 1, seed=11)
    for attempt in range(3):
        fax = _ten_page_fax(person)
        arrival = arrivals.receive(
            context, fax + bytes(attempt), f"fax{attempt}.tif", source="folder"
        )
        assert arrival.document_id is not None
        start = time.perf_counter()
        cpu_start = _cpu_seconds()
        first: list[float] = []
        first_cpu: list[float] = []

        def on_page(
            progress: reading.ReadProgress,
            first: list[float] = first,
            first_cpu: list[float] = first_cpu,
            start: float = start,
            cpu_start: float = cpu_start,
        ) -> None:
            if not first:
                first.append(time.perf_counter() - start)
                first_cpu.append(_cpu_seconds() - cpu_start)

        reading.read_document(context, arrival.document_id, progress=on_page)
        bench.record(f"inbox {label}: 10-page 200 dpi fax, first page's suggestions", first[0], "s")
        bench.record(
            f"inbox {label}: 10-page 200 dpi fax, all pages read",
            time.perf_counter() - start,
            "s",
        )
        # CPU time of this process and Tesseract together: the time on one core, whatever
        # else the machine is doing (a busy build machine stretches the wall clock).
        bench.record(
            f"inbox {label}: 10-page fax, first page's suggestions, CPU on one core",
            first_cpu[0],
            "s",
        )
        bench.record(
            f"inbox {label}: 10-page fax, all pages read, CPU on one core",
            _cpu_seconds() - cpu_start,
            "s",
        )


def _measure_accuracy(bench: Bench, label: str, context: ServiceContext) -> None:
    right = 0
    makers = (mri_lines, operative_lines, referral_lines)
    people = _people(context, ACCURACY_FAXES, seed=5)
    for index, (patient_id, person) in enumerate(people):
        lines = makers[index % len(makers)](person)
        fax = scanned_tiff(text_pdf(lines), seed=index, skew=1.2)
        arrival = arrivals.receive(context, fax, f"acc{index}.tif", source="email")
        assert arrival.document_id is not None
        reading.read_document(context, arrival.document_id)
        row, _suggestions = listing.one(context, arrival.document_id)
        right += row.suggested_patient_id == patient_id
    bench.record(
        f"inbox {label}: right patient suggested first ({ACCURACY_FAXES} scanned faxes)",
        100 * right / ACCURACY_FAXES,
        "%",
    )


def _measure_folder(bench: Bench, label: str, context: ServiceContext) -> None:
    people = _people(context, FOLDER_PDFS, seed=7)
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-faxes-") as name:
        folder = Path(name)
        for index, (_, person) in enumerate(people):
            path = folder / f"fax{index:03d}.pdf"
            path.write_bytes(text_pdf(referral_lines(person), mri_lines(person)))
        start = time.perf_counter()
        watch = FolderWatch(folder)
        folders.sweep(context, watch)  # first look: remembers sizes
        taken = folders.sweep(context, watch)
        for arrival in taken:
            if arrival.document_id is not None:
                reading.read_document(context, arrival.document_id)
        assert len(taken) == FOLDER_PDFS, len(taken)
        bench.record(
            f"inbox {label}: {FOLDER_PDFS} text PDFs taken from a folder and read",
            time.perf_counter() - start,
            "s",
        )


def _fill(context: ServiceContext, count: int) -> None:
    have = len(listing.unfiled(context, limit=count))
    for index in range(have, count):
        data = text_pdf([f"Document {index}", "Nothing else on this page at all, really."])
        arrivals.receive(context, data, f"d{index}.pdf", source="hand")


def _measure_open(bench: Bench, label: str, context: ServiceContext) -> None:
    _fill(context, INBOX_SIZE)

    def open_inbox() -> None:
        listing.unfiled(context)
        listing.unfiled_count(context)

    bench.measure(
        f"inbox {label}: open an inbox of {INBOX_SIZE:,} (first 200 rows and the count)",
        open_inbox,
        repeat=30,
        warmup=3,
    )


def _run(bench: Bench, label: str, url: str) -> None:
    database, _copy = open_for_use(url)
    try:
        context = make_context(database, ACTOR)
        demo.generate(context, patients=PATIENTS, seed=3)
        _measure_folder(bench, label, context)
        _measure_open(bench, label, context)
        if ocr_status().available:
            _measure_ocr(bench, label, context)
            _measure_accuracy(bench, label, context)
        else:
            bench.record(f"inbox {label}: OCR figures skipped (no Tesseract)", 0, "")
    finally:
        database.dispose()


def run(bench: Bench) -> None:
    on_sqlite_and_postgres(bench, "frontdesk-bench-inbox-", _run)
