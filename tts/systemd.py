"""systemd's notify protocol (sd_notify), without a dependency: one datagram per message.

Under `Type=notify` systemd passes a socket in $NOTIFY_SOCKET (a path, or an abstract name
written with a leading "@") and, with `WatchdogSec=`, the interval in $WATCHDOG_USEC (for
the process in $WATCHDOG_PID, if set). The server sends READY=1 once it serves, WATCHDOG=1
at half that interval while its worker is healthy, and STOPPING=1 when it shuts down.
Outside systemd nothing is set and nothing is sent.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Callable, Mapping

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, address: str | None, watchdog_interval: float | None = None) -> None:
        if address and address.startswith("@"):
            address = "\0" + address[1:]   # Linux abstract namespace
        self.address = address or None
        self.watchdog_interval = watchdog_interval if self.address else None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "Notifier":
        environ = os.environ if environ is None else environ
        interval = None
        usec = environ.get("WATCHDOG_USEC", "")
        pid = environ.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            interval = int(usec) / 2e6   # half the interval, as sd_watchdog_enabled(3) advises
        return cls(environ.get("NOTIFY_SOCKET"), interval)

    def send(self, *fields: str) -> bool:
        """Send `fields` ("READY=1", "STATUS=...") as one message; False if there is no one to tell."""
        if not self.address:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(fields).encode(), self.address)
            return True
        except OSError as error:   # systemd gone or the socket unwritable: never a reason to fail
            log.warning("could not notify systemd (%s): %s", self.address.replace("\0", "@"), error)
            return False


def feed_watchdog(notifier: Notifier, healthy: Callable[[], bool], stop: threading.Event) -> None:
    """WATCHDOG=1 every watchdog interval while `healthy()`, until `stop` is set.

    A worker that is not healthy starves the watchdog, and systemd restarts the service after
    WatchdogSec=; so does a process whose loop (the gevent hub, under the server) is stuck.
    """
    while not stop.is_set():
        if healthy():
            notifier.send("WATCHDOG=1")
        stop.wait(notifier.watchdog_interval)
