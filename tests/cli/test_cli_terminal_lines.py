"""At a terminal every refusal is a line of its own: after a wrong password, and after a
prompt left with Ctrl+D or Ctrl+C (the message ran on after the prompt, "Password for
alice: frontdesk: …"). Real processes on a pseudo-terminal, as a person at a desk sees them."""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

import pytest

from frontdesk.services.practice.sign_in import SIGN_IN_REFUSED
from tests.helpers.cli import frontdesk

pty = pytest.importorskip("pty")

PASSWORD = "admin lake side morning"
PROMPT = b"Password for alice: "


@pytest.fixture
def url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'frontdesk.sqlite3'}"
    code, _out, err = frontdesk(
        "users",
        "add",
        "alice",
        database=url,
        capsys=capsys,
        env={"FRONTDESK_NEW_PASSWORD": PASSWORD},
    )
    assert code == 0, err
    return url


def at_a_terminal(argv: list[str], keys: bytes, env: dict[str, str]) -> str:
    """Run `frontdesk ARGV` on a pseudo-terminal, type ``keys`` at the password prompt,
    and return all it wrote there (the terminal turns each newline into CR LF)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: never returns to pytest
        try:
            os.execve(sys.executable, [sys.executable, "-m", "frontdesk", *argv], env)
        finally:
            os._exit(127)
    shown = b""
    typed = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if not typed and shown.endswith(PROMPT):
                os.write(fd, keys)
                typed = True
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child is gone
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    assert typed, shown
    return shown.decode("utf-8", "replace")


def _environment() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FRONTDESK_PASSWORD", "FRONTDESK_NEW_PASSWORD"}
    }
    env.pop("FRONTDESK_DATABASE_URL", None)
    return env


def test_a_wrong_password_is_one_line_ending_in_a_newline(url: str) -> None:
    result = frontdesk(
        "--user", "alice", "users", "list", database=url, env={"FRONTDESK_PASSWORD": "wrong!"}
    )
    assert result.code == 1
    assert result.err == f"frontdesk: {SIGN_IN_REFUSED}\n"
    shown = at_a_terminal(
        ["--database", url, "--user", "alice", "users", "list"], b"wrong password\n", _environment()
    )
    assert shown.endswith(f"\r\nfrontdesk: {SIGN_IN_REFUSED}\r\n"), shown


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (b"\x04", "frontdesk: a password is needed"),  # Ctrl+D
        (b"\x03", "frontdesk: interrupted; nothing more was written"),  # Ctrl+C
    ],
)
def test_a_prompt_left_without_enter_ends_its_line_before_the_message(
    url: str, keys: bytes, message: str
) -> None:
    shown = at_a_terminal(
        ["--database", url, "--user", "alice", "users", "list"], keys, _environment()
    )
    assert "Password for alice: frontdesk:" not in shown, shown
    assert f"Password for alice: \r\n{message}" in shown, shown
