"""A 9-page fax holding two operative notes is split at page 5; each part is filed alone."""

from __future__ import annotations

import pytest

from frontdesk.demo.faxes import operative_lines, scanned_tiff, text_pdf
from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.services.inbox import arrivals, listing, pages, reading
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from tests.inbox.conftest import JOHN, MARIA


def nine_pages() -> bytes:
    first = [operative_lines(MARIA)] + [[f"Operative note continued, page {n}"] for n in (2, 3, 4)]
    second = [operative_lines(JOHN)] + [[f"Second note, page {n}"] for n in (2, 3, 4, 5)]
    return text_pdf(*first, *second)


def test_a_fax_split_at_page_five_makes_two_documents_each_with_its_patient(
    front_desk: ServiceContext, maria: PatientData
) -> None:
    arrival = arrivals.receive(front_desk, nine_pages(), "hospital.pdf", source="folder")
    assert arrival.document_id is not None
    reading.read_document(front_desk, arrival.document_id)
    first, second = pages.split(front_desk, arrival.document_id, pages.parse_ranges("1-4, 5-9", 9))
    rows = {row.id: row for row in listing.unfiled(front_desk)}
    assert set(rows) == {first, second}  # the original left the list
    assert (rows[first].page_count, rows[second].page_count) == (4, 5)
    assert rows[first].suggested_patient_id == maria.id
    assert rows[second].suggested_patient_id is None  # John has no chart
    assert rows[first].suggested_kind == "operative-report"
    assert "part 1 (pages 1-4)" in rows[first].file_name


def test_a_scanned_tiff_splits_into_tiffs(front_desk: ServiceContext) -> None:
    tiff = scanned_tiff(text_pdf(["a" * 30], ["b" * 30], ["c" * 30]))
    arrival = arrivals.receive(front_desk, tiff, "scan.tif", source="folder")
    assert arrival.document_id is not None
    ids = pages.split(front_desk, arrival.document_id, [(1, 1), (2, 3)])
    _mime, data = listing.document_bytes(front_desk, ids[1])
    assert data[:4] in (b"II*\x00", b"MM\x00*")
    assert [row.page_count for row in listing.unfiled(front_desk)] == [1, 2]


@pytest.mark.parametrize("text", ["1-4", "1-4, 6-9", "2-9, 1-1", "1-4, 5-8", "one-two, 3"])
def test_ranges_that_leave_out_or_repeat_pages_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        pages.parse_ranges(text, 9)


def test_a_split_document_cannot_be_split_or_filed_again(front_desk: ServiceContext) -> None:
    arrival = arrivals.receive(front_desk, nine_pages(), "h.pdf", source="folder")
    assert arrival.document_id is not None
    pages.split(front_desk, arrival.document_id, [(1, 4), (5, 9)])
    with pytest.raises(ConflictError, match="already split"):
        pages.split(front_desk, arrival.document_id, [(1, 4), (5, 9)])


def test_turning_a_page_is_remembered_and_a_full_turn_is_none(front_desk: ServiceContext) -> None:
    arrival = arrivals.receive(front_desk, nine_pages(), "h.pdf", source="folder")
    assert arrival.document_id is not None
    turned = pages.rotate_page(front_desk, arrival.document_id, 2, 1)
    assert pages.page_turns(turned) == {2: 1}
    back = pages.rotate_page(front_desk, arrival.document_id, 2, 3, expected_version=turned.version)
    assert pages.page_turns(back) == {}
    with pytest.raises(ValidationError, match="pages 1 to 9"):
        pages.rotate_page(front_desk, arrival.document_id, 10, 1)
