"""Where browser vocoding's server CPU goes: the frontend and the embedded FastSpeech2, phrase by
phrase, on the texts `python -m tts.bench browser_vocoder` sends (fresh 100-character texts),
in this process, CPU seconds (process time) per second of speech.

- The mel path's parts: frontend (plan), the engine's own Python around each acoustic call
  (symbols, seeded noise, durations), LiteRT's resize + allocate, and its invoke.
- Per-call cost against per-frame cost: a least-squares line through each call's invoke CPU
  over its frames (the intercept is what fewer, longer calls could save).
- LiteRT on 1 and 2 threads (same mels?), and the model's halves, cut out of the shipped
  tflite (tflite_graph.keep_outputs): the symbol half the engine runs (to the decoder's input)
  and the whole model without the postnet.
- The frame-rate half the engine runs on onnxruntime (tts.engines.embedded_decoder, the int8
  graph that gives the same bits in wasm), and its float variant: CPU against LiteRT's own frame
  half in the same run, and how far its mels are from the whole LiteRT model's, next to how far
  two dropout draws are.
- The served graph in onnxruntime-web (the page's runtime, Node) on every call: identical mels?
  and the SNR of the audio the server's vocoder makes of both.
- The arithmetic: multiply-accumulates per frame of the frame-rate half, and the rate LiteRT
  reaches; with tts/bench/results/browser_vocoder.json, the server_cpu_share each design gives.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from tts.bench.report import RESULTS, markdown_table
from tts.bench.texts import fresh
from tts.engines.embedded import SYMBOL_OUTPUTS

BEFORE_POSTNET = ("Identity", "Identity_2")


class _Recorder:
    """Stands in for the engine's LiteRT model: runs it, and keeps each call's feeds and its CPU."""

    def __init__(self, model) -> None:
        self._model = model
        self.calls: list[dict] = []
        self.cpu = 0.0

    def run(self, feeds: dict, outputs: tuple[str, ...]) -> list[np.ndarray]:
        started = time.process_time()
        result = self._model.run(feeds, outputs)
        self.cpu += time.process_time() - started
        self.calls.append({name: value.copy() for name, value in feeds.items()})
        return result


def _timed_calls(content: bytes, calls: list[dict], outputs: tuple[str, ...], threads: int = 1) -> dict:
    """Replay recorded feeds on a fresh interpreter: CPU of resize + allocate and of invoke per call."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content, num_threads=threads)
    inputs = {d["name"]: d["index"] for d in interpreter.get_input_details()}
    named = {d["name"]: d["index"] for d in interpreter.get_output_details()}
    results, allocate, invoke, wall = [], [], [], 0.0
    for warm_up in (True, False):
        results, allocate, invoke, wall = [], [], [], 0.0
        for feeds in calls if not warm_up else calls[:2]:
            started = time.process_time()
            for name, value in feeds.items():
                if name in inputs:
                    interpreter.resize_tensor_input(inputs[name], list(value.shape))
            interpreter.allocate_tensors()
            between = time.process_time()
            clock = time.perf_counter()
            for name, value in feeds.items():
                if name in inputs:
                    interpreter.set_tensor(inputs[name], value)
            interpreter.invoke()
            wall += time.perf_counter() - clock
            invoke.append(time.process_time() - between)
            allocate.append(between - started)
            results.append([interpreter.get_tensor(named[name]).copy() for name in outputs])
    return {"allocate": allocate, "invoke": invoke, "wall": wall, "results": results}


def macs_per_frame(tflite: bytes, prefixes: tuple[str, ...] = ("decoder/", "postnet/", "mel_before/")) -> int:
    """Multiply-accumulates per mel frame of the weights under `prefixes` (by default the frame-rate
    half; attention's own products, which grow with the phrase, left out: ~2 % at 700 frames)."""
    from ai_edge_litert import schema_py_generated as schema

    graph = schema.ModelT.InitFromPackedBuf(tflite, 0).subgraphs[0]
    total = 0
    for tensor in graph.tensors:
        name = tensor.name.decode()
        if tensor.type == 9 and name.startswith(prefixes):
            total += int(np.prod(tensor.shape))
    return total


