"""Peak memory of one server with the shipped settings, phase by phase: what the memory caps
(deploy/tts.service MemoryHigh/MemoryMax, compose's mem_limit, `docker run --memory`) are set from.

One server process (app.py, the defaults of tts.config: queue, longest text, phrase cache),
its resident memory read from /proc every half second (VmRSS now, VmHWM the peak so far):

- `embedded`: warm, then short and long texts on the embedded voice in every format;
- `kokoro`: a Kokoro voice loaded and speaking beside it;
- `full`: the bounded queue at its maximum (TTS_QUEUE_SIZE requests at once), each with the
  longest text allowed (TTS_MAX_TEXT_CHARS), distinct, in every format and rate, streamed,
  whole and async, both engines, held until the phrase cache holds its configured size
  (TTS_CACHE_MB) or `FULL_SECONDS` pass; then every client hangs up (their jobs are cancelled)
  and the memory is read again with the cache full.

The cap is the highest peak plus headroom (`HEADROOM`) for what one run cannot show (allocator
fragmentation over weeks, a differently shaped text): the figures do not depend on the
machine's speed, only on what was held at once (the full phase needs the cache filled).
"""

from __future__ import annotations

import http.client
import json
import math
import re
import socket
import threading
import time
import urllib.request

from tts.bench import texts
from tts.bench.report import markdown_table
from tts.bench.server import BenchServer, memory_mb
from tts.config import Settings

FULL_SECONDS = 600          # the full phase ends when the cache is full, or after this long
SAMPLE_SECONDS = 0.5
HEADROOM = 1.25             # MemoryHigh: the measured peak plus a quarter; MemoryMax above it
HARD_HEADROOM = 1.5
FORMATS = ("wav", "mp3", "opus", "flac", "pcm")


def _long_text(index: int, limit: int) -> str:
    """A distinct text as long as a request may send (fresh() adds a comma per ten characters)."""
    text = texts.fresh(index, int(limit / 1.11), seed=7)
    return text[:limit - 1].rstrip("，") + "。"


def full_queue_bodies(count: int, limit: int) -> list[dict]:
    """`count` requests of the longest text, the mix a full server holds: every format, 48 kHz and
    16 kHz, streamed and whole, async, and two Kokoro voices."""
    bodies = []
    for i in range(count):
        body = {"text": _long_text(i, limit), "format": FORMATS[i % len(FORMATS)],
                "sample_rate": (48000, 24000, 16000)[i % 3]}
        if i % 7 == 5:
            body["async"] = True
        elif i % 2 == 0 and body["format"] in ("wav", "pcm", "mp3", "opus"):   # an async job does not stream
            body["stream"] = True
        if i % 5 == 3:
            body["voice"] = ("zf_xiaobei", "zm_yunxi")[i % 2]
        bodies.append(body)
    return bodies


