"""Reading a chart's history: the whole history, the one-line summaries, the surgeon's PDF."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from frontdesk.db.models import PracticeProfile
from frontdesk.db.models_history import ImagingStudy, PriorSurgery
from frontdesk.domain.history_records import PatientHistory
from frontdesk.domain.history_summary import (
    HistorySummary,
    ImagingFacts,
    SurgeryFacts,
    summarize_history,
)
from frontdesk.domain.partial_dates import sort_key_undated_first
from frontdesk.domain.permissions import Permission
from frontdesk.services.history.entry_rows import (
    _imaging_data,
    _load_history,
    _patient,
    _surgery_data,
    imaging_age_rule,
)
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext


def get_history(
    context: ServiceContext,
    patient_id: int,
    *,
    today: date | None = None,
    record_view: bool = False,
) -> PatientHistory:
    """A chart's surgeries and imaging (oldest first), each with its documents and flags,
    and the summary as of ``today`` (the practice's today by default).

    ``record_view`` records the look in the audit trail (the command line; the chart's tabs
    do not, since opening the chart itself is recorded)."""
    if not record_view:
        with context.reading(Permission.VIEW_PATIENTS) as session:
            patient = _patient(session, patient_id)
            return _load_history(session, patient, today or practice_today(session))
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        patient = _patient(uow.session, patient_id)
        result = _load_history(uow.session, patient, today or practice_today(uow.session))
        uow.record("view", "history", patient_id, patient_id=patient_id)
        uow.commit()
        return result


def history_summaries(
    context: ServiceContext, patient_ids: Sequence[int], *, today: date | None = None
) -> dict[int, HistorySummary]:
    """The summaries of several charts at once (the request queue, the day sheet)."""
    wanted = sorted(set(patient_ids))
    result: dict[int, HistorySummary] = {}
    if not wanted:
        return result
    with context.reading(Permission.VIEW_PATIENTS) as session:
        today = today or practice_today(session)
        rule = imaging_age_rule(session)
        surgeries: dict[int, list[SurgeryFacts]] = {pid: [] for pid in wanted}
        studies: dict[int, list[ImagingFacts]] = {pid: [] for pid in wanted}
        # Chunks keep the IN lists within every driver's parameter limit.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for row in session.scalars(
                select(PriorSurgery).where(PriorSurgery.patient_id.in_(chunk))
            ):
                surgeries[row.patient_id].append(_surgery_data(row).facts)
            for row in session.scalars(
                select(ImagingStudy).where(ImagingStudy.patient_id.in_(chunk))
            ):
                studies[row.patient_id].append(_imaging_data(row, today, rule).facts)
        for pid in wanted:
            result[pid] = summarize_history(
                sorted(
                    surgeries[pid], key=lambda s: (sort_key_undated_first(s.date), s.record_id or 0)
                ),
                sorted(
                    studies[pid], key=lambda s: (sort_key_undated_first(s.date), s.record_id or 0)
                ),
                today=today,
                rule=rule,
            )
    return result


def summary_line(context: ServiceContext, patient_id: int, *, today: date | None = None) -> str:
    """The one line for the chart header: "3 prior spine surgeries, last L4–S1 TLIF 2019 · …"."""
    return history_summaries(context, [patient_id], today=today)[patient_id].line()


def surgeon_summary_pdf(
    context: ServiceContext, patient_id: int, *, today: date | None = None
) -> bytes:
    """The "history summary for the surgeon" PDF; printing it is recorded in the audit trail."""
    # ReportLab loads only when a summary is printed: the CLI and the chart start quicker.
    from frontdesk.documents.history_summary_pdf import render as render_summary_pdf
    from frontdesk.documents.letterhead import PracticeDetails

    with context.writing(Permission.VIEW_PATIENTS) as uow:
        session = uow.session
        patient = _patient(session, patient_id)
        history = _load_history(session, patient, today or practice_today(session))
        profile = session.get(PracticeProfile, 1)
        practice = (
            PracticeDetails.from_profile(profile)
            if profile is not None
            else PracticeDetails(name="Front Desk")
        )
        pdf = render_summary_pdf(history, practice)
        uow.record(
            "print",
            "history_summary",
            patient_id,
            patient_id=patient_id,
            details={"surgeries": len(history.surgeries), "imaging": len(history.imaging)},
        )
        uow.commit()
    return pdf
