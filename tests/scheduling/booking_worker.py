"""One workstation of the double-booking test: a separate process that books on a signal.

``python -m tests.scheduling.booking_worker URL GO_FILE PATIENT PROVIDER TYPE START`` opens
the database, warms its connection, prints ``ready``, waits for GO_FILE to appear (the start
signal all workers share), books once and prints one JSON line: ``{"result": "booked", "id":
N}`` or ``{"result": "refused", "error": TYPE, "message": TEXT, "by_database": BOOL}``. Any
other failure is a traceback on stderr and exit status 1, which the test reports.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

# Long enough for a loaded machine to start every worker; the test waits for "ready" first.
WAIT_FOR_SIGNAL_S = 120.0


def main(argv: list[str]) -> int:
    from frontdesk.db.engine import open_database
    from frontdesk.domain.actor import Actor
    from frontdesk.domain.errors import FrontDeskError
    from frontdesk.domain.permissions import Role
    from frontdesk.services.kernel import audit
    from frontdesk.services.kernel import clock as practice_clock
    from frontdesk.services.platform.bootstrap import make_context
    from frontdesk.services.scheduling import booking
    from frontdesk.services.scheduling.data import BookingForm

    url, go_file, patient, provider, kind, start = argv
    audit.install()
    database = open_database(url)
    worker = f"desk-{patient}-{start[-14:-9]}"
    context = make_context(database, Actor(username=worker, role=Role.ADMIN, workstation=worker))
    form = BookingForm(
        patient_id=int(patient),
        provider_id=int(provider),
        type_id=int(kind),
        start=datetime.fromisoformat(start),
        reason="Double-booking test",
    )
    try:
        # Connection open and every module loaded before the signal, so all workers reach
        # the database together.
        practice_clock.practice_zone(context)
        print("ready", flush=True)
        signal = Path(go_file)
        deadline = time.monotonic() + WAIT_FOR_SIGNAL_S
        while not signal.exists():
            if time.monotonic() > deadline:
                print("no start signal", file=sys.stderr)
                return 1
            time.sleep(0.001)
        try:
            booked = booking.book(context, form)
        except FrontDeskError as error:
            result = {
                "result": "refused",
                "error": type(error).__name__,
                "message": str(error),
                # Refused by the database's constraint or trigger, not by the service's check.
                "by_database": error.__cause__ is not None,
            }
        else:
            result = {"result": "booked", "id": booked.id}
        print(json.dumps(result), flush=True)
        return 0
    finally:
        database.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
