"""The offline guard refuses connections off this machine, in this process and in the
processes it starts (Jupyter kernels are such processes), and logs every attempt."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from netguard import NetworkBlockedError

# 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never routed, so a leak would not reach anyone.
OUTSIDE = ("192.0.2.1", 80)


@pytest.fixture
def private_log(tmp_path, monkeypatch):
    """Send this test's expected attempts to its own log, not the session's."""
    log = tmp_path / "netlog"
    monkeypatch.setenv("XAI_COURSE_NETLOG", str(log))
    return log


def test_outside_connection_is_blocked_and_logged(private_log):
    with pytest.raises(NetworkBlockedError, match="blocked"):
        socket.create_connection(OUTSIDE, timeout=1)
    assert "192.0.2.1" in private_log.read_text()


def test_udp_send_is_blocked(private_log):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(NetworkBlockedError):
            udp.sendto(b"x", ("192.0.2.1", 53))


def test_loopback_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=1):
            pass


def test_child_processes_are_guarded(private_log):
    code = f"import socket; socket.create_connection({OUTSIDE!r}, timeout=1)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=os.environ.copy(), timeout=60)
    assert result.returncode != 0
    assert "NetworkBlockedError" in result.stderr
    assert "192.0.2.1" in private_log.read_text()


def test_jupyter_kernels_are_guarded(private_log, tmp_path):
    """A notebook cell that goes online fails, as it would under nbval or `make run`."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    from tools.course import execute

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        f"import socket\nsocket.create_connection({OUTSIDE!r}, timeout=1)")]
    path = tmp_path / "online.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(CellExecutionError, match="NetworkBlockedError"):
        execute(path, timeout=60)
    assert "192.0.2.1" in private_log.read_text()
