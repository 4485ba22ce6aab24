"""Consultation request states, their allowed transitions, and the intake vocabularies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum


class RequestState(StrEnum):
    """Stored by value; shown by ``label``. Listed in the order a request moves through them."""

    NEW = "new"
    AWAITING_RECORDS = "awaiting_records"
    READY_TO_SCHEDULE = "ready_to_schedule"
    SCHEDULED = "scheduled"
    SEEN = "seen"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in FINAL_STATES


_STATE_LABELS = {
    RequestState.NEW: "New",
    RequestState.AWAITING_RECORDS: "Awaiting records",
    RequestState.READY_TO_SCHEDULE: "Ready to schedule",
    RequestState.SCHEDULED: "Scheduled",
    RequestState.SEEN: "Seen",
    RequestState.CLOSED: "Closed",
}

FINAL_STATES = frozenset({RequestState.SEEN, RequestState.CLOSED})

# The workflow as data. Closing is allowed from every open state (below); a cancelled
# appointment sends a Scheduled request back to Ready to schedule; records that turn out to
# be missing send a ready request back to Awaiting records.
ALLOWED_TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    RequestState.NEW: frozenset({RequestState.AWAITING_RECORDS, RequestState.READY_TO_SCHEDULE}),
    RequestState.AWAITING_RECORDS: frozenset({RequestState.READY_TO_SCHEDULE}),
    RequestState.READY_TO_SCHEDULE: frozenset(
        {RequestState.SCHEDULED, RequestState.AWAITING_RECORDS}
    ),
    RequestState.SCHEDULED: frozenset({RequestState.SEEN, RequestState.READY_TO_SCHEDULE}),
    RequestState.SEEN: frozenset(),
    RequestState.CLOSED: frozenset(),
}
for _state in RequestState:
    if _state.is_open:
        ALLOWED_TRANSITIONS[_state] = ALLOWED_TRANSITIONS[_state] | {RequestState.CLOSED}


class ClosedReason(StrEnum):
    DECLINED = "declined"
    UNREACHABLE = "unreachable"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    INSURANCE_DENIED = "insurance_denied"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def allowed_next(state: RequestState) -> list[RequestState]:
    """The states a request in ``state`` may move to, in workflow order (for the buttons)."""
    return [target for target in RequestState if target in ALLOWED_TRANSITIONS[state]]


def transition_problem(
    current: RequestState, target: RequestState, closed_reason: ClosedReason | None = None
) -> str | None:
    """Why moving from ``current`` to ``target`` is refused, or None when it is allowed."""
    if current == target:
        return f"the request is already {current.label.lower()}"
    if not current.is_open:
        return (
            f"the request is {current.label.lower()}; a {current.label.lower()} request "
            "does not change state any more"
        )
    if target not in ALLOWED_TRANSITIONS[current]:
        options = ", ".join(state.label.lower() for state in allowed_next(current))
        return (
            f"a request that is {current.label.lower()} cannot become "
            f"{target.label.lower()} (it can become: {options})"
        )
    if target is RequestState.CLOSED and closed_reason is None:
        reasons = ", ".join(reason.label.lower() for reason in ClosedReason)
        return f"say why the request is closed ({reasons})"
    if target is not RequestState.CLOSED and closed_reason is not None:
        return "a reason is given only when closing a request"
    return None


class Urgency(StrEnum):
    URGENT = "urgent"
    ROUTINE = "routine"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Channel(StrEnum):
    PHONE = "phone"
    WEB_FORM = "web_form"
    REFERRAL_FAX = "referral_fax"
    EMAIL = "email"
    WALK_IN = "walk_in"

    @property
    def label(self) -> str:
        return {
            "phone": "Phone",
            "web_form": "Web form",
            "referral_fax": "Referral fax",
            "email": "Email",
            "walk_in": "Walk-in",
        }[self.value]


class RedFlag(StrEnum):
    """The red-flag screen on the intake form: any tick means "send to emergency now"."""

    BLADDER_BOWEL = "bladder_bowel"
    SADDLE_NUMBNESS = "saddle_numbness"
    PROGRESSIVE_WEAKNESS = "progressive_weakness"
    FEVER_AFTER_SURGERY = "fever_after_surgery"

    @property
    def label(self) -> str:
        return {
            "bladder_bowel": "New loss of bladder or bowel control",
            "saddle_numbness": "Numbness in the groin or inner thighs",
            "progressive_weakness": "Quickly worsening leg weakness",
            "fever_after_surgery": "Fever with back pain after a recent surgery",
        }[self.value]


class ChecklistKind(StrEnum):
    IMAGING_REPORT = "imaging_report"
    IMAGING_FILES = "imaging_files"
    OPERATIVE_REPORT = "operative_report"
    REFERRAL_LETTER = "referral_letter"
    INSURANCE_AUTHORIZATION = "insurance_authorization"

    @property
    def label(self) -> str:
        return {
            "imaging_report": "Imaging report",
            "imaging_files": "Imaging disc or files",
            "operative_report": "Operative report",
            "referral_letter": "Referral letter",
            "insurance_authorization": "Insurance authorization",
        }[self.value]


class ContactKind(StrEnum):
    CALLED = "called"
    LEFT_VOICEMAIL = "left_voicemail"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    EMAILED = "emailed"
    # The person called us (a call added to their open request at intake).
    CALL_RECEIVED = "call_received"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def answered(self) -> bool:
        """Only a call that reached someone counts as an answer."""
        return self in (ContactKind.CALLED, ContactKind.CALL_RECEIVED)


UNANSWERED_BEFORE_SUGGESTING_CLOSE = 3


def unanswered_streak(kinds_newest_first: Iterable[ContactKind]) -> int:
    """How many attempts in a row, counting back from the newest, reached nobody."""
    count = 0
    for kind in kinds_newest_first:
        if kind.answered:
            break
        count += 1
    return count


def business_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end`` (0 if end <= start)."""
    if end <= start:
        return 0
    days = (end - start).days
    whole_weeks, rest = divmod(days, 7)
    count = whole_weeks * 5
    day = start + timedelta(days=whole_weeks * 7)
    for _ in range(rest):
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    return count


def add_business_days(start: date, days: int) -> date:
    """The day ``days`` business days after ``start`` (the due date of a request)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return day


def next_action(
    state: RequestState, missing_records: int, unanswered: int, follow_up: date | None
) -> str:
    """What the desk should do next with a request, in a few words (the queue's column)."""
    if state is RequestState.CLOSED or state is RequestState.SEEN:
        return "—"
    if unanswered >= UNANSWERED_BEFORE_SUGGESTING_CLOSE:
        return f"{unanswered} unanswered attempts: close as unreachable?"
    if state is RequestState.NEW:
        return "Review and request records"
    if state is RequestState.AWAITING_RECORDS:
        if missing_records:
            return f"Chase {missing_records} missing record{'s' if missing_records > 1 else ''}"
        return "All records in: mark ready"
    if state is RequestState.READY_TO_SCHEDULE:
        return "Schedule the consultation"
    if follow_up is not None:
        return f"Follow up {follow_up:%m/%d}"
    return "Await the visit"
