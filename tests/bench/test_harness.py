"""The benchmark harness: samples, ratios to a baseline, failures that do not stop the run."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.harness import Bench, as_json, discover, run_modules, table, write_results


@pytest.fixture
def fake_modules() -> Iterator[Callable[[str, Callable[[Bench], None]], str]]:
    """Benchmark modules made on the fly, found by the harness as bench.<name>."""
    added: list[str] = []

    def add(name: str, run: Callable[[Bench], None]) -> str:
        module = types.ModuleType(f"bench.{name}")
        module.run = run  # type: ignore[attr-defined]
        sys.modules[module.__name__] = module
        added.append(module.__name__)
        return name

    yield add
    for name in added:
        sys.modules.pop(name, None)


def test_measure_times_repeat_calls_after_the_warmup() -> None:
    bench = Bench()
    calls: list[int] = []
    result = bench.measure("append", lambda: calls.append(1), repeat=7, warmup=3)
    assert len(calls) == 10
    assert len(result.samples) == 7
    assert result.unit == "s"
    assert result.minimum <= result.median <= result.p95 <= result.maximum


def test_ratio_to_a_baseline_of_the_same_run() -> None:
    bench = Bench()
    bench.record("floor", 0.002, "s")
    bench.record("floor", 0.004, "s")  # a second sample of the same figure
    bench.record("start-up", 0.009, "s", baseline="floor")
    bench.record("peak memory", 120, "MB")
    assert bench.find("floor").samples == [0.002, 0.004]  # type: ignore[union-attr]
    assert bench.ratio(bench.find("start-up")) == pytest.approx(3.0)  # type: ignore[arg-type]

    lines = table(bench).splitlines()
    startup = next(line for line in lines if line.startswith("start-up"))
    assert "9.00" in startup and "3.00×" in startup and "ms" in startup and "floor" in startup
    memory = next(line for line in lines if line.startswith("peak memory"))
    assert "120" in memory and "MB" in memory


def test_a_missing_baseline_shows_a_question_mark() -> None:
    bench = Bench()
    bench.record("orphan", 1.5, "s", baseline="never measured")
    row = next(line for line in table(bench).splitlines() if line.startswith("orphan"))
    assert "?" in row


def test_a_failing_module_is_reported_and_the_others_still_run(
    fake_modules: Callable[[str, Callable[[Bench], None]], str], tmp_path: Path
) -> None:
    def broken(bench: Bench) -> None:
        bench.record("before the failure", 1, "rows")
        raise RuntimeError("server went away\nsecond line")

    def working(bench: Bench) -> None:
        bench.measure("quick", lambda: None, repeat=3)

    names = [fake_modules("bench_zz_broken", broken), fake_modules("bench_zz_working", working)]
    bench = Bench()
    with (tmp_path / "progress.txt").open("w", encoding="utf-8") as progress:
        run_modules(bench, names, progress=progress)
    assert "server went away" in (tmp_path / "progress.txt").read_text(encoding="utf-8")

    assert [f.module for f in bench.failures] == ["bench_zz_broken"]
    assert bench.find("quick") is not None
    assert bench.find("before the failure") is not None
    assert "FAILED bench_zz_broken: RuntimeError: server went away" in table(bench)

    path = write_results(as_json(bench, name_filter=None, started=datetime.now(UTC)), tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert path.name == "latest.json"
    assert {r["name"] for r in data["results"]} == {"before the failure", "quick"}
    assert data["failures"][0]["module"] == "bench_zz_broken"
    assert len(next(r for r in data["results"] if r["name"] == "quick")["samples"]) == 3


def test_discovery_finds_the_benchmark_modules_and_filters_by_name() -> None:
    assert "bench_database" in discover()
    assert discover("DATABASE") == ["bench_database"]
    assert discover("no such benchmark") == []
