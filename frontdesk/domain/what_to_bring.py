"""The personal "what to bring" list of a pre-visit packet, in English or Spanish.

Built from what the chart knows: each imaging study and prior surgery with whether its report
and images are on file, and the request's records checklist. A checklist item about imaging
or an operative report only speaks when the chart has no study or surgery to say it better
(intake links those items to history entries, which name the scan and its date).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from frontdesk.domain.history_summary import ImagingFacts, SurgeryFacts
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.request_states import ChecklistKind

LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class ChecklistEntry:
    """One item of the request's records checklist."""

    kind: ChecklistKind
    description: str = ""
    received: bool = False


@dataclass(frozen=True)
class StudyOnRecord:
    """An imaging study and whether the practice's age rule finds it too old."""

    facts: ImagingFacts
    too_old: bool = False


@dataclass(frozen=True)
class WhatToBring:
    bring: tuple[str, ...]  # what the patient should bring, most useful first
    on_file: tuple[str, ...]  # what the practice already has (so they need not search)

    @property
    def empty(self) -> bool:
        return not self.bring and not self.on_file


def _study_name(facts: ImagingFacts, language: str) -> str:
    """ "lumbar MRI from May 2024" / "resonancia magnética lumbar de mayo de 2024"."""
    if language == "es":
        what = facts.modality_label.strip() or facts.modality.spanish_label
        regions = " y ".join(region.spanish_label for region in facts.regions)
        text = f"{what} {regions}".strip()
        return f"{text} de {facts.date.display('es')}" if facts.date else text
    what = facts.modality_label.strip() or facts.modality.short
    regions = "/".join(region.value for region in facts.regions)
    text = f"{regions} {what}".strip()
    return f"{text} from {facts.date.display()}" if facts.date else text


def _study_lines(study: StudyOnRecord, language: str) -> tuple[str | None, str | None]:
    """(a line for "please bring", a line for "we have") for one study."""
    facts = study.facts
    name = _study_name(facts, language)
    report, images = facts.report_received, facts.images_received
    newer = ""
    if study.too_old:
        newer = (
            " Si se hizo un estudio más reciente, tráigalo también."
            if language == "es"
            else " If you have had a newer scan since, please bring that one too."
        )
    if language == "es":
        if report and images:
            return (newer.strip() or None), f"Ya tenemos su {name}: las imágenes y el informe."
        if report:
            return (
                f"Tenemos el informe de su {name}, pero no las imágenes: por favor traiga "
                f"el disco o la memoria USB.{newer}",
                None,
            )
        if images:
            return (
                f"Tenemos las imágenes de su {name}, pero no el informe escrito: por favor "
                f"traiga el informe.{newer}",
                None,
            )
        return (
            f"Por favor traiga su {name}: el disco (o la memoria USB) y el informe escrito.{newer}",
            None,
        )
    if report and images:
        return (newer.strip() or None), f"We have your {name}: the images and the report."
    if report:
        return (
            f"We have your {_report_name(facts)} but not the images: please bring the disc "
            f"or USB drive.{newer}",
            None,
        )
    if images:
        return (
            f"We have the images of your {name} but not the written report: please bring "
            f"the report.{newer}",
            None,
        )
    return f"Please bring your {name}: the disc (or USB drive) and the written report.{newer}", None


def _report_name(facts: ImagingFacts) -> str:
    """ "lumbar MRI report from May 2024" (the issue's own wording)."""
    what = facts.modality_label.strip() or facts.modality.short
    regions = "/".join(region.value for region in facts.regions)
    text = f"{regions} {what} report".strip()
    return f"{text} from {facts.date.display()}" if facts.date else text


def _surgery_lines(surgery: SurgeryFacts, language: str) -> tuple[str | None, str | None]:
    named = surgery.procedure is not Procedure.OTHER or bool(surgery.procedure_label.strip())
    what = " ".join(
        p for p in (surgery.levels.text(), surgery.procedure_text() if named else "") if p
    )
    what = f" ({what})" if what else ""
    if language == "es":
        when = f" de {surgery.date.display('es')}" if surgery.date else ""
        subject = f"el informe operatorio de su cirugía{when}{what}"
        if surgery.operative_report_received:
            return None, f"Ya tenemos {subject}."
        return f"Por favor traiga {subject}.", None
    if surgery.date is not None:
        subject = f"your {surgery.date.display()} operative report{what}"
    else:
        subject = f"the operative report of your spine surgery{what}"
    if surgery.operative_report_received:
        return None, f"We have {subject}."
    return f"Please bring {subject}.", None


