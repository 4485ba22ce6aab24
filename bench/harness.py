"""The benchmark harness: timed samples and one-off figures, one table, results as JSON."""

from __future__ import annotations

import gc
import importlib
import json
import math
import os
import pkgutil
import platform
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
MODULE_PREFIX = "bench_"
SECONDS = "s"
TIME_UNITS = (("s", 1.0), ("ms", 1e3), ("µs", 1e6))


@dataclass
class Result:
    """One named figure: the samples of a timing (seconds) or of a recorded value."""

    name: str
    unit: str
    module: str
    samples: list[float] = field(default_factory=list)
    baseline: str | None = None

    @property
    def is_timing(self) -> bool:
        return self.unit == SECONDS

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """The nearest-rank 95th percentile: with few samples, the slowest one."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def minimum(self) -> float:
        return min(self.samples)

    @property
    def maximum(self) -> float:
        return max(self.samples)

    @property
    def spread(self) -> float | None:
        """The interquartile range over the median: how much typical runs differ.

        Quartiles, not min and max: one run that met a garbage collection or a busy
        neighbour process should not make a steady figure look unsteady (max is in p95 and
        the JSON).
        """
        if len(self.samples) < 2 or self.median == 0:
            return None
        lower, _middle, upper = statistics.quantiles(self.samples, n=4, method="inclusive")
        return (upper - lower) / self.median


@dataclass(frozen=True)
class Failure:
    module: str
    error: str


class Bench:
    """What a benchmark module's ``run(bench)`` reports to.

    ``measure`` times a call several times; ``record`` keeps a figure measured some other
    way (a whole process's seconds, peak MB). Recording the same name again adds a sample.
    ``baseline`` names another result of the same run (timed or recorded, in any module),
    and the table shows this result's median as a multiple of that one's.
    """

    def __init__(self, *, progress: TextIO | None = None) -> None:
        self.results: list[Result] = []
        self.failures: list[Failure] = []
        self.module = ""
        self._progress = progress

    def measure(
        self,
        name: str,
        fn: Callable[[], object],
        repeat: int = 5,
        warmup: int = 1,
        baseline: str | None = None,
    ) -> Result:
        """Call ``fn`` ``warmup`` times untimed, then ``repeat`` times timed (perf_counter)."""
        if repeat < 1:
            raise ValueError("repeat must be at least 1")
        for _ in range(warmup):
            fn()
        gc.collect()  # garbage left by setup is not this call's cost
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        result = self._result(name, SECONDS, baseline)
        result.samples.extend(samples)
        median = " ".join(format_value(result.median, SECONDS))
        self._say(f"  {name}: {median} (median of {repeat})")
        return result

    def record(self, name: str, value: float, unit: str, baseline: str | None = None) -> Result:
        """A figure measured by the module itself; ``unit`` "s" makes it a timing."""
        result = self._result(name, unit, baseline)
        result.samples.append(float(value))
        self._say(f"  {name}: {' '.join(format_value(value, unit))}")
        return result

    def find(self, name: str) -> Result | None:
        return next((result for result in self.results if result.name == name), None)

    def ratio(self, result: Result) -> float | None:
        """This result's median over its baseline's, when both exist in the same unit."""
        if result.baseline is None:
            return None
        base = self.find(result.baseline)
        if base is None or base.unit != result.unit or base.median == 0:
            return None
        return result.median / base.median

    def _result(self, name: str, unit: str, baseline: str | None) -> Result:
        existing = self.find(name)
        if existing is not None:
            if existing.unit != unit:
                raise ValueError(f"{name!r} was recorded in {existing.unit}, not {unit}")
            return existing
        result = Result(name=name, unit=unit, module=self.module, baseline=baseline)
        self.results.append(result)
        return result

    def _say(self, line: str) -> None:
        if self._progress is not None:
            print(line, file=self._progress, flush=True)


def _number(value: float) -> str:
    """Three or so significant digits, never in e-notation."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def format_value(value: float, unit: str) -> tuple[str, str]:
    """A number and its unit for the table; timings scale to s, ms or µs."""
    if unit == SECONDS:
        for display_unit, factor in TIME_UNITS:
            if abs(value) * factor >= 1 or display_unit == "µs":
                return _number(value * factor), display_unit
    if float(value).is_integer():
        return f"{int(value):,}", unit
    return _number(value), unit


def _scaled(value: float, unit: str, display_unit: str) -> str:
    """``value`` in the unit the row's median is shown in."""
    if unit != SECONDS:
        return format_value(value, unit)[0]
    return _number(value * dict(TIME_UNITS)[display_unit])


def table(bench: Bench) -> str:
    """The run's results as a plain text table, failures last."""
    header = ("name", "median", "p95", "spread", "ratio", "unit", "baseline")
    rows: list[tuple[str, ...]] = []
    for result in bench.results:
        median_text, display_unit = format_value(result.median, result.unit)
        several = len(result.samples) > 1
        ratio = bench.ratio(result)
        if result.baseline is None:
            ratio_text = ""
        elif ratio is None:
            ratio_text = "?"  # the baseline failed or was not measured in this run
        else:
            ratio_text = f"{_number(ratio)}×"
        spread = result.spread
        rows.append(
            (
                result.name,
                median_text,
                _scaled(result.p95, result.unit, display_unit) if several else "-",
                f"{spread * 100:.0f}%" if spread is not None else "-",
                ratio_text,
                display_unit,
                result.baseline or "",
            )
        )
    for failure in bench.failures:
        rows.append((f"FAILED {failure.module}: {failure.error}", "", "", "", "", "", ""))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {1, 2, 3, 4}

    def line(cells: tuple[str, ...]) -> str:
        if cells[0].startswith("FAILED "):
            return cells[0]
        parts = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    lines = [line(header), "  ".join("-" * width for width in widths)]
    lines.extend(line(row) for row in rows)
    return "\n".join(lines)


def discover(name_filter: str | None = None) -> list[str]:
    """The benchmark modules (``bench/bench_*.py``) whose name contains ``name_filter``."""
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(BENCH_DIR)])
        if info.name.startswith(MODULE_PREFIX)
    )
    if name_filter:
        wanted = name_filter.lower()
        names = [name for name in names if wanted in name.lower()]
    return names


