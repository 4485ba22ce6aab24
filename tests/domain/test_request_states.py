"""The request workflow: allowed moves, the reasons for refusals, business days."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.request_states import (
    ALLOWED_TRANSITIONS,
    ClosedReason,
    ContactKind,
    RequestState,
    add_business_days,
    allowed_next,
    business_days_between,
    transition_problem,
    unanswered_streak,
)

OPEN = [state for state in RequestState if state.is_open]


def _apply(state: RequestState, target: RequestState) -> RequestState:
    reason = ClosedReason.DECLINED if target is RequestState.CLOSED else None
    return target if transition_problem(state, target, reason) is None else state


@given(st.lists(st.sampled_from(list(RequestState)), max_size=40))
def test_no_sequence_of_moves_leaves_the_graph(targets: list[RequestState]) -> None:
    state = RequestState.NEW
    visited = [state]
    for target in targets:
        new = _apply(state, target)
        if new is not state:
            # Every accepted move is an edge of the declared graph, and none returns to New.
            assert new in ALLOWED_TRANSITIONS[state]
            assert new is not RequestState.NEW
        state = new
        visited.append(state)
    # Nothing leaves a final state.
    for before, after in itertools.pairwise(visited):
        if not before.is_open:
            assert after is before


@given(st.sampled_from(list(RequestState)), st.sampled_from(list(RequestState)))
def test_a_move_is_allowed_exactly_when_the_graph_has_the_edge(
    current: RequestState, target: RequestState
) -> None:
    reason = ClosedReason.UNREACHABLE if target is RequestState.CLOSED else None
    allowed = transition_problem(current, target, reason) is None
    assert allowed == (target in ALLOWED_TRANSITIONS[current])


def test_every_open_state_can_close_and_final_states_go_nowhere() -> None:
    for state in OPEN:
        assert RequestState.CLOSED in allowed_next(state)
    assert allowed_next(RequestState.SEEN) == []
    assert allowed_next(RequestState.CLOSED) == []


def test_refusals_say_why_and_what_is_possible() -> None:
    problem = transition_problem(RequestState.NEW, RequestState.SEEN)
    assert problem is not None
    assert "cannot become seen" in problem and "ready to schedule" in problem
    assert "say why" in (transition_problem(RequestState.NEW, RequestState.CLOSED) or "")
    assert "does not change" in (
        transition_problem(RequestState.CLOSED, RequestState.NEW, None) or ""
    )
    assert "only when closing" in (
        transition_problem(RequestState.NEW, RequestState.AWAITING_RECORDS, ClosedReason.DECLINED)
        or ""
    )


def test_a_cancelled_visit_goes_back_to_ready_to_schedule() -> None:
    assert transition_problem(RequestState.SCHEDULED, RequestState.READY_TO_SCHEDULE) is None


def test_business_days_skip_weekends() -> None:
    friday = date(2026, 11, 27)
    assert business_days_between(friday, friday + timedelta(days=3)) == 1  # Monday
    assert business_days_between(friday, friday) == 0
    assert add_business_days(friday, 1) == date(2026, 11, 30)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 40))
def test_adding_business_days_is_counted_back_the_same(start: date, days: int) -> None:
    assert business_days_between(start, add_business_days(start, days)) == days


def test_unanswered_attempts_count_back_to_the_last_answer() -> None:
    kinds = [ContactKind.NO_ANSWER, ContactKind.LEFT_VOICEMAIL, ContactKind.CALLED]
    assert unanswered_streak(kinds) == 2
    assert unanswered_streak([ContactKind.CALLED, ContactKind.NO_ANSWER]) == 0
