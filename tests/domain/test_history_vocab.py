"""History vocabularies: the lists staff pick from, their stored codes and their rules."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.history_vocab import (
    BodyRegion,
    Contrast,
    FusionApproach,
    FusionStatus,
    ImagesMedium,
    ImagingModality,
    LabelledChoice,
    LevelKind,
    Outcome,
    Procedure,
    SurgicalApproach,
    surgery_entry_problems,
)
from frontdesk.domain.spinal_levels import parse_levels

VOCABULARIES: list[type[LabelledChoice]] = [
    Procedure,
    FusionApproach,
    SurgicalApproach,
    Outcome,
    FusionStatus,
    ImagingModality,
    BodyRegion,
    ImagesMedium,
    Contrast,
]


def test_the_issue_lists_are_all_offered_in_order() -> None:
    assert [p.label for p in Procedure] == [
        "ACDF (anterior cervical discectomy and fusion)",
        "Cervical disc replacement",
        "Posterior cervical fusion",
        "Laminectomy",
        "Laminotomy",
        "Microdiscectomy",
        "Foraminotomy",
        "Lumbar fusion",
        "Lumbar disc replacement",
        "Kyphoplasty or vertebroplasty",
        "Spinal cord stimulator implant",
        "Hardware removal",
        "Revision fusion",
        "Other",
    ]
    assert [f.short for f in FusionApproach] == [
        "TLIF",
        "PLIF",
        "ALIF",
        "XLIF/LLIF",
        "posterolateral fusion",
    ]
    assert [a.value for a in SurgicalApproach] == ["anterior", "posterior", "lateral"]
    assert [o.value for o in Outcome] == ["better", "same", "worse"]
    assert [s.label for s in FusionStatus] == ["Solid", "Not fused (pseudarthrosis)", "Unknown"]
    assert [m.label for m in ImagingModality] == [
        "MRI",
        "CT",
        "X-ray",
        "Flexion-extension X-ray",
        "CT myelogram",
        "Discogram",
        "EMG/nerve conduction study",
        "Bone scan",
        "DEXA (bone density)",
        "Other",
    ]
    assert [r.value for r in BodyRegion] == ["cervical", "thoracic", "lumbar", "sacral"]
    assert [m.short for m in ImagesMedium] == ["disc", "film", "electronic link"]


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_codes_are_stable_storable_and_unique(vocabulary: type[LabelledChoice]) -> None:
    codes = [member.value for member in vocabulary]
    assert len(set(codes)) == len(codes)
    for member in vocabulary:
        # Lower-case ASCII codes fit a VARCHAR column and JSON on both databases.
        assert re.fullmatch(r"[a-z][a-z_]*", member.value), member.value
        assert vocabulary(member.value) is member
        assert json.loads(json.dumps(member)) == member.value
        assert str(member) == member.value
        assert member.label and member.short
    labels = [member.label.casefold() for member in vocabulary]
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.__name__)
def test_picker_choices_are_code_and_label(vocabulary: type[LabelledChoice]) -> None:
    assert vocabulary.choices() == [(m.value, m.label) for m in vocabulary]


@given(st.sampled_from([m for v in VOCABULARIES for m in v]), st.sampled_from(["code", "label"]))
def test_from_text_finds_a_choice_by_code_or_words(member: LabelledChoice, form: str) -> None:
    typed = member.value if form == "code" else member.label
    assert type(member).from_text(f"  {typed.upper()} ") is member
    assert type(member).from_text(member.short) is member


def test_from_text_accepts_spaces_for_underscores_and_refuses_unknown_words() -> None:
    assert Procedure.from_text("revision fusion") is Procedure.REVISION_FUSION
    assert FusionApproach.from_text("xlif/llif") is FusionApproach.XLIF_LLIF
    assert ImagingModality.from_text("emg ncs") is ImagingModality.EMG_NERVE_CONDUCTION
    with pytest.raises(InvalidValue, match="acdf"):
        Procedure.from_text("appendectomy")


def test_fusion_approaches_fix_the_surgical_approach() -> None:
    assert FusionApproach.TLIF.surgical_approach is SurgicalApproach.POSTERIOR
    assert FusionApproach.PLIF.surgical_approach is SurgicalApproach.POSTERIOR
    assert FusionApproach.ALIF.surgical_approach is SurgicalApproach.ANTERIOR
    assert FusionApproach.XLIF_LLIF.surgical_approach is SurgicalApproach.LATERAL
    assert FusionApproach.POSTEROLATERAL.surgical_approach is SurgicalApproach.POSTERIOR


def test_procedure_properties() -> None:
    assert {p for p in Procedure if p.takes_fusion_approach} == {
        Procedure.LUMBAR_FUSION,
        Procedure.REVISION_FUSION,
    }
    assert {p for p in Procedure if p.revises_earlier_surgery} == {
        Procedure.REVISION_FUSION,
        Procedure.HARDWARE_REMOVAL,
    }
    assert Procedure.ACDF.is_fusion and not Procedure.MICRODISCECTOMY.is_fusion
    assert Procedure.KYPHOPLASTY_VERTEBROPLASTY.level_kind is LevelKind.VERTEBRAE
    assert Procedure.MICRODISCECTOMY.level_kind is LevelKind.SEGMENTS
    assert Procedure.LAMINECTOMY.level_kind is LevelKind.EITHER
    assert Procedure.ACDF.regions == {BodyRegion.CERVICAL}
    assert Procedure.LAMINECTOMY.regions == frozenset()
    assert Procedure.ACDF.fixed_approach is SurgicalApproach.ANTERIOR
    assert Procedure.MICRODISCECTOMY.fixed_approach is None


def test_spanish_labels_for_patient_documents() -> None:
    assert ImagingModality.MRI.spanish_label == "resonancia magnética"
    assert BodyRegion.THORACIC.spanish_label == "torácica"
    assert all(m.spanish_label for m in ImagingModality)
    assert all(r.spanish_label for r in BodyRegion)


@pytest.mark.parametrize(
    ("procedure", "fusion_approach", "approach", "levels"),
    [
        (Procedure.LUMBAR_FUSION, FusionApproach.TLIF, SurgicalApproach.POSTERIOR, "L4-S1"),
        (Procedure.LUMBAR_FUSION, FusionApproach.ALIF, None, "L5-S1"),
        (Procedure.LUMBAR_FUSION, None, None, "T12-L1"),
        (Procedure.REVISION_FUSION, FusionApproach.XLIF_LLIF, SurgicalApproach.LATERAL, "L3-4"),
        (Procedure.ACDF, None, SurgicalApproach.ANTERIOR, "C5-7"),
        (Procedure.ACDF, None, None, "C7-T1"),
        (Procedure.KYPHOPLASTY_VERTEBROPLASTY, None, None, "T12, L1"),
        (Procedure.LAMINECTOMY, None, SurgicalApproach.POSTERIOR, "L4"),
        (Procedure.LAMINECTOMY, None, None, "L4-L5"),
        (Procedure.MICRODISCECTOMY, None, SurgicalApproach.ANTERIOR, "L4-5"),
        (Procedure.SPINAL_CORD_STIMULATOR, None, None, "T8-T10"),
        (Procedure.OTHER, None, SurgicalApproach.LATERAL, ""),
    ],
)
def test_plausible_entries_pass(
    procedure: Procedure,
    fusion_approach: FusionApproach | None,
    approach: SurgicalApproach | None,
    levels: str,
) -> None:
    assert (
        surgery_entry_problems(
            procedure,
            fusion_approach=fusion_approach,
            approach=approach,
            levels=parse_levels(levels),
        )
        == {}
    )


@pytest.mark.parametrize(
    ("procedure", "fusion_approach", "approach", "levels", "field", "words"),
    [
        (Procedure.MICRODISCECTOMY, FusionApproach.TLIF, None, "", "fusion_approach", "TLIF"),
        (
            Procedure.LUMBAR_FUSION,
            FusionApproach.ALIF,
            SurgicalApproach.POSTERIOR,
            "",
            "approach",
            "ALIF is anterior",
        ),
        (Procedure.ACDF, None, SurgicalApproach.POSTERIOR, "", "approach", "ACDF is anterior"),
        (Procedure.ACDF, None, None, "L4-L5", "levels", "cervical"),
        (Procedure.LUMBAR_FUSION, None, None, "C5-6", "levels", "lumbar"),
        (Procedure.KYPHOPLASTY_VERTEBROPLASTY, None, None, "L1-L2", "levels", "vertebrae"),
        (Procedure.MICRODISCECTOMY, None, None, "L5", "levels", "disc levels"),
    ],
)
def test_contradictions_are_named_on_their_field(
    procedure: Procedure,
    fusion_approach: FusionApproach | None,
    approach: SurgicalApproach | None,
    levels: str,
    field: str,
    words: str,
) -> None:
    problems = surgery_entry_problems(
        procedure, fusion_approach=fusion_approach, approach=approach, levels=parse_levels(levels)
    )
    assert list(problems) == [field]
    assert words in problems[field]
