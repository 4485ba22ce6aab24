"""The requests area's forms and plain data: what intake takes and what reads return."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from frontdesk.domain.history_vocab import BodyRegion
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import (
    UNANSWERED_BEFORE_SUGGESTING_CLOSE,
    Channel,
    ChecklistKind,
    ClosedReason,
    ContactKind,
    RedFlag,
    RequestState,
    Urgency,
)

TABLES = frozenset(
    {
        "consultation_requests",
        "request_transitions",
        "request_checklist_items",
        "request_contact_attempts",
    }
)


@dataclass(frozen=True)
class ReportedSurgery:
    """One operation as the caller described it: what (a Procedure code, "" when not known),
    which levels ("L4-L5"), which year. It becomes an unconfirmed draft in the chart."""

    procedure: str = ""
    levels: str = ""
    year: int | str | None = None

    @property
    def blank(self) -> bool:
        return not (self.procedure or self.levels.strip() or str(self.year or "").strip())


@dataclass(frozen=True)
class IntakeForm:
    """What the receptionist typed during the call. ``patient_id`` links an existing chart;
    without it a chart is created from the name, date of birth and phone."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | str | None = None
    patient_id: int | None = None
    phone: str = ""
    email: str = ""
    channel: str = Channel.PHONE.value
    caller_name: str = ""
    caller_relationship: str = ""
    referrer_id: int | None = None
    reason: str = ""
    category: str = ""
    body_regions: tuple[str, ...] = ()
    prior_surgery: bool | None = None
    prior_surgery_count: int | str | None = None
    prior_surgery_last_year: int | str | None = None
    # What the caller could say about each operation (up to the count; the rest stay unknown).
    surgeries: tuple[ReportedSurgery, ...] = ()
    imaging_modality: str = ""
    imaging_when: str = ""
    imaging_where: str = ""
    insurance_note: str = ""
    preferred_days: str = ""
    preferred_times: str = ""
    language: str = ""
    interpreter_needed: bool = False
    notes: str = ""
    red_flags: tuple[str, ...] = ()
    # True once every red-flag question was put to the caller: the boxes not ticked are "no".
    red_flags_asked: bool = False
    urgent: bool = False
    assignee_id: int | None = None
    follow_up_on: date | None = None


@dataclass(frozen=True)
class TransitionData:
    from_state: RequestState | None
    to_state: RequestState
    at: datetime
    by: str
    note: str
    closed_reason: ClosedReason | None

    @property
    def description(self) -> str:
        if self.from_state is None:
            return f"Recorded as {self.to_state.label.lower()}"
        text = f"{self.from_state.label} → {self.to_state.label}"
        if self.closed_reason is not None:
            text += f" ({self.closed_reason.label.lower()})"
        return text


@dataclass(frozen=True)
class ChecklistItemData:
    id: int
    kind: ChecklistKind
    description: str
    source: str
    requested_on: date | None
    requested_by: str
    received_on: date | None
    received_by: str
    document_id: int | None
    version: int
    # The history entry this record is the report or images of (its received flag is theirs).
    surgery_id: int | None = None
    imaging_id: int | None = None

    @property
    def received(self) -> bool:
        return self.received_on is not None

    @property
    def label(self) -> str:
        return f"{self.kind.label}: {self.description}" if self.description else self.kind.label

    @property
    def status(self) -> str:
        if self.received_on is not None:
            return f"Received {self.received_on:%m/%d/%Y} by {self.received_by}"
        if self.requested_on is not None:
            return f"Requested {self.requested_on:%m/%d/%Y} by {self.requested_by}; missing"
        return "Not requested yet; missing"


@dataclass(frozen=True)
class ContactAttemptData:
    id: int
    kind: ContactKind
    at: datetime
    by: str
    note: str


@dataclass(frozen=True)
class RequestData:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    date_of_birth: date
    received_at: datetime
    channel: Channel
    caller_name: str
    caller_relationship: str
    contact_phone: str
    contact_email: str
    referrer_id: int | None
    referrer_name: str
    reason: str
    category: RequestCategory
    body_regions: tuple[BodyRegion, ...]
    prior_surgery: bool | None
    prior_surgery_count: int | None
    prior_surgery_last_year: int | None
    imaging_modality: str
    imaging_when: str
    imaging_where: str
    insurance_note: str
    preferred_days: str
    preferred_times: str
    language: str
    interpreter_needed: bool
    notes: str
    urgency: Urgency
    red_flags: tuple[RedFlag, ...]
    red_flag_instruction: str
    instruction_given_at: datetime | None
    instruction_given_by: str
    assignee_id: int | None
    assignee_name: str
    follow_up_on: date | None
    state: RequestState
    closed_reason: ClosedReason | None
    version: int
    updated_at: datetime
    updated_by: str
    # The red-flag screen: asked (None: not recorded whether, on requests from before this was
    # kept), by whom and when, and the questions answered no (the yes ones are ``red_flags``).
    red_flags_asked: bool | None = None
    red_flags_asked_by: str = ""
    red_flags_asked_at: datetime | None = None
    red_flags_denied: tuple[RedFlag, ...] = ()

    def red_flag_answer(self, flag: RedFlag) -> bool | None:
        """True: yes; False: no; None: not asked (or not recorded)."""
        if flag in self.red_flags:
            return True
        return False if flag in self.red_flags_denied else None

    @property
    def red_flag_summary(self) -> str:
        """The red-flag screen in words: "asked, all no", "not asked", or each answer."""
        if self.red_flags_asked is None:
            return "not recorded whether asked"
        if not self.red_flags_asked:
            return "not asked"
        answers = [(flag, self.red_flag_answer(flag)) for flag in RedFlag]
        if all(answer is False for _flag, answer in answers):
            return f"asked, all {len(answers)} no"
        words = {True: "YES", False: "no", None: "not asked"}
        return "asked: " + "; ".join(
            f"{flag.label.lower()}: {words[answer]}" for flag, answer in answers
        )

    def to_json(self) -> dict[str, Any]:
        return {
            **_request_json(self),
            "channel": self.channel.value,
            "closed_reason": self.closed_reason.value if self.closed_reason else None,
            "red_flags": [flag.value for flag in self.red_flags],
            "red_flags_asked": self.red_flags_asked,
            "red_flags_asked_by": self.red_flags_asked_by,
            "red_flags_denied": [flag.value for flag in self.red_flags_denied],
            "follow_up_on": self.follow_up_on.isoformat() if self.follow_up_on else None,
        }


