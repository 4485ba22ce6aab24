"""Demo consultation requests in every state, with histories, checklists and contact attempts."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, text

from frontdesk.db.models import User
from frontdesk.db.models_history import ImagingStudy, PriorSurgery
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_requests import (
    ConsultationRequest,
    RequestChecklistItem,
    RequestContactAttempt,
    RequestTransition,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import (
    Channel,
    ChecklistKind,
    ClosedReason,
    ContactKind,
    RedFlag,
    RequestState,
)
from frontdesk.services.practice.settings import RED_FLAG_INSTRUCTION

REQUESTS = ConsultationRequest.__table__
TRANSITIONS = RequestTransition.__table__
ITEMS = RequestChecklistItem.__table__
CONTACTS = RequestContactAttempt.__table__
BATCH = 5_000
# A demo practice gets about one request for every 20 charts, between these bounds.
MIN_REQUESTS, MAX_REQUESTS = 40, 2_000

# The path a request took to reach each state (Closed requests stop somewhere on it).
_PATHS: dict[RequestState, tuple[RequestState, ...]] = {
    RequestState.NEW: (RequestState.NEW,),
    RequestState.AWAITING_RECORDS: (RequestState.NEW, RequestState.AWAITING_RECORDS),
    RequestState.READY_TO_SCHEDULE: (
        RequestState.NEW,
        RequestState.AWAITING_RECORDS,
        RequestState.READY_TO_SCHEDULE,
    ),
    RequestState.SCHEDULED: (
        RequestState.NEW,
        RequestState.AWAITING_RECORDS,
        RequestState.READY_TO_SCHEDULE,
        RequestState.SCHEDULED,
    ),
    RequestState.SEEN: (
        RequestState.NEW,
        RequestState.AWAITING_RECORDS,
        RequestState.READY_TO_SCHEDULE,
        RequestState.SCHEDULED,
        RequestState.SEEN,
    ),
}
_REASONS = {
    RequestCategory.FAILED_BACK: "Pain worse since the fusion; wants to know what can be done",
    RequestCategory.SPINAL_STENOSIS: "Cannot walk more than a block without leg pain",
    RequestCategory.HERNIATED_DISC: "Sciatica down the left leg for six weeks",
    RequestCategory.DEGENERATIVE_DISC_DISEASE: "Low back pain for years, worse this winter",
    RequestCategory.SPONDYLOLISTHESIS: "Slipped vertebra seen on X-ray, back and leg pain",
    RequestCategory.SCOLIOSIS_OR_DEFORMITY: "Curve getting worse, leaning forward more",
    RequestCategory.NECK_PAIN: "Neck pain with tingling in both hands",
    RequestCategory.FRACTURE: "Compression fracture after a fall last month",
    RequestCategory.SECOND_OPINION: "Was told she needs a fusion; wants a second opinion",
    RequestCategory.OTHER: "Back pain, not sure what kind of doctor to see",
}
_FACILITIES = ("Valley Imaging Center", "St. Mary's Hospital", "Prairie Open MRI")
_NOTES = {
    ContactKind.CALLED: "Spoke with the patient",
    ContactKind.LEFT_VOICEMAIL: "Left a message to call back",
    ContactKind.NO_ANSWER: "",
    ContactKind.WRONG_NUMBER: "Number belongs to someone else",
    ContactKind.EMAILED: "Sent the records release form",
}


@dataclass(frozen=True)
class RequestDemoSummary:
    requests: int
    transitions: int
    checklist_items: int
    contact_attempts: int


def _next_id(connection: Connection, column: Any) -> int:
    return int(connection.scalar(select(func.coalesce(func.max(column), 0)))) + 1


def _instruction(connection: Connection) -> str:
    stored = connection.scalar(
        text("SELECT value FROM settings WHERE key = :key"), {"key": RED_FLAG_INSTRUCTION.key}
    )
    return str(stored) if stored else RED_FLAG_INSTRUCTION.default


class _Builder:
    def __init__(self, connection: Connection, rng: random.Random, today: date, username: str):
        self.connection = connection
        self.rng = rng
        self.today = today
        self.username = username
        self.now = utcnow()
        self.request_id = _next_id(connection, REQUESTS.c.id)
        self.transition_id = _next_id(connection, TRANSITIONS.c.id)
        self.item_id = _next_id(connection, ITEMS.c.id)
        self.contact_id = _next_id(connection, CONTACTS.c.id)
        self.instruction = _instruction(connection)
        # Who requests are assigned to (the practice's staff, when it has any accounts) and a
        # die of its own, so a practice without accounts gets the same requests as before.
        self.staff: list[int] = []
        self.assigning = random.Random("assign")
        self.requests: list[dict[str, Any]] = []
        self.transitions: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.contacts: list[dict[str, Any]] = []
        self.counts = [0, 0, 0, 0]

    def _stamp(self, at: datetime) -> dict[str, Any]:
        return {
            "version": 1,
            "created_at": at,
            "created_by": self.username,
            "updated_at": at,
            "updated_by": self.username,
        }

    def _at(self, start: datetime, days: float) -> datetime:
        moment = start + timedelta(days=days)
        return min(moment, self.now)

    def add(
        self,
        patient_id: int,
        *,
        final: RequestState,
        closed_from: RequestState | None = None,
        days_ago: float,
        category: RequestCategory,
        referrer_id: int | None,
        red_flags: Sequence[RedFlag] = (),
        urgent: bool = False,
        surgeries: int = 0,
        last_year: int | None = None,
        imaging_where: str = "",
        caller: tuple[str, str] = ("", "self"),
        phone: str = "+12175550100",
        language: str = "",
        interpreter: bool = False,
        contacts: Sequence[ContactKind] = (),
        received_items: int | None = None,
        assignee_id: int | None = None,
        follow_up: date | None = None,
        from_history: bool = False,
    ) -> int:
        """``from_history``: the checklist waits for the chart's own surgeries and imaging
        (linked, as the intake does), so what is filed to the request shows in the history."""
        rng = self.rng
        request_id = self.request_id
        self.request_id += 1
        if assignee_id is None and self.staff:
            share = 0.75 if final.is_open else 0.5
            if self.assigning.random() < share:
                assignee_id = self.assigning.choice(self.staff)
        received_at = self.now - timedelta(days=days_ago, minutes=rng.randrange(0, 600))
        path = _PATHS[closed_from or final]
        if final is RequestState.CLOSED:
            path = (*path, RequestState.CLOSED)
        # Spread the moves over the request's life.
        span = max(days_ago, 0.1)
        moments = sorted(rng.uniform(0, span) for _ in path[1:])
        at = received_at
        previous: RequestState | None = None
        reason: ClosedReason | None = None
        for index, state in enumerate(path):
            at = received_at if index == 0 else self._at(received_at, moments[index - 1])
            if state is RequestState.CLOSED:
                reason = (
                    ClosedReason.UNREACHABLE
                    if len(contacts) >= 3
                    else rng.choice(list(ClosedReason))
                )
            self.transitions.append(
                {
                    "id": self.transition_id,
                    "request_id": request_id,
                    "patient_id": patient_id,
                    "from_state": previous.value if previous else None,
                    "to_state": state.value,
                    "at": at,
                    "by": self.username,
                    "note": "Records requested by fax"
                    if state is RequestState.AWAITING_RECORDS
                    else "",
                    "closed_reason": reason.value if state is RequestState.CLOSED else None,
                    **self._stamp(at),
                }
            )
            self.transition_id += 1
            previous = state
        urgent = urgent or bool(red_flags)
        regions = ["cervical"] if category is RequestCategory.NECK_PAIN else ["lumbar"]
        channel = rng.choice(list(Channel)).value if not red_flags else "phone"
        # On a call every red-flag question is asked; a fax or web form asks none.
        asked = channel in (Channel.PHONE.value, Channel.WALK_IN.value)
        denied = sorted(flag.value for flag in RedFlag if flag not in red_flags) if asked else []
        self.requests.append(
            {
                "id": request_id,
                "patient_id": patient_id,
                "received_at": received_at,
                "channel": channel,
                "caller_name": caller[0],
                "caller_relationship": caller[1],
                "contact_phone": phone,
                "contact_email": "",
                "referrer_id": referrer_id,
                "reason": _REASONS[category],
                "category": category.value,
                "body_regions": json.dumps(regions),
                "prior_surgery": surgeries > 0,
                "prior_surgery_count": surgeries or None,
                "prior_surgery_last_year": last_year if surgeries else None,
                "imaging_modality": "mri" if imaging_where else "",
                "imaging_when": "",
                "imaging_where": imaging_where,
                "insurance_note": rng.choice(("Medicare", "Blue Cross PPO", "Aetna HMO", "")),
                "preferred_days": rng.choice(("Mon, Wed", "Tue-Thu", "Any weekday", "")),
                "preferred_times": rng.choice(("Mornings", "After 2 pm", "")),
                "language": language,
                "interpreter_needed": interpreter,
                "notes": "",
                "urgency": "urgent" if urgent else "routine",
                "urgency_rank": 0 if urgent else 1,
                "red_flags": json.dumps(sorted(flag.value for flag in red_flags)),
                "red_flag_instruction": self.instruction if red_flags else "",
                "instruction_given_at": received_at if red_flags else None,
                "instruction_given_by": self.username if red_flags else "",
                "red_flags_asked": asked,
                "red_flags_asked_by": self.username if asked else "",
                "red_flags_asked_at": received_at if asked else None,
                "red_flags_denied": json.dumps(denied),
                "assignee_id": assignee_id,
                "follow_up_on": follow_up,
                "state": final.value,
                "is_open": final.is_open,
                "state_changed_at": at,
                "closed_reason": reason.value if final is RequestState.CLOSED else None,
                **self._stamp(received_at),
            }
        )
        wanted: list[tuple[ChecklistKind, str, str]] = []
        for index in range(surgeries):
            label = f"last surgery ({last_year})" if index == surgeries - 1 and last_year else ""
            wanted.append((ChecklistKind.OPERATIVE_REPORT, label or f"surgery {index + 1}", ""))
        if imaging_where:
            wanted.append((ChecklistKind.IMAGING_REPORT, "MRI lumbar", imaging_where))
            wanted.append((ChecklistKind.IMAGING_FILES, "MRI lumbar", imaging_where))
        if referrer_id is not None:
            wanted.append((ChecklistKind.REFERRAL_LETTER, "", ""))
        done_states = {RequestState.READY_TO_SCHEDULE, RequestState.SCHEDULED, RequestState.SEEN}
        if received_items is None:
            received_items = (
                len(wanted)
                if (closed_from or final) in done_states
                else (rng.randrange(0, len(wanted) + 1) if wanted else 0)
            )
        entries = self._history_entries(patient_id, wanted) if from_history else {}
        requested = (closed_from or final) is not RequestState.NEW
        for index, (kind, description, source) in enumerate(wanted):
            asked = received_at.date() + timedelta(days=1) if requested else None
            got = index < received_items
            self.items.append(
                {
                    "id": self.item_id,
                    "request_id": request_id,
                    "patient_id": patient_id,
                    "kind": kind.value,
                    "description": description,
                    "source": source,
                    "requested_on": asked,
                    "requested_by": self.username if asked else "",
                    "received_on": min(asked + timedelta(days=3), self.today)
                    if (got and asked)
                    else None,
                    "received_by": self.username if (got and asked) else "",
                    "document_id": None,
                    "surgery_id": None,
                    "imaging_id": None,
                    **entries.get(index, {}),
                    **self._stamp(received_at),
                }
            )
            self.item_id += 1
        for index, kind in enumerate(contacts):
            at = self._at(received_at, 0.2 + index * 0.8)
            self.contacts.append(
                {
                    "id": self.contact_id,
                    "request_id": request_id,
                    "patient_id": patient_id,
                    "kind": kind.value,
                    "at": at,
                    "by": self.username,
                    "note": _NOTES[kind],
                    **self._stamp(at),
                }
            )
            self.contact_id += 1
        return request_id

    def _history_entries(
        self, patient_id: int, wanted: list[tuple[ChecklistKind, str, str]]
    ) -> dict[int, dict[str, Any]]:
        """For each wanted record (by position), the chart's entry it is the record of: the
        surgeries oldest first, the latest study. A linked item's received flag is its
        entry's, so it keeps no date of its own (nothing was received yet)."""
        surgeries = list(
            self.connection.scalars(
                select(PriorSurgery.id)
                .where(PriorSurgery.patient_id == patient_id)
                .order_by(PriorSurgery.date_earliest, PriorSurgery.id)
            )
        )
        study = self.connection.execute(
            select(ImagingStudy.id, ImagingStudy.facility)
            .where(ImagingStudy.patient_id == patient_id)
            .order_by(ImagingStudy.date_earliest.desc(), ImagingStudy.id.desc())
        ).first()
        links: dict[int, dict[str, Any]] = {}
        operative = iter(surgeries)
        for index, (kind, _description, _source) in enumerate(wanted):
            if kind is ChecklistKind.OPERATIVE_REPORT:
                surgery_id = next(operative, None)
                if surgery_id is not None:
                    links[index] = {"surgery_id": surgery_id}
            elif kind in (ChecklistKind.IMAGING_REPORT, ChecklistKind.IMAGING_FILES) and study:
                links[index] = {"imaging_id": study.id, "source": study.facility}
        return links

    def flush(self, connection: Connection) -> None:
        for table, rows, slot in (
            (REQUESTS, self.requests, 0),
            (TRANSITIONS, self.transitions, 1),
            (ITEMS, self.items, 2),
            (CONTACTS, self.contacts, 3),
        ):
            if rows:
                connection.execute(table.insert(), rows)
                self.counts[slot] += len(rows)
            rows.clear()


