"""The handout library: shipped files, the practice's folder, search, review dates, checks."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.handout_format import SAMPLE_VALUES, Box, BoxKind, inline_text, plain_text
from frontdesk.domain.readability import fernandez_huerta, flesch_kincaid_grade
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts.library import Origin, ReviewState

SHIPPED_IDS = {
    "failed-back-syndrome",
    "preparing-for-consultation",
    "mri-ct-scan",
    "spinal-stenosis",
    "pseudarthrosis",
    "adjacent-segment-disease",
}

OWN_HANDOUT = """id: {id}
title: {title}
language: {language}
version: {version}
last reviewed: 2026-01-10
reviewer: Dr. Ana Lindqvist
review due: {due}
categories: Herniated disc
---
# What it is
{text}

[box: Call us]
Call {{practice_name}} at {{phones}}.
[end]
"""


def own_handout(
    folder: Path,
    file_name: str,
    *,
    id: str = "herniated-disc",
    title: str = "Herniated disc",
    language: str = "en",
    version: str = "1",
    due: str = "2027-01-10",
    text: str = "A disc can bulge and press on a nerve. It often gets better with time.",
) -> Path:
    path = folder / file_name
    path.write_text(
        OWN_HANDOUT.format(
            id=id, title=title, language=language, version=version, due=due, text=text
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def shipped() -> handouts.HandoutLibrary:
    return handouts.load_library(include_practice=False)


def test_every_shipped_handout_comes_in_english_and_spanish(
    shipped: handouts.HandoutLibrary,
) -> None:
    assert shipped.problems == ()
    assert {e.key for e in shipped.entries} == {
        (handout_id, language) for handout_id in SHIPPED_IDS for language in ("en", "es")
    }
    assert all(e.origin is Origin.SHIPPED for e in shipped.entries)
    for entry in shipped.entries:
        assert entry.file == f"handouts/{entry.handout.id}.{entry.handout.language}.txt"


@pytest.mark.parametrize(
    ("handout_id", "language"),
    sorted((h, lang) for h in SHIPPED_IDS for lang in ("en", "es")),
)
def test_every_shipped_handout_is_easy_enough_to_read(
    shipped: handouts.HandoutLibrary, handout_id: str, language: str
) -> None:
    text = plain_text(shipped.get(handout_id, language))
    if language == "en":
        assert flesch_kincaid_grade(text) < 7.0
    else:
        assert fernandez_huerta(text) > 77.0


def test_no_shipped_handout_hard_codes_a_phone_number_or_web_site(
    shipped: handouts.HandoutLibrary,
) -> None:
    phone = re.compile(r"\(?\d{3}\)?[\s.-]*\d{2,3}[\s.-]*\d{4}|\b\d{3}-\d{2}-[A-Z]{5}\b")
    for entry in shipped.entries:
        body = entry.handout.text.split("\n---\n", 1)[1]
        assert not phone.search(body), entry.file
        assert "www." not in body and "http" not in body, entry.file
    failed_back = shipped.get("failed-back-syndrome", "en")
    assert {"practice_name", "main_phone", "toll_free_phone"} <= failed_back.placeholders()


def test_the_failed_back_handout_covers_what_the_practice_page_says(
    shipped: handouts.HandoutLibrary,
) -> None:
    handout = shipped.get("failed-back-syndrome", "en")
    text = plain_text(handout).lower()
    for fact in (
        "pseudarthrosis",
        "spinal stenosis",
        "scar tissue",
        # the source's own facts: damage *within* the nerve, disc disease that persists or
        # recurs (an earlier wording said "inflammation around the nerves" and dropped both)
        "damage inside the nerve itself (arachnoiditis)",
        "above or below the surgery that lasts or keeps coming back",
        "moves too much",
        "did not heal",
        "mri",
        "ct scan",
        "may not take away all of your pain",
    ):
        assert fact in text, fact
    assert "inflammation around the nerves" not in text
    assert handout.adapted_from.endswith("Burak Ozgur, MD")
    spanish_handout = shipped.get("failed-back-syndrome", "es")
    spanish = plain_text(spanish_handout).lower()
    for fact in (
        "seudoartrosis",
        "estenosis espinal",
        "daño dentro del propio nervio (aracnoiditis)",
        "que no se quita o que vuelve",
    ):
        assert fact in spanish, fact
    assert "Burak Ozgur" in spanish_handout.adapted_from


def test_the_practices_own_claims_print_only_from_its_setting(
    shipped: handouts.HandoutLibrary,
) -> None:
    """ "Treats with minimally invasive outpatient surgery" is one practice's claim: the
    shipped text says it only through {practice_treatment}, left out when that is empty."""
    for language in ("en", "es"):
        handout = shipped.get("failed-back-syndrome", language)
        assert "practice_treatment" in handout.placeholders()
        body = handout.text.split("\n---\n", 1)[1].lower()
        for claim in ("minimally invasive", "mínimamente invasiva", "outpatient"):
            assert claim not in body.replace("{practice_treatment}", "")
        without = {**SAMPLE_VALUES, "practice_treatment": ""}
        assert "fits your needs" not in plain_text(handout, without)
        assert "We offer care that fits your needs." in plain_text(handout, SAMPLE_VALUES)


def test_every_condition_handout_has_both_tiers_of_when_to_get_help(
    shipped: handouts.HandoutLibrary,
) -> None:
    firsts = {
        "en": ("Call 911 or go to the emergency room if", "Call our office the same day if"),
        "es": (
            "Llame al 911 o vaya a la sala de emergencias si",
            "Llame a nuestra oficina el mismo día si",
        ),
    }
    for handout_id in (
        "failed-back-syndrome",
        "spinal-stenosis",
        "adjacent-segment-disease",
        "pseudarthrosis",
    ):
        for language, (emergency, same_day) in firsts.items():
            boxes = [e for e in shipped.get(handout_id, language).body if isinstance(e, Box)]
            kinds = {box.kind: inline_text(box.title, {}) for box in boxes}
            assert kinds[BoxKind.EMERGENCY].startswith(emergency), (handout_id, language)
            assert kinds[BoxKind.SAME_DAY].startswith(same_day), (handout_id, language)


def test_search_ignores_case_and_accents_and_needs_every_word(
    shipped: handouts.HandoutLibrary,
) -> None:
    ids = lambda rows: {(r.id, r.language) for r in rows}  # noqa: E731
    assert ids(handouts.list_handouts(shipped, "STENOSIS")) >= {("spinal-stenosis", "en")}
    assert ("spinal-stenosis", "es") in ids(handouts.list_handouts(shipped, "estenosis"))
    assert ids(handouts.list_handouts(shipped, "fusion fallida")) == {
        ("failed-back-syndrome", "es")
    }
    assert ids(handouts.list_handouts(shipped, "tomografia que esperar")) == {("mri-ct-scan", "es")}
    assert handouts.list_handouts(shipped, "stenosis zebra") == []


def test_filters_by_language_and_category(shipped: handouts.HandoutLibrary) -> None:
    spanish = handouts.list_handouts(shipped, language="es")
    assert len(spanish) == 6 and {r.language for r in spanish} == {"es"}
    stenosis = handouts.list_handouts(
        shipped, language="en", category=RequestCategory.SPINAL_STENOSIS
    )
    assert {r.id for r in stenosis} == {
        "spinal-stenosis",
        "adjacent-segment-disease",
        "preparing-for-consultation",
        "mri-ct-scan",
    }
    by_label = handouts.list_handouts(shipped, language="en", category="Failed back")
    assert "failed-back-syndrome" in {r.id for r in by_label}
    row = next(r for r in stenosis if r.id == "spinal-stenosis")
    assert row.categories == (
        "spinal_stenosis",
        "degenerative_disc_disease",
        "failed_back",
    )


def test_a_practice_file_replaces_the_shipped_one_with_the_same_id_and_language(
    tmp_path: Path,
) -> None:
    own_handout(
        tmp_path,
        "my-stenosis.txt",
        id="spinal-stenosis",
        title="Spinal stenosis (our version)",
        version="7",
    )
    library = handouts.load_library(tmp_path)
    entry = library.find("spinal-stenosis", "en")
    assert entry is not None
    assert entry.origin is Origin.PRACTICE and entry.replaces_shipped
    assert entry.handout.version == "7"
    assert entry.file == str(tmp_path / "my-stenosis.txt")
    assert library.find("spinal-stenosis", "es").origin is Origin.SHIPPED
    assert len(library.entries) == 12


def test_a_practice_file_with_a_new_id_adds_a_handout(tmp_path: Path) -> None:
    own_handout(tmp_path, "herniated-disc.en.txt")
    library = handouts.load_library(tmp_path)
    rows = handouts.list_handouts(library, category=RequestCategory.HERNIATED_DISC)
    # The consultation and scan handouts are for every category.
    assert [(r.id, r.origin, r.replaces_shipped) for r in rows] == [
        ("herniated-disc", "practice", False),
        ("mri-ct-scan", "shipped", False),
        ("mri-ct-scan", "shipped", False),
        ("preparing-for-consultation", "shipped", False),
        ("preparing-for-consultation", "shipped", False),
    ]
    assert len(library.entries) == 13


def test_a_broken_practice_file_is_reported_and_the_rest_still_list(tmp_path: Path) -> None:
    own_handout(tmp_path, "herniated-disc.en.txt")
    broken = own_handout(tmp_path, "broken.en.txt", id="broken", text="Call {fax_number}.")
    (tmp_path / "latin1.es.txt").write_bytes(b"id: x\ntitle: Caf\xe9\nlanguage: es\n---\nHola.\n")
    (tmp_path / "notes.md").write_text("not a handout")
    (tmp_path / "~lock.en.txt").write_text("an editor's lock file")
    library = handouts.load_library(tmp_path)
    assert len(library.entries) == 13
    assert [(p.file, p.line) for p in library.problems] == [
        (str(broken), 11),
        (str(tmp_path / "latin1.es.txt"), 2),
    ]
    assert "unknown placeholder {fax_number}" in library.problems[0].reason
    report = handouts.check(library, dt.date(2026, 12, 1))
    assert not report.ok


def test_two_practice_files_with_the_same_id_and_language_are_reported(tmp_path: Path) -> None:
    own_handout(tmp_path, "a.en.txt")
    own_handout(tmp_path, "b.en.txt", version="2")
    library = handouts.load_library(tmp_path)
    assert library.get("herniated-disc", "en").version == "1"
    (problem,) = library.problems
    assert problem.file == str(tmp_path / "b.en.txt")
    assert "already has id herniated-disc in en" in problem.reason


def test_a_missing_or_unreadable_practice_folder_is_just_empty(tmp_path: Path) -> None:
    library = handouts.load_library(tmp_path / "does-not-exist")
    assert len(library.entries) == 12 and library.problems == ()


def test_pick_prefers_the_patients_language_then_english(tmp_path: Path) -> None:
    own_handout(tmp_path, "herniated-disc.en.txt")
    library = handouts.load_library(tmp_path)
    assert library.pick("spinal-stenosis", "es").handout.language == "es"
    assert library.pick("herniated-disc", "es").handout.language == "en"
    with pytest.raises(NotFoundError, match="no handout 'nope'"):
        library.pick("nope", "en")
    with pytest.raises(NotFoundError, match=r"no vi version \(it has: en, es\)"):
        library.get("spinal-stenosis", "vi")


def test_review_list_shows_overdue_then_due_soon(tmp_path: Path) -> None:
    own_handout(tmp_path, "a.en.txt", due="2026-11-01")
    own_handout(tmp_path, "b.en.txt", id="old-one", title="Old one", due="2026-10-01")
    own_handout(tmp_path, "c.en.txt", id="soon", title="Soon", due="2026-12-20")
    library = handouts.load_library(tmp_path)
    items = handouts.review_list(library, dt.date(2026, 12, 1))
    assert [(i.id, i.state, i.days) for i in items] == [
        ("old-one", ReviewState.OVERDUE, -61),
        ("herniated-disc", ReviewState.OVERDUE, -30),
        ("soon", ReviewState.DUE_SOON, 19),
    ]
    later = handouts.review_list(library, dt.date(2027, 5, 1))
    assert sum(1 for i in later if i.file.startswith("handouts/")) == 12


def test_check_passes_the_shipped_library_and_reports_every_reading_level(
    shipped: handouts.HandoutLibrary,
) -> None:
    report = handouts.check(shipped, dt.date(2026, 12, 1))
    assert report.ok, report.problems
    assert len(report.files) == 12
    assert all(f.readability is not None and f.readability.acceptable for f in report.files)


def test_check_points_at_the_hardest_paragraph_of_a_hard_handout(tmp_path: Path) -> None:
    hard = (
        "Postoperative radiculopathy necessitates comprehensive multidisciplinary "
        "evaluation, incorporating electrodiagnostic investigations, sophisticated "
        "neuroimaging modalities and individualized rehabilitation programming."
    )
    path = own_handout(tmp_path, "hard.en.txt", text=hard)
    report = handouts.check(handouts.load_library(tmp_path), dt.date(2026, 12, 1))
    (problem,) = report.problems
    assert (problem.file, problem.line) == (str(path), 11)
    assert "too hard to read: Flesch-Kincaid grade" in problem.reason


def test_overdue_reviews_are_notes_not_failures(tmp_path: Path) -> None:
    own_handout(tmp_path, "a.en.txt", due="2026-11-01")
    report = handouts.check(handouts.load_library(tmp_path), dt.date(2026, 12, 1))
    assert report.ok
    assert any("review was due 2026-11-01" in note for note in report.notes)


def test_creating_the_practice_folder_puts_the_editors_guide_in_it(tmp_path: Path) -> None:
    folder = handouts.create_practice_folder(tmp_path / "handouts")
    guide = folder / handouts.GUIDE_NAME
    assert "{practice_name}" in guide.read_text(encoding="utf-8")
    assert handouts.load_library(folder).problems == ()  # the guide is not read as a handout


def test_the_default_practice_folder_is_in_the_data_folder() -> None:
    from frontdesk import paths

    assert handouts.practice_folder() == paths.data_dir() / "handouts"
