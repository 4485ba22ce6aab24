"""Demo scheduling: types, weekly availability, time away, a year of appointments, a waitlist.

About six months back and six ahead, 10–14 appointments on each day a provider works, in
every status, each with its history (booked, calls, statuses, cancellations and no-shows
with the time they gave back, a few moves), linked to the demo's scheduled and seen
consultation requests. Appointments are planned in memory inside each provider's open time,
one after the other, so no two active ones of a provider can overlap (the database would
refuse the whole load), and written in bulk: the volume grows with providers × days, not
with patients.
"""

from __future__ import annotations

import json
import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from frontdesk.db.models import Provider
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.db.models_scheduling import (
    Appointment,
    AppointmentEvent,
    AppointmentType,
    AvailabilityBlock,
    AvailabilityException,
    WaitlistEntry,
)
from frontdesk.db.types import UTCDateTime, utcnow
from frontdesk.domain.request_states import RequestState
from frontdesk.domain.scheduling import (
    AppointmentStatus,
    CallOutcome,
    CancelledBy,
    ExceptionKind,
    OpenTime,
    WaitlistUrgency,
    local_moment,
    open_times_on,
)
from frontdesk.services.kernel.clock import zone_of
from frontdesk.services.kernel.context import UnitOfWork
from frontdesk.services.scheduling.appointment_types import ensure_default_types
from frontdesk.services.scheduling.availability import availability_rows
from frontdesk.services.scheduling.data import AvailabilityData, ExceptionData
from frontdesk.services.scheduling.names import location_names, provider_label
from frontdesk.services.scheduling.time_away import exception_rows

APPOINTMENTS = Appointment.__table__
EVENTS = AppointmentEvent.__table__
BLOCKS = AvailabilityBlock.__table__
EXCEPTIONS = AvailabilityException.__table__
WAITLIST = WaitlistEntry.__table__
BATCH = 5_000
DAYS_BACK = 182
DAYS_AHEAD = 182
STEP = timedelta(minutes=15)
# Scenario people (demo._SCENARIO_PEOPLE) lead each load; random bookings leave them alone
# so their stories play as written.
SCENARIO_PATIENTS = 3
SEAN_OFFSET = 2

NEW = "New consultation"
FOLLOW_UP = "Follow-up"
POST_OP = "Post-op visit"
IMAGING = "Imaging review"
TELEHEALTH = "Telehealth"
_TYPE_WEIGHTS = {NEW: 26, FOLLOW_UP: 34, POST_OP: 16, IMAGING: 14, TELEHEALTH: 10}
_CLINIC_VISITS = (FOLLOW_UP, POST_OP, IMAGING)

# Each provider's week: (weekday, start minute, end minute, location index, types taken).
# Surgeons operate on the days they have no clinic; new consultations only in the morning.
_WEEKS: tuple[tuple[tuple[int, int, int, int, tuple[str, ...]], ...], ...] = (
    (
        (0, 480, 720, 0, (NEW,)),
        (0, 780, 1020, 0, ()),
        (2, 480, 720, 1, ()),
        (3, 480, 720, 0, (NEW,)),
        (3, 780, 960, 0, _CLINIC_VISITS),
    ),
    (
        (1, 480, 720, 0, (NEW,)),
        (1, 780, 1020, 0, ()),
        (3, 480, 720, 1, ()),
        (3, 780, 1020, 1, ()),
        (4, 480, 720, 0, ()),
    ),
    (
        (0, 510, 720, 0, ()),
        (0, 780, 990, 0, ()),
        (1, 510, 720, 1, ()),
        (1, 780, 990, 1, ()),
        (2, 510, 720, 0, ()),
        (4, 510, 720, 0, ()),
        (4, 780, 960, 0, (TELEHEALTH, FOLLOW_UP)),
    ),
    (
        (0, 480, 720, 0, _CLINIC_VISITS),
        (1, 780, 1020, 0, _CLINIC_VISITS),
        (3, 480, 720, 0, _CLINIC_VISITS),
        (4, 480, 720, 1, (*_CLINIC_VISITS, TELEHEALTH)),
    ),
    (
        (1, 480, 720, 1, ()),
        (1, 780, 1020, 1, ()),
        (2, 480, 720, 0, ()),
        (2, 780, 1020, 0, ()),
        (4, 480, 720, 1, ()),
    ),
)
_REASONS = {
    NEW: (
        "Low back pain with sciatica, referred by primary care",
        "Neck pain with numbness in both hands",
        "Second opinion on a recommended fusion",
        "Leg pain when walking, stenosis on MRI",
        "Pain since a fusion three years ago",
    ),
    FOLLOW_UP: (
        "Follow-up after epidural injection",
        "Review progress with physical therapy",
        "Medication check",
        "Follow-up, pain a little better",
    ),
    POST_OP: (
        "Two weeks after L4-L5 fusion: wound check",
        "Six weeks after laminectomy",
        "Three months after cervical fusion",
        "Staples out",
    ),
    IMAGING: (
        "Review lumbar MRI",
        "Review flexion-extension X-rays",
        "Review CT after fusion",
    ),
    TELEHEALTH: (
        "Discuss MRI results",
        "Medication refill visit",
        "Check-in after starting gabapentin",
    ),
}
_CANCEL_REASONS = {
    CancelledBy.PATIENT: (
        "Feeling better",
        "Car trouble",
        "Work conflict",
        "Sick with the flu",
        "Family emergency",
        "Insurance authorization not yet approved",
    ),
    CancelledBy.PRACTICE: (
        "Surgeon called into an emergency case",
        "Operating room time moved",
        "Imaging not received in time",
        "Office closed for weather",
    ),
}


