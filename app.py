"""Build the app and serve it on gevent's WSGI server: `python app.py` (see run.sh).

SIGTERM (and SIGINT) drain: new requests get 503 and readiness turns false at once, what
was accepted runs to the end for up to TTS_DRAIN_SECONDS, what is left then fails
visibly, open responses get a moment to finish, and the process exits 0.
"""

from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402  (after monkey-patching, as gevent requires)
import signal  # noqa: E402

from gevent.event import Event  # noqa: E402
import gevent  # noqa: E402
from gevent.pool import Pool  # noqa: E402
from gevent.pywsgi import WSGIHandler, WSGIServer  # noqa: E402

from tts.config import Settings  # noqa: E402
from tts.web import create_app, shutdown  # noqa: E402
from tts.web.responses import CLIENT_SOCKET  # noqa: E402

log = logging.getLogger("tts")
RESPONSES_GRACE_SECONDS = 5   # after the drain, for the last responses to reach their clients
CONNECTIONS = 1000


class Handler(WSGIHandler):
    """gevent's handler, also handing the app the client's socket (to notice a client that hangs up)."""

    def get_environ(self):
        environ = super().get_environ()
        environ[CLIENT_SOCKET] = self.socket
        return environ


def serve(app, settings: Settings) -> None:
    """Serve `app` until SIGTERM or SIGINT, then drain it and stop."""
    # Access lines come from tts.web.observability (JSON, with request ids), not from gevent.
    # A pool of handler greenlets (not bare spawns), so stop() can wait for open responses.
    server = WSGIServer((settings.host, settings.port), app, handler_class=Handler, spawn=Pool(CONNECTIONS),
                        log=None, error_log=logging.getLogger("gevent"))
    stopping = Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, stopping.set)
    server.start()
    log.info("serving on http://%s:%d", settings.host, server.server_port)
    stopping.wait()
    log.info("stopping: draining for up to %d s", settings.drain_seconds)
    shutdown(app, settings.drain_seconds)
    server.stop(timeout=RESPONSES_GRACE_SECONDS)
    log.info("stopped")


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