def _snr_db(reference: np.ndarray, other: np.ndarray) -> float:
    return round(float(10 * np.log10(np.sum(reference ** 2) / np.sum((reference - other) ** 2))), 1)


def _decoder_half(graph: bytes, hidden: list[np.ndarray], durations: list[np.ndarray]) -> tuple[float, list]:
    import onnxruntime as ort

    from tts.engines.embedded_decoder import DURATIONS, HIDDEN
    from tts.engines.onnx_session import session_options

    session = ort.InferenceSession(graph, session_options(1), providers=["CPUExecutionProvider"])
    feeds = [{HIDDEN: h, DURATIONS: d} for h, d in zip(hidden, durations)]
    session.run(None, feeds[0])
    started = time.process_time()
    mels = [session.run(None, feed)[0] for feed in feeds]
    return time.process_time() - started, mels


WASM_SCRIPT = Path(__file__).with_name("frame_half_wasm.mjs")


def _in_wasm(graph: bytes, hidden: list, durations: list, native: list, engine) -> dict:
    """The served graph in onnxruntime-web (the page's runtime, Node, one wasm thread) on every call:
    time per second of speech, mels identical to onnxruntime's?, and the SNR of the audio the
    server's vocoder makes of both (the page must match the server: the browser test asks ≥ 40 dB)."""
    import shutil
    import subprocess
    import tempfile

    from tts.config import Settings
    from tts.engines import embedded_vocoder
    from tts.web.hidden import RUNTIME_FILES

    settings = Settings.from_env({})
    runtime = Path(settings.page_runtime_dir) / RUNTIME_FILES["runtime"]
    node = shutil.which("node")
    if node is None or not runtime.is_file():
        return {"skipped": f"needs node and {runtime} (./run.sh runs npm ci)"}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        inputs = []
        for i, (h, d) in enumerate(zip(hidden, durations)):
            h.astype("<f2").tofile(work / f"{i}.hidden")
            d.astype("<i4").tofile(work / f"{i}.durations")
            inputs.append({"hidden": f"{i}.hidden", "durations": f"{i}.durations", "symbols": int(h.shape[1])})
        (work / "decoder.onnx").write_bytes(graph)
        vocoder = {part: str((Path(settings.vocoder_dir) / name).resolve()) for part, (name, _) in embedded_vocoder.FILES.items()}
        (work / "job.json").write_text(json.dumps({"runtime": str(runtime.resolve()), "graphs": ["decoder.onnx"],
                                                   "inputs": inputs, "vocoder": vocoder}))
        timings = json.loads(subprocess.run([node, str(WASM_SCRIPT), str(work)], capture_output=True, text=True,
                                            check=True, timeout=1800).stdout.strip().splitlines()[-1])
        wasm = [np.fromfile(work / f"decoder.onnx.{i}.mel", "<f4").reshape(m.shape) for i, m in enumerate(native)]
    audio_snr = []
    for mine, theirs in zip(native, wasm):
        if not np.array_equal(mine, theirs):
            audio_snr.append(_snr_db(*(np.concatenate(list(engine.vocode(m))) for m in (mine, theirs))))
    seconds = timings["decoder.onnx"]["frames"] / 80
    vocoded = timings["vocoder"]
    return {"calls": len(native), "identical_mels": sum(np.array_equal(a, b) for a, b in zip(native, wasm)),
            "lowest_mel_snr_db": min((_snr_db(a, b) for a, b in zip(native, wasm) if not np.array_equal(a, b)),
                                     default=None),
            "lowest_audio_snr_db": min(audio_snr, default=None),
            "wasm_s_per_audio_s": round(timings["decoder.onnx"]["ms"] / 1000 / seconds, 4),
            "vocoder_wasm_s_per_audio_s": round(vocoded["ms"] / 1000 / (vocoded["frames"] / 80), 4)}


def _closing_silenced(mel: np.ndarray, durations: np.ndarray) -> np.ndarray:
    """LiteRT's mel with the closing eos symbol's frames silenced, as the served graph does."""
    mel = mel.copy()
    mel[:, int(durations[0, :-1].sum()):] = mel[:, :1]
    return mel


