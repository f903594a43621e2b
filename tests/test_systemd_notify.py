"""The sd_notify protocol (tts/systemd.py), received on a real datagram socket as systemd would."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid

import pytest
import requests

from live import LiveServer
from tts.systemd import Notifier, feed_watchdog


@pytest.fixture()
def listener(tmp_path):
    """A datagram socket bound where $NOTIFY_SOCKET will point, as systemd binds its own."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(10)
    yield path, sock
    sock.close()


def test_a_message_is_one_datagram_of_newline_separated_fields(listener):
    path, sock = listener
    assert Notifier(path).send("READY=1", "STATUS=serving")
    assert sock.recv(4096) == b"READY=1\nSTATUS=serving"


def test_an_abstract_socket_name_starts_with_at():
    name = f"tts-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(10)
        assert Notifier(f"@{name}").send("READY=1")
        assert sock.recv(4096) == b"READY=1"


def test_outside_systemd_nothing_is_sent_and_nothing_fails():
    notifier = Notifier.from_environ({})
    assert not notifier.send("READY=1") and notifier.watchdog_interval is None


def test_a_vanished_socket_is_logged_not_raised(tmp_path, caplog):
    assert not Notifier(str(tmp_path / "gone")).send("READY=1")
    assert "could not notify systemd" in caplog.text


@pytest.mark.parametrize("environ, interval", [
    ({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000"}, 15.0),   # half of WatchdogSec=30
    ({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}, 15.0),
    ({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),   # meant for another
    ({"NOTIFY_SOCKET": "/run/x"}, None),
    ({"WATCHDOG_USEC": "30000000"}, None),   # no one to tell
])
def test_the_watchdog_interval_is_half_of_what_systemd_asks_for_this_process(environ, interval):
    assert Notifier.from_environ(environ).watchdog_interval == interval


def test_the_watchdog_is_fed_only_while_healthy(listener):
    path, sock = listener
    checks = []

    def healthy() -> bool:   # unhealthy for the first three checks
        checks.append(time.monotonic())
        return len(checks) > 3

    stop = threading.Event()
    feeder = threading.Thread(target=feed_watchdog, args=(Notifier(path, 0.01), healthy, stop))
    feeder.start()
    try:
        assert sock.recv(4096) == b"WATCHDOG=1"
        assert len(checks) >= 4   # none was sent while unhealthy
        assert [sock.recv(4096) for _ in range(3)] == [b"WATCHDOG=1"] * 3
    finally:
        stop.set()
        feeder.join(10)
    assert not feeder.is_alive()


@pytest.mark.live
def test_the_server_is_ready_for_systemd_only_when_it_serves_then_feeds_the_watchdog_and_says_it_stops():
    name = f"tts-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(120)
        server = LiveServer(NOTIFY_SOCKET=f"@{name}", WATCHDOG_USEC="400000")   # WatchdogSec=0.4 s
        try:
            first = sock.recv(4096).decode()
            ready_then = requests.get(f"{server.url}/readyz", timeout=10).status_code
            sock.settimeout(10)
            later = [sock.recv(4096).decode() for _ in range(3)]
        finally:
            server.process.terminate()
            stopping = _first(sock, "STOPPING=1")
            server.stop()
    assert first.split("\n")[0] == "READY=1" and first.split("\n")[1].startswith("STATUS=serving on http://")
    assert ready_then == 200
    assert later == ["WATCHDOG=1"] * 3
    assert stopping and server.process.returncode == 0


def _first(sock: socket.socket, wanted: str) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if sock.recv(4096).decode() == wanted:
                return True
        except socket.timeout:
            return False
    return False
