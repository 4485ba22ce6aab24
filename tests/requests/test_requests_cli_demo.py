"""`frontdesk requests list` and the demo requests, on both databases."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from frontdesk.cli.main import run
from frontdesk.demo import generator as demo
from frontdesk.domain.request_states import RequestState
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import reading, work_queue
from frontdesk.services.requests.data import QueueFilter


def test_demo_has_requests_in_every_state_with_their_records(context: ServiceContext) -> None:
    demo.generate(context, patients=200, seed=3)
    counts = work_queue.state_counts(context)
    assert all(counts[state] > 0 for state in RequestState), counts
    # Scenario 1: María José is awaiting her records, with both operative reports asked for.
    maria = work_queue.queue(context, QueueFilter(state=RequestState.AWAITING_RECORDS), limit=500)
    row = next(r for r in maria.rows if r.patient_name == "Núñez-García, María José")
    detail = reading.get_request(context, row.id)
    kinds = Counter(item.kind.value for item in detail.missing)
    assert kinds["operative_report"] == 2 and kinds["imaging_report"] == 1
    assert detail.request.interpreter_needed
    # Scenario 6: red flags ticked, the instruction recorded.
    urgent_new = work_queue.queue(context, QueueFilter(state=RequestState.NEW), limit=500).rows
    flagged = [reading.get_request(context, r.id).request for r in urgent_new[:5]]
    assert any(r.red_flags and "emergency" in r.red_flag_instruction for r in flagged)
    # Every transition history follows the workflow from New.
    closed = work_queue.queue(context, QueueFilter(state=RequestState.CLOSED), limit=20).rows
    for item in closed:
        history = reading.get_request(context, item.id).transitions
        assert history[0].to_state is RequestState.NEW
        assert history[-1].to_state is RequestState.CLOSED and history[-1].closed_reason


def test_list_prints_json_for_scripts_and_filters_by_state(
    database_url: str, context: ServiceContext, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.generate(context, patients=60, seed=4)
    assert run(["--database", database_url, "requests", "list", "--json"]) == 0
    everything = json.loads(capsys.readouterr().out)
    assert len(everything) == sum(work_queue.state_counts(context).values())
    assert everything[0]["urgency"] == "urgent"
    args = ["--database", database_url, "requests", "list", "--state", "awaiting records"]
    assert run([*args, "--json"]) == 0
    waiting = json.loads(capsys.readouterr().out)
    assert waiting and {item["state"] for item in waiting} == {"awaiting_records"}
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "Awaiting records" in out and f"{len(waiting)} request" in out


def test_an_unknown_state_is_one_line_and_exit_2(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--database", database_url, "requests", "list", "--state", "lost"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown state" in err and len(err.splitlines()) == 1
