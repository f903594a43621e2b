"""The embedded voice's decoder file (the acoustic model's frame-rate half) gives the same mels, bit
for bit, in onnxruntime-web (the page's runtime, in Node: the same wasm a browser runs) as in the
server's onnxruntime. Browser vocoding relies on it: the page decodes the hidden states the server
hands out, and its audio must equal the server's own (an int8 graph without the care taken in
tts/engines/embedded_decoder.py was 31–38 dB apart in mel, 12 dB in audio).

Needs node and `npm ci` in npm/ (./run.sh test installs both); nothing skips."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from helpers import ROOT
from tts.config import Settings
from tts.engines.base import EngineOptions
from tts.frontend import analyze
from tts.web.hidden import RUNTIME_FILES

SCRIPT = ROOT / "tts" / "bench" / "frame_half_wasm.mjs"
TEXTS = {   # short, long (one call near 900 frames), slow and fast speech, another dropout draw
    "好的。": EngineOptions(),
    "二零二六年的春天，城市图书馆把三楼的旧阅览室改成了安静的自习区，每天早上八点开门，晚上十点关门，周末也照常开放。":
        EngineOptions(seed=5),
    "请在下一个路口向左转，然后继续直行两百米。": EngineOptions(speaking_rate=0.6, seed=2),
    "今天天气很好，我们一起去公园散步吧。": EngineOptions(speaking_rate=1.8, seed=9),
}


@pytest.fixture(scope="module")
def calls(engines):
    model = engines["embedded"].model()
    found = [(model, call) for text, options in TEXTS.items() for phrase in analyze(text, 100, None)
             for call in model.acoustic_calls(phrase, options)]
    assert max(call.frames for _, call in found) > 700 and min(call.frames for _, call in found) < 150
    return found


def in_wasm(decoder, calls, folder) -> list[np.ndarray]:
    node = shutil.which("node")
    runtime = ROOT / Settings().page_runtime_dir / RUNTIME_FILES["runtime"]
    if node is None or not runtime.is_file():
        pytest.fail(f"needs node and {runtime}: run ./run.sh (npm ci in npm/)", pytrace=False)
    inputs = []
    for i, (_, call) in enumerate(calls):
        call.hidden.astype("<f2").tofile(folder / f"{i}.hidden")
        call.durations.astype("<i4").tofile(folder / f"{i}.durations")
        inputs.append({"hidden": f"{i}.hidden", "durations": f"{i}.durations", "symbols": call.hidden.shape[1]})
    (folder / "decoder.onnx").write_bytes(decoder.read_bytes())
    (folder / "job.json").write_text(json.dumps({"runtime": str(runtime), "graphs": ["decoder.onnx"], "inputs": inputs}))
    subprocess.run([node, str(SCRIPT), str(folder)], check=True, capture_output=True, timeout=600)
    return [np.fromfile(folder / f"decoder.onnx.{i}.mel", "<f4").reshape(1, call.frames, 80)
            for i, (_, call) in enumerate(calls)]


def test_the_decoder_gives_the_same_mels_in_onnxruntime_web_as_on_the_server(calls, tmp_path):
    model = calls[0][0]
    wasm = in_wasm(model.decoder_file, calls, tmp_path)
    for (_, call), theirs in zip(calls, wasm):
        ours = model.decode(call)
        assert np.isfinite(ours).all() and ours.std() > 0.1
        assert np.array_equal(ours, theirs), f"a call of {call.frames} frames differs"
