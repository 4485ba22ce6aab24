"""Child process for the crash-safety test: commits small transactions and prints each id.

Run as ``python -m tests.kernel.crash_writer DATABASE_URL PREFIX``; it writes until killed.
Each id is printed only after its transaction has committed, so every printed id must
survive a SIGKILL at any moment.
"""

from __future__ import annotations

import sys

from frontdesk.db.engine import open_database
from frontdesk.db.models import Location
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel import audit
from frontdesk.services.kernel.context import ServiceContext


def main(url: str, prefix: str) -> None:
    audit.install()
    context = ServiceContext(
        open_database(url), Actor("crash.writer", Role.ADMIN, workstation="crash-test")
    )
    print("ready", flush=True)
    number = 0
    while True:
        with context.writing(None) as uow:
            row = Location(name=f"{prefix}-{number}", address="x" * 300)
            uow.session.add(row)
            uow.commit()
            committed = row.id
        sys.stdout.write(f"{committed}\n")
        sys.stdout.flush()
        number += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
