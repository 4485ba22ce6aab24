"""What every subcommand shares: the parser's error style, opening the database, output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from frontdesk.domain.actor import operating_system_actor
from frontdesk.services.bootstrap import make_context, open_for_use, resolve_database_url
from frontdesk.services.context import ServiceContext

Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Bad arguments: printed as one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


@contextmanager
def service_context(args: argparse.Namespace) -> Iterator[ServiceContext]:
    """Open the database named by --database (migrating it if needed) as the acting user."""
    database, _copy = open_for_use(resolve_database_url(args.database))
    try:
        yield make_context(database, operating_system_actor())
    finally:
        database.dispose()


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def progress_printer(label: str) -> Callable[[int, int], bool]:
    """A progress callback that redraws one line on stderr when it is a terminal."""
    interactive = sys.stderr.isatty()
    last = -1

    def report(done: int, total: int) -> bool:
        nonlocal last
        percent = int(done * 100 / total) if total else 100
        if percent != last:
            last = percent
            if interactive:
                end = "\n" if done >= total else ""
                sys.stderr.write(f"\r{label}: {done:,}/{total:,} ({percent}%)" + end)
                sys.stderr.flush()
        return True

    return report
