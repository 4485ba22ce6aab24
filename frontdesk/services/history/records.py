"""Whether a record is in: the one place that reads and writes a checklist item's received state.

A checklist item that concerns a prior surgery (its operative report) or an imaging study (its
report, its images) stores no received state of its own (a CHECK constraint refuses one): it
is that history entry's received flag, so ticking the item ticks the chart and the other way
round, because there is only one stored fact. Other items (a referral letter, an insurance
approval, or a record not tied to a history entry) keep their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from frontdesk.db.models_history import ImagingStudy, PriorSurgery
from frontdesk.db.models_requests import RequestChecklistItem
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.kernel.context import UnitOfWork
from frontdesk.services.practice.settings import (
    READY_NEEDS_IMAGES,
    READY_NEEDS_IMAGING_REPORTS,
    READY_NEEDS_OPERATIVE_REPORTS,
    read_setting,
)

# Where a record's received state is stored: a screen showing it refreshes when these change.
TABLES = frozenset({"request_checklist_items", "prior_surgeries", "imaging_studies"})
# Which history entry each kind of record can belong to.
SURGERY_KINDS = frozenset({ChecklistKind.OPERATIVE_REPORT})
IMAGING_KINDS = frozenset({ChecklistKind.IMAGING_REPORT, ChecklistKind.IMAGING_FILES})


@dataclass(frozen=True)
class Received:
    """When a record arrived and who marked it (``on`` is None: still missing)."""

    on: date | None
    by: str

    @property
    def received(self) -> bool:
        return self.on is not None


def needed_before_ready(session: Session) -> frozenset[ChecklistKind]:
    """The kinds of record the practice wants in before a request is Ready to schedule."""
    rule = {
        ChecklistKind.OPERATIVE_REPORT: READY_NEEDS_OPERATIVE_REPORTS,
        ChecklistKind.IMAGING_REPORT: READY_NEEDS_IMAGING_REPORTS,
        ChecklistKind.IMAGING_FILES: READY_NEEDS_IMAGES,
    }
    return frozenset(kind for kind, spec in rule.items() if read_setting(session, spec))


def _linked_entry(
    session: Session, item: RequestChecklistItem
) -> PriorSurgery | ImagingStudy | None:
    if item.surgery_id is not None:
        return session.get(PriorSurgery, item.surgery_id)
    if item.imaging_id is not None:
        return session.get(ImagingStudy, item.imaging_id)
    return None


def _columns(item: RequestChecklistItem) -> tuple[str, str]:
    """The history entry's (date, by) attribute names this item stands for."""
    if item.kind == ChecklistKind.IMAGING_FILES.value:
        return "images_received_on", "images_received_by"
    return "report_received_on", "report_received_by"


def item_received(session: Session, item: RequestChecklistItem) -> Received:
    """Whether this checklist item's record is in: the history entry's flag when it is tied
    to one, the item's own otherwise."""
    entry = _linked_entry(session, item)
    if entry is None:
        return Received(item.received_on, item.received_by)
    day, by = _columns(item)
    return Received(getattr(entry, day), getattr(entry, by))


def set_item_received(uow: UnitOfWork, item: RequestChecklistItem, on: date | None) -> Received:
    """Tick (``on`` a day) or untick (None) the record, where it is stored. A record already
    received keeps its first day and receiver when ticked again."""
    entry = _linked_entry(uow.session, item)
    who = uow.actor.username if on is not None else ""
    if entry is None:
        if on is None or item.received_on is None:
            item.received_on, item.received_by = on, who
        uow.stamp(item, new=False)
        return Received(item.received_on, item.received_by)
    day, by = _columns(item)
    if on is None or getattr(entry, day) is None:
        setattr(entry, day, on)
        setattr(entry, by, who)
        uow.stamp(entry, new=False)
        uow.mark_changed(entry.__tablename__)
    return Received(getattr(entry, day), getattr(entry, by))


def check_link(
    session: Session,
    patient_id: int,
    kind: ChecklistKind,
    surgery_id: int | None,
    imaging_id: int | None,
) -> None:
    """Refuse a link the model cannot hold: another chart's entry, or the wrong kind."""
    if surgery_id is not None and imaging_id is not None:
        raise ValidationError({"record": "a record belongs to one surgery or one imaging study"})
    if surgery_id is not None:
        surgery = session.get(PriorSurgery, surgery_id)
        if surgery is None or surgery.patient_id != patient_id:
            raise ValidationError({"record": "pick one of this patient's surgeries"})
        if kind not in SURGERY_KINDS:
            raise ValidationError({"record": f"a surgery has no {kind.label.lower()}"})
    if imaging_id is not None:
        study = session.get(ImagingStudy, imaging_id)
        if study is None or study.patient_id != patient_id:
            raise ValidationError({"record": "pick one of this patient's imaging studies"})
        if kind not in IMAGING_KINDS:
            raise ValidationError({"record": f"an imaging study has no {kind.label.lower()}"})


def release_items(
    uow: UnitOfWork, *, surgery_id: int | None = None, imaging_id: int | None = None
) -> None:
    """Before a history entry is deleted, its checklist items take over its received state
    (the record did arrive), so the request does not suddenly ask for it again."""
    session = uow.session
    linked = (
        RequestChecklistItem.surgery_id == surgery_id
        if surgery_id is not None
        else RequestChecklistItem.imaging_id == imaging_id
    )
    for item in session.scalars(select(RequestChecklistItem).where(linked)):
        state = item_received(session, item)
        item.surgery_id = item.imaging_id = None
        item.received_on, item.received_by = state.on, state.by
        uow.stamp(item, new=False)
        uow.mark_changed("request_checklist_items")
    session.flush()


def missing_counts(request_ids: Sequence[int]) -> Select[Any]:
    """(request id, how many of its records are missing), by the same rule as
    :func:`item_received`, as one query for a page of the queue."""
    item = RequestChecklistItem
    files = item.kind == ChecklistKind.IMAGING_FILES.value
    missing = or_(
        and_(item.surgery_id.is_not(None), PriorSurgery.report_received_on.is_(None)),
        and_(item.imaging_id.is_not(None), files, ImagingStudy.images_received_on.is_(None)),
        and_(item.imaging_id.is_not(None), ~files, ImagingStudy.report_received_on.is_(None)),
        and_(item.surgery_id.is_(None), item.imaging_id.is_(None), item.received_on.is_(None)),
    )
    return (
        select(item.request_id, func.count())
        .select_from(item)
        .outerjoin(ImagingStudy, ImagingStudy.id == item.imaging_id)
        .outerjoin(PriorSurgery, PriorSurgery.id == item.surgery_id)
        .where(item.request_id.in_(request_ids), missing)
        .group_by(item.request_id)
    )
