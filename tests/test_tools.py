"""The tooling shared by make run, make test, make bench and make readme: the README block
writer, the offline run, the bench's table and flags, the hang guard, and a site build that
leaves the repository as it found it."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest

from tools import bench, build_site
from tools.course import ROOT, OfflineRun, readme_block, replace_readme_block


def test_replace_readme_block_writes_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("a\n<!-- t:start -->\nold\n<!-- t:end -->\nb\n", encoding="utf-8")
    assert replace_readme_block("t", "new\n", readme) is True
    assert readme.read_text(encoding="utf-8") == "a\n<!-- t:start -->\nnew\n<!-- t:end -->\nb\n"
    assert replace_readme_block("t", "new", readme) is False


@pytest.mark.parametrize("text", ["no markers\n", "<!-- t:start -->\nonly the start\n",
                                  "<!-- t:end -->\n<!-- t:start -->\n",
                                  "<!-- t:start --><!-- t:end --><!-- t:start --><!-- t:end -->"])
def test_replace_readme_block_fails_without_one_pair_of_markers(tmp_path, text):
    readme = tmp_path / "README.md"
    readme.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="needs exactly one <!-- t:start --> ... <!-- t:end -->"):
        replace_readme_block("t", "x", readme)
    assert readme.read_text(encoding="utf-8") == text


def test_offline_run_fails_the_job_on_an_attempt(tmp_path, monkeypatch):
    log = tmp_path / "netlog"
    monkeypatch.setenv("XAI_COURSE_NETLOG", str(log))
    with OfflineRun("a quiet job") as job:
        pass
    assert job.report() == ""
    with pytest.raises(SystemExit, match="NETWORK ACCESS ATTEMPTED during a noisy job"):
        with OfflineRun("a noisy job"):
            log.write_text("pid 1 tried to reach ('192.0.2.1', 80)\n")


def _run(seconds: float, peak: float = 1000.0, code: int = 0, **record) -> bench.Run:
    records = [{"method": "LIME image", "evaluations": 100, "seconds": 10.0, **record}]
    return bench.Run(seconds, peak, code, records)


def test_bench_takes_the_median_and_flags_what_is_over_budget():
    quick = bench.Result("00_quick", [_run(s, floor=12.5, floor_batch=b)
                                       for s, b in ((20.0, 2), (80.0, 8), (30.0, 2))])
    slow = bench.Result("01_slow", [_run(s, peak=3500, floor=20.0, floor_batch=4)
                                    for s in (61.0, 70.0, 65.0)])
    assert quick.seconds == 30.0 and quick.flags() == []
    assert quick.methods()[0]["ratio"] == pytest.approx(0.8)
    assert slow.flags() == ["over 60 s", "over 3 GB", "LIME image below 0.75"]
    table = bench.table([quick, slow], runs=3)
    assert "median of 3 runs" in table
    assert re.search(r"\| 00_quick \| 30\.0 \| 1000 \| LIME image: 10/s of 12/s \(batch 2\) "
                     r"= \*\*0\.80\*\* "
                     r"\| ok \|", table)
    assert "| 01_slow | 65.0 | 3500 |" in table and "| **all** | **95.0** | | | ok |" in table


def test_bench_table_states_the_machine_speed_when_measured():
    result = bench.Result("00_quick", [_run(20.0)])
    assert "machine's speed" not in bench.table([result], runs=1)
    with_speed = bench.table([result], runs=1, speed=14.3)
    assert "14.3 images/s, 0.50 × the 28.6/s" in with_speed


def test_bench_sets_the_run_time_of_the_notebooks_it_measured():
    notebook_table = ("| # | notebook | methods | run time |\n|---|---|---|---|\n"
                      "| 00 | [Intro](x.ipynb) | a, b | ≈ 99 s |\n"
                      "| 01 | [More](y.ipynb) | c | ≈ 5 s |")
    updated = bench.with_run_times(notebook_table, [bench.Result("00_intro", [_run(12.4)])])
    assert "| 00 | [Intro](x.ipynb) | a, b | ≈ 12 s |" in updated
    assert "| 01 | [More](y.ipynb) | c | ≈ 5 s |" in updated, "a row not measured is left alone"
    assert updated.splitlines()[:2] == notebook_table.splitlines()[:2]


def test_readme_block_reads_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("a\n<!-- t:start -->\nold\n<!-- t:end -->\nb\n")
    assert readme_block("t", readme) == "old"
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="exactly one"):
        readme_block("t", readme)


def test_bench_ratio_target_applies_only_where_the_model_is_the_cost():
    tiny_model = bench.Result("04_tabular", [_run(5.0, floor=2_000_000.0, floor_batch=64)])
    assert tiny_model.flags() == [], "a method on a tiny model is bound by its own bookkeeping"
    assert bench.Result("09", [_run(5.0, code=1)]).flags() == ["FAILED"]


def test_the_makefile_guards_against_hangs_not_against_slowness():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    timeout = int(re.search(r"^CELL_TIMEOUT \?= (\d+)$", makefile, re.M).group(1))
    assert timeout >= 300, "a hang guard of minutes, not a speed test"
    assert "--nbval-cell-timeout=$(CELL_TIMEOUT)" in makefile
    conftest = (ROOT / "conftest.py").read_text(encoding="utf-8")
    assert "BUDGET" not in conftest, "no test may fail because a notebook was slow"


def _notebook(tmp_path, code: str):
    path = tmp_path / "tiny.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize(("sleep", "timeout", "passes"), [(2, 120, True), (60, 3, False)])
def test_the_cell_timeout_stops_a_runaway_cell_only(tmp_path, sleep, timeout, passes):
    path = _notebook(tmp_path, f"import time\ntime.sleep({sleep})")
    result = subprocess.run([sys.executable, "-m", "pytest", str(path), "--nbval-lax",
                             "--nbval-current-env", f"--nbval-cell-timeout={timeout}", "-q",
                             "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert (result.returncode == 0) == passes, result.stdout[-2000:]


def test_make_run_writes_only_to_build(tmp_path, monkeypatch):
    """The site build on a one-cell notebook: the README is untouched, the pages land in the
    build folder."""
    before = (ROOT / "README.md").read_bytes()
    notebook = _notebook(tmp_path, "print('hello')")
    notebook.rename(tmp_path / "00_tiny.ipynb")
    built = tmp_path / "build"
    monkeypatch.setattr(build_site, "notebooks", lambda: [tmp_path / "00_tiny.ipynb"])
    monkeypatch.setattr(build_site, "BUILD_DIR", built)
    monkeypatch.setattr(build_site, "EXECUTED_DIR", built / "notebooks")
    monkeypatch.setattr(build_site.report_card, "CSV_PATH", built / "report_card.csv")
    monkeypatch.setattr(build_site, "vendor_static", lambda target: target)
    monkeypatch.setattr(build_site.editions, "build", lambda target: None)
    monkeypatch.setattr(build_site.slides, "build", lambda executed: [])
    assert build_site.main() == 0
    assert (built / "index.html").exists() and (built / "instructor" / "00_tiny.html").exists()
    assert (ROOT / "README.md").read_bytes() == before
