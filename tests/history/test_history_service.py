"""Surgery and imaging history: checked entry, revisions, concurrency, permissions, timeline."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.db.models_history import ImagingStudy, PriorSurgery
from frontdesk.domain.errors import (
    ConflictError,
    PermissionDeniedError,
    RefusedError,
    ValidationError,
)
from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.history_vocab import FusionApproach, ImagingModality, Procedure
from frontdesk.domain.partial_dates import Precision
from frontdesk.domain.spinal_levels import ACCEPTED_FORMS
from frontdesk.services.history import timeline
from frontdesk.services.history.imaging import (
    add_imaging,
    delete_imaging,
    set_imaging_records_status,
    update_imaging,
)
from frontdesk.services.history.procedures import (
    add_procedure_label,
    procedure_choices,
    retire_procedure_label,
)
from frontdesk.services.history.summary import get_history, history_summaries, summary_line
from frontdesk.services.history.surgeries import (
    add_surgery,
    delete_surgery,
    set_operative_report_status,
    update_surgery,
)
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.patients.merge import merge_patients
from frontdesk.services.practice import settings

TODAY = date.today()
NEXT_YEAR = str(TODAY.year + 1)
TOMORROW = TODAY + timedelta(days=1)


def fusion(**changes: object) -> SurgeryForm:
    form = SurgeryForm(
        procedure="lumbar fusion",
        fusion_approach="TLIF",
        date="2019",
        levels="L4-L5",
        surgeon="Dr. Rivera",
        facility="St. Mary's",
        instrumentation=True,
        instrumentation_description="pedicle screws and rods",
        outcome="worse",
        fusion_status="not fused",
    )
    return replace(form, **changes)  # type: ignore[arg-type]


def mri(**changes: object) -> ImagingForm:
    form = ImagingForm(
        modality="MRI", regions="lumbar", date="May 2024", facility="Lakeview Imaging"
    )
    return replace(form, **changes)  # type: ignore[arg-type]


# --- what is stored -------------------------------------------------------------------


def test_a_surgery_is_stored_structurally_and_read_back(
    database: Database, context: ServiceContext, maria: PatientData
) -> None:
    saved = add_surgery(context, maria.id, fusion(date="about 2019", levels="L5–S1, l4-5"))
    assert saved.levels.codes() == ["L4-L5", "L5-S1"]
    assert saved.date is not None and saved.date.precision is Precision.CIRCA_YEAR
    assert saved.procedure is Procedure.LUMBAR_FUSION
    assert saved.fusion_approach is FusionApproach.TLIF
    assert saved.description == "L4–S1 TLIF about 2019"
    with database.read_sessions() as session:
        row = session.get(PriorSurgery, saved.id)
        assert row is not None
        assert json.loads(row.levels) == ["L4-L5", "L5-S1"]
        assert (row.date_earliest, row.date_precision) == (date(2019, 1, 1), "circa_year")
        assert row.level_top is not None and row.level_bottom is not None
        assert row.level_top < row.level_bottom
    again = get_history(context, maria.id).surgery(saved.id)
    assert again == saved


def test_reversed_ranges_are_normalized(context: ServiceContext, maria: PatientData) -> None:
    saved = add_surgery(context, maria.id, fusion(levels="S1-L4"))
    assert saved.levels.codes() == ["L4-L5", "L5-S1"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"date": NEXT_YEAR}, "date", "in the future"),
        ({"date": "1960"}, "date", "before the patient was born"),
        ({"date": "February 1961"}, "date", "before the patient was born"),
        ({"date": "the spring"}, "date", "is not a date"),
        ({"levels": "L6-L7"}, "levels", ACCEPTED_FORMS),
        ({"levels": "C8"}, "levels", "nerve root"),
        ({"levels": "banana"}, "levels", ACCEPTED_FORMS),
        ({"procedure": "other", "fusion_approach": None}, "procedure_label", "which procedure"),
        ({"procedure": "brain surgery"}, "procedure", "is not one of"),
        ({"procedure": "ACDF", "fusion_approach": None}, "levels", "cervical operation"),
        ({"approach": "posterior", "fusion_approach": "ALIF"}, "approach", "anterior"),
        ({"instrumentation": False}, "instrumentation_description", "not placed"),
        ({"report_received_on": TOMORROW}, "report_received_on", "in the future"),
        ({"report_received_on": "3/1/2018"}, "report_received_on", "before 2019"),
        ({"report_requested_on": "31/31/2020"}, "report_requested_on", "not a real date"),
        ({"outcome": "amazing"}, "outcome", "is not one of"),
        ({"surgeon": "x" * 201}, "surgeon", "at most 200"),
    ],
)
def test_impossible_surgeries_are_refused_with_the_reason(
    database: Database,
    context: ServiceContext,
    maria: PatientData,
    changes: dict[str, object],
    field: str,
    words: str,
) -> None:
    with pytest.raises(ValidationError) as caught:
        add_surgery(context, maria.id, fusion(**changes))
    assert field in caught.value.fields
    assert words in caught.value.fields[field]
    with database.read_sessions() as session:
        assert session.scalars(select(PriorSurgery)).all() == []


def test_every_problem_of_a_form_is_reported_at_once(
    context: ServiceContext, maria: PatientData
) -> None:
    with pytest.raises(ValidationError) as caught:
        add_surgery(context, maria.id, fusion(date=NEXT_YEAR, levels="L9", outcome="?"))
    assert set(caught.value.fields) == {"date", "levels", "outcome"}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"date": NEXT_YEAR}, "date", "in the future"),
        ({"date": "1950"}, "date", "before the patient was born"),
        ({"modality": "other"}, "modality_label", "which study"),
        ({"modality": "PET-CT"}, "modality", "is not one of"),
        ({"regions": "lumbar, elbow"}, "regions", "is not one of"),
        ({"images_medium": "disc"}, "images_received_on", "the day the images arrived"),
        ({"report_received_on": TOMORROW}, "report_received_on", "in the future"),
        ({"report_received_on": "4/30/2024"}, "report_received_on", "before May 2024"),
    ],
)
def test_impossible_imaging_is_refused_with_the_reason(
    context: ServiceContext,
    maria: PatientData,
    changes: dict[str, object],
    field: str,
    words: str,
) -> None:
    with pytest.raises(ValidationError) as caught:
        add_imaging(context, maria.id, mri(**changes))
    assert words in caught.value.fields[field]


def test_imaging_records_who_received_what(front_desk: ServiceContext, maria: PatientData) -> None:
    study = add_imaging(
        front_desk,
        maria.id,
        mri(regions="cervical / lumbar", report_received_on=TODAY, contrast="with"),
    )
    assert [r.value for r in study.regions] == ["cervical", "lumbar"]
    assert study.report_received and study.report_received_by == "desk.anna"
    assert not study.images_received and study.images_received_by == ""
    assert study.flags.images_missing and not study.flags.report_missing
    updated = set_imaging_records_status(
        front_desk,
        study.id,
        report_received_on=TODAY,
        images_received_on=TODAY,
        images_medium="disc",
        disc_location="cabinet B, drawer 2",
        expected_version=study.version,
    )
    assert updated.images_received and updated.images_received_by == "desk.anna"
    assert updated.disc_location == "cabinet B, drawer 2"


# --- revisions --------------------------------------------------------------------------


def test_a_revision_links_to_an_earlier_surgery_of_the_same_patient(
    context: ServiceContext, maria: PatientData
) -> None:
    first = add_surgery(context, maria.id, fusion(date="2019"))
    revision = add_surgery(
        context,
        maria.id,
        SurgeryForm(
            procedure="revision fusion",
            fusion_approach="posterolateral",
            date="March 2022",
            levels="L3-L5",
            revises_id=first.id,
        ),
    )
    shown = get_history(context, maria.id).surgery(revision.id)
    assert shown.revises_id == first.id
    assert shown.revises_description == "L4–L5 TLIF 2019"


def test_a_revision_of_a_later_or_foreign_surgery_is_refused(
    context: ServiceContext, maria: PatientData
) -> None:
    later = add_surgery(context, maria.id, fusion(date="6/1/2021"))
    with pytest.raises(ValidationError, match="must be earlier") as caught:
        add_surgery(context, maria.id, fusion(date="2020", revises_id=later.id))
    assert "revises_id" in caught.value.fields
    # The same exact day is not "earlier" either.
    with pytest.raises(ValidationError, match="must be earlier"):
        add_surgery(context, maria.id, fusion(date="6/1/2021", revises_id=later.id))
    # A year-only date that may be earlier is accepted.
    add_surgery(context, maria.id, fusion(date="2021", revises_id=later.id))
    other = create_patient(
        context, PatientForm(first_name="Ann", last_name="Other", date_of_birth="1970-01-01")
    )
    foreign = add_surgery(context, other.id, fusion())
    with pytest.raises(ValidationError, match="earlier surgery of this patient"):
        add_surgery(context, maria.id, fusion(date="2022", revises_id=foreign.id))
    with pytest.raises(ValidationError, match="earlier surgery of this patient"):
        add_surgery(context, maria.id, fusion(date="2022", revises_id=999_999))


def test_revision_links_never_loop_or_point_at_themselves(
    context: ServiceContext, maria: PatientData
) -> None:
    first = add_surgery(context, maria.id, fusion(date=None))
    second = add_surgery(context, maria.id, fusion(date=None, revises_id=first.id))
    with pytest.raises(ValidationError, match="revise each other"):
        update_surgery(
            context, first.id, replace(first.form(), revises_id=second.id), first.version
        )
    with pytest.raises(ValidationError, match="cannot revise itself"):
        update_surgery(context, first.id, replace(first.form(), revises_id=first.id), first.version)


def test_moving_a_revised_surgery_after_its_revision_is_refused(
    context: ServiceContext, maria: PatientData
) -> None:
    first = add_surgery(context, maria.id, fusion(date="2019"))
    add_surgery(context, maria.id, fusion(date="2021", revises_id=first.id))
    with pytest.raises(ValidationError) as caught:
        update_surgery(context, first.id, replace(first.form(), date="2022"), first.version)
    assert "revises this surgery" in caught.value.fields["date"]


def test_deleting_a_revised_surgery_unlinks_its_revision_and_is_audited(
    database: Database, context: ServiceContext, maria: PatientData
) -> None:
    first = add_surgery(context, maria.id, fusion(date="2019"))
    second = add_surgery(context, maria.id, fusion(date="2021", revises_id=first.id))
    deleted = delete_surgery(context, first.id, first.version)
    assert deleted.description == "L4–L5 TLIF 2019"
    assert deleted.revisions_unlinked == 1
    remaining = get_history(context, maria.id).surgeries
    assert [s.id for s in remaining] == [second.id]
    assert remaining[0].revises_id is None
    with database.read_sessions() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "prior_surgeries", AuditEntry.entity_id == str(first.id))
            .order_by(AuditEntry.id)
        ).all()
    actions = [entry.action for entry in entries]
    assert actions[0] == "create" and "delete" in actions and "delete_summary" in actions
    assert all(entry.patient_id == maria.id for entry in entries)
    summary = next(entry for entry in entries if entry.action == "delete_summary")
    assert json.loads(summary.details)["description"] == "L4–L5 TLIF 2019"


# --- concurrency ------------------------------------------------------------------------


def test_an_edit_over_a_newer_save_is_refused_naming_who_saved(
    context: ServiceContext, clinical: ServiceContext, maria: PatientData
) -> None:
    opened = add_surgery(context, maria.id, fusion())
    update_surgery(clinical, opened.id, replace(opened.form(), surgeon="Dr. B"), 1)
    with pytest.raises(ConflictError, match=r"nurse\.carla"):
        update_surgery(context, opened.id, replace(opened.form(), surgeon="Dr. C"), 1)
    assert get_history(context, maria.id).surgery(opened.id).surgeon == "Dr. B"
    study = add_imaging(context, maria.id, mri())
    update_imaging(clinical, study.id, replace(study.form(), facility="A"), 1)
    with pytest.raises(ConflictError):
        delete_imaging(context, study.id, 1)


# --- permissions ------------------------------------------------------------------------


def test_front_desk_adds_and_corrects_its_own_entries(
    front_desk: ServiceContext, maria: PatientData
) -> None:
    own = add_surgery(front_desk, maria.id, fusion())
    assert own.created_by == "desk.anna"
    edited = update_surgery(front_desk, own.id, replace(own.form(), levels="L4-S1"), own.version)
    assert edited.levels.codes() == ["L4-L5", "L5-S1"]
    delete_surgery(front_desk, own.id, edited.version)
    study = add_imaging(front_desk, maria.id, mri())
    delete_imaging(front_desk, study.id, study.version)


def test_front_desk_may_only_track_records_on_someone_elses_entries(
    front_desk: ServiceContext,
    other_front_desk: ServiceContext,
    clinical: ServiceContext,
    maria: PatientData,
) -> None:
    surgery = add_surgery(front_desk, maria.id, fusion())
    study = add_imaging(front_desk, maria.id, mri())
    with pytest.raises(PermissionDeniedError, match=r"entered by desk\.anna"):
        update_surgery(other_front_desk, surgery.id, replace(surgery.form(), levels="L3-L4"), 1)
    with pytest.raises(PermissionDeniedError):
        delete_surgery(other_front_desk, surgery.id, 1)
    with pytest.raises(PermissionDeniedError):
        update_imaging(other_front_desk, study.id, replace(study.form(), findings="x"), 1)
    with pytest.raises(PermissionDeniedError):
        delete_imaging(other_front_desk, study.id, 1)
    tracked = set_operative_report_status(
        other_front_desk,
        surgery.id,
        requested_on=TODAY - timedelta(days=3),
        received_on=TODAY,
        expected_version=1,
    )
    assert tracked.report_received_on == TODAY
    assert tracked.report_received_by == "desk.ben"
    assert tracked.updated_by == "desk.ben"
    tracked_study = set_imaging_records_status(
        other_front_desk,
        study.id,
        report_received_on=TODAY,
        images_received_on=None,
        images_medium=None,
        disc_location="",
        expected_version=1,
    )
    assert tracked_study.report_received_by == "desk.ben"
    # Clinical staff may change and delete anyone's entries.
    changed = update_surgery(
        clinical, surgery.id, replace(tracked.form(), levels="L3-L5"), tracked.version
    )
    assert changed.levels.text() == "L3–L5"
    delete_surgery(clinical, surgery.id, changed.version)
    delete_imaging(clinical, study.id, tracked_study.version)


def test_only_clinical_staff_and_admins_extend_the_procedure_list(
    context: ServiceContext,
    front_desk: ServiceContext,
    clinical: ServiceContext,
    maria: PatientData,
) -> None:
    with pytest.raises(PermissionDeniedError):
        add_procedure_label(front_desk, "Interspinous spacer")
    added = add_procedure_label(clinical, "  Interspinous   spacer ")
    assert added.label == "Interspinous spacer" and added.procedure is Procedure.OTHER
    with pytest.raises(ValidationError, match="already on the list"):
        add_procedure_label(context, "interspinous SPACER")
    with pytest.raises(ValidationError, match="already on the list"):
        add_procedure_label(context, "Microdiscectomy")
    labels = [choice.label for choice in procedure_choices(front_desk)]
    assert "Interspinous spacer" in labels and labels[-1] == "Other"
    saved = add_surgery(
        front_desk,
        maria.id,
        SurgeryForm(procedure="other", procedure_label="Interspinous spacer", levels="L4-L5"),
    )
    assert saved.description == "L4–L5 Interspinous spacer"
    retire_procedure_label(context, "Interspinous spacer")
    assert "Interspinous spacer" not in [c.label for c in procedure_choices(context)]


# --- merge ------------------------------------------------------------------------------


def test_merging_charts_moves_the_history_and_refuses_new_entries_on_the_old_one(
    context: ServiceContext, maria: PatientData
) -> None:
    duplicate = create_patient(
        context,
        PatientForm(first_name="Maria", last_name="Nunez Garcia", date_of_birth="3/4/1961"),
        allow_duplicates=True,
    )
    surgery = add_surgery(context, duplicate.id, fusion())
    study = add_imaging(context, duplicate.id, mri())
    result = merge_patients(context, maria.id, duplicate.id)
    assert result.moved["prior_surgeries.patient_id"] == 1
    assert result.moved["imaging_studies.patient_id"] == 1
    kept = get_history(context, maria.id)
    assert [s.id for s in kept.surgeries] == [surgery.id]
    assert [i.id for i in kept.imaging] == [study.id]
    assert get_history(context, duplicate.id).surgeries == ()
    with pytest.raises(RefusedError, match="merged"):
        add_surgery(context, duplicate.id, fusion())


# --- timeline and summary ---------------------------------------------------------------


def test_partial_dates_sort_among_exact_ones_in_the_timeline(
    context: ServiceContext, maria: PatientData
) -> None:
    for text in ("May 17, 2019", "2019", "12/31/2018", "May 2019", "about 2019", None):
        add_surgery(context, maria.id, fusion(date=text))
    add_imaging(context, maria.id, mri(date="3/1/2019"))
    add_imaging(context, maria.id, mri(date="May 2019", modality="CT"))
    events = timeline.patient_timeline(context, maria.id)
    assert [(event.kind, event.date_text) for event in events] == [
        ("surgery", "date unknown"),
        ("surgery", "December 31, 2018"),
        ("surgery", "about 2019"),
        ("surgery", "2019"),
        ("imaging", "March 1, 2019"),
        ("imaging", "May 2019"),
        ("surgery", "May 2019"),
        ("surgery", "May 17, 2019"),
    ]
    assert events[1].flags == ("operative report missing",)
    assert "report missing" in events[4].flags


def test_the_summary_line_names_the_last_surgery_and_what_is_missing(
    context: ServiceContext, maria: PatientData
) -> None:
    first = add_surgery(context, maria.id, fusion(date="2019"))
    add_surgery(
        context,
        maria.id,
        SurgeryForm(procedure="laminectomy", date="2021", levels="L3-L4", revises_id=None),
    )
    set_operative_report_status(
        context, first.id, requested_on=None, received_on=TODAY, expected_version=1
    )
    add_imaging(context, maria.id, mri(report_received_on="6/1/2024"))
    line = summary_line(context, maria.id, today=date(2024, 11, 1))
    assert line == (
        "2 prior spine surgeries, last L3–L4 laminectomy 2021 · MRI lumbar May 2024 "
        "(report on file, images missing) · missing: 1 operative report"
    )
    summaries = history_summaries(context, [maria.id, maria.id], today=date(2024, 11, 1))
    assert summaries[maria.id].line() == line


def test_the_imaging_age_rule_comes_from_the_practice_setting(
    context: ServiceContext, maria: PatientData
) -> None:
    study = add_imaging(context, maria.id, mri(date="5/10/2024"))
    eight_months_later = date(2025, 1, 12)
    shown = get_history(context, maria.id, today=eight_months_later)
    assert not shown.imaging[0].flags.too_old
    settings.set_setting(context, settings.IMAGING_MAX_AGE_MONTHS, 6)
    shown = get_history(context, maria.id, today=eight_months_later)
    assert shown.imaging[0].id == study.id and shown.imaging[0].flags.too_old
    assert "older than 6 months" in shown.summary_line
    assert shown.summary.has_outdated_imaging
    ct = add_imaging(context, maria.id, mri(modality=ImagingModality.CT, date="2023"))
    flags = get_history(context, maria.id, today=eight_months_later).imaging
    assert next(i for i in flags if i.id == ct.id).flags.too_old is False  # CT is not in the rule


def test_unknown_charts_and_entries_are_not_found(context: ServiceContext) -> None:
    from frontdesk.domain.errors import NotFoundError

    with pytest.raises(NotFoundError):
        get_history(context, 424242)
    with pytest.raises(NotFoundError):
        update_surgery(context, 424242, fusion(), None)
    with pytest.raises(NotFoundError):
        delete_imaging(context, 424242, None)


def test_the_summary_reads_rows_the_imaging_table_holds(
    database: Database, context: ServiceContext, maria: PatientData
) -> None:
    add_imaging(context, maria.id, mri(regions=["lumbar", "cervical"]))
    with database.read_sessions() as session:
        row = session.scalars(select(ImagingStudy)).one()
        assert json.loads(row.regions) == ["cervical", "lumbar"]
        assert (row.date_earliest, row.date_precision) == (date(2024, 5, 1), "month")
