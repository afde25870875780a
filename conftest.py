"""Test-session set-up shared by the unit tests and the nbval notebook run.

* Every process the session starts (Jupyter kernels included) refuses network connections;
  any attempt fails the session, even one a library caught and recovered from.
* nbval never compares stderr, HTML or JavaScript output (only asserts decide).
* Each notebook's total execution time is printed as information. Speed is judged by
  ``make bench``, never here: a busy machine must not turn the tests red. The only time limit
  is the Makefile's hang guard (``--nbval-cell-timeout``), minutes per cell.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tools.course import OfflineRun

_NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)
_OFFLINE = OfflineRun("the test session")


def pytest_configure(config: pytest.Config) -> None:
    _OFFLINE.__enter__()  # left by pytest_sessionfinish's verdict, not by a with block
    _skip_stderr_in_nbval()


def _skip_stderr_in_nbval() -> None:
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:
        return
    original = IPyNbCell.compare_outputs
    if getattr(original, "_drops_stderr", False):
        return

    def compare_without_stderr(self, test, ref, skip_compare=None):
        def keep(outputs):
            return [o for o in outputs
                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]

        return original(self, keep(test), keep(ref), skip_compare)

    compare_without_stderr._drops_stderr = True
    IPyNbCell.compare_outputs = compare_without_stderr


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parent = item.parent
        if hasattr(parent, "skip_compare") and "text/html" not in parent.skip_compare:
            parent.skip_compare = (*parent.skip_compare, "text/html", "application/javascript")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] += report.duration


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _NOTEBOOK_SECONDS:
        terminalreporter.section("notebook run times (nbval, seconds; information only, "
                                 "the budgets live in make bench)")
        for path, seconds in sorted(_NOTEBOOK_SECONDS.items()):
            terminalreporter.write_line(f"{seconds:7.1f}  {path}")
        terminalreporter.write_line(f"{sum(_NOTEBOOK_SECONDS.values()):7.1f}  total")
    if _OFFLINE.report():
        terminalreporter.section("network access attempted")
        terminalreporter.write_line(_OFFLINE.report())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _OFFLINE.report():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
