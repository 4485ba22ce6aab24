"""Opening a chart (audited), finding one by its MRN, and summaries of charts by id."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from frontdesk.db.models_patients import Patient
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.search_query import parse_search
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.chart_store import (
    _SUMMARY_COLUMNS,
    PATIENTS,
    _get,
    _patient_data,
    _summary,
)
from frontdesk.services.patients.forms import PatientData, PatientSummary


def get_patient(
    context: ServiceContext, patient_id: int, *, record_view: bool = True
) -> PatientData:
    """Open a chart. Opening is recorded in the audit trail (who looked at whose chart)."""
    if not record_view:
        with context.reading(Permission.VIEW_PATIENTS) as session:
            return _patient_data(session, _get(session, patient_id))
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        data = _patient_data(uow.session, _get(uow.session, patient_id))
        uow.record("view", "patients", patient_id, patient_id=patient_id)
        uow.commit()
        return data


def find_by_mrn(context: ServiceContext, mrn: str) -> int:
    """The id of the chart with this MRN ("M0001234", "m1234" or "1234")."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        query = parse_search(mrn, today=practice_today(session))
        wanted = query.mrn or clean_text(mrn).upper()
        patient_id = session.scalar(select(Patient.id).where(Patient.mrn == wanted))
    if patient_id is None:
        raise NotFoundError(f"There is no patient with MRN {clean_text(mrn)}")
    return patient_id


def summaries_for(context: ServiceContext, patient_ids: Sequence[int]) -> list[PatientSummary]:
    """Summaries of these charts, in the order given (for lists held as ids)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.execute(
            select(*_SUMMARY_COLUMNS).where(PATIENTS.c.id.in_(list(patient_ids)))
        ).all()
    by_id = {row.id: _summary(row) for row in rows}
    return [by_id[pid] for pid in patient_ids if pid in by_id]
