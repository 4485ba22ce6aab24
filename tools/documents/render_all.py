"""`make documents`: render one of each document to PDF and each page to PNG at 100 dpi.

``python -m tools.documents FOLDER [--patients N]`` builds a scratch SQLite demo practice
(a few hundred synthetic patients) and makes each document through the ``frontdesk``
commands, which call the same services as the app: a handout in English (reviewed) and
one in Spanish in large print (a draft), a day's pre-visit packets in one two-sided file
and the surgeons' summaries apart, the day sheet, a surgeon's history summary, a
records-request letter and a chart's access report. Each page is drawn by PDFium
(frontdesk.documents.page_images) into ``NAME-PAGE.png``. Only page 1 of each (and page 2
of the packets) is kept in git; the rest is regenerated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from PIL import Image

DPI = 100
DEMO_PATIENTS = 300
# The first demo patients are the scenario people (frontdesk/demo/generator.py): María José
# Núñez-García reads Spanish in large print and has had two lumbar fusions; Seán O'Connor
# reads English.
SPANISH_PATIENT = "M0000001"
ENGLISH_PATIENT = "M0000003"
REVIEWED_HANDOUT = "preparing-for-consultation"
DRAFT_HANDOUT = "failed-back-syndrome"
NEW_CONSULTATION = "New consultation"
PROVIDER = "Lindqvist"
# The desk's user who makes the documents: letters are signed, and the access report lists,
# a person rather than the computer's login.
USER, USER_NAME = "maria.lopez", "Maria Lopez"
PASSWORD = "demo documents only"  # a scratch database, deleted at the end
_ENVIRONMENT = ("FRONTDESK_HOME", "XDG_CONFIG_HOME", "FRONTDESK_PASSWORD", "FRONTDESK_NEW_PASSWORD")


class DocumentsError(RuntimeError):
    """A command that makes a document failed: its output says why."""


def frontdesk(database: str, *args: str) -> str:
    """``frontdesk --database URL --user USER ARGS`` in this process; its standard output."""
    from frontdesk.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(["--database", database, "--user", USER, *args])
    if code:
        raise DocumentsError(f"frontdesk {' '.join(args)} (exit {code}): {err.getvalue()}")
    return out.getvalue()


def page_pngs(pdf: Path) -> list[Path]:
    """Each page of ``pdf`` as ``STEM-N.png`` beside it, at DPI dots per inch."""
    from frontdesk.documents.page_images import PdfPages, pixel_size

    pages = PdfPages(pdf.read_bytes())
    written = []
    try:
        for index in range(pages.page_count):
            width, height = pixel_size(pages, index, DPI)
            drawn = pages.render(index, width, height)
            image = Image.frombuffer(
                "RGBX", (drawn.width, drawn.height), drawn.pixels, "raw", "RGBX", drawn.stride, 1
            ).convert("RGB")
            path = pdf.with_name(f"{pdf.stem}-{index + 1}.png")
            # A palette of 128 colours keeps text and figures as drawn at a third of the size.
            image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
            written.append(path)
    finally:
        pages.close()
    return written


def _demo_database(home: Path, patients: int) -> tuple[str, dt.date]:
    """A scratch demo practice: its URL and its today (the practice's day)."""
    from frontdesk.demo import generator
    from frontdesk.domain.actor import Actor
    from frontdesk.domain.permissions import Role
    from frontdesk.services.kernel.clock import today
    from frontdesk.services.platform.bootstrap import make_context, open_for_use
    from frontdesk.services.practice.first_run import create_first_admin
    from frontdesk.services.practice.forms import NewUserForm

    url = f"sqlite:///{home / 'demo.sqlite3'}"
    database, _copy = open_for_use(url)
    try:
        actor = Actor("maria.lopez", Role.ADMIN, workstation="front-desk-1")
        context = make_context(database, actor)
        generator.generate(context, patients=patients, seed=1, schedule_days=(7, 14))
        create_first_admin(
            context,
            NewUserForm(username=USER, password=PASSWORD, role=Role.ADMIN, display_name=USER_NAME),
        )
        return url, today(context)
    finally:
        database.dispose()


def _provider_day(database: str, today: dt.date) -> tuple[dt.date, str]:
    """The provider's next working day with patients booked (the next weekday in a practice
    too small to have any), and the location they work at then."""
    day = today
    for _ in range(21):
        day += dt.timedelta(days=1)
        booked = json.loads(
            frontdesk(
                database,
                *("appointments", "list", "--date", day.isoformat()),
                *("--provider", PROVIDER, "--json"),
            )
        )
        if booked:
            return day, str(booked[0]["location_id"])
    day = today + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day, "1"


def _book_spanish_consultation(database: str, today: dt.date) -> dt.date:
    """María José's new consultation on the provider's next working day, squeezed in before
    the first patient (the demo fills the days ahead): her packet (Spanish, large print) and
    her surgeon's summary are then among the day's."""
    day, location = _provider_day(database, today)
    frontdesk(
        database,
        *("appointments", "book", "--patient", SPANISH_PATIENT, "--provider", PROVIDER),
        *("--type", NEW_CONSULTATION, "--start", f"{day.isoformat()}T07:00", "--overbook"),
        *("--location", location, "--reason", "Back pain after two lumbar fusions"),
    )
    return day


def render_documents(
    folder: Path, patients: int = DEMO_PATIENTS, *, images: bool = True
) -> list[Path]:
    """Every document into ``folder``: the PDFs and (with ``images``) their page images."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("*.pdf"), *folder.glob("*.png")]:
        old.unlink()
    home = Path(tempfile.mkdtemp(prefix="frontdesk-documents-"))
    saved = {key: os.environ.get(key) for key in _ENVIRONMENT}
    # Logs and settings of the scratch practice stay out of the user's own folders.
    os.environ["FRONTDESK_HOME"] = str(home)
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["FRONTDESK_PASSWORD"] = os.environ["FRONTDESK_NEW_PASSWORD"] = PASSWORD
    try:
        return _render(folder, home, patients, images)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(home, ignore_errors=True)


def _render(folder: Path, home: Path, patients: int, images: bool) -> list[Path]:
    database, today = _demo_database(home, patients)
    day = _book_spanish_consultation(database, today)
    frontdesk(
        database,
        *("handouts", "record-review", REVIEWED_HANDOUT, "--lang", "en"),
        *("--reviewer", "Ana Lindqvist, MD", "--on", today.isoformat()),
        *("--evidence", "NASS patient guide, 2026 edition"),
    )
    pdfs = [folder / "handout-en.pdf", folder / "handout-es-large-print.pdf"]
    frontdesk(
        database,
        *("handouts", "render", REVIEWED_HANDOUT, "--patient", ENGLISH_PATIENT),
        *("--date", today.isoformat(), "-o", str(pdfs[0])),
    )
    frontdesk(
        database,
        *("handouts", "render", DRAFT_HANDOUT, "--patient", SPANISH_PATIENT, "--lang", "es"),
        *("--date", today.isoformat(), "-o", str(pdfs[1])),
    )
    batch = home / "packets"
    batch.mkdir()
    frontdesk(
        database,
        *("packets", "--date", day.isoformat(), "--provider", PROVIDER, "-o", str(batch)),
        *("--combined", "--two-sided"),
    )
    for made in sorted(batch.glob("*.pdf")):
        name = "surgeons-summaries.pdf" if "summar" in made.name else "packets.pdf"
        pdfs.append(folder / name)
        shutil.move(made, pdfs[-1])
    pdfs.append(folder / "day-sheet.pdf")
    frontdesk(
        database,
        *("schedule", "day-sheet", "--date", day.isoformat(), "--provider", PROVIDER),
        *("-o", str(pdfs[-1])),
    )
    pdfs.append(folder / "history-summary.pdf")
    frontdesk(database, "history", "summary", SPANISH_PATIENT, "-o", str(pdfs[-1]))
    letters = home / "letters"
    letters.mkdir()
    frontdesk(database, "requests", "letter", "1", "-o", str(letters))
    # One letter per holder of missing records: the first shows them all.
    pdfs.append(folder / "records-request-letter.pdf")
    shutil.move(sorted(letters.glob("*.pdf"))[0], pdfs[-1])
    pdfs.append(folder / "access-report.pdf")
    frontdesk(database, "audit", "report", SPANISH_PATIENT, "-o", str(pdfs[-1]))
    written: list[Path] = []
    for pdf in pdfs:
        written.append(pdf)
        if images:
            written.extend(page_pngs(pdf))
    return written


def main(argv: list[str]) -> int:
    args = list(argv)
    patients = DEMO_PATIENTS
    if "--patients" in args:
        at = args.index("--patients")
        patients = int(args[at + 1])
        del args[at : at + 2]
    folder = Path(args[0] if args else "docs/documents").absolute()
    for path in render_documents(folder, patients):
        print(path)
    return 0
