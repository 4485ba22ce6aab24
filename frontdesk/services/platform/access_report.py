"""A patient's access report as a document: made from the trail, printed or saved (each a
disclosure recorded in the trail), with people's names and the practice's clock."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import PracticeProfile, User
from frontdesk.db.models_patients import Patient
from frontdesk.documents.access_report_data import (
    AccessReportData,
    AccessReportPerson,
    AccessReportRow,
)
from frontdesk.domain.errors import NotFoundError, ValidationError
from frontdesk.domain.names import listed_name
from frontdesk.domain.permissions import Permission
from frontdesk.private_files import scratch_file
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.audit_trail import (
    PatientAccessReport,
    patient_access_report,
    record_access_report_print,
)
from frontdesk.services.platform.audit_wording import action_text, record_name, report_details
from frontdesk.services.practice.providers import provider_labels

OS_PREFIX = "os:"


def person_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """How each username in the trail reads as a person: "Maria López (maria)", "anna
    (computer login)"; a name no account has any more stays as it was recorded."""
    rows = session.execute(
        select(User.username, User.display_name).where(User.username.in_(sorted(usernames)))
    )
    people = {
        row.username: (
            f"{row.display_name} ({row.username})"
            if row.display_name and row.display_name != row.username
            else row.username
        )
        for row in rows
    }
    for name in usernames - people.keys():
        people[name] = (
            f"{name.removeprefix(OS_PREFIX)} (computer login)"
            if name.startswith(OS_PREFIX)
            else name
        )
    return people


def access_report_data(context: ServiceContext, report: PatientAccessReport) -> AccessReportData:
    """The report's plain data for the document (names, the practice's zone)."""
    with context.reading(Permission.VIEW_AUDIT) as session:
        patient = session.get(Patient, report.patient_id)
        if patient is None:
            raise NotFoundError(f"There is no patient with id {report.patient_id}")
        zone = zone_of(session)
        providers = provider_labels(session)
        names = person_names(
            session,
            {entry.username for entry in report.entries} | {context.actor.username},
        )
    return AccessReportData(
        patient_name=listed_name(patient.last_name, patient.first_name, patient.middle_name),
        mrn=patient.mrn,
        date_of_birth=patient.date_of_birth,
        zone=zone,
        made_at=datetime.now(zone),
        made_by=names.get(context.actor.username, context.actor.label),
        people=tuple(
            AccessReportPerson(
                person=names.get(summary.username, summary.username),
                views=summary.views,
                changes=summary.changes,
                first_at=summary.first_at,
                last_at=summary.last_at,
            )
            for summary in report.by_user
        ),
        rows=tuple(
            AccessReportRow(
                at=entry.at,
                person=names.get(entry.username, entry.username),
                workstation=entry.workstation,
                action=action_text(entry.action),
                record=record_name(entry.entity, entry.details),
                details=report_details(entry.entity, entry.action, entry.details, zone, providers),
            )
            for entry in report.entries
        ),
    )


def provider_names(context: ServiceContext) -> dict[int, str]:
    """Providers by id, former ones too: for saying an appointment's changes on screen as the
    printed report says them (``report_details``)."""
    with context.reading(Permission.VIEW_AUDIT) as session:
        return provider_labels(session)


def render_access_report(context: ServiceContext, report: PatientAccessReport) -> bytes:
    """The report as a PDF on the letterhead (printing it is recorded by the caller, with
    where it went: record_access_report_print)."""
    # ReportLab loads only when a report is drawn.
    from frontdesk.documents.access_report_pdf import render
    from frontdesk.documents.letterhead import PracticeDetails

    data = access_report_data(context, report)
    with context.reading(None) as session:
        profile = session.get(PracticeProfile, 1)
        practice = (
            PracticeDetails.from_profile(profile)
            if profile is not None
            else PracticeDetails(name="Front Desk")
        )
    return render(data, practice)


def save_access_report(context: ServiceContext, patient_id: int, path: Path | str) -> int:
    """Save the report as a PDF file; returns how many entries it lists. Written aside,
    recorded as a disclosure, then moved into place: no file exists unrecorded."""
    destination = Path(path)
    folder = destination.parent if str(destination.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError({"path": f"there is no folder {folder}"})
    report = patient_access_report(context, patient_id)
    pdf = render_access_report(context, report)
    try:
        with scratch_file(destination, prefix=".access-report-") as temporary:
            with open(temporary, "wb") as handle:
                handle.write(pdf)
                handle.flush()
                os.fsync(handle.fileno())
            record_access_report_print(context, patient_id, f"file {destination.name}")
    except OSError as error:
        raise ValidationError(
            {"path": f"cannot write in {folder} ({error.strerror or error})"}
        ) from None
    return len(report.entries)
