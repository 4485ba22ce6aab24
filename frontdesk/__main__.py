"""Entry point: `frontdesk` (or `python -m frontdesk`) opens the app; with arguments, the CLI."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from frontdesk.private_files import sweep_leftovers

    with contextlib.suppress(OSError):
        sweep_leftovers()  # a partial export or backup copy that a crash left behind
    wants_app = not args or (args[0] == "--database" and len(args) == 2)
    if wants_app:
        # Qt is imported only here, so the command line never loads it.
        from frontdesk.ui.app import run_app

        return run_app(database=args[1] if args else None)
    from frontdesk.cli.main import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
