"""ModelScope Sambert-HifiGan (the article's model) as an optional engine.

It runs from a local model directory in its own Python 3.8/3.10 environment (ModelScope's
closed `ttsfrd` frontend ships for no other), in a child process speaking JSON lines
(sambert_worker.py). `preflight` says exactly what is missing before anything starts:
the interpreter, its version, the packages (and whether `ttsfrd` is the empty PyPI
placeholder), and the model files. Sambert reads raw text with its own frontend, so it
gets each phrase's normalized text; it has no speed or pitch control.

The worker thread only waits for the child, so the worker's watch judges a Sambert step by
the child's CPU clock (`cpu_seconds`: utime + stime from /proc/<pid>/stat, every thread of
the child, exact to a clock tick, one small read per look). Unlike a thread, a child can be
ended: when the watch finds a call stalled, `interrupt` ends the child (the worker thread
waiting for it returns at once, so the server needs no restart) and starts a fresh one,
which loads its model and takes the next call. A child that died on its own (the OOM
killer, a crash in native code) is replaced the same way before the next step
(`restart_if_exited`), instead of failing every Sambert request until the server restarts.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile

from tts.engines.base import EngineOptions, Voice
from tts.engines.sambert_worker import model_voices
from tts.errors import EngineUnavailable, SynthesisFailed
from tts.frontend.phrase import Phrase
from tts import procstat

log = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("sambert_worker.py")
SUPPORTED_PYTHONS = ("3.8", "3.10")
REAL_FACTORY = "sambert_worker:modelscope_pipeline"
RESTART_PAUSE = 5.0   # seconds at least between two starts of a replacement child
_VOICE_INFO = {  # the zh-cn 16k model's speakers
    "zhitian_emo": ("知甜", "female"), "zhiyan_emo": ("知燕", "female"),
    "zhizhe_emo": ("知哲", "male"), "zhibei_emo": ("知贝", "female"),
}
_PROBE = """
import importlib, json, sys
found = {"version": "%d.%d" % sys.version_info[:2], "missing": [], "placeholder": False}
for name in ("modelscope", "ttsfrd"):
    try:
        module = importlib.import_module(name)
    except Exception as error:
        found["missing"].append("%s (%s)" % (name, type(error).__name__))
        continue
    if name == "ttsfrd" and not hasattr(module, "TtsFrontendEngine"):
        found["placeholder"] = True