@dataclass(frozen=True)
class ScheduleDemoSummary:
    blocks: int
    exceptions: int
    appointments: int
    events: int
    waitlist_entries: int


@dataclass
class _Planned:
    """One appointment before it is written; its patient may still change (request links)."""

    provider_id: int
    location_id: int
    type_name: str
    start: datetime
    end: datetime
    status: AppointmentStatus
    patient_id: int
    reason: str
    booked_at: datetime
    request_id: int | None = None
    cancelled_by: CancelledBy | None = None
    cancel_reason: str = ""
    overbooked: bool = False
    moved_from: datetime | None = None
    call: CallOutcome | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


def _next_id(connection: Connection, column: Any) -> int:
    return int(connection.scalar(select(func.coalesce(func.max(column), 0)))) + 1


def _when(moment: datetime, zone: tzinfo) -> str:
    # The same words the booking service writes into an appointment's history.
    local = moment.astimezone(zone)
    return f"{local:%a %m/%d/%Y} {local:%H:%M}"


class _Planner:
    def __init__(
        self,
        rng: random.Random,
        zone: tzinfo,
        now: datetime,
        today: date,
        first_patient_id: int,
        patients: int,
        types: dict[str, AppointmentType],
        providers: dict[int, str],
    ) -> None:
        self.rng = rng
        self.zone = zone
        self.now = now
        self.today = today
        self.types = types
        self.type_names = {row.id: name for name, row in types.items()}
        self.providers = providers
        skip = SCENARIO_PATIENTS if patients > SCENARIO_PATIENTS * 10 else 0
        self.first_patient = first_patient_id + skip
        self.patient_count = patients - skip
        self.patient_days: dict[int, set[date]] = defaultdict(set)
        self.planned: list[_Planned] = []

    def patient_for(self, day: date) -> int:
        """A random chart, preferring one with nothing else booked that day."""
        for _ in range(6):
            patient = self.first_patient + self.rng.randrange(self.patient_count)
            if day not in self.patient_days[patient]:
                break
        self.patient_days[patient].add(day)
        return patient

    def density(self, day: date) -> float:
        """How full a day is: the past was full; the near future fills, the far one less."""
        ahead = (day - self.today).days
        if ahead <= 0:
            return 0.93
        if ahead <= 21:
            return 0.92
        if ahead <= 60:
            return 0.82
        if ahead <= 120:
            return 0.66
        return 0.5

    def _status(self, start: datetime, end: datetime, refill: bool) -> AppointmentStatus:
        rng = self.rng
        if start > self.now:
            if not refill and rng.random() < 0.07:
                return AppointmentStatus.CANCELLED
            soon = start - self.now < timedelta(days=3)
            return (
                AppointmentStatus.CONFIRMED
                if rng.random() < (0.75 if soon else 0.3)
                else AppointmentStatus.BOOKED
            )
        if end > self.now:
            return AppointmentStatus.CHECKED_IN
        roll = rng.random()
        if not refill and roll < 0.1:
            return AppointmentStatus.CANCELLED
        if roll < 0.15:
            return AppointmentStatus.NO_SHOW
        if start.astimezone(self.zone).date() == self.today and self.now - end < timedelta(
            minutes=20
        ):
            return AppointmentStatus.CHECKED_IN  # still with the surgeon
        return AppointmentStatus.COMPLETED

    def _booked_at(self, start: datetime) -> datetime:
        lead = timedelta(days=self.rng.choice((1, 2, 4, 7, 10, 14, 21, 30, 45, 60, 90)))
        moment = start - lead - timedelta(minutes=self.rng.randrange(0, 8 * 60))
        latest = self.now - timedelta(minutes=self.rng.randrange(5, 3 * 24 * 60))
        return min(moment, latest)

    def plan_day(
        self,
        day: date,
        provider_id: int,
        blocks: Sequence[AvailabilityData],
        away: Sequence[ExceptionData],
    ) -> None:
        rng = self.rng
        opens = open_times_on(day, provider_id, blocks, away, self.zone)
        density = self.density(day)
        for open_time in opens:
            kinds = [
                name
                for name, row in self.types.items()
                if name in _TYPE_WEIGHTS and open_time.takes(row.id)
            ]
            cursor = open_time.start
            refill = False
            while cursor < open_time.end:
                if not refill and rng.random() > density:
                    cursor += STEP * rng.choice((1, 1, 2, 3))
                    continue
                fitting = [
                    name
                    for name in kinds
                    if cursor + timedelta(minutes=self.types[name].duration_minutes)
                    <= open_time.end
                ]
                if not fitting:
                    break
                name = rng.choices(fitting, weights=[_TYPE_WEIGHTS[n] for n in fitting])[0]
                end = cursor + timedelta(minutes=self.types[name].duration_minutes)
                status = self._status(cursor, end, refill)
                self.planned.append(
                    _Planned(
                        provider_id=provider_id,
                        location_id=open_time.location_id,
                        type_name=name,
                        start=cursor,
                        end=end,
                        status=status,
                        patient_id=self.patient_for(day),
                        reason=rng.choice(_REASONS[name]),
                        booked_at=self._booked_at(cursor),
                    )
                )
                # A cancelled time was often booked again by someone else; otherwise it
                # stays free (future ones are the Today area's freed times).
                if status is AppointmentStatus.CANCELLED and rng.random() < 0.5:
                    refill = True
                    continue
                refill = False
                cursor = end
        self._maybe_overbook(day, provider_id, opens)

    def _maybe_overbook(self, day: date, provider_id: int, opens: Sequence[OpenTime]) -> None:
        """Now and then a follow-up squeezed in right after the morning, on purpose."""
        # Only into the gap between a morning and an afternoon, never after hours.
        if len(opens) < 2 or self.rng.random() > 0.04:
            return
        morning = opens[0]
        start, end = morning.end, morning.end + timedelta(minutes=15)
        if any(other.start < end and start < other.end for other in opens[1:]):
            return
        if FOLLOW_UP not in self.types:
            return
        status = self._status(start, end, refill=True)
        self.planned.append(
            _Planned(
                provider_id=provider_id,
                location_id=morning.location_id,
                type_name=FOLLOW_UP,
                start=start,
                end=end,
                status=status,
                patient_id=self.patient_for(day),
                reason="Squeezed in: worse pain since last week",
                booked_at=self._booked_at(start),
                overbooked=True,
            )
        )


