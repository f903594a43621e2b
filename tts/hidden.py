"""Speech made in the listener's browser: the embedded voice's hidden states instead of its audio.

FastSpeech2 works in two halves: a per-symbol half (text encoder; duration, pitch and energy
predictors) and a per-frame half (decoder, mel projection, postnet: ~90 % of it), then the
vocoder makes audio of the mel. For browser vocoding the server runs the frontend and the
per-symbol half only and hands out, per acoustic call, each symbol's hidden state (the
decoder's input) and its duration in mel frames: phoneme rate, half the bytes of float16
mels. The page runs the decoder and the vocoder (the graphs the server runs itself for its
own audio, served from this origin) with onnxruntime-web.

Speed is applied here (the durations; faster than the model's own rate the client squeezes
the decoder's mel in time by the call's `stretch`, tts.audio.effects.squeeze_frames, where the
server's own audio is time-stretched: the speed is right, the sound not quite the same);
the gain is applied by the client as the server applies it (tts.audio.effects): the voice's
loudness calibration (the start record's `calibration_db`) on every piece of audio as it is
made, through the sample-local soft knee (`calibrate`), then the request's volume (`volume_db`,
when not 0) on each whole phrase with the per-phrase peak limiter (`apply_gain`); pitch cannot be, since the server's pitch shift resamples audio it no
longer makes (refused).

The stream (media type MEDIA_TYPE) is a sequence of records, each

    u32 little-endian n | n bytes of UTF-8 JSON header | header["bytes"] bytes of payload

in this order: one "start" record (the format, the three graphs' hashed URLs, and how the
server itself vocodes), then per phrase one or more records of one acoustic call each, and,
between phrases, a "pause" record (silence, in samples); then "end" (totals), or "error" if
the synthesis failed after the stream began. A call is a "hidden" record (float16 [symbols,
256] hidden states, then int32 [symbols] durations, little-endian, row-major: decode it, then
vocode it) except the first call of the text, which the server decodes itself and sends as a
"mel" record (float32 [frames, 80]: exactly what its own vocoder takes): the first sound then
waits for no decoder on the device. Vocode each call on its own and play them back to back.

The job runs through the service like every synthesis (queue, worker thread, cancel):
`HiddenRendering` replaces the audio rendering for requests whose format is HIDDEN, and a
job keeps its records in `HiddenCalls` instead of an audio buffer.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np

from tts.audio.effects import squeezed_length
from tts.engines import embedded
from tts.engines.embedded_decoder import CHANNELS
from tts.errors import InvalidInput
from tts.synthesizer import Plan, Rendering

HIDDEN = "hidden"               # SynthesisRequest.format of a browser-vocoding request
MEDIA_TYPE = "application/vnd.zh-tts.hidden-stream"
VERSION = 3                     # 1 carried mels (the server ran the whole acoustic model); 2 had one volume_db
SAMPLE_RATE = embedded.EmbeddedEngine.sample_rate
HOP = embedded.HOP
MEL_BINS = 80
_LENGTH = struct.Struct("<I")


@dataclass(frozen=True)
class HiddenCall:
    """One acoustic call of a phrase: the engine's call (its per-symbol half, for the client to
    decode, then squeeze `stretch` times shorter in time); or its mel (float32 [frames, 80]),
    decoded by the server; or neither: a pause."""

    phrase: int
    call: embedded.AcousticCall | None = None
    mel: np.ndarray | None = None
    pause_samples: int = 0

    @property
    def frames(self) -> int:
        """Mel frames the client vocodes (after the squeeze)."""
        if self.mel is not None:
            return len(self.mel)
        return 0 if self.call is None else squeezed_length(self.call.frames, self.call.stretch)

    @property
    def samples(self) -> int:
        """Audio samples this record stands for once decoded and vocoded."""
        return self.frames * HOP or self.pause_samples

    @property
    def nbytes(self) -> int:
        if self.mel is not None:
            return self.mel.nbytes
        return 0 if self.call is None else self.call.hidden.nbytes + self.call.durations.nbytes

    def record(self) -> bytes:
        if self.mel is not None:
            return record({"type": "mel", "phrase": self.phrase, "frames": self.frames},
                          np.ascontiguousarray(self.mel, "<f4").tobytes())
        if self.call is None:
            return record({"type": "pause", "phrase": self.phrase, "samples": self.pause_samples})
        hidden, durations = self.call.hidden[0], self.call.durations[0]
        payload = np.ascontiguousarray(hidden, "<f2").tobytes() + np.ascontiguousarray(durations, "<i4").tobytes()
        return record({"type": "hidden", "phrase": self.phrase, "symbols": len(durations),
                       "decoder_frames": self.call.frames, "stretch": self.call.stretch,
                       "frames": self.frames}, payload)


def record(header: dict, payload: bytes = b"") -> bytes:
    """One record of the stream: length-prefixed JSON header, then its payload."""
    head = json.dumps({**header, "bytes": len(payload)}, ensure_ascii=False, separators=(",", ":")).encode()
    return _LENGTH.pack(len(head)) + head + payload


def read_records(data: bytes) -> list[tuple[dict, bytes]]:
    """A whole stream back into (header, payload) pairs (for tests and the benchmark)."""
    records, at = [], 0
    while at < len(data):
        (size,) = _LENGTH.unpack_from(data, at)
        header = json.loads(data[at + 4:at + 4 + size])
        at += 4 + size
        records.append((header, data[at:at + header["bytes"]]))
        at += header["bytes"]
    return records


def unpack(header: dict, payload: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A "hidden" record's payload as (hidden float16 [symbols, 256], durations int32 [symbols])."""
    symbols = header["symbols"]
    split = symbols * CHANNELS * 2
    return (np.frombuffer(payload[:split], "<f2").reshape(symbols, CHANNELS),
            np.frombuffer(payload[split:], "<i4"))


