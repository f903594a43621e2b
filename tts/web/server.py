"""The HTTP server: gevent's WSGI server with the bounds a server left running needs.

gevent's pywsgi has no deadlines of its own: a client that connects and sends nothing, or
sends its headers a byte at a time (slowloris), or stops reading its response, holds a
greenlet and a file descriptor for ever, and enough of them exhaust the descriptor limit so
that accept() fails for everyone, health probes included. Here every phase of a connection
has a deadline (settings in tts.config), and the number of connections a cap below the
descriptor limit. At the cap, the connection that has waited longest for a request is
closed to make room (as nginx reuses idle keep-alive connections), so a flood of idle
connections cannot lock out a probe; only when every connection is busy with a request is a
new one answered 503 at once.

A request whose body was not read to its end (a 413, any error answered before reading, a
body that came too slowly) closes its connection: the rest of the body is never read and
thrown away, which a client could stretch out for ever. Closing a socket with unread data
resets the connection, and a client still sending its body (most send all of it before they
read) would lose the answer with it; so such a connection lingers: half-closed after the
answer, what the client still sends is read and dropped for at most `LINGER_SECONDS` and
`LINGER_BYTES`, as nginx's lingering close does. Malformed requests gevent answers itself
(400, 414) get the same JSON error shape as every other answer; headers past MAX_HEADER_BYTES
(or 100 lines) get 431 (gevent alone would hold ~6 MB of them per connection).

A streamed body that raises (its job failed mid-way: an engine error, the drain running out at
shutdown) is handled here, in one place for every route (`Handler.handle_error`): once bytes
have gone out nothing can be said in the response any more, so it is cut short without the
chunked terminator (HTTP's "incomplete": a client never takes a short file for the whole) and
logged in one line; before its first byte it is answered like an error of the view, by the
app's mapping (tts.web.errors).

`listen()` binds the port and `serve()` runs the server until SIGTERM or SIGINT and tells
systemd (tts.systemd) when it is ready, that it is alive (the watchdog) and when it stops. A start
that cannot go on ends in one line and an exit status that tells a process manager whether
trying again can help: EXIT_BAD_SETTINGS for what only a changed setting fixes (deploy/tts.service
does not restart it), EXIT_ADDRESS_IN_USE for a port another process holds, maybe for a moment
(an instance still draining): restarted.
"""

from __future__ import annotations

import errno
import http.client
import json
import logging
import os
import re
import resource
import signal
import socket
import time
from dataclasses import dataclass
from functools import partial

import gevent
from flask import Flask, g
from gevent import Timeout, getcurrent
from gevent.baseserver import parse_address
from gevent.event import Event
from gevent.pywsgi import MAX_REQUEST_LINE, Input, WSGIHandler, WSGIServer, headers_factory

from tts.config import Settings
from tts.errors import RequestTimeout, TTSError
from tts.service.audio_buffer import remove_results, sweep_stale_results
from tts.systemd import Notifier, feed_watchdog
from tts.web import shutdown
from tts.web.context import SERVICE
from tts.web.cors import CORS
from tts.web.observability import CONNECTIONS, log_unparsed, new_request_id
from tts.web.responses import CLIENT_SOCKET
from tts.web.security import SECURITY_HEADERS

log = logging.getLogger(__name__)
_HIGH_BYTE = re.compile("[\x80-\xff]")   # of a request line read as latin-1

