"""Each test is a fresh workstation: its own data folder, no keyring, no libpq password file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail


@pytest.fixture(autouse=True)
def workstation_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("FRONTDESK_HOME", str(home))
    monkeypatch.delenv("FRONTDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # like this headless machine: no keyring
    yield home
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def saving_reopened() -> Iterator[None]:
    """A failed outage test must not leave saving paused for the tests after it."""
    yield
    from frontdesk.ui.connection_monitor import saving_gate

    saving_gate().set_allowed(True)
