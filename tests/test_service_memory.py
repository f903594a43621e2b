"""The memory bound: above it new work waits (503 memory_full + Retry-After) while work runs, so the
process is not killed at the cap with its requests; the limit comes from the cgroup by default."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fakes import ToneModel, wait_until
from test_service import make_service
from tts.config import Settings, SettingsError
from tts.errors import MemoryFull
from tts.request import SynthesisRequest
from tts.service.memory import HARD_SHARE, MemoryGuard, cgroup_limit, resident_bytes

MB = 2 ** 20


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


@pytest.mark.parametrize("high, hard, expected", [
    ("734003200", "1073741824", 734003200),              # systemd MemoryHigh=700M MemoryMax=1G
    ("max", "1073741824", int(1073741824 * HARD_SHARE)),  # docker run --memory 1g
    ("max", "max", None),                                 # no cap
])
def test_the_limit_is_the_cgroups_soft_cap_else_most_of_its_hard_one(tmp_path, high, hard, expected):
    unit = tmp_path / "system.slice" / "zh-tts.service"
    write(unit / "memory.high", high)
    write(unit / "memory.max", hard)
    assert cgroup_limit(tmp_path, "0::/system.slice/zh-tts.service\n") == expected


def test_a_cgroup_v1_hard_cap_counts_and_its_no_limit_does_not(tmp_path):
    write(tmp_path / "memory" / "docker" / "abc" / "memory.limit_in_bytes", str(512 * MB))
    write(tmp_path / "memory" / "host" / "memory.limit_in_bytes", "9223372036854771712")
    assert cgroup_limit(tmp_path, "4:memory:/docker/abc\n0::/\n") == int(512 * MB * HARD_SHARE)
    assert cgroup_limit(tmp_path, "4:memory:/host\n0::/\n") is None
    assert cgroup_limit(tmp_path, "1:cpu:/\n") is None


def test_the_setting_names_the_limit_or_turns_it_off():
    assert MemoryGuard.from_setting(600).limit == 600 * MB and MemoryGuard.from_setting(-1).limit is None
    with pytest.raises(SettingsError):
        Settings(memory_limit_mb=-2).validated()


def test_above_the_limit_only_a_busy_server_refuses():
    resident = [100 * MB]
    guard = MemoryGuard(200 * MB, lambda: resident[0])
    assert guard.refuses(busy=True) is None
    resident[0] = 300 * MB
    assert guard.refuses(busy=True) == 300 * MB
    assert guard.refuses(busy=False) is None   # refusing could not lower memory at rest, and would last for ever


def test_a_busy_service_above_its_limit_answers_503_memory_full_until_its_work_is_done():
    model, resident = ToneModel(), [100 * MB]
    service = make_service(model, memory=MemoryGuard(200 * MB, lambda: resident[0]))
    try:
        held = service.submit(SynthesisRequest("挂住了。", "tone"))
        wait_until(lambda: held.status == "running")
        resident[0] = 300 * MB
        with pytest.raises(MemoryFull) as refused:
            service.submit(SynthesisRequest("等一下。", "tone"))
        assert refused.value.status == 503 and refused.value.retry_after >= 1 and "300 MB" in refused.value.message
        model.release.set()
        assert held.wait(10) and held.status == "done"
        wait_until(lambda: service.depth == 0)
        later = service.submit(SynthesisRequest("又好了。", "tone"))   # idle: taken, even above the limit
        assert later.wait(10) and later.status == "done"
    finally:
        model.release.set()
        service.close()


def test_the_memory_benchs_full_queue_is_valid_requests_of_the_longest_text_in_every_format():
    """What `python -m tts.bench memory` sets the caps from must be requests the server takes."""
    from tts.bench.memory import full_queue_bodies
    from tts.request import parse_request

    settings = Settings()
    bodies = full_queue_bodies(settings.queue_size, settings.max_text_chars)
    requests = [parse_request(body, voices=("baker", "zf_xiaobei", "zm_yunxi"), max_chars=settings.max_text_chars,
                              default_voice="baker") for body in bodies]
    assert len(requests) == settings.queue_size and len({r.text for r in requests}) == len(requests)
    assert all(settings.max_text_chars - 50 <= len(r.text) <= settings.max_text_chars for r in requests)
    assert {r.format for r in requests} == {"wav", "mp3", "opus", "flac", "pcm"}
    assert {r.voice for r in requests} > {"baker"} and any(r.stream for r in requests)
    assert any(body.get("async") for body in bodies) and {r.sample_rate for r in requests} >= {16000, 48000}


def test_resident_memory_counts_the_child_processes_the_server_started():
    """The Sambert engine's model lives in a child process, inside the same cgroup limit."""
    before = resident_bytes()
    child = subprocess.Popen([sys.executable, "-c", "held = b'x' * 200_000_000; print('ready', flush=True); "
                              "import sys; sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline() == b"ready\n"
        assert resident_bytes() - before >= 190_000_000
    finally:
        child.stdin.close()
        child.wait(10)
    assert resident_bytes() - before < 100_000_000
