"""The ModelScope Sambert-HifiGan worker: runs in its own Python 3.10 environment.

ModelScope's closed `ttsfrd` frontend ships only for Python 3.8/3.10, so the server
(3.11) runs this file as a child process with that environment's interpreter and talks
to it in JSON lines over stdin/stdout. This file imports nothing from the server.

Protocol: the worker first prints {"ready": true, "voices": [...]} (or {"ready": false,
"error": ...}); then for each request line {"text": ..., "voice": ...} it prints
{"ok": true, "wav": <base64 WAV>} or {"ok": false, "error": ...}.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import sys


def modelscope_pipeline(model_dir: str):
    """The real pipeline: ModelScope's text-to-speech task on a local model directory."""
    from modelscope.outputs import OutputKeys
    from modelscope.pipelines import pipeline
    from modelscope.utils.constant import Tasks

    tts = pipeline(task=Tasks.text_to_speech, model=model_dir)

    def synthesize(text: str, voice: str) -> bytes:
        return tts(input=text, voice=voice)[OutputKeys.OUTPUT_WAV]

    return synthesize


def model_voices(model_dir: str) -> list[str]:
    with open(os.path.join(model_dir, "voices", "voices.json"), encoding="utf-8") as handle:
        return list(json.load(handle)["voices"])


def _load_factory(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _send(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--factory", default=f"{__name__}:modelscope_pipeline",
                        help="module:function(model_dir) returning synthesize(text, voice) -> WAV bytes")
    args = parser.parse_args()
    try:
        synthesize = _load_factory(args.factory)(args.model_dir)
        voices = model_voices(args.model_dir)
    except Exception as error:  # report any start-up failure to the parent, then stop
        _send({"ready": False, "error": f"{type(error).__name__}: {error}"})
        return 1
    _send({"ready": True, "voices": voices})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            wav = synthesize(request["text"], request["voice"])
            _send({"ok": True, "wav": base64.b64encode(wav).decode("ascii")})
        except Exception as error:  # one bad request must not end the worker
            _send({"ok": False, "error": f"{type(error).__name__}: {error}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