def run(quick: bool = False) -> dict:
    from tts.config import Settings
    from tts.engines.embedded import EmbeddedEngine, symbol_frames
    from tts.engines.embedded_assets import locate
    from tts.engines.embedded_decoder import build_model
    from tts.engines.tflite_graph import feed_random_uniform_from_inputs, keep_outputs
    from tts.request import SynthesisRequest
    from tts.synthesizer import Synthesizer

    count = 6 if quick else 20
    texts = [fresh(i, 100, seed=19) for i in range(count)]   # browser_vocoder's texts
    synthesizer = Synthesizer.from_settings(Settings.from_env({}))
    engine: EmbeddedEngine = synthesizer.engines["embedded"].model()
    synthesizer.plan(SynthesisRequest(text=texts[0]))          # warm the frontend
    started = time.process_time()
    plans = [synthesizer.plan(SynthesisRequest(text=text)) for text in texts]
    frontend = time.process_time() - started

    recorder = _Recorder(engine._acoustic)
    engine._acoustic = recorder
    try:
        list(engine.acoustic_calls(plans[0].phrases[0], plans[0].options))   # warm-up call
        recorder.calls.clear()
        recorder.cpu = 0.0
        started = time.process_time()
        frames = sum(call.frames for plan in plans for phrase in plan.phrases
                     for call in engine.acoustic_calls(phrase, plan.options))
        engine_cpu = time.process_time() - started
    finally:
        engine._acoustic = recorder._model
    audio = frames / 80
    calls = recorder.calls

    tflite = locate().acoustic.read_bytes()
    content, _ = feed_random_uniform_from_inputs(tflite)
    one = _timed_calls(content, calls, ("Identity_1",), threads=1)
    two = _timed_calls(content, calls, ("Identity_1",), threads=2)
    same_on_two = all(np.array_equal(a[0], b[0]) for a, b in zip(one["results"], two["results"]))
    lengths = np.array([r[0].shape[1] for r in one["results"]], float)
    slope, intercept = np.polyfit(lengths, np.array(one["invoke"]), 1)

    split = _timed_calls(keep_outputs(content, list(SYMBOL_OUTPUTS)), calls, SYMBOL_OUTPUTS)
    no_postnet = _timed_calls(keep_outputs(content, list(BEFORE_POSTNET)), calls, BEFORE_POSTNET)
    hidden = [r[0].astype(np.float16) for r in split["results"]]
    durations = [symbol_frames(r[1], 1.0) for r in split["results"]]
    reference = np.concatenate([_closing_silenced(r[0], d)[0] for r, d in zip(one["results"], durations)])
    redrawn = [{**feeds, **{name: np.random.default_rng(i).random(value.shape, dtype=np.float32)
                            for name, value in feeds.items() if "RandomUniform" in name}} for i, feeds in enumerate(calls)]
    other_draw = np.concatenate([_closing_silenced(r[0], d)[0] for r, d in
                                 zip(_timed_calls(content, redrawn, ("Identity_1",))["results"], durations)])
    frame_half_litert = sum(one["invoke"]) - sum(split["invoke"])
    halves, graphs, native = [], {}, {}
    for int8 in (True, False):
        name = "int8 (served)" if int8 else "float"
        graphs[name] = build_model(tflite, int8=int8).SerializeToString()
        cpu, native[name] = _decoder_half(graphs[name], hidden, durations)
        mel = np.concatenate([m[0] for m in native[name]])
        halves.append({"graph": name, "cpu_s_per_audio_s": round(cpu / audio, 5),
                       "vs_litert_frame_half": round(cpu / frame_half_litert, 3),
                       "mel_mean_abs_diff_vs_litert": round(float(np.abs(mel - reference).mean()), 4),
                       "mel_snr_db_vs_litert": _snr_db(reference, mel)})

    per_audio = lambda seconds: round(seconds / audio, 5)   # noqa: E731
    macs = macs_per_frame(tflite)
    decoder_litert = frame_half_litert
    postnet_rate = macs_per_frame(tflite, ("postnet/",)) * frames / (sum(one["invoke"]) - sum(no_postnet["invoke"]))
    result = {
        "texts": count, "acoustic_calls": len(calls), "frames": frames, "audio_s": round(audio, 1),
        "mean_frames_per_call": round(frames / len(calls)),
        "browser_path_cpu_s_per_audio_s": {   # what the server does for browser vocoding (acoustic_calls)
            "frontend": per_audio(frontend),
            "engine_python": per_audio(engine_cpu - recorder.cpu),
            "litert_run (symbol half)": per_audio(recorder.cpu),
            "of_which_resize_allocate": per_audio(sum(split["allocate"])),
            "of_which_invoke": per_audio(sum(split["invoke"])),
        },
        "invoke_fit": {"ms_per_call": round(intercept * 1000, 2), "us_per_frame": round(slope * 1e6, 1),
                       "per_call_share": round(intercept * len(calls) / sum(one["invoke"]), 3)},
        "threads": {"1": {"cpu_s_per_audio_s": per_audio(sum(one["invoke"]) + sum(one["allocate"])),
                          "wall_s": round(one["wall"], 2)},
                    "2": {"cpu_s_per_audio_s": per_audio(sum(two["invoke"]) + sum(two["allocate"])),
                          "wall_s": round(two["wall"], 2)},
                    "identical_mels": same_on_two},
        "litert_parts_cpu_s_per_audio_s": {
            "whole": per_audio(sum(one["invoke"])),
            "symbol_half (to the decoder's input: the engine's)": per_audio(sum(split["invoke"])),
            "without_postnet": per_audio(sum(no_postnet["invoke"])),
        },
        "frame_halfmacs_per_frame": macs,
        "frame_half_litert_gmac_per_s": round(macs * frames / decoder_litert / 1e9, 1),
        "postnet_litert_gmac_per_s": round(postnet_rate / 1e9, 1),
        "dropout_redraw_mel_mean_abs_diff": round(float(np.abs(other_draw - reference).mean()), 4),
        "frame_half_onnxruntime": halves,
    }
    result["frame_half_wasm"] = _in_wasm(graphs["int8 (served)"], hidden, durations, native["int8 (served)"], engine)
    result["projection"] = _projection(result)
    return result


