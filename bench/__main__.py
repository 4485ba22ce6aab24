"""Run the benchmarks: ``python -m bench [NAME_FILTER]`` (``make bench`` runs them all).

Every module ``bench/bench_<area>.py`` is a benchmark; NAME_FILTER keeps only the modules
whose name contains it (``python -m bench database``). Progress goes to stderr; at the end one
table goes to stdout (median, p95, spread = interquartile range / median, and the ratio to a
baseline measured in the same run) and every sample to ``bench/results/latest.json`` (git-ignored).
A module that raises is listed as FAILED under the table, the others still run, and the exit
status is then 1.

Adding a benchmark: create ``bench/bench_<area>.py`` with a one-line docstring and::

    def run(bench: Bench) -> None:   # from bench.harness import Bench
        # Build what the figure needs here (a temporary database, demo data...): setup is
        # not timed, and clean up in a ``finally`` so a failure leaves nothing behind.
        bench.measure("raw SELECT 1", lambda: connection.execute("SELECT 1"), repeat=200)
        bench.measure(
            "list_providers", lambda: practice.list_providers(context),
            repeat=200, warmup=5, baseline="raw SELECT 1",
        )
        bench.record("cold start to a shown window", seconds, "s")  # again = one more sample
        bench.record("peak memory", megabytes, "MB")

``measure`` calls ``fn`` ``warmup`` times untimed, then ``repeat`` times with
``time.perf_counter``. ``record`` keeps a figure measured another way (a whole process timed
from outside, peak RSS); the unit "s" makes it a timing, and recording the same name again
adds a sample. ``baseline`` names another result of the same run, so the ratio says "N times
the floor" on whatever machine runs it. Names are unique across modules: prefix them with the
area. Figures belong here, never as timed assertions in tests.
"""

from __future__ import annotations

import argparse
import sys

from bench.harness import discover, main


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "name_filter", nargs="?", default=None, help="run only modules whose name contains this"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmark modules and stop")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_arguments(sys.argv[1:])
    if arguments.list:
        print("\n".join(discover(arguments.name_filter)))
        sys.exit(0)
    sys.exit(main(arguments.name_filter))