def _add_availability(
    connection: Connection,
    provider_ids: Sequence[int],
    location_ids: Sequence[int],
    types: dict[str, AppointmentType],
    stamp: dict[str, Any],
) -> int:
    rows = []
    block_id = _next_id(connection, BLOCKS.c.id)
    for index, provider_id in enumerate(provider_ids):
        for weekday, start, end, place, kinds in _WEEKS[index % len(_WEEKS)]:
            rows.append(
                {
                    "id": block_id,
                    "provider_id": provider_id,
                    "location_id": location_ids[min(place, len(location_ids) - 1)],
                    "weekday": weekday,
                    "start_minute": start,
                    "end_minute": end,
                    "type_ids": json.dumps(sorted(types[name].id for name in kinds)),
                    "valid_from": None,
                    "valid_until": None,
                    **stamp,
                }
            )
            block_id += 1
    if rows:
        connection.execute(BLOCKS.insert(), rows)
    return len(rows)


def _monday(today: date, weeks: int) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def _away_plans(
    index: int, today: date
) -> list[tuple[date, date, tuple[int, int] | None, ExceptionKind, str]]:
    """Time away for the ``index``-th provider: vacations, surgery days, a conference, an
    afternoon of teaching (in the past and the future)."""
    monday = today - timedelta(days=today.weekday())
    week = timedelta(weeks=1)
    friday = timedelta(days=4)
    pick = index % 5
    if pick == 0:
        return [
            (
                monday + 5 * week,
                monday + 5 * week + friday,
                None,
                ExceptionKind.VACATION,
                "Family vacation",
            ),
            (monday - 10 * week, monday - 10 * week + friday, None, ExceptionKind.VACATION, ""),
        ]
    if pick == 1:
        thursdays = [monday + weeks * week + timedelta(days=3) for weeks in (2, 6, -4)]
        return [
            (day, day, None, ExceptionKind.SURGERY_DAY, "Long fusion case") for day in thursdays
        ]
    if pick == 2:
        first = monday + 9 * week + timedelta(days=2)
        return [
            (
                first,
                first + timedelta(days=2),
                None,
                ExceptionKind.CONFERENCE,
                "North American Spine Society meeting",
            )
        ]
    if pick == 3:
        tuesday = monday + week + timedelta(days=1)
        return [(tuesday, tuesday, (13 * 60, 17 * 60), ExceptionKind.OTHER, "Teaching residents")]
    return [(monday - 16 * week, monday - 15 * week + friday, None, ExceptionKind.VACATION, "")]


