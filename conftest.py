"""Test-session set-up shared by the unit tests and the nbval notebook run.

* Every process the session starts (Jupyter kernels included) refuses network connections;
  any attempt fails the session, even one a library caught and recovered from.
* nbval never compares stderr, HTML or JavaScript output (only asserts decide).
* Each notebook's total execution time is reported and held to the course's budget.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tools.course import BUDGET_SECONDS, enable_offline_guard, network_attempts, quiet_environment

_NOTEBOOK_SECONDS: dict[str, float] = defaultdict(float)
_NETLOG = None


def pytest_configure(config: pytest.Config) -> None:
    global _NETLOG
    quiet_environment()
    _NETLOG = enable_offline_guard()
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
        terminalreporter.section("notebook run times (nbval, seconds)")
        for path, seconds in sorted(_NOTEBOOK_SECONDS.items()):
            flag = "  OVER BUDGET" if seconds > BUDGET_SECONDS else ""
            terminalreporter.write_line(f"{seconds:7.1f}  {path}{flag}")
        terminalreporter.write_line(f"{sum(_NOTEBOOK_SECONDS.values()):7.1f}  total")
    attempts = network_attempts(_NETLOG) if _NETLOG else ""
    if attempts:
        terminalreporter.section("NETWORK ACCESS ATTEMPTED (the course must run offline)")
        terminalreporter.write_line(attempts)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    over = [p for p, s in _NOTEBOOK_SECONDS.items() if s > BUDGET_SECONDS]
    if (_NETLOG and network_attempts(_NETLOG)) or over:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
