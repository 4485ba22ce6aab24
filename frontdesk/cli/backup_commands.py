"""frontdesk backup [DEST_DIR] | restore FILE."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import tzinfo
from pathlib import Path

from frontdesk.cli.common import (
    Parser,
    UsageError,
    ask,
    progress_printer,
    read_secret,
    service_context,
)
from frontdesk.domain.plurals import counted
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.clock import STAMP, clock_text
from frontdesk.services.platform import backup

PASSPHRASE_ENV = "FRONTDESK_BACKUP_PASSPHRASE"


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    make = subparsers.add_parser(
        "backup",
        help="back the database up to a timestamped, verified file (admins only)",
        description="Back the database up. Into the data folder's backups by default; a backup "
        "written elsewhere (a USB stick, a shared drive) is encrypted unless --no-encrypt.",
    )
    make.add_argument("destination", nargs="?", metavar="DEST_DIR", help="folder for the backup")
    _passphrase_options(make)
    choice = make.add_mutually_exclusive_group()
    choice.add_argument("--encrypt", dest="encrypt", action="store_const", const=True)
    choice.add_argument(
        "--no-encrypt",
        dest="encrypt",
        action="store_const",
        const=False,
        help="write an unencrypted backup even outside the data folder",
    )
    make.add_argument("--label", default="", help="a word added to the file name")
    make.set_defaults(handler=run_backup, encrypt=None)

    restore = subparsers.add_parser(
        "restore",
        help="replace the database with a backup (the current one is kept aside)",
    )
    restore.add_argument("file", metavar="FILE")
    _passphrase_options(restore)
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.add_argument(
        "--other-practice",
        action="store_true",
        help="with --yes: restore even a backup that holds another practice's records",
    )
    restore.set_defaults(handler=run_restore)


def _passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="F",
        help=f"read the passphrase from the first line of F (else ${PASSPHRASE_ENV}, else asked)",
    )


def _passphrase(args: argparse.Namespace, *, confirm: bool) -> str | None:
    """From --passphrase-file, the environment, or a prompt at a terminal; else None."""
    if args.passphrase_file is not None:
        try:
            lines = args.passphrase_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read the passphrase file: {error}") from error
        if not lines or not lines[0]:
            raise UsageError(f"the passphrase file {args.passphrase_file} is empty")
        return lines[0]
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not sys.stdin.isatty():
        return None
    what = "the backup passphrase"
    first = read_secret("Backup passphrase: ", PASSPHRASE_ENV, what=what)
    if confirm and read_secret("Type it again: ", PASSPHRASE_ENV, what=what) != first:
        raise UsageError("the two passphrases differ; nothing was written")
    return first


def run_backup(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        passphrase = None
        if backup.will_encrypt(args.destination, args.encrypt):
            passphrase = _passphrase(args, confirm=True)
        result = backup.backup_database(
            context,
            args.destination,
            passphrase=passphrase,
            encrypt=args.encrypt,
            label=args.label,
            progress=progress_printer("Backing up"),
        )
    kind = "encrypted" if result.encrypted else "not encrypted"
    print(f"Backed up to {result.path} ({kind}, {result.size:,} bytes, verified)")
    if result.removed:
        print(f"Removed {counted(len(result.removed), 'older backup')} beyond the number to keep")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    info = backup.inspect_backup(args.file)
    if not args.yes and not sys.stdin.isatty():
        raise UsageError("restore replaces the database: add --yes to confirm")
    passphrase = _passphrase(args, confirm=False) if info.encrypted else None
    with service_context(args) as context:
        verified = backup.verify_backup(context, info.path, passphrase=passphrase)
        question = _restore_question(verified, practice_clock.practice_zone(context))
        if verified.other_practice and args.yes and not args.other_practice:
            raise UsageError(
                f"{info.path.name} holds another practice's records ({verified.practice_name}); "
                "add --other-practice to restore it anyway"
            )
        if not args.yes and ask(f"{question} Type yes: ").strip().lower() != "yes":
            print("Nothing was changed", file=sys.stderr)
            return 1
        result = backup.restore_database(context, info.path, passphrase=passphrase)
    print(f"Restored from {result.restored_from}; the previous database is at {result.set_aside}")
    if result.migrated:
        print("The restored database was brought up to this version's schema")
    return 0


def _restore_question(verified: backup.VerifiedBackup, zone: tzinfo) -> str:
    made = verified.file.created_at
    when = f", made {clock_text(made, zone, STAMP)}" if made else ""
    name = verified.file.path.name
    if verified.other_practice:
        return (
            f"{name} holds ANOTHER practice's records ({verified.practice_name}{when}); this "
            f"database holds the records of {verified.current_practice_name}. Replace them? "
            "The current database is kept aside."
        )
    whose = f" ({verified.practice_name}{when})" if verified.practice_name else when
    return f"Replace the database with {name}{whose}? The current one is kept aside."