def _add_exceptions(
    connection: Connection, provider_ids: Sequence[int], today: date, stamp: dict[str, Any]
) -> int:
    exception_id = _next_id(connection, EXCEPTIONS.c.id)
    rows = []
    for index, provider_id in enumerate(provider_ids):
        for starts_on, ends_on, minutes, kind, note in _away_plans(index, today):
            rows.append(
                {
                    "id": exception_id,
                    "provider_id": provider_id,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "start_minute": minutes[0] if minutes else None,
                    "end_minute": minutes[1] if minutes else None,
                    "kind": kind.value,
                    "note": note,
                    **stamp,
                }
            )
            exception_id += 1
    if rows:
        connection.execute(EXCEPTIONS.insert(), rows)
    return len(rows)


def _link_requests(
    connection: Connection,
    planner: _Planner,
    first_patient_id: int,
    patients: int,
) -> None:
    """Scheduled requests get a coming new consultation, seen ones a completed one."""
    requests = connection.execute(
        select(
            ConsultationRequest.id,
            ConsultationRequest.patient_id,
            ConsultationRequest.state,
            ConsultationRequest.received_at,
            ConsultationRequest.state_changed_at,
            ConsultationRequest.reason,
        )
        .where(
            ConsultationRequest.patient_id >= first_patient_id,
            ConsultationRequest.patient_id < first_patient_id + patients,
            ConsultationRequest.state.in_((RequestState.SCHEDULED.value, RequestState.SEEN.value)),
        )
        .order_by(ConsultationRequest.id)
    ).all()
    consults = sorted(
        (plan for plan in planner.planned if plan.type_name == NEW),
        key=lambda plan: plan.start,
    )
    coming = [
        plan
        for plan in consults
        if plan.status in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
    ]
    done = [plan for plan in consults if plan.status is AppointmentStatus.COMPLETED]
    done_starts = [plan.start for plan in done]
    rng = planner.rng
    for request_id, patient_id, state, received_at, changed_at, reason in requests:
        chosen: _Planned | None = None
        if state == RequestState.SCHEDULED.value:
            # Mostly within the next four weeks, as a ready request is booked soon.
            for _ in range(8):
                if not coming:
                    break
                candidate = coming[rng.randrange(min(len(coming), 150))]
                if candidate.request_id is None:
                    chosen = candidate
                    break
        else:
            index = bisect_right(done_starts, changed_at) - 1
            while index >= 0 and done[index].start >= received_at:
                if done[index].request_id is None:
                    chosen = done[index]
                    break
                index -= 1
        if chosen is None:
            continue
        chosen.request_id = request_id
        chosen.patient_id = patient_id
        chosen.reason = reason
        if state == RequestState.SCHEDULED.value:
            chosen.booked_at = min(max(changed_at, received_at), planner.now)
        else:
            chosen.booked_at = min(chosen.booked_at, chosen.start - timedelta(days=1))
            chosen.booked_at = max(chosen.booked_at, received_at)


