"""The demo practice's inbox on Wednesday morning (scenario 2): referrals, reports, an
operative note, junk, a two-report hospital fax to split, and a few scanned faxes left for
the app to read (OCR) while the receptionist watches."""

from __future__ import annotations

import random

from sqlalchemy import select

from frontdesk.db.models_patients import Patient
from frontdesk.demo.faxes import (
    Person,
    mri_lines,
    operative_lines,
    referral_lines,
    scanned_tiff,
    text_pdf,
)
from frontdesk.services.inbox import arrivals, reading
from frontdesk.services.kernel.context import ServiceContext

JUNK = (
    ["SPECIAL OFFER FOR MEDICAL OFFICES", "Toner cartridges at half price.", "Call today."],
    ["Wrong number?", "This fax was meant for Valley Dental. Please discard it."],
)
NEW_PEOPLE = (
    Person("Daniel", "Okafor", "11/23/1975", "(503) 210-0147"),
    Person("Linh", "Tran", "06/02/1988", "(503) 210-0178"),
)


def _people(context: ServiceContext, count: int) -> list[Person]:
    with context.reading(None) as session:
        rows = session.execute(
            select(Patient.first_name, Patient.last_name, Patient.date_of_birth)
            .where(Patient.merged_into_id.is_(None))
            .order_by(Patient.id)
            .limit(count)
        ).all()
    return [Person(first, last, f"{born:%m/%d/%Y}") for first, last, born in rows]


def fill_inbox(context: ServiceContext, *, documents: int = 17, seed: int = 1) -> int:
    """Put ``documents`` faxes in the inbox (fewer when the practice has few patients);
    text-layer ones are read now, scanned ones wait for the app. Returns how many."""
    rng = random.Random(seed)
    people = _people(context, max(documents, 12))
    if not people:
        return 0
    faxes: list[tuple[str, bytes, str, bool]] = []
    scenario = people[0]  # the week's story patient: her MRI report arrives
    faxes.append(("efax-0001.pdf", text_pdf(mri_lines(scenario)), "email", True))
    for person in NEW_PEOPLE:
        faxes.append(
            (f"fax-{len(faxes):04d}.pdf", text_pdf(referral_lines(person)), "folder", True)
        )
    for junk in JUNK:
        faxes.append((f"fax-{len(faxes):04d}.pdf", text_pdf(junk), "folder", True))
    hospital = text_pdf(
        operative_lines(people[1]),
        *([f"Operative note continued, page {n}"] for n in range(2, 5)),
        operative_lines(people[1]),
        *([f"Second operation, page {n}"] for n in range(2, 6)),
    )
    faxes.append(("hospital-records.pdf", hospital, "folder", True))
    makers = (mri_lines, operative_lines, referral_lines)
    for index, person in enumerate(people[2:]):
        if len(faxes) >= documents:
            break
        lines = rng.choice(makers)(person)
        scanned = index % 4 == 3
        data = scanned_tiff(text_pdf(lines), seed=index) if scanned else text_pdf(lines)
        name = f"scan-{len(faxes):04d}.tif" if scanned else f"fax-{len(faxes):04d}.pdf"
        faxes.append((name, data, "folder", not scanned))
    taken = 0
    for name, data, source, read_now in faxes[:documents]:
        origin = "e-mail from faxes@efax.example" if source == "email" else "fax folder"
        arrival = arrivals.receive(context, data, name, source=source, origin=origin)
        if arrival.document_id is None:
            continue
        taken += 1
        if read_now:
            reading.read_document(context, arrival.document_id)
    return taken