def _projection(result: dict) -> list[dict] | None:
    """server_cpu_share per design, from browser_vocoder.json's wav and mel rows and the parts here
    (the HTTP and service share of the mel row is what is left after frontend and acoustic model)."""
    path = RESULTS / "browser_vocoder.json"
    if not path.is_file():
        return None
    rows = {row["variant"]: row["cpu_s_per_audio_s"] for row in json.loads(path.read_text())["rows"]}
    if "mel" not in rows:   # browser_vocoder measures the page running the decoder itself now
        return None
    wav, mel = rows["wav"], rows["mel"]
    parts = result["litert_parts_cpu_s_per_audio_s"]
    whole, symbols = parts["whole"], parts["symbol_half (to the decoder's input: the engine's)"]
    frontend = result["browser_path_cpu_s_per_audio_s"]["frontend"]
    rest = max(0.0, mel - frontend - whole)
    # a floor: the frame half all at the postnet's rate, the best LiteRT reaches here
    floor = symbols + result["frame_halfmacs_per_frame"] * 80 / (result["postnet_litert_gmac_per_s"] * 1e9)
    rows = [{"design": "today: the server runs the whole acoustic model (browser_vocoder.json)",
             "share": round(mel / wav, 3), "wav_cpu_s_per_audio_s": wav},
            {"design": "floor: the whole frame half at the postnet's int8 rate (hypothetical)",
             "share": round((frontend + rest + floor) / (wav - whole + floor), 3),
             "wav_cpu_s_per_audio_s": round(wav - whole + floor, 4)}]
    for half in result["frame_half_onnxruntime"]:
        wav_then = wav - whole + symbols + half["cpu_s_per_audio_s"]
        rows.append({"design": f"server: symbol half only; the page runs the frame half ({half['graph']} graph, "
                               "the server's wav path runs the same graph)",
                     "share": round((frontend + rest + symbols) / wav_then, 3),
                     "wav_cpu_s_per_audio_s": round(wav_then, 4)})
    return rows


