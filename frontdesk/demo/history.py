"""Demo surgery and imaging histories: realistic spine stories, every received/missing state.

Called by demo.generator inside its transaction, after the patients are written. About a third
of the demo patients (at most MAX_CHARTS per load, so a million-patient demo stays quick) get
a history: single operations, cervical fusions, and failed-fusion patterns (a lumbar fusion,
then surgery at the adjacent level, then a revision that links to the first fusion), and
imaging whose report and images are received, partly received or missing. Dates are exact,
month-only, year-only or "about" a year, as patients remember them. All of it is invented.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from frontdesk.db.models_history import ImagingStudy, PriorSurgery
from frontdesk.db.models_patients import Patient
from frontdesk.db.types import utcnow
from frontdesk.domain.history_vocab import (
    BodyRegion,
    FusionApproach,
    ImagesMedium,
    ImagingModality,
    Procedure,
)
from frontdesk.domain.partial_dates import PartialDate
from frontdesk.domain.spinal_levels import LevelSet, Vertebra, parse_levels
from frontdesk.services.kernel.clock import practice_today

MAX_CHARTS = 20_000
HISTORY_SHARE = 0.35
MIN_AGE_AT_SURGERY = 20

SURGERIES = PriorSurgery.__table__
IMAGING = ImagingStudy.__table__

_SURGEONS = (
    "Dr. Alan Whitfield",
    "Dr. Priya Raman",
    "Dr. Jorge Castillo",
    "Dr. Helen Osei",
    "Dr. Tomasz Nowak",
    "Dr. Grace Liu",
    "Dr. Samuel Adeyemi",
)
_FACILITIES = (
    "St. Mary's Hospital",
    "Riverside Medical Center",
    "Lakeview Surgical Institute",
    "Mercy General",
    "University Hospital",
    "Prairie Orthopedic Surgery Center",
)
_IMAGING_CENTERS = (
    "Lakeview Imaging Center",
    "Riverside Radiology",
    "Open MRI of Springfield",
    "St. Mary's Radiology",
    "Prairie Diagnostic Imaging",
)
_ORDERING = ("Dr. Anil Patel", "Dr. Susan Grey", "Dr. Luis Ortega", "Dr. Mei Tanaka", "")
_FINDINGS = (
    "adjacent segment degeneration above the fusion",
    "recurrent disc herniation, left paracentral",
    "moderate central canal stenosis",
    "hardware intact, no loosening",
    "lucency around the S1 screws",
    "foraminal narrowing, right worse than left",
    "no acute fracture",
    "",
)
_DISC_PLACES = ("records room, shelf 2", "cabinet B, drawer 1", "with the chart", "scanned to PACS")
_COMPLICATIONS = ("", "", "", "dural tear, repaired", "wound infection", "transient foot drop")


@dataclass(frozen=True)
class HistoryDemoSummary:
    charts: int
    surgeries: int
    imaging: int


@dataclass(frozen=True)
class _Chart:
    id: int
    born: date
    first_name: str


class _Builder:
    def __init__(
        self, rng: random.Random, today: date, username: str, first_surgery: int, first_study: int
    ) -> None:
        self.rng = rng
        self.today = today
        now = utcnow()
        self.stamp = {
            "version": 1,
            "created_at": now,
            "created_by": username,
            "updated_at": now,
            "updated_by": username,
        }
        self.username = username
        self.next_surgery = first_surgery
        self.next_study = first_study
        self.surgeries: list[dict[str, Any]] = []
        self.imaging: list[dict[str, Any]] = []

    # Dates ------------------------------------------------------------------------------

    def day_between(self, start: date, end: date) -> date:
        if end <= start:
            return end
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def remembered(self, day: date) -> PartialDate:
        """How a patient remembers a day: exact, the month, the year or about the year."""
        roll = self.rng.random()
        if roll < 0.4:
            return PartialDate.exact(day)
        if roll < 0.7:
            return PartialDate.of_month(day.year, day.month)
        if roll < 0.94:
            return PartialDate.of_year(day.year)
        return PartialDate.about(day.year)

    def received_on(self, after: date) -> date:
        return self.day_between(after, min(self.today, after + timedelta(days=400)))

    # Rows -------------------------------------------------------------------------------

    def surgery(
        self,
        chart: _Chart,
        day: date,
        procedure: Procedure,
        levels: str,
        *,
        fusion_approach: FusionApproach | None = None,
        revises: int | None = None,
        report: bool | None = None,
        remembered: PartialDate | None = None,
    ) -> int:
        rng = self.rng
        when = remembered or self.remembered(day)
        level_set: LevelSet = parse_levels(levels)
        fused = procedure.is_fusion
        approach = procedure.fixed_approach
        if fusion_approach is not None:
            approach = fusion_approach.surgical_approach
        has_report = rng.random() < 0.55 if report is None else report
        hardware = fused or procedure is Procedure.SPINAL_CORD_STIMULATOR
        surgery_id = self.next_surgery
        self.next_surgery += 1
        self.surgeries.append(
            {
                "id": surgery_id,
                "patient_id": chart.id,
                "date_earliest": when.earliest_day(),
                "date_precision": when.precision.value,
                "procedure": procedure.value,
                "procedure_label": "",
                "fusion_approach": fusion_approach.value if fusion_approach else None,
                "levels": json.dumps(level_set.codes()),
                "level_top": level_set.levels[0].sort_position if level_set else None,
                "level_bottom": level_set.levels[-1].sort_position if level_set else None,
                "levels_note": "",
                "approach": approach.value if approach else None,
                "surgeon": rng.choice(_SURGEONS),
                "facility": rng.choice(_FACILITIES),
                "instrumentation": hardware if rng.random() < 0.9 else None,
                "instrumentation_description": (
                    "pedicle screws and rods"
                    if hardware and fused and approach is not None and approach.value == "posterior"
                    else "anterior plate and cage"
                    if hardware and fused
                    else ""
                ),
                "bone_graft": rng.choice(("", "autograft", "allograft", "BMP")) if fused else "",
                "revises_id": revises,
                "outcome": rng.choice(("better", "same", "worse", "worse")),
                "complications": rng.choice(_COMPLICATIONS),
                "fusion_status": (rng.choice(("solid", "not_fused", "unknown")) if fused else None),
                "report_requested_on": (
                    self.day_between(max(day, self.today - timedelta(days=60)), self.today)
                    if not has_report and rng.random() < 0.5
                    else None
                ),
                "report_received_on": self.received_on(day) if has_report else None,
                "report_received_by": self.username if has_report else "",
                "notes": "",
                **self.stamp,
            }
        )
        return surgery_id

    def study(
        self,
        chart: _Chart,
        day: date,
        modality: ImagingModality,
        regions: Sequence[BodyRegion],
        *,
        state: int | None = None,
        facility: str | None = None,
        remembered: PartialDate | None = None,
    ) -> None:
        """``state``: 0 nothing received, 1 report only, 2 images only, 3 both."""
        rng = self.rng
        when = remembered or self.remembered(day)
        if state is None:
            # The first studies go through every state, so even a small demo shows them all.
            state = len(self.imaging) % 4 if len(self.imaging) < 8 else rng.randrange(4)
        report = state in (1, 3)
        images = state in (2, 3)
        medium = rng.choice(list(ImagesMedium)) if images else None
        self.imaging.append(
            {
                "id": self.next_study,
                "patient_id": chart.id,
                "modality": modality.value,
                "modality_label": "",
                "regions": json.dumps([r.value for r in BodyRegion if r in set(regions)]),
                "contrast": rng.choice((None, None, "without", "with")),
                "date_earliest": when.earliest_day(),
                "date_precision": when.precision.value,
                "facility": facility or rng.choice(_IMAGING_CENTERS),
                "ordering_physician": rng.choice(_ORDERING),
                "report_received_on": self.received_on(day) if report else None,
                "report_received_by": self.username if report else "",
                "images_medium": medium.value if medium else None,
                "images_received_on": self.received_on(day) if images else None,
                "images_received_by": self.username if images else "",
                "disc_location": (rng.choice(_DISC_PLACES) if medium is ImagesMedium.DISC else ""),
                "findings": rng.choice(_FINDINGS),
                "notes": "",
                **self.stamp,
            }
        )
        self.next_study += 1

    # Stories ----------------------------------------------------------------------------

    def maria_jose(self, chart: _Chart) -> None:
        """Scenario 1: L4-L5 fusion 2019, one level up 2021, lumbar MRI May 2024 outside;
        nothing received yet (the receptionist requests it all)."""
        self.surgery(
            chart,
            date(2019, 6, 1),
            Procedure.LUMBAR_FUSION,
            "L4-L5",
            fusion_approach=FusionApproach.TLIF,
            report=False,
            remembered=PartialDate.of_year(2019),
        )
        self.surgery(
            chart,
            date(2021, 6, 1),
            Procedure.LUMBAR_FUSION,
            "L3-L4",
            fusion_approach=FusionApproach.TLIF,
            report=False,
            remembered=PartialDate.of_year(2021),
        )
        self.study(
            chart,
            date(2024, 5, 1),
            ImagingModality.MRI,
            [BodyRegion.LUMBAR],
            state=0,
            facility="Lakeview Imaging Center",
            remembered=PartialDate.of_month(2024, 5),
        )

    def failed_fusion(self, chart: _Chart, earliest: date) -> None:
        """A lumbar fusion, adjacent-level surgery a few years later, then a revision."""
        rng = self.rng
        top = rng.choice((Vertebra.L3, Vertebra.L4, Vertebra.L4, Vertebra.L5))
        fused = f"{top}-{Vertebra(top + 1)}"
        first_day = self.day_between(earliest, self.today - timedelta(days=5 * 365))
        first = self.surgery(
            chart,
            first_day,
            Procedure.LUMBAR_FUSION,
            fused,
            fusion_approach=rng.choice(list(FusionApproach)),
        )
        above = Vertebra(top - 1)
        second_day = self.day_between(
            first_day + timedelta(days=500), first_day + timedelta(days=1500)
        )
        second_day = min(second_day, self.today - timedelta(days=400))
        if rng.random() < 0.5:
            self.surgery(chart, second_day, Procedure.LAMINECTOMY, f"{above}-{top}")
        else:
            self.surgery(
                chart,
                second_day,
                Procedure.LUMBAR_FUSION,
                f"{above}-{top}",
                fusion_approach=FusionApproach.TLIF,
            )
        third_day = self.day_between(second_day + timedelta(days=200), self.today)
        bottom = Vertebra(min(top + 1, Vertebra.S1))
        revision = rng.choice(
            (Procedure.REVISION_FUSION, Procedure.REVISION_FUSION, Procedure.HARDWARE_REMOVAL)
        )
        self.surgery(
            chart,
            third_day,
            revision,
            f"{above}-{bottom}",
            fusion_approach=(
                FusionApproach.POSTEROLATERAL if revision.takes_fusion_approach else None
            ),
            revises=first,
        )
        self.study(
            chart, self.day_between(third_day, self.today), ImagingModality.CT, [BodyRegion.LUMBAR]
        )
        self.study(
            chart,
            self.day_between(self.today - timedelta(days=700), self.today),
            ImagingModality.MRI,
            [BodyRegion.LUMBAR],
        )

    def simple_history(self, chart: _Chart, earliest: date) -> None:
        rng = self.rng
        if rng.random() < 0.55:
            kind = rng.random()
            day = self.day_between(earliest, self.today - timedelta(days=60))
            if kind < 0.4:
                level = rng.choice(("L4-L5", "L5-S1", "L3-L4"))
                self.surgery(chart, day, Procedure.MICRODISCECTOMY, level)
            elif kind < 0.65:
                level = rng.choice(("C5-C6", "C6-C7", "C5-C7", "C4-C6"))
                self.surgery(chart, day, Procedure.ACDF, level)
            elif kind < 0.8:
                self.surgery(
                    chart,
                    day,
                    Procedure.LUMBAR_FUSION,
                    rng.choice(("L4-L5", "L5-S1", "L4-S1")),
                    fusion_approach=rng.choice(list(FusionApproach)),
                )
            elif kind < 0.9:
                self.surgery(chart, day, Procedure.LAMINECTOMY, rng.choice(("L3-L5", "L4-L5")))
            elif kind < 0.95:
                self.surgery(
                    chart,
                    day,
                    Procedure.KYPHOPLASTY_VERTEBROPLASTY,
                    rng.choice(("L1", "T12", "L2")),
                )
            else:
                self.surgery(chart, day, Procedure.SPINAL_CORD_STIMULATOR, "T8-T10")
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            modality = rng.choices(list(ImagingModality), weights=(10, 3, 4, 2, 1, 1, 2, 1, 1, 0))[
                0
            ]
            region = rng.choice(
                ([BodyRegion.LUMBAR],) * 5
                + ([BodyRegion.CERVICAL],) * 3
                + ([BodyRegion.THORACIC], [BodyRegion.CERVICAL, BodyRegion.THORACIC])
            )
            start = max(earliest, self.today - timedelta(days=3 * 365))
            self.study(chart, self.day_between(start, self.today), modality, region)


def _charts(connection: Connection, ids: Sequence[int]) -> list[_Chart]:
    charts: list[_Chart] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = connection.execute(
            select(Patient.id, Patient.date_of_birth, Patient.first_name).where(
                Patient.id.in_(chunk)
            )
        )
        charts.extend(_Chart(int(row.id), row.date_of_birth, row.first_name) for row in rows)
    return sorted(charts, key=lambda chart: chart.id)


def _next_id(connection: Connection, column: Any) -> int:
    return int(connection.scalar(select(func.coalesce(func.max(column), 0)))) + 1


def generate_histories(
    connection: Connection,
    *,
    first_patient_id: int,
    patients: int,
    seed: int,
    today: date,
    username: str,
) -> HistoryDemoSummary:
    """Give some of the patients ``first_patient_id`` .. +``patients`` a surgery and imaging
    history, inside the caller's transaction. The same seed gives the same histories."""
    if patients <= 0:
        return HistoryDemoSummary(0, 0, 0)
    # Nothing may be dated after the practice's own today (its zone can be behind ours).
    today = min(today, practice_today(connection))
    rng = random.Random(f"history-{seed}")
    share = min(HISTORY_SHARE, MAX_CHARTS / patients)
    # The scenario people come first in a demo load and always get their stories' histories.
    chosen = [
        first_patient_id + offset
        for offset in range(patients)
        if offset < 3 or rng.random() < share
    ]
    builder = _Builder(
        rng,
        today,
        username,
        _next_id(connection, SURGERIES.c.id),
        _next_id(connection, IMAGING.c.id),
    )
    charts = _charts(connection, chosen)
    for chart in charts:
        earliest = date(chart.born.year + MIN_AGE_AT_SURGERY, chart.born.month, 1)
        if earliest > today - timedelta(days=6 * 365):
            # Too young for a long history: one recent study at most.
            if rng.random() < 0.5:
                builder.study(
                    chart,
                    builder.day_between(today - timedelta(days=500), today),
                    ImagingModality.MRI,
                    [BodyRegion.LUMBAR],
                )
            continue
        if chart.first_name == "María José" and chart.born == date(1961, 3, 4):
            builder.maria_jose(chart)
        elif rng.random() < 0.12:
            builder.failed_fusion(chart, earliest)
        else:
            builder.simple_history(chart, earliest)
    for start in range(0, len(builder.surgeries), 5000):
        connection.execute(insert(SURGERIES), builder.surgeries[start : start + 5000])
    for start in range(0, len(builder.imaging), 5000):
        connection.execute(insert(IMAGING), builder.imaging[start : start + 5000])
    if connection.dialect.name == "postgresql":
        for table in ("prior_surgeries", "imaging_studies"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    return HistoryDemoSummary(
        charts=len({row["patient_id"] for row in builder.surgeries + builder.imaging}),
        surgeries=len(builder.surgeries),
        imaging=len(builder.imaging),
    )