class _History:
    """Turns planned appointments into rows and their events."""

    def __init__(self, planner: _Planner) -> None:
        self.planner = planner

    def _event(
        self,
        plan: _Planned,
        kind: str,
        at: datetime,
        description: str,
        note: str = "",
        *,
        freed: tuple[datetime, datetime] | None = None,
    ) -> datetime:
        at = min(at, self.planner.now)  # history, never ahead of the clock
        plan.events.append(
            {
                "kind": kind,
                "at": at,
                "description": description,
                "note": note,
                "freed_provider_id": plan.provider_id if freed else None,
                "freed_location_id": plan.location_id if freed else None,
                "freed_start": freed[0] if freed else None,
                "freed_end": freed[1] if freed else None,
            }
        )
        return at

    def events(self, plan: _Planned) -> datetime:
        """Adds the appointment's history; returns when its status last changed."""
        rng = self.planner.rng
        zone = self.planner.zone
        now = self.planner.now
        provider = self.planner.providers[plan.provider_id]
        first_start = plan.start
        if plan.moved_from is not None:
            first_start = plan.moved_from
        at = self._event(
            plan,
            "booked",
            plan.booked_at,
            f"Booked {plan.type_name} with {provider}, {_when(first_start, zone)}"
            + (
                "; overbooked on purpose (the provider has no availability at that time)"
                if plan.overbooked
                else ""
            ),
        )
        changed = at
        if plan.moved_from is not None:
            moved_at = at + (min(plan.start, now) - at) * rng.uniform(0.2, 0.8)
            length = plan.end - plan.start
            self._event(
                plan,
                "moved",
                moved_at,
                f"Moved from {provider}, {_when(plan.moved_from, zone)} to {provider}, "
                f"{_when(plan.start, zone)}",
                rng.choice(("Patient asked for another day", "Surgeon's schedule changed")),
                freed=(plan.moved_from, plan.moved_from + length),
            )
            at = moved_at
        status = plan.status
        if status is AppointmentStatus.CANCELLED:
            assert plan.cancelled_by is not None
            cancelled_at = at + (min(plan.start, now) - at) * rng.uniform(0.3, 0.95)
            self._event(
                plan,
                "cancelled",
                cancelled_at,
                f"Cancelled {plan.cancelled_by.label.lower()}",
                plan.cancel_reason,
                freed=(plan.start, plan.end),
            )
            return cancelled_at
        confirmed = status is not AppointmentStatus.BOOKED and rng.random() < 0.7
        call_at = max(at, plan.start - timedelta(days=rng.choice((1, 2, 2, 3))))
        if confirmed and call_at < now:
            plan.call = CallOutcome.CONFIRMED
            self._event(plan, "call", call_at, "Reminder call: confirmed")
            changed = self._event(
                plan, "status", call_at, "Booked → Confirmed", "Confirmed on the reminder call"
            )
        elif status is AppointmentStatus.CONFIRMED:
            texted = max(at, call_at - timedelta(days=1))
            changed = self._event(
                plan, "status", texted, "Booked → Confirmed", "Confirmed by text message"
            )
        elif status is AppointmentStatus.BOOKED and call_at < now and rng.random() < 0.4:
            plan.call = rng.choice((CallOutcome.LEFT_MESSAGE, CallOutcome.NO_ANSWER))
            self._event(plan, "call", call_at, f"Reminder call: {plan.call.label.lower()}")
        before = "Confirmed" if confirmed or status is AppointmentStatus.CONFIRMED else "Booked"
        if status is AppointmentStatus.NO_SHOW:
            return self._event(
                plan,
                "status",
                plan.start + timedelta(minutes=20),
                f"{before} → No-show",
                freed=(plan.start, plan.end),
            )
        if status in (AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED):
            arrived = min(plan.start - timedelta(minutes=rng.randrange(0, 20)), now)
            changed = self._event(plan, "status", arrived, f"{before} → Checked in")
        if status is AppointmentStatus.COMPLETED:
            changed = self._event(
                plan,
                "status",
                plan.end + timedelta(minutes=rng.randrange(0, 10)),
                "Checked in → Completed",
            )
        return changed