def _staff(connection: Connection) -> list[int]:
    """The active accounts requests can be assigned to (none before the first sign-in)."""
    return list(connection.scalars(select(User.id).where(User.active.is_(True)).order_by(User.id)))


def _patients(connection: Connection, first_patient_id: int, count: int) -> list[int]:
    return list(
        connection.scalars(
            select(Patient.id)
            .where(Patient.id >= first_patient_id, Patient.id < first_patient_id + count)
            .order_by(Patient.id)
        )
    )


def generate_requests(
    connection: Connection,
    *,
    first_patient_id: int,
    patients: int,
    seed: int,
    today: date,
    username: str,
    referrer_ids: Sequence[int] = (),
    count: int | None = None,
) -> RequestDemoSummary:
    """Requests for the charts ``first_patient_id`` .. +``patients``, inside the caller's
    transaction: the scenario people's stories first, then ``count`` more (default: about
    one per 20 charts) in every state. The same seed gives the same requests."""
    ids = _patients(connection, first_patient_id, patients)
    if not ids:
        return RequestDemoSummary(0, 0, 0, 0)
    rng = random.Random(f"requests-{seed}")
    builder = _Builder(connection, rng, today, username)
    builder.staff = _staff(connection)
    builder.assigning = random.Random(f"assign-{seed}")
    referrer = referrer_ids[0] if referrer_ids else None
    # Scenario 1: María José, failed fusion, records requested, the MRI report still missing.
    builder.add(
        ids[0],
        final=RequestState.AWAITING_RECORDS,
        days_ago=2,
        category=RequestCategory.FAILED_BACK,
        referrer_id=referrer,
        surgeries=2,
        last_year=2021,
        imaging_where="Valley Imaging Center",
        language="Spanish",
        interpreter=True,
        received_items=0,
        from_history=True,
    )
    if len(ids) > 2:
        # Scenario 5: Seán O'Connor, urgent and ready, waiting three weeks.
        builder.add(
            ids[2],
            final=RequestState.READY_TO_SCHEDULE,
            days_ago=21,
            category=RequestCategory.SPINAL_STENOSIS,
            referrer_id=referrer,
            urgent=True,
            imaging_where="St. Mary's Hospital",
        )
    if len(ids) > 3:
        # Scenario 6: a wife calls; red flags ticked, instruction given.
        builder.add(
            ids[3],
            final=RequestState.NEW,
            days_ago=0.1,
            category=RequestCategory.FAILED_BACK,
            referrer_id=None,
            red_flags=(RedFlag.BLADDER_BOWEL, RedFlag.SADDLE_NUMBNESS),
            surgeries=1,
            last_year=today.year,
            caller=("Linda", "wife"),
        )
    total = count if count is not None else max(MIN_REQUESTS, min(MAX_REQUESTS, len(ids) // 20))
    states = list(RequestState)
    categories = list(RequestCategory)
    weights = (8, 12, 15, 10, 8, 4, 10, 3, 4, 2)
    for index in range(total):
        # Every state appears in the first few; after that, history dominates as it does.
        if index < len(states) * 2:
            final = states[index % len(states)]
        else:
            final = rng.choices(states, weights=(6, 6, 4, 5, 50, 29))[0]
        closed_from = None
        if final is RequestState.CLOSED:
            closed_from = rng.choice(
                (RequestState.NEW, RequestState.AWAITING_RECORDS, RequestState.READY_TO_SCHEDULE)
            )
        open_request = final.is_open
        days_ago = rng.uniform(0, 12) if open_request else rng.uniform(5, 3 * 365)
        unanswered = rng.random() < 0.15
        contacts: list[ContactKind] = []
        if unanswered or (final is RequestState.CLOSED and rng.random() < 0.3):
            contacts = [ContactKind.NO_ANSWER, ContactKind.LEFT_VOICEMAIL, ContactKind.NO_ANSWER]
        elif rng.random() < 0.5:
            contacts = [ContactKind.LEFT_VOICEMAIL, ContactKind.CALLED]
        surgeries = rng.choice((0, 0, 0, 1, 1, 2, 3))
        follow_up = None
        # Some chases have a follow-up date; a few of those have already passed.
        chasing = final in (RequestState.AWAITING_RECORDS, RequestState.READY_TO_SCHEDULE)
        if chasing and rng.random() < 0.4:
            follow_up = today + timedelta(days=rng.randrange(-3, 8))
        builder.add(
            ids[4 + index % max(1, len(ids) - 4)] if len(ids) > 4 else ids[index % len(ids)],
            final=final,
            closed_from=closed_from,
            days_ago=days_ago,
            category=rng.choices(categories, weights=weights)[0],
            referrer_id=rng.choice(referrer_ids) if referrer_ids and rng.random() < 0.7 else None,
            red_flags=(RedFlag.PROGRESSIVE_WEAKNESS,) if rng.random() < 0.02 else (),
            urgent=rng.random() < 0.1,
            surgeries=surgeries,
            last_year=today.year - rng.randrange(1, 12) if surgeries else None,
            imaging_where=rng.choice(_FACILITIES) if rng.random() < 0.6 else "",
            phone=f"+1217555{rng.randrange(100, 200):04d}",
            contacts=contacts,
            follow_up=follow_up,
        )
        if len(builder.requests) >= BATCH:
            builder.flush(connection)
    builder.flush(connection)
    if connection.dialect.name == "postgresql":
        for table in (
            "consultation_requests",
            "request_transitions",
            "request_checklist_items",
            "request_contact_attempts",
        ):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    return RequestDemoSummary(*builder.counts)
