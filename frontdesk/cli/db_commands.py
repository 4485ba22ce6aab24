"""frontdesk db upgrade | db check | db setup-roles."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.engine import make_url

from frontdesk.cli.common import Parser, UsageError, database_url, signed_in
from frontdesk.db.migrate import SchemaState
from frontdesk.db.server_roles import setup_sql
from frontdesk.domain.actor import operating_system_actor
from frontdesk.services.platform.bootstrap import check_schema, make_context, open_for_use
from frontdesk.services.platform.person_roles import refresh_person_roles, set_up_person_roles


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    db = subparsers.add_parser("db", help="check or upgrade the database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=Parser)
    upgrade = db_sub.add_parser(
        "upgrade", help="apply pending migrations (a SQLite file is copied aside first)"
    )
    upgrade.set_defaults(handler=run_upgrade)
    check = db_sub.add_parser("check", help="exit 0 when the schema is current, 1 otherwise")
    check.set_defaults(handler=run_check)
    roles = db_sub.add_parser(
        "setup-roles",
        help="give each Front Desk user their own PostgreSQL login (as the owner, with "
        "--user ADMIN; again after adding tables by hand)",
    )
    roles.add_argument(
        "--sql",
        action="store_true",
        help="print the statements for the database instead of running them",
    )
    roles.set_defaults(handler=run_setup_roles)


def run_upgrade(args: argparse.Namespace) -> int:
    database, copy = open_for_use(database_url(args))
    try:
        if copy is not None:
            print(f"Copied the database to {copy} before upgrading")
        print(f"The database schema is current: {database.describe()}")
        if refresh_person_roles(make_context(database, operating_system_actor())):
            print("Granted the per-person roles their rights on the current tables")
    finally:
        database.dispose()
    return 0


def run_setup_roles(args: argparse.Namespace) -> int:
    url = database_url(args)
    if args.sql:
        name = make_url(url).database if url.startswith("postgresql") else None
        sys.stdout.write(setup_sql(name or "frontdesk"))
        return 0
    if not getattr(args, "user", None) and url.startswith("postgresql"):
        raise UsageError(
            "say which admin runs this with --user NAME (their password becomes the "
            "password of their own database login)"
        )
    with signed_in(args) as (context, password):
        done = set_up_person_roles(context, password)
    print(f"Per-person roles are set up on {done.database}: groups {', '.join(done.groups)}")
    for login in done.logins:
        print(f"  login role {login}")
    if done.without_password:
        print(
            "These accounts have no database password yet; an admin resets each one "
            "(Admin → Users, or 'frontdesk users reset-password NAME'): "
            + ", ".join(done.without_password)
        )
    return 0


def run_check(args: argparse.Namespace) -> int:
    status = check_schema(database_url(args))
    stream = sys.stdout if status.state is SchemaState.CURRENT else sys.stderr
    print(status.describe(), file=stream)
    return 0 if status.state is SchemaState.CURRENT else 1