def start_record(calibration_db: float, volume_db: float, chunk_frames: int, models: dict) -> bytes:
    """What a client needs before the first call: the format, the graphs, and how the server
    itself vocodes (head once per call's mel, tail in windows; any split with ≥ context frames
    joins exactly)."""
    return record({
        "type": "start", "version": VERSION, "sample_rate": SAMPLE_RATE, "hop": HOP,
        "frame_rate": SAMPLE_RATE / HOP, "mel_bins": MEL_BINS, "channels": CHANNELS, "byte_order": "little",
        "hidden": {"dtype": "float16", "layout": "symbols x channels, row-major"},
        "durations": {"dtype": "int32", "unit": "mel frames"},
        "calibration_db": calibration_db, "volume_db": volume_db, "pitch": 0, "models": models,
        "vocoder": {"min_frames": embedded.MIN_VOCODER_FRAMES, "chunk_frames": chunk_frames,
                    "context_frames": embedded.TAIL_CONTEXT_FRAMES, "window_frames": embedded.TAIL_WINDOW_FRAMES,
                    "whole_network_context_frames": embedded.CONTEXT_FRAMES},
    })


class HiddenCalls:
    """A browser-vocoding job's records as the worker hands them out, read by the job's followers
    like an AudioBuffer (~9 kB per second of speech: kept in memory)."""

    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        self._calls: list[HiddenCall] = []
        self.samples = 0
        self.nbytes = 0

    def append(self, call: HiddenCall) -> None:
        self._calls.append(call)
        self.samples += call.samples
        self.nbytes += call.nbytes

    def __len__(self) -> int:
        return len(self._calls)

    def chunk(self, index: int) -> HiddenCall:
        return self._calls[index]

    @property
    def seconds(self) -> float:
        return self.samples / SAMPLE_RATE


class HiddenRendering(Rendering):
    """The rendering of a HIDDEN request: plan as for audio, then the acoustic model's per-symbol
    half alone (and the decoder for the text's first call), call by call, on the same worker
    steps (so it is queued, timed, costed and cancelled alike). Not cached: the phrase cache
    holds audio, and this half is cheap."""

    def begin(self) -> Plan:
        plan = self._timed(self._synthesizer.plan, self._request)
        self.cache_status = "miss"
        # The scheduler (tts.service.turns) estimates a request's work from its uncached phrases and
        # learns the voice's cost from them: a hidden phrase is ~5 % of one with audio, so it counts
        # as free there, and teaches nothing.
        self.cached = frozenset(plan.keys)
        self._chunks = _calls(plan)
        self.plan = plan
        return plan


def _calls(plan: Plan):
    model = plan.engine.model()
    if not hasattr(model, "acoustic_calls"):
        raise InvalidInput(f"voice {plan.voice!r} cannot be made in the browser; only the embedded voice can",
                           field="voice")
    last = len(plan.phrases) - 1
    first = True
    for index, phrase in enumerate(plan.phrases):
        for call in model.acoustic_calls(phrase, plan.options):
            if first:   # the first sound waits for no decoder on the device: the server decodes this one
                mel = model.mel_of(call)
                yield HiddenCall(index, mel=mel[0])
                first = False
            else:
                yield HiddenCall(index, call)
        if index < last and phrase.pause_ms:
            yield HiddenCall(index, pause_samples=SAMPLE_RATE * phrase.pause_ms // 1000)
