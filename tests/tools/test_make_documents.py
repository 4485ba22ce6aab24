"""`make documents`: one PDF of each document, each page saying whose it is."""

from __future__ import annotations

import re
from pathlib import Path

from tests.documents.pdfs import page_texts
from tools.documents import render_all

# Whose each document is, as every one of its pages says (a name and a second identifier;
# the batches hold several patients, the day sheet is the day's).
OWNERS = {
    "handout-en.pdf": "Seán O'Connor · DOB 09/17/1958",
    "handout-es-large-print.pdf": "María José Núñez-García · Fecha de nac. 03/04/1961",
    "packets.pdf": r"\S · (Cita|Visit) \d\d/\d\d/\d{4} \d+:\d\d",
    # The day's file: each summary's visit, to match it to the day (the MRN is in the footer).
    "surgeons-summaries.pdf": r"\S · DOB \d\d/\d\d/\d{4} · Visit \d\d/\d\d/\d{4} \d+:\d\d [AP]M \w",
    "history-summary.pdf": "Núñez-García, María José · DOB 03/04/1961 · MRN M0000001",
    "records-request-letter.pdf": "Núñez-García, María José · DOB 03/04/1961 · MRN M0000001",
    "access-report.pdf": "Núñez-García, María José",
    "day-sheet.pdf": r"Day sheet · \w+ \d\d/\d\d/\d{4}",
}


def test_make_documents_writes_one_pdf_of_each_and_the_pages_of_one(tmp_path: Path) -> None:
    written = render_all.render_documents(tmp_path / "documents", patients=30, images=False)
    assert sorted(path.name for path in written) == sorted(OWNERS)
    for path in written:
        pages = [" ".join(page.split()) for page in page_texts(path.read_bytes())]
        assert pages, path.name
        for number, text in enumerate(pages, start=1):
            owner = OWNERS[path.name]
            found = re.search(owner, text) if "\\" in owner else owner in text
            assert found, f"{path.name} page {number}: {text[:200]}"
        if path.name == "access-report.pdf":
            assert all("MRN M0000001" in text for text in pages)
    day_sheet = " ".join(page_texts((tmp_path / "documents" / "day-sheet.pdf").read_bytes()))
    assert "M0000001" in day_sheet
    # The Spanish reader's documents are in Spanish; the reviewed handout is not a draft.
    spanish = " ".join(page_texts((tmp_path / "documents" / "packets.pdf").read_bytes()))
    assert "Su cita está confirmada" in spanish and "(español)" in spanish
    maria = " ".join(
        text
        for text in page_texts((tmp_path / "documents" / "packets.pdf").read_bytes())
        if "María José Núñez-García · Cita" in " ".join(text.split())
    )
    assert "Primera consulta" in maria and "New consultation" not in maria
    assert "Oficina principal" in maria or "Clínica de Decatur" in maria
    english = " ".join(page_texts((tmp_path / "documents" / "handout-en.pdf").read_bytes()))
    assert "Reviewed" in english and "Draft" not in english


def test_page_images_are_one_png_per_page_at_100_dpi(tmp_path: Path) -> None:
    from PIL import Image

    from frontdesk.documents import handout_pdf
    from frontdesk.documents.letterhead import PracticeDetails
    from frontdesk.services.handouts import library

    handout = library.load_library(include_practice=False).get("spinal-stenosis", "en")
    practice = PracticeDetails(name="Lakeside Spine Center", main_phone="+12175550142")
    pdf = tmp_path / "stenosis.pdf"
    pdf.write_bytes(handout_pdf.render(handout, practice, "Seán O'Connor", handout.review_due))
    pngs = render_all.page_pngs(pdf)
    assert [path.name for path in pngs] == [
        f"stenosis-{n}.png" for n in range(1, len(page_texts(pdf.read_bytes())) + 1)
    ]
    with Image.open(pngs[0]) as image:
        assert image.size == (850, 1100)  # US letter at 100 dpi
