"""What a patient's access report shows, as plain data (built by services.platform.
access_report, drawn by documents.access_report_pdf; apart so building it loads no ReportLab)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo


@dataclass(frozen=True)
class AccessReportPerson:
    """One person's part: how often they opened or printed the chart, how often changed it."""

    person: str  # "Maria López (maria)"
    views: int
    changes: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class AccessReportRow:
    at: datetime
    person: str
    workstation: str
    action: str  # "Opened", "Changed", "Printed"
    record: str  # "Patient chart", "Imaging study"
    details: str  # "Changed: phone, address line1"


@dataclass(frozen=True)
class AccessReportData:
    patient_name: str
    mrn: str
    date_of_birth: date | None
    zone: tzinfo
    made_at: datetime
    made_by: str
    people: tuple[AccessReportPerson, ...]
    rows: tuple[AccessReportRow, ...]
