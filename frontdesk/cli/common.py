"""What every subcommand shares: the parser's error style, opening the database, output."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, NoReturn

from frontdesk.domain.actor import operating_system_actor
from frontdesk.domain.errors import PermissionDeniedError
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import connection
from frontdesk.services.platform.address import names_no_user, resolve_database_url
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.platform.connection import ConnectionProfile
from frontdesk.services.platform.person_sign_in import sign_in_as_person
from frontdesk.services.practice.first_run import has_users
from frontdesk.services.practice.sign_in import sign_in

Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Bad arguments: printed as one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


PASSWORD_ENV = "FRONTDESK_PASSWORD"


def read_secret(prompt: str, env: str, *, what: str = "a password") -> str:
    """A secret from the environment variable ``env``, else typed at a hidden prompt."""
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise UsageError(f"{what} is needed: type it at a terminal or set {env}")
    try:
        return getpass.getpass(prompt)
    except EOFError:
        end_prompt_line()
        raise UsageError(f"{what} is needed: type it at a terminal or set {env}") from None
    except KeyboardInterrupt:
        end_prompt_line()
        raise


def ask(prompt: str) -> str:
    """A line typed at the terminal after ``prompt``; '' on Ctrl+D."""
    try:
        return input(prompt)
    except EOFError:
        end_prompt_line()
        return ""
    except KeyboardInterrupt:
        end_prompt_line()
        raise


def end_prompt_line() -> None:
    """A prompt left without Enter (Ctrl+D, Ctrl+C) ends its line on the terminal, so the
    one-line message that follows starts its own ("Password for ann: frontdesk: …" ran on)."""
    if sys.stderr.isatty():
        sys.stderr.write("\n")
        sys.stderr.flush()


SERVER_PASSWORD_ENV = "FRONTDESK_DB_PASSWORD"


def _server_password(profile: ConnectionProfile) -> str:
    """The shared server's password when the keyring has none: FRONTDESK_DB_PASSWORD or a
    hidden prompt on a terminal (never an argument: it would show in the process list)."""
    return read_secret(
        f"Password of {profile.user} on the practice server {profile.describe()}: ",
        SERVER_PASSWORD_ENV,
        what="the practice server's password",
    )


def database_url(args: argparse.Namespace) -> str:
    """The same order as the app: --database, FRONTDESK_DATABASE_URL, the shared server saved
    in Admin (its password from the keyring, FRONTDESK_DB_PASSWORD or a prompt), else the
    local file."""
    return resolve_database_url(
        getattr(args, "database", None),
        partial(connection.server_url_for_startup, _server_password),
    )


@contextmanager
def service_context(args: argparse.Namespace) -> Iterator[ServiceContext]:
    """Open the database named by --database (migrating it if needed) as the acting user.

    With --user NAME the command acts as that Front Desk user, signed in with the password
    from the prompt or $FRONTDESK_PASSWORD. On a server with per-person roles (a PostgreSQL
    URL without a user name) that password opens the connection as the person's own login
    role, and the server checks it. Without --user, the computer's login acts (recorded as
    "os:NAME"), which is only accepted on a SQLite file or while no user exists: on a shared
    PostgreSQL server anyone who can reach it could otherwise act as an admin.
    """
    with signed_in(args) as (context, _password):
        yield context


@contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[tuple[ServiceContext, str | None]]:
    """``service_context`` with the password that signed in (None without --user)."""
    url = database_url(args)
    username = getattr(args, "user", None)
    if username and names_no_user(url):
        password = read_secret(f"Password for {username}: ", PASSWORD_ENV)
        context = sign_in_as_person(url, username, password)
        try:
            yield context, password
        finally:
            context.database.dispose()
        return
    database, _copy = open_for_use(url)
    try:
        context = make_context(database, operating_system_actor())
        password = None
        if username:
            password = read_secret(f"Password for {username}: ", PASSWORD_ENV)
            context = context.as_actor(sign_in(context, username, password))
        elif not database.is_sqlite and has_users(context):
            raise PermissionDeniedError(
                "This database is on a PostgreSQL server and has Front Desk users: say who you "
                "are with --user NAME (the password is asked, or read from FRONTDESK_PASSWORD)"
            )
        yield context, password
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
