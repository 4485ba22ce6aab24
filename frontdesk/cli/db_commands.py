"""frontdesk db upgrade | db check."""

from __future__ import annotations

import argparse
import sys

from frontdesk.cli.common import Parser, database_url
from frontdesk.db.migrate import SchemaState
from frontdesk.services.platform.bootstrap import check_schema, open_for_use


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    db = subparsers.add_parser("db", help="check or upgrade the database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=Parser)
    upgrade = db_sub.add_parser(
        "upgrade", help="apply pending migrations (a SQLite file is copied aside first)"
    )
    upgrade.set_defaults(handler=run_upgrade)
    check = db_sub.add_parser("check", help="exit 0 when the schema is current, 1 otherwise")
    check.set_defaults(handler=run_check)


def run_upgrade(args: argparse.Namespace) -> int:
    database, copy = open_for_use(database_url(args))
    try:
        if copy is not None:
            print(f"Copied the database to {copy} before upgrading")
        print(f"The database schema is current: {database.describe()}")
    finally:
        database.dispose()
    return 0


def run_check(args: argparse.Namespace) -> int:
    status = check_schema(database_url(args))
    stream = sys.stdout if status.state is SchemaState.CURRENT else sys.stderr
    print(status.describe(), file=stream)
    return 0 if status.state is SchemaState.CURRENT else 1
