"""frontdesk users add | list | deactivate | reactivate | reset-password | unlock."""

from __future__ import annotations

import argparse
import os

from frontdesk.cli.common import Parser, UsageError, print_json, read_secret, service_context
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.passwords import password_problem
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.accounts import normalize_username
from frontdesk.services.practice.first_run import create_first_admin, has_users
from frontdesk.services.practice.forms import NewUserForm, UserData
from frontdesk.services.practice.users import (
    create_user,
    deactivate_user,
    find_user,
    list_users,
    reactivate_user,
    reset_password,
    unlock_user,
)

NEW_PASSWORD_ENV = "FRONTDESK_NEW_PASSWORD"


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    command = subparsers.add_parser("users", help="Front Desk accounts (admins only)")
    sub = command.add_subparsers(dest="users_command", required=True, parser_class=Parser)

    add = sub.add_parser(
        "add",
        help="add an account; with no accounts yet, this creates the first admin "
        f"(the new password is asked twice, or read from ${NEW_PASSWORD_ENV})",
    )
    add.add_argument("username")
    add.add_argument("--role", choices=[role.value for role in Role])
    add.add_argument("--name", default="", help="display name, e.g. 'Maria Lopez'")
    add.set_defaults(handler=run_add)

    listing = sub.add_parser("list", help="list accounts")
    listing.add_argument("--active", action="store_true", help="only active accounts")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=run_list)

    for name, handler, text in (
        ("deactivate", run_deactivate, "stop an account signing in (it is never deleted)"),
        ("reactivate", run_reactivate, "let a deactivated account sign in again"),
        ("unlock", run_unlock, "lift a lockout after too many failed sign-ins"),
        (
            "reset-password",
            run_reset_password,
            f"set a new password (asked twice, or read from ${NEW_PASSWORD_ENV})",
        ),
    ):
        action = sub.add_parser(name, help=text)
        action.add_argument("username")
        action.set_defaults(handler=handler)


def _new_password(username: str) -> str:
    if os.environ.get(NEW_PASSWORD_ENV):
        return os.environ[NEW_PASSWORD_ENV]
    prompt = f"New password for {username}: "
    password = read_secret(prompt, NEW_PASSWORD_ENV, what="the new password")
    # Say what is wrong before asking again, so nobody types a refused password twice.
    problem = password_problem(password, username=username)
    if problem:
        raise ValidationError({"password": problem})
    if read_secret("Type it again: ", NEW_PASSWORD_ENV, what="the new password") != password:
        raise ValidationError({"password": "the two passwords differ; nothing was changed"})
    return password


def _describe(user: UserData) -> str:
    state = "active" if user.active else "deactivated"
    if user.is_locked():
        state += ", locked"
    name = f" ({user.display_name})" if user.display_name else ""
    return f"{user.username}{name}: {user.role.label}, {state}"


def run_add(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        first = not has_users(context)
        if first and args.role not in (None, Role.ADMIN.value):
            raise UsageError("the first account must be an admin (--role admin)")
        if not first and args.role is None:
            raise UsageError("choose a --role: admin, front_desk or clinical")
        username = normalize_username(args.username)
        form = NewUserForm(
            username=args.username,
            password=_new_password(username),
            role=Role(args.role or Role.ADMIN.value),
            display_name=args.name,
        )
        created = create_first_admin(context, form) if first else create_user(context, form)
    print(f"Added {_describe(created)}" + (" (the first admin)" if first else ""))
    return 0


def run_list(args: argparse.Namespace) -> int:
    with service_context(args) as context:
        accounts = list_users(context, include_inactive=not args.active)
    if args.json:
        print_json(
            [
                {
                    "id": user.id,
                    "username": user.username,
                    "display_name": user.display_name,
                    "role": user.role.value,
                    "active": user.active,
                    "locked_until": user.locked_until.isoformat() if user.is_locked() else None,
                    "password_changed_at": user.password_changed_at,
                    "created_at": user.created_at,
                }
                for user in accounts
            ]
        )
        return 0
    if not accounts:
        print("No accounts yet: 'frontdesk users add NAME' creates the first admin")
    for user in accounts:
        print(_describe(user))
    return 0


def _act(args: argparse.Namespace, verb: str) -> UserData:
    with service_context(args) as context:
        user = find_user(context, args.username)
        return _apply(context, verb, user)


def _apply(context: ServiceContext, verb: str, user: UserData) -> UserData:
    if verb == "deactivate":
        return deactivate_user(context, user.id, user.version)
    if verb == "reactivate":
        return reactivate_user(context, user.id, user.version)
    if verb == "unlock":
        return unlock_user(context, user.id)
    return reset_password(context, user.id, _new_password(user.username))


def run_deactivate(args: argparse.Namespace) -> int:
    print(f"Deactivated {_describe(_act(args, 'deactivate'))}")
    return 0


def run_reactivate(args: argparse.Namespace) -> int:
    print(f"Reactivated {_describe(_act(args, 'reactivate'))}")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    print(f"Unlocked {_describe(_act(args, 'unlock'))}")
    return 0


def run_reset_password(args: argparse.Namespace) -> int:
    user = _act(args, "reset-password")
    print(f"Set a new password for {user.username}")
    return 0
