"""A stand-in for ModelScope's pipeline (whose ttsfrd cannot run on Python 3.11): same call, a tone per character."""

import io

import numpy as np
import soundfile


def factory(model_dir):
    def synthesize(text, voice):
        if "坏" in text:
            raise RuntimeError("the frontend rejected this text")
        t = np.arange(int(0.2 * 16000 * len(text))) / 16000
        buffer = io.BytesIO()
        soundfile.write(buffer, 0.3 * np.sin(2 * np.pi * 200 * t), 16000, format="WAV", subtype="PCM_16")
        return buffer.getvalue()
    return synthesize


def broken_factory(model_dir):
    raise FileNotFoundError("am/ckpt/checkpoint_0.pth")
