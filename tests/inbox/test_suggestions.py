"""Who sent a fax: the directory's doctor only when the page agrees with the entry."""

from __future__ import annotations

from frontdesk.demo.faxes import referral_lines, text_pdf
from frontdesk.services.inbox import arrivals, listing, reading
from frontdesk.services.inbox.data import Suggestions
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.referrers import ReferrerForm, save_referrer
from tests.inbox.conftest import JOHN

RAJ_NPI = "1234567893"
ANIL_NPI = "1987654328"


def _read_referral(context: ServiceContext, lines: list[str]) -> Suggestions:
    arrival = arrivals.receive(context, text_pdf(lines), "referral.pdf", source="hand")
    assert arrival.document_id is not None
    reading.read_document(context, arrival.document_id)
    return listing.one(context, arrival.document_id)[1]


def test_another_patel_with_another_npi_is_not_the_sender(front_desk: ServiceContext) -> None:
    """The tester's fax from Dr. Raj Patel (NPI 1234567893) was suggested as Dr. Anil Patel,
    a different NPI in the directory, and the new request would have named him."""
    save_referrer(front_desk, ReferrerForm(last_name="Patel", first_name="Anil", npi=ANIL_NPI))
    suggestions = _read_referral(front_desk, referral_lines(JOHN))
    referrer = suggestions.referrer
    assert referrer is not None
    assert referrer.referrer_id is None and referrer.name == ""
    # What the page says is kept, so the doctor can be added to the directory from it.
    assert referrer.npi == RAJ_NPI and referrer.read_name == "Raj Patel"
    assert "referrer_id" not in suggestions.intake


def test_a_last_name_alone_suggests_no_one(front_desk: ServiceContext) -> None:
    save_referrer(front_desk, ReferrerForm(last_name="Patel", first_name="Anil"))
    lines = [line.replace(f"NPI {RAJ_NPI}", "") for line in referral_lines(JOHN)]
    lines = [line.replace("Dr. Raj Patel", "Dr. Patel") for line in lines]
    assert _read_referral(front_desk, lines).referrer is None


def test_first_name_or_initial_and_last_name_find_the_doctor(front_desk: ServiceContext) -> None:
    anil = save_referrer(front_desk, ReferrerForm(last_name="Patel", first_name="Anil"))
    raj = save_referrer(front_desk, ReferrerForm(last_name="Patel", first_name="Raj"))
    # No NPI on the page and none in the directory: the names decide.
    lines = [line.replace(f"NPI {RAJ_NPI}", "") for line in referral_lines(JOHN)]
    found = _read_referral(front_desk, lines).referrer
    assert found is not None and found.referrer_id == raj.id
    initial = [line.replace("Dr. Raj Patel", "Dr. A. Patel") for line in lines]
    found = _read_referral(front_desk, [*initial, "(initial)"]).referrer
    assert found is not None and found.referrer_id == anil.id


def test_the_npi_on_the_page_finds_its_doctor_whatever_the_name(
    front_desk: ServiceContext,
) -> None:
    save_referrer(front_desk, ReferrerForm(last_name="Patel", first_name="Anil", npi=ANIL_NPI))
    raj = save_referrer(
        front_desk, ReferrerForm(last_name="Patel", first_name="Rajesh", npi=RAJ_NPI)
    )
    found = _read_referral(front_desk, referral_lines(JOHN)).referrer
    assert found is not None and found.referrer_id == raj.id
