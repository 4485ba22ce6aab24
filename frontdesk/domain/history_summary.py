"""The one-line history summary, the "imaging too old" rule and the missing-records list.

Pure functions over plain facts: the history service turns its rows into SurgeryFacts and
ImagingFacts, and the chart header, request queue, day sheet and summary PDF all read the
same answers from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from frontdesk.domain.contact import InvalidValue, clean_text
from frontdesk.domain.history_vocab import (
    BodyRegion,
    FusionApproach,
    ImagingModality,
    Procedure,
)
from frontdesk.domain.partial_dates import PartialDate, add_months, sort_key_undated_first
from frontdesk.domain.plurals import counted
from frontdesk.domain.spinal_levels import EMPTY, LevelSet

SEPARATOR = " · "


def _ordered_regions(regions: Iterable[BodyRegion]) -> tuple[BodyRegion, ...]:
    wanted = set(regions)
    return tuple(region for region in BodyRegion if region in wanted)


@dataclass(frozen=True)
class SurgeryFacts:
    """What the summary needs to know about one prior operation."""

    procedure: Procedure
    date: PartialDate | None = None
    levels: LevelSet = EMPTY
    fusion_approach: FusionApproach | None = None
    # Staff-added procedures (and "other") are shown by their own words.
    procedure_label: str = ""
    operative_report_received: bool = False
    record_id: int | None = None

    def procedure_text(self) -> str:
        """'TLIF' for a lumbar TLIF, 'revision TLIF', 'ACDF', or the staff's own label."""
        label = clean_text(self.procedure_label)
        if label:
            return label
        if self.fusion_approach is not None and self.procedure.takes_fusion_approach:
            if self.procedure is Procedure.REVISION_FUSION:
                return f"revision {self.fusion_approach.short}"
            return self.fusion_approach.short
        return self.procedure.short

    def description(self) -> str:
        """'L4–S1 TLIF 2019': levels, procedure, date, leaving out what is unknown."""
        parts = [self.levels.text(), self.procedure_text()]
        if self.date is not None:
            parts.append(self.date.display())
        return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class ImagingFacts:
    """What the summary needs to know about one imaging study."""

    modality: ImagingModality
    regions: tuple[BodyRegion, ...] = ()
    date: PartialDate | None = None
    report_received: bool = False
    images_received: bool = False
    # For "other" (or a more specific name staff typed): the words to show.
    modality_label: str = ""
    record_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", _ordered_regions(self.regions))

    def modality_text(self) -> str:
        return clean_text(self.modality_label) or self.modality.short

    def description(self) -> str:
        """'MRI lumbar May 2024', 'CT cervical/thoracic 2021', 'EMG/NCS' (no region)."""
        parts = [self.modality_text(), "/".join(region.value for region in self.regions)]
        if self.date is not None:
            parts.append(self.date.display())
        return " ".join(part for part in parts if part)

    def records_status(self) -> str:
        """'report and images on file', 'report on file, images missing', ..."""
        report = "on file" if self.report_received else "missing"
        images = "on file" if self.images_received else "missing"
        if report == images:
            return f"report and images {report}"
        return f"report {report}, images {images}"


DEFAULT_MAX_AGE_MONTHS = 12


@dataclass(frozen=True)
class ImagingAgeRule:
    """The practice rule "imaging too old for a new consultation", set in Admin.

    Default: a lumbar or cervical MRI older than 12 months. A study counts when its
    modality is one of ``modalities`` and it covers one of ``regions``.
    """

    max_age_months: int = DEFAULT_MAX_AGE_MONTHS
    modalities: frozenset[ImagingModality] = frozenset({ImagingModality.MRI})
    regions: frozenset[BodyRegion] = frozenset({BodyRegion.LUMBAR, BodyRegion.CERVICAL})

    def __post_init__(self) -> None:
        if isinstance(self.max_age_months, bool) or not isinstance(self.max_age_months, int):
            raise InvalidValue("the age limit is a whole number of months")
        if not 1 <= self.max_age_months <= 120:
            raise InvalidValue("the age limit is between 1 and 120 months")
        object.__setattr__(self, "modalities", frozenset(self.modalities))
        object.__setattr__(self, "regions", frozenset(self.regions))

    def applies_to(self, study: ImagingFacts) -> bool:
        return study.modality in self.modalities and bool(self.regions & set(study.regions))

    def cutoff(self, today: date) -> date:
        """Studies whose days all fall before this day are too old."""
        return add_months(today, -self.max_age_months)

    def describe(self) -> str:
        """'lumbar or cervical MRI older than 12 months' (regions and modalities in order)."""
        regions = " or ".join(r.value for r in reversed(BodyRegion) if r in self.regions)
        modalities = " or ".join(m.short for m in ImagingModality if m in self.modalities)
        return f"{regions} {modalities} older than {self.max_age_months} months".strip()

    def to_setting(self) -> dict[str, Any]:
        """JSON-ready form for the practice settings table."""
        return {
            "max_age_months": self.max_age_months,
            "modalities": sorted(m.value for m in self.modalities),
            "regions": sorted(r.value for r in self.regions),
        }

    @classmethod
    def from_setting(cls, value: Mapping[str, Any] | None) -> ImagingAgeRule:
        """Read the stored setting; missing keys take the defaults."""
        if not value:
            return cls()
        default = cls()
        try:
            modalities = frozenset(
                ImagingModality(code) for code in value.get("modalities", default.modalities)
            )
            regions = frozenset(BodyRegion(code) for code in value.get("regions", default.regions))
        except (TypeError, ValueError) as error:
            raise InvalidValue(f"the imaging age rule setting is not valid: {error}") from None
        return cls(value.get("max_age_months", default.max_age_months), modalities, regions)


