"""Runs `frontdesk` for the tests: in this process (fast) or as a real `python -m frontdesk`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from typing import NamedTuple
from unittest import mock

import pytest

from frontdesk.cli.main import run


class CliResult(NamedTuple):
    code: int
    out: str
    err: str


def frontdesk(
    *args: str,
    database: str | None = None,
    capsys: pytest.CaptureFixture[str] | None = None,
    env: Mapping[str, str] | None = None,
    unset: Iterable[str] = (),
    timeout: float = 120,
) -> CliResult:
    """`frontdesk [--database URL] ARGS` with ``env`` added to the environment and the names
    in ``unset`` removed from it.

    With ``capsys`` it runs in this process (a fraction of a second, for most tests); without,
    as a real process with no standard input, for what only a real process shows: the exit
    code and stderr a shell sees, what gets imported, what lands in the log files."""
    argv = [*(("--database", database) if database else ()), *args]
    environment = {key: value for key, value in os.environ.items() if key not in set(unset)}
    environment.update(env or {})
    if capsys is None:
        result = subprocess.run(
            [sys.executable, "-m", "frontdesk", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=environment,
            stdin=subprocess.DEVNULL,
        )
        return CliResult(result.returncode, result.stdout, result.stderr)
    capsys.readouterr()  # what earlier steps of the test printed is not this command's
    with mock.patch.dict(os.environ, environment, clear=True):
        code = run(argv)
    out, err = capsys.readouterr()
    return CliResult(code, out, err)


def one_line(err: str) -> str:
    """A refusal is one line on stderr, starting `frontdesk: `, never a traceback."""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("frontdesk: "), err
    return lines[0]