# Descriptors kept free of connections: model and data files, Redis, the notify socket,
# the worker's pipes and libraries' own (measured: ~10 with both voices loaded).
DESCRIPTOR_RESERVE = 64
# What one connection may hold while its answer is sent to a slow reader: its socket, the file its result's
# samples spilled to past audio_buffer.MEMORY_BYTES, and the file of its encoding (spilled past 1 MB, or a kept
# result's, open while it is read). The cap counts each connection so: counted as one, ~(limit - 64) / 2 slow
# readers of long results took every descriptor, accept() failed and results could not spill.
DESCRIPTORS_PER_CONNECTION = 3
MIN_CONNECTIONS = 16
DEFAULT_MAX_CONNECTIONS = 4096   # ~20 KB each when idle: ~80 MB for a full table (Docker's limit is often 1M)
EXIT_BAD_SETTINGS = 2         # a setting no retry fixes (TTS_*, a host to listen on): RestartPreventExitStatus=
EXIT_ADDRESS_IN_USE = 75      # EX_TEMPFAIL (sysexits.h): the port is held, maybe for a moment: retried
SHUTDOWN_GRACE_SECONDS = 5    # responses still in flight after the drain get this long to reach their clients
REFUSE_LINGER_SECONDS = 1     # a refused client gets this long to read its 503 before the socket closes
MAX_REFUSING = 64             # past this many refusals at once, excess connections are closed unanswered
PEEK_BYTES = 8192             # of a refused request, looked at for its Origin (with TTS_CORS_ORIGINS)
REFUSED_WARNING_SECONDS = 1   # at most one warning about refused connections this often
LINGER_SECONDS = 2            # a connection closed with a request body unread drops what still comes this long…
LINGER_BYTES = 16 << 20       # …up to this much (a client sends it all, then reads the answer)
MAX_HEADER_BYTES = 64 << 10   # a request's headers, all lines together (gevent alone: 100 lines of 64 KB each,
                              # ~6 MB held per connection until the header timeout)
# accept() failing for want of descriptors or kernel memory: the listener pauses (doubling from the first
# pause to the last) and tries again, instead of gevent's traceback for every try
OUT_OF_DESCRIPTORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
ACCEPT_PAUSES = (0.01, 1.0)


