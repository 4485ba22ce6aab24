"""Another workstation for tests: a separate process that commits to the same database.

A separate process, not just a second Database object: on PostgreSQL a process ignores the
notifications it sent itself (its ChangeBus already told it), so only another process's
commit is "another workstation's" change. ``python -m tests.platform.workstation URL ACTION
ARGS...`` runs one action; :class:`OtherWorkstation` runs them from a test.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class OtherWorkstation:
    database_url: str

    def run(self, action: str, *args: str) -> str:
        finished = subprocess.run(
            [sys.executable, "-m", "tests.platform.workstation", self.database_url, action, *args],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if finished.returncode != 0:
            raise AssertionError(f"the other workstation failed: {finished.stderr.strip()}")
        return finished.stdout.strip()

    def save_location(self, name: str) -> None:
        self.run("location", name)

    def save_provider(self, first_name: str, last_name: str) -> None:
        self.run("provider", first_name, last_name)


def main(argv: list[str]) -> None:
    from frontdesk.db.engine import open_database
    from frontdesk.domain.actor import Actor
    from frontdesk.domain.permissions import Role
    from frontdesk.services.kernel import audit
    from frontdesk.services.platform.bootstrap import make_context
    from frontdesk.services.practice import locations, providers
    from frontdesk.services.practice.forms import LocationForm, ProviderForm

    url, action, *args = argv
    audit.install()
    database = open_database(url)
    actor = Actor(username="desk.two", role=Role.ADMIN, workstation="desk-two")
    context = make_context(database, actor)
    try:
        if action == "location":
            print(locations.save_location(context, LocationForm(name=args[0])).id)
        elif action == "provider":
            form = ProviderForm(first_name=args[0], last_name=args[1])
            print(providers.save_provider(context, form).id)
        else:
            raise SystemExit(f"unknown action {action!r}")
    finally:
        database.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
