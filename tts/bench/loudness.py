"""Every voice's loudness (ITU-R BS.1770 integrated, tts.audio.loudness) and the calibration gain
that brings it to the common target, with what the calibration's soft knee does to it.

For each voice the bench's sentences (tts.bench.quality_texts, the quality bench's dev half
by default) are synthesized as served but without the voice's calibration (the plan's
calibration set to 0: the engine's own level), phrase by phrase. Measured:
- `raw_lufs`: integrated loudness of all its sentences, pauses included (the gates drop them);
- phrase peaks (p50, p90, max, dBFS) and the peak-to-loudness ratio they imply;
- `proposed_db`: TARGET_LUFS − raw_lufs, capped so that at most one phrase in ten would reach
  the ceiling (20·log10(ceiling / p90 peak));
- with the declared `calibration_db`, through the soft knee (tts.audio.effects.calibrate) as
  served: the loudness, how often the knee engaged (`knee_phrases`: share of phrases with a
  sample bent; `knee_samples`: share of speech samples, i.e. above −40 dBFS, bent) and by how
  much at most (`knee_max_db`: the largest bend of a sample, dB). A per-phrase peak limiter
  would have turned `limited_share` of the phrases down as a whole.
Deterministic (seed 0); needs no quiet machine.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from tts.audio.effects import CEILING, KNEE, calibrate
from tts.audio.loudness import TARGET_LUFS, integrated_loudness
from tts.bench.quality_texts import SENTENCES
from tts.bench.report import markdown_table
from tts.request import SynthesisRequest

LIMITED_SHARE = 0.10   # the share of phrases the proposed gain may take to the ceiling
SPEECH = 0.01          # samples above this (−40 dBFS) count as speech for knee_samples


def _db(value: float) -> float:
    return round(20 * math.log10(value), 2) if value > 0 else float("-inf")


def measure(phrases: list[np.ndarray], sentences: list[np.ndarray], rate: int, calibration_db: float) -> dict:
    """One voice's figures from its uncalibrated phrases and whole sentences."""
    raw = integrated_loudness(np.concatenate(sentences), rate)
    peaks = np.array([float(np.abs(p).max(initial=0.0)) for p in phrases])
    p90 = float(np.percentile(peaks, 100 * (1 - LIMITED_SHARE)))
    proposed = min(TARGET_LUFS - raw, 20 * math.log10(CEILING / p90))
    gain = 10 ** (calibration_db / 20)
    turned_down = [peak for peak in peaks if peak * gain > CEILING and calibration_db]
    served = [calibrate(p, calibration_db) if calibration_db else p for p in phrases]   # as the synthesizer does
    raised = np.concatenate(phrases) * gain
    bent = np.abs(raised) > KNEE if calibration_db else np.zeros(len(raised), bool)
    speech = np.abs(raised) > SPEECH
    bend = np.abs(raised[bent]) / np.abs(np.concatenate(served)[bent]) if bent.any() else np.ones(1)
    return {"raw_lufs": round(raw, 2), "peak_p50_dbfs": _db(float(np.median(peaks))), "peak_p90_dbfs": _db(p90),
            "peak_max_dbfs": _db(float(peaks.max())), "plr_p90_db": round(_db(p90) - raw, 1),
            "proposed_db": round(proposed, 1), "calibration_db": calibration_db,
            "served_lufs": round(integrated_loudness(np.concatenate(served), rate), 2),
            "served_peak_max": round(max(float(np.abs(s).max(initial=0.0)) for s in served), 3),
            "phrases": len(phrases), "limited_share": round(len(turned_down) / len(phrases), 3),
            "knee_phrases": round(sum(calibration_db != 0 and peak * gain > KNEE for peak in peaks) / len(phrases), 3),
            "knee_samples": round(float(bent.sum() / max(speech.sum(), 1)), 5),
            "knee_max_db": _db(float(bend.max()))}


def run(quick: bool = False, voices: tuple[str, ...] | None = None) -> dict:
    from tts.config import Settings
    from tts.synthesizer import Synthesizer

    sentences = SENTENCES[::6] if quick else SENTENCES[::2]
    synthesizer = Synthesizer.from_settings(Settings(threads=2, kokoro_threads=2))
    catalogue = synthesizer.catalogue
    rows = []
    for voice in voices or catalogue.ids:
        calibration = catalogue.calibration_db(voice)
        phrases, whole, rate = [], [], 0
        for text in sentences:
            plan = dataclasses.replace(synthesizer.plan(SynthesisRequest(text=text, voice=voice)), calibration=0.0)
            chunks = list(synthesizer.render(plan))
            rate = chunks[0].sample_rate
            whole.append(np.concatenate([c.samples for c in chunks]))
            by_phrase: dict[int, list[np.ndarray]] = {}
            for chunk in chunks:   # pauses come as chunks of the phrase they follow: all silence, peak unchanged
                by_phrase.setdefault(chunk.phrase, []).append(chunk.samples)
            phrases += [np.concatenate(parts) for parts in by_phrase.values()]
        rows.append({"voice": voice, "engine": catalogue.engine(voice).name,
                     **measure(phrases, whole, rate, calibration)})
    return {"target_lufs": TARGET_LUFS, "ceiling": CEILING, "sentences": len(sentences), "rows": rows}


def table(result: dict) -> str:
    columns = ["voice", "engine", "raw_lufs", "peak_p50_dbfs", "peak_p90_dbfs", "peak_max_dbfs", "plr_p90_db",
               "proposed_db", "calibration_db", "served_lufs", "served_peak_max", "phrases", "limited_share",
               "knee_phrases", "knee_samples", "knee_max_db"]
    return "\n\n".join([
        f"Integrated loudness (ITU-R BS.1770-4, K-weighted, gated) over {result['sentences']} sentences per voice, "
        f"seed 0. Target {result['target_lufs']} LUFS; the limiter's ceiling {result['ceiling']}. raw = the engine's "
        "own level; proposed = target − raw, capped so at most one phrase in ten reaches the limiter; served = with "
        "the declared calibration through the soft knee (knee_phrases: share of phrases with a sample bent; "
        f"knee_samples: share of speech samples bent; knee_max_db: the largest bend; knee at {KNEE}); limited_share: "
        "the share of phrases a per-phrase peak limiter would have turned down.",
        markdown_table(result["rows"], columns),
    ])
