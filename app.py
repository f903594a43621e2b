"""Build the app and serve it: `python app.py` (see run.sh; the server is tts/web/server.py).

SIGTERM (and SIGINT) drain: new requests get 503 and readiness turns false at once, what
was accepted runs to the end for up to TTS_DRAIN_SECONDS, what is left then fails
visibly, open responses get a moment to finish, and the process exits 0 (a second signal
ends the drain at once).

A start that cannot go on says why in one line: a bad TTS_* setting (a default voice not
offered included), a voice build missing or a host it cannot listen on exits 2 (no restart
helps), a port in use 75 (what holds it may let go; tts.web.server).
"""

from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402  (after monkey-patching, as gevent requires)
from typing import NoReturn  # noqa: E402

from tts.config import Settings, SettingsError  # noqa: E402
from tts.errors import EngineUnavailable  # noqa: E402
from tts.web import create_app  # noqa: E402
from tts.web.server import EXIT_BAD_SETTINGS, listen, serve  # noqa: E402

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def main() -> None:
    try:
        settings = Settings.from_env()
    except SettingsError as error:   # one line naming the variable, never a traceback
        logging.basicConfig(format=LOG_FORMAT)
        give_up(error)
    logging.basicConfig(level=settings.logging_level, format=LOG_FORMAT)
    for warning in Settings.ignored():
        logging.getLogger("tts.config").warning("%s", warning)
    listener = listen(settings)   # before the voices load: a port in use is said at once
    try:
        app = create_app(settings)
    except (SettingsError, EngineUnavailable) as error:   # a default voice not offered, a voice build missing
        give_up(error)
    serve(app, settings, listener)


def give_up(error: Exception) -> NoReturn:
    """What only a changed setting (or ./run.sh's build) fixes: one line, and a status not restarted."""
    source = "tts.config" if isinstance(error, SettingsError) else "tts.engines"
    logging.getLogger(source).error("%s", error)
    raise SystemExit(EXIT_BAD_SETTINGS) from None


if __name__ == "__main__":
    main()
