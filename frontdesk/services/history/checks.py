"""Checked entry: a surgery or imaging form cleaned field by field, every problem at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from frontdesk.domain.contact import InvalidValue, clean_text
from frontdesk.domain.dates import parse_date
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.history_vocab import (
    BodyRegion,
    Contrast,
    FusionApproach,
    FusionStatus,
    ImagesMedium,
    ImagingModality,
    LabelledChoice,
    Outcome,
    Procedure,
    SurgicalApproach,
    surgery_entry_problems,
)
from frontdesk.domain.partial_dates import PartialDate, history_date_problem, parse_partial_date
from frontdesk.domain.spinal_levels import EMPTY, InvalidLevels, LevelSet, parse_levels
from frontdesk.services.history.entry_rows import _code

_C = TypeVar("_C", bound=LabelledChoice)


MAX_TEXT = 200


MAX_NOTES = 20_000


class _Checks:
    """Collects field -> message while cleaning a form, so every problem shows at once."""

    def __init__(self, today: date, birth_date: date | None) -> None:
        self.today = today
        self.birth_date = birth_date
        self.fields: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def text(self, name: str, value: str | None, limit: int = MAX_TEXT) -> str:
        cleaned = clean_text(value)
        if len(cleaned) > limit:
            self.fail(name, f"at most {limit:,} characters")
        return cleaned

    def choice(
        self, name: str, kind: type[_C], value: _C | str | None, *, required: bool = False
    ) -> _C | None:
        if isinstance(value, kind):
            return value
        if value is None or not clean_text(str(value)):
            if required:
                self.fail(name, "required")
            return None
        try:
            return kind.from_text(str(value))
        except InvalidValue as error:
            self.fail(name, str(error))
            return None

    def partial_date(self, name: str, value: PartialDate | str | None) -> PartialDate | None:
        if value is None or (isinstance(value, str) and not clean_text(value)):
            return None
        try:
            parsed = value if isinstance(value, PartialDate) else parse_partial_date(value)
        except InvalidValue as error:
            self.fail(name, str(error))
            return None
        problem = history_date_problem(parsed, today=self.today, birth_date=self.birth_date)
        if problem:
            self.fail(name, problem)
            return None
        return parsed

    def day(
        self, name: str, value: date | str | None, *, not_before: PartialDate | None = None
    ) -> date | None:
        """A tracking date (report received ...): a real day, not in the future, not before
        the thing it is about could have happened."""
        if isinstance(value, datetime):
            value = value.date()
        if value is None or (isinstance(value, str) and not clean_text(value)):
            return None
        try:
            day = value if isinstance(value, date) else parse_date(value, today=self.today)
        except InvalidValue as error:
            self.fail(name, str(error))
            return None
        if day > self.today:
            self.fail(name, f"{day:%m/%d/%Y} is in the future")
            return None
        if not_before is not None and day < not_before.earliest_day():
            self.fail(
                name, f"{day:%m/%d/%Y} is before {not_before.display()}, the date of the entry"
            )
            return None
        return day

    def levels(self, name: str, value: LevelSet | str) -> LevelSet:
        if isinstance(value, LevelSet):
            return value
        try:
            return parse_levels(value or "")
        except InvalidLevels as error:
            self.fail(name, str(error))
            return EMPTY

    def regions(self, name: str, value: Sequence[BodyRegion | str] | str) -> tuple[BodyRegion, ...]:
        items: Iterable[BodyRegion | str]
        if isinstance(value, str):
            items = [part for part in value.replace(";", ",").replace("/", ",").split(",")]
        else:
            items = value
        found: list[BodyRegion] = []
        for item in items:
            if isinstance(item, BodyRegion):
                found.append(item)
                continue
            if not clean_text(item):
                continue
            try:
                found.append(BodyRegion.from_text(item))
            except InvalidValue as error:
                self.fail(name, str(error))
        wanted = set(found)
        return tuple(region for region in BodyRegion if region in wanted)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationError(self.fields)


def _surgery_values(form: SurgeryForm, checks: _Checks) -> dict[str, Any]:
    procedure = checks.choice("procedure", Procedure, form.procedure, required=True)
    label = checks.text("procedure_label", form.procedure_label, 120)
    if procedure is Procedure.OTHER and not label:
        checks.fail("procedure_label", "say which procedure it was")
    day = checks.partial_date("date", form.date)
    levels = checks.levels("levels", form.levels)
    fusion_approach = checks.choice("fusion_approach", FusionApproach, form.fusion_approach)
    approach = checks.choice("approach", SurgicalApproach, form.approach)
    takes_technique = procedure is not None and procedure.takes_fusion_approach
    if approach is None and fusion_approach is not None and takes_technique:
        # The technique fixes the approach (a TLIF is posterior): record it, do not ask.
        approach = fusion_approach.surgical_approach
    elif approach is None and procedure is not None:
        approach = procedure.fixed_approach
    if procedure is not None:
        for name, message in surgery_entry_problems(
            procedure, fusion_approach=fusion_approach, approach=approach, levels=levels
        ).items():
            checks.fail(name, message)
    description = checks.text(
        "instrumentation_description", form.instrumentation_description, MAX_NOTES
    )
    instrumentation = form.instrumentation
    if description and instrumentation is False:
        checks.fail(
            "instrumentation_description",
            "hardware is marked as not placed; clear the description or mark it placed",
        )
    elif description and instrumentation is None:
        instrumentation = True
    return {
        "procedure": procedure.value if procedure else "",
        "procedure_label": label,
        "date": day,
        "levels": levels,
        "fusion_approach": _code(fusion_approach),
        "levels_note": checks.text("levels_note", form.levels_note, 300),
        "approach": _code(approach),
        "surgeon": checks.text("surgeon", form.surgeon),
        "facility": checks.text("facility", form.facility),
        "instrumentation": instrumentation,
        "instrumentation_description": description,
        "bone_graft": checks.text("bone_graft", form.bone_graft),
        "revises_id": form.revises_id,
        "outcome": _code(checks.choice("outcome", Outcome, form.outcome)),
        "complications": checks.text("complications", form.complications, MAX_NOTES),
        "fusion_status": _code(checks.choice("fusion_status", FusionStatus, form.fusion_status)),
        "report_requested_on": checks.day("report_requested_on", form.report_requested_on),
        "report_received_on": checks.day(
            "report_received_on", form.report_received_on, not_before=day
        ),
        "notes": checks.text("notes", form.notes, MAX_NOTES),
    }


def _imaging_values(form: ImagingForm, checks: _Checks) -> dict[str, Any]:
    modality = checks.choice("modality", ImagingModality, form.modality, required=True)
    label = checks.text("modality_label", form.modality_label, 120)
    if modality is ImagingModality.OTHER and not label:
        checks.fail("modality_label", "say which study it was")
    day = checks.partial_date("date", form.date)
    medium = checks.choice("images_medium", ImagesMedium, form.images_medium)
    images_on = checks.day("images_received_on", form.images_received_on, not_before=day)
    if medium is not None and images_on is None and "images_received_on" not in checks.fields:
        checks.fail("images_received_on", "enter the day the images arrived")
    return {
        "modality": modality.value if modality else "",
        "modality_label": label,
        "regions": checks.regions("regions", form.regions),
        "contrast": _code(checks.choice("contrast", Contrast, form.contrast)),
        "date": day,
        "facility": checks.text("facility", form.facility),
        "ordering_physician": checks.text("ordering_physician", form.ordering_physician),
        "report_received_on": checks.day(
            "report_received_on", form.report_received_on, not_before=day
        ),
        "images_medium": _code(medium),
        "images_received_on": images_on,
        "disc_location": checks.text("disc_location", form.disc_location),
        "findings": checks.text("findings", form.findings, MAX_NOTES),
        "notes": checks.text("notes", form.notes, MAX_NOTES),
    }


def _certainly_not_before(earlier: PartialDate | None, later: PartialDate | None) -> bool:
    """True when ``earlier`` cannot be before ``later`` (both known, and even the first day
    of one is not before the last day of the other; the same exact day counts as not before)."""
    if earlier is None or later is None:
        return False
    return earlier.earliest_day() >= later.latest_day()
