"""Vocabularies of the surgery and imaging history: stored codes with the words staff see."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Self

from frontdesk.domain.contact import InvalidValue, clean_text

if TYPE_CHECKING:
    from frontdesk.domain.spinal_levels import LevelSet


class LabelledChoice(StrEnum):
    """A choice whose value is the stable code stored in the database and sent as JSON.

    Codes never change once released (rows and audit entries keep them); labels may be
    reworded freely. ``short`` is the compact form used in one-line summaries.
    """

    label: str
    short: str

    # Defaults only so type checkers accept the value lookup ``Procedure("acdf")``; every
    # member declares its label.
    def __new__(cls, code: str, label: str = "", short: str | None = None) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label or code
        member.short = short if short is not None else label
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def from_text(cls, text: str) -> Self:
        """The choice a person typed: its code, label or short label, in any case."""
        wanted = " ".join(clean_text(text).casefold().replace("_", " ").split())
        for member in cls:
            names = {member.value.replace("_", " "), member.label.casefold()}
            names.add(member.short.casefold())
            if wanted in names:
                return member
        choices = ", ".join(member.value for member in cls)
        raise InvalidValue(f'"{clean_text(text)}" is not one of: {choices}')

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, label) pairs in display order, for pickers."""
        return [(member.value, member.label) for member in cls]


class BodyRegion(LabelledChoice):
    """Regions of the spine, top to bottom (imaging regions and regions of levels)."""

    CERVICAL = "cervical", "Cervical", "cervical"
    THORACIC = "thoracic", "Thoracic", "thoracic"
    LUMBAR = "lumbar", "Lumbar", "lumbar"
    SACRAL = "sacral", "Sacral", "sacral"

    @property
    def spanish_label(self) -> str:
        return _REGION_SPANISH[self]


_REGION_SPANISH: Mapping[BodyRegion, str] = {
    BodyRegion.CERVICAL: "cervical",
    BodyRegion.THORACIC: "torácica",
    BodyRegion.LUMBAR: "lumbar",
    BodyRegion.SACRAL: "sacra",
}


class SurgicalApproach(LabelledChoice):
    ANTERIOR = "anterior", "Anterior", "anterior"
    POSTERIOR = "posterior", "Posterior", "posterior"
    LATERAL = "lateral", "Lateral", "lateral"


class LevelKind(Enum):
    """What a procedure's levels name: disc levels (segments), vertebral bodies, or either."""

    SEGMENTS = "segments"
    VERTEBRAE = "vertebrae"
    EITHER = "either"


class FusionApproach(LabelledChoice):
    """How a lumbar (or revision) fusion was done; the short code is what surgeons write."""

    TLIF = "tlif", "TLIF (transforaminal lumbar interbody fusion)", "TLIF"
    PLIF = "plif", "PLIF (posterior lumbar interbody fusion)", "PLIF"
    ALIF = "alif", "ALIF (anterior lumbar interbody fusion)", "ALIF"
    XLIF_LLIF = "xlif_llif", "XLIF/LLIF (lateral lumbar interbody fusion)", "XLIF/LLIF"
    POSTEROLATERAL = "posterolateral", "Posterolateral fusion", "posterolateral fusion"

    @property
    def surgical_approach(self) -> SurgicalApproach:
        """The approach the technique's name fixes (an ALIF is anterior by definition)."""
        return _FUSION_APPROACH_SIDE[self]


_FUSION_APPROACH_SIDE: Mapping[FusionApproach, SurgicalApproach] = {
    FusionApproach.TLIF: SurgicalApproach.POSTERIOR,
    FusionApproach.PLIF: SurgicalApproach.POSTERIOR,
    FusionApproach.ALIF: SurgicalApproach.ANTERIOR,
    FusionApproach.XLIF_LLIF: SurgicalApproach.LATERAL,
    FusionApproach.POSTEROLATERAL: SurgicalApproach.POSTERIOR,
}


