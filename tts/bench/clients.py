"""Concurrent HTTP clients that behave like polite real ones, and what they saw.

Each client sends its requests one after another; a 503 is retried after the server's
Retry-After (capped), a bounded number of times, and then counted as rejected. A request
that was not rejected is *accepted*; an accepted request that does not end in complete,
decodable audio is *lost* — the figure that must stay zero. A 202 (an async job) is
followed to its audio, so the same clients drive any server that answers either way.
"""

from __future__ import annotations

import io
import statistics
import threading
import time
from dataclasses import dataclass
from typing import Callable

import requests
import soundfile

MAX_RETRIES = 3
MAX_RETRY_WAIT = 10.0   # seconds; a client gives up waiting longer than this per retry
TIMEOUT = 120.0         # seconds per HTTP call; beyond it an accepted request counts as lost


@dataclass
class Outcome:
    status: str              # "ok", "rejected" (503 after all retries), "lost", "error" (4xx)
    latency_s: float         # first send → audio received (retry waits included)
    audio_s: float = 0.0
    rejections: int = 0      # 503 answers this request got
    detail: str = ""


def _audio_seconds(data: bytes) -> float:
    info = soundfile.info(io.BytesIO(data))
    return info.frames / info.samplerate


def _follow(session: requests.Session, base: str, response: requests.Response) -> requests.Response:
    """Poll a 202's Location until the job's audio is there."""
    location = base + response.headers["Location"]
    while True:
        status = session.get(location, timeout=TIMEOUT).json()
        if status.get("status") in ("done", "failed", "cancelled"):
            return session.get(location + "/audio", timeout=TIMEOUT)
        time.sleep(0.05)


def request_once(session: requests.Session, base: str, payload: dict) -> Outcome:
    """One request as a client experiences it, retries included."""
    started, rejections = time.perf_counter(), 0
    while True:
        try:
            response = session.post(f"{base}/tts", json=payload, timeout=TIMEOUT)
            if response.status_code == 202:
                response = _follow(session, base, response)
        except requests.RequestException as error:
            return Outcome("lost", time.perf_counter() - started, rejections=rejections, detail=repr(error)[:200])
        if response.status_code != 503:
            break
        rejections += 1
        if rejections > MAX_RETRIES:
            return Outcome("rejected", time.perf_counter() - started, rejections=rejections)
        time.sleep(min(float(response.headers.get("Retry-After", 1)), MAX_RETRY_WAIT))
    latency = time.perf_counter() - started
    if 400 <= response.status_code < 500:
        return Outcome("error", latency, rejections=rejections, detail=response.text[:200])
    try:
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}: {response.text[:200]}")
        return Outcome("ok", latency, _audio_seconds(response.content), rejections)
    except (ValueError, RuntimeError, soundfile.LibsndfileError) as error:
        return Outcome("lost", latency, rejections=rejections, detail=str(error)[:200])


def run_clients(base: str, clients: int, per_client: int,
                payload_for: Callable[[int], dict]) -> tuple[list[Outcome], float]:
    """`clients` threads each send `per_client` requests; returns outcomes and wall seconds."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        with requests.Session() as session:
            for i in range(per_client):
                outcome = request_once(session, base, payload_for(number * per_client + i))
                with lock:
                    outcomes.append(outcome)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - started


class Probe:
    """Asks GET /readyz every `interval` s while a level runs: can the server still answer
    cheap requests while it synthesizes? (A blocked gevent hub cannot.)"""

    def __init__(self, base: str, interval: float = 0.25) -> None:
        self._url, self._interval = f"{base}/readyz", interval
        self._stop = threading.Event()
        self.latencies: list[float] = []
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        with requests.Session() as session:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    session.get(self._url, timeout=TIMEOUT)
                except requests.RequestException:
                    pass
                self.latencies.append(time.perf_counter() - started)
                self._stop.wait(self._interval)

    def __enter__(self) -> "Probe":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        return {"probe_p50_ms": _ms(percentile(self.latencies, 0.5)),
                "probe_max_ms": _ms(max(self.latencies, default=None))}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarize(outcomes: list[Outcome], wall_s: float) -> dict:
    """Throughput, latency percentiles and the fate of every request."""
    ok = [o for o in outcomes if o.status == "ok"]
    latencies = [o.latency_s for o in ok]
    attempts = len(outcomes) + sum(o.rejections for o in outcomes) - sum(o.status == "rejected" for o in outcomes)
    count = lambda status: sum(o.status == status for o in outcomes)  # noqa: E731
    return {
        "requests": len(outcomes), "ok": len(ok), "rejected": count("rejected"), "lost": count("lost"),
        "client_errors": count("error"), "wall_s": round(wall_s, 3),
        "audio_s": round(sum(o.audio_s for o in ok), 3),
        "throughput_audio_s_per_s": round(sum(o.audio_s for o in ok) / wall_s, 3) if wall_s else None,
        "p50_s": _round(statistics.median(latencies) if latencies else None),
        "p95_s": _round(percentile(latencies, 0.95)), "p99_s": _round(percentile(latencies, 0.99)),
        "share_503": round(sum(o.rejections for o in outcomes) / attempts, 4) if attempts else 0.0,
        "lost_details": sorted({o.detail for o in outcomes if o.status == "lost"})[:5],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)

