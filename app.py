"""Build the app and serve it: `python app.py` (see run.sh; the server is tts/web/server.py).

SIGTERM (and SIGINT) drain: new requests get 503 and readiness turns false at once, what
was accepted runs to the end for up to TTS_DRAIN_SECONDS, what is left then fails
visibly, open responses get a moment to finish, and the process exits 0. A start that
cannot go on says why in one line: a bad TTS_* setting or a host it cannot listen on exits
2 (no restart helps), a port in use 75 (what holds it may let go; tts.web.server).
"""

from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402  (after monkey-patching, as gevent requires)
from tts.config import Settings, SettingsError  # noqa: E402
from tts.web import create_app  # noqa: E402
from tts.web.server import EXIT_BAD_SETTINGS, listen, serve  # noqa: E402

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main() -> None:
    try:
        settings = Settings.from_env()
    except SettingsError as error:   # one line naming the variable, never a traceback
        logging.basicConfig(format=LOG_FORMAT)
        logging.getLogger("tts.config").error("%s", error)
        raise SystemExit(EXIT_BAD_SETTINGS) from None
    logging.basicConfig(level=settings.logging_level, format=LOG_FORMAT)
    listener = listen(settings)   # before the voices load: a port in use is said at once
    serve(create_app(settings), settings, listener)


if __name__ == "__main__":
    main()
