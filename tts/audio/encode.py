"""Encoders from float samples to the bytes a client plays, whole or as a stream.

Every format streams: `StreamEncoder.write(samples)` hands back the bytes ready so far and
`finalize()` the rest, so a response can start with the first phrase.
- WAV and raw PCM are our own writer; the streamed WAV header says "length unknown"
  (0xFFFFFFFF, which browsers and ffmpeg accept).
- MP3 comes from LAME (`lameenc`), frame by frame: a stream of bare MPEG frames, without the
  Xing/LAME tag a whole file has, so players also play the encoder's ~50 ms lead-in.
- AAC-LC (ffmpeg's encoder, in ADTS frames), Opus (libopus, in Ogg pages of at most 100 ms)
  and FLAC come from PyAV (ffmpeg's libraries), muxed into a sink that cannot seek, so each
  packet goes out as it is made and no header waits to be patched (a streamed FLAC's
  STREAMINFO leaves the total length 0, "unknown").
`encode()`/`WholeEncoder` make a whole file: MP3 and FLAC then come from libsndfile, which
seeks back to write the totals (the MP3 gapless tag, FLAC's length); the others are the
stream joined.

Chosen by measuring (`python -m tts.bench encoders`, and the same chunks through the other
candidate): LAME through lameenc costs a fifth of LAME through PyAV at the same quality
(1.7 vs 7.0 ms of CPU per second of 24 kHz speech at -q 5), libopus through PyAV a tenth of
libsndfile's Opus (2.8 vs 30.7 ms at complexity 5 vs its default), ffmpeg's "fast" AAC coder
60 % of its default's (2.8 vs 4.7 ms), against ~40 ms to synthesize that second with the
embedded voice.

Rates: Opus takes only 8, 12, 16, 24 and 48 kHz (the rate is kept in its header, but Opus
players decode at 48 kHz); every other format carries all of tts.request.SAMPLE_RATES.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import lameenc
import numpy as np
import soundfile

from tts.audio import dequantize, quantize

SPEECH_BIT_RATES = {"mp3": 64_000, "aac": 64_000, "opus": 32_000}   # mono speech: transparent, a sixth of PCM's
LAME_QUALITY = 5          # LAME's own default (-q 5): good quality; -q 2 costs 2.7x the CPU for speech at 64 kbit/s
OPUS_COMPLEXITY = 5       # of 10: a third of the default's CPU; speech at 32 kbit/s needs no more
AAC_CODER = "fast"        # ffmpeg's AAC coder: "fast" costs 40 % less CPU than the default "twoloop" at 64 kbit/s
CODEC_OPTIONS = {"libopus": {"compression_level": str(OPUS_COMPLEXITY)}, "aac": {"aac_coder": AAC_CODER}}
OGG_PAGE_MICROSECONDS = 100_000   # a page at least every 100 ms of audio, so a stream never waits for a page to fill


@dataclass(frozen=True)
class Format:
    media_type: str
    streamer: str = "raw"                    # raw (ours), lame, or av (PyAV)
    sndfile: tuple[str, str] | None = None   # libsndfile (major format, subtype) for a whole file, if used
    av: tuple[str, str] | None = None        # PyAV (muxer, codec) for a stream, if used
    sample_rates: tuple[int, ...] | None = None   # None = any
    note: str = ""                           # what a client should know, for the API description


FORMATS = {
    "wav": Format("audio/wav", note="16-bit PCM in RIFF/WAVE; streamed, its header says 'length unknown'"),
    "pcm": Format("audio/pcm", note="raw s16le mono, no header (the rate is in X-Sample-Rate)"),
    "flac": Format("audio/flac", "av", ("FLAC", "PCM_16"), ("flac", "flac"),
                   note="16-bit; streamed, STREAMINFO's total length is 0 (unknown)"),
    "mp3": Format("audio/mpeg", "lame", ("MP3", "MPEG_LAYER_III"),
                  note="64 kbit/s (LAME); a whole file has a gapless tag, a stream is bare frames"),
    "opus": Format("audio/ogg", "av", av=("ogg", "libopus"), sample_rates=(8000, 12000, 16000, 24000, 48000),
                   note="Opus in Ogg, 32 kbit/s; players decode it at 48 kHz whatever the rate asked for"),
    "aac": Format("audio/aac", "av", av=("adts", "aac"), note="AAC-LC in ADTS frames, 64 kbit/s"),
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
        if spec.sndfile:
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
        import av   # on first use: ffmpeg's libraries add ~18 MB to a process that never serves these formats

        self.av = av
        self.sink = _Sink()
        # bitexact: no encoder version strings in the bytes (equal requests, equal bytes across upgrades)
        options = {"fflags": "+bitexact", **({"page_duration": str(OGG_PAGE_MICROSECONDS)} if muxer == "ogg" else {})}
        self.container = av.open(self.sink, "w", format=muxer, options=options)
        codec_options = {"flags": "+bitexact", **CODEC_OPTIONS.get(codec, {})}
        self.stream = self.container.add_stream(codec, rate=sample_rate, layout="mono", options=codec_options)
        self.lossless = codec == "flac"
        if not self.lossless:
            self.stream.bit_rate = SPEECH_BIT_RATES["aac" if codec == "aac" else "opus"]
        self.rate = sample_rate
        self.samples = 0

    def write(self, samples: np.ndarray) -> bytes:
        steps = samples if samples.dtype == np.int16 else quantize(samples)
        if self.lossless:
            frame = self.av.AudioFrame.from_ndarray(steps.reshape(1, -1), format="s16", layout="mono")
        else:
            frame = self.av.AudioFrame.from_ndarray(dequantize(steps).reshape(1, -1), format="fltp", layout="mono")
            # (planar float: what AAC takes; libopus takes it too, converted by PyAV)
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


class _Lame:
    """MP3 frames from LAME as the samples come (int16 in, bare MPEG frames out)."""

    def __init__(self, sample_rate: int) -> None:
        self.encoder = lameenc.Encoder()
        self.encoder.set_in_sample_rate(sample_rate)
        self.encoder.set_out_sample_rate(sample_rate)   # never LAME's own choice of rate
        self.encoder.set_channels(1)
        self.encoder.set_bit_rate(SPEECH_BIT_RATES["mp3"] // 1000)
        self.encoder.set_quality(LAME_QUALITY)

    def write(self, samples: np.ndarray) -> bytes:
        steps = samples if samples.dtype == np.int16 else quantize(samples)
        return bytes(self.encoder.encode(steps.astype("<i2").tobytes()))

    def finalize(self) -> bytes:
        return bytes(self.encoder.flush())


class StreamEncoder:
    """write(samples) → the bytes ready so far; finalize() → the rest (and the encoder is done).

    `samples` are float32 in [-1, 1] or int16 steps. Not thread-safe; the web layer drives
    one from its thread pool, since the compressed formats cost real CPU.
    """

    def __init__(self, fmt: str, sample_rate: int) -> None:
        spec = FORMATS[fmt]
        self._pending = wav_header(sample_rate, None) if fmt == "wav" else b""
        self._coded: _Muxed | _Lame | None = None
        if spec.streamer == "av":
            self._coded = _Muxed(*spec.av, sample_rate)
        elif spec.streamer == "lame":
            self._coded = _Lame(sample_rate)

    def write(self, samples: np.ndarray) -> bytes:
        if self._coded is not None:
            return self._coded.write(samples)
        steps = samples if samples.dtype == np.int16 else quantize(samples)
        out, self._pending = self._pending + steps.astype("<i2").tobytes(), b""
        return out

    def finalize(self) -> bytes:
        if self._coded is not None:
            return self._coded.finalize()
        out, self._pending = self._pending, b""
        return out
