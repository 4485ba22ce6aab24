"""`frontdesk db copy --to URL [--from URL] [--replace]`: move a practice to another database."""

from __future__ import annotations

import argparse
import sys

from frontdesk.cli.common import (
    PASSWORD_ENV,
    Parser,
    UsageError,
    ask,
    database_url,
    print_json,
    progress_printer,
    read_secret,
)
from frontdesk.domain.actor import Actor, operating_system_actor
from frontdesk.domain.errors import RefusedError
from frontdesk.services.platform import db_copy
from frontdesk.services.platform.db_copy import CopyReport, TargetState

COPY_HELP = """\
Copies every table of the current schema (records, documents, the audit trail) from one
database to another: a SQLite file to a PostgreSQL server, or back. Ids, timestamps, text and
documents are kept exactly; afterwards every table is read back and compared (row counts and
checksums) and the audit trail is verified on the target.

The target must be empty (a new file, an empty database: its tables are created) unless
--replace is given; its records are then deleted in the same transaction that writes the
copy. Everything is written in one transaction: an interrupted copy leaves the target as it
was, and running the command again starts over. Copying into PostgreSQL must be done as the
owner of the tables (see docs/postgresql-setup.md). Close Front Desk on the other computers
first: what they save during the copy is not in it.

The copy discloses every record, so it is recorded in the source's audit trail (where to, how
many rows, who) before the first row is read; a copy that fails or is cancelled adds a second
entry. Copying off a PostgreSQL server needs an admin of that server: the global --user NAME
(the password is asked, or read from FRONTDESK_PASSWORD). From a SQLite file without --user,
the computer's login copies, recorded as os:NAME.

exit status: 0 copied and verified, 1 refused (target holds records, schema not current,
not confirmed, not an admin, wrong password) or the copy differs, 2 bad input (no --user
for a server) or a database that cannot be reached.
"""


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[Parser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("the db command has no subcommands")


def _batch_size(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("give a batch size of 1 or more")
    return number


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    """Add `copy` to the `db` command (registered before this module)."""
    db_parser = subparsers.choices.get("db")
    if db_parser is None:
        raise RuntimeError("register db_commands before db_copy_commands")
    copy = _subcommands(db_parser).add_parser(
        "copy",
        help="copy the whole database to another (SQLite to PostgreSQL, or back) and verify it",
        description=COPY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copy.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        help="the database to copy (default: --database, else this computer's database)",
    )
    copy.add_argument(
        "--to",
        dest="target",
        metavar="URL",
        required=True,
        help="where to copy it, e.g. postgresql://frontdesk_owner@SERVER/frontdesk",
    )
    copy.add_argument(
        "--replace",
        action="store_true",
        help="delete the records the target already holds (asks first)",
    )
    copy.add_argument(
        "--yes", action="store_true", help="do not ask before replacing (needed without a terminal)"
    )
    copy.add_argument(
        "--batch-size",
        type=_batch_size,
        default=db_copy.DEFAULT_BATCH_SIZE,
        metavar="N",
        help=f"rows read and written at a time (default {db_copy.DEFAULT_BATCH_SIZE:,})",
    )
    copy.add_argument(
        "--verify-only",
        action="store_true",
        help="copy nothing: compare the two databases and verify the target's audit trail",
    )
    copy.add_argument("--json", action="store_true", help="print the report as JSON")
    copy.set_defaults(handler=run_copy)


def _confirm_replace(plan: db_copy.CopyPlan, assume_yes: bool) -> None:
    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            f"the target holds {plan.target_rows:,} records: confirm replacing them with --yes "
            "(not at a terminal, so the command cannot ask)"
        )
    print(plan.describe(), file=sys.stderr)
    answer = ask("Type 'replace' to delete them and copy: ")
    if answer.strip().lower() != "replace":
        raise RefusedError("Not replaced: nothing was written to the target")


def _stage_printer() -> db_copy.StageCallback:
    interactive = sys.stderr.isatty()

    def show(text: str) -> None:
        if interactive:
            sys.stderr.write(f"\r\033[K{text}\n")
            sys.stderr.flush()

    return show


def _finish(report: CopyReport, as_json: bool) -> int:
    if as_json:
        print_json(report.as_dict())
    else:
        stream = sys.stdout if report.ok else sys.stderr
        print(report.describe(), file=stream)
    return 0 if report.ok else 1


def _copying_actor(args: argparse.Namespace, source: str) -> Actor:
    """Who copies: --user signed in on the source, else the computer's login on a file."""
    username = getattr(args, "user", None)
    if username:
        password = read_secret(f"Password for {username}: ", PASSWORD_ENV)
        return db_copy.sign_in_to_source(source, username, password)
    if db_copy.on_a_server(source):
        raise UsageError(
            "copying off a PostgreSQL server discloses every record, so it needs an admin: "
            f"say who you are with --user NAME (the password is asked, or read from {PASSWORD_ENV})"
        )
    return operating_system_actor()


def run_copy(args: argparse.Namespace) -> int:
    source = args.source or database_url(args)
    progress = progress_printer("Rows")
    if args.verify_only:
        report = db_copy.verify_copy(
            source,
            args.target,
            batch_size=args.batch_size,
            progress=progress,
            stage=_stage_printer(),
        )
        return _finish(report, args.json)
    # Before anything is read: who copies (and, off a server, their sign-in on it).
    actor = _copying_actor(args, source)
    plan = db_copy.plan_copy(source, args.target)
    if plan.target_state is TargetState.HOLDS_DATA:
        if not args.replace:
            raise RefusedError(
                f"The target {plan.target} already holds {plan.target_rows:,} records: copy to "
                "an empty database, or add --replace to delete them and copy"
            )
        _confirm_replace(plan, args.yes)
    report = db_copy.copy_database(
        source,
        args.target,
        actor=actor,
        replace=args.replace,
        batch_size=args.batch_size,
        progress=progress,
        stage=_stage_printer(),
    )
    return _finish(report, args.json)