class _Sampler:
    """Reads the server's memory every SAMPLE_SECONDS in a thread; `peak()` of a phase."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.highest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            try:
                self.highest = max(self.highest, memory_mb(self.pid)["rss_mb"])
            except (OSError, TypeError):
                return

    def phase(self, name: str, **extra) -> dict:
        now = memory_mb(self.pid)
        return {"phase": name, "rss_mb": now["rss_mb"], "peak_rss_mb": now["peak_rss_mb"], **extra}

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def _post(url: str, body: dict, timeout: float = 600) -> bytes:
    request = urllib.request.Request(f"{url}/tts", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _cache_bytes(url: str) -> float:
    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as response:
        found = re.search(r"^tts_cache_bytes (\S+)$", response.read().decode(), re.M)
    return float(found.group(1)) if found else 0.0


class _Client(threading.Thread):
    """One request held open: reads what the server sends until told to hang up."""

    def __init__(self, host: str, port: int, body: dict) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection(host, port, timeout=FULL_SECONDS + 120)
        self.body = body
        self.status: int | None = None
        self.received = 0
        self.job: str | None = None

    def run(self) -> None:
        try:
            self.connection.request("POST", "/tts", json.dumps(self.body), {"Content-Type": "application/json"})
            response = self.connection.getresponse()
            self.status = response.status
            while chunk := response.read(1 << 16):
                self.received += len(chunk)
                if self.status == 202:
                    self.job = json.loads(chunk)["links"]["self"]
        except Exception:   # hung up on purpose (http.client then fails in several ways): done
            pass

    def hang_up(self) -> None:
        sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.connection.close()


def measure(full_seconds: float = FULL_SECONDS) -> dict:
    settings = Settings()
    cache_bytes = settings.cache_mb * 2 ** 20
    server = BenchServer("ours").wait_ready(300)
    sampler = _Sampler(server.pid)
    rows = [sampler.phase("idle (warm, embedded voice)")]
    try:
        for i, fmt in enumerate(FORMATS):
            _post(server.url, {"text": texts.fresh(i, 40, seed=3), "format": fmt})
        _post(server.url, {"text": texts.LONG})
        _post(server.url, {"text": texts.MEDIUM, "stream": True, "sample_rate": 48000})
        rows.append(sampler.phase("embedded voice, every format, 500 characters"))
        for voice in ("zf_xiaobei", "zm_yunxi"):
            _post(server.url, {"text": texts.PARAGRAPH, "voice": voice})
        _post(server.url, {"text": texts.LONG, "voice": "zf_xiaobei", "stream": True})
        rows.append(sampler.phase("Kokoro loaded and speaking"))

        bodies = full_queue_bodies(settings.queue_size, settings.max_text_chars)
        clients = [_Client("127.0.0.1", server.port, body) for body in bodies]
        for client in clients:
            client.start()
        started = time.monotonic()
        filled = 0.0
        while time.monotonic() - started < full_seconds:
            time.sleep(5)
            filled = _cache_bytes(server.url)
            if filled >= 0.97 * cache_bytes:
                break
        held = time.monotonic() - started
        statuses = sorted({c.status for c in clients if c.status is not None})
        rows.append(sampler.phase(f"queue full ({settings.queue_size} × {settings.max_text_chars} characters)",
                                  cache_mb=round(filled / 2 ** 20, 1), held_s=round(held), statuses=statuses))
        for client in clients:
            client.hang_up()
            if client.job:
                urllib.request.urlopen(urllib.request.Request(f"{server.url}{client.job}", method="DELETE"),
                                       timeout=30).close()
        time.sleep(10)   # the cancelled jobs stop at their next chunk
        rows.append(sampler.phase("after, cache full", cache_mb=round(_cache_bytes(server.url) / 2 ** 20, 1)))
    finally:
        sampler.stop()
        server.stop()
    peak = max(max(r["peak_rss_mb"] for r in rows), sampler.highest)
    return {"settings": {"queue_size": settings.queue_size, "max_text_chars": settings.max_text_chars,
                         "cache_mb": settings.cache_mb, "threads": settings.threads},
            "rows": rows, "peak_rss_mb": peak,
            "memory_high_mb": 64 * math.ceil(peak * HEADROOM / 64),
            "memory_max_mb": 64 * math.ceil(peak * HARD_HEADROOM / 64)}


def run(quick: bool = False) -> dict:
    return measure(full_seconds=60 if quick else FULL_SECONDS)


def table(result: dict) -> str:
    s = result["settings"]
    return "\n\n".join([
        f"One server with the shipped settings (queue {s['queue_size']}, longest text {s['max_text_chars']} "
        f"characters, phrase cache {s['cache_mb']} MB, {s['threads']} threads); resident memory from /proc.",
        markdown_table(result["rows"], ["phase", "rss_mb", "peak_rss_mb", "cache_mb", "held_s", "statuses"]),
        f"Peak: **{result['peak_rss_mb']} MB** → MemoryHigh {result['memory_high_mb']}M (×{HEADROOM}), "
        f"MemoryMax {result['memory_max_mb']}M (×{HARD_HEADROOM}), rounded up to 64 MB.",
    ])
