"""Handouts show their review: a draft mark until a review of the very text is recorded, the
reviewer and source in the footer, and the practice's rule that a draft cannot be given."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.db.models_handouts import HandoutReview, HandoutVersion
from frontdesk.domain.errors import PermissionDeniedError, RefusedError, ValidationError
from frontdesk.services.handouts import handout_prints, reviews
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts.library import HandoutLibrary
from frontdesk.services.handouts.reviews import ReviewForm, ReviewStatus
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.practice import settings
from tests.documents.pdfs import all_text, page_texts

DAY = dt.date(2026, 12, 1)
LINDQVIST = ReviewForm(
    reviewer="Dr. Ana Lindqvist",
    reviewed_on="12/1/2026",
    evidence="NASS patient guideline 2024; the practice's page on failed back syndrome.",
)


def render_text(
    context: ServiceContext,
    library: HandoutLibrary,
    handout_id: str = "failed-back-syndrome",
    language: str = "en",
    patient_id: int | None = None,
    today: dt.date = DAY,
) -> str:
    rendered = handout_prints.prepare(
        context, handout_id, language, patient_id, library=library, today=today
    )
    return all_text(rendered.pdf)


def footer_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "Reviewed" in line or "reviewed" in line]


def test_a_handout_never_reviewed_prints_as_a_draft_saying_so_in_its_footer(
    context: ServiceContext, maria: PatientData, library: HandoutLibrary
) -> None:
    rendered = handout_prints.prepare(
        context, "failed-back-syndrome", "en", maria.id, library=library, today=DAY
    )
    pages = page_texts(rendered.pdf)
    assert "Draft: not yet reviewed" in pages[0]
    for page in pages:  # every page says so, and names the source
        assert "Not yet reviewed" in page
        assert (
            "Adapted from the patient page on failed back and failed fusion syndrome by "
            "Burak Ozgur, MD" in " ".join(page.split())
        )
        assert "version 2" in page
    standing = reviews.review_standing(context, library.get("failed-back-syndrome", "en"), DAY)
    assert standing.status is ReviewStatus.PENDING and standing.review is None


def test_a_recorded_review_takes_the_mark_off_and_puts_reviewer_and_date_in_the_footer(
    context: ServiceContext, maria: PatientData, library: HandoutLibrary
) -> None:
    handout = library.get("failed-back-syndrome", "en")
    record = reviews.record_review(context, handout, LINDQVIST, today=DAY)
    assert (record.reviewer, record.reviewed_on, record.version) == (
        "Dr. Ana Lindqvist",
        DAY,
        "2",
    )
    text = render_text(context, library, patient_id=maria.id)
    assert "Draft" not in text and "Not yet reviewed" not in text
    pages = page_texts(
        handout_prints.prepare(
            context, "failed-back-syndrome", "en", maria.id, library=library, today=DAY
        ).pdf
    )
    for page in pages:
        assert "Reviewed 2026-12-01 by Dr. Ana Lindqvist" in page
        assert "version 2" in page
    # The other language is a text of its own, still a draft.
    spanish = render_text(context, library, language="es")
    assert "Borrador: todavía sin revisar" in spanish
    assert "Todavía sin revisar" in spanish


def test_the_review_is_stored_with_its_text_and_written_to_the_audit_trail(
    context: ServiceContext, profile: None, library: HandoutLibrary
) -> None:
    handout = library.get("spinal-stenosis", "es")
    record = reviews.record_review(context, handout, LINDQVIST, today=DAY)
    with context.database.read_sessions() as session:
        row = session.get(HandoutReview, record.id)
        assert row is not None and row.handout_sha256 == handout.content_hash
        assert row.evidence.startswith("NASS patient guideline") and row.recorded_by
        kept = session.get(HandoutVersion, handout.content_hash)
        assert kept is not None and kept.text == handout.text
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "handout_reviews")
        ).one()
    assert entry.action == "create" and entry.entity_id == str(record.id)
    assert "Dr. Ana Lindqvist" in json.dumps(json.loads(entry.details), ensure_ascii=False)
    history = reviews.review_history(context, "spinal-stenosis", "es")
    assert [r.id for r in history] == [record.id]


def test_a_review_grows_overdue_after_the_practices_period(
    context: ServiceContext, profile: None, library: HandoutLibrary
) -> None:
    handout = library.get("pseudarthrosis", "en")
    reviews.record_review(context, handout, LINDQVIST, today=DAY)
    a_year_on = dt.date(2027, 12, 1)
    day_before = dt.date(2027, 11, 30)
    assert reviews.review_standing(context, handout, day_before).status is ReviewStatus.REVIEWED
    overdue = reviews.review_standing(context, handout, a_year_on)
    assert overdue.status is ReviewStatus.OVERDUE and overdue.due_on == a_year_on
    text = render_text(context, library, "pseudarthrosis", today=a_year_on)
    assert "Draft: not yet reviewed" in text
    assert "The last review of this handout is too old" in " ".join(text.split())
    assert "Reviewed 2026-12-01 by Dr. Ana Lindqvist" in text

    settings.set_setting(context, settings.HANDOUT_REVIEW_MONTHS, 24)
    assert reviews.review_standing(context, handout, a_year_on).status is ReviewStatus.REVIEWED


def test_an_edited_text_needs_a_review_of_its_own(
    context: ServiceContext, profile: None, home: Path
) -> None:
    library = handouts.load_library()
    shipped = library.get("mri-ct-scan", "en")
    reviews.record_review(context, shipped, LINDQVIST, today=DAY)
    folder = handouts.create_practice_folder()
    edited = shipped.text.replace("It does not hurt.", "It does not hurt at all.")
    (folder / "mri-ct-scan.en.txt").write_text(edited, encoding="utf-8")
    library = handouts.load_library()
    standing = reviews.review_standing(context, library.get("mri-ct-scan", "en"), DAY)
    assert standing.status is ReviewStatus.PENDING and standing.earlier_version_reviewed
    assert "Draft: not yet reviewed" in render_text(context, library, "mri-ct-scan")


def test_by_the_practices_rule_a_handout_not_reviewed_cannot_be_given(
    context: ServiceContext, maria: PatientData, library: HandoutLibrary
) -> None:
    settings.set_setting(context, settings.HANDOUT_UNREVIEWED, settings.UNREVIEWED_IS_REFUSED)
    with pytest.raises(RefusedError, match=r"has not been reviewed.*Admin → Handout reviews"):
        handout_prints.prepare(
            context, "spinal-stenosis", "en", maria.id, library=library, today=DAY
        )
    reviews.record_review(context, library.get("spinal-stenosis", "en"), LINDQVIST, today=DAY)
    text = render_text(context, library, "spinal-stenosis", patient_id=maria.id)
    assert "Draft" not in text
    with pytest.raises(RefusedError, match="is overdue for review"):
        handout_prints.prepare(
            context, "spinal-stenosis", "en", maria.id, library=library, today=dt.date(2028, 1, 1)
        )


def test_a_review_needs_a_reviewer_a_past_day_and_the_evidence(
    context: ServiceContext, profile: None, library: HandoutLibrary
) -> None:
    handout = library.get("spinal-stenosis", "en")
    with pytest.raises(ValidationError) as refused:
        reviews.record_review(context, handout, ReviewForm(" ", "12/2/2026", "  "), today=DAY)
    assert set(refused.value.fields) == {"reviewer", "reviewed_on", "evidence"}
    assert "future" in refused.value.fields["reviewed_on"]
    with pytest.raises(ValidationError) as unreadable:
        reviews.record_review(context, handout, ReviewForm("Dr. A", "31/31/2026", "x"), today=DAY)
    assert set(unreadable.value.fields) == {"reviewed_on"}
    with context.database.read_sessions() as session:
        assert session.scalars(select(HandoutReview)).all() == []


def test_only_an_administrator_records_a_review(
    front_desk: ServiceContext, profile: None, library: HandoutLibrary
) -> None:
    with pytest.raises(PermissionDeniedError):
        reviews.record_review(
            front_desk, library.get("spinal-stenosis", "en"), LINDQVIST, today=DAY
        )


@pytest.mark.parametrize(
    ("language", "emergency", "same_day"),
    [
        (
            "en",
            "Call 911 or go to the emergency room if you have any of these:",
            "Call our office the same day if you have any of these:",
        ),
        (
            "es",
            "Llame al 911 o vaya a la sala de emergencias si tiene algo de esto:",
            "Llame a nuestra oficina el mismo día si tiene algo de esto:",
        ),
    ],
)
def test_the_emergency_lines_print_first_then_the_same_day_ones(
    context: ServiceContext,
    profile: None,
    library: HandoutLibrary,
    language: str,
    emergency: str,
    same_day: str,
) -> None:
    text = " ".join(render_text(context, library, "spinal-stenosis", language).split())
    assert emergency in text and same_day in text
    assert text.index(emergency) < text.index(same_day)


def test_the_practices_own_treatment_prints_from_its_setting_in_the_handouts_language(
    context: ServiceContext, profile: None, library: HandoutLibrary
) -> None:
    before = render_text(context, library)
    assert "minimally invasive" not in before
    settings.save_settings(
        context,
        {
            settings.HANDOUT_TREATMENT_EN.key: "We treat it with minimally invasive surgery.",
            settings.HANDOUT_TREATMENT_ES.key: "La tratamos con cirugía mínimamente invasiva.",
        },
    )
    assert "We treat it with minimally invasive surgery." in render_text(context, library)
    spanish = render_text(context, library, language="es")
    assert "La tratamos con cirugía mínimamente invasiva." in spanish
    assert "minimally" not in spanish
