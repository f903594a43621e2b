"""Build the app and serve it: `python app.py` (see run.sh; the server is tts/web/server.py).

SIGTERM (and SIGINT) drain: new requests get 503 and readiness turns false at once, what
was accepted runs to the end for up to TTS_DRAIN_SECONDS, what is left then fails
visibly, open responses get a moment to finish, and the process exits 0.
"""

from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402  (after monkey-patching, as gevent requires)
from tts.config import Settings  # noqa: E402
from tts.web import create_app  # noqa: E402
from tts.web.server import listen, serve  # noqa: E402


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    listener = listen(settings)   # before the voices load: a port in use is said at once
    serve(create_app(settings), settings, listener)


if __name__ == "__main__":
    main()
