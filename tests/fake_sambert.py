"""A stand-in for ModelScope's pipeline (whose ttsfrd cannot run on Python 3.11): same call, a tone per character.

Its faults are scripted by the text, as in fakes.ToneModel: 坏 raises; 挂 holds the call (no CPU)
until the test creates `<model_dir>/release`, after writing `<model_dir>/holding`; 忙 burns
0.2 s of CPU in the child first; 断 closes the child's output and holds (as a child being torn
down by the kernel: its pipes closed, not yet reapable).
"""

import io
import os
import time

import numpy as np
import soundfile

BURN_SECONDS = 0.2


def factory(model_dir):
    def synthesize(text, voice):
        if "坏" in text:
            raise RuntimeError("the frontend rejected this text")
        if "断" in text:
            os.close(1)
            while not os.path.exists(os.path.join(model_dir, "release")):
                time.sleep(0.01)
        if "挂" in text:
            open(os.path.join(model_dir, "holding"), "w").close()
            while not os.path.exists(os.path.join(model_dir, "release")):
                time.sleep(0.01)
        if "忙" in text:
            start = time.process_time()
            while time.process_time() - start < BURN_SECONDS:
                pass
        t = np.arange(int(0.2 * 16000 * len(text))) / 16000
        buffer = io.BytesIO()
        soundfile.write(buffer, 0.3 * np.sin(2 * np.pi * 200 * t), 16000, format="WAV", subtype="PCM_16")
        return buffer.getvalue()
    return synthesize


def broken_factory(model_dir):
    raise FileNotFoundError("am/ckpt/checkpoint_0.pth")
