"""Browser vocoding against server audio, in one run on one server: what the server spends, what
goes over the wire, how soon the listener hears something, and what the listener's device pays.

- Server side, per second of speech: the server process's CPU seconds (from /proc, HTTP and
  encoding included) and the response bytes, for the same fresh texts sent as wav, as opus
  and for browser vocoding (POST /tts/hidden: hidden states and durations); no cache, no
  singleflight, one request at a time.
  `server_cpu_share` = browser's CPU per audio second ÷ wav's (target ≤ TARGET_SHARE).
- In Debian's Chromium on the page (real CSP, real Worker, onnxruntime-web from our origin, the
  page's own player): time to first sound from the click with 在本机合成 on, once cold (model
  and runtime downloaded and compiled) and then with them cached, against the same texts with it
  off (the server's audio, streamed); and what the device pays per audio second: the worker's
  time in the decoder and in the vocoder (one wasm thread).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import requests as http

from tts.bench.report import markdown_table
from tts.bench.server import BenchServer, cpu_seconds
from tts.bench.texts import fresh
from tts.hidden import SAMPLE_RATE, read_records

TARGET_SHARE = 0.12
TARGET_FIRST_SOUND_MS = 300
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]
BROWSER = "browser"
VARIANTS = (("wav", "/tts", {"format": "wav"}), ("opus", "/tts", {"format": "opus"}), (BROWSER, "/tts/hidden", {}))
SERVER_ENV = {"TTS_CACHE_MB": "0", "TTS_SINGLEFLIGHT": "0", "TTS_LOG_LEVEL": "WARNING"}


def _audio_seconds(kind: str, body: bytes) -> float:
    if kind == BROWSER:
        return read_records(body)[-1][0]["samples"] / SAMPLE_RATE
    import io

    import soundfile

    info = soundfile.info(io.BytesIO(body))
    return info.frames / info.samplerate


def server_side(url: str, pid: int, texts: list[str]) -> list[dict]:
    rows = []
    with http.Session() as session:
        session.post(f"{url}/tts/hidden", json={"text": texts[0]}, timeout=60).raise_for_status()   # warm every path
        for kind, route, extra in VARIANTS:
            audio = wire = 0.0
            before = cpu_seconds(pid)
            for text in texts:
                response = session.post(f"{url}{route}", json={"text": text, **extra}, timeout=120)
                response.raise_for_status()
                wire += len(response.content)
                audio += _audio_seconds(kind, response.content)
            cpu = cpu_seconds(pid) - before
            rows.append({"variant": kind, "requests": len(texts), "audio_s": round(audio, 2), "server_cpu_s": round(cpu, 3),
                         "cpu_s_per_audio_s": round(cpu / audio, 5), "bytes_per_audio_s": round(wire / audio)})
    return rows


_WATCH = """() => {
    // from the click (tts:start) to the first piece's sound: handed to the page's player (tts:chunk),
    // which starts it `ahead` seconds later; and gaps: a piece that starts later than the previous one ends
    const watch = { started: 0, first: null, end: 0, gaps: 0 };
    window.__firstSound = watch;
    document.addEventListener("tts:start", () => { Object.assign(watch, { started: performance.now(), first: null, end: 0, gaps: 0 }); });
    document.addEventListener("tts:chunk", ({ detail }) => {
        if (watch.first === null) watch.first = performance.now() - watch.started + 1000 * detail.ahead;
        else if (detail.at > watch.end + 0.001) watch.gaps += 1;
        watch.end = detail.at + detail.samples.length / detail.sampleRate;
    });
}"""


def _speak(page, text: str) -> dict:
    """Click 合成 for `text`; when the page is done: first sound (ms), gaps, and the vocoder's figures."""
    page.fill("#text", text)
    page.evaluate("() => { window.browserVocoder.last = null; }")
    page.click("#speak")
    page.wait_for_function("() => window.__firstSound.first !== null && !document.getElementById('speak').disabled")
    watch = page.evaluate("() => window.__firstSound")
    last = page.evaluate("""() => { const l = window.browserVocoder.last;
        const sum = (key) => l.calls.reduce((n, call) => n + call[key], 0);
        return l && { seconds: l.seconds, decoder: sum("decoderMs"), vocoder: sum("vocoderMs") }; }""")
    page.wait_for_timeout(200)
    return {"first": watch["first"], "gaps": watch["gaps"], **(last or {})}


