"""`frontdesk users | audit | backup | restore`: acting users, exit codes, one-line errors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, update

from frontdesk.cli.audit_commands import practice_midnight
from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.practice.forms import PracticeProfileForm
from frontdesk.services.practice.profile import get_profile, save_profile
from frontdesk.services.practice.sign_in import SIGN_IN_REFUSED
from tests.accounts import tamperable_audit_trail
from tests.helpers.cli import CliResult, frontdesk, one_line

ADMIN_PASSWORD = "admin lake side morning"
DESK_PASSWORD = "front desk violet canoe"
PASSWORD_VARIABLES = ("FRONTDESK_PASSWORD", "FRONTDESK_NEW_PASSWORD", "FRONTDESK_BACKUP_PASSPHRASE")


class Cli:
    """Runs `frontdesk` in this process against one database, each call with only the
    passwords it is given."""

    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *args: str, **env: str) -> CliResult:
        return frontdesk(
            *args, database=self.url, capsys=self.capsys, env=env, unset=PASSWORD_VARIABLES
        )

    def with_users(self) -> None:
        """A first admin 'alice' and a front-desk user 'bob'."""
        code, out, err = self("users", "add", "alice", FRONTDESK_NEW_PASSWORD=ADMIN_PASSWORD)
        assert code == 0, err
        assert "the first admin" in out
        code, _out, err = self(
            "--user",
            "alice",
            "users",
            "add",
            "bob",
            "--role",
            "front_desk",
            FRONTDESK_PASSWORD=ADMIN_PASSWORD,
            FRONTDESK_NEW_PASSWORD=DESK_PASSWORD,
        )
        assert code == 0, err


@pytest.fixture
def cli(database_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(database_url, capsys)


sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])
postgres_only = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)]
)


# --- users -------------------------------------------------------------------------------


def test_users_add_list_and_deactivate(cli: Cli) -> None:
    cli.with_users()
    code, out, _err = cli(
        "--user", "alice", "users", "list", "--json", FRONTDESK_PASSWORD=ADMIN_PASSWORD
    )
    assert code == 0
    listed = {user["username"]: user for user in json.loads(out)}
    assert (listed["alice"]["role"], listed["bob"]["role"]) == ("admin", "front_desk")
    code, out, _err = cli(
        "--user", "alice", "users", "deactivate", "BOB", FRONTDESK_PASSWORD=ADMIN_PASSWORD
    )
    assert (code, out.strip()) == (0, "Deactivated bob: Front desk, deactivated")
    code, _out, err = cli("--user", "bob", "users", "list", FRONTDESK_PASSWORD=DESK_PASSWORD)
    assert code == 1
    assert one_line(err) == f"frontdesk: {SIGN_IN_REFUSED}"  # not "deactivated"


def test_staff_are_refused_admin_commands(cli: Cli) -> None:
    cli.with_users()
    for command in (["users", "list"], ["audit", "verify"], ["backup"]):
        code, _out, err = cli("--user", "bob", *command, FRONTDESK_PASSWORD=DESK_PASSWORD)
        assert code == 1, command
        assert "may not do this" in one_line(err)


def test_sign_in_failures_areone_line(cli: Cli) -> None:
    cli.with_users()
    code, _out, err = cli("--user", "alice", "users", "list", FRONTDESK_PASSWORD="wrong password!")
    assert code == 1
    assert one_line(err) == f"frontdesk: {SIGN_IN_REFUSED}"
    code, _out, err = cli("--user", "alice", "users", "list")  # no password and no terminal
    assert code == 2
    assert "FRONTDESK_PASSWORD" in one_line(err)


def test_bad_new_accounts_are_one_line_usage_errors(cli: Cli) -> None:
    cli.with_users()
    code, _out, err = cli(
        "--user", "alice", "users", "add", "carol", FRONTDESK_PASSWORD=ADMIN_PASSWORD
    )
    assert code == 2 and "--role" in one_line(err)
    code, _out, err = cli(
        "--user",
        "alice",
        "users",
        "add",
        "carol",
        "--role",
        "clinical",
        FRONTDESK_PASSWORD=ADMIN_PASSWORD,
        FRONTDESK_NEW_PASSWORD="password1234",
    )
    assert code == 2 and "common passwords" in one_line(err)
    code, _out, err = cli("users", "add", "zed", "--role", "wizard")
    assert code == 2 and "invalid choice" in one_line(err)


def test_reset_password_and_unlock(cli: Cli) -> None:
    cli.with_users()
    for _ in range(5):
        cli("--user", "bob", "users", "list", FRONTDESK_PASSWORD="not bob's password")
    code, _out, err = cli("--user", "bob", "users", "list", FRONTDESK_PASSWORD=DESK_PASSWORD)
    assert code == 1 and "cannot sign in now" in one_line(err)
    code, _out, _err = cli(
        "--user", "alice", "users", "unlock", "bob", FRONTDESK_PASSWORD=ADMIN_PASSWORD
    )
    assert code == 0
    code, out, _err = cli(
        "--user",
        "alice",
        "users",
        "reset-password",
        "bob",
        FRONTDESK_PASSWORD=ADMIN_PASSWORD,
        FRONTDESK_NEW_PASSWORD="a new orchard path",
    )
    assert (code, out.strip()) == (0, "Set a new password for bob")
    code, _out, err = cli(
        "--user", "bob", "audit", "verify", FRONTDESK_PASSWORD="a new orchard path"
    )
    assert code == 1 and "may not" in err  # signed in, then refused for lack of permission


@sqlite_only
def test_on_a_sqlite_file_the_computer_login_acts(cli: Cli) -> None:
    cli.with_users()
    code, _out, _err = cli("users", "deactivate", "bob")
    assert code == 0
    code, out, _err = cli("audit", "list", "--action", "update", "--json")
    assert json.loads(out)[0]["username"].startswith("os:")


@postgres_only
def test_on_postgres_the_command_line_must_name_its_user(cli: Cli) -> None:
    cli.with_users()  # the first admin needs no --user: nobody exists yet
    code, _out, err = cli("users", "list")
    assert code == 1
    assert "--user NAME" in one_line(err)
    code, out, _err = cli("--user", "alice", "users", "list", FRONTDESK_PASSWORD=ADMIN_PASSWORD)
    assert code == 0 and "bob" in out


# --- audit -------------------------------------------------------------------------------


def test_audit_verify_exit_codes(cli: Cli, database: Database) -> None:
    cli.with_users()
    admin = {"FRONTDESK_PASSWORD": ADMIN_PASSWORD}
    code, out, err = cli("--user", "alice", "audit", "verify", **admin)
    assert (code, err) == (0, "")
    assert "The audit trail is intact" in out
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(update(AuditEntry).where(AuditEntry.id == 2).values(action="view"))
    code, out, err = cli("--user", "alice", "audit", "verify", **admin)
    assert code == 1
    assert "broken at entry #2: it was edited" in one_line(err)


def test_audit_checkpoint_then_verify_against_it(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    cli.with_users()
    admin = {"FRONTDESK_PASSWORD": ADMIN_PASSWORD}
    target = tmp_path / "head.checkpoint"
    code, out, err = cli("--user", "alice", "audit", "checkpoint", "-o", str(target), **admin)
    assert (code, err) == (0, "")
    assert f"Checkpoint written to {target}" in out and "Keep it away" in out
    code, out, err = cli("--user", "alice", "audit", "verify", "--checkpoint", str(target), **admin)
    assert (code, err) == (0, "")
    assert "intact and matches the checkpoint of" in out
    assert "signed by this workstation's key" in out
    # Cutting the end off leaves the chain itself intact; only the checkpoint sees it.
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(delete(AuditEntry).where(AuditEntry.id > 2))
    code, out, err = cli("--user", "alice", "audit", "verify", **admin)
    assert code == 0 and "intact" in out
    code, out, err = cli("--user", "alice", "audit", "verify", "--checkpoint", str(target), **admin)
    assert code == 1
    assert "The audit trail was cut short" in one_line(err)


def test_audit_verify_refuses_a_bad_checkpoint_file(cli: Cli, tmp_path: Path) -> None:
    cli.with_users()
    admin = {"FRONTDESK_PASSWORD": ADMIN_PASSWORD}
    good = tmp_path / "good.checkpoint"
    assert cli("--user", "alice", "audit", "checkpoint", "-o", str(good), **admin).code == 0
    document = json.loads(good.read_text(encoding="utf-8"))
    edited = tmp_path / "edited.checkpoint"
    edited.write_text(json.dumps({**document, "entries": 1}), encoding="utf-8")
    unsigned = tmp_path / "unsigned.checkpoint"
    unsigned.write_text(
        json.dumps({k: v for k, v in document.items() if k != "signature"}), encoding="utf-8"
    )
    for path, message in (
        (tmp_path / "missing.checkpoint", "There is no checkpoint file at"),
        (edited, "edited.checkpoint was altered after it was signed"),
        (unsigned, "unsigned.checkpoint is not signed"),
        (tmp_path, "is a folder, not a checkpoint file"),
    ):
        code, _out, err = cli("--user", "alice", "audit", "verify", "--checkpoint", str(path))
        assert code == 2, err
        assert message in one_line(err)
    code, _out, err = cli(
        "--user", "alice", "audit", "checkpoint", "-o", str(tmp_path / "no" / "x"), **admin
    )
    assert code == 2 and "does not exist" in one_line(err)
    code, _out, err = cli(
        "--user",
        "bob",
        "audit",
        "checkpoint",
        "-o",
        str(tmp_path / "b"),
        FRONTDESK_PASSWORD=DESK_PASSWORD,
    )
    assert code == 1 and "may not do this" in one_line(err)
    code, _out, err = cli("--user", "alice", "audit", "checkpoint", **admin)
    assert code == 2 and "-o/--output" in one_line(err)


def test_audit_list_filters_and_formats(cli: Cli) -> None:
    cli.with_users()
    admin = {"FRONTDESK_PASSWORD": ADMIN_PASSWORD}
    cli("--user", "bob", "users", "list", FRONTDESK_PASSWORD=DESK_PASSWORD)  # signs in, refused
    code, out, _err = cli("--user", "alice", "audit", "list", "--user", "bob", "--json", **admin)
    assert code == 0
    assert {entry["username"] for entry in json.loads(out)} == {"bob"}
    code, out, _err = cli("--user", "alice", "audit", "list", "--action", "sign_in", **admin)
    assert code == 0
    assert all(" sign_in " in line for line in out.strip().splitlines())
    code, out, _err = cli("--user", "alice", "audit", "list", "--patient", "77", **admin)
    assert (code, out.strip()) == (0, "No audit entries match")
    code, out, _err = cli("--user", "alice", "audit", "list", "--csv", **admin)
    assert code == 0 and out.splitlines()[0].startswith("id,at_utc,username")
    code, _out, err = cli("--user", "alice", "audit", "list", "--since", "yesterday", **admin)
    assert code == 2 and "is not a date" in one_line(err)


# --- backup and restore ------------------------------------------------------------------


@sqlite_only
def test_restoring_another_practice_s_backup_needs_its_own_yes(
    cli: Cli, context: ServiceContext
) -> None:
    save_profile(context, PracticeProfileForm("Lakeside Spine", main_phone="217-555-0100"), None)
    code, out, err = cli("backup")
    assert code == 0, err
    file = Path(out.removeprefix("Backed up to ").split(" (", 1)[0])
    version = get_profile(context).version  # type: ignore[union-attr]
    save_profile(
        context, PracticeProfileForm("Hillcrest Orthopedics", main_phone="217-555-0199"), version
    )
    code, _out, err = cli("restore", str(file), "--yes")
    assert code == 2
    assert "another practice's records (Lakeside Spine)" in one_line(err)
    assert get_profile(context).name == "Hillcrest Orthopedics"  # type: ignore[union-attr]
    code, _out, err = cli("restore", str(file), "--yes", "--other-practice")
    assert code == 0, err
    assert get_profile(context).name == "Lakeside Spine"  # type: ignore[union-attr]


def test_backup_and_restore_commands(cli: Cli, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    code, out, err = cli("backup")
    assert code == 0, err
    assert "not encrypted" in out
    code, _out, err = cli("backup", str(stick))
    assert code == 2 and "passphrase" in one_line(err)
    code, out, err = cli("backup", str(stick), FRONTDESK_BACKUP_PASSPHRASE="river stone lantern")
    assert code == 0 and "(encrypted" in out, err
    # The backup itself, not the signed checkpoint of the audit trail written beside it.
    (sealed,) = [path for path in stick.iterdir() if not path.name.endswith(".checkpoint")]
    passphrase_file = tmp_path / "passphrase.txt"
    passphrase_file.write_text("river stone lanterns\n", encoding="utf-8")

    code, _out, err = cli("restore", str(sealed))
    assert code == 2 and "--yes" in one_line(err)
    code, _out, err = cli(
        "restore", str(sealed), "--yes", "--passphrase-file", str(passphrase_file)
    )
    assert code == 1 and "does not open" in one_line(err)
    code, out, err = cli(
        "restore", str(sealed), "--yes", FRONTDESK_BACKUP_PASSPHRASE="river stone lantern"
    )
    assert code == 0, err
    assert "the previous database is at" in out

    truncated = tmp_path / sealed.name
    truncated.write_bytes(sealed.read_bytes()[:-100])
    code, _out, err = cli(
        "restore", str(truncated), "--yes", FRONTDESK_BACKUP_PASSPHRASE="river stone lantern"
    )
    assert code == 1 and "altered or truncated" in one_line(err)
    code, out, _err = cli("backup", str(stick), "--no-encrypt", "--label", "before update")
    assert code == 0 and "before-update" in out and "not encrypted" in out


def test_a_real_process_prints_one_line_and_no_traceback(database_url: str) -> None:
    result = frontdesk("restore", "/no/such", database=database_url)
    assert result.code == 1
    assert result.err.strip() == "frontdesk: There is no backup file at /no/such"


def test_audit_list_by_mrn(cli: Cli, context: ServiceContext) -> None:
    chart = create_patient(
        context, PatientForm(first_name="Ana", last_name="Lindqvist", date_of_birth="1961-03-04")
    )
    get_patient(context, chart.id)
    code, out, _err = cli("audit", "list", "--patient", chart.mrn, "--json")
    assert code == 0
    entries = json.loads(out)
    assert {entry["action"] for entry in entries} >= {"create", "view"}
    assert {entry["patient_id"] for entry in entries} == {chart.id}
    code, _out, err = cli("audit", "list", "--patient", "M9999999")
    assert code == 1 and "There is no patient" in one_line(err)


def test_audit_list_prints_the_practice_s_clock_not_the_computer_s(
    cli: Cli, context: ServiceContext
) -> None:
    # The desk computer runs on UTC (or anything else); the practice is in Tokyo.
    save_profile(
        context,
        PracticeProfileForm("Lakeside Spine", main_phone="217-555-0100", time_zone="Asia/Tokyo"),
        None,
    )
    chart = create_patient(
        context, PatientForm(first_name="Ana", last_name="Lindqvist", date_of_birth="1961-03-04")
    )
    code, out, _err = cli("audit", "list", "--patient", chart.mrn, "--json")
    assert code == 0
    newest = json.loads(out)[0]
    at = datetime.fromisoformat(newest["at"]).astimezone(ZoneInfo("Asia/Tokyo"))
    code, out, _err = cli("audit", "list", "--patient", chart.mrn)
    assert code == 0
    line = out.splitlines()[0]
    assert line.startswith(f"#{newest['id']}  {at:%Y-%m-%d %H:%M:%S} JST  "), line


def test_audit_list_days_are_the_practice_s_days() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    since = practice_midnight(date(2026, 12, 8), tokyo)
    assert since == datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