class Procedure(LabelledChoice):
    """The built-in procedures; staff-added ones are stored by the history service as OTHER
    plus their own label, so this list is the curated starting point, not a limit."""

    ACDF = "acdf", "ACDF (anterior cervical discectomy and fusion)", "ACDF"
    CERVICAL_DISC_REPLACEMENT = (
        "cervical_disc_replacement",
        "Cervical disc replacement",
        "cervical disc replacement",
    )
    POSTERIOR_CERVICAL_FUSION = (
        "posterior_cervical_fusion",
        "Posterior cervical fusion",
        "posterior cervical fusion",
    )
    LAMINECTOMY = "laminectomy", "Laminectomy", "laminectomy"
    LAMINOTOMY = "laminotomy", "Laminotomy", "laminotomy"
    MICRODISCECTOMY = "microdiscectomy", "Microdiscectomy", "microdiscectomy"
    FORAMINOTOMY = "foraminotomy", "Foraminotomy", "foraminotomy"
    LUMBAR_FUSION = "lumbar_fusion", "Lumbar fusion", "lumbar fusion"
    LUMBAR_DISC_REPLACEMENT = (
        "lumbar_disc_replacement",
        "Lumbar disc replacement",
        "lumbar disc replacement",
    )
    KYPHOPLASTY_VERTEBROPLASTY = (
        "kyphoplasty_vertebroplasty",
        "Kyphoplasty or vertebroplasty",
        "kyphoplasty/vertebroplasty",
    )
    SPINAL_CORD_STIMULATOR = (
        "spinal_cord_stimulator",
        "Spinal cord stimulator implant",
        "spinal cord stimulator",
    )
    HARDWARE_REMOVAL = "hardware_removal", "Hardware removal", "hardware removal"
    REVISION_FUSION = "revision_fusion", "Revision fusion", "revision fusion"
    OTHER = "other", "Other", "other surgery"

    @property
    def takes_fusion_approach(self) -> bool:
        """Lumbar and revision fusions are described by TLIF/PLIF/ALIF/XLIF-LLIF/posterolateral."""
        return self in (Procedure.LUMBAR_FUSION, Procedure.REVISION_FUSION)

    @property
    def is_fusion(self) -> bool:
        """A fusion has a fusion status worth asking about (solid, not fused, unknown)."""
        return self in _FUSIONS

    @property
    def revises_earlier_surgery(self) -> bool:
        """Revisions and hardware removals link to the surgery they revise."""
        return self in (Procedure.REVISION_FUSION, Procedure.HARDWARE_REMOVAL)

    @property
    def level_kind(self) -> LevelKind:
        return _LEVEL_KIND.get(self, LevelKind.EITHER)

    @property
    def regions(self) -> frozenset[BodyRegion]:
        """Regions the procedure's name confines it to (empty: any region)."""
        return _PROCEDURE_REGIONS.get(self, frozenset())

    @property
    def fixed_approach(self) -> SurgicalApproach | None:
        """The approach the procedure's name fixes, if it does (ACDF is anterior)."""
        return _FIXED_APPROACH.get(self)


_FUSIONS = frozenset(
    {
        Procedure.ACDF,
        Procedure.POSTERIOR_CERVICAL_FUSION,
        Procedure.LUMBAR_FUSION,
        Procedure.REVISION_FUSION,
    }
)

# Disc operations name a motion segment ("L4-L5"); cement goes into a vertebral body ("L1").
# Laminectomy, foraminotomy, stimulators and hardware removal are written both ways.
_LEVEL_KIND: Mapping[Procedure, LevelKind] = {
    Procedure.ACDF: LevelKind.SEGMENTS,
    Procedure.CERVICAL_DISC_REPLACEMENT: LevelKind.SEGMENTS,
    Procedure.POSTERIOR_CERVICAL_FUSION: LevelKind.SEGMENTS,
    Procedure.MICRODISCECTOMY: LevelKind.SEGMENTS,
    Procedure.LUMBAR_FUSION: LevelKind.SEGMENTS,
    Procedure.LUMBAR_DISC_REPLACEMENT: LevelKind.SEGMENTS,
    Procedure.REVISION_FUSION: LevelKind.SEGMENTS,
    Procedure.KYPHOPLASTY_VERTEBROPLASTY: LevelKind.VERTEBRAE,
}

_CERVICAL = frozenset({BodyRegion.CERVICAL})
_LUMBAR = frozenset({BodyRegion.LUMBAR})
_PROCEDURE_REGIONS: Mapping[Procedure, frozenset[BodyRegion]] = {
    Procedure.ACDF: _CERVICAL,
    Procedure.CERVICAL_DISC_REPLACEMENT: _CERVICAL,
    Procedure.POSTERIOR_CERVICAL_FUSION: _CERVICAL,
    Procedure.LUMBAR_FUSION: _LUMBAR,
    Procedure.LUMBAR_DISC_REPLACEMENT: _LUMBAR,
}

# Only approaches the name itself fixes; a microdiscectomy is usually posterior but staff
# may know better, so it gets no fixed approach.
_FIXED_APPROACH: Mapping[Procedure, SurgicalApproach] = {
    Procedure.ACDF: SurgicalApproach.ANTERIOR,
    Procedure.CERVICAL_DISC_REPLACEMENT: SurgicalApproach.ANTERIOR,
    Procedure.POSTERIOR_CERVICAL_FUSION: SurgicalApproach.POSTERIOR,
    Procedure.LAMINECTOMY: SurgicalApproach.POSTERIOR,
    Procedure.LAMINOTOMY: SurgicalApproach.POSTERIOR,
    Procedure.LUMBAR_DISC_REPLACEMENT: SurgicalApproach.ANTERIOR,
}