def _pick_details(planner: _Planner) -> None:
    """Cancellation who and why, and a few moves, decided once the plan is complete."""
    rng = planner.rng
    for plan in planner.planned:
        if plan.status is AppointmentStatus.CANCELLED:
            plan.cancelled_by = CancelledBy.PATIENT if rng.random() < 0.7 else CancelledBy.PRACTICE
            plan.cancel_reason = rng.choice(_CANCEL_REASONS[plan.cancelled_by])
        elif rng.random() < 0.03 and plan.booked_at < plan.start - timedelta(days=8):
            plan.moved_from = plan.start + timedelta(days=7)


def _waitlist(
    connection: Connection,
    planner: _Planner,
    first_patient_id: int,
    patients: int,
    stamp: dict[str, Any],
) -> list[dict[str, Any]]:
    """Seán O'Connor (scenario 5) first, then a handful of others."""
    rng = planner.rng
    now = planner.now
    later = [
        plan
        for plan in planner.planned
        if plan.status is AppointmentStatus.BOOKED
        and plan.start - now > timedelta(days=21)
        and plan.request_id is None
        and plan.moved_from is None
    ]
    later.sort(key=lambda plan: plan.start)
    entries: list[dict[str, Any]] = []

    def entry(
        plan: _Planned | None,
        patient_id: int,
        type_name: str,
        urgency: WaitlistUrgency,
        days_waiting: int,
        **values: Any,
    ) -> None:
        row = {
            "patient_id": patient_id,
            "type_id": planner.types[type_name].id,
            "provider_id": None,
            "location_id": None,
            "urgency": urgency.value,
            "urgency_rank": urgency.rank,
            "weekdays": "[]",
            "earliest_minute": None,
            "latest_minute": None,
            "short_notice": True,
            "added_at": now - timedelta(days=days_waiting, minutes=rng.randrange(0, 480)),
            "note": "",
            "appointment_id": plan,  # replaced by the row id when written
            "request_id": None,
            "is_waiting": True,
            "resolved_at": None,
            "resolution": "",
            **stamp,
        }
        row.update(values)
        entries.append(row)

    if patients > SEAN_OFFSET and planner.first_patient > first_patient_id:
        sean = first_patient_id + SEAN_OFFSET
        request_id = connection.scalar(
            select(ConsultationRequest.id)
            .where(
                ConsultationRequest.patient_id == sean,
                ConsultationRequest.state == RequestState.READY_TO_SCHEDULE.value,
            )
            .order_by(ConsultationRequest.id)
            .limit(1)
        )
        held = next(
            (plan for plan in later if plan.type_name == NEW and plan.start - now > timedelta(42)),
            None,
        )
        if held is not None:
            held.patient_id = sean
            held.reason = "Leg pain when walking, stenosis on MRI"
        entry(
            held,
            sean,
            NEW,
            WaitlistUrgency.URGENT,
            21,
            request_id=request_id,
            note="Stenosis, can hardly walk a block; any earlier time, any surgeon",
        )
    choices = [plan for plan in later if plan.patient_id >= planner.first_patient]
    shapes: tuple[tuple[WaitlistUrgency, int, dict[str, Any]], ...] = (
        (WaitlistUrgency.SOON, 12, {"weekdays": "[0, 3]"}),
        (WaitlistUrgency.ROUTINE, 30, {"earliest_minute": 780}),
        (WaitlistUrgency.URGENT, 4, {"short_notice": False}),
        (WaitlistUrgency.ROUTINE, 9, {"weekdays": "[1, 2, 4]", "latest_minute": 720}),
        (WaitlistUrgency.SOON, 18, {}),
        (WaitlistUrgency.ROUTINE, 45, {"note": "Works nights: mornings only"}),
    )
    for index, (urgency, days, values) in enumerate(shapes):
        if not choices:
            break
        plan = choices.pop(rng.randrange(len(choices)))
        if index % 3 == 2:
            values = {**values, "provider_id": plan.provider_id}
        entry(plan, plan.patient_id, plan.type_name, urgency, days, **values)
    if patients > SCENARIO_PATIENTS:
        # One already served, so the list has a history.
        patient = planner.first_patient + rng.randrange(planner.patient_count)
        entry(
            None,
            patient,
            FOLLOW_UP,
            WaitlistUrgency.SOON,
            20,
            is_waiting=False,
            resolved_at=now - timedelta(days=6),
            resolution="Booked from the waitlist into a cancellation",
        )
    return entries


