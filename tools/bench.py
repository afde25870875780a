"""``make bench``: run each notebook in a fresh process and kernel; record wall-clock seconds,
peak memory (largest resident set of the run's processes, the kernel included) and the model
evaluations per second that perturbation cells report through
``utils.env.record_throughput``; write ``build/bench.md`` and the README's bench table.

    python -m tools.bench            # all notebooks
    python -m tools.bench NOTEBOOK   # (internal) execute one notebook and exit
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.course import (
    BUDGET_SECONDS,
    BUILD_DIR,
    ROOT,
    enable_offline_guard,
    execute,
    network_attempts,
    notebooks,
    quiet_environment,
)

README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
MEMORY_BUDGET_MB = 3072


def measure(path: Path) -> tuple[float, float, int, str]:
    """Execute one notebook in a child process; return (wall s, peak MB, exit status,
    throughputs), the last being what its cells reported through ``record_throughput``.

    ``os.wait4`` reports the child's peak resident set including the processes it waited for,
    so the Jupyter kernel's memory is counted.
    """
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as log:
        env = {**os.environ, "XAI_COURSE_BENCH_LOG": log.name}
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "tools.bench", str(path)], cwd=ROOT,
                                 env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        records = [json.loads(line) for line in Path(log.name).read_text().splitlines()]
    rates = "; ".join(f"{r['method']} {r['evaluations'] / r['seconds']:,.0f}" for r in records)
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), rates


def table(results: list[tuple[str, float, float, int, str]]) -> str:
    cpu = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    lines = [f"Measured by `make bench` on {cpu}, {time.strftime('%Y-%m-%d')}.", "",
             "| notebook | wall s | peak MB | model evaluations per second | status |",
             "|---|---:|---:|---|---|"]
    for name, seconds, peak, code, rates in results:
        flags = [] if code == 0 else ["FAILED"]
        flags += ["over time budget"] if seconds > BUDGET_SECONDS else []
        flags += ["over memory budget"] if peak > MEMORY_BUDGET_MB else []
        lines.append(f"| {name} | {seconds:.1f} | {peak:.0f} | {rates or '—'} | "
                     f"{', '.join(flags) or 'ok'} |")
    total = sum(r[1] for r in results)
    lines.append(f"| **all** | **{total:.1f}** | | | |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    quiet_environment()
    netlog = enable_offline_guard()
    if argv:
        execute(Path(argv[0]))
        return 0
    results = []
    for path in notebooks():
        seconds, peak, code, rates = measure(path)
        print(f"{path.name}: {seconds:.1f} s, {peak:.0f} MB, exit {code}", flush=True)
        results.append((path.stem, seconds, peak, code, rates))
    report = table(results)
    BUILD_DIR.mkdir(exist_ok=True)
    (BUILD_DIR / "bench.md").write_text(report + "\n", encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    README.write_text(pattern.sub(f"{START}\n{report}\n{END}", readme), encoding="utf-8")
    print(report)
    if network_attempts(netlog):
        print("NETWORK ACCESS ATTEMPTED:\n" + network_attempts(netlog))
        return 1
    return 0 if all(r[3] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
