"""Handouts given: the print log, its audit disclosure, previews, reprints, suggestions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from sqlalchemy import func, select

from frontdesk.db.models import AuditEntry
from frontdesk.db.models_handouts import HandoutPrint, HandoutVersion
from frontdesk.documents.page_images import PdfPages, pixel_size
from frontdesk.domain.errors import (
    NotFoundError,
    PermissionDeniedError,
    RefusedError,
    ValidationError,
)
from frontdesk.domain.handout_format import language_code
from frontdesk.domain.permissions import ROLE_PERMISSIONS, Permission, Role
from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts.handout_prints import (
    sanitize_pdf_file_name,
    suggest_handouts,
)
from frontdesk.services.handouts.library import HandoutLibrary
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.patients.merge import merge_patients
from tests.conftest import make_actor
from tests.documents.pdfs import all_text, page_texts

DAY = dt.date(2026, 11, 25)
NOTE = "Traiga su disco de resonancia.\nO'Connor & Sons <b>"


def counts(context: ServiceContext) -> tuple[int, int, int]:
    """(print log rows, stored versions, audit entries)."""
    with context.database.read_sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(HandoutPrint)) or 0,
            session.scalar(select(func.count()).select_from(HandoutVersion)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def last_audit(context: ServiceContext) -> AuditEntry:
    with context.database.read_sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        session.expunge(entry)
        return entry


def test_saving_for_a_patient_logs_the_print_and_the_disclosure(
    front_desk: ServiceContext, maria: PatientData, library: HandoutLibrary, tmp_path: Path
) -> None:
    rendered = handout_prints.prepare(
        front_desk,
        "spinal-stenosis",
        "es",
        maria.id,
        note=NOTE,
        large_print=True,
        page_size="a4",
        library=library,
        today=DAY,
    )
    record = handout_prints.save_given(front_desk, rendered, tmp_path / "estenosis.pdf")

    text = all_text((tmp_path / "estenosis.pdf").read_bytes())
    assert "María José Núñez-García" in text
    assert "O'Connor & Sons <b>" in text
    assert list(tmp_path.glob(".handout-*")) == []
    assert (record.handout_id, record.version, record.language) == ("spinal-stenosis", "2", "es")
    assert record.title == "Estenosis espinal"
    assert record.destination == "saved: estenosis.pdf"
    assert record.note == NOTE.strip() and record.large_print and record.page_size == "a4"
    assert record.given_by == "desk.anna" and record.printed_on == DAY
    shipped = library.get("spinal-stenosis", "es")
    assert record.handout_sha256 == shipped.content_hash
    assert record.content_sha256 == rendered.content_sha256
    assert len(record.content_sha256) == 64

    assert handout_prints.prints_for_patient(front_desk, maria.id) == [record]
    entry = last_audit(front_desk)
    assert (entry.action, entry.entity, entry.entity_id) == ("export", "handout_prints", "1")
    assert entry.patient_id == maria.id and entry.username == "desk.anna"
    details = json.loads(entry.details)
    assert details["destination"] == "saved: estenosis.pdf"
    assert details["handout"] == "spinal-stenosis" and details["version"] == "2"
    assert details["note"] == NOTE.strip()
    assert details["content_sha256"] == record.content_sha256


def test_a_print_is_a_print_disclosure_naming_the_printer(
    front_desk: ServiceContext, maria: PatientData, library: HandoutLibrary
) -> None:
    rendered = handout_prints.prepare(
        front_desk, "mri-ct-scan", "en", maria.id, library=library, today=DAY
    )
    record = handout_prints.record_given(
        front_desk, rendered, handout_prints.printer_destination("Front  desk HP")
    )
    assert record.destination == "printer: Front desk HP" and record.printed
    entry = last_audit(front_desk)
    assert entry.action == "print"
    assert json.loads(entry.details)["destination"] == "printer: Front desk HP"
    with pytest.raises(ValidationError):
        handout_prints.record_given(front_desk, rendered, "somewhere")


def test_a_preview_records_nothing(
    front_desk: ServiceContext, maria: PatientData, library: HandoutLibrary
) -> None:
    before = counts(front_desk)
    pdf = handout_prints.render_for_patient(
        front_desk, "failed-back-syndrome", "es", maria.id, note=NOTE, library=library
    )
    assert "María José Núñez-García" in all_text(pdf)
    assert counts(front_desk) == before


def test_nothing_is_logged_without_a_patient(
    front_desk: ServiceContext, profile: None, library: HandoutLibrary
) -> None:
    rendered = handout_prints.prepare(front_desk, "mri-ct-scan", "en", None, library=library)
    assert rendered.patient_name == ""
    with pytest.raises(RefusedError, match="Choose the patient first"):
        handout_prints.record_given(front_desk, rendered, "printer: HP")


def test_reprint_gives_the_same_version_after_the_file_changed(
    front_desk: ServiceContext, maria: PatientData, library: HandoutLibrary, home: Path
) -> None:
    original = handout_prints.prepare(
        front_desk,
        "spinal-stenosis",
        "es",
        maria.id,
        note=NOTE,
        large_print=True,
        library=library,
        today=DAY,
    )
    first = handout_prints.record_given(front_desk, original, "printer: HP")
    # The practice replaces the handout with a version 3 that says something else.
    shipped = library.get("spinal-stenosis", "es").text
    changed = shipped.replace("version: 2", "version: 3").replace(
        "# ¿Qué es la estenosis espinal?", "# Una explicación nueva"
    )
    folder = handouts.create_practice_folder()
    (folder / "spinal-stenosis.es.txt").write_text(changed, encoding="utf-8")
    assert handouts.load_library().get("spinal-stenosis", "es").version == "3"

    again = handout_prints.reprint(front_desk, first.id, today=DAY)
    assert again.version == "2" and again.reprint_of_id == first.id
    assert all_text(again.pdf) == all_text(original.pdf)
    assert "¿Qué es la estenosis espinal?" in all_text(again.pdf)
    assert again.content_sha256 == first.content_sha256
    second = handout_prints.record_given(front_desk, again, "saved: copia.pdf")
    assert second.reprint_of_id == first.id and second.version == "2"
    assert json.loads(last_audit(front_desk).details)["reprint_of"] == first.id
    assert [r.id for r in handout_prints.prints_for_patient(front_desk, maria.id)] == [
        second.id,
        first.id,
    ]
    # The same version given twice is stored once.
    assert counts(front_desk)[1] == 1
    with pytest.raises(NotFoundError):
        handout_prints.reprint(front_desk, 999)


def test_a_role_without_the_print_permission_is_refused(
    context: ServiceContext,
    maria: PatientData,
    library: HandoutLibrary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered = handout_prints.prepare(
        context, "mri-ct-scan", "en", maria.id, library=library, today=DAY
    )
    first = handout_prints.record_given(context, rendered, "printer: HP")
    # Every shipped role may print handouts; a practice that takes it from clinical staff:
    reduced = ROLE_PERMISSIONS[Role.CLINICAL] - {Permission.PRINT_HANDOUTS}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.CLINICAL, reduced)
    nurse = context.as_actor(make_actor(Role.CLINICAL, "nurse.carla"))
    before = counts(context)
    for call in (
        lambda: handout_prints.prepare(nurse, "mri-ct-scan", "en", maria.id, library=library),
        lambda: handout_prints.record_given(nurse, rendered, "printer: HP"),
        lambda: handout_prints.reprint(nurse, first.id),
    ):
        with pytest.raises(PermissionDeniedError, match="print handouts"):
            call()
    assert counts(context) == before
    # Reading the chart's list needs only the chart.
    assert len(handout_prints.prints_for_patient(nurse, maria.id)) == 1


def test_merged_charts_refuse_and_merging_moves_the_log(
    context: ServiceContext, maria: PatientData, sean: PatientData, library: HandoutLibrary
) -> None:
    rendered = handout_prints.prepare(
        context, "mri-ct-scan", "en", sean.id, library=library, today=DAY
    )
    handout_prints.record_given(context, rendered, "printer: HP")
    result = merge_patients(context, maria.id, sean.id)
    assert result.moved["handout_prints.patient_id"] == 1
    assert len(handout_prints.prints_for_patient(context, maria.id)) == 1
    with pytest.raises(RefusedError, match="merged into chart"):
        handout_prints.prepare(context, "mri-ct-scan", "en", sean.id, library=library)
    with pytest.raises(RefusedError, match="merged into chart"):
        handout_prints.record_given(context, rendered, "printer: HP")


def test_the_content_hash_covers_every_personal_detail() -> None:
    base = {
        "patient_name": "Zoë",
        "printed_on": DAY,
        "note": "",
        "large_print": False,
        "page_size": "letter",
        "appointment": None,
    }
    first = handout_prints.content_hash("a" * 64, **base)  # type: ignore[arg-type]
    assert first == handout_prints.content_hash("a" * 64, **base)  # type: ignore[arg-type]
    for key, value in (
        ("patient_name", "Zoe"),
        ("note", "x"),
        ("large_print", True),
        ("page_size", "a4"),
        ("printed_on", DAY + dt.timedelta(days=1)),
    ):
        changed = {**base, key: value}
        assert handout_prints.content_hash("a" * 64, **changed) != first  # type: ignore[arg-type]
    assert handout_prints.content_hash("b" * 64, **base) != first  # type: ignore[arg-type]


def test_suggestions_follow_the_language_and_the_category(library: HandoutLibrary) -> None:
    spanish = suggest_handouts(library, "Spanish", "failed back")
    assert len({s.id for s in spanish}) == len(spanish) == 6
    assert all(s.handout.language == "es" and not s.fallback for s in spanish)
    matching = [s.id for s in spanish if s.matches_category]
    assert "failed-back-syndrome" in matching
    assert [s.id for s in spanish[: len(matching)]] == matching  # the category's come first

    vietnamese = suggest_handouts(library, "Vietnamese")
    assert all(s.handout.language == "en" and s.fallback for s in vietnamese)
    assert not any(s.matches_category for s in vietnamese)
    for preference in ("", "English"):
        assert not any(s.fallback for s in suggest_handouts(library, preference))


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Spanish", "es"),
        ("español", "es"),
        ("Spanish (Mexico)", "es"),
        ("ES", "es"),
        ("English", "en"),
        ("Inglés", "en"),
        ("Vietnamese", ""),
        ("", ""),
    ],
)
def test_the_charts_language_names_a_handout_language(typed: str, code: str) -> None:
    assert language_code(typed) == code


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        (
            "spinal-stenosis - José Núñez - 2026-11-25",
            "spinal-stenosis - José Núñez - 2026-11-25.pdf",
        ),
        ("a/b\\c:d*?.PDF", "a_b_c_d__.pdf"),
        ("CON", "_CON.pdf"),
        ("  ...  ", "handout.pdf"),
        ("x" * 400, "x" * 146 + ".pdf"),
    ],
)
def test_file_names_are_safe_everywhere(name: str, safe: str) -> None:
    assert sanitize_pdf_file_name(name) == safe


def test_every_page_is_drawn_at_the_size_asked_without_poppler(
    front_desk: ServiceContext, maria: PatientData, library: HandoutLibrary, without_pdftoppm: None
) -> None:
    pdf = handout_prints.render_for_patient(
        front_desk, "failed-back-syndrome", "en", maria.id, library=library
    )
    pages = PdfPages(pdf)
    assert pages.page_count == len(page_texts(pdf)) >= 2
    assert pixel_size(pages, 0, 40) == (340, 440)  # US Letter at 40 dpi
    last = pages.page_count - 1
    whole = pages.render(last, 1020, 1320)
    assert (whole.width, whole.height) == (1020, 1320)
    # A printer draws a page band by band; the bands join into the same page.
    bands = [pages.render(last, 1020, 1320, top=top, rows=440) for top in (0, 440, 880)]
    joined = b"".join(band.pixels for band in bands)
    assert len(joined) == len(whole.pixels)
    # PDFium may shade an edge pixel one level differently in a band than in the whole page.
    difference = ImageChops.difference(
        Image.frombytes("RGBX", (1020, 1320), joined),
        Image.frombytes("RGBX", (1020, 1320), whole.pixels),
    )
    assert max(high for _low, high in difference.getextrema()) <= 2
    assert len(set(whole.pixels)) > 2  # text, not a blank sheet
    pages.close()