def run_modules(bench: Bench, names: Iterable[str], *, progress: TextIO = sys.stderr) -> None:
    """Run each module's ``run(bench)``; one that raises is noted and the others still run."""
    for name in names:
        bench.module = name
        print(f"{name} ...", file=progress, flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"{BENCH_DIR.name}.{name}")
            module.run(bench)
        except Exception as error:
            traceback.print_exc(file=progress)
            message = str(error).strip().splitlines()
            bench.failures.append(
                Failure(name, f"{type(error).__name__}: {message[0] if message else ''}")
            )
        elapsed = time.perf_counter() - started
        print(f"{name} done in {elapsed:.1f} s", file=progress, flush=True)
    bench.module = ""


def _git_commit() -> str:
    try:
        finished = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BENCH_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return ""
    return finished.stdout.strip()


def as_json(bench: Bench, *, name_filter: str | None, started: datetime) -> dict[str, Any]:
    results = []
    for result in bench.results:
        results.append(
            {
                "name": result.name,
                "module": result.module,
                "unit": result.unit,
                "median": result.median,
                "p95": result.p95,
                "min": result.minimum,
                "max": result.maximum,
                "spread": result.spread,
                "samples": result.samples,
                "baseline": result.baseline,
                "ratio": bench.ratio(result),
            }
        )
    return {
        "started": started.isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "filter": name_filter,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "results": results,
        "failures": [{"module": f.module, "error": f.error} for f in bench.failures],
    }


def write_results(data: dict[str, Any], folder: Path = RESULTS_DIR) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "latest.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(name_filter: str | None = None) -> int:
    """Run the matching modules, print the table, write results/latest.json."""
    started = datetime.now(UTC)
    names = discover(name_filter)
    if not names:
        print(f"No benchmark module matches {name_filter!r}", file=sys.stderr)
        return 2
    bench = Bench(progress=sys.stderr)
    run_modules(bench, names)
    print()
    print(table(bench))
    path = write_results(as_json(bench, name_filter=name_filter, started=started))
    print(f"\nResults written to {path}")
    return 1 if bench.failures else 0
