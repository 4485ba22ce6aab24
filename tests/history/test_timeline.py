"""A chart's timeline lists every kind of event whoever imports it: its sources are imported
by the timeline module itself, not registered as a side effect of importing other areas."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from frontdesk.db.engine import Database
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.data import BookingForm
from tests.scheduling.conftest import at, make_practice, next_weekday

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from frontdesk.db.engine import open_database
    from frontdesk.domain.actor import Actor
    from frontdesk.domain.permissions import Role
    from frontdesk.services.platform.bootstrap import make_context
    from frontdesk.services.history import timeline

    database = open_database(sys.argv[1])
    actor = Actor(username="test.admin", role=Role.ADMIN, workstation="w", display_name="t")
    events = timeline.patient_timeline(make_context(database, actor), int(sys.argv[2]))
    print(json.dumps([[event.kind, event.record_id] for event in events]))
    """
)


def test_a_fresh_process_importing_only_the_timeline_lists_requests_and_appointments(
    context: ServiceContext, database: Database, database_url: str
) -> None:
    clinic = make_practice(context, patient_count=1)
    patient = clinic.patients[0]
    request = intake.create_request(
        context,
        IntakeForm(
            patient_id=patient.id,
            phone="(217) 555-0123",
            reason="Leg pain",
            category="spinal_stenosis",
        ),
    )
    booked = booking.book(
        context,
        BookingForm(patient.id, clinic.okafor, clinic.type_id("Follow-up"), at(next_weekday(0), 9)),
    )
    database.dispose()  # SQLite: the child process opens the file on its own
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, database_url, str(patient.id)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    events = {tuple(pair) for pair in json.loads(result.stdout)}
    assert ("request", request.id) in events
    assert ("appointment", booked.id) in events