print(json.dumps(found))
"""


def preflight(python: str, model_dir: str, *, check_packages: bool = True) -> list[str]:
    """Everything that stops the engine from starting, in words a user can act on; [] = ready."""
    problems = _model_problems(Path(model_dir))
    if not os.access(python, os.X_OK):
        return [f"TTS_SAMBERT_PYTHON={python} is not an executable interpreter"] + problems
    if not check_packages:
        return problems
    try:
        probe = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, timeout=120)
        found = json.loads(probe.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        return [f"{python} could not be run to check its packages"] + problems
    if found["version"] not in SUPPORTED_PYTHONS:
        problems.append(f"{python} is Python {found['version']}; ModelScope's ttsfrd ships only for "
                        f"Python {' and '.join(SUPPORTED_PYTHONS)}")
    problems += [f"{python} cannot import {name}: install it in that environment" for name in found["missing"]]
    if found["placeholder"]:
        problems.append(f"{python} has the empty PyPI placeholder 'ttsfrd'; install ModelScope's real ttsfrd wheel")
    return problems


def _model_problems(model_dir: Path) -> list[str]:
    if not model_dir.is_dir():
        return [f"TTS_SAMBERT_MODEL_DIR={model_dir} is not a directory (download the model there beforehand)"]
    problems = [f"{model_dir / name} is missing" for name in ("configuration.json", "resource.zip")
                if not (model_dir / name).exists()]
    voices_file = model_dir / "voices" / "voices.json"
    try:
        voices = json.loads(voices_file.read_text(encoding="utf-8"))["voices"]
    except (OSError, ValueError, KeyError):
        return problems + [f"{voices_file} is missing or not a voices list"]
    for voice in voices:
        problems += [f"{model_dir / 'voices' / voice / part} is missing" for part in ("am", "voc")
                     if not (model_dir / "voices" / voice / part).is_dir()]
    return problems


class SambertEngine:
    """The declaration: preflight passed, the child process started (on the calling thread,
    the gevent hub at start-up: a subprocess cannot be started from the worker thread under
    gevent), loading its model in its own process while the server warms up. `load()` on the
    worker thread waits for its hello and returns the model that talks to it; `interrupt()`
    on the hub replaces a child stuck in a call."""

    name = "sambert"
    sample_rate = 16000
    max_syllables = None   # it reads each sentence's text with its own frontend: never split sentences
    lead_in_syllables = None
    cpu_per_audio_second = 0.35   # HiFi-GAN at 16 kHz on 2 cores, as the article reports it (not measured here)
    rate_control = False   # no speed control, so no pitch either (our pitch shift resamples)

    def __init__(self, python: str, model_dir: str, *, factory: str = REAL_FACTORY,
                 env: dict[str, str] | None = None, check_packages: bool = True) -> None:
        problems = preflight(python, model_dir, check_packages=check_packages)
        if problems:
            raise EngineUnavailable("the sambert engine cannot start: " + "; ".join(problems))
        # The model version for cache keys: the model's own configuration, hashed.
        config = (Path(model_dir) / "configuration.json").read_bytes()
        self.version = "sambert-" + hashlib.sha256(config).hexdigest()[:16]
        self.voices = tuple(
            Voice(id=v, engine=self.name, name=_VOICE_INFO.get(v, (v, "female"))[0],
                  gender=_VOICE_INFO.get(v, (v, "female"))[1], language="zh-CN",
                  description="原文所用的 Sambert-HifiGan 模型，16 kHz / "
                              "ModelScope Sambert-HifiGan, 16 kHz (the article's model)")
            for v in model_voices(model_dir))
        environ = {**os.environ, **(env or {})}
        environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(WORKER.parent), environ.get("PYTHONPATH")]))
        self._command = [python, str(WORKER), "--model-dir", model_dir, "--factory", factory]
        self._environ = environ
        self._channel = _Channel(self._command, environ)
        self._ended: list[_Channel] = []   # children replaced, not yet reaped
        self._spent = 0.0                  # their CPU seconds
        self._next_start = 0.0             # no replacement is started before this (monotonic)

    def cpu_seconds(self) -> float:
        """CPU seconds the engine's children have used (the worker's watch reads it on the hub)."""
        return self._spent + self._channel.cpu_seconds()

    def interrupt(self) -> bool:
        """End the child if the worker thread is in a call to it (on the hub, which starts children):
        that call returns EngineUnavailable, and a fresh child takes the next one once its model
        has loaded. False when no call was in flight."""
        stuck = self._channel
        if not stuck.in_call:
            return False
        stuck.kill()
        log.error("ended the sambert worker (pid %d), stuck in a call", stuck.pid)
        self._restart()
        return True

    def restart_if_exited(self) -> bool:
        """Replace a child that exited on its own (on the hub, before a step); True when it did.
        Replaced children that have ended are reaped here, their pipes closed."""
        self._ended = [channel for channel in self._ended if not channel.release()]
        dead = self._channel
        if not dead.exited or time.monotonic() < self._next_start:
            return False
        if dead.alive:   # it closed its output (or is being torn down): of no use any more
            dead.kill()
            log.error("the sambert worker (pid %d) stopped answering; ended it", dead.pid)
        else:
            log.error("the sambert worker (pid %d) had exited (%s)", dead.pid, dead.why())
        return self._restart()

    @property
    def pid(self) -> int:
        """The current child's process id."""
        return self._channel.pid

    def _restart(self) -> bool:
        """A new child in place of the current one, at most once per RESTART_PAUSE (a child that
        dies at once must not be started again at every step). When it cannot be started (no
        memory for a fork, no such interpreter any more), the old one stays: Sambert calls fail
        with 503 engine_unavailable, the other voices are untouched, and a later step tries again."""
        old = self._channel
        self._next_start = time.monotonic() + RESTART_PAUSE
        try:
            self._channel = _Channel(self._command, self._environ)
        except OSError as error:
            log.error("could not start another sambert worker (%s); trying again in %.0f s", error, RESTART_PAUSE)
            return False
        self._spent += old.cpu_seconds()
        self._ended.append(old)
        log.info("started the sambert worker again (pid %d)", self._channel.pid)
        return True

    def load(self) -> "SambertModel":
        self._channel.greet()
        return SambertModel(self)

    def close(self) -> None:
        """Stop the children for good and reap them (on the thread that started them)."""
        for channel in (*self._ended, self._channel):
            channel.close()
            channel.reap()


