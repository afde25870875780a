"""``make bench``: the course's budgets, measured. Each notebook is executed several times, each
time in a fresh process and kernel, round by round (so a burst of load on the machine touches
every notebook alike). For each notebook it records

* wall-clock seconds (the median over the runs is what the budget judges),
* peak memory (the largest resident set of the run's processes, the kernel included),
* for every cell that reports a perturbation method through ``utils.env.record_throughput``:
  the method's model evaluations per second, the bare model's forward throughput measured in
  the same kernel (``utils.env.measure_forward_rate``), and their ratio: 1.0 means that all of
  the method's time goes into the model.

It writes ``build/bench.md`` and the README's bench table (with the date), and flags what is
over budget. Budgets: <= 60 s median and <= 3 GB per notebook, <= 12 min for the whole course,
and a ratio >= 0.75 for every method whose model is the cost (under 1,000 inputs a second).

    python -m tools.bench [--runs N] [NOTEBOOK_STEM ...]   # all notebooks, 3 runs by default
    python -m tools.bench notebooks/NN_name.ipynb           # execute one notebook, once
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.course import (
    BUILD_DIR,
    ROOT,
    OfflineRun,
    execute,
    notebooks,
    readme_block,
    replace_readme_block,
)

SECONDS_BUDGET = 60.0  # median wall seconds per notebook
MEMORY_BUDGET_MB = 3072
COURSE_BUDGET_SECONDS = 12 * 60  # the sum of the medians
RATIO_TARGET = 0.75  # a perturbation method's rate over the bare model's
COSTLY_MODEL_RATE = 1000.0  # inputs/s; below this the model, not the bookkeeping, is the cost
DEFAULT_RUNS = 3


@dataclass
class Run:
    """One execution of one notebook."""

    seconds: float  # wall time, less the time spent measuring the forward floor
    peak_mb: float
    exit_code: int
    records: list[dict]  # what record_throughput logged


@dataclass
class Result:
    """All runs of one notebook, summarised."""

    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    def methods(self) -> list[dict]:
        """Per perturbation method (in the order the notebook reports them): the median rate,
        floor, its most frequent best batch and the ratio over the runs."""
        names = list(dict.fromkeys(rec["method"] for run in self.runs for rec in run.records))
        summary = []
        for name in names:
            records = [rec for run in self.runs for rec in run.records if rec["method"] == name]
            rates = [rec["evaluations"] / rec["seconds"] for rec in records]
            entry = {"method": name, "rate": statistics.median(rates)}
            with_floor = [rec for rec in records if "floor" in rec]
            if with_floor:
                entry["floor"] = statistics.median(rec["floor"] for rec in with_floor)
                entry["floor_batch"] = statistics.mode(rec["floor_batch"] for rec in with_floor)
                entry["ratio"] = statistics.median(
                    rec["evaluations"] / rec["seconds"] / rec["floor"] for rec in with_floor)
            summary.append(entry)
        return summary

    def flags(self) -> list[str]:
        flags = ["FAILED"] if any(r.exit_code for r in self.runs) else []
        if self.seconds > SECONDS_BUDGET:
            flags.append(f"over {SECONDS_BUDGET:.0f} s")
        if self.peak_mb > MEMORY_BUDGET_MB:
            flags.append(f"over {MEMORY_BUDGET_MB / 1024:.0f} GB")
        flags += [f"{m['method']} below {RATIO_TARGET}" for m in self.methods()
                  if m.get("floor", COSTLY_MODEL_RATE) < COSTLY_MODEL_RATE
                  and m["ratio"] < RATIO_TARGET]
        return flags


def measure(path: Path) -> Run:
    """Execute one notebook in a child process and kernel.

    ``os.wait4`` reports the child's peak resident set including the processes it waited for,
    so the Jupyter kernel's memory is counted. The seconds the kernel spent measuring forward
    floors (only under the bench) are taken off the wall time.
    """
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as log:
        env = {**os.environ, "XAI_COURSE_BENCH_LOG": log.name}
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "tools.bench", str(path)], cwd=ROOT,
                                 env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        records = [json.loads(line) for line in Path(log.name).read_text().splitlines()]
    floor_seconds = sum(rec.get("floor_seconds", 0.0) for rec in records)
    return Run(seconds - floor_seconds, usage.ru_maxrss / 1024,
               os.waitstatus_to_exitcode(status), records)


REFERENCE_RATE = 28.6  # images/s of the reference measurement on the 2-core machine of issue 14


def reference_speed() -> float:
    """This machine's speed in one number: EfficientNet-Lite0's bare forward throughput on
    224 x 224 inputs at batch 8, the measurement issue 14 quotes (28.6/s on its 2-core machine).
    Machines differ by 2x or more, so a table's seconds are read against it."""
    import torch

    from utils.env import measure_forward_rate
    from utils.models import load_image_classifier

    model = load_image_classifier().model
    rate, _ = measure_forward_rate(model, torch.zeros(3, 224, 224), batch_sizes=(8,),
                                   min_seconds=1.0)
    return rate