def table(result: dict) -> str:
    parts = result["browser_path_cpu_s_per_audio_s"]
    fit, threads = result["invoke_fit"], result["threads"]
    lines = [
        f"{result['texts']} fresh texts of ~100 characters (browser_vocoder's), {result['acoustic_calls']} acoustic calls, "
        f"{result['mean_frames_per_call']} frames per call on average, {result['audio_s']} s of speech; CPU seconds "
        "per second of speech, in one process. The server's part of browser vocoding (the page runs the decoder):",
        markdown_table([{"part": k, "cpu_s_per_audio_s": v} for k, v in parts.items()], ["part", "cpu_s_per_audio_s"]),
        f"- The whole LiteRT model's invoke CPU ≈ {max(fit['ms_per_call'], 0.0)} ms per call + {fit['us_per_frame']} µs per frame (least "
        f"squares over the calls; intercept {fit['ms_per_call']} ms, {fit['per_call_share'] * 100:.1f} % of it): the "
        "cost is the frames, so fewer, longer calls cannot save anything worth having.",
        f"- LiteRT threads: 1 thread {threads['1']['cpu_s_per_audio_s']} CPU-s per audio s ({threads['1']['wall_s']} s "
        f"wall), 2 threads {threads['2']['cpu_s_per_audio_s']} ({threads['2']['wall_s']} s wall); identical mels: "
        f"{threads['identical_mels']}.",
        markdown_table([{"LiteRT graph": k, "cpu_s_per_audio_s": v} for k, v in result["litert_parts_cpu_s_per_audio_s"].items()],
                       ["LiteRT graph", "cpu_s_per_audio_s"]),
        f"- The frame-rate half: {result['frame_halfmacs_per_frame'] / 1e6:.2f} M multiply-accumulates per frame "
        f"(80 frames per second of speech); LiteRT runs it at {result['frame_half_litert_gmac_per_s']} GMAC/s on one core (its postnet alone at "
        f"{result['postnet_litert_gmac_per_s']}).",
        "The frame-rate half the engine runs on onnxruntime (1 thread; the served int8 graph, and its float variant), "
        "CPU against LiteRT's own frame half (whole − symbol half) in this run, mels against the whole LiteRT model's "
        f"(closing eos frames silenced in both); two dropout draws differ by {result['dropout_redraw_mel_mean_abs_diff']} "
        "(mean abs):",
        markdown_table(result["frame_half_onnxruntime"], ["graph", "cpu_s_per_audio_s", "vs_litert_frame_half",
                                                          "mel_mean_abs_diff_vs_litert", "mel_snr_db_vs_litert"]),
    ]
    wasm = result.get("frame_half_wasm", {})
    if "calls" in wasm:
        others = ("" if wasm["identical_mels"] == wasm["calls"] else
                  f" (lowest mel SNR of the others: {wasm['lowest_mel_snr_db']} dB; of the audio the server's vocoder "
                  f"makes of them: {wasm['lowest_audio_snr_db']} dB; the browser test asks ≥ 40)")
        lines.append(f"The served graph in onnxruntime-web (the page's runtime, Node, one wasm thread) on all {wasm['calls']} "
                     f"calls: {wasm['identical_mels']} mels bit-identical to onnxruntime's{others}. Wall time (needs a "
                     f"quiet machine): {wasm['wasm_s_per_audio_s']} s per audio s; the page's vocoder, same run, one "
                     f"pass: {wasm['vocoder_wasm_s_per_audio_s']}.")
    elif wasm:
        lines.append(f"onnxruntime-web: skipped ({wasm['skipped']}).")
    if result.get("projection"):
        lines.append("server_cpu_share per design (projected from browser_vocoder.json's wav and mel rows):")
        lines.append(markdown_table(result["projection"], ["design", "share", "wav_cpu_s_per_audio_s"]))
    return "\n\n".join(lines)
