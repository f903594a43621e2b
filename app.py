"""Build the app and serve it on gevent's WSGI server: `python app.py` (see run.sh)."""

from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402  (after monkey-patching, as gevent requires)

from gevent.pywsgi import WSGIServer  # noqa: E402

from tts.config import Settings  # noqa: E402
from tts.web import create_app  # noqa: E402


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    # Access lines come from tts.web.observability (JSON, with request ids), not from gevent.
    server = WSGIServer((settings.host, settings.port), app, log=None, error_log=logging.getLogger("gevent"))
    logging.getLogger("tts").info("serving on http://%s:%d", settings.host, server.server_port)
    server.serve_forever()


if __name__ == "__main__":
    main()