@dataclass(frozen=True)
class RequestDetail:
    """A request with everything the details pane shows."""

    request: RequestData
    transitions: tuple[TransitionData, ...]
    checklist: tuple[ChecklistItemData, ...]
    contacts: tuple[ContactAttemptData, ...]
    allowed: tuple[RequestState, ...]
    unanswered: int
    # The practice's zone, read with the request: its times are shown on the practice's clock.
    zone: tzinfo
    referrer_fax: str = ""
    referrer_address: str = ""

    @property
    def missing(self) -> tuple[ChecklistItemData, ...]:
        return tuple(item for item in self.checklist if not item.received)

    @property
    def suggest_unreachable(self) -> bool:
        return self.request.state.is_open and self.unanswered >= UNANSWERED_BEFORE_SUGGESTING_CLOSE


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters; None means "any". ``open_only`` hides seen and closed requests."""

    state: RequestState | None = None
    open_only: bool = False
    urgency: Urgency | None = None
    category: RequestCategory | None = None
    assignee_id: int | None = None
    referrer_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None


@dataclass(frozen=True)
class QueueRow:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    received_at: datetime
    age_days: int
    urgency: Urgency
    category: RequestCategory
    referrer_name: str
    state: RequestState
    next_action: str
    assignee_name: str
    overdue: bool
    missing_records: int
    unanswered: int

    def to_json(self) -> dict[str, Any]:
        return {
            **_request_json(self),
            "age_days": self.age_days,
            "next_action": self.next_action,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class StaffMember:
    id: int
    name: str


@dataclass(frozen=True)
class RequestAttachResult:
    document_id: int
    already_attached: bool
    ticked: str  # the checklist item marked received, or ""

    @property
    def message(self) -> str:
        if self.already_attached:
            return "This file was already attached to the request; nothing new was stored."
        return f"Attached. Marked {self.ticked} received." if self.ticked else "Attached."


@dataclass(frozen=True)
class QueueSnapshot:
    """The first page and the counts together (the queue opening or a filter change)."""

    page: QueuePage
    counts: dict[RequestState, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LetterResult:
    pdf: bytes
    addressee: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class ReferralReportRow:
    """Requests of one month from one referring physician in one category."""

    month: str  # "2026-11"
    referrer: str  # "" when nobody referred (self-referred, web form)
    category: RequestCategory
    requests: int
    booked: int  # scheduled or seen
    closed: int
    open: int


def _request_json(request: RequestData | QueueRow) -> dict[str, Any]:
    """What every request printed as JSON says (the detail and the queue add their own)."""
    return {
        "id": request.id,
        "patient_id": request.patient_id,
        "mrn": request.mrn,
        "patient": request.patient_name,
        "received_at": request.received_at.isoformat(),
        "category": request.category.value,
        "urgency": request.urgency.value,
        "state": request.state.value,
        "referrer": request.referrer_name,
        "assignee": request.assignee_name,
    }


@dataclass(frozen=True)
class OpenRequests:
    """A chart's open consultation requests at a glance (the quick search's line)."""

    count: int
    # An open request with a red flag ticked at intake: the desk must know before speaking.
    red_flag: bool
    # The newest open request's state, for the one-line summary.
    newest_state: RequestState
    # Every open request's state, newest first (one entry per request).
    states: tuple[RequestState, ...] = ()

    def states_text(self) -> str:
        """Each state once, newest first, counted when several share it: "2 New, Scheduled"."""
        counts = Counter(self.states or (self.newest_state,))
        return ", ".join(
            f"{count} {state.label}" if count > 1 else state.label
            for state, count in counts.items()
        )


@dataclass(frozen=True)
class RequestToBook:
    """An open request of the chart being booked, as the booking form offers to link it."""

    id: int
    category: RequestCategory
    state: RequestState
    received_at: datetime
    age_days: int  # since it was received, in the practice's days
    reason: str
    # The records the practice rule wants in before Ready to schedule and still missing: a
    # booking for a request not yet ready makes it ready, and without them asks why.
    missing_before_ready: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return self.state is RequestState.READY_TO_SCHEDULE
