"""The one-line history summary, the imaging age rule and the missing-records list."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.history_summary import (
    DEFAULT_IMAGING_AGE_RULE,
    ImagingAgeRule,
    ImagingFacts,
    MissingKind,
    SurgeryFacts,
    imaging_flags,
    missing_records,
    outdated_imaging,
    summarize_history,
    summary_line,
)
from frontdesk.domain.history_vocab import BodyRegion, FusionApproach, ImagingModality, Procedure
from frontdesk.domain.partial_dates import PartialDate, parse_partial_date, sort_key_undated_first
from frontdesk.domain.spinal_levels import parse_levels
from tests.domain.history_strategies import days, imaging_facts, surgery_facts

LUMBAR = (BodyRegion.LUMBAR,)
CERVICAL = (BodyRegion.CERVICAL,)
MRI = ImagingModality.MRI


def surgery(
    procedure: Procedure,
    when: str | None,
    levels: str = "",
    fusion: FusionApproach | None = None,
    *,
    report: bool = True,
    record_id: int | None = None,
) -> SurgeryFacts:
    return SurgeryFacts(
        procedure=procedure,
        date=parse_partial_date(when) if when else None,
        levels=parse_levels(levels),
        fusion_approach=fusion,
        operative_report_received=report,
        record_id=record_id,
    )


def study(
    when: str | None,
    modality: ImagingModality = MRI,
    regions: tuple[BodyRegion, ...] = LUMBAR,
    *,
    report: bool = True,
    images: bool = True,
    record_id: int | None = None,
) -> ImagingFacts:
    return ImagingFacts(
        modality=modality,
        regions=regions,
        date=parse_partial_date(when) if when else None,
        report_received=report,
        images_received=images,
        record_id=record_id,
    )


FAILED_FUSION = [
    surgery(Procedure.MICRODISCECTOMY, "2012", "L4-5"),
    surgery(Procedure.LUMBAR_FUSION, "March 2015", "L4-L5", FusionApproach.PLIF),
    surgery(Procedure.LUMBAR_FUSION, "2019", "L4-S1", FusionApproach.TLIF),
]


def test_the_example_line_from_the_issue() -> None:
    line = summary_line(
        FAILED_FUSION,
        [study("May 2024", report=True, images=False)],
        today=date(2024, 11, 25),
    )
    assert line == (
        "3 prior spine surgeries, last L4–S1 TLIF 2019 · "
        "MRI lumbar May 2024 (report on file, images missing)"
    )


def test_the_same_mri_is_too_old_two_years_later() -> None:
    line = summary_line(FAILED_FUSION, [study("May 2024", images=False)], today=date(2026, 11, 25))
    assert line.endswith(
        "MRI lumbar May 2024 (report on file, images missing, older than 12 months)"
    )


def test_maria_jose_fusion_then_adjacent_level_then_mri() -> None:
    history = [
        surgery(Procedure.LUMBAR_FUSION, "2019", "L4-L5", FusionApproach.TLIF, report=False),
        surgery(Procedure.REVISION_FUSION, "2021", "L3-L4", FusionApproach.TLIF, report=False),
    ]
    imaging = [study("May 2024", report=True, images=False, record_id=7)]
    summary = summarize_history(history, imaging, today=date(2024, 11, 25))
    assert summary.line() == (
        "2 prior spine surgeries, last L3–L4 revision TLIF 2021 · "
        "MRI lumbar May 2024 (report on file, images missing) · missing: 2 operative reports"
    )
    assert summary.has_missing_records
    assert not summary.has_outdated_imaging
    assert [record.kind for record in summary.missing] == [
        MissingKind.OPERATIVE_REPORT,
        MissingKind.OPERATIVE_REPORT,
        MissingKind.IMAGES,
    ]
    assert summary.missing[-1].record_id == 7


def test_nothing_recorded() -> None:
    assert summary_line([], [], today=date(2026, 11, 25)) == (
        "No spine surgery recorded · no imaging recorded"
    )


def test_one_surgery_is_singular_and_unknowns_are_left_out() -> None:
    line = summary_line(
        [surgery(Procedure.SPINAL_CORD_STIMULATOR, None)], [], today=date(2026, 1, 1)
    )
    assert line == "1 prior spine surgery, last spinal cord stimulator · no imaging recorded"


def test_staff_words_replace_the_procedure_name() -> None:
    custom = SurgeryFacts(
        Procedure.OTHER, PartialDate.about(2010), procedure_label="SI joint fusion"
    )
    assert custom.description() == "SI joint fusion about 2010"
    plain_other = SurgeryFacts(Procedure.OTHER)
    assert plain_other.description() == "other surgery"


def test_last_surgery_is_the_latest_dated_one() -> None:
    history = [
        surgery(Procedure.LAMINECTOMY, "2020", "L3"),
        surgery(Procedure.ACDF, None, "C5-6"),
        surgery(Procedure.HARDWARE_REMOVAL, "June 2020", "L4-S1"),
        surgery(Procedure.FORAMINOTOMY, "2018-02-03", "C6-7"),
    ]
    summary = summarize_history(history, [], today=date(2026, 11, 25))
    assert summary.last_surgery is history[2]
    # Nothing dated: the last one entered.
    undated = [surgery(Procedure.LAMINECTOMY, None), surgery(Procedure.ACDF, None)]
    assert summarize_history(undated, [], today=date(2026, 11, 25)).last_surgery is undated[1]


def test_latest_study_is_shown_with_a_count_of_the_others() -> None:
    imaging = [
        study("2023-01-10", ImagingModality.XRAY),
        study("September 2024", ImagingModality.CT, report=False, images=False),
        study("2024-08-30"),
    ]
    line = summary_line([], imaging, today=date(2024, 11, 25))
    assert line == (
        "No spine surgery recorded · "
        "CT lumbar September 2024 (report and images missing), 2 other studies"
    )


def test_an_older_mri_does_not_matter_when_a_recent_one_exists() -> None:
    imaging = [study("2021"), study("2024-10-01")]
    assert outdated_imaging(imaging, today=date(2024, 11, 25)) == ()


def test_an_old_mri_of_another_region_is_named_on_the_line() -> None:
    imaging = [study("2022-03-01", regions=CERVICAL), study("2024-10-01")]
    summary = summarize_history([], imaging, today=date(2024, 11, 25))
    assert [(o.region, o.certain) for o in summary.outdated] == [(BodyRegion.CERVICAL, True)]
    assert summary.line().endswith(
        "MRI lumbar October 1, 2024 (report and images on file), 1 other study · "
        "cervical MRI older than 12 months (March 1, 2022)"
    )


def test_the_default_rule_covers_lumbar_and_cervical_mri_only() -> None:
    today = date(2026, 11, 25)
    assert DEFAULT_IMAGING_AGE_RULE.describe() == "lumbar or cervical MRI older than 12 months"
    assert imaging_flags(study("2020"), today=today).too_old
    assert not imaging_flags(study("2020", ImagingModality.CT), today=today).too_old
    assert not imaging_flags(study("2020", regions=(BodyRegion.THORACIC,)), today=today).too_old
    both = (BodyRegion.CERVICAL, BodyRegion.THORACIC)
    assert imaging_flags(study("2020", regions=both), today=today).too_old


def test_a_vague_or_missing_date_may_be_too_old() -> None:
    today = date(2025, 3, 1)
    flags = imaging_flags(study("2024"), today=today)
    assert (flags.too_old, flags.possibly_too_old) == (False, True)
    assert "(report and images on file, may be older than 12 months)" in summary_line(
        [], [study("2024")], today=today
    )
    assert "(report and images on file, date unknown)" in summary_line(
        [], [study(None)], today=today
    )
    assert [o.certain for o in outdated_imaging([study("2024")], today=today)] == [False]
    assert outdated_imaging([study("2024"), study("2024-12-01")], today=today) == ()


def test_a_practice_can_change_the_rule() -> None:
    rule = ImagingAgeRule(
        max_age_months=6,
        modalities=frozenset({MRI, ImagingModality.CT}),
        regions=frozenset({BodyRegion.LUMBAR}),
    )
    today = date(2024, 11, 25)
    ct = study("2024-04-01", ImagingModality.CT)
    assert imaging_flags(ct, today=today, rule=rule).too_old
    assert not imaging_flags(ct, today=today).too_old
    assert rule.describe() == "lumbar MRI or CT older than 6 months"
    assert "older than 6 months" in summary_line([], [ct], today=today, rule=rule)


def test_the_rule_is_stored_as_a_setting() -> None:
    rule = ImagingAgeRule(9, frozenset({MRI}), frozenset({BodyRegion.CERVICAL}))
    assert rule.to_setting() == {
        "max_age_months": 9,
        "modalities": ["mri"],
        "regions": ["cervical"],
    }
    assert ImagingAgeRule.from_setting(rule.to_setting()) == rule
    assert ImagingAgeRule.from_setting(None) == DEFAULT_IMAGING_AGE_RULE
    assert ImagingAgeRule.from_setting({"max_age_months": 18}).regions == {
        BodyRegion.LUMBAR,
        BodyRegion.CERVICAL,
    }


@pytest.mark.parametrize(
    "setting",
    [
        {"max_age_months": 0},
        {"max_age_months": 121},
        {"max_age_months": "12"},
        {"modalities": ["pet"]},
        {"regions": ["neck"]},
    ],
)
def test_a_broken_setting_is_refused(setting: dict[str, object]) -> None:
    with pytest.raises(InvalidValue):
        ImagingAgeRule.from_setting(setting)


def test_missing_records_list_oldest_first_with_what_is_missing() -> None:
    history = [
        surgery(Procedure.LUMBAR_FUSION, "2019", "L4-L5", FusionApproach.TLIF, report=False),
        surgery(Procedure.MICRODISCECTOMY, "2015", "L5-S1", report=False, record_id=3),
        surgery(Procedure.ACDF, "2010", "C5-6", report=True),
    ]
    imaging = [study("May 2024", report=False, images=False), study("2023", images=False)]
    assert [record.text for record in missing_records(history, imaging)] == [
        "operative report: L5–S1 microdiscectomy 2015",
        "operative report: L4–L5 TLIF 2019",
        "images: MRI lumbar 2023",
        "report: MRI lumbar May 2024",
        "images: MRI lumbar May 2024",
    ]
    assert missing_records(history, imaging)[0].record_id == 3


# Properties ------------------------------------------------------------------------------

histories = st.lists(surgery_facts, max_size=6)
studies_lists = st.lists(imaging_facts, max_size=6)


@given(histories, studies_lists, days)
def test_the_line_counts_and_chooses_correctly(
    surgeries: list[SurgeryFacts], studies: list[ImagingFacts], today: date
) -> None:
    summary = summarize_history(surgeries, studies, today=today)
    line = summary.line()
    assert line[0].isupper() or line[0].isdigit()
    assert "None" not in line
    if surgeries:
        noun = "surgery" if len(surgeries) == 1 else "surgeries"
        assert line.startswith(f"{len(surgeries)} prior spine {noun}, last ")
        assert summary.last_surgery is not None
        latest = sort_key_undated_first(summary.last_surgery.date)
        assert all(sort_key_undated_first(s.date) <= latest for s in surgeries)
    if studies:
        assert summary.latest_study is not None
        assert summary.latest_study in studies
        latest = sort_key_undated_first(summary.latest_study.date)
        assert all(sort_key_undated_first(s.date) <= latest for s in studies)
        assert summary.latest_study.description() in line


@given(histories, studies_lists)
def test_every_missing_record_is_listed_once(
    surgeries: list[SurgeryFacts], studies: list[ImagingFacts]
) -> None:
    records = missing_records(surgeries, studies)
    expected = (
        sum(not s.operative_report_received for s in surgeries)
        + sum(not s.report_received for s in studies)
        + sum(not s.images_received for s in studies)
    )
    assert len(records) == expected


@given(imaging_facts, days)
def test_flags_are_consistent(value: ImagingFacts, today: date) -> None:
    flags = imaging_flags(value, today=today)
    assert not (flags.too_old and flags.possibly_too_old)
    assert flags.report_missing is not value.report_received
    assert flags.images_missing is not value.images_received
    if not DEFAULT_IMAGING_AGE_RULE.applies_to(value):
        assert not (flags.too_old or flags.possibly_too_old)
    if flags.too_old:
        assert value.date is not None and value.date.latest_day() < today


@given(studies_lists, days)
def test_outdated_regions_have_no_certainly_recent_study(
    studies: list[ImagingFacts], today: date
) -> None:
    rule = DEFAULT_IMAGING_AGE_RULE
    flagged = {(o.modality, o.region) for o in outdated_imaging(studies, today=today)}
    for modality in rule.modalities:
        for region in rule.regions:
            matching = [s for s in studies if s.modality is modality and region in s.regions]
            recent = any(
                s.date is not None and not s.date.may_be_older_than_months(12, today)
                for s in matching
            )
            assert ((modality, region) in flagged) == (bool(matching) and not recent)