def in_chromium(url: str, texts: list[str]) -> dict:
    """First sound and the device's cost, from the page in Debian's Chromium: 在本机合成 on (the
    first text loads the model), then off (the server's audio, streamed), for the same texts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{url}/")
            page.locator("#voice option:not([value=''])").first.wait_for(state="attached")
            page.evaluate(_WATCH)
            page.check("#local")
            local = [_speak(page, text) for text in texts]
            page.uncheck("#local")
            server = [_speak(page, text) for text in texts[1:]]
        finally:
            browser.close()
    cached = local[1:]
    audio = sum(run["seconds"] for run in cached)
    return {
        "first_sound_cold_ms": round(local[0]["first"]),   # runtime + graphs downloaded and compiled
        "first_sound_cached_ms_median": round(statistics.median(run["first"] for run in cached)),
        "first_sound_cached_ms_max": round(max(run["first"] for run in cached)),
        "first_sound_server_stream_ms_median": round(statistics.median(run["first"] for run in server)),
        "device_decoder_s_per_audio_s": round(sum(run["decoder"] for run in cached) / 1000 / audio, 4),
        "device_vocoder_s_per_audio_s": round(sum(run["vocoder"] for run in cached) / 1000 / audio, 4),
        "playback_gaps": sum(run["gaps"] for run in cached),
        "playback_gaps_server": sum(run["gaps"] for run in server),
        "runs": local,
        "server_runs": server,
    }


def run(quick: bool = False, requests: int | None = None) -> dict:
    count = requests or (6 if quick else 20)
    texts = [fresh(i, 100, seed=19) for i in range(count)]
    with BenchServer("ours", **SERVER_ENV) as server:
        rows = server_side(server.url, server.pid, texts)
        download = download_bytes(server.url)
        browser = in_chromium(server.url, [fresh(i, 100, seed=91) for i in range(4 if quick else 8)])
    by = {row["variant"]: row for row in rows}
    share = by[BROWSER]["cpu_s_per_audio_s"] / by["wav"]["cpu_s_per_audio_s"]
    return {"texts": count, "characters": 100, "rows": rows, "server_cpu_share": round(share, 4),
            "target_server_cpu_share": TARGET_SHARE, "bytes_share_vs_wav": round(by[BROWSER]["bytes_per_audio_s"] /
                                                                                   by["wav"]["bytes_per_audio_s"], 4),
            "one_time_download_bytes": download, "target_first_sound_ms": TARGET_FIRST_SOUND_MS,
            "chromium": browser, "machine_load_1min": _load()}


def download_bytes(url: str) -> int:
    """What the page downloads once, gzipped where it can be (then keeps in the browser's cache)."""
    return http.get(f"{url}/vocoder/manifest.json", timeout=10).json()["gzip_bytes"]


def _load() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def table(result: dict) -> str:
    chromium = result["chromium"]
    lines = [
        f"{result['texts']} fresh texts of ~{result['characters']} characters, one at a time, no cache; server process "
        f"CPU from /proc (HTTP and encoding included). Load average during the run: {result['machine_load_1min']}.",
        markdown_table(result["rows"], ["variant", "requests", "audio_s", "server_cpu_s", "cpu_s_per_audio_s",
                                        "bytes_per_audio_s"]),
        f"- **server_cpu_share** (browser ÷ wav, CPU per audio second): {result['server_cpu_share']} "
        f"(target ≤ {result['target_server_cpu_share']}); bytes per audio second browser ÷ wav: "
        f"{result['bytes_share_vs_wav']}; one-time download of runtime + decoder + vocoder "
        f"(gzipped): {result['one_time_download_bytes'] / 1e6:.1f} MB (then cached by the browser).",
        f"- First sound in Chromium: browser vocoding {chromium['first_sound_cached_ms_median']} ms median "
        f"(max {chromium['first_sound_cached_ms_max']}) with the model cached, {chromium['first_sound_cold_ms']} ms "
        f"on first use; the server's audio streamed {chromium['first_sound_server_stream_ms_median']} ms "
        f"(target ≤ {result['target_first_sound_ms']} ms cached).",
        f"- The listener's device, per second of speech: {chromium['device_decoder_s_per_audio_s']} s in the decoder "
        f"+ {chromium['device_vocoder_s_per_audio_s']} s in the vocoder (one wasm thread, in a Worker); playback "
        f"gaps: {chromium['playback_gaps']} "
        f"(server audio: {chromium['playback_gaps_server']}).",
    ]
    return "\n\n".join(lines)
