"""How many connections the server allows: below the descriptor limit, whatever is asked."""

from __future__ import annotations

import resource
from contextlib import contextmanager

import pytest

from tts.config import Settings
from tts.web.server import (DEFAULT_MAX_CONNECTIONS, DESCRIPTOR_RESERVE, DESCRIPTORS_PER_CONNECTION, ConnectionLimits,
                            connection_cap, raise_descriptor_limit)

ROOM_IN_1024 = (1024 - DESCRIPTOR_RESERVE) // DESCRIPTORS_PER_CONNECTION


@contextmanager
def soft_limit(limit: int):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_under_systemds_default_limit_the_cap_keeps_a_reserve():
    with soft_limit(1024):
        assert connection_cap() == ROOM_IN_1024 == 320


def test_a_high_limit_is_capped_by_memory_not_descriptors():
    with soft_limit(DESCRIPTOR_RESERVE + DEFAULT_MAX_CONNECTIONS * DESCRIPTORS_PER_CONNECTION):
        assert connection_cap() == DEFAULT_MAX_CONNECTIONS


def test_asking_for_fewer_is_obeyed_and_for_more_than_fits_is_not(caplog):
    with soft_limit(1024):
        assert connection_cap(100) == 100
        assert connection_cap(5000) == ROOM_IN_1024
    assert "TTS_MAX_CONNECTIONS=5000 is above what the descriptor limit (1024) allows" in caplog.text


def test_a_limit_that_leaves_no_room_fails_at_start_naming_the_fix():
    with soft_limit(DESCRIPTOR_RESERVE + 8 * DESCRIPTORS_PER_CONNECTION), pytest.raises(RuntimeError, match="LimitNOFILE"):
        connection_cap()


def test_the_soft_descriptor_limit_is_raised_as_far_as_the_connections_need_within_the_hard_one():
    """systemd's default (soft 1,024 under a far higher hard limit) left 320 connections where 4,096 fit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = DESCRIPTOR_RESERVE + 100 * DESCRIPTORS_PER_CONNECTION
    with soft_limit(DESCRIPTOR_RESERVE + 16 * DESCRIPTORS_PER_CONNECTION):
        raise_descriptor_limit(100)
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (min(need, hard), hard)
        assert connection_cap(100) == 100 or hard < need
        raise_descriptor_limit(16)   # never lowered
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == min(need, hard)


def test_a_system_that_refuses_to_raise_the_limit_gets_a_warning_not_an_ended_start(monkeypatch, caplog):
    """setrlimit's ValueError or OSError (a sandbox, macOS's kern.maxfilesperproc) ended the start with a traceback."""
    def refused(*_):
        raise OSError(1, "Operation not permitted")

    low = DESCRIPTOR_RESERVE + 16 * DESCRIPTORS_PER_CONNECTION
    with soft_limit(low):
        monkeypatch.setattr(resource, "setrlimit", refused)
        raise_descriptor_limit(100)
        monkeypatch.undo()
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == low and connection_cap(100) == 16
    assert f"could not raise the descriptor limit from {low}" in caplog.text


def test_the_deadlines_come_from_the_settings():
    limits = ConnectionLimits.from_settings(Settings(header_timeout_seconds=3, body_timeout_seconds=4,
                                                     keepalive_timeout_seconds=5, send_timeout_seconds=6,
                                                     max_connections=7))
    assert limits == ConnectionLimits(3, 4, 5, 6, 7)


def test_connections_refused_in_a_burst_at_the_cap_make_one_warning_a_second_with_their_count(app, caplog, monkeypatch):
    """Each refused connection wrote a warning (besides its access line): a client opening connections in a loop
    at the cap turned each into log I/O on the hub."""
    import socket

    from tts.web import server as web_server

    now = [100.0]
    monkeypatch.setattr(web_server.time, "monotonic", lambda: now[0])
    server = web_server.Server(("127.0.0.1", 0), app, ConnectionLimits(1, 1, 1, 1, 1))

    def refuse() -> None:
        ours, theirs = socket.socketpair()
        theirs.close()   # a client gone at once: nothing to linger for
        server._refuse(ours, ("127.0.0.1", 1234))
        ours.close()
    for _ in range(5):
        refuse()
    now[0] += web_server.REFUSED_WARNING_SECONDS
    refuse()
    warnings = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refusing a connection")]
    assert warnings == ["refusing a connection from 127.0.0.1: all 1 connections are busy",
                        "refusing a connection from 127.0.0.1: all 1 connections are busy "
                        "(and 4 more since the last such warning)"]
