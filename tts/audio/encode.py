"""Encoders from float samples to bytes a client can play, header first where it can stream.

A WAV header needs the data length; when streaming we don't know it yet, so the
streaming header says "as long as it goes" (0xFFFFFFFF), which browsers and ffmpeg accept.
"""

from __future__ import annotations

import struct

import numpy as np

MEDIA_TYPES = {"wav": "audio/wav", "pcm": "audio/L16"}
_UNKNOWN_LENGTH = 0xFFFFFFFF


def to_pcm16(samples: np.ndarray) -> bytes:
    """s16le with clipping, rounding to the nearest step."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def wav_header(sample_rate: int, data_bytes: int | None) -> bytes:
    """RIFF/WAVE header for 16-bit mono PCM; data_bytes None = unknown (streaming)."""
    data = _UNKNOWN_LENGTH if data_bytes is None else data_bytes
    riff = _UNKNOWN_LENGTH if data_bytes is None else 36 + data_bytes
    return b"RIFF" + struct.pack("<I", riff) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16) + b"data" + struct.pack("<I", data)


def encode(samples: np.ndarray, sample_rate: int, fmt: str) -> bytes:
    """A whole utterance as one file in `fmt` ("wav" or "pcm")."""
    pcm = to_pcm16(samples)
    if fmt == "pcm":
        return pcm
    return wav_header(sample_rate, len(pcm)) + pcm