def generate_schedule(
    uow: UnitOfWork,
    *,
    first_patient_id: int,
    patients: int,
    seed: int,
    today: date,
    days_back: int = DAYS_BACK,
    days_ahead: int = DAYS_AHEAD,
) -> ScheduleDemoSummary:
    """Scheduling for the demo practice inside the caller's unit of work: default types,
    availability and time away for providers that have none, and, when none of them has
    appointments yet, appointments from ``days_back`` before ``today`` to ``days_ahead``
    after (a year by default) for the charts ``first_patient_id`` .. +``patients`` and a
    waitlist. The same seed and day give the same schedule."""
    session = uow.session
    ensure_default_types(uow)
    connection = session.connection()
    username = uow.actor.username
    zone = zone_of(session)
    rng = random.Random(f"schedule-{seed}")
    real_now = utcnow()
    # A load for another day (tests, screenshots) pretends it is noon there.
    now = real_now
    if today != real_now.astimezone(zone).date():
        now = local_moment(today, time(12), zone)
    stamp = {
        "version": 1,
        "created_at": real_now,
        "created_by": username,
        "updated_at": real_now,
        "updated_by": username,
    }
    provider_rows = session.scalars(
        select(Provider).where(Provider.active.is_(True)).order_by(Provider.id).limit(len(_WEEKS))
    ).all()
    provider_ids = [row.id for row in provider_rows]
    location_ids = sorted(location_names(session))
    types = {
        row.name: row
        for row in session.scalars(select(AppointmentType).where(AppointmentType.active.is_(True)))
    }
    if not provider_ids or not location_ids or not set(_TYPE_WEIGHTS) <= set(types):
        return ScheduleDemoSummary(0, 0, 0, 0, 0)
    with_blocks = set(connection.scalars(select(BLOCKS.c.provider_id).distinct()))
    new_blocks = _add_availability(
        connection, [p for p in provider_ids if p not in with_blocks], location_ids, types, stamp
    )
    with_away = set(connection.scalars(select(EXCEPTIONS.c.provider_id).distinct()))
    new_away = _add_exceptions(
        connection, [p for p in provider_ids if p not in with_away], today, stamp
    )
    booked = connection.scalar(
        select(APPOINTMENTS.c.id).where(APPOINTMENTS.c.provider_id.in_(provider_ids)).limit(1)
    )
    if booked is not None or patients <= 0:
        return ScheduleDemoSummary(new_blocks, new_away, 0, 0, 0)
    first_day = today - timedelta(days=days_back)
    last_day = today + timedelta(days=days_ahead)
    session.flush()
    blocks = availability_rows(session, provider_ids)
    away = exception_rows(session, provider_ids, since=first_day, until=last_day)
    providers = {row.id: provider_label(row) for row in provider_rows}
    planner = _Planner(rng, zone, now, today, first_patient_id, patients, types, providers)
    day = first_day
    while day <= last_day:
        for provider_id in provider_ids:
            planner.plan_day(day, provider_id, blocks, away)
        day += timedelta(days=1)
    _pick_details(planner)
    _link_requests(connection, planner, first_patient_id, patients)
    waitlist = _waitlist(connection, planner, first_patient_id, patients, stamp)
    appointments, events = _write(connection, planner, username)
    waitlist_id = _next_id(connection, WAITLIST.c.id)
    for row in waitlist:
        plan = row["appointment_id"]
        row["appointment_id"] = appointments.get(id(plan)) if plan is not None else None
        row["id"] = waitlist_id
        waitlist_id += 1
    if waitlist:
        connection.execute(WAITLIST.insert(), waitlist)
    if connection.dialect.name == "postgresql":
        for table in (
            "appointment_types",
            "availability_blocks",
            "availability_exceptions",
            "appointments",
            "appointment_events",
            "waitlist_entries",
        ):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    uow.mark_changed(
        "appointment_types",
        "availability_blocks",
        "availability_exceptions",
        "appointments",
        "appointment_events",
        "waitlist_entries",
    )
    return ScheduleDemoSummary(new_blocks, new_away, len(appointments), events, len(waitlist))


