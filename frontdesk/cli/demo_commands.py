"""frontdesk demo [--patients N] [--seed S]: fill the database with realistic synthetic data."""

from __future__ import annotations

import argparse
import sys

from frontdesk.cli.common import Parser, UsageError, progress_printer, service_context
from frontdesk.demo import generator as demo
from frontdesk.demo.inbox import fill_inbox

MAX_PATIENTS = 10_000_000


def _count(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from error
    if not 0 <= value <= MAX_PATIENTS:
        raise argparse.ArgumentTypeError(f"between 0 and {MAX_PATIENTS:,}")
    return value


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    command = subparsers.add_parser(
        "demo",
        help="add a demo practice and synthetic patients (reproducible with --seed)",
        description="Add a demo practice, physicians and synthetic patients. All people are "
        "invented. The same seed gives the same people; it adds to what is there.",
    )
    command.add_argument(
        "--patients", type=_count, default=1000, metavar="N", help="how many (default 1000)"
    )
    command.add_argument("--seed", type=int, default=1, metavar="S", help="default 1")
    command.add_argument(
        "--inbox",
        type=int,
        default=17,
        metavar="N",
        help="faxes waiting in the inbox (default 17; 0 for none)",
    )
    command.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    if args.patients < 0:  # pragma: no cover - argparse already refuses it
        raise UsageError("--patients must be zero or more")
    with service_context(args) as context:
        summary = demo.generate(
            context,
            patients=args.patients,
            seed=args.seed,
            progress=progress_printer("Adding demo patients"),
        )
        faxes = fill_inbox(context, documents=args.inbox, seed=args.seed) if args.inbox > 0 else 0
        where = context.database.describe()
    span = f" ({summary.first_mrn} to {summary.last_mrn})" if summary.patients else ""
    print(
        f"Added {summary.patients:,} demo patients{span}, {summary.referrers} referring "
        f"physicians, {summary.providers} providers and {summary.locations} locations to "
        f"{where} in {summary.seconds:.1f} s"
        + (f"; {faxes} faxes wait in the inbox" if faxes else "")
    )
    sys.stdout.flush()
    return 0
