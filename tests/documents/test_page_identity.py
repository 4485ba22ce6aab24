"""Every page of a patient document names the patient and a second identifier; large print
grows the letterhead, the running header and the footer with the text."""

from __future__ import annotations

import datetime as dt

from reportlab.platypus import KeepTogether, Paragraph

from frontdesk.documents import handout_pdf, page_identity, records_request_letter
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.documents.records_request_letter import RecordsLetter
from frontdesk.documents.styles import document_styles
from frontdesk.services.handouts.library import HandoutLibrary
from tests.documents.pdfs import font_sizes, page_texts

DAY = dt.date(2026, 12, 1)
BORN = dt.date(1961, 3, 9)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_handout_names_the_patient_and_birth_date_on_every_page(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    who = page_identity.born("Seán O'Connor", BORN)
    pdf = handout_pdf.render(
        library.get("failed-back-syndrome", "en"), practice, "Seán O'Connor", DAY, identity=who
    )
    texts = page_texts(pdf)
    assert len(texts) > 1
    for text in texts:
        assert "Seán O'Connor · DOB 03/09/1961" in flat(text)


def test_a_name_too_long_for_the_header_is_cut_never_the_second_identifier(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    name = "Maximiliana Guadalupe Concepción de la Santísima Trinidad " * 3
    who = page_identity.born(name.strip(), BORN, mrn="MRN-0007")
    pdf = handout_pdf.render(
        library.get("failed-back-syndrome", "en"), practice, name.strip(), DAY, identity=who
    )
    for text in page_texts(pdf):
        assert "DOB 03/09/1961 · MRN MRN-0007" in flat(text)


def test_a_records_letter_names_the_patient_on_every_page(practice: PracticeDetails) -> None:
    letter = RecordsLetter(
        addressee="Valley Imaging Center",
        addressee_address="5 River Rd\nSpringfield, IL 62702",
        addressee_fax="",
        patient_name="Hoa Trần",
        date_of_birth=BORN,
        mrn="MRN-0007",
        needed=tuple(f"Imaging report: MRI number {n}" for n in range(40)),  # two pages
        today=DAY,
        signed_by="Front desk",
        request_id=3,
    )
    texts = page_texts(records_request_letter.render(letter, practice))
    assert len(texts) > 1
    for text in texts:
        assert "Hoa Trần · DOB 03/09/1961 · MRN MRN-0007" in flat(text)


def test_large_print_grows_letterhead_header_and_footer(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    handout = library.get("failed-back-syndrome", "en")
    who = page_identity.born("Seán O'Connor", BORN)

    def smallest(large: bool, page: int) -> float:
        pdf = handout_pdf.render(
            handout, practice, "Seán O'Connor", DAY, large_print=large, identity=who
        )
        return min(size for _text, size in font_sizes(pdf, page))

    # Regular print: header and footer at 7.5-9.5 pt; large print: none of it that small.
    for page in (0, 1):
        assert smallest(False, page) < 9.5
        assert smallest(True, page) > 9.5


def _paragraph_texts(flowable: object) -> list[str]:
    if isinstance(flowable, Paragraph):
        return [flowable.text]
    if isinstance(flowable, KeepTogether):
        return [text for inner in flowable._content for text in _paragraph_texts(inner)]
    return []


def test_the_last_bullet_of_a_list_never_goes_alone_to_a_new_page(
    library: HandoutLibrary, practice: PracticeDetails
) -> None:
    handout = library.get("spinal-stenosis", "en")
    flowables = handout_pdf.body_flowables(handout, practice, document_styles(False), 500)
    groups = [_paragraph_texts(f) for f in flowables]
    last = "Clumsy hands, or trouble with balance"
    (group,) = [g for g in groups if any(last in text for text in g)]
    assert group[-1].startswith(last) and any("arms or hands" in text for text in group)