def _plain_response(status: str, code: str, message: str, *headers: str) -> bytes:
    """A whole HTTP response for answers given before the app sees the request (same JSON shape)."""
    body = json.dumps({"error": {"code": code, "message": message, "field": None}}).encode()
    head = [f"HTTP/1.1 {status}", "Connection: close", "Content-Type: application/json",
            f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


# answers to requests the app never sees: status (or why) → (status line, code, message, *headers)
_ANSWERED_HERE = {
    "400": ("400 Bad Request", "bad_request", "the request is not valid HTTP/1.1"),   # gevent's bare ones, our shape
    "414": ("414 URI Too Long", "uri_too_long",
            f"the request line is longer than {MAX_REQUEST_LINE} bytes; send long text in a POST body (POST /tts)"),
    "408": ("408 Request Timeout", "request_timeout", "the request's headers did not arrive in time"),
    "503": ("503 Service Unavailable", "too_many_connections", "the server has no room for another connection",
            "Retry-After: 1"),   # the connection cap: refused at accept, or closed mid-headers to make room
    "431": ("431 Request Header Fields Too Large", "headers_too_large",
            f"the request's headers take more than {MAX_HEADER_BYTES >> 10} KB or 100 lines"),
    "stopping": ("503 Service Unavailable", "shutting_down", "the server is shutting down; retry in a few seconds",
                 "Retry-After: 5"),   # a request whose headers were still coming when the drain began
}
_GEVENTS_OWN = ("400", "414")   # statuses of gevent's answers to requests it cannot parse


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float
    body_timeout: float
    keepalive_timeout: float
    send_timeout: float
    max_connections: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "ConnectionLimits":
        return cls(settings.header_timeout_seconds, settings.body_timeout_seconds,
                   settings.keepalive_timeout_seconds, settings.send_timeout_seconds,
                   connection_cap(settings.max_connections))


def connection_cap(wanted: int = 0) -> int:
    """Connections allowed at once: `wanted` (0 = DEFAULT_MAX_CONNECTIONS), at most what the descriptor limit
    less DESCRIPTOR_RESERVE holds at DESCRIPTORS_PER_CONNECTION each."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 20
    room = (soft - DESCRIPTOR_RESERVE) // DESCRIPTORS_PER_CONNECTION
    if room < MIN_CONNECTIONS:
        raise RuntimeError(f"the descriptor limit ({soft}) leaves no room for connections: raise it "
                           f"(LimitNOFILE= in the unit, ulimit -n) to at least "
                           f"{DESCRIPTOR_RESERVE + DESCRIPTORS_PER_CONNECTION * MIN_CONNECTIONS}")
    if wanted > room:
        log.warning("TTS_MAX_CONNECTIONS=%d is above what the descriptor limit (%d) allows; using %d",
                    wanted, soft, room)
    return min(wanted or DEFAULT_MAX_CONNECTIONS, room)


def raise_descriptor_limit(wanted: int = 0) -> None:
    """Raise the soft descriptor limit toward the hard one, as far as `wanted` connections (0 =
    DEFAULT_MAX_CONNECTIONS) need. systemd gives a service a soft limit of 1,024 under a far higher hard one,
    expecting a program that uses no select() to raise it itself; nothing here does (gevent polls with epoll).
    Only an optimisation: where the system refuses (a sandbox that forbids it; macOS above kern.maxfilesperproc
    under an unlimited hard limit), a warning, and connection_cap works within the limit as it is."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = DESCRIPTOR_RESERVE + DESCRIPTORS_PER_CONNECTION * (wanted or DEFAULT_MAX_CONNECTIONS)
    target = need if hard == resource.RLIM_INFINITY else min(need, hard)
    if soft != resource.RLIM_INFINITY and target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as error:
            log.warning("could not raise the descriptor limit from %d to %d (%s); connections are capped within %d",
                        soft, target, error, soft)
            return
        log.info("raised the descriptor limit from %d to %d (the hard limit is %s)", soft, target,
                 "unlimited" if hard == resource.RLIM_INFINITY else hard)


class ConnectionDeadline(OSError):
    """Thrown into a connection whose request (or reading of its response) is too slow; an OSError,
    so gevent closes the connection quietly."""


class Evicted(OSError):
    """Thrown into a connection waiting for a request, to make room for a new one at the cap."""


class HeadersTooLarge(ValueError):
    """A request's headers past MAX_HEADER_BYTES."""


class _HeaderBudget:
    """The connection's reader as the header parser sees it: MAX_HEADER_BYTES in all, then HeadersTooLarge.
    It notes the Origin header as it passes (`handler.origin`), for the answers the server makes itself to
    requests whose headers never came whole (408, 431, 503)."""

    def __init__(self, rfile, handler: "Handler") -> None:
        self._rfile = rfile
        self._handler = handler
        self._left = MAX_HEADER_BYTES

    def readline(self, limit: int = -1) -> bytes:
        size = self._left + 1 if limit < 0 else min(limit, self._left + 1)
        line = self._rfile.readline(size)
        self._left -= len(line)
        if self._left < 0:
            raise HeadersTooLarge(f"the request's headers take more than {MAX_HEADER_BYTES} bytes")
        origin = _origin_in(line) if line.endswith(b"\n") else None
        if origin is not None:
            self._handler.origin = origin
        return line


class BoundedInput(Input):
    """The request body, read within a deadline; never read to its end just to be thrown away."""

    __slots__ = ("deadline",)

    @property
    def consumed(self) -> bool:
        if self.chunked_input:
            return self.chunk_length == 0
        return self.position >= (self.content_length or 0)

    def _within_deadline(self, read, size):
        left = self.deadline - time.monotonic()
        error = RequestTimeout("the request body did not arrive in time", field="body")
        if left <= 0:
            raise error
        with Timeout(left, error):
            return read(size)

    def read(self, length=None):
        return self._within_deadline(super().read, length)

    def readline(self, size=None):
        return self._within_deadline(super().readline, size)

    def _discard(self):
        """Instead of reading what the app left unread, the handler closes the connection."""


def answer_unparsed(app: Flask, status: str, remote: str | None, *, method: str | None = None,
                    path: str | None = None, origin: str | None = None) -> bytes:
    """The server's own answer to a request the app never saw, under a request id of its own (its
    X-Request-ID, as every response has), and its access line (tts.web.observability), sent or not. With
    TTS_CORS_ORIGINS, the CORS headers the app's answers carry, for an `origin` it serves (what came of the
    request's Origin header), so that a page's script reads the status instead of a network error."""
    status_line, code, message, *headers = _ANSWERED_HERE[status]
    request_id = new_request_id()
    cors = [f"{name}: {value}" for name, value in _cors_headers(app, origin).items()]
    answer = _plain_response(status_line, code, message, f"X-Request-ID: {request_id}", *headers, *cors)
    log_unparsed(app, request_id, int(status_line[:3]), code, remote, len(answer), method=method, path=path)
    return answer


def _cors_headers(app: Flask, origin: str | None) -> dict[str, str]:
    """With TTS_CORS_ORIGINS, what the app's after-request hook (tts.web.cors) adds to an answer: the CORS
    headers for an `origin` it serves, and Vary: Origin; nothing without the setting."""
    policy = app.extensions.get(CORS)
    return {**policy.headers(origin), "Vary": "Origin"} if policy else {}


def _percent_encoded(line: str) -> str:
    """The request line with its bytes 0x80-0xFF percent-encoded. Clients send UTF-8 in a URL raw
    (curl '...?text=你好'); gevent splits the line, decoded as latin-1, with `str.split()`, which also
    splits at U+0085 and U+00A0 (你 is e4 bd a0) and refused it. Encoded, the bytes reach the app the
    same: the query is decoded as UTF-8, the path unquoted."""
    return _HIGH_BYTE.sub(lambda byte: f"%{ord(byte.group()):02X}", line)


class Handler(WSGIHandler):
    ignored_socket_errors = WSGIHandler.ignored_socket_errors + (errno.ETIMEDOUT,)   # a client too slow (ours)

    def __init__(self, sock, address, server) -> None:
        super().__init__(sock, address, server)
        self.limits: ConnectionLimits = server.limits
        self.connections: Connections = server.connections
        self.greenlet = getcurrent()
        self.requests = 0
        self.waiting = False   # for a request (kept by Connections)
        self.reading = False   # …and its first bytes have come
        self.origin: str | None = None   # the request's Origin header, once read (_HeaderBudget)
        self.deadline: Timeout | None = None

    # -- the connection's life: waiting for a request (evictable), then working on it ------
    def handle(self) -> None:
        self._arm(self.limits.header_timeout)   # from accept: the first byte and the headers
        try:
            super().handle()
        finally:
            self._disarm()
            self.connections.release(self)

    def _arm(self, seconds: float) -> None:
        self.deadline = Timeout.start_new(seconds, ConnectionDeadline(errno.ETIMEDOUT, "request too slow"))

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.close()
            self.deadline = None

    def evict(self) -> None:
        """Close this connection if it is still waiting for a request once the hub gets to it."""
        gevent.get_hub().loop.run_callback(self._throw_if_waiting)

    def _throw_if_waiting(self) -> None:
        # Run by the hub while this greenlet is parked: if it still waits, it waits on its socket.
        if self.waiting and not self.greenlet.dead:
            self.greenlet.throw(Evicted(errno.ECONNABORTED, "evicted at the connection cap"))

    def read_requestline(self) -> str:
        self.connections.waiting(self)
        self.origin = None
        if self.requests:   # kept alive: idle until the next request begins, then its headers are timed
            with Timeout(self.limits.keepalive_timeout, ConnectionDeadline(errno.ETIMEDOUT, "idle")):
                self.rfile.peek(1)
            self._arm(self.limits.header_timeout)
        else:
            self.rfile.peek(1)   # a new connection that never sends a byte is closed without an answer
        self.reading = True
        try:   # a request has begun: a deadline or an eviction from here on is answered
            return super().read_requestline()
        except ConnectionDeadline:
            self._answer(self._cut_off("408", line_read=False))
            raise
        except Evicted:
            self._answer(self._cut_off("503", line_read=False))
            self.server.linger_refused(self.socket)
            raise

    def read_request(self, raw_requestline: str) -> bool:
        try:
            return super().read_request(_percent_encoded(raw_requestline))
        finally:
            self._disarm()
            self.connections.working(self)

    def MessageClass(self, fp, *args):   # noqa: N802 (gevent's name): the headers, read within MAX_HEADER_BYTES
        return headers_factory(_HeaderBudget(fp, self), *args)

    def _answer(self, response: bytes) -> None:
        """Send an answer the server makes itself (its access line is the caller's, sent or not)."""
        try:
            with Timeout(1, False):
                self.socket.sendall(response)
        except OSError:   # the client is gone already (a scanner that sends junk and resets)
            self.close_connection = True

    def _handle_client_error(self, ex):
        if isinstance(ex, ConnectionDeadline):
            return "408", self._cut_off("408", line_read=True)
        if isinstance(ex, Evicted):
            return "503", self._cut_off("503", line_read=True)
        if isinstance(ex, (HeadersTooLarge, http.client.HTTPException)):   # the latter: over 100 lines (gevent
            return "431", self._cut_off("431", line_read=True)              # printed its traceback for it)
        return super()._handle_client_error(ex)

    def _cut_off(self, status: str, line_read: bool) -> bytes:
        """The answer (and access line) of a request whose line (or, once `line_read`, headers) did not come
        whole: 408, it took over the header timeout; 503, its connection made room at the cap (or, at shutdown,
        was closed by the drain). Then closed. Its path goes without the query (it may hold a user's text)."""
        method, path = (self.command, self.path.partition("?")[0]) if line_read and self.path else (None, None)
        if status == "503" and self.connections.closing:   # not the cap: the drain closes what waits for a request
            status = "stopping"
        return self._unparsed(status, method=method, path=path)

    def _unparsed(self, status: str, *, method: str | None = None, path: str | None = None) -> bytes:
        return answer_unparsed(self.server.application, status, self.client_address[0], method=method, path=path,
                               origin=self.origin)

    def handle_error(self, t, v, tb) -> None:
        """What the application raised after it returned its response, out of its body (gevent's own
        would print a traceback and, before the first byte, answer a plain-text 500)."""
        if not isinstance(v, Exception):   # the greenlet killed (GreenletExit): gevent's way
            super().handle_error(t, v, tb)
        elif self.headers_sent:
            self._cut_short(v)
        else:
            self._answer_error(v)

    def _cut_short(self, error: Exception) -> None:
        """The response began: close the connection without the chunked terminator, one log line
        (its path without the query, which may hold the user's text; a traceback only for what no
        TTSError says: a bug)."""
        self.close_connection = True
        why = error.message if isinstance(error, TTSError) else repr(error)
        log.log(logging.INFO if isinstance(error, TTSError) else logging.ERROR,
                "%s %s (request %s): the response was cut short after %d bytes: %s", self.command,
                self.path.partition("?")[0],
                self._request_id(), self.response_length, why, exc_info=not isinstance(error, TTSError))

    def _answer_error(self, error: Exception) -> None:
        """Nothing sent yet: the app's own answer to `error` (tts.web.errors: its status, JSON, headers),
        with the headers every response carries, the CORS ones included, but not the after-request hooks (they
        ran for the stream). Its access line, written as the body closed (tts.web.observability), has this status and the
        error's code; its error line carries the same request id."""
        app: Flask = self.application
        request_id = self._request_id()
        with app.request_context(self.environ):
            g.request_id = request_id
            response = app.make_response(app.handle_user_exception(error))
        response.headers.update(SECURITY_HEADERS)
        policy = app.extensions.get(CORS)
        if policy:
            policy.apply(response, self.environ.get("HTTP_ORIGIN"))
        if request_id:
            response.headers["X-Request-ID"] = request_id
        try:
            self.start_response(response.status, list(response.headers.items()))
            self.write(response.get_data())
        except OSError:   # the client is gone already
            self.close_connection = True

    def _request_id(self) -> str | None:
        """The id the response's headers carry (tts.web.observability), to find its other log lines."""
        if self.status is None:   # the app gave no response (its headers are the last request's)
            return None
        for name, value in self.response_headers:
            if name.lower() == b"x-request-id":
                return value.decode("latin-1")
        return None

    def handle_one_request(self):
        """One request; when the connection ends with some of it unread, answer, then linger."""
        result = super().handle_one_request()
        if isinstance(result, tuple):   # a request not read whole: answered here (a client gone is no traceback)
            self.status, answer = result
            self._answer(self._unparsed(self.status) if self.status in _GEVENTS_OWN else answer)
            if self.status == "503":   # evicted, still sending its headers: the answer must not be reset away
                self.server.linger_refused(self.socket)
            elif self.status != "408":   # a client still sending would lose the answer to a reset (too slow: not)
                linger(self.socket, LINGER_SECONDS)
            return None
        if result is not True and self.close_connection and not getattr(self.wsgi_input, "consumed", True):
            linger(self.socket, LINGER_SECONDS)
        return result

    # -- the request ------------------------------------------------------------------------
    def get_environ(self) -> dict:
        environ = super().get_environ()
        environ[CLIENT_SOCKET] = self.socket   # to notice a client that hangs up while it waits
        plain = self.wsgi_input
        bounded = BoundedInput(plain.rfile, plain.content_length, socket=plain.socket,
                               chunked_input=plain.chunked_input)
        bounded.deadline = time.monotonic() + self.limits.body_timeout
        self.wsgi_input = bounded
        if environ["wsgi.input"] is plain:
            environ["wsgi.input"] = bounded
        return environ

    def _keeps_alive(self) -> bool:
        return self.wsgi_input.consumed and not self.connections.closing

    def start_response(self, status, headers, exc_info=None):
        if not self._keeps_alive() and not any(name.lower() == "connection" for name, _ in headers):
            headers = [*headers, ("Connection", "close")]
        return super().start_response(status, headers, exc_info)

    def handle_one_response(self) -> None:
        super().handle_one_response()
        self.requests += 1
        if not self._keeps_alive():
            self.close_connection = True

    def _sendall(self, data) -> None:
        """Send all of `data`, dropping a client that takes none of it for send_timeout seconds."""
        view = memoryview(data).cast("B")
        while view:
            try:
                with Timeout(self.limits.send_timeout, ConnectionDeadline(errno.ETIMEDOUT, "not reading")):
                    sent = self.socket.send(view)
            except ConnectionDeadline as stalled:
                log.info("closing a connection from %s: it read nothing for %g s",
                         self.client_address[0], self.limits.send_timeout)
                raise OSError(errno.ETIMEDOUT, "the client stopped reading") from stalled
            self.response_length += sent
            view = view[sent:]


class Connections:
    """The open connections, and which of them wait for a request (those may be evicted).

    Only ever touched on the hub, so it needs no lock.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.closing = False
        self._open: set[Handler] = set()
        self._waiting: dict[Handler, None] = {}   # in the order they began to wait
        self._empty = Event()
        self._empty.set()

    def __len__(self) -> int:
        return len(self._open)

    def room(self) -> bool:
        """Whether one more connection fits, evicting the one that has waited longest if need be."""
        if len(self._open) < self.cap:
            return True
        if not self._waiting:
            return False
        oldest = next(iter(self._waiting))
        del self._waiting[oldest]
        self._open.discard(oldest)   # no longer counted: its socket closes as soon as the hub gets to it
        oldest.evict()
        return True

    def opened(self, handler: Handler) -> None:
        self._open.add(handler)
        self._empty.clear()

    def waiting(self, handler: Handler) -> None:
        handler.waiting = True
        self._waiting.pop(handler, None)
        self._waiting[handler] = None
        if self.closing:
            handler.evict()

    def working(self, handler: Handler) -> None:
        handler.waiting = handler.reading = False
        self._waiting.pop(handler, None)

    def release(self, handler: Handler) -> None:
        handler.waiting = handler.reading = False
        self._waiting.pop(handler, None)
        self._open.discard(handler)
        if not self._open:
            self._empty.set()

    def states(self) -> dict[str, int]:
        """How many are idle (waiting, nothing of a request yet), reading a request's line or headers, or working."""
        reading = sum(handler.reading for handler in self._waiting)
        return {"idle": len(self._waiting) - reading, "reading": reading, "working": len(self._open) - len(self._waiting)}

    def close(self, grace: float) -> bool:
        """Close the connections waiting for a request, let the others finish; False if some ran past `grace`."""
        self.closing = True
        for handler in list(self._waiting):
            handler.evict()
        return self._empty.wait(grace)


class Server(WSGIServer):
    """gevent's WSGIServer with ConnectionLimits; the access log comes from tts.web.observability."""

    handler_class = Handler

    def __init__(self, listener: socket.socket | tuple[str, int], app, limits: ConnectionLimits) -> None:
        super().__init__(listener, app, log=None, error_log=logging.getLogger("gevent"))
        self.limits = limits
        self.connections = Connections(limits.max_connections)
        self._refusing = 0
        self._refused = 0                 # refusals since the last warning about them
        self._next_refused_warning = 0.0  # monotonic
        self._accept_pause = 0.0   # > 0 while accept() fails for want of descriptors: the next pause

    def do_read(self):
        """Accept a connection. The descriptor table full (what else the process holds, at its limit) is
        a condition, not a bug: one warning when it begins, one line when it ends, and the listener
        pauses between tries, so that the log is not a traceback a second for as long as it lasts."""
        try:
            accepted = super().do_read()
        except OSError as error:
            if error.errno not in OUT_OF_DESCRIPTORS:
                raise
            if not self._accept_pause:
                log.warning("cannot accept connections: %s (%d connections open, at most %d); trying again, "
                            "less and less often, until it can", error.strerror, len(self.connections),
                            self.connections.cap)
            pause = self._accept_pause or ACCEPT_PAUSES[0]
            self._accept_pause = min(pause * 2, ACCEPT_PAUSES[1])
            self.stop_accepting()
            gevent.spawn_later(pause, self._resume_accepting)
            return None
        if accepted and self._accept_pause:
            self._accept_pause = 0.0
            log.warning("accepting connections again")
        return accepted

    def _resume_accepting(self) -> None:
        if self.started:   # not closed meanwhile (shutdown)
            self.start_accepting()

    def handle(self, sock, address) -> None:
        if not self.connections.room():
            self._refuse(sock, address)
            return
        handler = self.handler_class(sock, address, self)
        self.connections.opened(handler)
        handler.handle()

    def _refuse(self, sock, address) -> None:
        """503 and close, without reading the request; a short linger so the client reads the answer."""
        if self._refusing >= MAX_REFUSING:
            return
        self._refusing += 1
        self._warn_refused(address[0])
        try:
            with Timeout(REFUSE_LINGER_SECONDS, False):   # the answer and the linger together
                origin = _peeked_origin(sock) if CORS in self.application.extensions else None
                sock.sendall(answer_unparsed(self.application, "503", address[0], origin=origin))
                linger(sock, REFUSE_LINGER_SECONDS)
        except OSError:
            pass
        finally:
            self._refusing -= 1

    def linger_refused(self, sock) -> None:
        """Linger as for a refused connection (`_refuse`), for one closed mid-request to make room: its client is
        still sending, and closing at once would reset the answer away. At most MAX_REFUSING at once (those are
        no longer counted as connections)."""
        if self._refusing >= MAX_REFUSING:
            return
        self._refusing += 1
        try:
            linger(sock, REFUSE_LINGER_SECONDS)
        finally:
            self._refusing -= 1

    def _warn_refused(self, remote: str) -> None:
        """At most one warning a second, counting the refusals it stood for (each has its access line anyway):
        a client opening connections in a loop at the cap must not turn each into log I/O on the hub."""
        self._refused += 1
        now = time.monotonic()
        if now < self._next_refused_warning:
            return
        others = f" (and {self._refused - 1} more since the last such warning)" if self._refused > 1 else ""
        log.warning("refusing a connection from %s: all %d connections are busy%s", remote, self.connections.cap,
                    others)
        self._refused, self._next_refused_warning = 0, now + REFUSED_WARNING_SECONDS


def _peeked_origin(sock) -> str | None:
    """The Origin header among a refused request's first bytes, peeked (the linger drops them after the answer);
    waited for at most half of REFUSE_LINGER_SECONDS (a client sends its request as soon as it has connected)."""
    head = b""
    with Timeout(REFUSE_LINGER_SECONDS / 2, False):
        head = sock.recv(PEEK_BYTES, socket.MSG_PEEK)
    origins = (_origin_in(line) for line in head.split(b"\r\n")[1:-1])   # whole header lines only
    return next((origin for origin in origins if origin is not None), None)


def _origin_in(line: bytes) -> str | None:
    """The value of a raw header line that is the Origin header; None for any other line (a name with
    whitespace around it is no header name: RFC 9110 5.1, and a leading one is a folded continuation)."""
    name, colon, value = line.partition(b":")
    return value.strip().decode("latin-1") if colon and name.lower() == b"origin" else None


def linger(sock, seconds: float) -> None:
    """Half-close, then read and drop what the client still sends (for at most `seconds` and
    LINGER_BYTES), so closing does not reset the answer away before the client has read it."""
    dropped = 0
    try:
        sock.shutdown(socket.SHUT_WR)
        with Timeout(seconds, False):
            while dropped < LINGER_BYTES and (data := sock.recv(65536)):
                dropped += len(data)
    except OSError:   # the client is gone already
        pass


def worker_healthy(app: Flask) -> bool:
    """Whether the worker's loops run and no model call has stalled: the systemd watchdog is fed
    only while it is (liveness, as /healthz answers it)."""
    return app.extensions[SERVICE].healthy


def _announce_ready(app: Flask, notifier: Notifier, url: str, stop: Event) -> None:
    """READY=1 once the service is ready; then, with a watchdog, WATCHDOG=1 while the worker is
    healthy (systemd watches only after READY=1, so model loading cannot trip it)."""
    service = app.extensions[SERVICE]
    if not service.wait_ready():
        notifier.send(f"STATUS=not ready: {service.load_error}")
        return
    notifier.send("READY=1", f"STATUS=serving on {url}")
    if notifier.watchdog_interval:
        feed_watchdog(notifier, partial(worker_healthy, app), stop)


def listen(settings: Settings) -> socket.socket:
    """The listening socket, bound before the app is made (the voices take seconds to load). A port
    in use ends the start at once with one line and EXIT_ADDRESS_IN_USE (what holds it may let go);
    a host that is no name or address of this machine, or a port it may not take, with one line
    saying what to change and EXIT_BAD_SETTINGS."""
    family, address = parse_address((settings.host, settings.port))
    try:
        return Server.get_listener(address, family=family)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            log.error("%s:%d is in use; set TTS_PORT to a free port (or stop what listens there)",
                      settings.host, settings.port)
            raise SystemExit(EXIT_ADDRESS_IN_USE) from None
        if isinstance(error, socket.gaierror) or error.errno in (errno.EACCES, errno.EADDRNOTAVAIL):
            why = (error.strerror or "").removesuffix(f": {address!r}")   # gevent appends the address
            log.error("cannot listen on %s:%d: %s; set TTS_HOST / TTS_PORT", settings.host, settings.port, why)
            raise SystemExit(EXIT_BAD_SETTINGS) from None
        raise


def serve(app: Flask, settings: Settings, listener: socket.socket) -> None:
    """Serve `app` on `listener` (from `listen`) until SIGTERM or SIGINT, then shut down; systemd hears of each step."""
    raise_descriptor_limit(settings.max_connections)
    server = Server(listener, app, ConnectionLimits.from_settings(settings))
    stop, hurry = Event(), Event()   # the first signal drains; a second one ends the drain at once

    def signalled() -> None:
        if stop.is_set():
            log.warning("stopping: asked again, so what is still running fails now")
            hurry.set()
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, signalled)
    sweep_stale_results()   # what a server killed here before left in the temporary directory
    app.extensions[CONNECTIONS] = server.connections.states
    server.start()
    url = f"http://{settings.host}:{server.server_port}"
    log.info("serving on %s (at most %d connections)", url, server.connections.cap)
    notifier = Notifier.from_environ()
    announcer = gevent.spawn(_announce_ready, app, notifier, url, stop)
    stop.wait()
    _stop(app, server, notifier, settings.drain_seconds, hurry)
    announcer.kill()
    if app.extensions[SERVICE].worker_busy:
        # A model call that never returned: its thread is inside native code, and finalizing the
        # interpreter around it could abort the process. What was accepted has been answered.
        log.warning("exiting with a model call still running")
        logging.shutdown()
        remove_results()   # no interpreter exit to do it
        os._exit(0)


def _stop(app: Flask, server: Server, notifier: Notifier, drain_seconds: float, hurry: Event) -> None:
    """Drain the service while still answering (new work gets 503, readiness is false, accepted
    work finishes or fails visibly, results are fetched) until it is done, `drain_seconds` pass or
    `hurry` is set (a second SIGTERM or SIGINT: Ctrl-C twice); then stop accepting, close idle
    connections and give the responses in flight a grace period."""
    notifier.send("STOPPING=1")
    log.info("stopping: draining for up to %g s (a second SIGTERM or SIGINT fails what is left at once)",
             drain_seconds)
    shutdown(app, drain_seconds, hurry)
    log.info("stopping: %d connections open", len(server.connections))
    server.close()
    if not server.connections.close(SHUTDOWN_GRACE_SECONDS):
        log.warning("stopping with %d requests still in flight", len(server.connections))
