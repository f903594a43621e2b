"""Encoders from float samples to the bytes a client plays, whole or as a stream.

WAV, raw PCM and Ogg/Opus stream as they are made: our WAV header says "length
unknown" (0xFFFFFFFF, which browsers and ffmpeg accept) and libsndfile writes Ogg pages
strictly in order. FLAC and MP3 do not: libsndfile seeks back at close to patch totals
into their headers (FLAC STREAMINFO, the MP3 Xing frame), so they are sent whole.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
import soundfile

from tts.audio import quantize


@dataclass(frozen=True)
class Format:
    media_type: str
    streams: bool
    container: str | None = None     # libsndfile major format, None = our own writer
    subtype: str | None = None
    sample_rates: tuple[int, ...] | None = None   # None = any


FORMATS = {
    "wav": Format("audio/wav", True),
    "pcm": Format("audio/pcm", True),
    "flac": Format("audio/flac", False, "FLAC", "PCM_16"),
    "mp3": Format("audio/mpeg", False, "MP3", "MPEG_LAYER_III"),
    "opus": Format("audio/ogg", True, "OGG", "OPUS", (8000, 12000, 16000, 24000, 48000)),
}
_UNKNOWN_LENGTH = 0xFFFFFFFF


def to_pcm16(samples: np.ndarray) -> bytes:
    """s16le with clipping, rounding to the nearest step."""
    return quantize(samples).tobytes()


def wav_header(sample_rate: int, data_bytes: int | None) -> bytes:
    """RIFF/WAVE header for 16-bit mono PCM; data_bytes None = unknown (streaming)."""
    data = _UNKNOWN_LENGTH if data_bytes is None else data_bytes
    riff = _UNKNOWN_LENGTH if data_bytes is None else 36 + data_bytes
    return b"RIFF" + struct.pack("<I", riff) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16) + b"data" + struct.pack("<I", data)


def encode(samples: np.ndarray, sample_rate: int, fmt: str) -> bytes:
    """A whole utterance as one complete file."""
    spec = FORMATS[fmt]
    if fmt == "pcm":
        return to_pcm16(samples)
    if fmt == "wav":
        pcm = to_pcm16(samples)
        return wav_header(sample_rate, len(pcm)) + pcm
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(samples, -1.0, 1.0), sample_rate, format=spec.container, subtype=spec.subtype)
    return buffer.getvalue()


class StreamEncoder:
    """write(samples) → the bytes ready so far; finalize() → the rest. Only for streaming formats."""

    def __init__(self, fmt: str, sample_rate: int) -> None:
        spec = FORMATS[fmt]
        if not spec.streams:
            raise ValueError(f"{fmt} cannot be streamed")
        self._fmt = fmt
        self._pending = wav_header(sample_rate, None) if fmt == "wav" else b""
        self._buffer: io.BytesIO | None = None
        self._file: soundfile.SoundFile | None = None
        if spec.container:
            self._buffer = io.BytesIO()
            self._file = soundfile.SoundFile(self._buffer, "w", samplerate=sample_rate, channels=1,
                                             format=spec.container, subtype=spec.subtype)

    def write(self, samples: np.ndarray) -> bytes:
        if self._file is None:
            out, self._pending = self._pending + to_pcm16(samples), b""
            return out
        self._file.write(np.clip(samples, -1.0, 1.0))
        return self._drain()

    def finalize(self) -> bytes:
        if self._file is None:
            out, self._pending = self._pending, b""
            return out
        self._file.close()
        return self._drain()

    def _drain(self) -> bytes:
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data
