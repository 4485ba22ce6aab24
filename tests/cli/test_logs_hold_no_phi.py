"""A scripted day on the command line and in the app leaves no patient data in the log files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from frontdesk.cli import main as cli_main
from frontdesk.logs import LOG_FILE_NAME
from tests.helpers.cli import frontdesk

PATIENT = ("María José", "Núñez-García", "1961-03-04")  # the demo's scenario patient
IMPORTED = ("Zoë", "Þórsdóttir-Ng", "1977-07-21", "(217) 555-0177")
PHI_NEEDLES = [
    "Núñez",
    "Nunez",
    "María",
    "1961-03-04",
    "03/04/1961",
    "Þórsdóttir",
    "Thorsdottir",
    "1977-07-21",
    "7/21/1977",
    "555-0177",
    "5550177",
]


def _run(home: Path, url: str, *args: str, env: dict[str, str] | None = None) -> str:
    result = frontdesk(
        *args,
        database=url,
        env={"FRONTDESK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        timeout=180,
    )
    assert result.code in (0, 1), result.err
    return result.out


def _log_text(home: Path) -> str:
    return "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in (home / "logs").glob(f"{LOG_FILE_NAME}*")
    )


@pytest.mark.slow
def test_a_scripted_session_leaves_no_phi_in_the_logs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    _run(home, url, "demo", "--patients", "200", "--seed", "7")
    found = _run(home, url, "patients", "search", "nunez mar", "--json")
    assert "Núñez-García" in found
    mrn = found.split('"mrn": "', 1)[1].split('"', 1)[0]
    _run(home, url, "patients", "show", mrn, "--json")
    _run(home, url, "history", "show", mrn, "--json")
    _run(home, url, "history", "summary", mrn, "-o", str(tmp_path / "summary.pdf"))
    _run(
        home,
        url,
        "handouts",
        "render",
        "failed-back-syndrome",
        "--patient",
        mrn,
        "-o",
        str(tmp_path / "handout.pdf"),
    )
    csv_file = tmp_path / "old-system.csv"
    first, last, born, phone = IMPORTED
    csv_file.write_text(
        "First Name,Last Name,DOB,Phone\n"
        f"{first},{last},{born},{phone}\n"
        f"{first},{last},1961-02-30,{phone}\n"
        f"{first},,{born},not a phone\n",
        encoding="utf-8",
    )
    _run(home, url, "patients", "import", str(csv_file), "--dry-run")
    _run(home, url, "patients", "import", str(csv_file))
    _run(home, url, "patients", "export", str(tmp_path / "export.csv"))
    _run(home, url, "audit", "list", "--patient", mrn, "--json")
    _run(home, url, "requests", "list", "--json")
    _run(home, url, env={"FRONTDESK_QUIT_WHEN_SHOWN": "1"})  # the app, up to its window

    log = _log_text(home)
    assert "started on" in log  # the app's log was written, and is what we search
    leaked = [needle for needle in PHI_NEEDLES if needle.lower() in log.lower()]
    assert leaked == []


def test_an_unexpected_error_logs_its_type_but_not_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path))

    def explode(_args: object) -> int:
        raise RuntimeError(f"could not format {PATIENT[1]}, born {PATIENT[2]}")

    from frontdesk.cli import db_commands

    monkeypatch.setattr(db_commands, "run_check", explode)
    try:
        code = cli_main.run(["--database", f"sqlite:///{tmp_path / 'x.sqlite3'}", "db", "check"])
    finally:
        for handler in list(logging.getLogger().handlers):
            if isinstance(handler, logging.FileHandler) and str(tmp_path) in handler.baseFilename:
                logging.getLogger().removeHandler(handler)
                handler.close()
    stderr = capsys.readouterr().err
    assert code == 1
    assert "RuntimeError" in stderr and PATIENT[1] not in stderr
    assert len(stderr.strip().splitlines()) == 1
    log = _log_text(tmp_path)
    assert "RuntimeError" in log
    assert PATIENT[1] not in log and PATIENT[2] not in log
