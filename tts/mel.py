"""Speech made in the listener's browser: the embedded voice's mel frames instead of its audio.

The embedded voice's vocoder is ~92 % of its work. For browser vocoding the server runs
only the frontend and the acoustic model and hands out the normalized mel frames, phrase
by phrase; the page runs the same vocoder graph (the files `./run.sh` builds) with
onnxruntime-web. Speed is applied here (the acoustic model's durations); the gain (the voice's
loudness calibration plus the request's volume: the start record's `volume_db`) is applied
by the client (gain, then the same per-phrase peak limiter as tts.audio.effects); pitch
cannot be, since the server's pitch shift resamples audio it no longer makes (refused).

The stream (media type MEDIA_TYPE) is a sequence of records, each

    u32 little-endian n | n bytes of UTF-8 JSON header | header["bytes"] bytes of payload

in this order: one "start" record (what the client needs to vocode and join: sample rate,
hop, frame rate, dtype, the server's own chunking and context), then per phrase one or
more "mel" records (one acoustic-model call each: float16 little-endian [frames, 80],
row-major; vocode each record on its own and play them back to back) and, between
phrases, a "pause" record (silence, in samples); then "end" (totals), or "error" if the
synthesis failed after the stream began.

The job runs through the service like every synthesis (queue, worker thread, cancel):
`MelRendering` replaces the audio rendering for requests whose format is MEL, and a
job keeps its records in `MelFrames` instead of an audio buffer.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np

from tts.engines import embedded
from tts.errors import InvalidInput
from tts.synthesizer import Plan, Rendering

MEL = "mel"                     # SynthesisRequest.format of a browser-vocoding request
MEDIA_TYPE = "application/vnd.zh-tts.mel-stream"
VERSION = 1
SAMPLE_RATE = embedded.EmbeddedEngine.sample_rate
HOP = embedded.HOP
MEL_BINS = 80
_LENGTH = struct.Struct("<I")


@dataclass(frozen=True)
class MelChunk:
    """One acoustic-model call's mel (float16 [frames, 80]) or, with `frames` None, a pause."""

    phrase: int
    frames: np.ndarray | None = None
    pause_samples: int = 0

    @property
    def samples(self) -> int:
        """Audio samples this record stands for once vocoded."""
        return self.pause_samples if self.frames is None else len(self.frames) * HOP

    @property
    def nbytes(self) -> int:
        return 0 if self.frames is None else self.frames.nbytes

    def record(self) -> bytes:
        if self.frames is None:
            return record({"type": "pause", "phrase": self.phrase, "samples": self.pause_samples})
        payload = np.ascontiguousarray(self.frames, "<f2").tobytes()
        return record({"type": "mel", "phrase": self.phrase, "frames": len(self.frames)}, payload)


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


def start_record(volume_db: float, chunk_frames: int, models: dict) -> bytes:
    """What a client needs before the first mel: the format, and how the server itself vocodes
    (head once per mel record, tail in windows; any split with ≥ context frames joins exactly)."""
    return record({
        "type": "start", "version": VERSION, "sample_rate": SAMPLE_RATE, "hop": HOP,
        "frame_rate": SAMPLE_RATE / HOP, "mel_bins": MEL_BINS, "dtype": "float16", "byte_order": "little",
        "layout": "frames x bins, row-major", "volume_db": volume_db, "pitch": 0,
        "vocoder": {"models": models, "min_frames": embedded.MIN_VOCODER_FRAMES, "chunk_frames": chunk_frames,
                    "context_frames": embedded.TAIL_CONTEXT_FRAMES, "window_frames": embedded.TAIL_WINDOW_FRAMES,
                    "whole_network_context_frames": embedded.CONTEXT_FRAMES},
    })


class MelFrames:
    """A mel job's records as the worker hands them out, read by the job's followers like an
    AudioBuffer (float16 mels are 12.8 kB per second of speech: kept in memory)."""

    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        self._chunks: list[MelChunk] = []
        self.samples = 0
        self.nbytes = 0

    def append(self, chunk: MelChunk) -> None:
        self._chunks.append(chunk)
        self.samples += chunk.samples
        self.nbytes += chunk.nbytes

    def __len__(self) -> int:
        return len(self._chunks)

    def chunk(self, index: int) -> MelChunk:
        return self._chunks[index]

    @property
    def seconds(self) -> float:
        return self.samples / SAMPLE_RATE


class MelRendering(Rendering):
    """The rendering of a MEL request: plan as for audio, then the acoustic model alone, phrase
    by phrase, on the same worker steps (so it is queued, timed, costed and cancelled alike).
    Mels are not cached: the phrase cache holds audio, and the acoustic model is cheap."""

    def begin(self) -> Plan:
        plan = self._timed(self._synthesizer.plan, self._request)
        self.cache_status = "miss"
        # The scheduler (tts.service.turns) estimates a request's work from its uncached phrases and
        # learns the voice's cost from them: a mel phrase is ~8 % of one with audio, so it counts as
        # free there, and teaches nothing.
        self.cached = frozenset(plan.keys)
        self._chunks = _mel_chunks(plan)
        self.plan = plan
        return plan


def _mel_chunks(plan: Plan):
    model = plan.engine.model()
    if not hasattr(model, "mels"):
        raise InvalidInput(f"voice {plan.voice!r} has no mel output; only the embedded voice has", field="voice")
    last = len(plan.phrases) - 1
    for index, phrase in enumerate(plan.phrases):
        for mel in model.mels(phrase, plan.options):
            yield MelChunk(index, mel[0].astype(np.float16))
        if index < last and phrase.pause_ms:
            yield MelChunk(index, pause_samples=SAMPLE_RATE * phrase.pause_ms // 1000)
