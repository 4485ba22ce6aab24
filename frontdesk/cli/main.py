"""Builds the `frontdesk` command and runs one subcommand."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from frontdesk import __version__
from frontdesk.cli import (
    appointments_commands,
    audit_commands,
    backup_commands,
    db_commands,
    db_copy_commands,
    demo_commands,
    handouts_commands,
    history_commands,
    inbox_commands,
    packets_commands,
    patient_io_commands,
    patients_commands,
    requests_commands,
    schedule_commands,
    users_commands,
)
from frontdesk.cli.common import Parser, UsageError
from frontdesk.domain.errors import FrontDeskError
from frontdesk.logs import redacted_traceback, setup_logging

log = logging.getLogger(__name__)

COMMAND_MODULES = [
    db_commands,
    db_copy_commands,  # adds copy to `db`: keep after it
    users_commands,
    audit_commands,
    backup_commands,
    handouts_commands,
    packets_commands,
    demo_commands,
    patients_commands,
    patient_io_commands,  # adds import/export to `patients`: keep after it
    history_commands,
    requests_commands,
    inbox_commands,
    appointments_commands,
    schedule_commands,
]


def build_parser() -> Parser:
    parser = Parser(
        prog="frontdesk",
        description="Front Desk for a spine-surgery practice. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"frontdesk {__version__}")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL (default: $FRONTDESK_DATABASE_URL, else the file in the "
        "user's data folder), e.g. postgresql://user@server/frontdesk",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="act as this Front Desk user; the password is asked, or read from "
        "$FRONTDESK_PASSWORD (without it, a SQLite file is used as this computer's login)",
    )
    subparsers = parser.add_subparsers(dest="command", parser_class=Parser)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def run(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return int(args.handler(args))
    except UsageError as error:
        print(f"frontdesk: {error}", file=sys.stderr)
        return 2
    except FrontDeskError as error:
        print(f"frontdesk: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("frontdesk: interrupted; nothing more was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as error:  # never a traceback on the terminal; never PHI in the log
        path = setup_logging()
        log.error(
            "unexpected error\n%s", redacted_traceback(type(error), error, error.__traceback__)
        )
        print(
            f"frontdesk: unexpected error ({type(error).__name__}); nothing was half-saved. "
            f"Details are in {path}",
            file=sys.stderr,
        )
        return 1


def _reader_went_away() -> int:
    """End quietly when the reader of our output closed the pipe (`... | head`), as Unix tools do.

    Python would otherwise complain again when it flushes stdout at exit, so stdout is pointed
    at the null device first.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + 13  # the status a process ended by SIGPIPE reports to the shell
