"""What a day sheet shows, as plain data: one section per provider, one row per appointment.

Built by services.scheduling.day_sheet, rendered by documents.day_sheet_pdf; kept apart from
the renderer so building a day sheet does not load ReportLab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from frontdesk.domain.contact import language_note
from frontdesk.domain.scheduling import AppointmentStatus


@dataclass(frozen=True)
class DaySheetRow:
    appointment_id: int
    patient_id: int
    start: datetime
    end: datetime
    patient_name: str
    mrn: str
    date_of_birth: date
    phone: str
    type_name: str
    reason: str
    location_name: str
    status: AppointmentStatus
    overbooked: bool
    records: str
    records_complete: bool
    language: str = ""
    interpreter_needed: bool = False

    @property
    def language_text(self) -> str:
        """ "Interpreter: Spanish", "Interpreter needed", "Speaks Tagalog" or ""."""
        return language_note(self.language, self.interpreter_needed)


@dataclass(frozen=True)
class DaySheetSection:
    provider_id: int
    provider_name: str
    rows: tuple[DaySheetRow, ...]


@dataclass(frozen=True)
class DaySheetData:
    day: date
    zone: tzinfo
    practice_name: str
    sections: tuple[DaySheetSection, ...]
    made_at: datetime

    @property
    def appointment_count(self) -> int:
        return sum(len(section.rows) for section in self.sections)

    @property
    def patient_ids(self) -> list[int]:
        return sorted({row.patient_id for section in self.sections for row in section.rows})