DEFAULT_IMAGING_AGE_RULE = ImagingAgeRule()


@dataclass(frozen=True)
class ImagingFlags:
    """Flags of one study. ``too_old`` is certain; ``possibly_too_old`` means the date is too
    vague (a year only) or unknown to be sure. At most one of the two is set."""

    report_missing: bool
    images_missing: bool
    too_old: bool = False
    possibly_too_old: bool = False

    @property
    def records_missing(self) -> bool:
        return self.report_missing or self.images_missing


def imaging_flags(
    study: ImagingFacts, *, today: date, rule: ImagingAgeRule = DEFAULT_IMAGING_AGE_RULE
) -> ImagingFlags:
    too_old = possibly = False
    if rule.applies_to(study):
        # An undated MRI cannot be trusted to be recent: staff should ask.
        if study.date is None:
            possibly = True
        elif study.date.is_older_than_months(rule.max_age_months, today):
            too_old = True
        elif study.date.may_be_older_than_months(rule.max_age_months, today):
            possibly = True
    return ImagingFlags(
        report_missing=not study.report_received,
        images_missing=not study.images_received,
        too_old=too_old,
        possibly_too_old=possibly,
    )


@dataclass(frozen=True)
class OutdatedImaging:
    """A region whose studies of one modality are all (possibly) older than the rule allows."""

    modality: ImagingModality
    region: BodyRegion
    newest: ImagingFacts
    certain: bool
    max_age_months: int

    def text(self) -> str:
        """'lumbar MRI older than 12 months (May 2022)'."""
        age = "older" if self.certain else "may be older"
        when = self.newest.date.display() if self.newest.date is not None else "date unknown"
        return (
            f"{self.region.value} {self.modality.short} {age} than "
            f"{self.max_age_months} months ({when})"
        )


def outdated_imaging(
    studies: Iterable[ImagingFacts],
    *,
    today: date,
    rule: ImagingAgeRule = DEFAULT_IMAGING_AGE_RULE,
) -> tuple[OutdatedImaging, ...]:
    """Regions (of the rule) where the patient's newest study of a rule modality is too old.

    An old MRI does not matter when a recent one of the same region exists. A region is
    certainly outdated when every study is certainly too old, possibly outdated when none
    is certainly recent (year-only or undated studies leave doubt).
    """
    studies = list(studies)
    cutoff = rule.cutoff(today)
    found: list[OutdatedImaging] = []
    for modality in ImagingModality:
        if modality not in rule.modalities:
            continue
        for region in BodyRegion:
            if region not in rule.regions:
                continue
            matching = [s for s in studies if s.modality is modality and region in s.regions]
            if not matching:
                continue
            dates = [s.date for s in matching]
            if any(d is not None and d.earliest_day() >= cutoff for d in dates):
                continue  # one study is certainly recent enough
            certain = all(d is not None and d.latest_day() < cutoff for d in dates)
            newest = max(matching, key=lambda s: sort_key_undated_first(s.date))
            found.append(OutdatedImaging(modality, region, newest, certain, rule.max_age_months))
    return tuple(found)


class MissingKind(StrEnum):
    OPERATIVE_REPORT = "operative_report"
    IMAGING_REPORT = "imaging_report"
    IMAGES = "images"


@dataclass(frozen=True)
class MissingRecord:
    """One record still to obtain, for the missing-records list and 'what to bring'."""

    kind: MissingKind
    text: str
    source: SurgeryFacts | ImagingFacts

    @property
    def record_id(self) -> int | None:
        return self.source.record_id


def missing_records(
    surgeries: Iterable[SurgeryFacts], studies: Iterable[ImagingFacts]
) -> tuple[MissingRecord, ...]:
    """Operative reports, then imaging reports and images, each oldest first."""
    found: list[MissingRecord] = []
    for surgery in sorted(surgeries, key=lambda s: sort_key_undated_first(s.date)):
        if not surgery.operative_report_received:
            found.append(
                MissingRecord(
                    MissingKind.OPERATIVE_REPORT,
                    f"operative report: {surgery.description()}",
                    surgery,
                )
            )
    for study in sorted(studies, key=lambda s: sort_key_undated_first(s.date)):
        if not study.report_received:
            found.append(
                MissingRecord(MissingKind.IMAGING_REPORT, f"report: {study.description()}", study)
            )
        if not study.images_received:
            found.append(MissingRecord(MissingKind.IMAGES, f"images: {study.description()}", study))
    return tuple(found)