def _rates(result: Result) -> str:
    parts = []
    for m in result.methods():
        if "floor" in m:
            parts.append(f"{m['method']}: {m['rate']:,.0f}/s of {m['floor']:,.0f}/s "
                         f"(batch {m['floor_batch']}) = **{m['ratio']:.2f}**")
        else:
            parts.append(f"{m['method']}: {m['rate']:,.0f}/s")
    return "; ".join(parts) or "—"


def table(results: list[Result], runs: int, speed: float | None = None) -> str:
    """The Markdown table of the README and build/bench.md; ``speed`` is the machine's
    :func:`reference_speed`, printed with the table when given."""
    cpu = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    total = sum(r.seconds for r in results)
    lines = [
        f"Measured by `make bench` on {cpu}, {time.strftime('%Y-%m-%d')}: the median of {runs} "
        "runs per notebook, each in a fresh kernel (the seconds exclude the bench's own "
        "measurement of the bare model), and the largest peak memory of those runs. A "
        "perturbation method's rate is shown against the bare model's forward throughput "
        "measured in the same run; the ratio 1.00 means that all of its time goes into the model.",
        ""]
    if speed is not None:
        lines += [f"This machine's speed: EfficientNet-Lite0 forward on 224 × 224 images at "
                  f"batch 8, {speed:.1f} images/s, {speed / REFERENCE_RATE:.2f} × the "
                  f"{REFERENCE_RATE}/s of the 2-core machine that issue 14 measured: compare "
                  "tables from different machines through this number.", ""]
    lines += [
        "| notebook | median wall s | peak MB | perturbation methods: evaluations/s of the bare "
        "model's, ratio | status |",
        "|---|---:|---:|---|---|"]
    for result in results:
        lines.append(f"| {result.name} | {result.seconds:.1f} | {result.peak_mb:.0f} | "
                     f"{_rates(result)} | {', '.join(result.flags()) or 'ok'} |")
    verdict = "ok" if total <= COURSE_BUDGET_SECONDS else f"over {COURSE_BUDGET_SECONDS // 60} min"
    lines.append(f"| **all** | **{total:.1f}** | | | {verdict} |")
    return "\n".join(lines)


def with_run_times(notebook_table: str, results: list[Result]) -> str:
    """The README's notebook table with each measured notebook's run-time cell (the last one)
    set to its median, rounded to the second; rows of notebooks not measured are left alone."""
    medians = {r.name[:2]: r.seconds for r in results}
    lines = []
    for line in notebook_table.splitlines():
        number = line.split("|")[1].strip() if line.startswith("| ") else ""
        if number in medians:
            cells = line.rstrip().rstrip("|").split("|")
            line = "|".join(cells[:-1] + [f" ≈ {medians[number]:.0f} s "]) + "|"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("stems", nargs="*",
                        help="notebooks to measure (default: all), or one .ipynb path to execute")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with OfflineRun("make bench"):
        if len(args.stems) == 1 and args.stems[0].endswith(".ipynb"):
            execute(Path(args.stems[0]))  # one run, in the child process measure() starts
            return 0
        paths = [p for p in notebooks() if not args.stems or p.stem in args.stems]
        if not paths:
            parser.error(f"no notebook named {args.stems}")
        results = [Result(p.stem) for p in paths]
        speed = reference_speed()
        print(f"reference speed: {speed:.1f} images/s", flush=True)
        for round_number in range(1, args.runs + 1):
            for path, result in zip(paths, results, strict=True):
                run = measure(path)
                result.runs.append(run)
                print(f"run {round_number}/{args.runs} {path.name}: {run.seconds:.1f} s, "
                      f"{run.peak_mb:.0f} MB, exit {run.exit_code}", flush=True)
        report = table(results, args.runs, speed)
        BUILD_DIR.mkdir(exist_ok=True)
        (BUILD_DIR / "bench.md").write_text(report + "\n", encoding="utf-8")
        if not args.stems:  # only a full run replaces the README's table
            replace_readme_block("bench", report)
            replace_readme_block("notebooks", with_run_times(readme_block("notebooks"), results))
            print("README bench table and the notebook table's run times replaced by this run's")
        print(report)
    over = [r.name for r in results if r.flags()]
    if over:
        print(f"over budget or failed: {', '.join(over)}")
    return 1 if any(any(run.exit_code for run in r.runs) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
