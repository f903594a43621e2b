"""The article's server design, rebuilt as a reference on our voice: `python tts/bench/baseline_article.py`.

Kept faithful on purpose, flaws included, so the benchmark compares designs, not voices:
- gevent monkey-patching and Flask, and one worker *greenlet* that runs inference on the
  hub: while it synthesizes, no other request (not even /readyz) is served;
- task id = md5 of the text, results in a plain dict that is never emptied;
- an LRU of finished audio keyed by the text alone (speed is ignored in the key);
- whole-utterance synthesis: per sentence one acoustic call and one vocoder call over
  the whole mel, every sentence before the reply; an unbounded queue, so no 503 ever.
Same voice (EmbeddedEngine, with the vocoder exactly as shipped: LiteRT on the tflite) and
frontend (tts.frontend.analyze) as ours; TTS_HOST,
TTS_PORT and TTS_THREADS are read like ours so the bench starts both the same way.
"""

from gevent import monkey

monkey.patch_all()

import hashlib  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections import OrderedDict  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import numpy as np  # noqa: E402
import soundfile  # noqa: E402
from flask import Flask, Response, jsonify, request  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402
from gevent.queue import Queue  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tts.engines.base import EngineOptions  # noqa: E402
from tts.engines.embedded import MAX_FRAMES, EmbeddedEngine  # noqa: E402
from tts.engines.embedded_assets import locate  # noqa: E402
from tts.frontend import analyze  # noqa: E402

LRU_SIZE = 100

app = Flask(__name__)
engine = EmbeddedEngine(locate(), threads=int(os.environ.get("TTS_THREADS", "2")), chunk_frames=MAX_FRAMES,
                        runtime="litert")   # the voice exactly as shipped
tasks: Queue = Queue()                      # unbounded
results: dict[str, bytes] = {}              # task id → WAV, never removed
lru: OrderedDict[str, bytes] = OrderedDict()  # text → WAV


def synthesize(text: str, speed: float) -> bytes:
    """All sentences, one acoustic call and one whole-mel vocoder call each, then one WAV."""
    options = EngineOptions(speaking_rate=speed)
    phrases, pieces = analyze(text, engine.max_syllables, engine.lead_in_syllables), []
    for index, phrase in enumerate(phrases):
        pieces.extend(engine.vocode(engine.mel(phrase, options)))   # chunk_frames = MAX_FRAMES: one call
        if index < len(phrases) - 1:                                # silence between sentences, as ours
            pieces.append(np.zeros(engine.sample_rate * phrase.pause_ms // 1000, np.float32))
    buffer = io.BytesIO()
    soundfile.write(buffer, np.concatenate(pieces), engine.sample_rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def worker() -> None:
    """Runs on the hub: each synthesis blocks every other greenlet until it is done."""
    while True:
        task_id, text, speed = tasks.get()
        results[task_id] = synthesize(text, speed)


@app.post("/tts")
def tts():
    body = request.get_json(force=True)
    text, speed = body["text"], float(body.get("speed", 1.0))
    if text in lru:
        lru.move_to_end(text)
        return Response(lru[text], mimetype="audio/wav")
    task_id = hashlib.md5(text.encode()).hexdigest()
    tasks.put((task_id, text, speed))
    while task_id not in results:
        gevent.sleep(0.05)
    lru[text] = results[task_id]
    if len(lru) > LRU_SIZE:
        lru.popitem(last=False)
    return Response(results[task_id], mimetype="audio/wav")


@app.get("/readyz")
def readyz():
    return jsonify({"ready": True, "queued": tasks.qsize()})


if __name__ == "__main__":
    synthesize("你好。", 1.0)   # warm up, as ours does
    gevent.spawn(worker)
    WSGIServer((os.environ.get("TTS_HOST", "127.0.0.1"), int(os.environ.get("TTS_PORT", "8001"))), app,
               log=None).serve_forever()
