"""The embedded vocoder on onnxruntime (rebuilt float graph) against LiteRT (the shipped tflite):
CPU per audio second of the bare vocoders on the same real mels, the noise the shipped graph's
int8 sub-band rounding adds (in pauses and between harmonics), and the Whisper quality guard.

Noise floor, per 2048-sample Hann frame of the phrase audio:
- pauses: frames 40 dB or more under the loudest frame; their level in dBFS;
- between harmonics: voiced frames (autocorrelation F0 of 120–450 Hz, periodicity ≥ 0.6);
  per harmonic k·F0 up to 6 kHz, the peak near k·F0 over the lowest level between two
  harmonics; the median of that ratio (dB): deeper valleys = less noise between harmonics.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from tts.bench.report import markdown_table
from tts.bench.texts import MEDIUM

RATE, FRAME, HOP_SAMPLES = 24000, 2048, 512
PAUSE_DB, VOICED_PERIODICITY, TOP_HZ = -40.0, 0.6, 6000


def _frames(audio: np.ndarray) -> np.ndarray:
    count = max(0, (len(audio) - FRAME) // HOP_SAMPLES + 1)
    return np.stack([audio[i * HOP_SAMPLES:i * HOP_SAMPLES + FRAME] for i in range(count)])


def _db(x) -> np.ndarray:
    return 20 * np.log10(np.maximum(x, 1e-10))


def _f0(frame: np.ndarray) -> tuple[float, float]:
    """(F0 Hz, periodicity 0..1) from the normalized autocorrelation between 120 and 450 Hz."""
    frame = frame - frame.mean()
    corr = np.correlate(frame, frame, "full")[FRAME - 1:]
    if corr[0] <= 0:
        return 0.0, 0.0
    low, high = RATE // 450, RATE // 120
    lag = low + int(np.argmax(corr[low:high]))
    return RATE / lag, float(corr[lag] / corr[0])


def noise_floor(audio: np.ndarray, reference: np.ndarray) -> dict:
    """Pause level and harmonic-to-valley ratio of `audio`; frames are chosen on `reference`
    (the same speech), so both outputs are judged on the same frames."""
    frames, chosen = _frames(audio), _frames(reference)
    levels = _db(np.sqrt(np.mean(chosen.astype(np.float64) ** 2, axis=1)))
    pauses = levels < levels.max() + PAUSE_DB
    window = np.hanning(FRAME)
    ratios = []
    for frame, judged, level in zip(frames, chosen, levels):
        if level < levels.max() - 20:
            continue
        f0, periodicity = _f0(judged)
        if periodicity < VOICED_PERIODICITY:
            continue
        spectrum = np.abs(np.fft.rfft(frame * window))
        hz = np.fft.rfftfreq(FRAME, 1 / RATE)
        for k in range(1, int(TOP_HZ / f0)):
            near = np.abs(hz - k * f0) < f0 / 4
            between = (hz > k * f0 + f0 / 4) & (hz < (k + 1) * f0 - f0 / 4)
            if near.any() and between.any():
                ratios.append(float(_db(spectrum[near].max()) - _db(spectrum[between].min())))
    pause_level = float(_db(np.sqrt(np.mean(frames[pauses].astype(np.float64) ** 2)))) if pauses.any() else None
    return {"pause_frames": int(pauses.sum()), "pause_level_dbfs": None if pause_level is None else round(pause_level, 1),
            "harmonic_to_valley_db": round(statistics.median(ratios), 1) if ratios else None,
            "harmonics": len(ratios)}


def _cpu_per_audio_second(vocode, mels: list[np.ndarray], repeats: int) -> float:
    for mel in mels[:1]:
        vocode(mel)
    started = time.process_time()
    for _ in range(repeats):
        for mel in mels:
            vocode(mel)
    return (time.process_time() - started) / repeats / (sum(m.shape[1] for m in mels) * 300 / RATE)


def measure_speed(threads: int, repeats: int) -> dict:
    """Run in a child: the bare vocoders on the mels of the 50-character text."""
    from ai_edge_litert.interpreter import Interpreter

    from tts.engines.base import EngineOptions
    from tts.engines.embedded import EmbeddedEngine
    from tts.engines.embedded_assets import locate
    from tts.frontend import analyze

    assets = locate()
    ours = EmbeddedEngine(assets, threads=threads, chunk_frames=128)
    old = EmbeddedEngine(assets, threads=threads, chunk_frames=256, runtime="litert")
    mels = [ours.mel(phrase, EngineOptions()) for phrase in analyze(MEDIUM)]
    shipped = Interpreter(model_path=str(assets.vocoder), num_threads=threads)

    def as_shipped(mel: np.ndarray) -> None:
        index = shipped.get_input_details()[0]["index"]
        shipped.resize_tensor_input(index, list(mel.shape))
        shipped.allocate_tensors()
        shipped.set_tensor(index, mel)
        shipped.invoke()

    row = {"threads": threads, "frames": sum(m.shape[1] for m in mels),
           "litert_as_shipped_one_pass": _cpu_per_audio_second(as_shipped, mels, repeats),
           "litert_chunks_256": _cpu_per_audio_second(lambda m: list(old.vocode(m)), mels, repeats),
           "onnxruntime_chunks_128": _cpu_per_audio_second(lambda m: list(ours.vocode(m)), mels, repeats)}
    row["onnxruntime_vs_shipped"] = row["onnxruntime_chunks_128"] / row["litert_as_shipped_one_pass"]
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}


def measure_noise(sentences: tuple[str, ...]) -> list[dict]:
    """Both vocoders on the same mels of each sentence."""
    from tts.engines.base import EngineOptions
    from tts.engines.embedded import EmbeddedEngine
    from tts.engines.embedded_assets import locate
    from tts.frontend import analyze

    assets = locate()
    ours, old = EmbeddedEngine(assets, threads=1), EmbeddedEngine(assets, threads=1, runtime="litert")
    rows = []
    for text in sentences:
        for phrase in analyze(text):
            mel = ours.mel(phrase, EngineOptions())
            new, shipped = (np.concatenate(list(engine.vocode(mel, 4096))) for engine in (ours, old))
            difference = shipped - new
            rows.append({"text": text[:16], "frames": mel.shape[1],
                         "speech_to_rounding_noise_db": round(float(
                             10 * np.log10(np.sum(new.astype(np.float64) ** 2) / np.sum(difference ** 2.0))), 1),
                         **{f"float_{k}": v for k, v in noise_floor(new, new).items()},
                         **{f"int8_{k}": v for k, v in noise_floor(shipped, new).items()}})
    return rows


def measure_quality(sentences: tuple[str, ...]) -> list[dict]:
    """The Whisper guard for both vocoders on the same sentences."""
    from tts.bench.quality import score_sentences
    from tts.config import Settings
    from tts.engines import declare_engines
    from tts.request import SynthesisRequest
    from tts.synthesizer import Synthesizer

    rows = []
    for name, runtime in (("onnxruntime (float)", "onnxruntime"), ("LiteRT (as shipped)", "litert")):
        synthesizer = Synthesizer(declare_engines(Settings(vocoder_runtime=runtime, kokoro=False)))
        synthesizer.synthesize(SynthesisRequest(text="你好。", voice="baker"))
        row = score_sentences(lambda text: synthesizer.synthesize(SynthesisRequest(text=text, voice="baker")), sentences)
        rows.append({"setting": name, **{k: v for k, v in row.items() if k != "details"}})
    return rows


def run(quick: bool = False, repeats: int | None = None) -> dict:
    from tts.bench.child import run_in_child
    from tts.bench.quality import SENTENCES

    repeats = repeats or (2 if quick else 5)
    sentences = SENTENCES[::4] if quick else SENTENCES
    speed = [run_in_child("tts.bench.vocoder:measure_speed", threads=t, repeats=repeats) for t in (1, 2)]
    noise = measure_noise(sentences)
    summary = {key: round(statistics.median([r[key] for r in noise if r[key] is not None] or [float("nan")]), 1)
               for key in ("speech_to_rounding_noise_db", "float_pause_level_dbfs", "int8_pause_level_dbfs",
                           "float_harmonic_to_valley_db", "int8_harmonic_to_valley_db")}
    return {"repeats": repeats, "speed": speed, "noise": noise, "noise_median": summary,
            "quality": measure_quality(sentences)}


def table(result: dict) -> str:
    return "\n\n".join([
        "Bare vocoders, CPU seconds per audio second on the mels of the 50-character text (same process per row): "
        "LiteRT as shipped in one pass (the machine reference), the old LiteRT path (256-frame chunks, 20 frames "
        "of context), ours (head once, 128-frame tail chunks, 4 frames of context).",
        markdown_table(result["speed"], ["threads", "frames", "litert_as_shipped_one_pass", "litert_chunks_256",
                                         "onnxruntime_chunks_128", "onnxruntime_vs_shipped"]),
        "Noise the shipped int8 sub-band rounding adds, same mels through both vocoders (medians over phrases): "
        "speech level over the rounding noise (LiteRT − float), pause level (frames ≥ 40 dB under the loudest), "
        "harmonic-to-valley ratio in voiced frames (higher = less noise between harmonics). In pauses the "
        "rounding acts as a noise gate (small values round to exact zero), so there the int8 output is the quieter.",
        markdown_table([result["noise_median"]], list(result["noise_median"])),
        markdown_table(result["noise"], ["text", "frames", "speech_to_rounding_noise_db", "float_pause_level_dbfs",
                                         "int8_pause_level_dbfs", "float_harmonic_to_valley_db",
                                         "int8_harmonic_to_valley_db"]),
        "Whisper quality guard (see `quality`), same sentences through both vocoders:",
        markdown_table(result["quality"], ["setting", "sentences", "rtf", "cer", "pinyin_error_rate"]),
    ])