_CHECKLIST_WORDS: dict[str, dict[ChecklistKind, tuple[str, str]]] = {
    # kind: (please bring, we have); {what} is the item's own description, if any.
    "en": {
        ChecklistKind.OPERATIVE_REPORT: (
            "Please bring the operative report{what}.",
            "We have the operative report{what}.",
        ),
        ChecklistKind.IMAGING_REPORT: (
            "Please bring the written report of your scan{what}.",
            "We have the written report of your scan{what}.",
        ),
        ChecklistKind.IMAGING_FILES: (
            "Please bring the images of your scan on a disc or USB drive{what}.",
            "We have the images of your scan{what}.",
        ),
        ChecklistKind.REFERRAL_LETTER: (
            "Please bring your referral letter, or ask your doctor's office to send it to us.",
            "We have your referral letter.",
        ),
        ChecklistKind.INSURANCE_AUTHORIZATION: (
            "We do not have your insurance approval yet: please bring it if you have it.",
            "We have your insurance approval.",
        ),
    },
    "es": {
        ChecklistKind.OPERATIVE_REPORT: (
            "Por favor traiga el informe operatorio{what}.",
            "Ya tenemos el informe operatorio{what}.",
        ),
        ChecklistKind.IMAGING_REPORT: (
            "Por favor traiga el informe escrito de su estudio{what}.",
            "Ya tenemos el informe escrito de su estudio{what}.",
        ),
        ChecklistKind.IMAGING_FILES: (
            "Por favor traiga las imágenes de su estudio en un disco o memoria USB{what}.",
            "Ya tenemos las imágenes de su estudio{what}.",
        ),
        ChecklistKind.REFERRAL_LETTER: (
            "Por favor traiga su carta de referencia, o pida a la oficina de su médico que nos "
            "la envíe.",
            "Ya tenemos su carta de referencia.",
        ),
        ChecklistKind.INSURANCE_AUTHORIZATION: (
            "Todavía no tenemos la aprobación de su seguro: tráigala si la tiene.",
            "Ya tenemos la aprobación de su seguro.",
        ),
    },
}
_HISTORY_KINDS = {
    ChecklistKind.OPERATIVE_REPORT: "surgery",
    ChecklistKind.IMAGING_REPORT: "imaging",
    ChecklistKind.IMAGING_FILES: "imaging",
}


def what_to_bring(
    *,
    surgeries: Sequence[SurgeryFacts] = (),
    imaging: Sequence[StudyOnRecord] = (),
    checklist: Sequence[ChecklistEntry] = (),
    language: str = "en",
) -> WhatToBring:
    """The personal list, newest study and surgery first."""
    language = language if language in LANGUAGES else "en"
    bring: list[str] = []
    on_file: list[str] = []

    def add(pair: tuple[str | None, str | None]) -> None:
        if pair[0]:
            bring.append(pair[0])
        if pair[1]:
            on_file.append(pair[1])

    for study in reversed(imaging):
        add(_study_lines(study, language))
    for surgery in reversed(surgeries):
        add(_surgery_lines(surgery, language))
    has = {"surgery": bool(surgeries), "imaging": bool(imaging)}
    seen: set[tuple[ChecklistKind, str, bool]] = set()
    for item in checklist:
        if has.get(_HISTORY_KINDS.get(item.kind, ""), False):
            continue  # the history line above names this record better
        key = (item.kind, item.description.strip(), item.received)
        if key in seen:
            continue
        seen.add(key)
        missing, have = _CHECKLIST_WORDS[language][item.kind]
        what = f" ({item.description.strip()})" if item.description.strip() else ""
        (on_file if item.received else bring).append(
            (have if item.received else missing).format(what=what)
        )
    return WhatToBring(tuple(bring), tuple(on_file))