class SambertModel:
    """The running worker: one JSON line out, one back, per phrase (to the engine's current child)."""

    def __init__(self, engine: SambertEngine) -> None:
        self._engine = engine

    def synthesize(self, phrase: Phrase, voice: str, options: EngineOptions) -> Iterator[np.ndarray]:
        reply = self._engine._channel.ask({"text": phrase.text, "voice": voice})
        if not reply.get("ok"):
            raise SynthesisFailed(f"sambert failed: {reply.get('error')}")
        samples, rate = soundfile.read(io.BytesIO(base64.b64decode(reply["wav"])), dtype="float32")
        if rate != SambertEngine.sample_rate:
            raise SynthesisFailed(f"sambert returned {rate} Hz audio, expected {SambertEngine.sample_rate}")
        yield samples if samples.ndim == 1 else samples.mean(axis=1)

    def close(self) -> None:
        self._engine._channel.close()


class _Channel:
    """JSON lines to and from a child process over plain blocking pipes.

    The pipes are ours (os.pipe), not gevent's cooperative file objects, so the worker
    thread can block on them; the child's stderr goes to a temporary file that is read
    only when it has stopped, to say why.
    """

    def __init__(self, command: list[str], environ: dict[str, str]) -> None:
        to_child, self._requests = os.pipe()
        self._replies, from_child = os.pipe()
        self._stderr = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(command, env=environ, stdin=to_child, stdout=from_child,
                                             stderr=self._stderr)
        finally:
            os.close(to_child)
            os.close(from_child)
        self._out = open(self._requests, "w", encoding="utf-8", buffering=1)
        self._in = open(self._replies, encoding="utf-8")
        self._lock = threading.Lock()
        self._closed = False   # by us: its exit is no failure
        self._broken = False   # its pipes said it stopped (EOF, a broken pipe), whether or not it can be reaped yet
        self._greeted = False
        self.in_call = False   # the worker thread waits for this child (what `SambertEngine.interrupt` ends)
        self.pid = self._process.pid
        fields = procstat.stat_fields(self._process.pid)
        self._identity = fields and fields[procstat.STARTTIME]   # a reused pid has another start time
        self._cpu = 0.0

    def cpu_seconds(self) -> float:
        """The child's user + system CPU seconds, all its threads; once it has exited and been
        reaped, the last value read."""
        fields = procstat.stat_fields(self._process.pid)
        if fields is not None and fields[procstat.STARTTIME] == self._identity:
            self._cpu = procstat.cpu_seconds(fields)
        return self._cpu

    def greet(self) -> None:
        """Wait for the child's hello (its model loaded); raise why it did not start."""
        with self._calling():
            self._greet()

    def ask(self, message: dict) -> dict:
        with self._calling():
            if not self._greeted:   # a child started after one was ended: its model loads first
                self._greet()
            try:
                self._out.write(json.dumps(message) + "\n")
                self._out.flush()
            except (BrokenPipeError, ValueError):
                self._broken = True
                raise EngineUnavailable(f"the sambert worker stopped: {self._error()}") from None
            return self.receive()

    @contextmanager
    def _calling(self):
        with self._lock:
            self.in_call = True
            try:
                yield
            finally:
                self.in_call = False

    def _greet(self) -> None:
        hello = self.receive()
        if not hello.get("ready"):
            self.close()
            raise EngineUnavailable(f"the sambert worker failed to start: {hello.get('error')}")
        self._greeted = True

    def receive(self) -> dict:
        line = self._in.readline() if not self._in.closed else ""
        if not line:
            self._broken = True
            raise EngineUnavailable(f"the sambert worker stopped: {self._error()}")
        return json.loads(line)

    @property
    def exited(self) -> bool:
        """It ended on its own (not because we closed its input), as its pipes told the worker thread or
        as the kernel says. The pipes come first: a killed child's are closed before it can be reaped (with
        its BLAS threads, up to half a second later), and a request sent to it in that gap would fail too."""
        return not self._closed and (self._broken or self._process.poll() is not None)

    @property
    def alive(self) -> bool:
        """Not yet reapable."""
        return self._process.poll() is None

    def why(self) -> str:
        """How it ended, and the last of what it wrote to stderr."""
        return f"exit status {self._process.returncode}: {self._error()}"

    def _error(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-2000:].decode("utf-8", "replace").strip() or "no output"

    def close(self) -> None:
        """End of input tells the child to exit (its exit is reaped by `reap`, on the thread that started it)."""
        self._closed = True
        for stream in (self._out, self._in):
            try:
                stream.close()
            except OSError:
                pass

    def release(self) -> bool:
        """Close and reap a child that has ended and that no call waits for; True when done."""
        if self.in_call or self._process.poll() is None:
            return False
        self.close()
        self.reap()
        return True

    def kill(self) -> None:
        """End the child now: a call waiting for it reads the end of its output."""
        self._process.kill()

    def reap(self) -> None:
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._stderr.close()


