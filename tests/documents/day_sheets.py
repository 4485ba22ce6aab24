"""Day sheets to render in the document tests: busy days with names in every script."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from frontdesk.documents.day_sheet_data import DaySheetData, DaySheetRow, DaySheetSection
from frontdesk.domain.scheduling import AppointmentStatus

DAY = date(2026, 12, 14)
HOSTILE = "<b>O'Brien</b> & Sons </font>"
NAMES = (
    f"{HOSTILE}, Pat",
    "Núñez-García, María José",
    "Nguyễn Thị, Hoa",
    "عبدالله, محمد",
    "王, 小明",
    "Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh, Hubert Blaine",
    "O'Connor, Seán",
    "Παπαδόπουλος, Γιώργος",
)


def sheet_row(number: int, provider: int) -> DaySheetRow:
    start = datetime(2026, 12, 14, 14, 0, tzinfo=UTC) + timedelta(minutes=20 * number)
    return DaySheetRow(
        appointment_id=provider * 100 + number,
        patient_id=number + 1,
        start=start,
        end=start + timedelta(minutes=20),
        patient_name=NAMES[number % len(NAMES)],
        mrn=f"M{number + 1:07d}",
        date_of_birth=date(1950 + number, 1 + number % 12, 1 + number % 28),
        phone="(217) 555-0142",
        type_name="New consultation" if number % 3 == 0 else "Follow-up",
        reason="Leg pain after L4-L5 fusion <again> & numbness" if number % 2 else "",
        location_name="Main office",
        status=AppointmentStatus.BOOKED,
        overbooked=number == 3,
        records=(
            "MRI lumbar February 2025: report ✓, images missing · "
            "Missing: op report (L4–L5 TLIF 2019); referral letter"
            if number % 2
            else "no imaging or surgery recorded"
        ),
        records_complete=number % 2 == 0,
        language=("Spanish", "Vietnamese", "", "Arabic")[number % 4],
        interpreter_needed=number % 4 in (0, 1),
    )


def busy_day(rows: int = 24, providers: tuple[str, ...] = ("Adaeze Okafor, MD",)) -> DaySheetData:
    return DaySheetData(
        day=DAY,
        zone=UTC,
        practice_name="Lakeside Spine Center",
        sections=tuple(
            DaySheetSection(
                provider_id=index + 1,
                provider_name=name,
                rows=tuple(sheet_row(number, index) for number in range(rows)),
            )
            for index, name in enumerate(providers)
        ),
        made_at=datetime(2026, 12, 13, 17, 5, tzinfo=UTC),
    )
