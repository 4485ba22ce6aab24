"""Table models of a chart's surgeries and imaging studies: small, in memory, sortable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt

from frontdesk.domain.history_records import ImagingData, SurgeryData
from frontdesk.domain.partial_dates import PartialDate, sort_key_undated_first
from frontdesk.domain.plurals import counted
from frontdesk.ui.widgets.record_table import Column, RecordTableModel

MISSING = "Missing"


def _day(value: date | None) -> str:
    return f"{value:%m/%d/%Y}" if value is not None else ""


def date_cell(value: PartialDate | None) -> str:
    return value.display() if value is not None else "date unknown"


def _date_key(record: Any) -> tuple[Any, ...]:
    return (*sort_key_undated_first(record.date), record.id)


def _files(record: Any) -> str:
    count = len(record.documents)
    return counted(count, "file") if count else ""


def operative_report_text(surgery: SurgeryData) -> str:
    if surgery.report_received:
        return f"On file {_day(surgery.report_received_on)}"
    if surgery.report_requested_on is not None:
        return f"{MISSING} (requested {_day(surgery.report_requested_on)})"
    return MISSING


def imaging_report_text(study: ImagingData) -> str:
    return f"On file {_day(study.report_received_on)}" if study.report_received else MISSING


def images_text(study: ImagingData) -> str:
    if not study.images_received:
        return MISSING
    medium = f" ({study.images_medium.short})" if study.images_medium is not None else ""
    return f"On file{medium} {_day(study.images_received_on)}"


def age_flag_text(study: ImagingData) -> str:
    if study.flags.too_old:
        return "Too old for a new consult"
    if study.flags.possibly_too_old:
        return "May be too old" if study.date is not None else "Date unknown: may be too old"
    return ""


UNCONFIRMED_MARK = "UNCONFIRMED (as the caller said): "


def _procedure_text(surgery: SurgeryData) -> str:
    text = surgery.procedure_text
    if surgery.revises_description:
        text += f" (revises {surgery.revises_description})"
    # A draft from intake must not read like a checked record; opening and saving confirms it.
    return UNCONFIRMED_MARK + text if surgery.unconfirmed else text


SURGERY_COLUMNS: tuple[Column, ...] = (
    Column("Date", lambda s: date_cell(s.date), sort_key=_date_key),
    Column("Procedure", _procedure_text, stretch=True),
    Column(
        "Levels",
        lambda s: s.levels.text(),
        sort_key=lambda s: (s.levels.levels[0].sort_position if s.levels else -1, s.id),
    ),
    Column("Approach", lambda s: s.approach.label if s.approach else "", give_way=6),
    Column("Surgeon", lambda s: s.surgeon, give_way=1),
    Column("Facility", lambda s: s.facility, give_way=2),
    Column("Outcome", lambda s: s.outcome.label if s.outcome else "", give_way=4),
    Column(
        "Fusion",
        lambda s: s.fusion_status.short.capitalize() if s.fusion_status else "",
        give_way=5,
    ),
    Column(
        "Operative report",
        operative_report_text,
        sort_key=lambda s: (s.report_received, s.report_received_on or date.min, s.id),
        warning=lambda s: not s.report_received,
    ),
    Column("Files", _files, sort_key=lambda s: (len(s.documents), s.id), give_way=3),
)

IMAGING_COLUMNS: tuple[Column, ...] = (
    Column("Date", lambda i: date_cell(i.date), sort_key=_date_key),
    Column(
        "Study",
        lambda i: (
            (i.modality_label or i.modality.label) + (f", {i.contrast.short}" if i.contrast else "")
        ),
    ),
    Column("Regions", lambda i: i.regions_text),
    Column("Facility", lambda i: i.facility, stretch=True),
    Column(
        "Report",
        imaging_report_text,
        sort_key=lambda i: (i.report_received, i.report_received_on or date.min, i.id),
        warning=lambda i: not i.report_received,
    ),
    Column(
        "Images",
        images_text,
        sort_key=lambda i: (i.images_received, i.images_received_on or date.min, i.id),
        warning=lambda i: not i.images_received,
    ),
    Column(
        "Age",
        age_flag_text,
        sort_key=lambda i: (i.flags.too_old, i.flags.possibly_too_old, i.id),
        warning=lambda i: i.flags.too_old or i.flags.possibly_too_old,
    ),
    Column("Files", _files, sort_key=lambda i: (len(i.documents), i.id), give_way=1),
)


def entry_model(columns: Sequence[Column], parent: QObject | None = None) -> RecordTableModel:
    """History entries as rows, newest first; each row's tooltip is the entry's description."""
    return RecordTableModel(
        columns,
        row_tooltip=lambda record: record.description,
        sort_by=(0, Qt.SortOrder.DescendingOrder),
        parent=parent,
    )
