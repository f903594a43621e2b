"""What encoding costs next to synthesizing: CPU per second of audio for every format, streamed
chunk by chunk as the server does (and whole), and the bytes each makes, on real speech from the
embedded voice. One thread, process CPU time, best of a few runs; ratios to the synthesis's own
CPU per audio second come from the same run."""

from __future__ import annotations

import io
import time

from tts.audio.encode import FORMATS, StreamEncoder, WholeEncoder
from tts.bench import texts
from tts.bench.report import markdown_table
from tts.config import Settings
from tts.request import SynthesisRequest
from tts.synthesizer import Synthesizer


def _cpu(function, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def run(quick: bool = False) -> dict:
    synthesizer = Synthesizer.from_settings(Settings(kokoro=False))
    request = SynthesisRequest(texts.fresh(0, 200 if quick else 600, seed=3), voice="baker")
    started = time.process_time()
    chunks = list(synthesizer.stream(request))
    synthesis_cpu = time.process_time() - started
    rate = chunks[0].sample_rate
    seconds = sum(len(c.samples) for c in chunks) / rate
    repeats = 2 if quick else 5
    rows = []
    for fmt in FORMATS:
        out: dict = {}

        def streamed() -> None:
            encoder = StreamEncoder(fmt, rate)
            first = encoder.write(chunks[0].samples)
            out["first_bytes"] = len(first)
            out["bytes"] = len(first) + sum(len(encoder.write(c.samples)) for c in chunks[1:]) + len(encoder.finalize())

        def whole() -> None:
            encoder = WholeEncoder(fmt, rate, io.BytesIO())
            for chunk in chunks:
                encoder.write(chunk.samples)
            encoder.close()

        stream_cpu, whole_cpu = _cpu(streamed, repeats), _cpu(whole, repeats)
        rows.append({"format": fmt, "stream_ms_per_audio_s": round(stream_cpu / seconds * 1000, 2),
                     "whole_ms_per_audio_s": round(whole_cpu / seconds * 1000, 2),
                     "share_of_synthesis_pct": round(100 * stream_cpu / synthesis_cpu, 2),
                     "kbit_per_s": round(out["bytes"] * 8 / seconds / 1000, 1),
                     "bytes_after_first_chunk": out["first_bytes"]})
    return {"audio_seconds": round(seconds, 1), "sample_rate": rate,
            "synthesis_ms_per_audio_s": round(synthesis_cpu / seconds * 1000, 1),
            "first_chunk_ms": round(len(chunks[0].samples) / rate * 1000), "rows": rows}


def table(result: dict) -> str:
    return (f"{result['audio_seconds']} s of embedded-voice speech at {result['sample_rate']} Hz; synthesizing it "
            f"took {result['synthesis_ms_per_audio_s']} ms of CPU per audio second; first chunk "
            f"{result['first_chunk_ms']} ms of audio.\n\n"
            + markdown_table(result["rows"], ["format", "stream_ms_per_audio_s", "whole_ms_per_audio_s",
                                              "share_of_synthesis_pct", "kbit_per_s", "bytes_after_first_chunk"]))
