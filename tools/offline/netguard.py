"""A network guard: any attempt to open a connection to a non-loopback address raises
``NetworkBlockedError`` and is appended to the file named by ``$XAI_COURSE_NETLOG``.

The log makes the attempt visible even where a library catches the exception and falls back,
so the test session and ``make run`` can fail on it afterwards.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import traceback

_INSTALLED = False


class NetworkBlockedError(RuntimeError):
    """Raised instead of opening a network connection while the course runs offline."""


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and other non-IP families stay on this machine
    host = str(address[0]).split("%")[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost would need the network to resolve


def _record(address: object) -> None:
    where = "".join(traceback.format_stack(limit=8)[:-2])
    line = f"pid {os.getpid()} ({' '.join(sys.argv)[:120]}) tried to reach {address!r}\n{where}\n"
    path = os.environ.get("XAI_COURSE_NETLOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(line)


def _guarded(method):
    def wrapper(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
            _record(address)
            raise NetworkBlockedError(
                f"network access to {address!r} is blocked: the course must run offline "
                "(data and models come from installed packages or data/)"
            )
        return method(self, address, *args, **kwargs)

    wrapper.__name__ = method.__name__
    return wrapper


def install() -> None:
    """Patch ``socket.socket`` so that non-loopback connects and sends are refused (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    socket.socket.connect = _guarded(socket.socket.connect)
    socket.socket.connect_ex = _guarded(socket.socket.connect_ex)

    original_sendto = socket.socket.sendto

    def sendto(self, data, *args):
        address = args[-1]
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
            _record(address)
            raise NetworkBlockedError(f"network access to {address!r} is blocked (offline run)")
        return original_sendto(self, data, *args)

    socket.socket.sendto = sendto
    _INSTALLED = True
