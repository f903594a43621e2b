"""The production server (app.py) with one more engine whose faults a test can script: the tone
engine of tests/fakes.py, beside the real voices. For fault-injection tests; never shipped."""

from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

import app  # noqa: E402
from fakes import ToneModel, tone_engine  # noqa: E402
from tts.config import Settings  # noqa: E402
from tts.engines import declare_engines  # noqa: E402
from tts.synthesizer import Synthesizer  # noqa: E402
from tts.web import create_app  # noqa: E402

# How long a 挂 phrase holds the worker thread: 4 s, or FAULTY_HANG_SECONDS (a test's knob, not a TTS_* setting;
# a test that kills the server mid-phrase sets it long, so the phrase holds until the process dies).
HANG_SECONDS = float(os.environ.get("FAULTY_HANG_SECONDS", "4.0"))

if __name__ == "__main__":
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    listener = app.listen(settings)
    engines = {**declare_engines(settings), "tone": tone_engine(ToneModel(hang_seconds=HANG_SECONDS))}
    synthesizer = Synthesizer(engines, default_voice=settings.default_voice,
                              max_audio_seconds=settings.max_audio_seconds)
    app.serve(create_app(settings, synthesizer=synthesizer), settings, listener)