class Outcome(LabelledChoice):
    """The result as the patient reports it."""

    BETTER = "better", "Better", "better"
    SAME = "same", "Same", "same"
    WORSE = "worse", "Worse", "worse"


class FusionStatus(LabelledChoice):
    SOLID = "solid", "Solid", "solid"
    NOT_FUSED = "not_fused", "Not fused (pseudarthrosis)", "not fused"
    UNKNOWN = "unknown", "Unknown", "unknown"


class ImagingModality(LabelledChoice):
    MRI = "mri", "MRI", "MRI"
    CT = "ct", "CT", "CT"
    XRAY = "xray", "X-ray", "X-ray"
    FLEXION_EXTENSION_XRAY = (
        "flexion_extension_xray",
        "Flexion-extension X-ray",
        "flexion-extension X-ray",
    )
    CT_MYELOGRAM = "ct_myelogram", "CT myelogram", "CT myelogram"
    DISCOGRAM = "discogram", "Discogram", "discogram"
    EMG_NERVE_CONDUCTION = "emg_ncs", "EMG/nerve conduction study", "EMG/NCS"
    BONE_SCAN = "bone_scan", "Bone scan", "bone scan"
    DEXA = "dexa", "DEXA (bone density)", "DEXA"
    OTHER = "other", "Other", "other imaging"

    @property
    def spanish_label(self) -> str:
        return _MODALITY_SPANISH[self]


_MODALITY_SPANISH: Mapping[ImagingModality, str] = {
    ImagingModality.MRI: "resonancia magnética",
    ImagingModality.CT: "tomografía (TAC)",
    ImagingModality.XRAY: "radiografía",
    ImagingModality.FLEXION_EXTENSION_XRAY: "radiografía en flexión y extensión",
    ImagingModality.CT_MYELOGRAM: "mielografía por TAC",
    ImagingModality.DISCOGRAM: "discografía",
    ImagingModality.EMG_NERVE_CONDUCTION: "electromiografía y conducción nerviosa",
    ImagingModality.BONE_SCAN: "gammagrafía ósea",
    ImagingModality.DEXA: "densitometría ósea (DEXA)",
    ImagingModality.OTHER: "otro estudio",
}


class Contrast(LabelledChoice):
    """Whether a study used contrast; an unrecorded answer is stored as no value."""

    WITHOUT = "without", "Without contrast", "without contrast"
    WITH = "with", "With contrast", "with contrast"
    WITH_AND_WITHOUT = (
        "with_and_without",
        "With and without contrast",
        "with and without contrast",
    )


class ImagesMedium(LabelledChoice):
    """How the images themselves arrived (the report is tracked separately)."""

    DISC = "disc", "Disc (CD/DVD)", "disc"
    FILM = "film", "Film", "film"
    ELECTRONIC_LINK = "electronic_link", "Electronic link", "electronic link"


def surgery_entry_problems(
    procedure: Procedure,
    *,
    fusion_approach: FusionApproach | None = None,
    approach: SurgicalApproach | None = None,
    levels: LevelSet | None = None,
) -> dict[str, str]:
    """Field -> message for choices that contradict each other in one surgery entry.

    Only contradictions the procedure's own name makes certain are refused (an ACDF at
    L4-L5, a posterior ALIF); anything a surgeon might really have done passes. Levels
    that merely touch the region count (C7-T1 for an ACDF, T12-L1 or L5-S1 for a lumbar
    fusion), since transitional anatomy is recorded in free text.
    """
    problems: dict[str, str] = {}
    if fusion_approach is not None and not procedure.takes_fusion_approach:
        problems["fusion_approach"] = (
            f"a fusion technique ({fusion_approach.short}) goes with a lumbar or revision "
            f"fusion, not with {procedure.short}"
        )
    expected, named_by = procedure.fixed_approach, procedure.short
    if fusion_approach is not None and procedure.takes_fusion_approach:
        expected, named_by = fusion_approach.surgical_approach, fusion_approach.short
    if approach is not None and expected is not None and approach is not expected:
        problems["approach"] = f"{named_by} is {expected.value} by definition, not {approach.value}"
    if levels:
        if procedure.level_kind is LevelKind.SEGMENTS and levels.vertebrae:
            problems["levels"] = (
                f"{procedure.short} is recorded at disc levels such as L4-L5, "
                "not at single vertebrae"
            )
        elif procedure.level_kind is LevelKind.VERTEBRAE and levels.segments:
            problems["levels"] = (
                f"{procedure.short} is recorded at vertebrae such as L1, not at disc levels"
            )
        elif procedure.regions and not procedure.regions & levels.regions():
            wanted = " or ".join(region.value for region in procedure.regions)
            problems["levels"] = f"{procedure.short} is a {wanted} operation; check the levels"
    return problems