def _missing_phrase(kind: MissingKind, number: int) -> str:
    if kind is MissingKind.OPERATIVE_REPORT:
        return counted(number, "operative report", "operative reports")
    if kind is MissingKind.IMAGING_REPORT:
        return counted(number, "imaging report", "imaging reports")
    return f"images for {counted(number, 'study', 'studies')}"


@dataclass(frozen=True)
class HistorySummary:
    """Everything the one-line summary says, as data (the queue and day sheet use flags)."""

    surgery_count: int
    last_surgery: SurgeryFacts | None
    study_count: int
    latest_study: ImagingFacts | None
    latest_study_flags: ImagingFlags | None
    outdated: tuple[OutdatedImaging, ...]
    missing: tuple[MissingRecord, ...] = field(default=())
    rule: ImagingAgeRule = DEFAULT_IMAGING_AGE_RULE

    @property
    def has_missing_records(self) -> bool:
        return bool(self.missing)

    @property
    def has_outdated_imaging(self) -> bool:
        return bool(self.outdated)

    def line(self) -> str:
        """'3 prior spine surgeries, last L4–S1 TLIF 2019 · MRI lumbar May 2024 (report on
        file, images missing)', then any other outdated imaging and other missing records."""
        parts = [self._surgery_part(), self._imaging_part()]
        shown_study = self.latest_study
        for outdated in self.outdated:
            if outdated.newest is not shown_study:
                parts.append(outdated.text())
        others = self._other_missing_text()
        if others:
            parts.append(others)
        line = SEPARATOR.join(parts)
        return line[:1].upper() + line[1:]

    def _surgery_part(self) -> str:
        if self.last_surgery is None:
            return "no spine surgery recorded"
        count = counted(self.surgery_count, "prior spine surgery", "prior spine surgeries")
        return f"{count}, last {self.last_surgery.description()}"

    def _imaging_part(self) -> str:
        study, flags = self.latest_study, self.latest_study_flags
        if study is None or flags is None:
            return "no imaging recorded"
        notes = [study.records_status()]
        limit = self.rule.max_age_months
        if flags.too_old:
            notes.append(f"older than {limit} months")
        elif flags.possibly_too_old:
            notes.append(
                "date unknown" if study.date is None else f"may be older than {limit} months"
            )
        text = f"{study.description()} ({', '.join(notes)})"
        if self.study_count > 1:
            text += f", {counted(self.study_count - 1, 'other study', 'other studies')}"
        return text

    def _other_missing_text(self) -> str:
        """Missing records the line has not already named (the latest study's own)."""
        counts: dict[MissingKind, int] = {}
        for record in self.missing:
            if record.source is not self.latest_study:
                counts[record.kind] = counts.get(record.kind, 0) + 1
        if not counts:
            return ""
        listed = [_missing_phrase(kind, counts[kind]) for kind in MissingKind if kind in counts]
        return "missing: " + ", ".join(listed)


def summarize_history(
    surgeries: Sequence[SurgeryFacts],
    studies: Sequence[ImagingFacts],
    *,
    today: date,
    rule: ImagingAgeRule = DEFAULT_IMAGING_AGE_RULE,
) -> HistorySummary:
    """The summary of a patient's history as of ``today``.

    "Last" surgery and "latest" study are the latest by date (partial dates at the start
    of their period, see partial_dates); undated entries count as earliest, so they are
    chosen only when nothing is dated (then the last one given).
    """
    last_surgery = (
        max(reversed(surgeries), key=lambda s: sort_key_undated_first(s.date))
        if surgeries
        else None
    )
    latest_study = (
        max(reversed(studies), key=lambda s: sort_key_undated_first(s.date)) if studies else None
    )
    return HistorySummary(
        surgery_count=len(surgeries),
        last_surgery=last_surgery,
        study_count=len(studies),
        latest_study=latest_study,
        latest_study_flags=(
            imaging_flags(latest_study, today=today, rule=rule) if latest_study else None
        ),
        outdated=outdated_imaging(studies, today=today, rule=rule),
        missing=missing_records(surgeries, studies),
        rule=rule,
    )


def summary_line(
    surgeries: Sequence[SurgeryFacts],
    studies: Sequence[ImagingFacts],
    *,
    today: date,
    rule: ImagingAgeRule = DEFAULT_IMAGING_AGE_RULE,
) -> str:
    """The one line for the chart header and the request queue."""
    return summarize_history(surgeries, studies, today=today, rule=rule).line()