class _BulkRows:
    """Rows through the driver's fast path (executemany on SQLite, COPY on PostgreSQL) in the
    unit of work's transaction: SQLAlchemy's per-value processing would triple the load time."""

    def __init__(self, connection: Connection) -> None:
        self.raw = connection.connection.driver_connection
        self.is_sqlite = connection.dialect.name == "sqlite"
        # The dialect's own processor, so the text is exactly what the ORM writes (the
        # driver's default adapter would drop ".000000" and break text comparisons).
        kind = APPOINTMENTS.c.starts_at.type.dialect_impl(connection.dialect)
        self.processor: Callable[[Any], Any] = kind.bind_processor(connection.dialect) or (
            lambda value: value
        )
        # The same moments recur (an event's time is also its created and updated time).
        self.cache: dict[datetime, Any] = {}

    def moment(self, value: datetime) -> Any:
        try:
            return self.cache[value]
        except KeyError:
            result = self.cache[value] = self.processor(value)
            return result

    def write(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        names = ", ".join(f'"{name}"' for name in columns)
        if not self.is_sqlite:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row([row[name] for name in columns])
            return
        # SQLite keeps times as text in SQLAlchemy's exact format, which the overlap
        # trigger compares: only those columns need converting.
        moments = {name for name in columns if isinstance(table.c[name].type, UTCDateTime)}
        moment = self.moment
        values = [
            tuple(
                moment(row[name]) if name in moments and row[name] is not None else row[name]
                for name in columns
            )
            for row in rows
        ]
        marks = ", ".join("?" for _ in columns)
        cursor = self.raw.cursor()
        cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)
        cursor.close()


def _write(connection: Connection, planner: _Planner, username: str) -> tuple[dict[int, int], int]:
    """Appointments (latest first: the SQLite overlap trigger then scans only a few index
    entries per row) and their events; returns each plan's row id and the event count."""
    history = _History(planner)
    appointment_id = _next_id(connection, APPOINTMENTS.c.id)
    event_id = _next_id(connection, EVENTS.c.id)
    ids: dict[int, int] = {}
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    event_count = 0
    type_ids = {name: row.id for name, row in planner.types.items()}

    bulk = _BulkRows(connection)

    def flush() -> None:
        # Events point at appointments: written once their rows are in.
        nonlocal event_count
        bulk.write(APPOINTMENTS, rows)
        bulk.write(EVENTS, events)
        event_count += len(events)
        rows.clear()
        events.clear()

    for plan in sorted(planner.planned, key=lambda plan: plan.start, reverse=True):
        changed = history.events(plan)
        ids[id(plan)] = appointment_id
        last = max(event["at"] for event in plan.events)
        rows.append(
            {
                "id": appointment_id,
                "patient_id": plan.patient_id,
                "provider_id": plan.provider_id,
                "location_id": plan.location_id,
                "type_id": type_ids[plan.type_name],
                "starts_at": plan.start,
                "ends_at": plan.end,
                "reason": plan.reason,
                "request_id": plan.request_id,
                "notes": "",
                "status": plan.status.value,
                "status_changed_at": changed,
                "cancelled_by": plan.cancelled_by.value if plan.cancelled_by else None,
                "cancel_reason": plan.cancel_reason,
                "cancelled_at": changed if plan.status is AppointmentStatus.CANCELLED else None,
                "overbooked": plan.overbooked,
                "last_call_outcome": plan.call.value if plan.call else None,
                "version": 1,
                "created_at": plan.booked_at,
                "created_by": username,
                "updated_at": last,
                "updated_by": username,
            }
        )
        for event in plan.events:
            events.append(
                {
                    "id": event_id,
                    "appointment_id": appointment_id,
                    "patient_id": plan.patient_id,
                    "by": username,
                    **event,
                    "version": 1,
                    "created_at": event["at"],
                    "created_by": username,
                    "updated_at": event["at"],
                    "updated_by": username,
                }
            )
            event_id += 1
        appointment_id += 1
        if len(rows) >= BATCH:
            flush()
    flush()
    return ids, event_count
