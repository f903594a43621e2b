"""Encoders from float samples to the bytes a client plays, whole or as a stream.

Every format streams: `StreamEncoder.write(samples)` hands back the bytes ready so far and
`finalize()` the rest, so a response can start with the first phrase.
- WAV and raw PCM are our own writer; the streamed WAV header says "length unknown"
  (0xFFFFFFFF, which browsers and ffmpeg accept).
- Ogg/Opus comes from libsndfile, which writes Ogg pages strictly in order.
- MP3 (LAME), AAC (ffmpeg's encoder, in ADTS frames) and FLAC come from PyAV (ffmpeg's
  libraries), muxed into a sink that cannot seek, so each frame goes out as it is encoded
  and no header waits to be patched: streamed MP3 has no Xing/LAME tag (players decode the
  encoder's ~50 ms lead-in), streamed FLAC leaves STREAMINFO's total length unknown (0).
`encode()` makes a whole file: MP3 and FLAC then come from libsndfile, which seeks back to
write the totals (the MP3 gapless tag, FLAC's length), the others are the stream joined.

Rates: Opus takes only 8, 12, 16, 24 and 48 kHz (the rate is kept in its header, but Opus
players decode at 48 kHz); every other format carries all of tts.request.SAMPLE_RATES.
Measured (`python -m tts.bench encoders`, one core): MP3 ~12 ms and AAC ~7 ms of CPU per
second of 24 kHz audio, a few per cent of what synthesizing it costs.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import av
import numpy as np
import soundfile

from tts.audio import dequantize, quantize

LOSSY_BIT_RATE = 64_000   # MP3 and AAC, mono speech: transparent at 24 kHz, a fifth of 16-bit PCM's bytes


@dataclass(frozen=True)
class Format:
    media_type: str
    sndfile: tuple[str, str] | None = None   # libsndfile (major format, subtype) for a whole file, if used
    av: tuple[str, str] | None = None        # PyAV (muxer, codec) for a stream, if used
    sample_rates: tuple[int, ...] | None = None   # None = any
    note: str = ""                           # what a client should know, for the API description


FORMATS = {
    "wav": Format("audio/wav", note="16-bit PCM in RIFF/WAVE; streamed, its header says 'length unknown'"),
    "pcm": Format("audio/pcm", note="raw s16le mono, no header (the rate is in X-Sample-Rate)"),
    "flac": Format("audio/flac", ("FLAC", "PCM_16"), ("flac", "flac"),
                   note="16-bit; streamed, STREAMINFO's total length is 0 (unknown)"),
    "mp3": Format("audio/mpeg", ("MP3", "MPEG_LAYER_III"), ("mp3", "libmp3lame"),
                  note="64 kbit/s; whole files carry a gapless (LAME) tag, streams do not"),
    "opus": Format("audio/ogg", ("OGG", "OPUS"), sample_rates=(8000, 12000, 16000, 24000, 48000),
                   note="Opus in Ogg; players decode it at 48 kHz whatever the rate asked for"),
    "aac": Format("audio/aac", av=("adts", "aac"), note="AAC-LC in ADTS frames, 64 kbit/s"),
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


class WholeEncoder:
    """A complete file written block by block into `out` (seekable): write(samples), then close().
    MP3 and FLAC through libsndfile, so their headers get the totals; the rest as streamed."""

    def __init__(self, fmt: str, sample_rate: int, out) -> None:
        spec = FORMATS[fmt]
        self._out = out
        self._file: soundfile.SoundFile | None = None
        self._stream: StreamEncoder | None = None
        if fmt in ("mp3", "flac"):
            major, subtype = spec.sndfile
            self._file = soundfile.SoundFile(out, "w", samplerate=sample_rate, channels=1, format=major,
                                             subtype=subtype)
        else:
            self._stream = StreamEncoder(fmt, sample_rate)

    def write(self, samples: np.ndarray) -> None:
        """Float samples, or int16 steps (a job's stored audio)."""
        if self._file is not None:
            self._file.write(_floats(samples))
        else:
            self._out.write(self._stream.write(samples))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        else:
            self._out.write(self._stream.finalize())


def encode(samples: np.ndarray, sample_rate: int, fmt: str) -> bytes:
    """A whole utterance as one complete file."""
    if fmt == "pcm":
        return to_pcm16(samples)
    if fmt == "wav":
        pcm = to_pcm16(samples)
        return wav_header(sample_rate, len(pcm)) + pcm
    buffer = io.BytesIO()
    encoder = WholeEncoder(fmt, sample_rate, buffer)
    encoder.write(samples)
    encoder.close()
    return buffer.getvalue()


def _floats(samples: np.ndarray) -> np.ndarray:
    """Samples on the 16-bit grid as float32 in [-1, 1] (what every format ends on)."""
    return dequantize(samples if samples.dtype == np.int16 else quantize(samples))


class _Sink:
    """Where the muxer writes: it cannot seek, so nothing is held back to be patched later."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class _Muxed:
    """One PyAV output: an encoder and a muxer writing into a _Sink."""

    def __init__(self, muxer: str, codec: str, sample_rate: int) -> None:
        self.sink = _Sink()
        # bitexact: no encoder version strings in the bytes (equal requests, equal bytes across upgrades);
        # no ID3 tag before an MP3 stream: its first byte is a frame's
        options = {"fflags": "+bitexact", **({"id3v2_version": "0"} if muxer == "mp3" else {})}
        self.container = av.open(self.sink, "w", format=muxer, options=options)
        self.stream = self.container.add_stream(codec, rate=sample_rate, layout="mono",
                                                options={"flags": "+bitexact"})
        self.lossless = codec == "flac"
        if not self.lossless:
            self.stream.bit_rate = LOSSY_BIT_RATE
        self.rate = sample_rate
        self.samples = 0

    def write(self, samples: np.ndarray) -> bytes:
        steps = samples if samples.dtype == np.int16 else quantize(samples)
        if self.lossless:
            frame = av.AudioFrame.from_ndarray(steps.reshape(1, -1), format="s16", layout="mono")
        else:
            frame = av.AudioFrame.from_ndarray(dequantize(steps).reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = self.rate, self.samples
        self.samples += len(steps)
        self._mux(self.stream.encode(frame))
        return self.sink.take()

    def finalize(self) -> bytes:
        self._mux(self.stream.encode(None))
        self.container.close()
        return self.sink.take()

    def _mux(self, packets) -> None:
        for packet in packets:
            self.container.mux(packet)


class StreamEncoder:
    """write(samples) → the bytes ready so far; finalize() → the rest (and the encoder is done).

    `samples` are float32 in [-1, 1] or int16 steps. Not thread-safe; the web layer drives
    one from its thread pool, since MP3 and AAC cost real CPU.
    """

    def __init__(self, fmt: str, sample_rate: int) -> None:
        spec = FORMATS[fmt]
        self._pending = wav_header(sample_rate, None) if fmt == "wav" else b""
        self._buffer: io.BytesIO | None = None
        self._file: soundfile.SoundFile | None = None
        self._muxed: _Muxed | None = None
        if spec.av:
            self._muxed = _Muxed(*spec.av, sample_rate)
        elif spec.sndfile:
            self._buffer = io.BytesIO()
            major, subtype = spec.sndfile
            self._file = soundfile.SoundFile(self._buffer, "w", samplerate=sample_rate, channels=1,
                                             format=major, subtype=subtype)

    def write(self, samples: np.ndarray) -> bytes:
        if self._muxed is not None:
            return self._muxed.write(samples)
        if self._file is not None:
            self._file.write(_floats(samples))
            return self._drain()
        steps = samples if samples.dtype == np.int16 else quantize(samples)
        out, self._pending = self._pending + steps.astype("<i2").tobytes(), b""
        return out

    def finalize(self) -> bytes:
        if self._muxed is not None:
            return self._muxed.finalize()
        if self._file is not None:
            self._file.close()
            return self._drain()
        out, self._pending = self._pending, b""
        return out

    def _drain(self) -> bytes:
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data
